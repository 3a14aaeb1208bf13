"""No crisis loop: no problem and no family has more than a few crises in any year.

A crisis is a spell of crisis care (an out-of-home placement, an eviction, an emergency admission): it takes
staff hours, lowers the severity of the need, and starts a refractory period in which the same problem cannot be
in crisis again (docs/design.md F3). Two bounds, each checked in any 365 days, in every scenario at 3,500
families (staff scale with the population, so this is each scenario in miniature), under the fragmented and the
networked preset (seed 1, the default five-year warm-up included, three years after it):

- per problem (family, domain, problem): at most ``floor(365 / (days + refractory_days)) + 1`` crises, the number
  the scenario's crisis-care spell and refractory period allow (2 with 28 + 180 days). This is the loop test: in
  the older model a crisis left the need on the same list at the same severity, and it escalated again within
  weeks (one family had 126 crises in three years, one every 41 days on one problem).
- per family: at most 12 (one a month), an assumption: a family reaches it only with more than six problems in
  crisis cycles at once; the worst families of these runs have crises in three or four domains.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import ROOT, config

from sim import RunResult, load_scenario, run
from sim.stationarity import YEAR_DAYS

SCENARIOS = sorted(p.stem for p in (ROOT / "scenarios").glob("*.yaml"))
MAX_CRISES_PER_FAMILY_YEAR = 12  # one a month; see the docstring
SEED = 1
N_FAMILIES = 3500


def most_crises_in_a_year(result: RunResult, by: list[str]) -> tuple[int, tuple, float]:
    """The largest number of crises of one group (columns ``by``) within any 365 days: (count, group, first day)."""
    ep = result.episodes
    crises = ep[ep.outcome == "crisis"].sort_values([*by, "end_day"])
    if crises.empty:
        return 0, (), float("nan")
    group = crises.groupby(by, observed=True, sort=False).ngroup().to_numpy()
    day = crises.end_day.to_numpy()
    # For each crisis, how many crises of the same group fall in [day, day + 365): one sorted search over
    # (group, day) pairs, with groups spaced further apart than any run is long.
    order = np.lexsort((day, group))
    key = group[order].astype(float) * 1e6 + day[order]
    count = np.searchsorted(key, key + YEAR_DAYS, side="left") - np.arange(len(key))
    i = int(np.argmax(count))
    row = crises.iloc[order[i]]
    return int(count[i]), tuple(row[c] for c in by), float(key[i] % 1e6)


@pytest.mark.parametrize("working", ["fragmented", "networked"])
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_no_crisis_loop(scenario: str, working: str) -> None:
    result = run(config(working, scenario=scenario, seed=SEED, n_families=N_FAMILIES))
    care = load_scenario(scenario).crisis_care
    assert care is not None, "every shipped scenario gives crises a spell of crisis care"
    per_problem = int(YEAR_DAYS // (care.days + care.refractory_days)) + 1
    most, which, first = most_crises_in_a_year(result, ["family", "domain", "problem"])
    assert most <= per_problem, (f"{scenario}, {working}: problem {which} has {most} crises within 365 days from day "
                                 f"{first:.0f}; its crisis care ({care.days:g} + {care.refractory_days:g} days) allows {per_problem}")
    most, which, first = most_crises_in_a_year(result, ["family"])
    assert most <= MAX_CRISES_PER_FAMILY_YEAR, (f"{scenario}, {working}: family {which[0]} has {most} crises within 365 "
                                                f"days from day {first:.0f} (bound {MAX_CRISES_PER_FAMILY_YEAR})")
