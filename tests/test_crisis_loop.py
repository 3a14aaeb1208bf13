"""No crisis loop: no family has more than a few crises in any year.

A crisis is an episode of crisis care (an out-of-home placement, an eviction, an emergency admission): it takes
a spell of care, lowers the severity of the need when it ends, and starts a refractory period in which the same
need does not escalate into crisis again. The bound assumes (an assumption, not a published figure) that spell
plus refractory period last at least about three months, so one need can reach at most 4 crises a year, and that
it is rare for several needs of one family to be in crisis-refractory cycles at once: MAX_CRISES_PER_YEAR = 4 in
any 365 days, for every family, in every scenario at 3,500 families (staff scale with the population, so this is
each scenario in miniature), under the fragmented and the networked preset (seed 1, the one-year warm-up
included, three years after it). A model in which a crisis leaves the need as it was loops: the family is back
on the same list with the same severity and escalates again within weeks.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import ROOT, config

from sim import RunResult, run
from sim.stationarity import YEAR_DAYS

SCENARIOS = sorted(p.stem for p in (ROOT / "scenarios").glob("*.yaml"))
MAX_CRISES_PER_YEAR = 4
SEED = 1
N_FAMILIES = 3500


def most_crises_in_a_year(result: RunResult) -> tuple[int, int, float]:
    """The largest number of crises of one family within any 365 days: (count, family, first day of that span)."""
    ep = result.episodes
    crises = ep[ep.outcome == "crisis"].sort_values(["family", "end_day"])
    if crises.empty:
        return 0, -1, float("nan")
    fam = crises.family.to_numpy()
    day = crises.end_day.to_numpy()
    # For each crisis, how many crises of the same family fall in [day, day + 365): one sorted search over
    # (family, day) pairs, with families spaced further apart than any run is long.
    key = fam.astype(float) * 1e6 + day
    count = np.searchsorted(key, key + YEAR_DAYS, side="left") - np.arange(len(key))
    i = int(np.argmax(count))
    return int(count[i]), int(fam[i]), float(day[i])


@pytest.mark.parametrize("working", ["fragmented", "networked"])
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_no_family_has_more_than_a_few_crises_a_year(scenario: str, working: str) -> None:
    result = run(config(working, scenario=scenario, seed=SEED, n_families=N_FAMILIES))
    most, family, first = most_crises_in_a_year(result)
    ep = result.episodes
    per_family = ep[ep.outcome == "crisis"].groupby("family").size()
    assert most <= MAX_CRISES_PER_YEAR, (
        f"{scenario}, {working}, {result.summary['families']} families, seed {SEED}: family {family} has {most} "
        f"crises within 365 days from day {first:.0f} (bound {MAX_CRISES_PER_YEAR}); "
        f"{int((per_family > MAX_CRISES_PER_YEAR).sum())} families have more than {MAX_CRISES_PER_YEAR} crises "
        f"in the whole run, the most {int(per_family.max())} in {result.summary['window_days'][1]:.0f} days")
