"""Tenancy sustainment: whether support stays in place after housing, and what counts as support.

The tenancy-loss hazard of housing with support (`sim.breakdown`) is divided
by ``1 + support_effect * w`` only while support is in place. A domain's
``tenancy`` block says how long that is:

- ``support_days``: days after help starts (the person is housed) that the
  housing support stays in place. Housing first keeps support by design (no
  ``tenancy`` block, or a long period); the staircase ends it at housing
  (``support_days: 0``): the housing stays on the support worker's caseload
  as follow-up (its hours are still booked) but no longer protects the tenancy.
- ``help_elsewhere_supports``: while another need of the person (addiction,
  debt) is in help, that help is support too, so the protection stays in place
  whatever ``support_days`` says ("unless a need is still in help").

The open needs behind a tenancy loss enter the hazard through ``breakdown.risk``
(an unhelped need counts fully, a helped one ``1 - eta_help``). When support
lapses the hazard steps up at that moment; the breakdown clock integrates the
two pieces against its keyed threshold, so nothing is redrawn. Without the
block support lasts as long as the help (the older model).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.reader import Reader

if TYPE_CHECKING:
    from sim.episode import NeedEpisode

INF = math.inf


@dataclass(frozen=True)
class TenancySupport:
    """How long support protects a tenancy after housing."""

    support_days: float = INF
    help_elsewhere_supports: bool = True


def read_tenancy(r: Reader) -> TenancySupport:
    """Read a domain's ``tenancy`` block."""
    t = TenancySupport(
        support_days=r.number("support_days", 0.0, 36500.0),
        help_elsewhere_supports=r.boolean("help_elsewhere_supports", True),
    )
    r.finish()
    return t


def support_lapse(spec: TenancySupport | None, ep: NeedEpisode) -> float:
    """The time at which support of ``ep``'s tenancy lapses given the family's needs now (INF: it stays)."""
    if spec is None or spec.support_days == INF:
        return INF
    if spec.help_elsewhere_supports:
        for other in ep.family.open.values():
            if other is not ep and other.helper is not None:
                return INF
    return ep.queue_enter + spec.support_days  # queue_enter holds the start of the help segment while in help
