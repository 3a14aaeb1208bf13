"""Family coordinator (regisseur): one professional who holds the whole family.

Assigned when a family has at least ``n_coord`` signalled open needs, from the
entry organisation's professionals with free hours and room in their
coordination caseload; released when the count falls below ``n_coord``. While
none is free the family is routed as if there were none. Each effect is its
own parameter (docs/design.md A11): coordinated needs go to a correct door
directly; she notices latent needs in every domain; she holds a waiting family
(lower waiting dropout). Her hours come out of the same FTE (reserved hours
per coordinated family) and are booked as coordination.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.levers.base import Lever, LeverParams

if TYPE_CHECKING:
    from sim.family import Family
    from sim.organisation import Organisation
    from sim.reader import Reader


@dataclass(frozen=True)
class CoordinatorParams(LeverParams):
    """The coordinator's trigger, hours, caseload and effects (keys ``coordinator_*`` of the ``levers`` block).

    Attributes:
        min_domains: signalled open needs that trigger a coordinator (``n_coord``).
        hours_per_week: coordination hours per family a week, reserved from the entry organisation's FTE.
        max_families: families per coordinator.
        notice_rate: hazard per day at which she notices a latent need (the file gives it per year).
        hold: share by which she lowers the waiting-dropout hazard.
    """

    min_domains: int
    hours_per_week: float
    max_families: int
    notice_rate: float
    hold: float

    @classmethod
    def read(cls, r: Reader) -> CoordinatorParams:
        """Read the ``coordinator_*`` keys."""
        return cls(
            min_domains=r.number("coordinator_min_domains", 1, 20, integer=True),
            hours_per_week=r.number("coordinator_hours_per_week", 0.0, 40.0),
            max_families=r.number("coordinator_max_families", 1, 1000, integer=True),
            notice_rate=r.number("coordinator_notice_rate_per_year", 0.0, 1000.0) / 365.0,
            hold=r.number("coordinator_hold", 0.0, 0.8),
        )


class FamilyCoordinator(Lever):
    """Assigns, releases and books coordinators."""

    name = "coordinator"
    Params = CoordinatorParams
    label = ("family coordinator", "gezinsregisseur")
    explanation = ("A family with needs in several domains gets one coordinator who keeps the plan together.",
                   "Een gezin met vragen in meer domeinen krijgt één regisseur die het plan bij elkaar houdt.")

    def on_family_change(self, family: Family) -> None:
        """Assign or release a coordinator after any change of the family's needs."""
        if not self.active:
            return
        lv = self.params
        n = family.signalled_open()
        if family.coordinator is None and n >= lv.min_domains:
            best = None
            for p in self.model.entry_org.professionals:
                fits = p.coordinated < lv.max_families and p.can_take(lv.hours_per_week)
                if fits and (best is None or p.free_hours > best.free_hours):
                    best = p
            if best is not None:
                best.reserve(lv.hours_per_week)
                best.coordinated += 1
                family.coordinator = best
                family.coordinated_since = self.model.time
        elif family.coordinator is not None and n < lv.min_domains:
            self._release(family, self.model.time)

    def _release(self, family: Family, now: float) -> None:
        p = family.coordinator
        family.coordinator = None
        self._book(p.organisation, family.coordinated_since, now)
        p.coordinated -= 1
        p.release(self.params.hours_per_week)

    def _book(self, org: Organisation, since: float, now: float) -> None:
        """Book a coordinator's hours from ``since`` to ``now`` (the one place coordination is paid)."""
        hours = self.params.hours_per_week
        self.model.ledger.book_segment(since, now, org.payer, "coordination", org.name, hours / 7.0 * org.hourly_cost, hours / 7.0)

    def on_family_left(self, family: Family, now: float) -> None:
        """A family that leaves gives its coordinator's hours back."""
        if family.coordinator is not None:
            self._release(family, now)

    def routes(self, family: Family) -> bool:
        """Whether the coordinator routes this family's new needs (no wrong door)."""
        return family.coordinator is not None

    def notice_rate(self, family: Family) -> float:
        """Extra signalling hazard of latent needs of a coordinated family (per day)."""
        return self.params.notice_rate if family.coordinator is not None else 0.0

    def hold(self, family: Family) -> float:
        """Share by which a coordinator lowers the waiting-dropout hazard."""
        return self.params.hold if family.coordinator is not None else 0.0

    def finish(self, now: float) -> None:
        """Book coordination still running at the end of the run."""
        for family in self.model.families:
            if family.coordinator is not None:
                self._book(family.coordinator.organisation, family.coordinated_since, now)
