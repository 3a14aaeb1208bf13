"""The measuring tools of `sim.stationarity` on series with a known answer (no model runs, milliseconds).

MSER-5 must find a known initial transient and leave a stationary series alone; `yearly_trend` must recover
a known slope and cover 0 on flat noise; the t quantiles must match scipy's; the summary blocks must flag a
trend only when it is clear and large.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.stationarity import (
    TREND_FLAG_PER_YEAR,
    mser5,
    t975,
    trend_block,
    trend_over_replications,
    warm_up_block,
    yearly_trend,
)


def transient_series(rng: np.random.Generator, n: int = 2000, transient: int = 300) -> np.ndarray:
    """Noise around 100 after a linear ramp up from 0 over the first ``transient`` days."""
    level = np.minimum(np.arange(n) / transient, 1.0) * 100.0
    return level + rng.normal(0.0, 5.0, n)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_mser5_finds_an_initial_transient(seed: int) -> None:
    """A ramp over the first 300 days followed by stationary noise: the truncation lands near day 300."""
    cut = mser5(transient_series(np.random.default_rng(seed)))
    assert 250 <= cut <= 400, cut
    assert cut % 5 == 0


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_mser5_leaves_a_stationary_series_alone(seed: int) -> None:
    """White noise (and an autocorrelated AR(1) series) has nothing to cut: the truncation is near 0."""
    rng = np.random.default_rng(seed)
    assert mser5(rng.normal(50.0, 3.0, 2000)) <= 100
    ar = np.empty(2000)
    ar[0] = 0.0
    for i in range(1, len(ar)):
        ar[i] = 0.7 * ar[i - 1] + rng.normal()
    assert mser5(ar + 50.0) <= 200


def test_mser5_on_a_trend_to_the_end_reaches_the_half_way_limit() -> None:
    """A series that never settles is cut as late as allowed (half the batches): a warm-up can't be found."""
    x = np.arange(1000, dtype=float)
    assert mser5(x) == 500


def test_mser5_short_and_constant_series() -> None:
    assert mser5([1.0, 2.0, 3.0]) == 0
    assert mser5(np.full(100, 7.0)) == 0


def test_yearly_trend_recovers_a_known_slope() -> None:
    """Values 100 + 5 k + noise over 10 years: change 5/mean per year, and the interval covers it."""
    rng = np.random.default_rng(4)
    k = np.arange(10)
    y = 100.0 + 5.0 * k + rng.normal(0.0, 1.0, 10)
    change, lo, hi = yearly_trend(y)
    truth = 5.0 / y.mean()
    assert change == pytest.approx(truth, abs=0.005)
    assert lo < truth < hi
    assert lo > 0.0


def test_yearly_trend_exact_line() -> None:
    change, lo, hi = yearly_trend([10.0, 12.0, 14.0, 16.0])
    assert change == pytest.approx(2.0 / 13.0)
    assert lo == pytest.approx(change) and hi == pytest.approx(change)


@pytest.mark.parametrize("seed", range(1, 6))
def test_yearly_trend_of_flat_noise_covers_zero(seed: int) -> None:
    """Flat noise: the change is small and its interval covers 0 (a 95 % interval, five fixed seeds)."""
    y = np.random.default_rng(seed).normal(1000.0, 30.0, 10)
    change, lo, hi = yearly_trend(y)
    assert lo < 0.0 < hi
    assert abs(change) < 0.02


def test_yearly_trend_short_and_degenerate_series() -> None:
    """Two years: a change but no interval; one year: nothing; all zero: no trend; mean zero: undefined."""
    change, lo, hi = yearly_trend([100.0, 110.0])
    assert change == pytest.approx(10.0 / 105.0)
    assert math.isnan(lo) and math.isnan(hi)
    assert all(math.isnan(v) for v in yearly_trend([5.0]))
    assert yearly_trend([0.0, 0.0, 0.0]) == (0.0, 0.0, 0.0)
    assert all(math.isnan(v) for v in yearly_trend([-1.0, 0.0, 1.0]))


def test_t_quantiles_match_scipy() -> None:
    for df in (1, 2, 3, 9, 30, 31, 45, 100, 1000):
        assert t975(df) == pytest.approx(stats.t.ppf(0.975, df), rel=2e-4), df
    assert math.isnan(t975(0))


def test_trend_over_replications_pools_runs() -> None:
    """Runs that each grow 10 %/yr with noise: the pooled change is near 10 % and its interval excludes 0."""
    rng = np.random.default_rng(8)
    runs = [100.0 * 1.1 ** np.arange(6) + rng.normal(0.0, 2.0, 6) for _ in range(5)]
    change, lo, hi = trend_over_replications(runs)
    assert 0.07 < change < 0.13
    assert 0.0 < lo < change < hi


def test_trend_block_flags_only_clear_and_large_trends() -> None:
    """Growth of 20 %/yr is flagged; flat noise is not; a clear but tiny drift is not; two years can't tell."""
    rng = np.random.default_rng(9)
    grow = 100.0 * 1.2 ** np.arange(5)
    flat = 100.0 + rng.normal(0.0, 1.0, 5)
    tiny = 100.0 + 0.5 * np.arange(5)  # exactly linear: interval excludes 0, but 0.5 %/yr < the threshold
    out = trend_block({"a": grow, "b": flat, "c": tiny})
    assert out["trending"] is True and out["reason"] is None
    assert out["measures"]["a"]["trending"] is True
    assert out["measures"]["b"]["trending"] is False
    assert out["measures"]["c"]["trending"] is False
    assert out["threshold_per_year"] == TREND_FLAG_PER_YEAR
    assert trend_block({"b": flat, "c": tiny})["trending"] is False
    two = trend_block({"a": grow[:2]})
    assert two["trending"] is None and "2 years" in two["reason"]
    assert trend_block({"a": grow[:1]})["trending"] is None


def test_warm_up_block_compares_configured_with_found() -> None:
    x = transient_series(np.random.default_rng(1))
    block = warm_up_block(x, 365.0)
    assert block["mser5_days"] == mser5(x)
    assert block["configured_shorter"] is False
    assert warm_up_block(x, 100.0)["configured_shorter"] is True
    assert block["search_limit_days"] == 1000 and block["at_search_limit"] is False
    assert warm_up_block(np.arange(1000.0), 365.0)["at_search_limit"] is True


def test_compare_note_names_what_trends_per_arm() -> None:
    """``make run``'s note: the MSER-5 warm-up over runs, and a flag naming the arm, the measure and its size."""
    from experiments.compare import stationarity_note

    def runs(open_trend: list[float], wait_trend: list[float]) -> pd.DataFrame:
        return pd.DataFrame({"arm": ["fragmented"] * 3 + ["networked"] * 3, "mser5_days": [300, 400, 500] * 2,
                             "mser5_at_limit": [0.0] * 5 + [1.0],
                             "trend_open_episodes": open_trend, "trend_mean_waiting": wait_trend})

    flat = stationarity_note(runs([0.01, -0.02, 0.0, 0.02, 0.0, -0.01], [0.0] * 6), ["fragmented", "networked"], 365)
    assert flat.splitlines()[0].startswith(
        "warm-up found by MSER-5: 400 days (configured 365; median over 6 runs, longest 500); in 1 runs at the search")
    assert flat.splitlines()[1].startswith("no trend after warm-up")
    growing = stationarity_note(runs([0.26, 0.25, 0.27, 0.0, 0.01, -0.01], [0.0] * 6), ["fragmented", "networked"], 365)
    assert "TREND" in growing and "fragmented: open episodes +26% a year" in growing and "networked" not in growing
    unknown = stationarity_note(runs([np.nan] * 6, [np.nan] * 6), ["fragmented", "networked"], 365)
    assert "not measured" in unknown.splitlines()[1]


def test_yearly_series_add_up_to_the_run_and_the_summary_trend_uses_them() -> None:
    """On a small real run: yearly counts sum to the window's counts, levels match the daily tables."""
    from helpers import config

    from sim import run
    from sim.stationarity import window_measures, yearly_series

    result = run(config("fragmented", seed=3, n_families=3500, warm_up_days=100.0, horizon_days=3 * 365.0 + 50.0))
    w0 = 100.0
    years = yearly_series(result)
    assert {len(v) for v in years.values()} == {3}  # the trailing 50 days are not a year
    whole = window_measures(result, w0, w0 + 3 * 365.0)
    for key in ("problem_onsets", "continuation_episodes", "new_episodes", "help_starts", "crises"):
        assert years[key].sum() == whole[key], key
    np.testing.assert_array_equal(years["new_episodes"], years["problem_onsets"] + years["continuation_episodes"])
    ep = result.episodes
    assert whole["help_starts"] == ((ep.help_start_day > w0) & (ep.help_start_day <= w0 + 3 * 365.0)).sum()
    daily = result.daily
    first_year = daily[(daily.day > w0) & (daily.day <= w0 + 365.0)]
    assert years["open_episodes"][0] == pytest.approx(first_year.active_episodes.mean())
    trend = result.summary["trend"]["measures"]
    np.testing.assert_allclose(trend["open_episodes"]["yearly"], years["open_episodes"])
    np.testing.assert_allclose(trend["mean_waiting"]["yearly"], years["mean_waiting"])
    assert result.summary["warm_up"]["mser5_days"] == mser5(daily.active_episodes.to_numpy())


def test_balance_table_and_its_bad_input() -> None:
    """``python -m experiments.balance``: one row per year with the paired difference; bad input exits 2."""
    from experiments.balance import COLUMNS, balance_table, main

    def seed(level: float, tth: float) -> dict[str, np.ndarray]:
        out = {key: np.full(3, level) for key in COLUMNS}
        out["tth_onset_mean"] = np.array([tth, tth + 1.0, tth + 2.0])
        return out

    text = balance_table({"fragmented": [seed(10.0, 50.0), seed(12.0, 52.0)],
                          "networked": [seed(9.0, 40.0), seed(11.0, 44.0)]}, 3)
    rows = text.splitlines()
    assert rows[2].split()[:2] == ["1", "11.0"]
    assert "-9.0 [" in rows[2]  # mean of 40 - 50 and 44 - 52
    assert "+0.0%" in text  # level series: no change
    assert main(["--years", "1"]) == 2
    assert main(["--seeds", "1"]) == 2
    assert main(["--scenario", "nowhere"]) == 2


def test_yearly_trend_floor_for_nearly_empty_quantities() -> None:
    """A list going from 0.1 to 0.3 waiting doubles, but relative to a floor of 2 it barely moves."""
    y = [0.1, 0.2, 0.3]
    assert yearly_trend(y)[0] == pytest.approx(0.5)
    assert yearly_trend(y, floor=2.0)[0] == pytest.approx(0.05)
    assert trend_over_replications([y, y], floor=2.0)[0] == pytest.approx(0.05)
    assert yearly_trend([100.0, 110.0, 120.0], floor=2.0) == yearly_trend([100.0, 110.0, 120.0])
    block = trend_block({"w": np.array(y)}, floors={"w": 2.0})["measures"]["w"]
    assert block["change_per_year"] == pytest.approx(0.05)
