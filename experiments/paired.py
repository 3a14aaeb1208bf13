"""Paired statistics over replications: mean, 95 % confidence interval, spread; the matched contrast of problems.

The replication is the unit of analysis: intervals come from per-run
summaries, never from episodes pooled across runs (docs/design.md B12). The
confidence interval of the mean (Monte Carlo uncertainty) and the spread of
per-run outcomes (5th-95th percentile) are reported separately. The matched
contrast pairs problems too: within a seed, the days to help of the problems
helped in both arms (`matched_days`); its per-seed means are then one
replication each, like every other metric.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats


def mean_ci(values: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and the Student-t confidence interval of the mean."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if len(x) == 0:
        return math.nan, math.nan, math.nan
    m = float(x.mean())
    if len(x) < 2:
        return m, math.nan, math.nan
    half = float(stats.t.ppf(0.5 + level / 2, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x)))
    return m, m - half, m + half


def paired_difference(a: np.ndarray, b: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean of b - a over paired replications, with its confidence interval."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    ok = ~(np.isnan(a) | np.isnan(b))
    return mean_ci(b[ok] - a[ok], level)


def spread(values: np.ndarray) -> tuple[float, float]:
    """5th and 95th percentile of per-run values (the spread, not an interval of the mean)."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if len(x) == 0:
        return math.nan, math.nan
    return float(np.percentile(x, 5)), float(np.percentile(x, 95))


def unpaired_difference(a: np.ndarray, b: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean of b minus mean of a as if the arms were independent (Welch's interval), for comparison with the paired one."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    a, b = a[~np.isnan(a)], b[~np.isnan(b)]
    if len(a) < 2 or len(b) < 2:
        return float(b.mean() - a.mean()) if len(a) and len(b) else math.nan, math.nan, math.nan
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    se = math.sqrt(va + vb)
    d = float(b.mean() - a.mean())
    if se == 0.0:
        return d, d, d
    dof = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    half = float(stats.t.ppf(0.5 + level / 2, dof) * se)
    return d, d - half, d + half


def matched_days(keys_a: np.ndarray, days_a: np.ndarray, keys_b: np.ndarray, days_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Days to help of the problems helped in both arms of one seed: (days in arm a, days in arm b), by key.

    Args:
        keys_a: problem keys helped in arm a (`sim.headline.helped_problems`: family, domain and problem id), unique.
        days_a: days from onset to first help of each.
        keys_b: the same for arm b (same seed).
        days_b: the same for arm b.

    Example:
        >>> matched_days(np.array([3, 7, 9]), np.array([10., 20., 30.]), np.array([7, 8, 9]), np.array([15., 1., 25.]))
        (array([20., 30.]), array([15., 25.]))
    """
    _, ia, ib = np.intersect1d(np.asarray(keys_a), np.asarray(keys_b), assume_unique=True, return_indices=True)
    return np.asarray(days_a, dtype=float)[ia], np.asarray(days_b, dtype=float)[ib]


def matched_means(keys_a: np.ndarray, days_a: np.ndarray, keys_b: np.ndarray, days_b: np.ndarray) -> tuple[float, float, int]:
    """Mean days to help from onset in arm a and in arm b over the problems helped in both, and how many they are."""
    a, b = matched_days(keys_a, days_a, keys_b, days_b)
    if not len(a):
        return math.nan, math.nan, 0
    return float(a.mean()), float(b.mean()), int(len(a))
