"""ontschot: an agent-based simulation of cross-domain cooperation in the Dutch social domain.

The model only: families, need episodes, professionals, organisations with
mandates, the eight levers of networked working, and the per-run outputs
(episode table, cost ledger, daily series, summary). Sweeps live in
``experiments``; the viewer imports this package, never the reverse.
"""

from __future__ import annotations

from collections.abc import Callable

from sim.config import LeverSettings, RunConfig
from sim.configuration import CONFIG_DIR, load_run_config
from sim.errors import InputError
from sim.model import SocialDomainModel
from sim.outputs import RunResult, collect
from sim.scenario import Scenario, load_scenario

__all__ = [
    "CONFIG_DIR", "InputError", "LeverSettings", "RunConfig", "RunResult", "Scenario", "SocialDomainModel",
    "collect", "load_run_config", "load_scenario", "run",
]


def run(config: RunConfig, progress: Callable[[float, float], None] | None = None) -> RunResult:
    """Build, run and collect one model (``progress`` as in `SocialDomainModel.run`)."""
    model = SocialDomainModel(config)
    model.run(progress)
    return collect(model)
