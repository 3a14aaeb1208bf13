"""Warm handoff: the referrer connects the family instead of sending a letter.

Cold (status quo): the family must call itself after an exponential delay,
drops out with ``p_cold * f(e) * (1 - omega_p * tau)`` and loses engagement
``delta_cold``. Warm: a fixed connection delay, dropout ``p_warm <= p_cold``
and a smaller engagement loss. Without a coordinator the referring
professional makes the warm handoff (docs/design.md E8).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.errors import InputError
from sim.levers.base import Lever, LeverParams

if TYPE_CHECKING:
    from sim.episode import NeedEpisode
    from sim.reader import Reader
    from sim.scenario_spec import Scenario


@dataclass(frozen=True)
class WarmHandoffParams(LeverParams):
    """Dropout, delay and engagement loss of a warm handoff (keys ``warm_*`` of the ``levers`` block).

    Attributes:
        dropout: probability of not arriving after a warm handoff at mean engagement (``p_warm``).
        delay_days: days for the referrer to connect the family.
        engagement_drop: engagement lost per warm handoff.
    """

    dropout: float
    delay_days: float
    engagement_drop: float

    @classmethod
    def read(cls, r: Reader) -> WarmHandoffParams:
        """Read the ``warm_*`` keys."""
        return cls(dropout=r.probability("warm_dropout"), delay_days=r.number("warm_delay_days", 0.0, 365.0),
                   engagement_drop=r.probability("warm_engagement_drop"))

    def check(self, scenario: Scenario, where: str | None) -> None:
        """A warm handoff loses no more families than a cold one (``p_warm <= p_cold``)."""
        p_cold = scenario.behaviour.p_cold_dropout
        if self.dropout > p_cold:
            raise InputError("levers.warm_dropout", self.dropout, f"at most behaviour.p_cold_dropout ({p_cold})", where)


class WarmHandoff(Lever):
    """Chooses the handoff kind and its parameters."""

    name = "warm_handoff"
    Params = WarmHandoffParams
    label = ("warm handoff", "warme overdracht")
    explanation = ("A handoff is made in person, so fewer families drop out between two organisations.",
                   "Een overdracht gaat persoonlijk, zodat minder gezinnen uitvallen tussen twee organisaties.")

    def terms(self, ep: NeedEpisode) -> tuple[str, float, float, float]:
        """(kind, base dropout probability, delay in days, engagement drop) of a handoff now."""
        sc = self.model.spec
        if self.active:
            lv = self.params
            return "warm", lv.dropout, lv.delay_days, lv.engagement_drop
        b = sc.behaviour
        delay = b.call_delay_days * self.model.rand.exponential("call_delay", ep.family.fid, ep.domain, ep.problem_id,
                                                                  ep.attempt, ep.handoffs)
        return "cold", b.p_cold_dropout, delay, b.delta_cold
