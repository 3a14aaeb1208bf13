"""Shared assessment: one assessment travels with the family.

A repeated intake (the family was already assessed for an open need) becomes a
light intake of fewer hours, with no engagement loss and no intake dropout, if
the receiving organisation accepts the assessment: with probability
``a0 + (1 - a0) * tau`` (trust between sender and receiver, docs/design.md A15).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.levers.base import Lever, LeverParams

if TYPE_CHECKING:
    from sim.episode import NeedEpisode
    from sim.organisation import Organisation
    from sim.reader import Reader


@dataclass(frozen=True)
class SharedAssessmentParams(LeverParams):
    """Light intake and acceptance (keys ``shared_assessment_*`` of the ``levers`` block).

    Attributes:
        hours: desk hours of a light intake.
        acceptance: probability an organisation accepts another's assessment at zero trust (``a0``).
    """

    hours: float
    acceptance: float

    @classmethod
    def read(cls, r: Reader) -> SharedAssessmentParams:
        """Read the ``shared_assessment_*`` keys."""
        return cls(hours=r.number("shared_assessment_hours", 0.0, 100.0),
                   acceptance=r.probability("shared_assessment_acceptance"))


class SharedAssessment(Lever):
    """Turns accepted repeated intakes into light ones while active."""

    name = "shared_assessment"
    Params = SharedAssessmentParams
    label = ("shared assessment", "gedeelde analyse")
    explanation = ("One assessment of the whole family, shared: the next organisation needs no new intake.",
                   "Eén analyse van het hele gezin, gedeeld: de volgende organisatie hoeft geen nieuwe intake.")

    def accepts(self, ep: NeedEpisode, org: Organisation) -> bool:
        """Whether ``org`` accepts the family's existing assessment for this intake."""
        if not self.active:
            return False
        m = self.model
        a0 = self.params.acceptance
        prev = ep.prev_org or m.entry_org
        tau = m.trust.get(prev.index, org.index, m.time)
        u = m.rand.uniform("assessment", ep.family.fid, ep.domain, ep.problem_id, ep.attempt, ep.intakes)
        return u < a0 + (1.0 - a0) * tau

    def hours(self, org: Organisation) -> float:
        """Desk hours of a light intake."""
        return self.params.hours
