"""Family: a household with latent traits, open needs and onset clocks.

Traits drawn at creation (keyed, in bulk): ``vulnerability`` (Gamma, mean 1),
``engagement`` (Beta; trust and persistence with services), ``informal_support``
(Beta; slows escalation and speeds remission).

Onsets follow docs/design.md A2: the rate of a new need in domain d is
``lambda_d * v * min(C_max, prod(1 + kappa[d2][d] * a_d2))`` with
``a_d2 = 1`` for an open need not in help, ``1 - eta_help`` in help, 0 when
closed, and 0 while d itself is open. The k-th onset of (f, d) happens when the
integrated rate since d closed reaches a keyed Exp(1) threshold, so a rate
change never redraws a number: the remaining time is ``(E - used) / rate``.
Only the earliest domain clock of a family is a scheduled event.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import mesa

from sim.restore import RestoredInPlace

if TYPE_CHECKING:
    from sim.episode import NeedEpisode
    from sim.professional import Professional

INF = math.inf


def onset_multipliers(acts: list[float], coupling_in: list[list[tuple[int, float]]], c_max: float) -> list[float]:
    """Per domain d, ``min(C_max, prod(1 + kappa[d2][d] * a_d2))`` over the coupled domains with ``a_d2 > 0``.

    They depend on the activities only, and a run meets few combinations of them (each a_d is 0, 1 - eta or 1):
    the model keeps them per combination (``model.onset_mults``) instead of multiplying them out on every
    change of a family. The same products in the same order, so the same rates.
    """
    out = []
    for coupled in coupling_in:
        mult = 1.0
        for d2, kap in coupled:
            if acts[d2]:
                mult *= 1.0 + kap * acts[d2]
        out.append(c_max if mult > c_max else mult)
    return out


class Family(RestoredInPlace, mesa.Agent):
    """A household.

    Attributes:
        fid: its number in the run (key of its random draws).
        vulnerability: scales need onset and escalation (mean 1).
        engagement: 0..1, drives dropout and self-signalling; moves with experiences.
        informal_support: 0..1, slows escalation and speeds remission of light needs.
        open: the open episode per domain index.
        coordinator: the professional coordinating it, if any.
        onset_E: per domain, the keyed Exp(1) threshold of the next onset; at creation the model passes the
            first ones, ``rand.exponential("onset", fid, d, 0)``, drawn for all families at once.
    """

    def __init__(self, model: mesa.Model, fid: int, vulnerability: float, engagement: float, informal_support: float,
                 onset_E: list[float]) -> None:
        super().__init__(model)
        self.fid = fid
        self.vulnerability = vulnerability
        self.e0 = engagement  # its own level, toward which engagement relaxes between events
        self._e = engagement
        self._e_t = 0.0
        self.informal_support = informal_support
        self.open: dict[int, NeedEpisode] = {}
        self.coordinator: Professional | None = None
        self.coordinated_since = 0.0
        n = len(model.spec.domains)
        self.onset_k = [0] * n
        # lambda_d * v per domain, the uncoupled onset rate (the product the rate formula starts with).
        self.base_rate = [base * vulnerability for base in model.onset_base]
        self.onset_E = onset_E
        self.onset_used = [0.0] * n
        self.onset_rate = [0.0] * n
        self.onset_t = 0.0
        self._onset_event = None
        self._onset_domain = -1
        self.problems = 0
        self.slot = fid  # its place in model.families (a family that enters later takes a leaver's place)
        self.departed = False
        self.exit_reason = ""
        self.left_at = math.inf  # the day it left the population (`sim.population`), for the headline's competing event
        self.ever_signalled = False
        self.ever_dropped = False
        self.ever_helped = False

    @property
    def engagement(self) -> float:
        """Engagement now: between events it relaxes toward the family's own level ``e0`` (docs/design.md A9).

        ``e0 + (e - e0) * exp(-xi * dt)``, with xi the scenario's ``engagement_recovery_per_year``; without
        recovery a bad experience lowers engagement for good, so the population's engagement would drift down for
        as long as a run lasts and the status quo would be a trend.
        """
        xi = self.model.engagement_recovery
        if not xi:
            return self._e
        dt = self.model.time - self._e_t
        return self.e0 + (self._e - self.e0) * math.exp(-xi * dt) if dt > 0.0 else self._e

    @engagement.setter
    def engagement(self, value: float) -> None:
        self._e = value
        self._e_t = self.model.time

    def activity(self, d: int) -> float:
        """a_d of the coupling: 1 open and not in help, 1 - eta in help, 0 closed (inlined in `refresh_onsets` for speed)."""
        ep = self.open.get(d)
        if ep is None:
            return 0.0
        return self.model.in_help_activity if ep.state == "in_help" else 1.0

    def refresh_onsets(self, now: float) -> None:
        """Account the integrated onset rates up to now, recompute rates and re-arm the clock."""
        model = self.model
        dt = now - self.onset_t
        used, rates = self.onset_used, self.onset_rate
        if dt > 0:
            for d, r in enumerate(rates):
                if r:  # a closed clock adds 0.0: skipping it leaves the same number
                    used[d] += r * dt
        self.onset_t = now
        is_open = self.open
        mults = None
        if is_open:
            # a_d of the onset coupling: 1 open and not in help, 1 - eta in help, 0 closed.
            acts = [0.0] * len(rates)
            in_help = model.in_help_activity
            for d2, ep in is_open.items():
                acts[d2] = in_help if ep.state == "in_help" else 1.0
            key = tuple(acts)
            mults = model.onset_mults.get(key)
            if mults is None:
                mults = model.onset_mults[key] = onset_multipliers(acts, model.coupling_in, model.c_max)
        best_t, best_d = INF, -1
        thresholds = self.onset_E
        for d, base in enumerate(self.base_rate):
            if base <= 0.0 or d in is_open:
                rates[d] = 0.0
                continue
            # (lambda_d * v) * 1.0 is lambda_d * v exactly: no multiplier without open needs
            rate = base if mults is None else base * mults[d]
            rates[d] = rate
            rest = thresholds[d] - used[d]
            t = now + (rest if rest > 0.0 else 0.0) / rate
            if t < best_t:
                best_t, best_d = t, d
        if self._onset_event is not None:
            self._onset_event.cancel()
            self._onset_event = None
        if best_d >= 0 and best_t <= model.end_time:
            self._onset_domain = best_d
            self._onset_event = model.schedule_at(self.onset_due, best_t)

    def onset_due(self) -> None:
        """The earliest domain clock reached its threshold: a new need arises."""
        self._onset_event = None
        d = self._onset_domain
        now = self.model.time
        self.refresh_onsets_account(now)
        self.onset_k[d] += 1
        self.onset_E[d] = self.model.rand.exponential("onset", self.fid, d, self.onset_k[d])
        self.onset_used[d] = 0.0
        self.model.pathway.new_problem(self, d, now)

    def leave(self) -> None:
        """The family's exit time came: it leaves the population (`sim.population`)."""
        self.model.flows.leave(self)

    def refresh_onsets_account(self, now: float) -> None:
        """Bring the integrated rates up to now without re-arming (before a state change)."""
        dt = now - self.onset_t
        if dt > 0:
            used = self.onset_used
            for d, rate in enumerate(self.onset_rate):
                if rate:
                    used[d] += rate * dt
        self.onset_t = now

    def dropout_factor(self) -> float:
        """f(e) = (1 - e) / (1 - mean e0): base dropout values are population means (docs/design.md A10)."""
        return (1.0 - self.engagement) / self.model.one_minus_mean_e0

    def signalled_open(self) -> int:
        """Number of open episodes already known to a service."""
        return sum(1 for ep in self.open.values() if ep.is_signalled)
