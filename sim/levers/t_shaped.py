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

from sim.levers.base import Lever


class TShaped(Lever):
    """Sets breadth domains for a share of professionals."""

    name = "t_shaped"

    def __init__(self, model, enabled: bool, share: float | None) -> None:
        super().__init__(model, enabled)
        self.share = share

    def attach(self) -> None:
        """Status quo share."""
        self._apply(self.model.spec.levers.t_shaped_share_status_quo)

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
