"""Conservation checks shared by the default-scenario tests and the tests of every scenario file.

Each function checks one identity of a finished run and raises AssertionError when it fails: every episode has
exactly one outcome, every euro is booked once, no family is lost, the daily open-episode counter matches the
episode table, and a problem continues without gaps. The identities are exact (up to floating-point summation),
so they hold for any scenario and any lever setting.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim import RunResult, SocialDomainModel

OUTCOMES = {"resolved", "dropped_out", "crisis", "ongoing", "moved"}
MOVED_REASONS = {"moved", "aged_out"}  # the family left the population (sim.population)
CRISIS_REASONS = {"crisis", "breakdown"}  # severity reached 1, or help broke down (e.g. tenancy loss)
EPISODE_CATEGORIES = {"intake", "help", "crisis", "flex", "place"}  # booked on an episode as well as in the ledger
OVERHEAD_CATEGORIES = {"coordination", "case_table", "learning"}  # booked on no episode


def check_outcomes(ep: pd.DataFrame) -> None:
    """Every episode has exactly one outcome, with a consistent end reason and ordered times."""
    assert ep.outcome.notna().all() and set(ep.outcome) <= OUTCOMES
    assert ep.episode.is_unique and (ep.episode.to_numpy() == np.arange(len(ep))).all()
    ongoing = ep.outcome == "ongoing"
    assert (ongoing == ep.end_day.isna()).all(), "ongoing exactly when the episode has no end"
    assert (ep.end_reason[ongoing] == "horizon").all()
    assert set(ep.end_reason[ep.outcome == "resolved"]) <= {"help", "remission"}
    assert set(ep.end_reason[ep.outcome == "crisis"]) <= CRISIS_REASONS
    assert set(ep.end_reason[ep.outcome == "moved"]) <= MOVED_REASONS
    ended = ep[~ongoing]
    assert (ended.end_day >= ended.onset_day).all()
    assert (ep.onset_day >= ep.problem_onset_day).all()
    signalled = ep.signal_day.notna()
    assert (ep.signal_day[signalled] >= ep.onset_day[signalled]).all()
    helped = ep.help_start_day.notna()
    assert (ep.help_start_day[helped] >= ep.signal_day[helped]).all(), "help starts only after the need is known"
    assert (ep.outcome[ep.end_reason == "help"] == "resolved").all()
    assert helped[ep.end_reason == "help"].all(), "resolved by help implies help started"
    assert helped[ep.end_reason == "breakdown"].all(), "only help can break down"


def check_ledger(result: RunResult, levers_on: bool) -> None:
    """Ledger total = summary cost; episode costs + overhead categories = total; overhead only with levers on."""
    ledger, ep, summary = result.ledger, result.episodes, result.summary
    total = float(ledger.amount.sum())
    assert total > 0
    assert total == pytest.approx(summary["cost_total"], rel=1e-12)
    assert (ledger.amount >= 0).all() and (ep.cost >= 0).all()
    assert set(ledger.category) <= EPISODE_CATEGORIES | OVERHEAD_CATEGORIES
    by_cat = ledger.groupby("category").amount.sum()
    overhead = float(by_cat.reindex(sorted(OVERHEAD_CATEGORIES), fill_value=0.0).sum())
    episode_booked = float(by_cat.reindex(sorted(EPISODE_CATEGORIES), fill_value=0.0).sum())
    assert float(ep.cost.sum()) + overhead == pytest.approx(total, rel=1e-6)
    assert float(ep.cost.sum()) == pytest.approx(episode_booked, rel=1e-6)
    assert sum(summary["cost_by_category"].values()) == pytest.approx(total, rel=1e-9)
    assert sum(summary["cost_by_payer"].values()) == pytest.approx(total, rel=1e-9)
    if levers_on:
        assert overhead > 0, "networked working must pay for its overhead"
    else:
        assert overhead == 0, "no lever is on, so no overhead may be booked"


def check_families(model: SocialDomainModel, result: RunResult) -> None:
    """Every family is in the accounting once; the population size is constant; problem counts match the table.

    Families that left were replaced by families numbered n, n + 1, ... in order of entry (sim.population).
    """
    n = model.config.families
    entered = model.flows.entered
    assert len(model.families) == n and len({f.fid for f in model.families}) == n
    assert sorted(model.family_index) == list(range(n + entered))
    assert sum(f.departed for f in model.family_index.values()) == model.flows.left == entered
    assert not any(f.departed for f in model.families)
    assert result.summary["families"] == n
    ep = result.episodes
    assert ep.family.between(0, n + entered - 1).all()
    # Every need of a family that left ended when it left, as moved.
    left = {f.fid for f in model.family_index.values() if f.departed}
    assert ep[ep.family.isin(left)].outcome.ne("ongoing").all()
    # A family's problem count equals its number of distinct problems in the table (recurrences share a problem).
    problems = ep.groupby("family").problem.nunique().reindex(range(n + entered), fill_value=0)
    onsets = pd.Series([model.family_index[k].problems for k in range(n + entered)])
    assert (problems.to_numpy() == onsets.to_numpy()).all()


def check_open_count(result: RunResult) -> None:
    """The daily count of open episodes (a running counter) equals the count reconstructed from the table.

    The daily sample at day k is taken before any other event at k, so an episode is open then if it began
    before k and had not ended before k.
    """
    ep, daily = result.episodes, result.daily
    onsets = np.sort(ep.onset_day.to_numpy())
    ends = np.sort(ep.end_day.dropna().to_numpy())
    days = daily.day.to_numpy(dtype=float)
    active = np.searchsorted(onsets, days, side="left") - np.searchsorted(ends, days, side="left")
    assert (active == daily.active_episodes.to_numpy()).all()
    assert daily.active_episodes.iloc[-1] == (ep.outcome == "ongoing").sum()


def check_problem_chains(ep: pd.DataFrame) -> None:
    """At most one open episode per family and domain; a dropout or crisis continues the problem at once.

    Every attempt k > 0 has its attempt k - 1; after a dropout or crisis it starts at the very moment the
    previous attempt ended, after a resolution (a recurrence) it starts later.
    """
    for _, g in ep.sort_values(["onset_day", "episode"]).groupby(["family", "domain"], observed=True):
        end = g.end_day.to_numpy()
        assert (g.onset_day.to_numpy()[1:] >= end[:-1]).all(), "two open episodes in one domain at once"
        assert not np.isnan(end[:-1]).any(), "only the last episode of a domain may still be open"
    key = ["family", "domain", "problem", "attempt"]
    assert not ep.duplicated(key).any()
    prev = ep[key + ["end_day", "outcome"]].copy()
    prev["attempt"] += 1
    later = ep[ep.attempt > 0].merge(prev, on=key, how="left", suffixes=("", "_prev"))
    assert later.outcome_prev.notna().all(), "an attempt without its predecessor"
    cont = later.outcome_prev.isin(["dropped_out", "crisis"])
    assert (later.onset_day[cont] == later.end_day_prev[cont]).all()
    assert (later.outcome_prev[~cont] == "resolved").all()
    assert (later.onset_day[~cont] > later.end_day_prev[~cont]).all()
    nxt = later[key[:3] + ["attempt"]].assign(attempt=later.attempt - 1)
    ended_badly = ep[ep.outcome.isin(["dropped_out", "crisis"])][key]
    followed = ended_badly.merge(nxt, on=key, how="left", indicator=True)
    assert (followed["_merge"] == "both").all(), "a dropout or crisis whose problem did not go on"


def check_all(model: SocialDomainModel, result: RunResult, levers_on: bool) -> None:
    """Every conservation identity of one run."""
    check_outcomes(result.episodes)
    check_ledger(result, levers_on)
    check_families(model, result)
    check_open_count(result)
    check_problem_chains(result.episodes)
