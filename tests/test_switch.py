"""The load window of a switch-like target (`experiments.calibration.switch`) and its use in history matching."""

from __future__ import annotations

import math

import numpy as np

from experiments.calibration.history_matching import CUTOFF, history_match, not_ruled_out
from experiments.calibration.switch import MIN_SIDE, load_window, logistic, window_target

BAND = (49.8, 82.2)


def _planted(n: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray, tuple[float, float]]:
    """Loads spread around 1 and shares on a known logistic step; the step's exact window in log load."""
    rng = np.random.default_rng(seed)
    top, mid, width = 90.0, math.log(1.05), 0.04
    log_load = rng.uniform(math.log(0.6), math.log(1.8), n)
    share = np.clip(logistic(log_load, top, mid, width) + rng.normal(0.0, noise, n), 0.0, 100.0)
    exact = (mid + width * math.log(BAND[0] / (top - BAND[0])), mid + width * math.log(BAND[1] / (top - BAND[1])))
    return np.exp(log_load), share, exact


def test_window_of_a_planted_step_is_recovered() -> None:
    load, share, exact = _planted(200, 0.0, 1)
    win = load_window(load, share, BAND)
    assert win is not None
    assert abs(win[0] - exact[0]) < 1e-4 and abs(win[1] - exact[1]) < 1e-4
    # With run-to-run noise of 3 points on the share the window is still close (within a tenth of the step's width).
    load, share, exact = _planted(200, 3.0, 2)
    win = load_window(load, share, BAND)
    assert win is not None
    assert abs(win[0] - exact[0]) < 0.01 and abs(win[1] - exact[1]) < 0.01


def test_no_window_without_runs_on_both_sides() -> None:
    load, share, _ = _planted(200, 0.0, 3)
    above = share > BAND[1]
    keep = ~above
    keep[np.flatnonzero(above)[:MIN_SIDE - 1]] = True  # one run too few above the band
    assert load_window(load[keep], share[keep], BAND) is None
    # NaN loads (runs cached before the load was observed) are left out, not an error.
    load2 = load.copy()
    load2[:10] = math.nan
    assert load_window(load2, share, BAND) is not None
    assert window_target(None) == (0.0, math.inf)


def test_waves_sample_inside_the_learned_window_only() -> None:
    # Output 0 is a smooth "log load" = 2 x0 - 1 over a 2-d cube; the window learned before each wave is [0.1, 0.3],
    # so every later design point must have an emulated (here: exact) load near it, and no point far from it.
    def simulate(xs: np.ndarray) -> np.ndarray:
        return (2.0 * xs[:, 0] - 1.0)[:, None]

    z0, var0 = np.array([0.0]), np.array([math.inf])  # before any window: no rule
    zw, vw = window_target((0.1, 0.3))
    calls: list[int] = []

    def refit(n: int) -> tuple[np.ndarray, np.ndarray]:
        calls.append(n)
        return np.array([zw]), np.array([vw])

    xs, ys, waves = history_match(simulate, 2, z0, var0, waves=2, wave_size=12, seed=0, candidates=4000,
                                  say=lambda _m: None, refit=refit)
    assert calls == [12, 24]  # refitted before each wave on every run so far
    later = ys[12:, 0]
    # 3 sd of the window (its half-width) plus the emulator's small variance: nothing lies far outside.
    assert np.all(np.abs(later - zw) < 0.2), later
    assert waves[0].z is not None and waves[0].var is not None and float(waves[0].var[0]) == vw
    # The earlier wave's own window is used when judging new points (not the no-rule values passed in).
    far = np.array([[0.05, 0.5], [0.95, 0.5]])
    near = np.array([[0.6, 0.5]])
    assert not not_ruled_out(waves, z0, var0, far).any()
    assert not_ruled_out(waves, z0, var0, near).all()
    assert CUTOFF == 3.0
