"""The benchmark harness computes what it reports (nothing here measures time: CI never times anything).

Summaries, target judgement, the scaling fit and the regression guard are checked on made-up figures;
one tiny workload runs to show that events are counted and that staff scale with the population.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from benchmarks import report
from benchmarks.suite import POLICY, Workload, full, quick
from benchmarks.workloads import one_run, run_config, store_prelude
from sim import SocialDomainModel


def _run(seconds: list[float], rss: float = 300.0) -> list[dict]:
    return [{"seconds": s, "build_seconds": 0.1, "events": 1000, "episodes": 200, "family_days": 5000.0, "peak_rss_mb": rss}
            for s in seconds]


def test_summary_and_targets() -> None:
    w = Workload("region", "run", POLICY, 3, "t", "x", limits={"seconds": 40.0, "peak_rss_mb": 2048.0})
    s = report.summarise(w, _run([30.0, 45.0, 35.0]))
    assert s["seconds"] == {"min": 30.0, "median": 35.0, "max": 45.0}
    assert s["events_per_s"] == 1000 / 35.0 and s["family_days_per_s"] == 5000.0 / 35.0
    assert report.judge(w, s) is True
    assert report.judge(w, report.summarise(w, _run([41.0, 42.0, 30.0]))) is False
    assert report.judge(w, report.summarise(w, _run([1.0], rss=3000.0))) is False
    sweep = Workload("sweep", "sweep", {}, 2, "t", limits={"speedup_min": 1.8})
    reps = [{"seconds_1": 20.0, "seconds_2": 11.0, "speedup": 20 / 11, "peak_rss_mb": 1.0},
            {"seconds_1": 20.0, "seconds_2": 12.0, "speedup": 20 / 12, "peak_rss_mb": 1.0}]
    assert report.judge(sweep, report.summarise(sweep, reps)) is False  # median 1.74x


def test_sweep_reports_the_cold_speed_up_next_to_the_warm_one() -> None:
    sweep = Workload("sweep", "sweep", {}, 2, "t", "speed-up >= 1.8", limits={"speedup_min": 1.8})
    reps = [{"start_1": 2.0, "seconds_1": 30.0, "start_2": 2.0, "seconds_2": 16.0, "speedup": 30 / 16,
             "speedup_cold": 32 / 18, "peak_rss_mb": 1.0} for _ in range(2)]
    s = report.summarise(sweep, reps)
    assert report.judge(sweep, s) is True and s["speedup_cold"]["median"] == 32 / 18
    record = {"workloads": {"sweep": {"kind": "sweep", "summary": s, "target": sweep.target, "met": True}}}
    rows = report.result_rows(record)
    assert rows[0][2] == "1.88x" and rows[1][0].startswith("sweep (cold") and rows[1][2] == "1.78x"


def test_scaling_fit_recovers_the_exponent() -> None:
    names = ["a", "b", "c", "d"]
    families = {"a": 1000, "b": 3000, "c": 10000, "d": 100000}
    sums = {k: {"seconds": {"median": 0.002 * families[k] ** 1.05}, "family_days": families[k] * 1460.0} for k in names}
    fit = report.fit_scaling(names, sums, families)
    assert math.isclose(fit["exponent"], 1.05, rel_tol=1e-9)


def test_regression_guard_names_slower_workloads_only() -> None:
    def rec(mode: str, times: dict[str, float]) -> dict:
        return {"meta": {"mode": mode}, "workloads": {k: {"summary": {"time": v}} for k, v in times.items()}}

    before = rec("full", {"policy": 2.0, "region": 40.0, "viewer": 0.001})
    now = rec("full", {"policy": 2.3, "region": 43.0, "viewer": 0.0009})
    assert [r["workload"] for r in report.regression(now, before)] == ["policy"]
    assert report.regression(now, rec("quick", {"policy": 1.0})) == []
    assert report.regression(now, None) == []


def test_regression_guard_compares_only_workloads_defined_as_before() -> None:
    def rec(times: dict[str, float], warm_up: float) -> dict:
        return {"meta": {"mode": "full"}, "workloads": {k: {"summary": {"time": v}, "params": {"n_families": 10_000, "warm_up_days": warm_up}}
                                                       for k, v in times.items()}}

    before = rec({"policy": 1.5}, 365.0)
    now = rec({"policy": 6.4}, 1825.0)  # four times slower, on a run five times as long: not a regression
    reg = report.regression(now, before)
    assert reg == [{"workload": "policy", "changed": "measured with warm_up_days 365.0 (now 1825.0)"}]
    assert report.regression_lines(reg) == ["policy: not compared, measured with warm_up_days 365.0 (now 1825.0)"]
    assert report.regression(rec({"policy": 1.8}, 365.0), before)[0]["ratio"] == 1.8 / 1.5  # defined alike: compared


def test_suites_cover_every_workload_and_the_scaling_series() -> None:
    for wl, scaling in (full(), quick()):
        names = {w.name for w in wl}
        assert {"policy", "region", "viewer", "sweep", "boltzmann", "profile"} <= names
        assert set(scaling["points"]) <= names and len(scaling["points"]) >= 4


def test_tiny_run_counts_events_and_scales_staff() -> None:
    cfg = run_config(20_000, horizon_days=30.0, warm_up_days=0.0)
    base = run_config(POLICY["n_families"], horizon_days=30.0, warm_up_days=0.0)
    assert cfg.scenario == base.scenario and cfg.families == 2 * base.families  # the model scales staff (sim.staffing)
    big, small = SocialDomainModel(cfg), SocialDomainModel(base)
    for a, b in zip(big.organisations, small.organisations, strict=True):
        assert a.weekly_hours == pytest.approx(2 * b.weekly_hours)
    out = one_run({"n_families": 3500, "horizon_days": 60.0, "warm_up_days": 30.0})
    assert out["events"] > out["episodes"] > 0 and out["family_days"] == 3500 * 90.0


def test_a_what_if_restores_its_warm_up_from_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The what-if workload times the restored run only: its events and family-days are those after the switch-on."""
    monkeypatch.setenv("ONTSCHOT_WARMUP_CACHE", str(tmp_path))
    params = {"n_families": 3500, "horizon_days": 30.0, "warm_up_days": 30.0, "working": "networked"}
    assert store_prelude(params) > 0 and len(list(tmp_path.iterdir())) == 1  # stored here, so no worker is started
    out = one_run(dict(params, from_warmup_cache=True))
    cold = one_run(params)
    assert out["levers_on"] == 30.0 and out["family_days"] == 3500 * 30.0 and out["prelude_mb"] > 0
    assert out["episodes"] == cold["episodes"] and 0 < out["events"] < cold["events"]
    assert report.summarise(Workload("w", "run", params, 1, "t"), [dict(out, peak_rss_mb=1.0)])["restore_seconds"]["median"] > 0


def test_the_quick_benchmark_writes_outside_tracked_files() -> None:
    """`make bench-quick` is a check on this machine: its figures go to the ignored outputs/ folder, not into git."""
    from benchmarks.__main__ import ROOT, record_path

    ignored = (ROOT / ".gitignore").read_text().split()
    assert record_path("quick").relative_to(ROOT).parts[0] == "outputs" and "outputs/" in ignored
    assert not (ROOT / "benchmarks" / "bench-quick.json").exists()
    assert record_path("full") == ROOT / "benchmarks" / "bench.json"
    # A run of some workloads alone (--only) leaves the stored record alone too.
    assert record_path("full-only").relative_to(ROOT).parts[0] == "outputs" and record_path("full-only") != record_path("quick")


def test_rows_measured_on_another_definition_say_so() -> None:
    # A stored figure of a workload whose parameters changed since (the policy run once had a 365-day warm-up) is
    # no judgement of the workload as the suite times it now, and a workload new in the suite is not measured yet.
    policy = Workload("policy", "run", POLICY, 5, "t", "median <= 2 s", limits={"seconds": 2.0})
    whatif = Workload("policy_whatif", "run", dict(POLICY, working="networked"), 5, "t", "median <= 2 s")
    s = report.summarise(policy, _run([1.5, 1.6, 1.7]))
    record = {"meta": {}, "workloads": {"policy": {"kind": "run", "summary": s, "target": policy.target, "met": True,
                                                   "params": dict(POLICY, warm_up_days=365.0)}}}
    rows = report.result_rows(record, {"policy": policy, "policy_whatif": whatif})
    assert rows[0][6] == "stale: measured with warm_up_days 365.0 (now default)", rows[0]
    assert rows[1] == ("policy_whatif", "", "", "", "", "median <= 2 s", "not measured yet")
    record["workloads"]["policy"]["params"] = dict(POLICY)
    assert report.result_rows(record, {"policy": policy})[0][6] == "met"  # the same definition: judged as measured
    assert report.result_rows(record)[0][6] == "met"  # no suite given: the record is current
