"""Metamorphic relations on the default scenario: change one input, the output must move the known way.

Each relation compares two variants of the default scenario over several seeds, paired by seed (common
random numbers), under fragmented working (no lever bypasses the mechanism under test). The assertions are
on the paired mean difference (its t statistic) and on the majority of seeds, not on exact values, because
the default scenario may be recalibrated.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
import pytest
from helpers import config, paired, paired_t, tth_mean

from sim import RunConfig, RunResult, Scenario, load_scenario, run

SEEDS = (1, 2, 3, 4)
MIN_T = 3.0  # |t| of the paired mean difference over 4 seeds (3 degrees of freedom: p < 0.06 two-sided)


@pytest.fixture(scope="module")
def base() -> Scenario:
    return load_scenario("sociaal_domein")


def declared_range(sc: Scenario, path: str) -> tuple[float, float] | None:
    """The range the scenario file declares for a value (None if it cites a source instead)."""
    for p in sc.provenance:
        if p.path == path:
            return p.range
    return None


def arm(sc: Scenario, n: int) -> Callable[[int], RunConfig]:
    return lambda seed: config("fragmented", sc, seed=seed, n_families=n, horizon_days=730.0, warm_up_days=365.0)


def help_list_wait(r: RunResult) -> float:
    """Days spent on help waiting lists in the window per help start in the window (0 for an immediate start)."""
    w0 = r.summary["window_days"][0]
    q = r.queues
    stays = q[q.queue.str.startswith("help:") & (q.enter_day >= w0)]
    starts = int((r.episodes.help_start_day >= w0).sum())
    return float((stays.leave_day - stays.enter_day).sum()) / starts


def assert_increases(low: np.ndarray, high: np.ndarray, what: str) -> None:
    diff = high - low
    assert diff.mean() > 0 and paired_t(diff) > MIN_T, f"{what}: low {low}, high {high}"
    assert (diff > 0).sum() >= len(diff) - 1, f"{what}: most seeds must agree ({diff})"


def test_more_professionals_shorten_waits(base: Scenario) -> None:
    """Halving every organisation's staff (at least one left) lengthens help-list waits and time to help."""
    half = {name: dataclasses.replace(o, professionals={d: max(1, round(k / 2)) if k else 0
                                                        for d, k in o.professionals.items()})
            for name, o in base.organisations.items()}
    fewer = dataclasses.replace(base, organisations=half)
    # 4000 families: enough demand that the halved staff has queues; the full staff then has fewer.
    runs_fewer = [run(arm(fewer, 4000)(s)) for s in SEEDS]
    runs_full = [run(arm(base, 4000)(s)) for s in SEEDS]
    for metric, what in ((help_list_wait, "help-list wait per help start"), (tth_mean, "mean time to help")):
        assert_increases(np.array([metric(r) for r in runs_full]), np.array([metric(r) for r in runs_fewer]), what)


def test_higher_waiting_dropout_hazard_raises_dropout(base: Scenario) -> None:
    """Waiting-dropout hazard at the low vs the high end of its declared range (or x0.25 / x3 without one)."""
    rng = declared_range(base, "behaviour.wait_dropout_per_year")
    h = base.behaviour.wait_dropout_hazard
    lo, hi = (rng[0] / 365.0, rng[1] / 365.0) if rng else (0.25 * h, 3.0 * h)
    assert hi > lo > 0

    def with_hazard(x: float) -> Scenario:
        return dataclasses.replace(base, behaviour=dataclasses.replace(base.behaviour, wait_dropout_hazard=x))

    runs_lo = [run(arm(with_hazard(lo), 3500)(s)) for s in SEEDS]
    runs_hi = [run(arm(with_hazard(hi), 3500)(s)) for s in SEEDS]

    def dropout(r: RunResult) -> float:
        return float(r.summary["dropout_share_episodes"])

    def wait_dropouts(r: RunResult) -> float:
        return float((r.episodes.end_reason == "wait").sum())

    for metric, what in ((dropout, "dropout share of episodes"), (wait_dropouts, "dropouts while waiting")):
        assert_increases(np.array([metric(r) for r in runs_lo]), np.array([metric(r) for r in runs_hi]), what)


def test_longer_decision_time_raises_time_to_help(base: Scenario) -> None:
    """Every access decision taking 1.5x instead of 0.5x its default delay lengthens time to help."""
    assert any(o.access == "decision" and o.decision_days > 0 for o in base.organisations.values())

    def decisions(f: float) -> Scenario:
        return dataclasses.replace(base, organisations={n: dataclasses.replace(o, decision_days=o.decision_days * f)
                                                        for n, o in base.organisations.items()})

    short, long_ = paired(tth_mean, arm(decisions(0.5), 3500), arm(decisions(1.5), 3500), SEEDS)
    assert_increases(short, long_, "mean time to help from signal")
