"""Shared helpers for the model tests (imported by the test modules and by conftest).

Runs are kept small (a few thousand families, two or three simulated years) so that the whole suite stays
within minutes; tests that need many runs pair them by seed (common random numbers). Default-scenario tests
never depend on the scenario's exact values, which may be recalibrated: they check relations and identities.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np

from sim import RunConfig, RunResult, Scenario, SocialDomainModel, collect, load_run_config, load_scenario, run
from sim.staffing import check_population

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"

# One small default-scenario run per preset, shared by the conservation and Little's-law tests.
SMALL = {"n_families": 3500, "horizon_days": 730.0, "warm_up_days": 365.0}  # 3,500: above the smallest population (3,334) at which the scaled adult mental-health desk still does one intake a week


def config(working: str = "fragmented", scenario: Scenario | str | Path | None = None, **overrides: Any) -> RunConfig:
    """A `RunConfig` from a preset, optionally with a scenario object or a fixture file instead of the default."""
    if scenario is None:
        return load_run_config(working=working, **overrides)
    # The population is checked against the scenario that runs, not the default one (staff in proportion).
    n = overrides.pop("n_families", None)
    cfg = load_run_config(working=working, **overrides)
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    if n is not None:
        check_population(scenario, n)
    return dataclasses.replace(cfg, scenario=scenario, n_families=n)


def run_model(cfg: RunConfig) -> tuple[SocialDomainModel, RunResult]:
    """Run and keep the model too (for exact queue areas and internal state the tables do not show)."""
    model = SocialDomainModel(cfg)
    model.run()
    return model, collect(model)


def paired(metric: Callable[[RunResult], float], make_a: Callable[[int], RunConfig], make_b: Callable[[int], RunConfig],
           seeds: Iterable[int]) -> tuple[np.ndarray, np.ndarray]:
    """Metric of arm a and arm b for each seed (same seed in both arms: common random numbers)."""
    a, b = [], []
    for s in seeds:
        a.append(metric(run(make_a(s))))
        b.append(metric(run(make_b(s))))
    return np.array(a, dtype=float), np.array(b, dtype=float)


def paired_t(diff: np.ndarray) -> float:
    """The t statistic of the mean of paired differences (inf when every difference is equal and non-zero)."""
    sd = float(np.std(diff, ddof=1))
    mean = float(np.mean(diff))
    if sd == 0.0:
        return math.copysign(math.inf, mean) if mean else 0.0
    return mean / (sd / math.sqrt(len(diff)))


def tth_mean(r: RunResult) -> float:
    """Mean time from signal to help start among helped episodes signalled in the window."""
    return float(r.summary["time_to_help_from_signal_among_helped"]["mean"])
