"""An ensemble of calibrated worlds: the parameter sets whose own runs match every target's accepted band.

`build` runs history matching (`history_matching`) on the fragmented preset of
one scenario over the calibrated scales of `fit`, at the smallest allowed population. The
hourly cost of specialist youth care is solved per run (`cost`: it changes no
event, and the cost per client is proportional to it), so every member's
recorded cost is its own run's at its own solved rate; a scenario whose cost
scale cannot be solved that way searches it as one more dimension. Points the
scenario refuses at this population are not proposed (`feasible`); the
emulators judge only the targets they can emulate (`EMULATED`). Every run of every wave is a
candidate; `accept` keeps a run when each matched target's simulated value lies
in its accepted band (`targets.accepted_band`: published value +- 3 sd of
observation uncertainty and stated model discrepancy).

Runs are cached one line each in ``outputs/calibration/<scenario>-runs.jsonl``
as they finish (keyed by their exact overrides, seed and run settings), so an
interrupted ``make calibrate`` resumes where it stopped: the designs are
deterministic, so the same runs are asked for again and found. The accepted
members are stored beside the scenario in ``scenarios/<scenario>.ensemble.csv``
(parameter values, simulated target values, seed); the member nearest the
centre of the members (in the unit cube of the scales) is the representative
whose values the scenario file holds.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.calibration.cost import solvable, solve_cost
from experiments.calibration.emulator import fit_emulator_task
from experiments.calibration.fit import (
    COST_SCALES,
    SCALES,
    Prior,
    Scale,
    overrides_for,
    read_priors,
    rounded,
    run_observed,
)
from experiments.calibration.history_matching import Wave, history_match
from experiments.calibration.observe import OBSERVERS
from experiments.calibration.switch import LOAD_KEY, SHARE_KEY, load_window, share_fitted, window_target
from experiments.calibration.targets import DISCREPANCY, TARGETS, Target, accepted_band, matched_targets, observation_sd
from experiments.pool import Pool
from sim import load_run_config
from sim.atomic import write_text
from sim.errors import InputError
from sim.scenario import SCENARIO_DIR

OBSERVED = frozenset(OBSERVERS)  # what every run records (`observe.observe`)
SEED0 = 1001  # run i of the history matching uses seed SEED0 + i: other seeds than the validation (101..)
OUT_PREFIX = "out."  # column prefix of a simulated target value in the ensemble file
# Matched targets that no emulator judges (they never rule a point out; every member must still lie in their band).
# The cost per client is emulated as solved (`cost`): the published value where the declared range of the hourly
# cost reaches it, else the cost at the nearest bound, a smooth function with a kink.
# - the share of adult mental-health intake waits over 4 weeks is a switch: about 0 % while the intake desk keeps
#   up with its arrivals, about 90 % once it does not (an overloaded queue grows until reneging bounds it), with
#   few runs in between (80 runs of the first calibration). A Gaussian process with a smooth kernel smooths the
#   step over the whole space and, with its small variance far from the step, would rule out the narrow region
#   near it where the band lies. The smooth quantity that throws the switch, the desk's offered load, is emulated
#   instead and judged against the window of load in which the share lands in its band (`switch`).
NOT_EMULATED = (SHARE_KEY,)


def ensemble_path(scenario: str) -> Path:
    """Where a scenario's ensemble is stored (beside the scenario file)."""
    return SCENARIO_DIR / f"{scenario}.ensemble.csv"


def accept(outputs: Mapping[str, float], targets: list[Target] | None = None) -> tuple[bool, list[str]]:
    """Whether a run's outputs lie in every matched target's accepted band; and the keys of the targets it misses.

    A missing or NaN value misses its target (a run that cannot produce a figure is not a calibrated world).
    """
    missed = []
    for t in targets if targets is not None else matched_targets():
        v = outputs.get(t.key, math.nan)
        lo, hi = accepted_band(t)
        if not (isinstance(v, int | float) and lo <= v <= hi):
            missed.append(t.key)
    return not missed, missed


@dataclass
class Space:
    """The calibrated scales of a scenario and the unit cube over their bounds."""

    scales: tuple[Scale, ...]  # the searched scales (the unit cube's dimensions)
    priors: list[Prior]
    cost: tuple[Scale, Prior] | None = None  # the cost scale solved per run (`cost.solve_cost`), if it is

    @classmethod
    def of(cls, scenario: str) -> Space:
        """Every scale of the fit, and the hourly-cost scale (solved per run where it can be), file values as priors."""
        cost = COST_SCALES[scenario]
        if solvable(scenario):
            return cls(SCALES[scenario], read_priors(scenario, SCALES[scenario]),
                       (cost, read_priors(scenario, (cost,))[0]))
        scales = (*SCALES[scenario], cost)
        return cls(scales, read_priors(scenario, scales))

    @property
    def paths(self) -> list[str]:
        """Every dotted path a member sets (the solved cost's last)."""
        return [p for s in self.scales for p in s.paths] + (list(self.cost[0].paths) if self.cost else [])

    @property
    def integer(self) -> dict[str, bool]:
        """Whether each path's value is an integer in the scenario file."""
        pairs = list(zip(self.scales, self.priors, strict=True)) + ([self.cost] if self.cost else [])
        return {p: i for s, pr in pairs for p, i in zip(s.paths, pr.integer, strict=True)}

    def overrides(self, u: np.ndarray) -> dict[str, float | int]:
        """Scenario values of the point ``u`` of the unit cube (rounded as written to the file).

        A solved cost scale runs at its prior rate; `solve` then sets the run's own rate.
        """
        lo = np.array([p.lo for p in self.priors])
        hi = np.array([p.hi for p in self.priors])
        out = overrides_for(self.scales, self.priors, lo + (hi - lo) * np.asarray(u, dtype=float))
        if self.cost:
            sc, pr = self.cost
            out.update({p: rounded(v, i) for p, v, i in zip(sc.paths, pr.values, pr.integer, strict=True)})
        return out

    def solve(self, overrides: dict[str, float | int], obs: dict[str, float]) -> tuple[dict[str, float | int], dict[str, float]]:
        """A run's overrides and targets with the solved hourly cost (unchanged when the cost is searched)."""
        if not self.cost:
            return overrides, obs
        rate, solved = solve_cost(obs, *self.cost)
        return {**overrides, **rate}, solved


class RunCache:
    """Finished runs, one JSON line each, appended and flushed as they finish (so nothing is lost to an interrupt)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.runs: dict[str, dict[str, float]] = {}
        if path.is_file():
            for line in path.read_text().splitlines():
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError:
                    continue  # a line cut by an interrupt: that run is simply done again
                if rec["obs"].keys() >= OBSERVED:  # a run cached before a quantity was observed is done again
                    self.runs[rec["key"]] = rec["obs"]

    @staticmethod
    def key(job: tuple[str, dict[str, Any], int, dict[str, Any]]) -> str:
        """A run's identity: scenario, overrides, seed and run settings."""
        scenario, overrides, seed, kw = job
        return json.dumps([scenario, sorted(overrides.items()), seed, sorted(kw.items())])

    def add(self, key: str, obs: dict[str, float]) -> None:
        """Record one finished run."""
        self.runs[key] = obs
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a") as f:
            f.write(json.dumps({"key": key, "obs": obs}) + "\n")
            f.flush()
            os.fsync(f.fileno())


@dataclass
class Run:
    """One run of the history matching."""

    u: np.ndarray
    overrides: dict[str, float | int]
    seed: int
    wave: int
    obs: dict[str, float]


@dataclass
class EnsembleResult:
    """What `build` found."""

    scenario: str
    space: Space
    runs: list[Run]
    waves: list[Wave]
    kw: dict[str, Any]
    seconds: float
    cached: int = 0  # runs found in the cache (done by an earlier, interrupted invocation; not in ``seconds``)
    members: list[Run] = field(default_factory=list)
    representative: int = -1  # index into members
    load_windows: list[tuple[float, float] | None] = field(default_factory=list)  # per wave, offered load (not log)
    analytic: bool = True  # emulators fitted with the analytic gradient (False: finite differences)

    def missed_by(self) -> dict[str, int]:
        """Per matched target: how many runs miss its accepted band."""
        counts = {t.key: 0 for t in matched_targets()}
        for r in self.runs:
            for k in accept(r.obs)[1]:
                counts[k] += 1
        return counts

    def only_missed_by(self) -> dict[str, int]:
        """Per matched target: how many runs miss that band and no other (the runs one target alone rules out)."""
        counts = {t.key: 0 for t in matched_targets()}
        for r in self.runs:
            missed = accept(r.obs)[1]
            if len(missed) == 1:
                counts[missed[0]] += 1
        return counts


def run_or_refused(job: tuple[str, dict[str, Any], int, dict[str, Any]]) -> tuple[dict[str, float], str]:
    """`fit.run_observed`, or NaN for every target and the reason when the scenario refuses the values.

    A refused point (e.g. a desk whose hours round to nothing at this population) produces no figure: no band
    accepts it and no emulator sees it. The reason travels as text (an exception would have to cross the pool).
    """
    try:
        return run_observed(job), ""
    except InputError as exc:
        return {t.key: math.nan for t in TARGETS}, str(exc)


def representative(members: list[Run]) -> int:
    """Index of the member nearest (Euclidean, unit cube of the scales) to the members' mean point."""
    u = np.array([m.u for m in members])
    return int(np.argmin(np.linalg.norm(u - u.mean(axis=0), axis=1)))


def build(pool: Pool, scenario: str, kw: dict[str, Any], waves: int, wave_size: int, cache: RunCache,
          say: Callable[[str], None] = print, seed: int = 0, analytic: bool = True) -> EnsembleResult:
    """History-match the scenario's fragmented preset and keep the accepted runs as members.

    Args:
        pool: where the runs go (`experiments.pool.Pool`, open).
        scenario: the scenario name.
        kw: run settings (population, warm-up, horizon).
        waves: emulator waves after the first design.
        wave_size: runs per wave (the first design is a Latin hypercube of this size).
        cache: finished runs (resume).
        say: progress (stderr).
        seed: seed of the designs.
        analytic: fit the emulators with the likelihood's analytic gradient (False: finite differences, as the
            stored ensembles made before 2026-11-29; `experiments.calibrate.SHIPPED_GRADIENT`).
    """
    t0 = time.perf_counter()
    space = Space.of(scenario)
    matched = matched_targets()
    targets = [t for t in matched if t.key not in NOT_EMULATED]
    # While the switch-like share is fitted, the last output is the log of the adult intake desk's offered load
    # (`switch`), judged against a window learned per wave; without it, every output is a target.
    switched = share_fitted()
    z = np.array([t.point for t in targets] + ([0.0] if switched else []))
    var = np.array([observation_sd(t) ** 2 + DISCREPANCY[t.key][0] ** 2 for t in targets] + ([math.inf] if switched else []))
    share_band = accepted_band(next(t for t in TARGETS if t.key == SHARE_KEY))
    windows: list[tuple[float, float] | None] = []
    runs: list[Run] = []
    cached = [0]
    total = wave_size * (waves + 1)

    def simulate(us: np.ndarray) -> np.ndarray:
        wave = len(runs) // wave_size
        jobs = [(scenario, space.overrides(u), SEED0 + len(runs) + i, kw) for i, u in enumerate(us)]
        obs: list[dict[str, float] | None] = [cache.runs.get(RunCache.key(j)) for j in jobs]
        todo = [i for i, o in enumerate(obs) if o is None]
        cached[0] += len(jobs) - len(todo)
        say(f"  [{scenario}] wave {wave}: {len(jobs)} runs ({len(jobs) - len(todo)} found in {cache.path.name})")
        for done in pool.completed(run_or_refused, [jobs[i] for i in todo]):
            i = todo[done.index]
            obs[i], refused = done.result()  # a run that raised ends the calibration, naming its job (the cache keeps the rest)
            if refused:
                say(f"  [{scenario}] run refused by the scenario: {refused}")
            cache.add(RunCache.key(jobs[i]), obs[i])
            finished = sum(o is not None for o in obs)
            say(f"  [{scenario}] run {len(runs) + finished}/{total}  ({time.perf_counter() - t0:.0f} s)")
        new = []
        for u, j, o in zip(us, jobs, obs, strict=True):
            assert o is not None
            ov, so = space.solve(j[1], o)
            new.append(Run(np.asarray(u), ov, j[2], wave, so))
        runs.extend(new)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.array([[r.obs[t.key] for t in targets] + ([np.log(r.obs.get(LOAD_KEY, math.nan))] if switched else [])
                             for r in new], dtype=float)

    def refit(n: int) -> tuple[np.ndarray, np.ndarray]:
        # The window of load in which the share lands in its band, from the first n runs: every run so far (the runs
        # list, in the same order as the design). The share is not emulated, so it is read from the runs themselves.
        so_far = runs[:n]
        win = load_window(np.array([r.obs.get(LOAD_KEY, math.nan) for r in so_far]),
                          np.array([r.obs[SHARE_KEY] for r in so_far]), share_band)
        windows.append(win)
        zl, vl = window_target(win)
        say(f"  [{scenario}] adult intake desk: share in its band at offered load "
            + (f"{math.exp(win[0]):.3f}-{math.exp(win[1]):.3f}" if win else "unknown yet (no rule this wave)"))
        return np.r_[z[:-1], zl], np.r_[var[:-1], vl]

    def feasible(u: np.ndarray) -> bool:
        # A point the scenario refuses at this population (e.g. a desk with less than one intake a week) is not a
        # world at all; checked on the loaded configuration, without a run.
        try:
            load_run_config(scenario, "fragmented", scenario_overrides=space.overrides(u), seed=SEED0, **kw)
        except InputError:
            return False
        return True

    _, _, done_waves = history_match(simulate, len(space.scales), z, var, waves, wave_size, seed=seed, say=say,
                                     feasible=feasible, refit=refit if switched else None,
                                     # A wave's emulators (one per output) are fitted side by side in the pool: the
                                     # fits, not the runs, took most of a calibration's time (each is deterministic
                                     # in its task, so the waves are those of fitting them one after another).
                                     fit_all=lambda tasks: pool.map(fit_emulator_task, tasks), analytic=analytic)
    res = EnsembleResult(scenario, space, runs, done_waves, kw, time.perf_counter() - t0, cached[0],
                         load_windows=[(math.exp(w[0]), math.exp(w[1])) if w else None for w in windows],
                         analytic=analytic)
    res.members = [r for r in runs if accept(r.obs)[0]]
    if res.members:
        res.representative = representative(res.members)
    return res


def to_frame(res: EnsembleResult) -> pd.DataFrame:
    """The members as a table: member number, seed, wave, run settings, representative flag, values, outputs."""
    rows = []
    for i, m in enumerate(res.members):
        row: dict[str, Any] = {"member": i + 1, "seed": m.seed, "wave": m.wave,
                               "n_families": res.kw["n_families"], "warm_up_days": res.kw["warm_up_days"],
                               "horizon_days": res.kw["horizon_days"], "representative": int(i == res.representative)}
        row.update({p: m.overrides[p] for p in res.space.paths})
        row.update({OUT_PREFIX + t.key: m.obs[t.key] for t in TARGETS})
        rows.append(row)
    return pd.DataFrame(rows)


def write_ensemble(res: EnsembleResult, path: Path | None = None) -> Path:
    """Store the members beside the scenario (atomic); returns the path."""
    path = path or ensemble_path(res.scenario)
    write_text(path, to_frame(res).to_csv(index=False, float_format="%.10g"))
    return path


def read_ensemble(scenario: str, path: Path | None = None) -> pd.DataFrame:
    """The stored members of a scenario (empty frame if it has none)."""
    path = path or ensemble_path(scenario)
    return pd.read_csv(path) if path.is_file() else pd.DataFrame()


def parameter_columns(frame: pd.DataFrame) -> list[str]:
    """The dotted scenario paths among the ensemble file's columns."""
    return [c for c in frame.columns if "." in c and not c.startswith(OUT_PREFIX)]


def member_overrides(row: Mapping[str, Any], scenario: str, paths: list[str] | None = None) -> dict[str, float | int]:
    """A member's scenario overrides; values that are integers in the scenario file stay integers."""
    space = Space.of(scenario)
    integer = space.integer
    out: dict[str, float | int] = {}
    for p in paths if paths is not None else space.paths:
        v = float(row[p])
        out[p] = int(round(v)) if integer.get(p, False) else v
    return out
