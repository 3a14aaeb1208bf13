"""A target that behaves like a switch, judged through the smooth load that throws it.

The share of adult mental-health intake waits over 4 weeks is about 0 % while
the intake desk keeps up with its registrations and about 90 % once it does not
(the queue then grows until families give up), with few runs in between: a
step, which a smooth emulator cannot follow (it would smooth the step over the
whole space and rule out the narrow region near it, where the band lies). What
throws the switch is smooth: the desk's offered load, intake hours asked a week
over desk hours a week (`observe.adult_mh_intake_load`), which follows onset
(arrivals) and the desk's hours (capacity).

So history matching (`ensemble.build`), while the share is a fitted target (`share_fitted`; it is held out
since the mean wait to intake replaced it, docs/design.md D4), emulates the log of the load, and judges
it against a *window* learned from the runs so far, refitted before each wave:
a logistic of the share in the log load,
``share(l) = top / (1 + exp(-(l - mid) / width))``, fitted by least squares to
every run that has both, is a smooth model of the step; the window is where
that curve lies inside the share's accepted band (`targets.accepted_band`).
Its centre is the window's ``z`` and a third of its half-width its sd, so the
implausibility cut-off of 3 keeps points whose emulated load can reach the
window (emulator and run-to-run variance of the load come on top, as for every
output). The next waves therefore sample near the step. The window is a rule
for *where to look* only: a member must still have its own run's share in the
share's band (`ensemble.accept`). Without runs on both sides of the step (below
the band and above it) there is nothing to learn a window from, and the load
rules nothing out in that wave.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import least_squares

from experiments.calibration.targets import matched_targets

LOAD_KEY = "adult_mh_intake_load"  # the smooth quantity observed per run (not a target)
SHARE_KEY = "adult_mh_intake_over_4_weeks"  # the switch-like target it decides
MIN_SIDE = 3  # runs needed below the band and above it before a window is learned (fewer: no rule)


def share_fitted() -> bool:
    """Whether the switch-like share is among the matched targets (held out since 2026-11-28, docs/design.md D4)."""
    return any(t.key == SHARE_KEY for t in matched_targets())


def logistic(log_load: np.ndarray, top: float, mid: float, width: float) -> np.ndarray:
    """The share (%) at ``log_load`` on the logistic step of height ``top``, centre ``mid`` and ``width``."""
    return top / (1.0 + np.exp(-(np.asarray(log_load, dtype=float) - mid) / width))


def fit_step(log_load: np.ndarray, share: np.ndarray, band_high: float) -> tuple[float, float, float]:
    """Least-squares logistic (top, mid, width) of the share in the log load.

    Args:
        log_load: log of each run's offered load.
        share: each run's share (%).
        band_high: the accepted band's upper end; the top is kept above it (the runs above the band show the
            step's plateau there), so the curve crosses the whole band.
    """
    x, y = np.asarray(log_load, dtype=float), np.asarray(share, dtype=float)
    hi_top = max(100.0, band_high + 2.0)
    top0 = float(np.clip(np.median(y[y > band_high]) if np.any(y > band_high) else 90.0, band_high + 1.0, hi_top - 0.5))
    # Start at the middle of the step: halfway between the highest log load below half the top and the lowest above.
    below, above = x[y < top0 / 2], x[y >= top0 / 2]
    mid0 = float((below.max() + above.min()) / 2) if len(below) and len(above) else float(np.median(x))
    fit = least_squares(lambda p: logistic(x, p[0], p[1], math.exp(p[2])) - y, [top0, mid0, math.log(0.05)],
                        bounds=([band_high + 1.0, x.min() - 1.0, math.log(1e-3)], [hi_top, x.max() + 1.0, math.log(2.0)]))
    top, mid, log_width = fit.x
    return float(top), float(mid), float(math.exp(log_width))


def load_window(load: np.ndarray, share: np.ndarray, band: tuple[float, float]) -> tuple[float, float] | None:
    """The window of log load in which the fitted step lies inside the share's accepted ``band``; None if unknown.

    Args:
        load: each run's offered load (NaN or non-positive: left out).
        share: each run's share (%) (NaN: left out).
        band: the share's accepted band (low, high), in %.

    Returns:
        (low, high) in log load, or None when fewer than `MIN_SIDE` runs lie below the band or above it.
    """
    load, share = np.asarray(load, dtype=float), np.asarray(share, dtype=float)
    ok = np.isfinite(load) & (load > 0) & np.isfinite(share)
    x, y = np.log(load[ok]), share[ok]
    lo, hi = band
    if (y < lo).sum() < MIN_SIDE or (y > hi).sum() < MIN_SIDE:
        return None
    top, mid, width = fit_step(x, y, hi)
    # Inverse of the logistic: l = mid + width log(s / (top - s)); top > hi >= lo, so both ends are finite.
    return mid + width * math.log(lo / (top - lo)), mid + width * math.log(hi / (top - hi))


def window_target(window: tuple[float, float] | None) -> tuple[float, float]:
    """(z, Var) of the load output for one wave: the window's centre and (half-width / 3)^2; no rule: (0, inf)."""
    if window is None:
        return 0.0, math.inf
    a, b = window
    return (a + b) / 2.0, ((b - a) / 6.0) ** 2
