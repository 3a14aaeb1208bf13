"""Mandate and backing: a flex budget to start help without the formal decision.

The holder (the coordinator, or without one the entry organisation's
professional who saw the family) may start help at a provider whose access
rule requires a decision, skipping the decision delay but not the provider's
queue. She uses it with probability ``p_backing`` ("rugdekking"), while the
yearly budget lasts (reset every 365 days, no carry-over). The help is then
paid by the municipality from the flex budget at tariff x (1 + markup),
booked as category ``flex`` (docs/design.md A14, purchase form).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.levers.base import Lever, LeverParams

if TYPE_CHECKING:
    from sim.episode import NeedEpisode
    from sim.organisation import Organisation
    from sim.reader import Reader


@dataclass(frozen=True)
class MandateParams(LeverParams):
    """The flex budget (keys ``flex_*`` of the ``levers`` block).

    Attributes:
        budget_per_year: yearly flex budget of the entry organisation.
        backing: probability the mandate is actually used (``p_backing``).
        markup: extra price of help bought outside the regular contract (`sim.helping` books it).
    """

    budget_per_year: float
    backing: float
    markup: float

    @classmethod
    def read(cls, r: Reader) -> MandateParams:
        """Read the ``flex_*`` keys."""
        return cls(
            budget_per_year=r.number("flex_budget_per_year", 0.0, 1e9),
            backing=r.probability("flex_backing"),
            markup=r.number("flex_markup", 0.0, 10.0),
        )


class MandateBacking(Lever):
    """Flex budget holder."""

    name = "mandate"
    Params = MandateParams
    label = ("mandate and backing", "mandaat en rugdekking")
    explanation = ("Professionals may decide beyond their own organisation's mandate, with backing from above.",
                   "Professionals mogen buiten het mandaat van hun eigen organisatie besluiten, met rugdekking.")

    def attach(self) -> None:
        """No budget until switched on."""
        self.left = 0.0
        self.year_start = 0.0
        self.purchases = 0

    def on_activate(self) -> None:
        """Open the first year's budget."""
        self.left = self.params.budget_per_year
        self.year_start = self.model.time

    def skip_decision(self, ep: NeedEpisode, org: Organisation) -> bool:
        """Whether flex money starts this need's help without the decision delay."""
        if not self.active or not (ep.family.coordinator is not None or ep.n_doors > 0):
            return False
        m = self.model
        lv = self.params
        if m.time - self.year_start >= 365.0:
            self.year_start += 365.0 * math.floor((m.time - self.year_start) / 365.0)
            self.left = lv.budget_per_year
        dom = m.spec.domains[m.spec.domain_names[ep.domain]]
        s = ep.severity(m.time)
        weeks = math.log(max(s, m.spec.resolution_threshold * 1.0001) / m.spec.resolution_threshold) / dom.help_rate / 7.0
        estimate = weeks * dom.help_hours_per_week * org.hourly_cost * (1.0 + lv.markup)
        if estimate > self.left:
            return False
        if m.rand.uniform("backing", ep.family.fid, ep.domain, ep.problem_id, ep.attempt, ep.intakes) >= lv.backing:
            return False
        self.left -= estimate
        self.purchases += 1
        ep.flex = True
        return True
