"""Stationarity of a run: where the warm-up ends (MSER-5) and whether the status quo still trends after it.

A run's metrics are averages over the measurement window; they describe "the status quo" only if the
system is in a steady state there. Two measurements say whether it is:

- `mser5`: the MSER-5 truncation point of a series (White 1997; White, Cobb & Spratt 2000): average the
  series in batches of 5, and choose the number of leading batches to drop that minimises the marginal
  standard error of the mean of what is left, searching the first half only. A series that settles after a
  transient gives a truncation point near the end of the transient; a series that trends to the end gives
  one near the half-way limit (a warm-up "as long as can be measured", which itself says something is wrong).
- `yearly_trend`: the least-squares slope of yearly values relative to their mean, with a 95 % t interval;
  `trend_over_replications` pools independent runs (the mean of their relative slopes, with a t interval
  over runs).

`window_measures` and `yearly_series` turn a run's tables (`sim.outputs.RunResult`) into the yearly
series these are applied to. Functions here are pure (numpy arrays in, numbers out) and cheap: the summary
of every run calls `mser5` and `yearly_trend`.

References:
    White, K. P. (1997). An effective truncation heuristic for bias reduction in simulation output.
    Simulation 69(6), 323-334.
    White, K. P., Cobb, M. J. & Spratt, S. C. (2000). A comparison of five steady-state truncation
    heuristics for simulation. Proceedings of the 2000 Winter Simulation Conference, 755-760.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sim.outputs import RunResult

YEAR_DAYS = 365.0
MSER_BATCH = 5

# Two-sided 95 % quantiles of Student's t (t_{0.975, df}) for df = 1..30 (standard tables, e.g. Abramowitz &
# Stegun 1964, table 26.10); beyond 30 the Cornish-Fisher expansion below is accurate to about 1e-4. Kept here
# so that the model package needs numpy only for this.
_T975 = (12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060, 2.2622, 2.2281,
         2.2010, 2.1788, 2.1604, 2.1448, 2.1314, 2.1199, 2.1098, 2.1009, 2.0930, 2.0860,
         2.0796, 2.0739, 2.0687, 2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423)
_Z975 = 1.959963984540054


def t975(df: int) -> float:
    """The 97.5 % quantile of Student's t with ``df`` degrees of freedom (half-width factor of a 95 % interval)."""
    if df < 1:
        return math.nan
    if df <= len(_T975):
        return _T975[df - 1]
    z = _Z975  # Cornish-Fisher expansion of t in powers of 1/df (Abramowitz & Stegun 26.7.5)
    return (z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)
            + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * df**3))


def mser5(series: np.ndarray | list[float]) -> int:
    """MSER-5 truncation point: how many leading observations to drop as warm-up.

    The series is cut into batches of 5 (a trailing remainder is ignored); for each number ``d`` of leading
    batches dropped, ``d`` in the first half, the statistic is the sum of squared deviations of the kept batch
    means from their mean divided by the square of their number (the squared marginal standard error up to a
    constant); the ``d`` that minimises it wins (the first one on ties).

    Args:
        series: equally spaced observations (a daily series: one per day).

    Returns:
        The truncation point in the series' own index units (``5 * d``): for a daily series starting at
        day 1, the number of days to drop. 0 for a series shorter than two batches.
    """
    x = np.asarray(series, dtype=float)
    k = len(x) // MSER_BATCH
    if k < 2:
        return 0
    z = x[: k * MSER_BATCH].reshape(k, MSER_BATCH).mean(axis=1)
    # Sums over the kept tail z[d:], for every d at once, from reversed cumulative sums.
    s1 = np.cumsum(z[::-1])[::-1]
    s2 = np.cumsum((z * z)[::-1])[::-1]
    d = np.arange(k // 2 + 1)
    m = k - d
    sse = s2[d] - s1[d] ** 2 / m
    stat = np.maximum(sse, 0.0) / m**2  # rounding can leave -1e-12 for a constant tail
    return int(np.argmin(stat)) * MSER_BATCH


def yearly_trend(values_per_year: np.ndarray | list[float], floor: float = 0.0) -> tuple[float, float, float]:
    """Fitted relative change per year of yearly values, with its 95 % confidence interval.

    The least-squares slope of the values on the year number, divided by the mean of the values: +0.05 means
    the quantity grows by 5 % of its level each year. The interval is the slope's t interval (n - 2 degrees of
    freedom) over the same mean; it assumes independent yearly residuals.

    Args:
        values_per_year: one value per consecutive year.
        floor: the slope is divided by at least this level, so that a quantity that is nearly zero (a waiting
            list that is almost always empty) does not show a large relative change from a tiny absolute one.

    Returns:
        ``(change, ci_lo, ci_hi)``. With two years the change is the difference over the mean and the
        interval is NaN (no residual left); with fewer than two all three are NaN. A series that is zero
        every year has change 0 with interval (0, 0): nothing happens, so nothing trends; a non-zero series
        with mean 0 has no relative change (NaN).
    """
    y = np.asarray(values_per_year, dtype=float)
    n = len(y)
    if n < 2 or np.isnan(y).any():
        return math.nan, math.nan, math.nan
    if not y.any():
        return 0.0, 0.0, 0.0
    level = max(abs(float(y.mean())), floor)
    if level == 0.0:
        return math.nan, math.nan, math.nan
    x = np.arange(n, dtype=float) - (n - 1) / 2.0
    sxx = float(x @ x)
    slope = float(x @ (y - y.mean())) / sxx
    change = slope / level
    if n < 3:
        return change, math.nan, math.nan
    resid = y - y.mean() - slope * x
    se = math.sqrt(float(resid @ resid) / (n - 2) / sxx)
    half = t975(n - 2) * se / level
    return change, change - half, change + half


def trend_over_replications(series_per_run: list[np.ndarray] | np.ndarray,
                            floor: float = 0.0) -> tuple[float, float, float]:
    """Mean relative yearly change over independent runs, with a 95 % t interval over runs.

    Each run's change is `yearly_trend` of its own series; the interval comes from the spread of those
    changes between runs, not from residuals within one run, so it stays honest when consecutive years of
    one run are correlated (a waiting list carries over from one year to the next).

    Args:
        series_per_run: one yearly series per run (all the same length, at least 2 years).
        floor: the smallest level a slope is divided by (`yearly_trend`).

    Returns:
        ``(mean change, ci_lo, ci_hi)``; the interval is NaN with fewer than two usable runs.
    """
    changes = np.array([yearly_trend(s, floor)[0] for s in series_per_run], dtype=float)
    changes = changes[~np.isnan(changes)]
    return mean_interval(changes)


def mean_interval(values: np.ndarray) -> tuple[float, float, float]:
    """Mean of independent values with its 95 % t interval (NaN interval with fewer than two values)."""
    x = np.asarray(values, dtype=float)
    if len(x) == 0:
        return math.nan, math.nan, math.nan
    m = float(x.mean())
    if len(x) < 2:
        return m, math.nan, math.nan
    half = t975(len(x) - 1) * float(x.std(ddof=1)) / math.sqrt(len(x))
    return m, m - half, m + half


def window_measures(result: RunResult, start: float, end: float) -> dict[str, float]:
    """Flows and levels of one run in the time window (start, end], as a run stopped at ``end`` would see them.

    Args:
        result: the run's tables.
        start: first day of the window (exclusive), e.g. the end of warm-up.
        end: last day of the window (inclusive).

    Returns:
        ``problem_onsets`` (first episodes of new problems), ``continuation_episodes`` (later attempts on a
        problem: after dropout or crisis), ``new_episodes`` (both), ``help_starts``, ``crises`` (episodes
        ending in crisis), ``mean_waiting`` (families on intake queues and help waiting lists, summed over
        organisations and averaged over the window's days: the daily samples make it time-weighted),
        ``open_episodes`` (mean of the daily count of open episodes), ``tth_onset_mean`` (mean days from
        problem onset to help among episodes signalled in the window and helped by its end; NaN if none),
        ``helped_signalled`` (how many such episodes) and ``help_list_wait_days`` (mean length of the stays
        on help waiting lists that ended in the window; NaN if none).
    """
    ep = result.episodes
    onset = ep.onset_day.to_numpy()
    in_win = (onset > start) & (onset <= end)
    first = ep.attempt.to_numpy() == 0
    help_start = ep.help_start_day.to_numpy()
    end_day = ep.end_day.to_numpy()
    crisis = (ep.outcome == "crisis").to_numpy()
    sig = ep.signal_day.to_numpy()
    # Censored at the window's end like a run whose horizon is `end`: help that starts later does not count.
    helped = (sig > start) & (sig <= end) & (help_start <= end)
    tth = help_start[helped] - ep.problem_onset_day.to_numpy()[helped]
    daily = result.daily
    d_days = daily.day.to_numpy()
    d_in = (d_days > start) & (d_days <= end)
    dorg = result.daily_org
    o_days = dorg.day.to_numpy()
    o_in = (o_days > start) & (o_days <= end)
    queued = (dorg.intake_queue.to_numpy()[o_in] + dorg.waiting.to_numpy()[o_in]).astype(float)
    n_days = int(d_in.sum())
    q = result.queues
    leave = q.leave_day.to_numpy(dtype=float)
    stays = q.queue.str.startswith("help:").to_numpy(dtype=bool) & (leave > start) & (leave <= end)
    waits = leave[stays] - q.enter_day.to_numpy(dtype=float)[stays]
    with np.errstate(invalid="ignore"):
        return {
            "problem_onsets": float((in_win & first).sum()),
            "continuation_episodes": float((in_win & ~first).sum()),
            "new_episodes": float(in_win.sum()),
            "help_starts": float(((help_start > start) & (help_start <= end)).sum()),
            "crises": float((crisis & (end_day > start) & (end_day <= end)).sum()),
            "mean_waiting": float(queued.sum() / n_days) if n_days else math.nan,
            "open_episodes": float(daily.active_episodes.to_numpy()[d_in].mean()) if n_days else math.nan,
            "tth_onset_mean": float(tth.mean()) if len(tth) else math.nan,
            "helped_signalled": float(len(tth)),
            "help_list_wait_days": float(waits.mean()) if len(waits) else math.nan,
        }


def yearly_series(result: RunResult, warm_up: float | None = None) -> dict[str, np.ndarray]:
    """`window_measures` for each complete year after warm-up.

    Args:
        result: the run's tables.
        warm_up: where year 1 starts (default: the run's configured warm-up, ``summary["window_days"][0]``).

    Returns:
        One array per measure of `window_measures`, element k for year k + 1 after warm-up; a trailing
        incomplete year is left out.
    """
    w0, t_end = result.summary["window_days"]
    w0 = float(w0 if warm_up is None else warm_up)
    years = int((t_end - w0) // YEAR_DAYS + 1e-9)
    rows = [window_measures(result, w0 + k * YEAR_DAYS, w0 + (k + 1) * YEAR_DAYS) for k in range(years)]
    keys = rows[0].keys() if rows else window_measures(result, w0, w0).keys()
    return {key: np.array([r[key] for r in rows], dtype=float) for key in keys}


# A status quo is flagged as trending when its yearly change is both statistically clear (the 95 % interval
# excludes 0) and large enough to matter: 5 % a year moves a level by a quarter over five years, enough to
# change a headline averaged over a 3- or 5-year window, while smaller drifts are within what the calibration
# targets themselves vary by from year to year. The size is an assumption, also used by the stationarity tests.
TREND_FLAG_PER_YEAR = 0.05


def trend_verdict(change: float, lo: float, hi: float, threshold: float = TREND_FLAG_PER_YEAR) -> bool | None:
    """True when the interval excludes 0 and the change exceeds the threshold in size; None without an interval."""
    if math.isnan(lo) or math.isnan(hi):
        return None
    return bool((lo > 0.0 or hi < 0.0) and abs(change) > threshold)


def _none_if_nan(x: float) -> float | None:
    return None if math.isnan(x) else float(x)


def warm_up_block(open_daily: np.ndarray, warm_up_days: float) -> dict[str, object]:
    """The summary's ``warm_up`` block: configured warm-up against MSER-5 on the daily open-episode series.

    Args:
        open_daily: open episodes at the end of day 1, 2, ... of the run (warm-up included).
        warm_up_days: the configured warm-up.
    """
    found = mser5(open_daily)
    limit = MSER_BATCH * ((len(open_daily) // MSER_BATCH) // 2)
    # At the limit MSER-5 found no settling point in the first half of the run: the transient (or a slow swing) may
    # reach into the second half, which only a longer run can place; `trend_block` says whether the measured years
    # still change.
    return {"configured_days": float(warm_up_days), "mser5_days": int(found),
            "configured_shorter": bool(warm_up_days < found), "search_limit_days": int(limit),
            "at_search_limit": bool(len(open_daily) >= 2 * MSER_BATCH and found >= limit),
            "series": "open episodes, daily from day 1 (MSER-5 searches the first half of the run)"}


def trend_block(yearly: dict[str, np.ndarray], threshold: float = TREND_FLAG_PER_YEAR,
                floors: dict[str, float] | None = None) -> dict[str, object]:
    """The summary's ``trend`` block: yearly trend of each measure after warm-up, and a flag.

    Args:
        yearly: measure name -> one value per complete year after warm-up (all the same length).
        threshold: relative change per year above which a clear trend is flagged.
        floors: measure name -> the smallest level its slope is divided by (`yearly_trend`).

    Returns:
        ``years``, ``threshold_per_year``, per measure its yearly values, ``change_per_year`` and ``ci95``,
        ``trending`` (True if any measure trends, False if none does, None when one run cannot tell) and
        ``reason`` (why ``trending`` is None, else None).
    """
    years = min((len(v) for v in yearly.values()), default=0)
    measures: dict[str, object] = {}
    verdicts: list[bool | None] = []
    for name, values in yearly.items():
        change, lo, hi = yearly_trend(values, (floors or {}).get(name, 0.0))
        verdict = trend_verdict(change, lo, hi, threshold)
        verdicts.append(verdict)
        measures[name] = {"yearly": [float(v) for v in values], "change_per_year": _none_if_nan(change),
                          "ci95": [_none_if_nan(lo), _none_if_nan(hi)], "trending": verdict}
    reason = None
    if years < 2:
        trending = None
        reason = "fewer than 2 complete years after warm-up"
    elif years < 3:
        trending = None
        reason = "2 years after warm-up give no interval from one run; pool replications (make run does)"
    else:
        trending = any(bool(v) for v in verdicts)
    return {"years": years, "threshold_per_year": threshold, "measures": measures, "trending": trending,
            "reason": reason}
