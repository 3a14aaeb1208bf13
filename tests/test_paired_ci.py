"""Paired confidence intervals: a hand-computed case, and narrower than the unpaired interval on a real comparison."""

from __future__ import annotations

import math

import numpy as np
from helpers import paired

from experiments.paired import mean_ci, paired_difference, spread, unpaired_difference
from sim import load_run_config


def test_paired_interval_matches_a_hand_computed_case() -> None:
    a = np.array([10.0, 12.0, 9.0, 11.0, 13.0])
    b = np.array([8.0, 11.0, 6.0, 10.0, 10.0])
    # differences b - a: -2, -1, -3, -1, -3; mean -2; sd sqrt(1.0) = 1; t(0.975, 4) = 2.776445105
    mean, lo, hi = paired_difference(a, b)
    half = 2.776445105 * 1.0 / math.sqrt(5)
    assert mean == -2.0
    assert math.isclose(lo, -2.0 - half, rel_tol=1e-9) and math.isclose(hi, -2.0 + half, rel_tol=1e-9)
    # unpaired (Welch): same mean, wider interval because the shared run-to-run variation is not removed
    d, ulo, uhi = unpaired_difference(a, b)
    assert d == -2.0 and uhi - ulo > hi - lo
    assert mean_ci(np.array([1.0, np.nan, 3.0]))[0] == 2.0  # undefined runs are left out, not counted as zero
    assert spread(np.arange(101.0)) == (5.0, 95.0)


def test_fewer_than_two_values_have_no_interval_and_the_calibration_report_judges_the_mean() -> None:
    """One `mean_ci` everywhere: one value gives its mean and no interval; the calibration table then judges the mean."""
    from dataclasses import replace

    from experiments.calibration import report
    from experiments.calibration.targets import TARGETS

    assert report.mean_ci is mean_ci
    m, lo, hi = mean_ci(np.array([4.0]))
    assert m == 4.0 and math.isnan(lo) and math.isnan(hi)
    assert all(math.isnan(x) for x in mean_ci(np.array([])))
    target = replace(TARGETS[0], band=(3.0, 5.0))
    assert report.status(target, lo, hi, m) == "met"
    assert report.status(replace(target, band=(5.0, 6.0)), lo, hi, m) == "not met"  # never "met (CI)" without a CI
    assert report.status(target, *mean_ci(np.array([]))[1:], math.nan) == "not produced"


def test_paired_interval_is_narrower_than_unpaired_on_a_real_comparison() -> None:
    def cfg(working: str):
        return lambda seed: load_run_config(working=working, seed=seed, n_families=3500, horizon_days=365.0, warm_up_days=100.0)

    def cost(r) -> float:  # noqa: ANN001
        return float(r.summary["cost_total"])

    a, b = paired(cost, cfg("fragmented"), cfg("networked"), range(1, 7))
    _, plo, phi = paired_difference(a, b)
    _, ulo, uhi = unpaired_difference(a, b)
    assert 0 < phi - plo < uhi - ulo
