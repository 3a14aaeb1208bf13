"""The benchmark workloads, each one measured repeat (run inside a fresh child process by `benchmarks.child`).

Kinds:

* ``run``: build, run and collect one `SocialDomainModel` (policy run, region, one point of the scaling
  series). A population other than the scenario's gets staff and intake desks scaled with it by the model
  (`sim.staffing`: a region of ten municipalities has ten municipalities' professionals), so every size
  carries the same load per family.
  With ``lever_switch_day`` in its parameters it times the viewer's lever switch instead (`lever_switch`),
  reported like a run (seconds, events, family-days of the replay). With ``from_warmup_cache`` it times a
  what-if from a cached warm-up instead (`whatif_run`): the prelude read from the disk cache and restored, the
  days from the levers' switch-on to the horizon run and the tables collected.
* ``viewer``: two worlds (fragmented and networked) advanced one simulated day at a time with ``run_for(1)``,
  as a live viewer does; the time of each day step of both worlds together.
* ``sweep``: the same independent runs on a process pool (`experiments.pool.Pool`, as ``make run`` and the
  sweeps use) with one worker process and with two; the wall time of the runs once the workers have started
  (the warm-up), and the start-up itself, so both the warm and the cold speed-up are reported.
* ``boltzmann``: Mesa's own Boltzmann wealth example (shipped in ``mesa.examples``), the reference rate.
* ``profile``: one run under cProfile; the functions with the most own time (the hot spots).

Executed events are the model's own count (``model.events_executed``, kept by its event loop in
``sim/events.py``): Mesa's daily step events and the model's timers, cancelled ones not counted.
"""

from __future__ import annotations

import os
import pickle
import time
from typing import Any

from experiments.pool import Pool
from experiments.warmup_cache import WarmupCache
from sim import RunConfig, SocialDomainModel, collect, load_run_config
from sim.prelude import from_prelude, prelude


def run_config(n_families: int, horizon_days: float, warm_up_days: float | None = None, working: str = "fragmented",
               seed: int = 1, scenario: str = "sociaal_domein") -> RunConfig:
    """A run configuration of ``n_families``: the model scales staff and intake desks with it (`sim.staffing`).

    Without ``warm_up_days`` the run has the default warm-up of configs/config.yaml, as a user's run has.
    """
    warm = {} if warm_up_days is None else {"warm_up_days": warm_up_days}
    return load_run_config(scenario=scenario, working=working, seed=seed, n_families=n_families,
                           horizon_days=horizon_days, **warm)


def one_run(params: dict[str, Any]) -> dict[str, Any]:
    """Time one run from model construction to collected tables (a lever switch: `lever_switch`; a what-if from a cached warm-up: `whatif_run`)."""
    if "lever_switch_day" in params:
        return lever_switch(params)
    if params.get("from_warmup_cache"):
        return whatif_run({k: v for k, v in params.items() if k != "from_warmup_cache"})
    cfg = run_config(**params)
    t0 = time.perf_counter()
    model = SocialDomainModel(cfg)
    t1 = time.perf_counter()
    model.run()
    result = collect(model)
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "build_seconds": t1 - t0, "events": model.events_executed, "episodes": len(result.episodes),
            "family_days": cfg.families * (cfg.warm_up_days + cfg.horizon_days)}


def store_prelude(params: dict[str, Any]) -> int:
    """Simulate the prelude of ``params``'s run and store it in the warm-up cache (in a pool worker); its size."""
    cfg = run_config(**params)
    cache = WarmupCache.from_environment()
    blob = cache.prelude(cfg)
    return len(blob)


def whatif_run(params: dict[str, Any]) -> dict[str, Any]:
    """A what-if from a cached warm-up: the run of ``params`` restored from its prelude in the disk cache.

    Untimed: the prelude is simulated and stored if the cache (`experiments.warmup_cache`, ``outputs/warmup-cache``)
    lacks it, in a worker process of its own (so that this process's peak memory is the what-if's). Timed, as a
    user's second what-if pays it: reading the prelude's bytes from disk, restoring the model (unpickling, levers
    configured from the run's settings: ``restore_seconds``, also reported as ``build_seconds``), running it from
    the levers' switch-on (the end of warm-up less the scenario's lead) to the horizon and collecting the tables.
    ``events`` and ``family_days`` are those of the restored part only.
    """
    cfg = run_config(**params)
    cache = WarmupCache.from_environment()
    if cache.enabled and cache.get(cfg) is None:
        with Pool(1) as pool:
            pool.map(store_prelude, [params])
    load = os.getloadavg()[0]
    c0, t0 = time.process_time(), time.perf_counter()
    blob = cache.get(cfg)
    if blob is None:  # switched off (ONTSCHOT_WARMUP_CACHE=off) or dropped meanwhile: simulated here, untimed
        blob = prelude(cfg)
        c0, t0 = time.process_time(), time.perf_counter()
    model = from_prelude(blob, cfg)
    t1 = time.perf_counter()
    size = len(blob)
    del blob  # the bytes are not needed once restored (a region's are hundreds of MB)
    before = model.events_executed
    model.run()
    result = collect(model)
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "build_seconds": t1 - t0, "restore_seconds": t1 - t0, "cpu_seconds": time.process_time() - c0,
            "load": load, "prelude_mb": size / 1e6, "events": model.events_executed - before, "episodes": len(result.episodes),
            "family_days": cfg.families * (model.end_time - model.levers_on), "levers_on": model.levers_on}


def lever_switch(params: dict[str, Any]) -> dict[str, Any]:
    """The viewer's lever switch: the left world gets ``lever`` at day ``lever_switch_day`` and is redrawn.

    Untimed: a `viewer.session.WorldPair` of ``scenario`` (fragmented left, networked right) with ``n_families``
    families and the viewer's warm-up, advanced to the day, and (unless ``spare`` is false) the copy of the
    prelude that the session's engine unpickles while the room looks at a paused screen. Timed: switching the
    lever (the world is rebuilt from the pair's day-0 prelude and replayed to the day) and drawing the page
    (`viewer.views.build`); ``cpu_seconds`` is the process time of the same (on a busy machine the wall time
    waits for the processor too).
    """
    from viewer.session import WorldPair
    from viewer.views import build

    day = int(params["lever_switch_day"])
    extra = {"warm_up_days": int(params["warm_up_days"])} if "warm_up_days" in params else {}
    pair = WorldPair(scenario=params.get("scenario", "sociaal_domein"), families=params.get("n_families"), **extra)
    pair.advance(day)
    build(pair, "en", None)
    events_before = pickle.loads(pair._prelude).events_executed  # noqa: S301 - the pair's own bytes; the replay's start
    if params.get("spare", True):
        pair.prepare_spare()
    load = os.getloadavg()[0]
    c0, t0 = time.process_time(), time.perf_counter()
    pair.set_lever(0, params.get("lever", "single_entry"), True)
    t1 = time.perf_counter()
    build(pair, "en", None)
    seconds = time.perf_counter() - t0
    model = pair.worlds[0].model
    return {"seconds": seconds, "build_seconds": t1 - t0, "cpu_seconds": time.process_time() - c0, "load": load,
            "warm_up_days": pair.warm_up_days, "events": model.events_executed - events_before,
            "episodes": len(model.episodes), "family_days": len(model.families) * day}


def viewer(params: dict[str, Any]) -> dict[str, Any]:
    """Per-day step times of two worlds advanced together, after ``warm_days`` of unmeasured days."""
    n, warm, days = params["n_families"], params["warm_days"], params["days"]
    worlds = [SocialDomainModel(run_config(n, horizon_days=warm + days + 10, warm_up_days=min(365.0, warm), working=w))
              for w in ("fragmented", "networked")]
    for m in worlds:
        m.run_for(warm)
    steps = []
    for _ in range(days):
        t0 = time.perf_counter()
        for m in worlds:
            m.run_for(1)
        steps.append(time.perf_counter() - t0)
    return {"steps": steps}


def sweep_job(params: dict[str, Any]) -> int:
    """One run of a sweep (in a pool worker); returns its number of episodes."""
    model = SocialDomainModel(run_config(**params))
    model.run()
    return len(collect(model).episodes)


def worker_ready(_: int) -> int:
    """Warm a pool worker up as every repeat process is (a small untimed run); returns its process id.

    The worker imported the model when it started; the small run fills its per-process tables. It takes long
    enough for the pool to hand the next call to another, idle worker.
    """
    warm_up("run")
    return os.getpid()


def _start_workers(pool: Pool, workers: int, timeout: float = 120.0) -> None:
    """Block until ``workers`` distinct worker processes of ``pool`` have answered (bounded in time)."""
    seen: set[int] = set()
    deadline = time.monotonic() + timeout
    while len(seen) < workers:
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {len(seen)} of {workers} pool workers started within {timeout:.0f} s")
        seen.update(pool.map(worker_ready, list(range(workers))))


def sweep(params: dict[str, Any]) -> dict[str, Any]:
    """The same ``runs`` runs on a pool of 1 worker and of 2 workers (spawn), timed on a warm pool and cold.

    As every workload is timed after a warm-up, the runs are timed once the pool's workers have started
    (spawned and imported the model): ``seconds_1``/``seconds_2`` and ``speedup``, the figure a long sweep
    sees, where start-up is paid once for thousands of runs. ``start_1``/``start_2`` is that start-up (about
    2 s here), and ``speedup_cold`` includes it, as a user of a 16-run sweep waits for it.
    """
    base = {k: v for k, v in params.items() if k != "runs"}
    jobs = [dict(base, seed=s) for s in range(1, params["runs"] + 1)]
    out: dict[str, Any] = {}
    for workers in (1, 2):
        t0 = time.perf_counter()
        # A pool of one worker stays a real process (not in_process): the speed-up compares processes, not this one.
        with Pool(workers) as pool:
            _start_workers(pool, workers)
            t1 = time.perf_counter()
            episodes = list(pool.map(sweep_job, jobs))
            t2 = time.perf_counter()
        out[f"start_{workers}"] = t1 - t0
        out[f"seconds_{workers}"] = t2 - t1
        out[f"episodes_{workers}"] = sum(episodes)
    if out["episodes_1"] != out["episodes_2"]:
        raise RuntimeError("a sweep gave different results on 1 and 2 workers")
    out["speedup"] = out["seconds_1"] / out["seconds_2"]
    out["speedup_cold"] = (out["start_1"] + out["seconds_1"]) / (out["start_2"] + out["seconds_2"])
    return out


def boltzmann(params: dict[str, Any]) -> dict[str, Any]:
    """Mesa's Boltzmann wealth example: ``agents`` agents for ``steps`` steps (its own data collection included)."""
    from mesa.examples.basic.boltzmann_wealth_model.model import BoltzmannScenario, BoltzmannWealth

    model = BoltzmannWealth(BoltzmannScenario(n=params["agents"], width=params["width"], height=params["width"]))
    t0 = time.perf_counter()
    for _ in range(params["steps"]):
        model.step()
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "agent_steps": params["agents"] * params["steps"]}


def profile(params: dict[str, Any]) -> dict[str, Any]:
    """Profile one run (cProfile): the ``top`` functions by own time (the hot spots), with call counts."""
    import cProfile
    import pstats

    top = params.pop("top")
    cfg = run_config(**params)
    prof = cProfile.Profile()
    prof.enable()
    model = SocialDomainModel(cfg)
    model.run()
    collect(model)
    prof.disable()
    stats = pstats.Stats(prof)
    rows = []
    for (file, line, func), (_, ncalls, tottime, cumtime, _) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append({"function": f"{_short(file)}:{line}({func})", "calls": ncalls, "own_s": tottime, "cumulative_s": cumtime})
    rows.sort(key=lambda r: -r["own_s"])
    return {"total_s": stats.total_tt, "rows": rows[:top]}  # type: ignore[attr-defined]


def _short(file: str) -> str:
    """A path shortened to the package it belongs to (``sim/...``, ``mesa/...``, ``heapq``...)."""
    for marker in ("/site-packages/", "/lib/python3."):
        if marker in file:
            return file.split(marker, 1)[1].split("/", 1)[-1] if marker == "/lib/python3." else file.split(marker, 1)[1]
    for pkg in ("/sim/", "/benchmarks/"):
        if pkg in file:
            return pkg[1:] + file.rsplit(pkg, 1)[1]
    return file


KINDS = {"run": one_run, "viewer": viewer, "sweep": sweep, "boltzmann": boltzmann, "profile": profile}


def warm_up(kind: str) -> None:
    """Imports, code paths and tables warmed by a small untimed run, so a repeat times the work, not start-up."""
    if kind == "boltzmann":
        boltzmann({"agents": 50, "width": 5, "steps": 5})
    elif kind != "sweep":
        model = SocialDomainModel(run_config(3500, horizon_days=60.0, warm_up_days=30.0, working="networked"))
        model.run()
        collect(model)
