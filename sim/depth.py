"""Depth and breadth: what a T-shaped professional pays for her breadth.

A T-shaped professional (`sim.levers.t_shaped`) may help light needs in the
other domains of her organisation's mandate, and she knows the neighbouring
domains well enough to refer better (`sim.referral`, ``breadth_effect``). The
breadth is not free: her help in her own depth domain works at fit
``1 - depth_loss`` instead of 1 (the help rate scales with the fit, as breadth
help scales with ``breadth_fit``), and keeping the breadth up takes
``training_hours_per_week`` reserved from her weekly hours (less help capacity;
the hours are her paid time, so no extra money is booked). The result is the
economies of scale of broad staff (pooling, fewer handoffs, better referrals)
against focus: with a large enough loss, an all-T-shaped workforce does worse
than a mixed one. The slower help resolves less often before the help-dropout
hazard ends it, so the loss shows in the resolved share among the helped;
reneging that rises with the wait keeps it out of time to help (docs/design.md
G3). Both costs are assumptions with a range that includes 0 (free breadth, the
older model).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.reader import Reader
from sim.restore import RestoredInPlace

if TYPE_CHECKING:
    from sim.model import SocialDomainModel
    from sim.professional import Professional


@dataclass(frozen=True)
class BreadthCost:
    """What breadth costs a T-shaped professional."""

    depth_loss: float = 0.0
    training_hours_per_week: float = 0.0


def read_breadth_cost(r: Reader) -> BreadthCost:
    """Read the scenario's ``breadth_cost`` block."""
    cost = BreadthCost(
        depth_loss=r.number("depth_loss", 0.0, 0.9),
        training_hours_per_week=r.number("training_hours_per_week", 0.0, 40.0, default=0.0),
    )
    r.finish()
    return cost


class DepthBreadth(RestoredInPlace):
    """Sets each professional's depth fit and training hours as her breadth changes (one model)."""

    def __init__(self, model: SocialDomainModel) -> None:
        self.m = model
        self.spec = model.spec.breadth_cost
        # Share of each organisation's professionals who are T-shaped (read by sim.referral).
        self.broad_share = [0.0] * len(model.organisations)

    def set_breadth(self, p: Professional, breadth: frozenset[int]) -> None:
        """Give ``p`` this breadth: her depth fit and her reserved training hours follow."""
        was_broad = bool(p.breadth)
        p.breadth = breadth
        broad = bool(breadth)
        p.depth_fit = 1.0 - self.spec.depth_loss if broad else 1.0
        hours = self.spec.training_hours_per_week
        if hours > 0.0 and broad != was_broad:
            if broad:
                p.reserve(hours)
            else:
                p.reserved = max(0.0, p.reserved - hours)  # no pull_work here: the lever pulls after the change

    def organisation_changed(self, index: int, professionals: list[Professional]) -> None:
        """Recount an organisation's share of T-shaped staff."""
        self.broad_share[index] = sum(1 for p in professionals if p.breadth) / len(professionals) if professionals else 0.0
