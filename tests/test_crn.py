"""Common random numbers: what is identical across arms of one seed, and what pairing buys.

What the code guarantees (sim/family.py, sim/clocks.py and the care steps of sim/pathway.py, sim/streams.py):

* Every draw is keyed on (seed, stream, family, domain, problem, attempt, ...), never "the next number".
* Levers switch on at the end of warm-up (`SocialDomainModel.activate_levers`); before that every arm runs
  the status quo, so its whole history up to warm-up end is identical in every arm.
* The onset clock of (family f, domain d) integrates the rate lambda_d * v_f * min(C_max, prod(1 + kappa *
  a_d2)) while d is closed and is paused (rate 0) while d is open; the k-th onset of (f, d) happens when the
  integral since the (k-1)-th problem of (f, d) was resolved reaches E_{f,d,k-1} = Exp(1) keyed on
  ("onset", f, d, k - 1). A lever changes when problems end, and with kappa > 0 how fast other clocks run,
  so it may move later onsets: "every onset unchanged" cannot hold with coupling (docs/design.md E1).
* With kappa = 0 (and no recurrence, so a problem closes only when resolved) the rate is the constant
  lambda_d * v_f whenever d is closed. Hence, for any lever that does not touch onset: every family's FIRST
  onset in every domain is identical across arms, and for every (f, d, k) the time from the resolution of
  problem k - 1 to onset k is identical across arms and equals E_{f,d,k-1} / (lambda_d * v_f), although the
  absolute onset times of later problems differ. Equality is up to floating-point rounding of the
  piecewise-accumulated integral (the arms accumulate it in different pieces).
* Pairing arms by seed then makes paired differences of headline metrics less variable than unpaired ones.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from helpers import config, run_model

from sim import RunResult, Scenario, SocialDomainModel, load_scenario, run
from sim.scenario_spec import Population

EPISODE_KEYS = ["episode", "family", "domain", "problem", "attempt", "onset_day", "problem_onset_day"]


def same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    """Exactly equal rows in the same order (row labels ignored)."""
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), check_exact=True)


@pytest.fixture(scope="module")
def warm_up_pair() -> tuple[RunResult, RunResult]:
    kw = {"seed": 5, "n_families": 3500, "horizon_days": 365.0, "warm_up_days": 365.0}
    return run(config("fragmented", **kw)), run(config("networked", **kw))


def test_warm_up_history_is_identical_across_arms(warm_up_pair: tuple[RunResult, RunResult]) -> None:
    """Before the levers switch on, fragmented and networked runs of one seed are the same world."""
    frag, net = warm_up_pair
    w0 = frag.summary["window_days"][0]
    a, b = frag.episodes, net.episodes
    early_a, early_b = a[a.onset_day < w0], b[b.onset_day < w0]
    assert len(early_a) > 200
    same(early_a[EPISODE_KEYS], early_b[EPISODE_KEYS])
    # Episodes that also ended before warm-up end are identical in every column.
    done_a, done_b = a[a.end_day < w0], b[b.end_day < w0]
    assert len(done_a) > 30
    same(done_a, done_b)
    qa, qb = frag.queues, net.queues
    same(qa[qa.leave_day < w0], qb[qb.leave_day < w0])
    da, db = frag.daily, net.daily
    same(da[da.day < w0], db[db.day < w0])
    # ... and the levers did change what happened afterwards (the test is not vacuous).
    assert not a.equals(b)


def _uncoupled_no_recurrence() -> Scenario:
    """The default scenario with kappa = 0 and no recurrence; onset rates x 5 so that many problems come back.

    A closed population (no turnover or ageing out, `sim.scenario_spec.Population()`): every onset clock then runs from
    day 0 for the whole run, which is what the gap identity below states.
    """
    sc = load_scenario("sociaal_domein")
    domains = {n: dataclasses.replace(d, recurrence_probability=0.0, onset_rate=5.0 * d.onset_rate)
               for n, d in sc.domains.items()}
    return dataclasses.replace(sc, domains=domains, coupling=dataclasses.replace(sc.coupling, kappa={}), flows=Population())


def onset_gaps(model: SocialDomainModel, result: RunResult) -> pd.DataFrame:
    """Per (family, domain index, k): k-th onset, time since problem k - 1 was resolved, and E / (lambda * v)."""
    ep = result.episodes
    names = list(model.spec.domain_names)
    d = ep.domain.astype(str).map({n: i for i, n in enumerate(names)}).astype(int)
    ep = ep.assign(d=d, k=ep.problem - d * 1_000_000)
    first = ep[ep.attempt == 0].set_index(["family", "d", "k"]).onset_day.rename("onset")
    resolved = ep[ep.outcome == "resolved"].groupby(["family", "d", "k"]).end_day.max().rename("closed")
    prev = resolved.reset_index().assign(k=lambda x: x.k + 1).set_index(["family", "d", "k"]).closed
    out = first.to_frame().join(prev, how="left")
    is_first = out.index.get_level_values("k") == 1
    assert out.closed[~is_first].notna().all(), "a later problem began before the previous one was resolved"
    out["gap"] = out.onset - out.closed.where(~is_first, 0.0)
    fam, dom, k = (out.index.get_level_values(i).to_numpy() for i in range(3))
    rate = np.array([model.onset_base[x] for x in dom]) * np.array([model.families[f].vulnerability for f in fam])
    thresholds = [model.rand.exponential("onset", int(f), int(x), int(j) - 1)
                  for f, x, j in zip(fam, dom, k, strict=True)]
    out["expected"] = np.array(thresholds) / rate
    return out


def test_onset_clocks_are_common_without_coupling() -> None:
    """Kappa = 0, no recurrence; warm handoffs on vs off. First onsets and every closure-to-onset gap agree."""
    sc = _uncoupled_no_recurrence()
    kw = {"seed": 3, "n_families": 3500, "horizon_days": 1460.0, "warm_up_days": 30.0}
    base = run_model(config("fragmented", sc, **kw))
    warm = run_model(config("fragmented", sc, levers={"warm_handoff": True}, **kw))
    ga, gb = onset_gaps(*base), onset_gaps(*warm)
    for g in (ga, gb):
        np.testing.assert_allclose(g.gap, g.expected, rtol=1e-9, atol=1e-6)
    firsts_a = ga.xs(1, level="k").onset
    firsts_b = gb.xs(1, level="k").onset
    assert set(firsts_a.index) == set(firsts_b.index)
    firsts_a = firsts_a.sort_index()
    np.testing.assert_allclose(firsts_a, firsts_b.reindex(firsts_a.index), rtol=0, atol=1e-6)
    both = ga.join(gb, how="inner", suffixes=("_a", "_b"))
    later = both[both.index.get_level_values("k") > 1]
    assert len(later) > 100
    np.testing.assert_allclose(later.gap_a, later.gap_b, rtol=1e-9, atol=1e-6)
    # The lever did move problem endings, and so the absolute times of later onsets (the test is not vacuous).
    moved = (later.onset_a - later.onset_b).abs() > 1e-3
    assert moved.sum() > 10


def test_pairing_reduces_variance_of_differences() -> None:
    """Networked minus fragmented over 6 seeds: paired (same seed) differences vary less than unpaired ones."""
    kw = {"n_families": 3500, "horizon_days": 730.0, "warm_up_days": 365.0}
    seeds = range(1, 7)
    metrics = ("cost_total", "share_helped_within_98_days")
    net = [run(config("networked", seed=s, **kw)).summary for s in seeds]
    frag = [run(config("fragmented", seed=s, **kw)).summary for s in seeds]
    frag_other = [run(config("fragmented", seed=s + 100, **kw)).summary for s in seeds]
    for m in metrics:
        paired = np.array([n[m] - f[m] for n, f in zip(net, frag, strict=True)])
        unpaired = np.array([n[m] - f[m] for n, f in zip(net, frag_other, strict=True)])
        assert np.var(paired, ddof=1) < np.var(unpaired, ddof=1), m
