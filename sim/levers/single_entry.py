"""Single entry point: one door for every need.

Every need a family signals goes first to the entry organisation (the
wijkteam), which assesses it and helps if its mandate covers it, or hands it
on. The cost is explicit: a need that had a correct direct door now takes one
more intake and one more handoff (DESIGN-NOTES A8).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.levers.base import Lever

if TYPE_CHECKING:
    from sim.episode import NeedEpisode
    from sim.organisation import Organisation


class SingleEntryPoint(Lever):
    """Routes every new need to the entry organisation while active."""

    name = "single_entry"

    def first_door(self, ep: NeedEpisode) -> Organisation | None:
        """The entry organisation if active, else None (the family picks a door)."""
        return self.model.entry_org if self.active else None
