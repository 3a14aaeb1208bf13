"""Single entry point: "no wrong door", at equal staff.

Two structural forms (``levers.single_entry_form`` in the scenario):

* ``no_wrong_door`` (default): a need whose family (or the contact point that noticed it) would go to a
  wrong door, one without mandate or without anyone who could help it, goes to the entry organisation (the
  wijkteam) instead, which assesses it and helps or hands it on. A need whose door is correct goes there
  directly: no extra intake and no extra handoff. The staff of the doors it replaces moves with their work:
  at activation each other organisation's intake desk gives the entry organisation's desk the weekly hours
  it spent on first-door intakes of needs it could not help in the year before the levers switched on
  (measured in this run, the same in every arm, since the status quo's draws are identical; the last year,
  not the whole status quo, because a run starts without open needs and its first years under-state the
  steady flow, docs/design.md F9). Total staff hours stay equal between arms (the summary's
  ``productive_hours_by_organisation``). A run whose levers switch on at day 0 measures nothing and moves nothing.
* ``step``: every need goes to the entry organisation first (the older form, an assumption kept as a
  structural alternative): a need that had a correct direct door takes one more intake and one more handoff,
  and no staff moves.

A family with a coordinator is routed by her, in both forms (`sim.pathway.Pathway.route`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.levers.base import STATUS_QUO_DAYS, Lever, LeverParams

# The wrong-door intakes are counted over the last year before the switch (or the whole status quo if shorter), an
# assumption: long enough for a stable rate, late enough to leave out most of the run's start-up from no open needs,
# whose first year holds about 70 % of the steady flow in sociaal_domein (docs/design.md F9).
MEASURE_DAYS = STATUS_QUO_DAYS  # the year before the switch that every lead leaves to the status quo

SINGLE_ENTRY_FORMS = ("no_wrong_door", "step")

if TYPE_CHECKING:
    from sim.episode import NeedEpisode
    from sim.organisation import Organisation
    from sim.reader import Reader


@dataclass(frozen=True)
class SingleEntryParams(LeverParams):
    """The structural form of the single entry (key ``single_entry_form`` of the ``levers`` block).

    Attributes:
        form: ``no_wrong_door`` or ``step`` (see the module docstring).
    """

    form: str = "no_wrong_door"

    @classmethod
    def read(cls, r: Reader) -> SingleEntryParams:
        """Read ``single_entry_form`` (default ``no_wrong_door``)."""
        # The old form (every need through the entry organisation first) stays selectable.
        return cls(form=r.string("single_entry_form", SINGLE_ENTRY_FORMS, default="no_wrong_door"))


class SingleEntryPoint(Lever):
    """Routes needs to the entry organisation while active, in the scenario's form."""

    name = "single_entry"
    Params = SingleEntryParams
    label = ("single entry point", "één toegang")
    explanation = ("Every reported need goes first to one entry point, which sends it to the right organisation.",
                   "Elke gemelde vraag gaat eerst naar één toegang, die hem naar de juiste organisatie stuurt.")

    def attach(self) -> None:
        """Start counting first-door intake hours spent on needs the door could not help."""
        self.wrong_door_hours = [0.0] * len(self.model.organisations)
        self.moved_hours: dict[str, float] = {}

    @property
    def step_form(self) -> bool:
        """Whether the older form (the entry organisation as a mandatory first step) is selected."""
        return self.params.form == "step"

    def first_door(self, ep: NeedEpisode) -> Organisation | None:
        """In the step form, the entry organisation if active; else None (the family picks a door)."""
        return self.model.entry_org if self.active and self.step_form else None

    def instead_of(self, ep: NeedEpisode, door: Organisation, now: float) -> Organisation:
        """The door a need goes to: the entry organisation instead of a wrong door (no-wrong-door form)."""
        if not self.active or self.step_form or door is self.model.entry_org:
            return door
        s = ep.severity(now)
        if door.covers(ep.domain, s) and door.can_help(ep.domain, s):
            return door
        return self.model.entry_org

    def intake_booked(self, ep: NeedEpisode, org: Organisation, hours: float, now: float) -> None:
        """Count a first-door intake at a door that cannot help the need (the status quo's last year before the switch)."""
        on = self.model.levers_on
        if now > on or now < on - MEASURE_DAYS or ep.intakes != 1 or ep.handoffs or ep.priority:
            return
        s = ep.severity(now)
        if not (org.covers(ep.domain, s) and org.can_help(ep.domain, s)):
            self.wrong_door_hours[org.index] += hours

    def on_activate(self) -> None:
        """Move the desk hours the replaced doors spent on wrong-door intakes to the entry organisation."""
        on = self.model.levers_on
        if self.step_form or on <= 0.0:
            return
        weeks = min(on, MEASURE_DAYS) / 7.0
        entry = self.model.entry_org
        moved_total = 0.0
        for org in self.model.organisations:
            if org is entry or self.wrong_door_hours[org.index] <= 0.0:
                continue
            # A door keeps at least one intake a week: it still takes referrals and needs it can help.
            hours = min(self.wrong_door_hours[org.index] / weeks, max(0.0, org.desk_hours - org.spec.intake_hours))
            if hours > 0.0:
                org.set_desk(org.desk_hours - hours)
                self.moved_hours[org.name] = hours
                moved_total += hours
        if moved_total > 0.0:
            entry.set_desk(entry.desk_hours + moved_total)
            entry.start_next_intake()  # a new desk server takes a waiting family at once
