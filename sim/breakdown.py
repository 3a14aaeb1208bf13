"""Breakdown of help: while a need is in help it may collapse into crisis (tenancy loss).

Some help can break down before it has done its work: a tenant housed with
support loses the tenancy (eviction), a foster placement breaks down. A domain
may declare a ``breakdown`` block; while an episode of that domain is in help,
breakdown happens at hazard

``h = rate * (1 + sum_d2 risk[d2] * a_d2) / (1 + support_effect * w_d)``

where ``a_d2`` is the family's activity in domain d2 as in onset coupling (1
for an open need not in help, ``1 - eta_help`` in help, 0 when closed), so
unresolved co-occurring needs (addiction, debt) raise the hazard and help on
them lowers it again; ``w_d`` is the domain's support hours a week
(``help_hours_per_week``), so more support lowers the hazard, at the price of
those hours. ``support_effect`` is an assumption whose range includes 0 (no
protection from support). The divisor holds only while support is in place:
a domain's ``tenancy`` block (`sim.tenancy`) may end support some days after
housing (the staircase ends it at housing), after which the hazard is
``rate * (1 + sum_d2 risk[d2] * a_d2)`` until another need is helped again.

After a crisis with crisis care (docs/design.md F3) the hazard is zero until the spell and its refractory period
have passed, as for a crisis of a growing need. The hazard is integrated against a keyed Exp(1) threshold per help segment
(stream ``breakdown``), like every other clock: a change of the family's
needs re-plans the time from the integral used so far, nothing is redrawn.
A breakdown ends the episode as a ``crisis`` with end reason ``breakdown``: the
breakdown cost is booked to its payer (an eviction: the housing corporation),
engagement changes as in any crisis, and the problem continues at once as a
new signalled priority episode (back to the shelter, and in the staircase back
to its bottom step).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.reader import Reader
from sim.restore import RestoredInPlace
from sim.tenancy import support_lapse

if TYPE_CHECKING:
    from sim.episode import NeedEpisode
    from sim.model import SocialDomainModel

INF = math.inf


@dataclass(frozen=True)
class Breakdown:
    """Breakdown hazard of help in one domain (rate per day)."""

    rate: float
    risk: dict[str, float]
    support_effect: float
    cost: float
    payer: str


def read_breakdown(r: Reader, domains: tuple[str, ...], payers: tuple[str, ...]) -> Breakdown:
    """Read a domain's ``breakdown`` block; ``risk`` names declared domains."""
    risk: dict[str, float] = r.child("risk", {}).numbers_by_name(domains, 0.0, 100.0)
    b = Breakdown(
        rate=r.number("rate_per_year", 0.0, 100.0) / 365.0,
        risk=risk,
        support_effect=r.number("support_effect", 0.0, 100.0),
        cost=r.number("cost", 0.0, 1e7),
        payer=r.string("payer", payers),
    )
    r.finish()
    return b


class HelpBreakdown(RestoredInPlace):
    """The breakdown clocks of one model's episodes in help."""

    def __init__(self, model: SocialDomainModel) -> None:
        self.m = model
        index = {n: i for i, n in enumerate(model.spec.domain_names)}
        # Per domain: (breakdown, risk weights, base hazard with support, base hazard without support).
        self.spec: list[tuple[Breakdown, list[tuple[int, float]], float, float] | None] = []
        self.tenancy = [d.tenancy for d in model.domain_specs]
        for d in model.domain_specs:
            b = d.breakdown
            if b is None:
                self.spec.append(None)
            else:
                risk = [(index[n], w) for n, w in b.risk.items() if w > 0.0]
                self.spec.append((b, risk, b.rate / (1.0 + b.support_effect * d.help_hours_per_week), b.rate))
        self.any = any(s is not None for s in self.spec)
        # uid -> [threshold E, integrated hazard used, current rate, time of last accounting, help segment,
        #        time support lapses (sim.tenancy), rate after the lapse]
        self._clock: dict[int, list[float]] = {}
        self.breakdowns = 0

    def _rates(self, ep: NeedEpisode) -> tuple[float, float, float]:
        """(hazard with support, time support lapses, hazard after the lapse) at the family's needs now."""
        _, risk, supported, unsupported = self.spec[ep.domain]
        fam = ep.family
        mult = 1.0
        for d2, w in risk:
            mult += w * fam.activity(d2)
        lapse = support_lapse(self.tenancy[ep.domain], ep)
        return supported * mult, lapse, (unsupported if lapse < INF else supported) * mult

    def time(self, ep: NeedEpisode, now: float) -> float:
        """Time of breakdown of ``ep``'s help from now at the current hazard (INF if the domain has none)."""
        if self.spec[ep.domain] is None:
            return INF
        c = self._clock.get(ep.uid)
        if c is None or c[4] != ep.n_help:
            e = self.m.rand.exponential("breakdown", ep.family.fid, ep.domain, ep.problem_id, ep.attempt, ep.n_help)
            c = [e, 0.0, 0.0, now, ep.n_help, INF, 0.0]
            self._clock[ep.uid] = c
        # No breakdown while a crisis-care spell and its refractory period last (docs/design.md F3): the hazard counts
        # only from ``calm_until`` on.
        calm = ep.calm_until
        since = c[3] if c[3] > calm else calm
        if now > since:  # the planned rate up to the lapse of support, the rate after it from there
            lapse = c[5]
            if lapse <= since:
                c[1] += c[6] * (now - since)
            elif lapse >= now:
                c[1] += c[2] * (now - since)
            else:
                c[1] += c[2] * (lapse - since) + c[6] * (now - lapse)
        c[3] = now
        rate, lapse, after = self._rates(ep)
        c[2], c[5], c[6] = rate, lapse, after
        start = now if now > calm else calm
        rest = max(0.0, c[0] - c[1])
        if start >= lapse:
            return start + rest / after if after > 0.0 else INF
        if rate > 0.0 and start + rest / rate <= lapse:
            return start + rest / rate
        if lapse == INF:
            return INF
        rest -= rate * (lapse - start)  # support lapses first: the rest of the threshold at the rate without it
        return lapse + rest / after if after > 0.0 else INF

    def changed(self, ep: NeedEpisode) -> bool:
        """Whether the family's needs changed ``ep``'s breakdown hazard since it was last planned."""
        if self.spec[ep.domain] is None:
            return False
        c = self._clock.get(ep.uid)
        if c is None:
            return False
        rate, lapse, after = self._rates(ep)
        return abs(rate - c[2]) > 1e-15 or lapse != c[5] or abs(after - c[6]) > 1e-15

    def cost(self, ep: NeedEpisode) -> tuple[float, str]:
        """Cost and payer of a breakdown (booked as category ``crisis``)."""
        self.breakdowns += 1
        self._clock.pop(ep.uid, None)
        b = self.spec[ep.domain][0]
        return b.cost, b.payer
