"""The fragmented status quo is a steady state: after warm-up, ten years of flows and waiting lists stay level.

Every scenario in ``scenarios/`` runs under the fragmented preset for the default five-year warm-up plus ten
years, at 3,500 families (staff scale with the population, so a small population is the same system in
miniature and keeps the test affordable) and four seeds. For each of four yearly series after warm-up

- new episodes (first episodes of new problems plus continuation episodes after dropout or crisis),
- help starts,
- crises,
- the mean number of families waiting (intake queues plus help waiting lists, time-weighted),

the fitted yearly change (least-squares slope over the series' mean, `sim.stationarity.yearly_trend`) must be at
most 5 % a year in size, and its 95 % confidence interval must lie inside -10 % .. +10 % a year.

Pooling of seeds: the slope is fitted per seed and the four slopes are averaged, with a t interval over seeds
(`sim.stationarity.trend_over_replications`). Seeds are independent replications, so the spread of their slopes
is an honest measure of uncertainty even when consecutive years of one run are correlated (a waiting list
carries over from one year to the next), which a residual interval of one pooled series would understate.
Four seeds rather than three: the t factor of the interval falls from 4.3 to 3.2, which a rare count needs
(about 10 crises a year in jonge_kind at 2,000 families gave an interval of +-30 % with three seeds today).

The number waiting is divided by at least 1 family per 1,000 (an assumption: a list that is nearly always
empty is in balance, and a change from 0.1 to 0.2 families waiting is not a trend worth a failure). Crises are
divided by at least 2 per 1,000 families a year for the same reason (an assumption): where crises are that rare
(jonge_kind: about 3 a year at 3,500 families), a relative yearly change is the noise of a handful of events,
and a trend of the rate that small could not move any output the project reports.

The 5 % size is `sim.stationarity.TREND_FLAG_PER_YEAR` (the size at which a run's summary flags a trend).
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import ROOT, config

from sim import run
from sim.stationarity import TREND_FLAG_PER_YEAR, trend_over_replications, yearly_series

# One scenario per test, nothing shared between them: tests/conftest.py lets pytest-xdist spread them (SPREAD_MODULES).
SCENARIOS = sorted(p.stem for p in (ROOT / "scenarios").glob("*.yaml"))
SEEDS = (1, 2, 3, 4)
N_FAMILIES = 3500
WARM_UP_DAYS = 1825.0  # the default warm-up (configs/config.yaml)
YEARS = 10
MAX_CHANGE = TREND_FLAG_PER_YEAR  # fitted change per year, in size
CI_BOUND = 0.10  # the 95 % interval must lie inside +-10 % a year
CHECKED = {
    "new_episodes": "new episodes",
    "help_starts": "help starts",
    "crises": "crises",
    "mean_waiting": "mean number waiting",
}
FLOORS = {"mean_waiting": N_FAMILIES / 1000.0, "crises": 2.0 * N_FAMILIES / 1000.0}  # smallest level a slope is divided by (see the docstring)
# Shown in a failure message to say where a change comes from; not asserted on.
SHOWN = {"problem_onsets": "new problems", "continuation_episodes": "continuation episodes",
         "open_episodes": "open episodes"}


def yearly_per_seed(scenario: str) -> list[dict[str, np.ndarray]]:
    """The yearly series of each seed's fragmented run of ``scenario``."""
    out = []
    for seed in SEEDS:
        result = run(config("fragmented", scenario=scenario, seed=seed, n_families=N_FAMILIES,
                            warm_up_days=WARM_UP_DAYS, horizon_days=YEARS * 365.0))
        out.append(yearly_series(result))
    return out


def describe(name: str, per_seed: list[dict[str, np.ndarray]]) -> str:
    """One line: the pooled change with its interval, and the seed-mean series year by year."""
    change, lo, hi = trend_over_replications([s[name] for s in per_seed], FLOORS.get(name, 0.0))
    mean_series = np.mean([s[name] for s in per_seed], axis=0)
    values = ", ".join(f"{v:.0f}" if abs(v) >= 10 else f"{v:.1f}" for v in mean_series)
    return f"{name}: {change:+.1%}/yr [{lo:+.1%}, {hi:+.1%}] (seed mean by year: {values})"


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_fragmented_status_quo_is_level_for_ten_years_after_warm_up(scenario: str) -> None:
    per_seed = yearly_per_seed(scenario)
    assert all(len(s["crises"]) == YEARS for s in per_seed)
    failures = []
    for name, label in CHECKED.items():
        change, lo, hi = trend_over_replications([s[name] for s in per_seed], FLOORS.get(name, 0.0))
        if not (abs(change) <= MAX_CHANGE and lo >= -CI_BOUND and hi <= CI_BOUND):
            failures.append(f"{label} changes {change:+.1%} a year (95 % CI {lo:+.1%} to {hi:+.1%}); "
                            f"allowed: at most {MAX_CHANGE:.0%} in size, CI inside +-{CI_BOUND:.0%}")
    context = "\n  ".join(describe(n, per_seed) for n in [*CHECKED, *SHOWN])
    assert not failures, (f"{scenario}, fragmented, {N_FAMILIES} families, seeds {SEEDS}, {YEARS} years after a "
                          f"{WARM_UP_DAYS:.0f}-day warm-up:\n  " + "\n  ".join(failures) + "\n  " + context)
