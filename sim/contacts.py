"""Universal contact points: services that see (nearly) every family and notice needs there.

A child-health centre (consultatiebureau, JGZ) sees nearly every young child;
the police meet people who cause problems; a school sees its pupils
(docs/design.md A18). Such an organisation declares ``contact_rate_per_year``
(contacts a family has with it, whether or not it has a need) and
``detection`` ``{domain: q}``: the probability that one contact notices a
latent need in that domain. A latent need in d is then noticed at the extra
constant hazard ``c_d = sum_o contact_rate_o * q_od``, added to the
signalling hazard ``a + b * s`` of section 7.4 of the ODD.

Who noticed decides the first door: when a need is signalled, it was noticed
by contact point o with probability ``contact_rate_o * q_od / (a + b * s)``
(the share of o's hazard in the total at that moment, keyed draw
``contact_door``); it then enters at o, which helps if its mandate covers the
need and otherwise refers it (a handoff, cold or warm as the levers say).
Otherwise the family picks its own door as before. Routing by the single entry
point, a coordinator or crisis priority comes first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.reader import Reader
from sim.restore import RestoredInPlace

if TYPE_CHECKING:
    from sim.episode import NeedEpisode
    from sim.model import SocialDomainModel
    from sim.organisation import Organisation


def read_detection(r: Reader, domains: tuple[str, ...]) -> dict[str, float]:
    """Read an organisation's ``detection`` block {domain: probability per contact}."""
    return r.numbers_by_name(domains, 0.0, 1.0)


class ContactPoints(RestoredInPlace):
    """The noticing hazards of the contact points of one model, per domain."""

    def __init__(self, model: SocialDomainModel) -> None:
        self.m = model
        names = model.spec.domain_names
        self.by_domain: list[list[tuple[Organisation, float]]] = [[] for _ in names]
        for org in model.organisations:
            rate = org.spec.contact_rate
            for dom, q in org.spec.detection.items():
                if rate * q > 0.0:
                    self.by_domain[names.index(dom)].append((org, rate * q))
        self.hazard = [sum(h for _, h in lst) for lst in self.by_domain]

    def noticed_by(self, ep: NeedEpisode, now: float) -> Organisation | None:
        """The contact point that noticed this just-signalled need, or None if the family asked itself."""
        points = self.by_domain[ep.domain]
        if not points:
            return None
        total = ep.sig_a + ep.sig_b * ep.severity(now)
        if total <= 0.0:
            return None
        u = self.m.rand.uniform("contact_door", ep.family.fid, ep.domain, ep.problem_id, ep.attempt) * total
        acc = 0.0
        for org, h in points:
            acc += h
            if u < acc:
                return org
        return None
