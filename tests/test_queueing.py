"""Queueing verification: Erlang C on an M/M/c configuration of the production model, and Little's law.

The M/M/c configuration is the fixture ``tests/data/mmc.yaml`` (docs/design.md E5): one organisation, one
domain, no escalation (severity stays at ``severity_fixed``), no remission, no dropout, no coupling or
recurrence, the documented ``help_duration: exponential`` option, open access, a desk so fast that intake adds
no delay, and a FIFO help list. Each professional holds floor(hours_per_week / help_hours_per_week) cases, so
the organisation is c = professionals x floor(H / w) servers. Arrivals are the superposition of many families
with a low onset rate (nearly Poisson; the finite population is why the test measures the arrival rate and
the mean service time from the run itself and plugs those into the formula).

Sampling error of a mean wait is large near saturation (the queue forgets its state slowly): for a 5 %
tolerance to be a real test rather than a coin toss, the check needs about 1.7 million arrivals at load 0.9
(standard error about 2 %). The runs are split into independent seeds and run on two worker processes; the
pooled estimate is compared with the formula. This is the slowest test of the suite (about 2.5 minutes).
A noise-free companion test checks every single help start of a shorter run against the FCFS c-server
recursion, and Little's law is checked on every waiting list of the default scenario.
"""

from __future__ import annotations

import heapq
import math
import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd
import pytest
from helpers import DATA, config

from sim import RunResult, SocialDomainModel, load_scenario, run

MMC = DATA / "mmc.yaml"
MMC_WARM_UP = 50.0  # the queue starts empty; 50 days are many relaxation times of this fast queue
MMC_MARGIN = 30.0  # extra days after the last counted arrival so that every counted arrival has finished help

# load -> (families, seeds, days of counted arrivals per seed). Families set the load: about 11.1 arrivals
# a day at 40450 families (rho ~ 0.7) and 14.2 at 52000 (rho ~ 0.9) with c = 4 servers of mean service 0.253
# days. Run lengths give about 270,000 and 1.7 million counted arrivals, for a standard error of the pooled
# mean wait of about 2 % at both loads (measured over independent seed sets while writing this test).
LOADS: dict[float, tuple[int, tuple[int, ...], float]] = {
    0.7: (40450, (71, 72, 73, 74), 6000.0),
    0.9: (52000, tuple(range(91, 103)), 10000.0),
}


def erlang_c_mean_wait(lam: float, mu: float, c: int) -> float:
    """Mean wait in queue of an M/M/c queue (Erlang C), arrival rate lam, service rate mu per server."""
    a = lam / mu
    rho = a / c
    assert rho < 1.0, "unstable queue"
    below = sum(a**k / math.factorial(k) for k in range(c))
    top = a**c / math.factorial(c) / (1.0 - rho)
    p_wait = top / (below + top)
    return p_wait / (c * mu - lam)


def mmc_servers() -> int:
    """Servers of the fixture from its own staff and hours: professionals x floor(hours per week / hours per case)."""
    sc = load_scenario(MMC)
    (org,) = sc.organisations.values()
    (dom,) = sc.domains.values()
    return round(sum(org.professionals.values())) * math.floor(org.hours_per_week / dom.help_hours_per_week)  # head counts are FTE numbers


def help_waits(result: RunResult) -> pd.DataFrame:
    """Per helped episode: arrival at the help stage, wait on the help list (0 if help started at once), service."""
    ep = result.episodes.set_index("episode")
    q = result.queues
    help_q = q[q.queue.str.startswith("help:")]
    wait = (help_q.leave_day - help_q.enter_day).groupby(help_q.episode).sum()
    helped = ep[ep.help_start_day.notna()]
    w = wait.reindex(helped.index, fill_value=0.0)
    return pd.DataFrame({"arrival": helped.help_start_day - w, "wait": w, "start": helped.help_start_day,
                         "service": helped.end_day - helped.help_start_day, "outcome": helped.outcome})


def mmc_chunk(families: int, seed: int, days: float) -> dict[str, float]:
    """One independent M/M/c run: sums over arrivals at the help stage in [warm-up, warm-up + days)."""
    cfg = config("fragmented", MMC, seed=seed, n_families=families, horizon_days=days + MMC_MARGIN,
                 warm_up_days=MMC_WARM_UP)
    hw = help_waits(run(cfg))
    counted = hw[(hw.arrival >= MMC_WARM_UP) & (hw.arrival < MMC_WARM_UP + days)]
    return {"days": days, "arrivals": float(len(counted)), "wait_sum": float(counted.wait.sum()),
            "service_sum": float(counted.service.sum()), "served": float(counted.service.notna().sum()),
            "resolved": float((counted.outcome == "resolved").sum())}


@pytest.fixture(scope="module")
def mmc_stats() -> dict[float, dict[str, float]]:
    """Pooled arrival rate, mean service time and mean wait per load (runs spread over two processes)."""
    tasks = [(load, fam, seed, days) for load, (fam, seeds, days) in LOADS.items() for seed in seeds]
    # spawn, not fork: the test process may hold threads, and fork would then warn (an error under -W error).
    with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("spawn")) as pool:
        parts = list(pool.map(mmc_chunk, [t[1] for t in tasks], [t[2] for t in tasks], [t[3] for t in tasks]))
    out: dict[float, dict[str, float]] = {}
    for load in LOADS:
        mine = [p for t, p in zip(tasks, parts, strict=True) if t[0] == load]
        total = {k: sum(p[k] for p in mine) for k in mine[0]}
        out[load] = {
            "lam": total["arrivals"] / total["days"],
            "mean_service": total["service_sum"] / total["served"],
            "mean_wait": total["wait_sum"] / total["arrivals"],
            "arrivals": total["arrivals"],
            "unfinished": total["arrivals"] - total["resolved"],
        }
    return out


@pytest.mark.serial  # runs its own pool of two processes (mmc_stats): alongside the parallel tests it would oversubscribe two cores
@pytest.mark.parametrize("load", sorted(LOADS))
def test_mean_help_wait_matches_erlang_c(mmc_stats: dict[float, dict[str, float]], load: float) -> None:
    """Pooled mean wait on the help list is within 5 % of Erlang C at the measured arrival and service rates."""
    c = mmc_servers()
    s = mmc_stats[load]
    assert s["unfinished"] == 0, "every counted arrival must have been helped and resolved before the horizon"
    rho = s["lam"] * s["mean_service"] / c
    assert abs(rho - load) < 0.03, f"the fixture should give load ~{load}, got {rho:.3f}"
    expected = erlang_c_mean_wait(s["lam"], 1.0 / s["mean_service"], c)
    assert s["mean_wait"] == pytest.approx(expected, rel=0.05), (
        f"rho={rho:.4f}: simulated mean wait {s['mean_wait']:.4f} d vs Erlang C {expected:.4f} d "
        f"({s['arrivals']:.0f} arrivals)")


def test_help_queue_is_first_come_first_served_on_c_servers() -> None:
    """Exact, noise-free check of the same queue: help starts equal the FCFS c-server recursion on the run's own data.

    Service times are keyed draws fixed when help starts, whatever the start time, so feeding the run's arrival
    times and service times into the Kiefer-Wolfowitz recursion with c = professionals x floor(H / w) servers
    must reproduce every help start. One server more or less, or any other service order, would not.
    """
    c = mmc_servers()
    assert c == 4  # 2 professionals x floor(28.8 / 12); guards the fixture against silent edits
    hw = help_waits(run(config("fragmented", MMC, seed=5, n_families=55000, horizon_days=400.0, warm_up_days=0.0)))
    hw = hw.sort_values(["arrival", "start"])
    assert (hw.wait > 0).mean() > 0.3, "the load must be high enough that many arrivals queue"
    # Help still running at the horizon holds its server to the end.
    services = hw.service.fillna(np.inf).to_numpy()
    free = [0.0] * c
    starts = np.empty(len(hw))
    for i, (arrival, service) in enumerate(zip(hw.arrival.to_numpy(), services, strict=True)):
        earliest = heapq.heappop(free)
        starts[i] = max(arrival, earliest)
        heapq.heappush(free, starts[i] + service)
    np.testing.assert_allclose(hw.start.to_numpy(), starts, rtol=0.0, atol=1e-7)


def _open_stays(model: SocialDomainModel) -> list[tuple[str, str, float]]:
    """(organisation, queue, entry day) of every stay still open at the horizon (not in the queue log)."""
    names = model.spec.domain_names
    out = []
    for ep in model.episodes:
        if ep.queue_token:
            kind = "intake" if ep.state == "intake_queue" else f"help:{names[ep.domain]}"
            out.append((ep.org.name, kind, ep.queue_enter))
    return out


@pytest.mark.parametrize("working", ["fragmented", "networked"])
def test_littles_law_on_every_waiting_list(default_runs: dict[str, tuple[SocialDomainModel, RunResult]],
                                           working: str) -> None:
    """L = lambda W on every list: exact time-average length vs arrival rate x mean sojourn, then the daily series.

    L comes from the list's exact area integral over the whole run; lambda and W come from the queue log plus
    the stays still open at the horizon (truncated there). The daily series samples the lengths once a day,
    so its sum differs from the area by less than one day per stay.
    """
    model, result = default_runs[working]
    horizon = model.end_time
    q = result.queues
    open_stays = _open_stays(model)
    checked = 0
    for org in model.organisations:
        stays_by_kind: dict[str, int] = {}
        for lst in [org.intake_list, *org.help_lists.values()]:
            log = q[(q.organisation == org.name) & (q.queue == lst.kind)]
            still = [horizon - enter for o, k, enter in open_stays if o == org.name and k == lst.kind]
            sojourns = np.concatenate([(log.leave_day - log.enter_day).to_numpy(), np.asarray(still, dtype=float)])
            assert (sojourns >= 0).all()
            assert lst.length == len(still), f"{org.name}/{lst.kind}: open stays and list length disagree"
            stays_by_kind[lst.kind] = len(sojourns)
            time_avg_length = lst.area / horizon
            arrival_rate = len(sojourns) / horizon
            mean_sojourn = float(sojourns.mean()) if len(sojourns) else 0.0
            little = arrival_rate * mean_sojourn
            assert time_avg_length == pytest.approx(little, rel=1e-9, abs=1e-12), f"{org.name}/{lst.kind}"
            checked += len(sojourns)
        daily = result.daily_org[result.daily_org.organisation == org.name]
        assert len(daily) == int(horizon)
        help_area = sum(lst.area for lst in org.help_lists.values())
        help_stays = sum(n for k, n in stays_by_kind.items() if k != "intake")
        assert abs(daily.intake_queue.sum() - org.intake_list.area) <= stays_by_kind["intake"] + 1e-6, org.name
        assert abs(daily.waiting.sum() - help_area) <= help_stays + 1e-6, org.name
    assert checked > 500, "the run should have put many episodes through waiting lists"
