"""Conservation: every episode has one outcome, every euro is booked once, no family or episode is lost.

Checked on one small default-scenario run per preset (shared session fixture). The identities are exact up
to floating-point summation, so they do not depend on the scenario's values; the checks themselves live in
``conservation_checks.py``, which ``test_scenarios.py`` runs on every scenario file too.
"""

from __future__ import annotations

import dataclasses

import pytest
from conservation_checks import check_families, check_ledger, check_open_count, check_outcomes, check_problem_chains
from helpers import DATA, config

from sim import RunResult, SocialDomainModel, load_scenario, run

PRESETS = ["fragmented", "networked"]

Runs = dict[str, tuple[SocialDomainModel, RunResult]]


@pytest.mark.parametrize("working", PRESETS)
def test_every_episode_has_exactly_one_outcome(default_runs: Runs, working: str) -> None:
    ep = default_runs[working][1].episodes
    assert len(ep) > 500
    check_outcomes(ep)


@pytest.mark.parametrize("working", PRESETS)
def test_ledger_adds_up(default_runs: Runs, working: str) -> None:
    """Ledger total = summary cost; episode costs + overhead categories = total; nothing booked twice or lost."""
    check_ledger(default_runs[working][1], levers_on=working == "networked")


@pytest.mark.parametrize("working", PRESETS)
def test_every_family_accounted_for(default_runs: Runs, working: str) -> None:
    check_families(*default_runs[working])


@pytest.mark.parametrize("working", PRESETS)
def test_open_episode_count_matches_table(default_runs: Runs, working: str) -> None:
    """The daily count of open episodes (a running counter) equals the count reconstructed from the table."""
    check_open_count(default_runs[working][1])


@pytest.mark.parametrize("working", PRESETS)
def test_problems_continue_without_gaps(default_runs: Runs, working: str) -> None:
    """At most one open episode per family and domain; a dropout or crisis continues the problem at once."""
    check_problem_chains(default_runs[working][1].episodes)


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
