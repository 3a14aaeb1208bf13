"""Cost ledger: every euro booked with organisation, payer and category.

Costs are booked as they happen. A cost that spans time (a help segment, a
coordination role) is booked when the segment ends, pro-rated to the
measurement window (docs/design.md A20); one-off costs count if they fall in it.
Categories: intake, help, coordination, case_table, crisis, flex, learning, and
place (a place held while waiting for help, such as a shelter bed: `sim.places`).
"""

from __future__ import annotations

from collections import defaultdict

from sim.restore import RestoredInPlace

CATEGORIES = ("intake", "help", "coordination", "case_table", "crisis", "flex", "learning", "place")


class CostLedger(RestoredInPlace):
    """Totals by (payer, category, organisation) inside the window [start, end].

    Args:
        start: first day of the measurement window (end of warm-up).
        end: last day of the run.
    """

    def __init__(self, start: float, end: float) -> None:
        self.start = start
        self.end = end
        self.totals: dict[tuple[str, str, str], float] = defaultdict(float)
        self.hours: dict[tuple[str, str], float] = defaultdict(float)
        self.total = 0.0

    def book(self, t: float, payer: str, category: str, org: str, amount: float, hours: float = 0.0) -> float:
        """Book a one-off amount at time ``t``; returns the part inside the window."""
        if not self.start <= t <= self.end:
            return 0.0
        self.totals[(payer, category, org)] += amount
        self.hours[(org, category)] += hours
        self.total += amount
        return amount

    def book_segment(self, t0: float, t1: float, payer: str, category: str, org: str, per_day: float,
                     hours_per_day: float = 0.0) -> float:
        """Book a cost running at ``per_day`` from t0 to t1; returns the part inside the window."""
        days = max(0.0, min(t1, self.end) - max(t0, self.start))
        if days <= 0.0:
            return 0.0
        amount = per_day * days
        self.totals[(payer, category, org)] += amount
        self.hours[(org, category)] += hours_per_day * days
        self.total += amount
        return amount
