"""Time-to-event estimators (`sim.survival`): Aalen-Johansen against a table computed by hand, Kaplan-Meier, RMST."""

from __future__ import annotations

import numpy as np
import pytest

from sim.survival import aalen_johansen, curves, kaplan_meier

# Ten subjects: ties of two causes at 2 and 4, a censoring tied with an event at 2 and at 6, one censored alone at 3.
TIME = np.array([1.0, 2.0, 2.0, 2.0, 3.0, 4.0, 4.0, 5.0, 6.0, 6.0])
EVENT = np.array([1, 1, 2, 0, 0, 1, 2, 1, 0, 1])
# By hand, events before censorings at a tied time (n at risk just before t; S(t-) * d_k / n per step):
#   t=1 n=10: F1 = 1/10 = 0.1,               S = 0.9
#   t=2 n=9:  F1 += 0.9/9 = 0.1 -> 0.2,      F2 = 0.9/9 = 0.1, S = 0.9 * 7/9 = 0.7
#   t=3 n=6:  censoring only
#   t=4 n=5:  F1 += 0.7/5 = 0.14 -> 0.34,    F2 += 0.14 -> 0.24, S = 0.7 * 3/5 = 0.42
#   t=5 n=3:  F1 += 0.42/3 = 0.14 -> 0.48,   S = 0.42 * 2/3 = 0.28
#   t=6 n=2:  F1 += 0.28/2 = 0.14 -> 0.62,   S = 0.28 / 2 = 0.14
HAND_TIMES = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
HAND_F1 = [0.1, 0.2, 0.2, 0.34, 0.48, 0.62]
HAND_F2 = [0.0, 0.1, 0.1, 0.24, 0.24, 0.24]
HAND_S = [0.9, 0.7, 0.7, 0.42, 0.28, 0.14]
HAND_AT_RISK = [10, 9, 6, 5, 3, 2]


def test_aalen_johansen_matches_the_hand_computed_table() -> None:
    c = curves(TIME, EVENT, cause=1)
    assert c.times.tolist() == HAND_TIMES
    assert c.at_risk.tolist() == HAND_AT_RISK
    np.testing.assert_allclose(c.incidence, HAND_F1, rtol=0, atol=1e-9)
    np.testing.assert_allclose(c.survival, HAND_S, rtol=0, atol=1e-9)
    _, f2 = aalen_johansen(TIME, EVENT, cause=2)
    np.testing.assert_allclose(f2, HAND_F2, rtol=0, atol=1e-9)
    # every subject ends in exactly one state: helped, competing, or still at risk
    np.testing.assert_allclose(c.incidence + f2 + c.survival, 1.0, rtol=0, atol=1e-12)


def test_values_between_times_and_beyond_follow_up() -> None:
    c = curves(TIME, EVENT, cause=1)
    assert c.incidence_at(0.5) == 0.0 and c.survival_at(0.5) == 1.0
    assert c.incidence_at(3.99) == pytest.approx(0.2, abs=1e-12)
    assert c.incidence_at(6.0) == pytest.approx(0.62, abs=1e-12)
    assert c.incidence_at(6.5) is None and c.restricted_mean(7.0) is None  # nobody followed that long
    # restricted mean: tau - area under F1 = 6 - (0.1*1 + 0.2*2 + 0.34*1 + 0.48*1)
    assert c.restricted_mean(6.0) == pytest.approx(6.0 - 1.32, abs=1e-12)
    # a curve that reached S = 0 is known beyond its last time
    done = curves(np.array([1.0, 2.0]), np.array([1, 2]))
    assert done.incidence_at(100.0) == pytest.approx(0.5) and done.restricted_mean(10.0) == pytest.approx(10.0 - 0.5 * 9)
    empty = curves(np.array([]), np.array([]))
    assert empty.incidence_at(1.0) is None and empty.restricted_mean(1.0) is None


def test_without_competing_events_incidence_is_one_minus_kaplan_meier() -> None:
    rng = np.random.default_rng(11)
    t = np.round(rng.exponential(50.0, 400))  # rounded to days: many ties
    c = np.round(rng.uniform(0.0, 150.0, 400))
    time = np.minimum(t, c)
    event = (t <= c).astype(int)  # a tie of event and censoring time counts as the event, like the model's data
    times, f = aalen_johansen(time, event, cause=1)
    times_km, s = kaplan_meier(time, event)
    assert np.array_equal(times, times_km)
    np.testing.assert_allclose(f, 1.0 - s, rtol=0, atol=1e-12)


def test_naive_kaplan_meier_overstates_incidence_with_competing_events() -> None:
    # treating the competing cause as censoring gives 1 - KM > F1 (why the headline uses Aalen-Johansen)
    c = curves(TIME, EVENT, cause=1)
    _, s_naive = kaplan_meier(TIME, np.where(EVENT == 1, 1, 0))
    assert (1.0 - s_naive[-1]) > c.incidence[-1] + 0.05


@pytest.mark.parametrize("censored", [False, True])
def test_restricted_mean_of_an_exponential_sample_is_within_2_percent_of_its_formula(censored: bool) -> None:
    rng = np.random.default_rng(3)
    n, rate, tau = 20000, 1.0 / 200.0, 365.0
    t = rng.exponential(1.0 / rate, n)
    c = rng.uniform(100.0, 2000.0, n) if censored else np.full(n, np.inf)
    time, event = np.minimum(t, c), (t <= c).astype(int)
    formula = (1.0 - np.exp(-rate * tau)) / rate  # E min(T, tau) for T ~ Exp(rate)
    got = curves(time, event).restricted_mean(tau)
    assert got == pytest.approx(formula, rel=0.02)


def test_restricted_mean_with_a_competing_exponential_is_within_2_percent_of_its_formula() -> None:
    rng = np.random.default_rng(5)
    n, l1, l2, tau = 20000, 1.0 / 300.0, 1.0 / 150.0, 365.0
    t1, t2 = rng.exponential(1.0 / l1, n), rng.exponential(1.0 / l2, n)
    time, event = np.minimum(t1, t2), np.where(t1 <= t2, 1, 2)
    lam = l1 + l2
    # F1(t) = l1/lam (1 - exp(-lam t)); tau - its integral up to tau
    formula = tau - l1 / lam * (tau - (1.0 - np.exp(-lam * tau)) / lam)
    got = curves(time, event, cause=1).restricted_mean(tau)
    assert got == pytest.approx(formula, rel=0.02)


def test_lengths_must_agree() -> None:
    with pytest.raises(ValueError, match="length"):
        curves(np.array([1.0]), np.array([1, 0]))
