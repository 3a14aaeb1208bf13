"""Shared assessment: one assessment travels with the family.

A repeated intake (the family was already assessed for an open need) becomes a
light intake of fewer hours, with no engagement loss and no intake dropout, if
the receiving organisation accepts the assessment: with probability
``a0 + (1 - a0) * tau`` (trust between sender and receiver, docs/design.md A15).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.levers.base import Lever

if TYPE_CHECKING:
    from sim.episode import NeedEpisode
    from sim.organisation import Organisation


class SharedAssessment(Lever):
    """Turns accepted repeated intakes into light ones while active."""

    name = "shared_assessment"

    def accepts(self, ep: NeedEpisode, org: Organisation) -> bool:
        """Whether ``org`` accepts the family's existing assessment for this intake."""
        if not self.active:
            return False
        m = self.model
        a0 = m.spec.levers.shared_assessment_acceptance
        prev = ep.prev_org or m.entry_org
        tau = m.trust.get(prev.index, org.index, m.time)
        u = m.rand.uniform("assessment", ep.family.fid, ep.domain, ep.problem_id, ep.attempt, ep.intakes)
        return u < a0 + (1.0 - a0) * tau

    def hours(self, org: Organisation) -> float:
        """Desk hours of a light intake."""
        return self.model.spec.levers.shared_assessment_hours
