"""Professional: works for one organisation, with hours, a depth domain and maybe breadth.

Capacity is in hours (docs/design.md A6): a professional has ``capacity`` productive
hours a week; every open case holds ``help_hours_per_week`` of its domain; a
coordination role, case-table meetings and learning cycles *reserve* hours from
the same budget. Overhead therefore costs help capacity, not only money.
Her share of the organisation's intake desk (``desk`` hours a week) is reserved on
top of ``capacity``: the desk's FTE are added to the head count (`sim.staffing`).
A T-shaped professional has breadth domains where she may help light needs at
lower effectiveness (``breadth_fit``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from sim.restore import RestoredInPlace

if TYPE_CHECKING:
    from sim.organisation import Organisation

EPS = 1e-9


class Professional(RestoredInPlace, mesa.Agent):
    """A professional of one organisation.

    Attributes:
        organisation: her employer.
        depth: domain index she is specialised in.
        breadth: domain indices she may handle light needs in (empty unless T-shaped).
        capacity: productive hours per week for help and overhead.
        desk: hours per week of the intake desk reserved from her time, besides ``capacity``.
        committed: hours per week held by open cases.
        reserved: hours per week held by coordination, meetings and learning.
        index: her number inside the organisation (key of her keyed draws).
    """

    def __init__(self, model: mesa.Model, organisation: Organisation, depth: int, capacity: float, index: int) -> None:
        super().__init__(model)
        self.organisation = organisation
        self.depth = depth
        self.breadth: frozenset[int] = frozenset()
        self.depth_fit = 1.0  # effectiveness in her depth domain; below 1 when breadth costs depth (sim.depth)
        self.capacity = capacity
        self.committed = 0.0
        self.reserved = 0.0
        self.desk = 0.0
        self.index = index
        self.cases = 0
        self.coordinated = 0
        self.pos = 0  # her place among the organisation's depth staff of her domain
        self.listed = True  # in the organisation's heap of possibly free depth staff

    @property
    def free_hours(self) -> float:
        """Hours per week not yet held by cases or reservations."""
        return self.capacity - self.committed - self.reserved

    def can_take(self, hours: float) -> bool:
        """Whether a case or reservation of ``hours`` per week fits."""
        return self.free_hours + EPS >= hours

    def reserve(self, hours: float) -> None:
        """Hold ``hours`` per week for overhead (may go negative free: overhead is not refused)."""
        self.reserved += hours

    def release(self, hours: float) -> None:
        """Give back reserved hours and let the organisation fill them with waiting work."""
        self.reserved = max(0.0, self.reserved - hours)
        self.organisation.pull_work(self)
