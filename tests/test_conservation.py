"""Conservation: every episode has one outcome, every euro is booked once, no family or episode is lost.

Checked on one small default-scenario run per preset (shared session fixture). The identities are exact up
to floating-point summation, so they do not depend on the scenario's values.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from helpers import DATA, config

from sim import RunResult, SocialDomainModel, load_scenario, run

OUTCOMES = {"resolved", "dropped_out", "crisis", "ongoing"}
EPISODE_CATEGORIES = {"intake", "help", "crisis", "flex"}  # booked on an episode as well as in the ledger
OVERHEAD_CATEGORIES = {"coordination", "case_table", "learning"}  # booked on no episode
PRESETS = ["fragmented", "networked"]

Runs = dict[str, tuple[SocialDomainModel, RunResult]]


@pytest.mark.parametrize("working", PRESETS)
def test_every_episode_has_exactly_one_outcome(default_runs: Runs, working: str) -> None:
    ep = default_runs[working][1].episodes
    assert len(ep) > 500
    assert ep.outcome.notna().all() and set(ep.outcome) <= OUTCOMES
    assert ep.episode.is_unique and (ep.episode.to_numpy() == np.arange(len(ep))).all()
    ongoing = ep.outcome == "ongoing"
    assert (ongoing == ep.end_day.isna()).all(), "ongoing exactly when the episode has no end"
    assert (ep.end_reason[ongoing] == "horizon").all()
    assert set(ep.end_reason[ep.outcome == "resolved"]) <= {"help", "remission"}
    assert (ep.end_reason[ep.outcome == "crisis"] == "crisis").all()
    ended = ep[~ongoing]
    assert (ended.end_day >= ended.onset_day).all()
    assert (ep.onset_day >= ep.problem_onset_day).all()
    signalled = ep.signal_day.notna()
    assert (ep.signal_day[signalled] >= ep.onset_day[signalled]).all()
    helped = ep.help_start_day.notna()
    assert (ep.help_start_day[helped] >= ep.signal_day[helped]).all(), "help starts only after the need is known"
    assert (ep.outcome[ep.end_reason == "help"] == "resolved").all()
    assert helped[ep.end_reason == "help"].all(), "resolved by help implies help started"


@pytest.mark.parametrize("working", PRESETS)
def test_ledger_adds_up(default_runs: Runs, working: str) -> None:
    """Ledger total = summary cost; episode costs + overhead categories = total; nothing booked twice or lost."""
    _, result = default_runs[working]
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
    if working == "networked":
        assert overhead > 0, "networked working must pay for its overhead"
    else:
        assert overhead == 0, "no lever is on, so no overhead may be booked"


@pytest.mark.parametrize("working", PRESETS)
def test_every_family_accounted_for(default_runs: Runs, working: str) -> None:
    model, result = default_runs[working]
    n = model.config.families
    assert [f.fid for f in model.families] == list(range(n))
    assert result.summary["families"] == n
    ep = result.episodes
    assert ep.family.between(0, n - 1).all()
    assert result.summary["families_served"] <= n
    # A family's problem count equals its number of distinct problems in the table (recurrences share a problem).
    problems = ep.groupby("family").problem.nunique().reindex(range(n), fill_value=0)
    onsets = pd.Series([f.problems for f in model.families])
    assert (problems.to_numpy() == onsets.to_numpy()).all()


@pytest.mark.parametrize("working", PRESETS)
def test_open_episode_count_matches_table(default_runs: Runs, working: str) -> None:
    """The daily count of open episodes (a running counter) equals the count reconstructed from the table.

    The daily sample at day k is taken before any other event at k, so an episode is open then if it began
    before k and had not ended before k.
    """
    _, result = default_runs[working]
    ep, daily = result.episodes, result.daily
    onsets = np.sort(ep.onset_day.to_numpy())
    ends = np.sort(ep.end_day.dropna().to_numpy())
    days = daily.day.to_numpy(dtype=float)
    active = np.searchsorted(onsets, days, side="left") - np.searchsorted(ends, days, side="left")
    assert (active == daily.active_episodes.to_numpy()).all()
    assert daily.active_episodes.iloc[-1] == (ep.outcome == "ongoing").sum()


@pytest.mark.parametrize("working", PRESETS)
def test_problems_continue_without_gaps(default_runs: Runs, working: str) -> None:
    """At most one open episode per family and domain; a dropout or crisis continues the problem at once.

    Every attempt k > 0 has its attempt k - 1; after a dropout or crisis it starts at the very moment the
    previous attempt ended, after a resolution (a recurrence) it starts later.
    """
    ep = default_runs[working][1].episodes
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


def test_no_organisation_refers_a_need_to_itself() -> None:
    """A need that no organisation may take (above every severity ceiling) ends as ``no_mandate``.

    Regression: the last fallback of `Pathway.correct_org` ignored ``exclude``, so the only organisation with
    the domain in its mandate referred the need to itself, over and over (a new intake and handoff each
    time), until the family dropped out. In this fixture each domain has one organisation, so every handoff
    would be such a self-referral.
    """
    sc = load_scenario(DATA / "honesty_lose.yaml")
    orgs = dict(sc.organisations)
    orgs["wijkteam"] = dataclasses.replace(orgs["wijkteam"], max_severity=0.3)
    result = run(config("fragmented", dataclasses.replace(sc, organisations=orgs), seed=2, n_families=1500,
                        horizon_days=365.0, warm_up_days=0.0))
    ep = result.episodes
    assert (ep.end_reason == "no_mandate").any(), "the situation under test must occur"
    assert (ep.handoffs == 0).all()
    assert (ep.intakes <= 1).all()
