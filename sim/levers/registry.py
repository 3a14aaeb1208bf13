"""The lever registry: every lever class once, in build order, and what is derived from it.

`LEVERS` lists the lever classes (`sim.levers.base.Lever`); each class is the registry entry and carries its key
(``name``), its parameters class (``Params``), its switch type (``switch``: flag or share, and `Lever.setting_name`)
and its name and one-line explanation in English and Dutch (``label``, ``explanation``). The rest is derived:
the scenario's lever parameters (`LeverParameters`, read by `read_lever_parameters`), the run's lever
settings (`sim.config.LeverSettings`), the model's levers (`sim.model`) and the names a user sees
(`sim.labels`, the viewer). Adding a lever: its file under ``sim/levers/``, one line in `LEVERS`, its
switch in every preset of ``configs/working``, its parameters in the scenario files, its tests
(docs/extending.md).

The order of `LEVERS` is the order in which the model builds, attaches, activates and finishes its
levers: it fixes the order of their events and draws, so a new lever goes at the end.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sim.errors import InputError
from sim.levers.base import STATUS_QUO_DAYS, Lever, LeverParams
from sim.levers.case_table import CaseTable
from sim.levers.coordinator import FamilyCoordinator
from sim.levers.learning import LearningNetwork
from sim.levers.mandate import MandateBacking
from sim.levers.shared_assessment import SharedAssessment
from sim.levers.single_entry import SingleEntryPoint
from sim.levers.t_shaped import TShaped
from sim.levers.warm_handoff import WarmHandoff

if TYPE_CHECKING:
    from sim.reader import Reader
    from sim.scenario_spec import Organisation, Scenario

LEVERS: tuple[type[Lever], ...] = (
    SingleEntryPoint, SharedAssessment, FamilyCoordinator, CaseTable, WarmHandoff, MandateBacking, TShaped,
    LearningNetwork,
)
BY_KEY: dict[str, type[Lever]] = {cls.name: cls for cls in LEVERS}
# The levers by kind of switch, each in registry order, and in the order their switches are listed (run settings,
# `sim.cli`'s help, the viewer): flags, then shares.
FLAG_LEVERS: tuple[type[Lever], ...] = tuple(c for c in LEVERS if c.switch == "flag")
SHARE_LEVERS: tuple[type[Lever], ...] = tuple(c for c in LEVERS if c.switch == "share")
SWITCH_ORDER: tuple[type[Lever], ...] = (*FLAG_LEVERS, *SHARE_LEVERS)
LEAD_DAYS_MAX = 36500.0  # a century: any lead a scenario file may set


@dataclass(frozen=True)
class LeverParameters:
    """A scenario's lever parameters: each lever's `LeverParams` by its key, and what the levers share.

    Read one lever's as an attribute (``spec.levers.coordinator.hours_per_week``) or with `of`.

    Attributes:
        entry_organisation: the organisation single entry, the coordinator and the case table's chair work
            from (the neighbourhood team); shared by several levers, so it lives here.
        lead_days: the levers switch on this many days before the warm-up ends (docs/design.md F9); their
            common life cycle, so it lives here.
        by_lever: each lever's parameters, by lever key.
    """

    entry_organisation: str
    by_lever: Mapping[str, LeverParams]
    lead_days: float = 0.0

    def __getattr__(self, key: str) -> LeverParams:
        # Only for names that are not fields; ``__dict__`` may still be empty while pickle or copy rebuilds it.
        try:
            return self.__dict__["by_lever"][key]
        except KeyError:
            raise AttributeError(key) from None

    def switch_on_day(self, warm_up: float) -> float:
        """The day the levers switch on: ``lead_days`` before the end of ``warm_up``, never before the status quo's year.

        The status quo keeps at least `sim.levers.base.STATUS_QUO_DAYS` before the switch, so a warm-up of a year or
        less has no lead. The lead lets a lever arm's own transition into its regime pass inside the warm-up, not in the measured
        years (docs/design.md F9).
        """
        return warm_up - min(self.lead_days, max(0.0, warm_up - STATUS_QUO_DAYS))

    def of(self, key: str) -> LeverParams:
        """The parameters of the lever ``key``."""
        return self.by_lever[key]

    def replace(self, key: str, **changes: Any) -> LeverParameters:
        """A copy with some parameters of lever ``key`` changed (e.g. ``replace("single_entry", form="step")``)."""
        by_lever = {**self.by_lever, key: dataclasses.replace(self.by_lever[key], **changes)}
        return dataclasses.replace(self, by_lever=by_lever)


def is_on(key: str, settings: Mapping[str, Any]) -> bool:
    """Whether lever ``key`` is on in ``settings`` (values by setting name, as a preset or `LeverSettings` holds them).

    A flag is on when true; a share lever (``t_shaped_share``) is on when it sets a share (None or absent: off).
    """
    cls = BY_KEY[key]
    value = settings.get(cls.setting_name())
    return bool(value) if cls.switch == "flag" else value is not None


def switched(key: str, on: bool, like: Mapping[str, Any]) -> dict[str, Any]:
    """The setting (by setting name) that switches lever ``key`` on or off.

    Args:
        key: the lever's key.
        on: on or off.
        like: settings (a preset's) whose share a share lever takes when switched on; a flag ignores them.
    """
    cls = BY_KEY[key]
    if cls.switch == "flag":
        return {cls.setting_name(): on}
    return {cls.setting_name(): float(like[cls.setting_name()]) if on else None}


def read_lever_parameters(r: Reader, organisations: Mapping[str, Organisation]) -> LeverParameters:
    """Read a scenario's ``levers`` block: the shared keys, then every registered lever's own (then `finish`).

    Raises:
        InputError: a bad or unknown key, or an entry organisation without professionals.
    """
    entry = r.string("entry_organisation", tuple(organisations))
    by_lever = {cls.name: cls.Params.read(r) for cls in LEVERS}
    # The lever arm's own warm-up: its regime settles before the measured years (docs/design.md F9).
    lead = r.number("lead_days", 0.0, LEAD_DAYS_MAX, default=0.0)
    r.finish()
    if not sum(organisations[entry].professionals.values()):
        raise InputError("levers.entry_organisation", entry, "an organisation with professionals", r.where)
    return LeverParameters(entry_organisation=entry, by_lever=by_lever, lead_days=lead)


def check_lever_parameters(scenario: Scenario, where: str | None) -> None:
    """Every lever's cross-checks against the rest of the scenario (`LeverParams.check`)."""
    for params in scenario.levers.by_lever.values():
        params.check(scenario, where)
