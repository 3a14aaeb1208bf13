"""T-shaped professionals: specialists who can also handle light needs elsewhere.

A share of each organisation's professionals gets breadth over the other
domains of the organisation's mandate, where she may help needs at or below
the light threshold at effectiveness ``breadth_fit`` (< 1, so such help takes
longer and books more hours). What the breadth costs in depth and training
hours is `sim.depth`'s. Who is T-shaped is a keyed draw per
professional, so a larger share adds people to a smaller share's set.
Before the start day the scenario's status-quo share applies.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.levers.base import Lever, LeverParams

if TYPE_CHECKING:
    from sim.reader import Reader


@dataclass(frozen=True)
class TShapedParams(LeverParams):
    """Today's share of T-shaped professionals and their fit (keys ``t_shaped_share_status_quo`` and ``breadth_fit``).

    Attributes:
        share_status_quo: share of T-shaped professionals before the levers switch on.
        breadth_fit: effectiveness of a breadth professional on a light need (``phi_b``, `sim.organisation` uses it).
    """

    share_status_quo: float
    breadth_fit: float

    @classmethod
    def read(cls, r: Reader) -> TShapedParams:
        """Read ``t_shaped_share_status_quo`` and ``breadth_fit``."""
        return cls(share_status_quo=r.probability("t_shaped_share_status_quo"),
                   breadth_fit=r.number("breadth_fit", 0.0, 1.0, lo_open=True))


class TShaped(Lever):
    """Sets breadth domains for a share of professionals."""

    name = "t_shaped"
    Params = TShapedParams
    switch = "share"  # on with the share of professionals to make T-shaped (`configs/working`)
    label = ("T-shaped professionals", "T-shaped professionals")  # the Dutch sector's own term
    explanation = ("More professionals are broad enough to help in a second domain themselves.",
                   "Meer professionals zijn breed genoeg om zelf ook in een tweede domein te helpen.")

    def configure(self, setting: bool | float | None) -> None:
        """On with the share to reach at the start day; None keeps the status quo share."""
        self.enabled = setting is not None
        self.share = setting

    def attach(self) -> None:
        """Status quo share."""
        self._apply(self.params.share_status_quo)

    def on_activate(self) -> None:
        """The configured share."""
        if self.share is not None:
            self._apply(self.share)

    def _apply(self, share: float) -> None:
        m = self.model
        for org in m.organisations:
            domains = frozenset(org.help_lists)
            for p in org.professionals:
                u = m.rand.uniform("t_shaped", org.index, p.index)
                m.depth.set_breadth(p, (domains - {p.depth}) if u < share else frozenset())
            org.breadth_changed()
            m.depth.organisation_changed(org.index, org.professionals)
            for p in org.professionals:
                org.pull_work(p)
