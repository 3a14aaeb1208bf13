"""The workloads of ``make bench`` (full size, with the standing targets) and ``make bench-quick`` (small).

Targets are those of the benchmark issue for a 2-core machine. Timed targets are judged on the median of the
repeats (robust against one disturbed repeat); the viewer on the 95th percentile of its day steps (smooth
means nearly every frame); memory on the largest peak of any repeat; scaling on the exponent b of a
least-squares fit ``log t = a + b log n`` over the median times of the series.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# A policy run as a user runs it: the scenario's own population, 3 measured years after the default warm-up
# (``warm_up_days`` of configs/config.yaml, 1825 days: the model is run 8 years; this one reuses no warm-up).
POLICY = {"n_families": 10_000, "horizon_days": 1095.0, "working": "fragmented"}
# A what-if: the same run under networked working, its warm-up (the prelude, the model just before the levers switch
# on) read from the disk cache of warm-ups (`benchmarks.workloads.whatif_run`, `experiments.warmup_cache`).
WHATIF = dict(POLICY, working="networked", from_warmup_cache=True)


@dataclass(frozen=True)
class Workload:
    """One workload: what runs in each child process, how often, and what it must meet."""

    name: str
    kind: str
    params: dict[str, Any]
    repeats: int
    title: str
    target: str = ""
    series: str = ""  # the scaling series this point belongs to (fit over n_families)
    limits: dict[str, float] = field(default_factory=dict)


def full() -> tuple[list[Workload], dict[str, Any]]:
    """The full benchmark and the scaling series' target.

    34 minutes on a quiet 2-core machine on 2026-11-29 (2,047 s, with the policy run's warm-up already in the cache
    and the region's simulated untimed: three years of 100,000 families); the region's 13 repeats are half of it.
    """
    wl = [
        # Cold: the first what-if of a scenario (and seed, population, warm-up) pays its warm-up once.
        Workload("policy", "run", POLICY, 5,
                 "policy run, cold (the first what-if: warm-up included): 10,000 families, 3 years after the default "
                 "5-year warm-up, sociaal_domein, fragmented"),
        # Every later what-if (another lever setting, the other arm) restores the warm-up from the disk cache
        # (experiments.warmup_cache; built untimed in a worker process when missing). The 2 s target is judged here.
        Workload("policy_whatif", "run", WHATIF, 5,
                 "policy what-if from a cached warm-up (judged against the target): the run above, networked, restored "
                 "at the levers' switch-on (the scenario's lead: 2 years before the end of warm-up) and run to its "
                 "horizon, reading and restoring the prelude included", "median <= 2 s", limits={"seconds": 2.0}),
        # Five repeats: three consecutive region runs on this shared machine took 44, 37 and 39 s on one commit.
        Workload("region", "run", dict(POLICY, n_families=100_000, horizon_days=1825.0), 5,
                 "region, cold (warm-up included): 100,000 families, 5 years after the default warm-up (staff scaled x10)"),
        # The region's what-if; its first repeat simulates and stores its prelude untimed (several minutes).
        Workload("region_whatif", "run", dict(WHATIF, n_families=100_000, horizon_days=1825.0), 3,
                 "region what-if from a cached warm-up (judged against the target): the region above, networked, from "
                 "the levers' switch-on", "median <= 40 s, peak memory <= 2 GB", limits={"seconds": 40.0, "peak_rss_mb": 2048.0}),
        # The target: a lever switch at day 365 of sociaal_domein redrawn within 2 s (reported like a run;
        # its "build" column is the switch without the drawing), at the viewer's default population (5,000: the
        # scenario's own capped, viewer.session.VIEWER_MAX_FAMILIES).
        Workload("lever_switch", "run", {"lever_switch_day": 365, "n_families": 5_000, "lever": "single_entry"}, 3,
                 "viewer lever switch: sociaal_domein, 5,000 families (the viewer's default), day 365, replayed and redrawn",
                 "median <= 2 s", limits={"seconds": 2.0}),
        # The same at the scenario's own population (`--families 10000`): what a switch costs at twice the families.
        Workload("lever_switch_10000", "run", {"lever_switch_day": 365, "n_families": 10_000, "lever": "single_entry"}, 3,
                 "viewer lever switch as above at 10,000 families (the scenario's own population)"),
        # 3,500 families: the smallest population sociaal_domein's staff allows (staff in proportion, sim.staffing).
        Workload("viewer", "viewer", {"n_families": 3_500, "warm_days": 400, "days": 300}, 3,
                 "viewer: 2 worlds of 3,500 families, one simulated day (run_for(1) each)", "95th percentile <= 20 ms",
                 limits={"step_p95_s": 0.020}),
        # Three repeats: the speed-up is a ratio of two wall times, so one disturbed half moves it a lot (a run
        # on this shared machine measured 1.59x, 1.69x, and 2.0x minutes later on the same commit).
        # Judged like every workload, after a warm-up: on pools whose workers have started and run a small model.
        # The cold speed-up (start-up of about 2 s per pool included) is printed next to it; it falls as runs get
        # faster (1.89x with 3.3 s runs, 1.77x with 1.9 s runs).
        Workload("sweep", "sweep", dict(POLICY, runs=16), 3, "sweep: 16 policy runs on 2 workers against 1 (warm pools)",
                 "speed-up >= 1.8", limits={"speedup_min": 1.8}),
    ]
    for n, reps in ((3_500, 3), (5_000, 3), (30_000, 2), (100_000, 1)):
        wl.append(Workload(f"scale_{n}", "run", dict(POLICY, n_families=n), reps, f"scaling: {n:,} families, 3 years",
                           series="scaling"))
    wl.append(Workload("boltzmann", "boltzmann", {"agents": 1_000, "width": 30, "steps": 200}, 3,
                       "reference: Mesa's Boltzmann wealth example, 1,000 agents, 200 steps"))
    wl.append(Workload("profile", "profile", dict(POLICY, top=15), 1, "cProfile of one policy run"))
    # The policy run is also the 10,000-family point of the scaling series.
    scaling = {"points": ["scale_3500", "scale_5000", "policy", "scale_30000", "scale_100000"], "max_exponent": 1.1}
    return wl, scaling


def quick() -> tuple[list[Workload], dict[str, Any]]:
    """Small versions of every workload (under a minute); targets are not judged at these sizes."""
    # The smallest population the staff allows, after a 1-year warm-up (not the default 5: a check, not a user's run).
    small = dict(POLICY, n_families=3_500, horizon_days=365.0, warm_up_days=365.0)
    wl = [
        Workload("policy", "run", small, 3, "policy run (quick): 3,500 families, 1 year"),
        Workload("policy_whatif", "run", dict(small, working="networked", from_warmup_cache=True), 3,
                 "policy what-if from a cached warm-up (quick): 3,500 families, 1 year"),
        Workload("region", "run", dict(small, n_families=10_000), 1, "region (quick): 10,000 families, 1 year"),
        Workload("viewer", "viewer", {"n_families": 3_500, "warm_days": 100, "days": 100}, 1,
                 "viewer (quick): 2 worlds of 3,500 families, 100 day steps"),
        Workload("lever_switch", "run", {"lever_switch_day": 120, "n_families": 3_500, "lever": "single_entry"}, 1,
                 "viewer lever switch (quick): 3,500 families, day 120"),
        Workload("sweep", "sweep", dict(small, runs=4), 1, "sweep (quick): 4 small runs on 2 workers against 1"),
    ]
    for n in (4_000, 5_000, 8_000):
        wl.append(Workload(f"scale_{n}", "run", dict(small, n_families=n), 1, f"scaling (quick): {n:,} families, 1 year",
                           series="scaling"))
    wl.append(Workload("boltzmann", "boltzmann", {"agents": 200, "width": 15, "steps": 50}, 1,
                       "reference (quick): Mesa's Boltzmann wealth example, 200 agents, 50 steps"))
    wl.append(Workload("profile", "profile", dict(small, top=10), 1, "cProfile of one quick policy run"))
    scaling = {"points": ["policy", "scale_4000", "scale_5000", "scale_8000"], "max_exponent": None}
    return wl, scaling
