"""The answer does not depend on how long one runs or how large a population one simulates.

Horizon invariance: in ``sociaal_domein`` (5,000 families, four paired seeds, five years after the default five-year
warm-up), the paired networked-minus-fragmented difference in mean days from problem onset to help, among
episodes signalled in the window and helped by its end, is measured in years 1-2 and in years 4-5 after
warm-up. Each window is censored at its own end, as a run whose horizon ended there would see it
(`sim.stationarity.window_measures`), so the two are what an adviser running 2 and one running 5 years would
report for their last two years.

Scale invariance (metamorphic): the fragmented status quo of ``sociaal_domein`` at 5,000 and at 20,000 families
(staff scale with the population) gives the same per-family outcomes: share of signalled episodes helped,
crises per 1000 families a year, and cost per family a year (all payers, measurement window).

"Agree within their confidence intervals" is read literally: the two 95 % intervals (t intervals over seeds)
overlap. Seeds are fixed, so the test is deterministic; overlap rather than "the interval of the difference
covers 0" keeps the chance that a correct model fails one of the four comparisons by bad luck small (two
overlapping 95 % intervals of equal width allow a difference of about 2.8 standard errors).
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import config

from sim import RunResult, run
from sim.stationarity import YEAR_DAYS, mean_interval, window_measures

SEEDS = (1, 2, 3, 4)
WARM_UP_DAYS = 1825.0  # the default warm-up (configs/config.yaml)
HORIZON_FAMILIES = 5000
HORIZON_YEARS = 5
EARLY = (0, 2)  # years 1-2 after warm-up, as (start, end) in years
LATE = (3, 5)  # years 4-5
SCALES = (5000, 20000)
SCALE_HORIZON_DAYS = 730.0


def overlap(a: tuple[float, float, float], b: tuple[float, float, float]) -> bool:
    """Whether two (mean, lo, hi) intervals share a point."""
    return a[1] <= b[2] and b[1] <= a[2]


def fmt(x: tuple[float, float, float], digits: int = 1) -> str:
    return f"{x[0]:.{digits}f} [{x[1]:.{digits}f}, {x[2]:.{digits}f}]"


def tth_in_window(result: RunResult, years: tuple[int, int]) -> float:
    """Mean days from onset to help in the window (years after warm-up), censored at the window's end."""
    start, end = (WARM_UP_DAYS + y * YEAR_DAYS for y in years)
    return window_measures(result, start, end)["tth_onset_mean"]


@pytest.fixture(scope="module")
def horizon_differences() -> dict[tuple[int, int], np.ndarray]:
    """Per seed, networked minus fragmented mean time to help from onset, in the early and the late window."""
    diffs: dict[tuple[int, int], list[float]] = {EARLY: [], LATE: []}
    for seed in SEEDS:
        arms = {w: run(config(w, seed=seed, n_families=HORIZON_FAMILIES, warm_up_days=WARM_UP_DAYS,
                              horizon_days=HORIZON_YEARS * YEAR_DAYS)) for w in ("fragmented", "networked")}
        for window in diffs:
            diffs[window].append(tth_in_window(arms["networked"], window) - tth_in_window(arms["fragmented"], window))
    return {w: np.array(v) for w, v in diffs.items()}


def test_networked_minus_fragmented_time_to_help_is_the_same_in_years_1_2_and_4_5(horizon_differences) -> None:
    early = mean_interval(horizon_differences[EARLY])
    late = mean_interval(horizon_differences[LATE])
    assert overlap(early, late), (
        f"sociaal_domein, {HORIZON_FAMILIES} families, seeds {SEEDS}: networked - fragmented mean days to help "
        f"from onset is {fmt(early)} in years 1-2 and {fmt(late)} in years 4-5 after warm-up; the 95 % intervals "
        f"do not overlap (per seed: years 1-2 {np.round(horizon_differences[EARLY], 1).tolist()}, "
        f"years 4-5 {np.round(horizon_differences[LATE], 1).tolist()})")


def per_family_outcomes(result: RunResult) -> dict[str, float]:
    """Outcomes that do not depend on the population size in a system whose staff scale with it."""
    s = result.summary
    years = (s["window_days"][1] - s["window_days"][0]) / YEAR_DAYS
    return {"share of signalled episodes helped (%)": 100.0 * s["share_helped"],
            "crises per 1000 families a year": s["crises_per_1000_families_per_year"],
            "cost per family a year (EUR)": s["cost_total"] / s["families"] / years}


@pytest.fixture(scope="module")
def outcomes_by_scale() -> dict[int, dict[str, np.ndarray]]:
    out: dict[int, dict[str, np.ndarray]] = {}
    for n in SCALES:
        rows = [per_family_outcomes(run(config("fragmented", seed=seed, n_families=n, warm_up_days=WARM_UP_DAYS,
                                               horizon_days=SCALE_HORIZON_DAYS))) for seed in SEEDS]
        out[n] = {k: np.array([r[k] for r in rows]) for k in rows[0]}
    return out


# These two cases failed until reneging that rises with the wait (design F8) and the referral, intensity and breadth
# mechanisms (design G) landed together: at equal staff per family, 20,000 families were helped more and had about
# 11 % fewer crises than 5,000, through the help waiting lists of small per-domain staff pools (the neighbourhood
# team's 2 addiction professionals per 10,000 families are 1 at 5,000 and 4 at 20,000). Reneging bounds those lists,
# so the intervals now overlap. Pooling is a real economy of scale and can come back near full load; this test is
# where it would show.


@pytest.mark.parametrize("outcome", ["share of signalled episodes helped (%)", "crises per 1000 families a year",
                                     "cost per family a year (EUR)"])
def test_per_family_outcomes_agree_at_5000_and_20000_families(outcomes_by_scale, outcome: str) -> None:
    small, large = (mean_interval(outcomes_by_scale[n][outcome]) for n in SCALES)
    assert overlap(small, large), (
        f"sociaal_domein, fragmented, seeds {SEEDS}: {outcome} is {fmt(small)} at {SCALES[0]} families and "
        f"{fmt(large)} at {SCALES[1]}; the 95 % intervals do not overlap "
        f"(ratio {large[0] / small[0]:.2f})")
