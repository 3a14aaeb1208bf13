"""Staff in proportion: an organisation's professionals and intake desk for a population size.

A scenario states the population its staff is sized for (``population.staffed_for``, default the file's
``n_families``). A run of ``n_families`` scales every organisation's professionals and intake desk hours by
``n_families / staffed_for``, so that the load per professional, and with it the outcomes per family, does
not depend on the population size (up to the economies of scale of pooled queues: c servers at the same
load wait less as c grows). `plan_staff` is the one function that turns head counts into staff: the model
builds every organisation from it; the benchmarks scale staff through the run's ``n_families`` and the
capacity experiments (`experiments.designs`) through the head counts (FTE, fractions allowed), so every
scaled count goes through the same rule.

A fractional count (an assumption of this model, see docs/ODD.md section 5): ``x`` professionals in a
domain are ``floor(x)`` professionals with the organisation's full weekly hours and one part-time professional
with the remaining ``(x - floor(x)) * hours_per_week`` hours, so the domain's staff hours are exactly
proportional. The desk's hours scale exactly; they are shared by ``max(1, round(x))`` equal parallel desk
servers for ``x`` desks (`sim.organisation.Organisation.set_desk`), so an intake takes about as long at every
size (a single desk whose speed scaled with the population would make intake waits at equal load scale
with it). A domain whose scaled hours cannot hold one case (fewer than its ``help_hours_per_week``) would
have staff in name who can never help, and a desk whose scaled hours cannot do one intake a week is no desk:
both are refused with an `InputError` that names the organisation, the value and the smallest population
allowed.

The intake desk is staff time (docs/ODD.md section 7.7): in an organisation with professionals its weekly
desk hours are reserved from the professionals' hours, spread in proportion to their weekly hours. The
scenario's head counts are the staff who *help*; the desk's FTE are added to them (an assumption: the files'
head counts were set, and the status quo calibrated, as help capacity, so counting the desk inside them
would cut help by 3 to 19 % (9 % in the median organisation) per organisation without new evidence). An organisation without professionals
(a GP, childcare) has a desk of its own staff, who are not modelled as helpers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.errors import InputError

if TYPE_CHECKING:
    from sim.scenario_spec import Organisation as OrgSpec
    from sim.scenario_spec import Scenario

EPS = 1e-9


@dataclass(frozen=True)
class StaffPlan:
    """The staff of one organisation for one population size.

    Attributes:
        professionals: (depth domain name, weekly hours) per professional, in file order of the domains
            (full-time professionals first, the part-time one last in each domain).
        desk_hours: weekly hours of the intake desk.
    """

    professionals: tuple[tuple[str, float], ...]
    desk_hours: float

    @property
    def help_hours(self) -> float:
        """Weekly hours of the professionals (the desk not counted)."""
        return sum(h for _, h in self.professionals)


def population_factor(scenario: Scenario, n_families: int) -> float:
    """``n_families / staffed_for``; 1 when the scenario's staff is fixed (``staffed_for: fixed``)."""
    if scenario.staffed_for is None:
        return 1.0
    return n_families / scenario.staffed_for


def plan_staff(org: OrgSpec, scenario: Scenario, n_families: int) -> StaffPlan:
    """The professionals and desk hours of ``org`` for a population of ``n_families``.

    Professionals (FTE per depth domain in the file) and the desk both scale by `population_factor`.

    Raises:
        InputError: on ``n_families`` when a staffed domain's hours fall below one case, or the desk's
            below one intake a week (naming the organisation and the smallest population allowed).
    """
    k = pop = population_factor(scenario, n_families)
    staff: list[tuple[str, float]] = []
    for dom, count in org.professionals.items():
        if count <= 0:
            continue
        x = count * k
        case_hours = scenario.domains[dom].help_hours_per_week
        if x * org.hours_per_week + EPS < case_hours:
            smallest = smallest_population(scenario)
            raise InputError("n_families", n_families,
                             f"a population whose staff can help in every staffed domain: organisation {org.name} would "
                             f"have {x * org.hours_per_week:.2g} hours a week in {dom} ({x:.3g} professionals), less than "
                             f"one case ({case_hours:g} h); at least {smallest} families")
        full = math.floor(x + EPS)
        staff.extend((dom, org.hours_per_week) for _ in range(full))
        rest = x - full
        if rest > EPS:
            staff.append((dom, rest * org.hours_per_week))
    desk = org.intake_hours_per_week * pop
    # A desk is refused only where scaling down made it too small: at or above the population the staff is sized
    # for, the file's own desk stands (a sensitivity design samples desk hours and intake hours independently, and
    # a desk slower than one intake a week is a slow desk, not an error).
    if pop < 1.0 - EPS and desk + EPS < org.intake_hours <= org.intake_hours_per_week + EPS:
        smallest = smallest_population(scenario)
        raise InputError("n_families", n_families,
                         f"a population whose intake desks can do one intake a week: organisation {org.name} would have "
                         f"{desk:.2g} desk hours a week, less than one intake ({org.intake_hours:g} h); at least "
                         f"{smallest} families")
    return StaffPlan(tuple(staff), desk)


def smallest_population(scenario: Scenario) -> int | str:
    """The smallest ``n_families`` that every organisation can staff (a phrase when the staff is fixed).

    Every staffed domain keeps one case's hours and every desk one intake a week.
    """
    if scenario.staffed_for is None:
        return "any number of (staff is fixed in this scenario: raise the organisation's head count instead)"
    shares = [0.0]
    for org in scenario.organisations.values():
        if org.intake_hours <= org.intake_hours_per_week:  # a slower desk is the file's own choice (see plan_staff)
            shares.append(org.intake_hours / org.intake_hours_per_week)
        shares.extend(scenario.domains[d].help_hours_per_week / (c * org.hours_per_week)
                      for d, c in org.professionals.items() if c > 0)
    return max(1, math.ceil(scenario.staffed_for * max(shares) - EPS))


def check_population(scenario: Scenario, n_families: int) -> None:
    """Raise the `InputError` of `plan_staff` for the first organisation the population leaves without staff."""
    for org in scenario.organisations.values():
        plan_staff(org, scenario, n_families)


def desk_shares(hours: list[float], desk: float) -> list[float]:
    """The desk's weekly hours spread over professionals in proportion to their weekly ``hours``."""
    total = sum(hours)
    return [desk * h / total for h in hours] if total > 0 else [0.0] * len(hours)
