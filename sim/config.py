"""Run configuration: scenario, lever settings, seed, horizon (frozen, validated).

`RunConfig.from_mapping` reads the plain mapping that Hydra composes from
``configs/`` (or any dict), rejects unknown keys, wrong types and out-of-range
values with an `InputError`, and loads the scenario.
"""

from __future__ import annotations

import dataclasses
from dataclasses import asdict, dataclass, field, make_dataclass
from typing import Any

from sim.errors import InputError
from sim.levers.registry import FLAG_LEVERS, LEAD_DAYS_MAX, SHARE_LEVERS
from sim.memory import check_memory
from sim.reader import Reader
from sim.scenario import Scenario, load_scenario
from sim.staffing import check_population

# The switches of the registered levers (`sim.levers.registry`): flags first, then shares, each in registry order.
LEVER_FLAGS: tuple[str, ...] = tuple(cls.setting_name() for cls in FLAG_LEVERS)
LEVER_SHARES: tuple[str, ...] = tuple(cls.setting_name() for cls in SHARE_LEVERS)


def _read_settings(cls: type, r: Reader) -> Any:
    """Read from a `Reader` (all keys required: presets must be explicit)."""
    flags = {k: r.boolean(k) for k in LEVER_FLAGS}
    shares = {}
    for k in LEVER_SHARES:
        share = r.raw(k)
        shares[k] = None if share is None else r.number(k, 0.0, 1.0)
    r.finish()
    return cls(**flags, **shares)


# Which levers are on: one field per registered lever's switch, derived from the registry so that a new lever
# needs no line here. A flag is off by default; a share (``t_shaped_share``) is None by default, which keeps the
# scenario's status quo. Frozen; `LeverSettings.read` reads it from a `Reader`.
LeverSettings = make_dataclass(
    "LeverSettings",
    [(k, bool, field(default=False)) for k in LEVER_FLAGS] + [(k, float | None, field(default=None)) for k in LEVER_SHARES],
    frozen=True, module=__name__,
    namespace={"read": classmethod(_read_settings),
               "__doc__": "Which levers are on (one field per registered lever's switch); a share None keeps the status quo."},
)


@dataclass(frozen=True)
class RunConfig:
    """Everything one run needs.

    Attributes:
        scenario: the loaded scenario.
        working: the preset's name (a label; behaviour comes from ``levers``).
        levers: lever settings.
        seed: run seed; every keyed draw derives from it.
        horizon_days: measured days after warm-up.
        warm_up_days: days before measurement (levers switch on at their end).
        n_families: population size (None: the scenario's).
    """

    scenario: Scenario
    working: str
    levers: LeverSettings
    seed: int = 1
    horizon_days: float = 1095.0
    warm_up_days: float = 1825.0
    n_families: int | None = None
    scenario_overrides: dict[str, Any] = field(default_factory=dict)

    @property
    def families(self) -> int:
        """The population size used."""
        return self.n_families if self.n_families is not None else self.scenario.n_families

    def with_lead(self, lead_days: float) -> RunConfig:
        """The same configuration with the levers switching on ``lead_days`` before the end of warm-up.

        The viewer sets 0, so that its day 0 is the switch (docs/design.md F9). A change of a validated value, not
        a new parse: the lead is range-checked where the file is read, and nothing else is derived from it.
        """
        if not 0.0 <= lead_days <= LEAD_DAYS_MAX:
            raise ValueError(f"lead_days {lead_days} outside 0..{LEAD_DAYS_MAX}")
        levers = dataclasses.replace(self.scenario.levers, lead_days=float(lead_days))
        return dataclasses.replace(self, scenario=dataclasses.replace(self.scenario, levers=levers))

    def describe(self) -> dict[str, Any]:
        """A JSON-friendly description (for summary.json)."""
        out = {"scenario": self.scenario.name, "working": self.working, "levers": asdict(self.levers), "seed": self.seed,
               "horizon_days": self.horizon_days, "warm_up_days": self.warm_up_days, "n_families": self.families,
               "scenario_overrides": self.scenario_overrides}
        if self.scenario.choices:  # options switched on and the pathway selected (`sim.options`)
            out["scenario_choices"] = self.scenario.choices
        return out

    @classmethod
    def from_mapping(cls, data: dict[str, Any], where: str | None = None, extra_keys: tuple[str, ...] = ()) -> RunConfig:
        """Validate a composed configuration mapping and load its scenario.

        Args:
            data: keys scenario (a name, or a mapping with ``name`` and optional ``overrides``,
                see `sim.overrides`), working, levers, seed, horizon_days, warm_up_days, n_families.
            where: source label for messages.
            extra_keys: top-level keys that belong to the caller (e.g. ``output_dir``).
        """
        r = Reader(data, "", where)
        for k in extra_keys:
            r.raw(k, None)
        sc = r.raw("scenario")
        overrides: dict[str, Any] = {}
        if isinstance(sc, dict):
            sr = r.child("scenario")
            name = sr.string("name")
            overrides = sr.raw("overrides", None) or {}
            if not isinstance(overrides, dict):
                raise InputError("scenario.overrides", overrides, "a mapping of scenario-file paths to values", where)
            sr.finish()
        elif isinstance(sc, str):
            name = sc
        else:
            raise InputError("scenario", sc, "a scenario name", where)
        working = r.string("working")
        levers = LeverSettings.read(r.child("levers"))
        seed = r.number("seed", 0, 2**63 - 1, integer=True)
        horizon = r.number("horizon_days", 0.0, 36500.0, lo_open=True)
        warm = r.number("warm_up_days", 0.0, 36500.0)
        nf = r.number("n_families", 1, 10_000_000, integer=True, nullable=True)
        r.finish()
        scenario = load_scenario(name, overrides)
        families = nf if nf is not None else scenario.n_families
        check_population(scenario, families)  # staff in proportion: every staffed domain keeps one case's hours
        check_memory(families, warm + horizon)
        return cls(scenario=scenario, working=working, levers=levers, seed=seed, horizon_days=horizon,
                   warm_up_days=warm, n_families=nf, scenario_overrides=overrides)
