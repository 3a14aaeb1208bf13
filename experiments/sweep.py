"""A sweep: compose the experiment with Hydra, validate it whole, plan its runs, execute and resume.

Everything is checked before the first run starts and before anything is
written: Hydra's composition (unknown key, unknown group option such as a
launcher), the run settings, the design (empty lists, unknown parameters,
unknown presets) and one model configuration per arm. A bad value is one
`sim.InputError` naming the field, the value and what is allowed.

The sweep folder is derived from the configuration (not the clock), so running
the same command again resumes: runs that succeeded are skipped; runs left
``running`` by a killed process and runs that failed are run again.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments import regimes
from experiments.designs import available, design_arms, sensitivity_design
from experiments.executors import LAUNCHERS, check_submitit_launcher, make_executor
from experiments.paired import paired_difference
from experiments.progress import Progress
from experiments.runspec import RunConfiguration, RunSpec
from experiments.store import Store, load_sweep
from experiments.warmup_cache import DEFAULT_DIR, WarmupCache, reuse_order, shared
from sim import InputError
from sim.atomic import target_problem
from sim.configuration import compose as compose_config
from sim.configuration import scenario_path
from sim.headline import FOLLOW_UP_DAYS
from sim.reader import Reader

# Settings that say how or where a sweep runs, not what it computes: they do not change the folder name.
SIM_DIR = Path(__file__).resolve().parent.parent / "sim"
_NOT_IN_NAME = ("launcher", "retries", "progress", "out", "replications", "target_ci_width", "max_replications", "report")


def compose(overrides: list[str]) -> dict[str, Any]:
    """Compose ``configs/sweep.yaml`` with the overrides; ``compare_working`` when no experiment is named."""
    items = [("+" + item if item.startswith("experiment=") else item) for item in overrides]
    if not any(i.startswith("+experiment=") for i in items):
        items.insert(0, "+experiment=compare_working")
    return compose_config("sweep", items, "e.g. +experiment=lever_ablation launcher=joblib")


def _integer(cfg: dict[str, Any], key: str, lo: int, allow_none: bool = False, prefix: str = "") -> int | None:
    """An integer >= ``lo`` (None allowed with ``allow_none``), read by `Reader` like every other input."""
    return Reader(cfg, prefix.rstrip("."), None).number(key, lo, integer=True, nullable=allow_none)


def _number(cfg: dict[str, Any], key: str, lo: float, allow_none: bool = False, open_lo: bool = False) -> float | None:
    """A number >= ``lo`` (> with ``open_lo``; None allowed with ``allow_none``), read by `Reader`."""
    return Reader(cfg, "", None).number(key, lo, lo_open=open_lo, nullable=allow_none)


@dataclass
class Experiment:
    """A validated sweep: its configuration, arms, and where and how it runs."""

    config: dict[str, Any]
    arms: list[dict[str, Any]]
    folder: Path
    replications: int
    factors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def exp(self) -> dict[str, Any]:
        """The ``experiment`` section."""
        return self.config["experiment"]

    def spec(self, arm: dict[str, Any], seed: int) -> RunSpec:
        """The run of one arm and replication."""
        c = self.config
        overrides = {**(c["scenario"].get("overrides") or {}), **arm["overrides"]}
        return RunSpec(scenario=c["scenario"]["name"], working=arm["working"], levers=arm["levers"], seed=seed,
                       scenario_overrides=overrides, n_families=c["n_families"], horizon_days=float(c["horizon_days"]),
                       warm_up_days=float(c["warm_up_days"]))

    def plan(self, replications: int) -> pd.DataFrame:
        """One row per arm and replication (seed = replication number, the same in every arm)."""
        rows = []
        for arm in self.arms:
            info = {k: v for k, v in arm.items() if k not in ("levers", "overrides")}
            for rep in range(1, replications + 1):
                spec = self.spec(arm, rep)
                rows.append({**info, "replication": rep, "seed": rep, "key": spec.key, "spec": json.dumps(asdict(spec))})
        return pd.DataFrame(rows)


def model_fingerprint(scenario: str) -> str:
    """A digest of the model code (``sim/``) and the scenario file: what a run's results depend on besides its config.

    Run keys come from the configuration only, so without this a sweep resumed after a change of the model or a
    recalibration of the scenario would mix results of two models.
    """
    h = hashlib.sha256()
    for path in sorted(SIM_DIR.rglob("*.py")):
        h.update(str(path.relative_to(SIM_DIR)).encode())
        h.update(path.read_bytes())
    h.update(scenario_path(scenario).read_bytes())
    return h.hexdigest()[:16]


def validate(cfg: dict[str, Any]) -> Experiment:
    """Check a composed sweep configuration completely; raise `InputError` at the first bad value."""
    launcher = cfg.get("launcher") or {}
    if launcher.get("name") not in LAUNCHERS:
        raise InputError("launcher", launcher.get("name"), f"one of {', '.join(available('launcher'))}")
    if launcher["name"] == "pool":
        _integer(launcher, "workers", 1, prefix="launcher.")
    if launcher["name"] == "joblib" and (not isinstance(launcher.get("n_jobs"), int) or launcher["n_jobs"] == 0):
        raise InputError("launcher.n_jobs", launcher.get("n_jobs"), "a non-zero integer (-1: every core)")
    if launcher["name"].startswith("submitit"):
        check_submitit_launcher(launcher)  # parameters as submitit accepts them; for SLURM, a controller that answers
    exp = cfg.get("experiment")
    regimes_design = isinstance(exp, dict) and exp.get("design") == "regimes"
    # a regimes design needs no interval per arm: one seed per sample point is a valid (and the cheapest) design
    reps = _integer(cfg, "replications", 1 if regimes_design else 2)
    _integer(cfg, "n_families", 1, allow_none=True)
    _number(cfg, "horizon_days", 0.0, open_lo=True)
    _number(cfg, "warm_up_days", 0.0)
    _integer(cfg, "retries", 0)
    target = _number(cfg, "target_ci_width", 0.0, allow_none=True, open_lo=True)
    if _integer(cfg, "max_replications", 2) < reps:
        raise InputError("max_replications", cfg["max_replications"], f"an integer >= replications ({reps})")
    if cfg.get("report") not in (None, "en", "nl"):
        raise InputError("report", cfg.get("report"), "null (no report), en or nl")
    for key in ("keep_episodes", "progress"):
        if not isinstance(cfg.get(key), bool):
            raise InputError(key, cfg.get(key), "true or false")
    if not isinstance(exp, dict) or not exp.get("name"):
        raise InputError("experiment", exp, f"+experiment=<one of {', '.join(available('experiment'))}>")
    scenario = cfg["scenario"]["name"]
    own = cfg["scenario"].get("overrides") or {}  # the sweep's pathway, options and values: the designs read them
    factors: list[dict[str, Any]] = []
    if exp.get("design") == "sensitivity":
        arms, fs, _ = sensitivity_design(exp, scenario, own)
        factors = [asdict(f) for f in fs]
        check = arms[:1]
        outputs = exp.get("outputs")
        if not isinstance(outputs, list) or not outputs:
            raise InputError("experiment.outputs", outputs, "a non-empty list of summary metrics")
        if target is not None:
            raise InputError("target_ci_width", target, "null for a sensitivity design (it has no paired headline difference)")
    elif regimes_design:
        arms, fs = regimes.design(exp, scenario, own)
        horizon = float(cfg["horizon_days"])
        for key in regimes.outcomes(exp):
            need = FOLLOW_UP_DAYS.get(key)
            if need is not None and horizon <= need:
                raise InputError("horizon_days", cfg["horizon_days"],
                                 f"more than {need:.0f} days: experiment.outcomes has {key}, read {need:.0f} days after "
                                 f"onset, which a shorter measured window never reaches")
        factors = [asdict(f) for f in fs]
        check = arms[:2]  # building a configuration costs about 0.4 s: the first point's two arms stand for the rest
        if target is not None:
            raise InputError("target_ci_width", target, "null for a regimes design (PRIM reads every point, not one interval)")
    else:
        arms = design_arms(exp, scenario, own)
        check = arms
        if target is not None and not any(a.get("reference") for a in arms):
            raise InputError("target_ci_width", target, "null: this design has no paired differences")
    cfg = {**cfg, "model": model_fingerprint(scenario)}  # part of the default folder's name and checked on resume
    out = cfg.get("out")
    experiment = Experiment(cfg, arms, Path(out) if out else default_folder(cfg), reps, factors)
    for arm in check:  # every arm's model configuration, before any run
        experiment.spec(arm, 1).run_config()
    folder = experiment.folder
    if folder.exists() and not folder.is_dir():
        raise InputError("out", str(folder), "a new or empty folder, or the folder of this sweep (to resume it); this is a file")
    if not folder.exists() and (problem := target_problem(folder)):
        raise InputError("out", str(folder), f"a folder that can be written ({problem})")
    if folder.exists() and any(folder.iterdir()) and not (folder / "sweep.json").is_file():
        raise InputError("out", str(folder), "a new or empty folder, or the folder of this sweep (to resume it)")
    if folder.exists() and (folder / "sweep.json").is_file():
        before = {k: v for k, v in json.loads((folder / "sweep.json").read_text()).items() if k not in (*_NOT_IN_NAME, "factors")}
        now = {k: v for k, v in cfg.items() if k not in _NOT_IN_NAME}
        if before.get("model") != now["model"]:
            raise InputError("out", str(folder), "a new folder: the model code (sim/) or the scenario file changed since this "
                             "sweep started, and resuming would mix results of two models")
        if before != now:
            raise InputError("out", str(folder), "the folder of this same experiment (it holds a different one), or a new folder")
    return experiment


def default_folder(cfg: dict[str, Any]) -> Path:
    """outputs/sweeps/<experiment>-<scenario>-<hash>: the same configuration gives the same folder (resume)."""
    what = {k: v for k, v in cfg.items() if k not in _NOT_IN_NAME}
    digest = hashlib.sha256(json.dumps(what, sort_keys=True, default=str).encode()).hexdigest()[:8]
    return Path("outputs") / "sweeps" / f"{cfg['experiment']['name']}-{cfg['scenario']['name']}-{digest}"


def headline_width(folder: Path, metric: str) -> float:
    """The widest 95 % CI of the paired headline difference over every arm with a reference arm."""
    sw = load_sweep(folder)
    s = sw.summary
    widths = []
    for arm, ref in sw.plan[["arm", "reference"]].drop_duplicates().itertuples(index=False):
        if not isinstance(ref, str):
            continue
        a = s[s.arm == ref].set_index("seed")[metric]
        b = s[s.arm == arm].set_index("seed")[metric].reindex(a.index)
        _, lo, hi = paired_difference(a.to_numpy(), b.to_numpy())
        widths.append(hi - lo if np.isfinite(hi - lo) else np.inf)
    return max(widths) if widths else np.inf


def execute(experiment: Experiment, configuration: RunConfiguration | None = None) -> dict[str, int]:
    """Run (or resume) the sweep; return counts of succeeded and failed runs in the final plan."""
    cfg = experiment.config
    # The arms of one seed (and point) share its warm-up: the first to run stores it, the others restore it (the same
    # tables, `experiments.warmup_cache`). The folder is absolute (also one named in ONTSCHOT_WARMUP_CACHE), so that a
    # SLURM job finds it from any directory.
    configuration = configuration or RunConfiguration(
        keep_episodes=cfg["keep_episodes"], warmup_cache=WarmupCache.from_environment(DEFAULT_DIR.resolve()))
    # How many runs start at once (SLURM: the array's tasks; unknown: the reference machine's 2 cores): the lag by which
    # the runs that restore a warm-up follow the run that stores it.
    workers = int(next((v for v in (cfg["launcher"].get(k) for k in ("workers", "n_jobs", "jobs")) if v), 2))
    store = Store(experiment.folder)
    executor = make_executor(cfg["launcher"])
    reps = experiment.replications
    plan = experiment.plan(reps)
    store.create({**cfg, "factors": experiment.factors}, plan)
    progress = Progress(0, enabled=cfg["progress"])

    def run_keys(plan: pd.DataFrame) -> None:
        data = {k: json.loads(s) for k, s in zip(plan.key, plan.spec, strict=True)}  # two equal arms share one run
        groups = {k: RunSpec.from_dict(d).warm_up_group for k, d in data.items()}
        share = shared(list(groups.values()))
        ran = configuration.with_shared(frozenset(k for k, sh in zip(groups, share, strict=True) if sh))
        pending = [k for k in data if not store.succeeded(k)]
        specs = {pending[i]: data[pending[i]] for i in reuse_order([groups[k] for k in pending], lag=workers)}
        progress.skipped += len(set(plan.key)) - len(specs)
        progress.add_total(len(specs))
        for attempt in range(cfg["retries"] + 1):
            results: list[dict[str, Any]] = []

            def on_result(r: dict[str, Any], results: list[dict[str, Any]] = results) -> None:
                results.append(r)
                progress.update(r["state"])

            executor.map(experiment.folder, list(specs.values()), ran, on_result)
            # retries apply to runs that raised; an interrupted run (job cancelled, time limit, lost) waits for the next command
            failed = {r["key"] for r in results if r["state"] == "failed"}
            specs = {k: v for k, v in specs.items() if k in failed}
            if not specs or attempt == cfg["retries"]:
                break
            progress.failed -= len(specs)  # retried: counted again when they finish

    run_keys(plan)
    target = cfg["target_ci_width"]
    metric = experiment.exp.get("headline", "tth_signal_mean")
    while target is not None and reps < cfg["max_replications"] and headline_width(experiment.folder, metric) > target:
        reps = min(cfg["max_replications"], reps * 2)  # doubling: the interval narrows about as 1/sqrt(n)
        bigger = experiment.plan(reps)
        store.create({**cfg, "replications": reps, "factors": experiment.factors}, bigger)
        run_keys(bigger[~bigger.key.isin(plan.key)])
        plan = bigger
    progress.close()
    states = store.states(plan.key)
    return {"runs": len(states), "succeeded": int((states.state == "succeeded").sum()),
            "failed": int((states.state != "succeeded").sum()), "replications": reps}


def run_sweep(*overrides: str, configuration: RunConfiguration | None = None) -> Path:
    """Compose, validate and run a sweep from Python (notebooks, tests); return its folder.

    Example: ``run_sweep("+experiment=compare_working", "replications=3", "n_families=3500", "progress=false")``.
    """
    experiment = validate(compose(list(overrides)))
    execute(experiment, configuration)
    return experiment.folder
