"""The headline from onset (`sim.headline`) and the matched contrast (`experiments.paired`) on hand-made tables."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from experiments.paired import matched_days, matched_means
from sim import load_run_config, run
from sim.headline import COMPETING, HELP, KEY_FAMILY, family_events, helped_problems, problem_events
from sim.survival import curves

W0, T_END = 100.0, 500.0
NAN = math.nan
COLUMNS = ["family", "domain", "problem", "attempt", "problem_onset_day", "help_start_day", "end_day", "outcome"]

# Arm a: (family, domain, problem, attempt, problem onset, help start, end, outcome)
ARM_A = pd.DataFrame([
    (1, "debt", 1, 0, 110.0, 150.0, 300.0, "resolved"),             # helped 40 days after onset
    (1, "housing", 1_000_001, 0, 120.0, NAN, 130.0, "dropped_out"),  # dropout first: competing at 10 days ...
    (1, "housing", 1_000_001, 1, 120.0, 200.0, 260.0, "resolved"),   # ... helped in its next attempt, 80 days
    (2, "debt", 2, 0, 50.0, 120.0, 180.0, "resolved"),               # onset before the window: not counted
    (2, "debt", 3, 0, 200.0, NAN, NAN, "ongoing"),                   # open at the horizon: censored at 300 days
    (3, "debt", 1, 0, 300.0, 310.0, 350.0, "resolved"),              # helped after 10 days ...
    (3, "debt", 1, 1, 400.0, 450.0, NAN, "ongoing"),                 # ... its recurrence: a new spell, helped after 50
], columns=COLUMNS)
# Arm b, the same seed: the same problems, other fates
ARM_B = pd.DataFrame([
    (1, "debt", 1, 0, 110.0, 140.0, 200.0, "resolved"),             # 30 days
    (1, "housing", 1_000_001, 0, 120.0, 150.0, 240.0, "resolved"),   # 30 days
    (2, "debt", 3, 0, 200.0, 260.0, NAN, "ongoing"),                 # 60 days (helped in b only)
    (3, "debt", 1, 0, 300.0, NAN, 320.0, "resolved"),                # remission (helped in a only)
], columns=COLUMNS)


def test_problem_spells_from_onset_with_competing_events() -> None:
    p = problem_events(ARM_A, W0, T_END).sort_values(["family", "problem", "onset"]).reset_index(drop=True)
    assert p[["family", "problem", "onset"]].values.tolist() == [[1, 1, 110], [1, 1_000_001, 120], [2, 3, 200], [3, 1, 300],
                                                                 [3, 1, 400]]
    assert p.days.tolist() == [40.0, 10.0, 300.0, 10.0, 50.0]
    assert p.event.tolist() == [HELP, COMPETING["dropped_out"], 0, HELP, HELP]
    b = problem_events(ARM_B, W0, T_END).sort_values(["family", "problem"])
    assert b.event.tolist() == [HELP, HELP, HELP, COMPETING["resolved"]] and b.days.tolist() == [30.0, 30.0, 60.0, 20.0]


def test_cumulative_incidence_of_the_hand_made_arm() -> None:
    p = problem_events(ARM_A, W0, T_END)
    c = curves(p.days.to_numpy(), p.event.to_numpy(), HELP)
    # times 10 (help and dropout, n=5), 40 (n=3), 50 (n=2), 300 (censored): F = 1/5, + (3/5)(1/3), + (2/5)(1/2)
    assert c.incidence_at(30.0) == pytest.approx(0.2, abs=1e-12)
    assert c.incidence_at(45.0) == pytest.approx(0.4, abs=1e-12)
    assert c.incidence_at(60.0) == pytest.approx(0.6, abs=1e-12)
    assert c.restricted_mean(60.0) == pytest.approx(60.0 - (0.2 * 30 + 0.4 * 10 + 0.6 * 10), abs=1e-12)


def test_families_from_their_first_onset_in_the_window() -> None:
    f = family_events(ARM_A, W0, T_END, left_at={2: 450.0, 9: 120.0}).sort_values("family")
    assert f.family.tolist() == [1, 2, 3]
    # family 1: first help (150) from its first onset (110); family 2 left at 450 unhelped (its problem of day 50 is
    # before the window); family 3 helped 10 days after its onset
    assert f.days.tolist() == [40.0, 250.0, 10.0]
    assert f.event.tolist() == [HELP, COMPETING["moved"], HELP]


def test_matched_contrast_is_exact_on_a_hand_made_pair() -> None:
    ka, da = helped_problems(ARM_A, W0, T_END)
    kb, db = helped_problems(ARM_B, W0, T_END)
    # arm a: family 1's two problems (40 and 80 days, help after a dropout counts) and family 3's first spell (10)
    assert ka.tolist() == [1 * KEY_FAMILY + 1, 1 * KEY_FAMILY + 1_000_001, 3 * KEY_FAMILY + 1]
    assert da.tolist() == [40.0, 80.0, 10.0]
    assert kb.tolist() == [1 * KEY_FAMILY + 1, 1 * KEY_FAMILY + 1_000_001, 2 * KEY_FAMILY + 3]
    a, b = matched_days(ka, da, kb, db)
    assert a.tolist() == [40.0, 80.0] and b.tolist() == [30.0, 30.0]
    assert matched_means(ka, da, kb, db) == (60.0, 30.0, 2)
    none = matched_means(ka[:0], da[:0], kb, db)
    assert math.isnan(none[0]) and none[2] == 0


def test_a_runs_summary_carries_a_consistent_headline() -> None:
    cfg = load_run_config(scenario="sociaal_domein", working="networked", n_families=3500, seed=2, horizon_days=400.0,
                          warm_up_days=0.0)
    r = run(cfg)
    s = r.summary
    cif = [s[f"cif_help_{d}"] for d in (30, 90, 180, 365)]
    assert all(c is not None for c in cif) and cif == sorted(cif) and 0.0 < cif[-1] < 1.0
    assert 0.0 < s["rmst_help_365_problem"] < 365.0 and 0.0 < s["rmst_help_365_family"] < 365.0
    assert 0.0 < s["families_helped_within_365_days"] < 1.0
    assert s["families_helped_per_1000_per_year"] > 0 and s["problems_helped_per_1000_per_year"] > 0
    keys, days = helped_problems(r.episodes, 0.0, 400.0)
    assert len(np.unique(keys)) == len(keys) and (days >= 0).all()
    # a problem's first spell helped in its first attempt is a helped problem, with the same days
    p = problem_events(r.episodes, 0.0, 400.0)
    first = p[(p.event == HELP) & (p.attempt == 0)]
    got = dict(zip(keys.tolist(), days.tolist(), strict=True))
    assert len(first) > 100
    for k, d in zip((first.family * KEY_FAMILY + first.problem).tolist(), first.days.tolist(), strict=True):
        assert got[k] == pytest.approx(d, abs=1e-3)  # days are stored as float32


def test_the_comparison_adds_the_matched_contrast_and_leads_with_the_headline() -> None:
    from experiments.compare import GROUPS, add_matched, comparison_table, render

    ka, da = helped_problems(ARM_A, W0, T_END)
    kb, db = helped_problems(ARM_B, W0, T_END)
    rows = [{"arm": arm, "seed": seed, "cif_help_365": 0.2 + 0.01 * seed + (0.02 if arm == "networked" else 0.0),
             "tth_signal_mean": 50.0 + seed} for seed in (1, 2) for arm in ("fragmented", "networked")]
    # seed 2: networked helps the same needs 5 days later each
    helped = {("fragmented", 1): (ka, da), ("networked", 1): (kb, db), ("fragmented", 2): (ka, da), ("networked", 2): (ka, da + 5)}
    add_matched(rows, helped, ["fragmented", "networked"])
    got = {(r["arm"], r["seed"]): (r["tth_onset_matched"], r["matched_needs"]) for r in rows}
    assert got == {("fragmented", 1): (60.0, 2.0), ("networked", 1): (30.0, 2.0), ("fragmented", 2): (130 / 3, 3.0),
                   ("networked", 2): (130 / 3 + 5, 3.0)}
    table = comparison_table(pd.DataFrame(rows), "fragmented", "networked")
    assert table.key.tolist() == ["cif_help_365", "tth_onset_matched", "tth_signal_mean"]
    d = table.set_index("key").difference
    assert d["tth_onset_matched"] == pytest.approx(((30.0 - 60.0) + 5.0) / 2)
    text = render(table, "fragmented", "networked", "sociaal_domein", 2, 3500)
    headline, helped_only = list(GROUPS)[:2]
    assert text.index(headline) < text.index("helped within 365 days of onset") < text.index(helped_only) < text.index(
        "time to help from signal, mean")
    assert "what the headline rows measure:" in text and "cumulative incidence, Aalen-Johansen" in text


def test_the_sweep_analysis_computes_the_matched_contrast_per_pair_of_arms(tmp_path) -> None:
    from experiments import analysis
    from experiments.store import Sweep

    ka, da = helped_problems(ARM_A, W0, T_END)
    kb, db = helped_problems(ARM_B, W0, T_END)
    runs = {("fragmented", 1): (ka, da), ("networked", 1): (kb, db), ("fragmented", 2): (ka, da), ("networked", 2): (ka, da + 5)}
    helped = pd.concat([pd.DataFrame({"arm": arm, "seed": seed, "problem_key": k, "days": d}) for (arm, seed), (k, d) in runs.items()])
    plan = pd.DataFrame({"arm": ["fragmented", "networked"] * 2, "reference": [None, "fragmented"] * 2, "seed": [1, 1, 2, 2],
                         "key": ["a1", "b1", "a2", "b2"]})
    empty = pd.DataFrame(columns=["arm", "seed"])
    sweep = Sweep(tmp_path, {}, plan, plan, empty, empty, empty, empty, helped)
    per_seed = analysis.matched_per_run(sweep, "networked", "fragmented")
    assert per_seed.values.tolist() == [[1, 60.0, 30.0, 2], [2, 130 / 3, 130 / 3 + 5, 3]]
    d = analysis.differences(sweep, ["tth_onset_matched"])
    assert d.metric.tolist() == ["tth_onset_matched"] and d.arm.tolist() == ["networked"]
    assert d.difference.iloc[0] == pytest.approx((-30.0 + 5.0) / 2) and d.n.iloc[0] == 2
