"""The kwaliteitskompas learning cycle (jeugdhulp): a costed, explicit trust mechanism inside the learning lever."""

from __future__ import annotations

from helpers import run_model

from sim import load_run_config

SMALL = {"n_families": 2200, "horizon_days": 400.0, "warm_up_days": 200.0, "seed": 5}


def _run(gain: float, working: str = "networked"):
    cfg = load_run_config("jeugdhulp", working, scenario_overrides={"levers.learning_cycle_trust": gain}, **SMALL)
    return run_model(cfg)


def test_cycle_raises_trust_of_pairs_that_shared_cases_at_the_same_hours() -> None:
    m_off, r_off = _run(0.0)
    m_on, r_on = _run(0.3)
    assert m_off.levers.learning_network.pairs_reflected == 0
    assert m_on.levers.learning_network.pairs_reflected > 0
    # Trust is identical until the first cycle after the levers switch on, then higher with the cycle.
    first_cycle = SMALL["warm_up_days"] + 91
    before = r_on.daily.day < first_cycle
    assert (r_on.daily.mean_trust[before].to_numpy() == r_off.daily.mean_trust[before].to_numpy()).all()
    assert r_on.daily.mean_trust.iloc[-1] > r_off.daily.mean_trust.iloc[-1]
    # The cycle's hours are the learning network's, booked whether or not reflection raises trust.
    hours = lambda r: r.summary["hours_by_category"].get("learning", 0.0)  # noqa: E731
    assert hours(r_on) == hours(r_off) > 0.0


def test_cycle_is_inert_in_the_status_quo() -> None:
    """Fragmented working has no learning network, so the cycle parameter changes nothing."""
    _, r_a = _run(0.0, "fragmented")
    _, r_b = _run(0.3, "fragmented")
    assert r_a.episodes.equals(r_b.episodes) and r_a.ledger.equals(r_b.ledger)
