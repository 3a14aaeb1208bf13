"""Population flows: families leave the population and new families take their place.

A scenario's population is a stock with flows (docs/design.md A19): a family
leaves at a keyed random time, because it moves away (hazard ``turnover``) or,
in a population of households with minor children, because its youngest child
ages out of the scenario's age range (``age_out_days``: 18 years, or 6 in the
young-child network). A new family with no open needs enters in its place, so
the population size is constant and the measurement is a steady state rather
than the ageing of one cohort. Without these flows a need that no service
resolves stays in the population for ever, and the status quo trends.

Initial ages follow the stationary age distribution of the two flows: with a
constant move hazard m and ageing out at A, the age of the youngest child in
the stock has density proportional to exp(-m a) on [0, A). A new family enters
with a newborn youngest child.

When a family leaves, each of its open needs ends with outcome ``moved``
(censored like ``ongoing``: neither help nor dropout), its coordinator and
case-table place are released, and its pending recurrences never happen. Every
draw is keyed by the family number: the families that enter are numbered in
order of entry, and exits do not depend on the way of working, so both arms see
the same families come and go.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from sim.episode import MOVED
from sim.family import Family
from sim.restore import RestoredInPlace
from sim.streams import beta_table, gamma_table

if TYPE_CHECKING:
    from sim.model import SocialDomainModel

INF = math.inf
# Families that enter get their keyed trait and first-onset uniforms drawn ahead in blocks of this many family
# numbers with the vectorised hash (the same numbers as one draw at a time); numbers of a block never used cost
# microseconds.
ENTRANT_BLOCK = 256


class PopulationFlows(RestoredInPlace):
    """Schedules exits and brings in the families that replace them."""

    def __init__(self, model: SocialDomainModel) -> None:
        self.m = model
        flows = model.spec.flows
        self.turnover = flows.turnover
        self.age_out = flows.age_out_days
        self.next_fid = model.config.families
        self.left = 0
        self.aged_out = 0
        self.entered = 0
        self._block_start = self.next_fid
        self._block: list[list[float]] = []  # per family number of the block: its uniforms, see `_draws`

    @property
    def active(self) -> bool:
        """Whether families ever leave."""
        return self.turnover > 0.0 or self.age_out is not None

    def exit_time(self, fam: Family, entry: float) -> tuple[float, str]:
        """When and why ``fam`` (entered at ``entry``) leaves: (time, reason)."""
        m = self.m
        t_move = entry + m.rand.exponential("move", fam.fid) / self.turnover if self.turnover > 0.0 else INF
        t_age = INF
        if self.age_out is not None:
            if fam.fid >= m.config.families:  # a family that entered during the run: a newborn youngest child
                age = 0.0
            else:  # the stationary age distribution of the stock at day 0
                u = m.rand.uniform("age", fam.fid)
                k, a = self.turnover, self.age_out
                age = -math.log(1.0 - u * (1.0 - math.exp(-k * a))) / k if k > 0.0 else u * a
            t_age = entry + self.age_out - age
        return (t_move, "moved") if t_move < t_age else (t_age, "aged_out")

    def schedule(self, fam: Family, entry: float) -> None:
        """Schedule the family's exit if it falls inside the run."""
        if not self.active:
            return
        t, reason = self.exit_time(fam, entry)
        if t <= self.m.end_time:
            fam.exit_reason = reason
            self.m.schedule_at(fam.leave, t)

    def leave(self, fam: Family) -> None:
        """``fam`` leaves now: its open needs end as ``moved``; a new family takes its place."""
        m = self.m
        now = m.time
        fam.departed = True
        fam.left_at = now
        if fam._onset_event is not None:
            fam._onset_event.cancel()
            fam._onset_event = None
        for ep in list(fam.open.values()):
            m.pathway.end(ep, MOVED, fam.exit_reason)
        for lever in vars(m.levers).values():
            lever.on_family_left(fam, now)
        self.left += 1
        if fam.exit_reason == "aged_out":
            self.aged_out += 1
        slot = fam.slot
        fam.remove()
        m.families[slot] = self.enter(slot, now)

    def _draws(self, fid: int) -> list[float]:
        """The keyed uniforms of entrant ``fid``: vulnerability, engagement, informal support, then one per domain.

        They equal ``rand.uniform("vulnerability", fid)`` ... and ``rand.uniform("onset", fid, d, 0)`` drawn one
        by one (the same hash, vectorised; `KeyedRandom.uniform_array`), drawn for `ENTRANT_BLOCK` numbers at once:
        about a tenth of a run's keyed draws are those of entering families.
        """
        k = fid - self._block_start
        if k >= len(self._block):
            self._block_start, k = fid, 0
            r = self.m.rand
            fids = np.arange(fid, fid + ENTRANT_BLOCK, dtype=np.uint64)
            domains = np.arange(len(self.m.spec.domains), dtype=np.uint64)
            self._block = np.column_stack([r.uniform_array("vulnerability", fids), r.uniform_array("engagement", fids),
                                           r.uniform_array("informal_support", fids),
                                           r.uniform_array("onset", fids[:, None], domains[None, :], 0)]).tolist()
        return self._block[k]

    def enter(self, slot: int, now: float) -> Family:
        """A new family, with its traits drawn from the same keyed streams as the initial ones."""
        m = self.m
        sc = m.spec
        fid = self.next_fid
        self.next_fid += 1
        self.entered += 1
        u = self._draws(fid)
        v = gamma_table(sc.vulnerability_shape)(u[0])
        e = beta_table(sc.engagement_mean, sc.engagement_concentration)(u[1])
        i = beta_table(sc.informal_support_mean, sc.informal_support_concentration)(u[2])
        onset = [-math.log(x) for x in u[3:]]  # `rand.exponential("onset", fid, d, 0)`: -log of the same uniform
        fam = Family(m, fid, v, e, i, onset)
        fam.slot = slot
        fam.onset_t = now
        m.family_index[fid] = fam
        fam.refresh_onsets(now)
        self.schedule(fam, now)
        return fam
