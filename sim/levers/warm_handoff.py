"""Warm handoff: the referrer connects the family instead of sending a letter.

Cold (status quo): the family must call itself after an exponential delay,
drops out with ``p_cold * f(e) * (1 - omega_p * tau)`` and loses engagement
``delta_cold``. Warm: a fixed connection delay, dropout ``p_warm <= p_cold``
and a smaller engagement loss. Without a coordinator the referring
professional makes the warm handoff (docs/design.md E8).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.levers.base import Lever

if TYPE_CHECKING:
    from sim.episode import NeedEpisode


class WarmHandoff(Lever):
    """Chooses the handoff kind and its parameters."""

    name = "warm_handoff"

    def terms(self, ep: NeedEpisode) -> tuple[str, float, float, float]:
        """(kind, base dropout probability, delay in days, engagement drop) of a handoff now."""
        sc = self.model.spec
        if self.active:
            lv = sc.levers
            return "warm", lv.warm_dropout, lv.warm_delay_days, lv.warm_engagement_drop
        b = sc.behaviour
        delay = b.call_delay_days * self.model.rand.exponential("call_delay", ep.family.fid, ep.domain, ep.problem_id,
                                                                  ep.attempt, ep.handoffs)
        return "cold", b.p_cold_dropout, delay, b.delta_cold
