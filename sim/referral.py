"""Referral accuracy: a referrer does not always send a need to the correct door.

When an organisation (a GP, a school, the neighbourhood team, the single entry
point, a coordinator's team) refers a need on, it sends it to a door whose
mandate does not fit with the miss probability

``p_miss = miss_r * (1 - trust_effect * tau) * (1 - assessment_effect * A)
* (1 - breadth_effect * b_r) * (1 - coordinator_effect * C)``

where ``miss_r`` is the referrer's base miss probability (``miss_probability``,
or its own value in ``miss_by_organisation``: a GP knows the social domain's
map less well than a neighbourhood team), ``tau`` the trust between the
referrer and the correct door (built by joint cases and the learning network,
`sim.trust`), ``A`` 1 while the shared assessment is active (the assessment
says what the need is), ``b_r`` the share of the referrer's professionals who
are T-shaped (`sim.depth`: breadth knows the neighbouring domains), and ``C`` 1
when a coordinator holds the family. A wrong door is drawn uniformly among the
staffed organisations, other than the referrer, whose mandate does not fit the
need (keyed draws ``referral_miss`` and ``referral_wrong``); there the family
waits for an intake, which finds the misfit and refers again (another handoff,
with its dropout risk and delay, under the same accuracy). A miss so costs an
intake, a handoff and their waits; nothing else is assumed about its effect.

Without a ``referral`` block every referral is correct (the older model).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sim.reader import Reader
from sim.restore import RestoredInPlace

if TYPE_CHECKING:
    from sim.episode import NeedEpisode
    from sim.model import SocialDomainModel
    from sim.organisation import Organisation


@dataclass(frozen=True)
class ReferralAccuracy:
    """How often referrers miss the correct door, and what lowers it (each effect a share in [0, 1])."""

    miss_probability: float = 0.0
    miss_by_organisation: dict[str, float] = field(default_factory=dict)
    trust_effect: float = 0.0
    assessment_effect: float = 0.0
    breadth_effect: float = 0.0
    coordinator_effect: float = 0.0


def read_referral(r: Reader, organisations: tuple[str, ...]) -> ReferralAccuracy:
    """Read the scenario's ``referral`` block; ``miss_by_organisation`` names declared organisations."""
    by_org = r.child("miss_by_organisation", {}).numbers_by_name(organisations, 0.0, 1.0, kind="a declared organisation")
    acc = ReferralAccuracy(
        miss_probability=r.probability("miss_probability"),
        miss_by_organisation=by_org,
        trust_effect=r.probability("trust_effect", 0.0),
        assessment_effect=r.probability("assessment_effect", 0.0),
        breadth_effect=r.probability("breadth_effect", 0.0),
        coordinator_effect=r.probability("coordinator_effect", 0.0),
    )
    r.finish()
    return acc


class Referrals(RestoredInPlace):
    """Decides, per referral, whether it reaches the correct door (one model)."""

    def __init__(self, model: SocialDomainModel) -> None:
        self.m = model
        spec = model.spec.referral
        self.spec = spec
        self.miss = [spec.miss_by_organisation.get(o.name, spec.miss_probability) for o in model.organisations]
        self.any = any(p > 0.0 for p in self.miss)
        self.misses = 0

    def miss_probability(self, ep: NeedEpisode, source: Organisation, target: Organisation, now: float) -> float:
        """p_miss of a referral of ``ep`` from ``source`` whose correct door is ``target``."""
        m = self.m
        sp = self.spec
        p = self.miss[source.index]
        if p <= 0.0:
            return 0.0
        p *= 1.0 - sp.trust_effect * m.trust.get(source.index, target.index, now)
        if m.levers.shared_assessment.active:
            p *= 1.0 - sp.assessment_effect
        p *= 1.0 - sp.breadth_effect * m.depth.broad_share[source.index]
        if m.levers.coordinator.routes(ep.family):
            p *= 1.0 - sp.coordinator_effect
        return p

    def target(self, ep: NeedEpisode, source: Organisation, target: Organisation, now: float) -> Organisation:
        """The door the referral actually reaches: ``target``, or a wrong door with probability p_miss."""
        if not self.any:
            return target
        p = self.miss_probability(ep, source, target, now)
        fam = ep.family
        keys = (fam.fid, ep.domain, ep.problem_id, ep.attempt, ep.handoffs)
        if p <= 0.0 or self.m.rand.uniform("referral_miss", *keys) >= p:
            return target
        s = ep.severity(now)
        d = ep.domain
        wrong = [o for o in self.m.organisations
                 if o is not source and o is not target and o.professionals and not (o.covers(d, s) and o.can_help(d, s))]
        if not wrong:
            return target
        self.misses += 1
        return wrong[int(self.m.rand.uniform("referral_wrong", *keys) * len(wrong))]
