"""Flows that keep the status quo in balance: families come and go, needs remit at every severity, crises end.

Each test checks one mechanism of docs/design.md (A3 remission, A4 crisis care, A19 population flows) against
its definition, on the production code: the integrated remission hazard against numerical integration, the
family's exit (every open need ends as ``moved`` at that moment, the same families come and go in both arms),
and crisis care (hours reserved from the care organisation, no second crisis of a problem within the spell and
its refractory period, and the family keeps its place on the list it was waiting on).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import quad

from sim import SocialDomainModel, collect, load_run_config

SMALL = {"n_families": 3500, "horizon_days": 730.0, "warm_up_days": 365.0}
FAST_TURNOVER = {"population.turnover_per_year": 0.12}


@pytest.fixture(scope="module")
def runs() -> dict[str, tuple[SocialDomainModel, object]]:
    out = {}
    for working in ("fragmented", "networked"):
        model = SocialDomainModel(load_run_config("sociaal_domein", working, seed=3, scenario_overrides=FAST_TURNOVER, **SMALL))
        model.run()
        out[working] = (model, collect(model))
    return out


def test_remission_time_solves_the_integrated_hazard() -> None:
    """The remission time of a growing need is where the integral of mu * h(s(t)) reaches the threshold."""
    model = SocialDomainModel(load_run_config("sociaal_domein", "fragmented", n_families=3500, horizon_days=1.0, warm_up_days=0.0))
    pw = model.pathway
    light, k = pw.light, pw.decay
    assert k is not None and k > 0

    def h(s: float) -> float:
        return 1.0 if s <= light else math.exp(-k * (s - light))

    for s0, g, rest in [(0.1, 0.002, 0.05), (0.2, 0.001, 0.4), (0.5, 0.003, 0.1), (0.9, 0.004, 0.01), (0.35, 0.0, 0.2)]:
        t = pw._remission_time(s0, g, 0.0, rest)
        if g == 0.0:
            assert t == pytest.approx(rest / h(s0), rel=1e-12)
            continue
        if math.isinf(t):  # no remission before the need reaches a crisis: the whole integral is below rest
            assert quad(lambda x, s0=s0, g=g: h(s0 + g * x), 0.0, (1.0 - s0) / g)[0] < rest
            continue
        assert s0 + g * t < 1.0
        assert quad(lambda x, s0=s0, g=g: h(s0 + g * x), 0.0, t, points=[max(0.0, (light - s0) / g)])[0] == pytest.approx(rest, rel=1e-9)
        # the closed-form integral agrees too
        assert (pw._h_int(s0 + g * t) - pw._h_int(s0)) / g == pytest.approx(rest, rel=1e-9)


def test_heavy_needs_remit_too(runs: dict) -> None:
    """Remission is not only for light needs: some needs remit above the light threshold."""
    model, result = runs["fragmented"]
    ep = result.episodes
    rem = ep[ep.end_reason == "remission"]
    assert len(rem) > 0
    light = model.spec.light_threshold
    # the severity at remission is not stored; a need that was signalled as a crisis continuation (severity
    # post-crisis, well above light) and then remitted shows remission above the light threshold
    heavy_start = rem[rem.attempt > 0].merge(ep[["family", "domain", "problem", "attempt", "outcome"]].assign(attempt=lambda d: d.attempt + 1),
                                             on=["family", "domain", "problem", "attempt"], suffixes=("", "_prev"))
    assert (heavy_start.outcome_prev == "crisis").any(), "no need remitted after a crisis (severity above light)"
    assert min(d.post_crisis_severity for d in model.spec.domains.values()) > light


def test_families_leave_and_are_replaced(runs: dict) -> None:
    """A family that leaves takes its open needs with it (outcome moved, at its exit); a new family takes its place."""
    model, result = runs["fragmented"]
    flows = model.flows
    assert flows.left > 0 and flows.entered == flows.left and flows.aged_out > 0
    assert len(model.families) == model.config.families
    ep = result.episodes
    moved = ep[ep.outcome == "moved"]
    assert len(moved) > 0 and set(moved.end_reason) <= {"moved", "aged_out"}
    for fid, g in moved.groupby("family"):
        fam = model.family_index[fid]
        assert fam.departed
        assert (g.end_day == g.end_day.iloc[0]).all(), "all needs of a leaving family end at the same moment"
        later = ep[(ep.family == fid) & (ep.onset_day > g.end_day.iloc[0])]
        assert later.empty, "a family that left has no new needs"
    entrants = ep[ep.family >= model.config.families]
    assert len(entrants) > 0, "families that entered develop needs"
    # moved episodes are censored: they count neither as ended for dropout nor as helped
    assert result.summary["moved"] == int(((ep.outcome == "moved") & (ep.end_day >= model.warm_up)).sum())


def test_the_same_families_come_and_go_in_both_arms(runs: dict) -> None:
    """Exits and entries depend on keyed draws only: the same numbers leave and enter at the same times in both arms."""
    frag, net = runs["fragmented"][0], runs["networked"][0]
    assert frag.flows.entered == net.flows.entered
    for fid in range(frag.config.families + frag.flows.entered):
        a, b = frag.family_index[fid], net.family_index[fid]
        assert a.departed == b.departed and a.exit_reason == b.exit_reason
        assert a.vulnerability == b.vulnerability and a.informal_support == b.informal_support


def test_crisis_care_takes_hours_and_a_refractory_period(runs: dict) -> None:
    """Crisis care books hours of the care organisation; a problem is not in crisis again within spell + refractory days."""
    model, result = runs["fragmented"]
    care = model.spec.crisis_care
    assert care is not None and care.hours_per_week > 0
    hours = result.ledger[result.ledger.category == "crisis"].hours.sum()
    assert hours > 0
    ep = result.episodes
    crises = ep[ep.outcome == "crisis"].sort_values("end_day")
    assert len(crises) > 10
    gaps = crises.groupby(["family", "domain", "problem"], observed=True).end_day.diff().dropna()
    assert (gaps >= care.days + care.refractory_days - 1e-9).all()


def test_a_waiting_family_keeps_its_place_after_a_crisis() -> None:
    """A crisis while waiting on a list: the continuation is back on the same list at once, not at the back.

    The scenario's population with half the specialist youth-care staff, so that families wait long enough for
    crises to happen on the waiting list.
    """
    half = {f"organisations.jeugdhulp.professionals.{d}": n for d, n in (("parenting", 6), ("youth_mental_health", 7),
                                                                          ("child_development", 3))}
    model = SocialDomainModel(load_run_config("sociaal_domein", "fragmented", seed=2, horizon_days=365.0, warm_up_days=365.0,
                                              scenario_overrides=half))
    model.run()
    result = collect(model)
    q, ep = result.queues, result.episodes
    crisis_exits = q[q.how == "crisis"]
    assert len(crisis_exits) > 0, "no crisis happened while waiting (make the fixture busier)"
    keys = ep.set_index("episode")[["family", "domain", "problem", "attempt"]]
    nxt = keys.reset_index().assign(attempt=lambda d: d.attempt - 1).set_index(["family", "domain", "problem", "attempt"]).episode
    outcome = ep.set_index("episode").outcome
    checked = 0
    for row in crisis_exits.itertuples(index=False):
        k = tuple(keys.loc[row.episode])
        follower = nxt.get(k)
        assert follower is not None
        stays = q[(q.episode == follower) & (q.organisation == row.organisation) & (q.queue == row.queue)]
        if stays.empty:  # the queue log holds finished stays only: the follower is still on the list at the horizon
            assert outcome[follower] == "ongoing"
            continue
        assert np.isclose(stays.enter_day.min(), row.leave_day), "the continuation re-entered later"
        checked += 1
    assert checked > 0


def test_entering_families_draw_the_same_numbers_as_one_draw_at_a_time() -> None:
    """Entrants' traits and first onset thresholds, drawn ahead in blocks, equal the keyed draws one by one."""
    from sim.population import ENTRANT_BLOCK
    from sim.streams import beta_table, gamma_table

    model = SocialDomainModel(load_run_config("sociaal_domein", "fragmented", n_families=3500, horizon_days=1.0, warm_up_days=0.0))
    sc, r = model.spec, model.rand
    for _ in range(ENTRANT_BLOCK + 3):  # across a block boundary
        fam = model.flows.enter(0, 0.0)
        fid = fam.fid
        assert fam.vulnerability == gamma_table(sc.vulnerability_shape)(r.uniform("vulnerability", fid))
        assert fam.e0 == beta_table(sc.engagement_mean, sc.engagement_concentration)(r.uniform("engagement", fid))
        assert fam.informal_support == beta_table(sc.informal_support_mean, sc.informal_support_concentration)(
            r.uniform("informal_support", fid))
        assert fam.onset_E == [r.exponential("onset", fid, d, 0) for d in range(len(sc.domains))]
    assert fid == 3500 + ENTRANT_BLOCK + 2
