"""ontschot: an agent-based simulation of cross-domain cooperation in the Dutch social domain.

The model only: families, need episodes, professionals, organisations with
mandates, the eight levers of networked working, and the per-run outputs
(episode table, cost ledger, daily series, summary). Sweeps live in
``experiments``; the viewer imports this package, never the reverse.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from sim.config import LeverSettings, RunConfig
from sim.errors import InputError
from sim.model import SocialDomainModel
from sim.outputs import RunResult, collect
from sim.scenario import Scenario, load_scenario

CONFIG_DIR = Path(__file__).resolve().parent.parent / "configs"

__all__ = [
    "CONFIG_DIR", "InputError", "LeverSettings", "RunConfig", "RunResult", "Scenario", "SocialDomainModel",
    "collect", "load_run_config", "load_scenario", "run",
]


def load_run_config(scenario: str = "sociaal_domein", working: str = "fragmented", **overrides: Any) -> RunConfig:
    """Build a `RunConfig` from a preset in ``configs/working`` plus overrides, without Hydra.

    Args:
        scenario: scenario name.
        working: preset name (a file in ``configs/working``).
        **overrides: top-level keys (seed, horizon_days, ...), ``levers={...}`` to update lever values,
            or ``scenario_overrides={...}`` to change values of the scenario file (`sim.overrides`).
    """
    preset_file = CONFIG_DIR / "working" / f"{working}.yaml"
    if not preset_file.is_file():
        known = sorted(p.stem for p in (CONFIG_DIR / "working").glob("*.yaml"))
        raise InputError("working", working, f"a preset in configs/working ({', '.join(known)})")
    preset = yaml.safe_load(preset_file.read_text())
    base = yaml.safe_load((CONFIG_DIR / "config.yaml").read_text())
    data = {k: base[k] for k in ("seed", "horizon_days", "warm_up_days", "n_families")}
    scenario_overrides = overrides.pop("scenario_overrides", None) or {}
    data.update(scenario={"name": scenario, "overrides": scenario_overrides}, working=preset["working"],
                levers=dict(preset["levers"]))
    lever_overrides = overrides.pop("levers", {})
    data["levers"].update(lever_overrides)
    data.update(overrides)
    return RunConfig.from_mapping(data)


def run(config: RunConfig, progress: Callable[[float, float], None] | None = None) -> RunResult:
    """Build, run and collect one model (``progress`` as in `SocialDomainModel.run`)."""
    model = SocialDomainModel(config)
    model.run(progress)
    return collect(model)
