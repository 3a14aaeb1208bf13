"""Three layers of uncertainty around the paired difference of two ways of working (the end of ``make run``).

1. **Monte Carlo**: the 95 % confidence interval over seeds for one parameter
   set (the scenario file), which `experiments.compare`'s table already shows.
2. **Parameters**: the same paired difference for several members of the
   scenario's ensemble of calibrated worlds (`experiments.calibration.ensemble`,
   ``scenarios/<name>.ensemble.csv``), one seed each, reported as the 5-95 %
   spread over members: how much the answer depends on parameters the published
   targets do not pin down. One seed per member keeps it affordable, so this band
   also holds one run's Monte Carlo noise (layer 1 shows its size).
3. **Structure**: the paired difference (mean and 95 % CI over a few seeds) under
   each structural alternative the model offers for one mechanism, here the form
   of the single entry (``levers.single_entry_form``: ``no_wrong_door``, every
   organisation a door, or ``step``, every need through the entry team first).
   No calibration can choose between them: the fragmented status quo does not use
   the single entry, so both forms match the same targets.

Each layer is shown separately and labelled; none contains the others.
"""

from __future__ import annotations

import dataclasses
import sys
from typing import Any

import numpy as np
import pandas as pd

from experiments.calibration.ensemble import ensemble_path, member_overrides, parameter_columns, read_ensemble
from experiments.paired import paired_difference
from experiments.pool import run_all
from experiments.runspec import flatten_summary
from experiments.warmup_cache import reuse_order, run_cached, shared
from sim import load_run_config
from sim.labels import fallback
from sim.metrics import CATALOGUE, unit_label
from sim.numbers import fmt_interval, fmt_number
from sim.scenario import SINGLE_ENTRY_FORMS

# (scenario, arm, seed, n_families, horizon_days, scenario overrides, single-entry form or None, tag, and whether another
# job shares its warm-up: the other arm of the same member or form and seed, `experiments.warmup_cache`)
Job = tuple[Any, ...]


def _run(job: Job) -> dict[str, Any]:
    """One run of a layer (a picklable job): its flat summary, tagged with arm, seed and what varied."""
    scenario, working, seed, n_families, horizon, overrides, form, tag, share = job
    kw: dict[str, Any] = {"seed": seed, "scenario_overrides": overrides}
    if n_families is not None:
        kw["n_families"] = n_families
    if horizon is not None:
        kw["horizon_days"] = horizon
    cfg = load_run_config(scenario=scenario, working=working, **kw)
    if form is not None:
        # The form is a structural choice of the scenario's levers, not a value in the file, so it is set on the
        # loaded scenario rather than through scenario overrides (which only change values the file holds).
        sc = cfg.scenario
        cfg = dataclasses.replace(cfg, scenario=dataclasses.replace(sc, levers=sc.levers.replace("single_entry", form=form)))
    return dict(flatten_summary(run_cached(cfg, share).summary), arm=working, seed=seed, tag=tag)


def chosen_members(frame: pd.DataFrame, n: int) -> pd.DataFrame:
    """``n`` members spread evenly over the stored order (all of them if there are no more than ``n``)."""
    if len(frame) <= n:
        return frame
    return frame.iloc[np.unique(np.linspace(0, len(frame) - 1, n).round().astype(int))]


def layer_jobs(scenario: str, arms: list[str], members: pd.DataFrame, structural_seeds: int,
               n_families: int | None, horizon: float | None) -> list[Job]:
    """Every run of layers 2 and 3: member k at seed k in both arms; each single-entry form at seeds 1..n."""
    jobs: list[Job] = []
    paths = parameter_columns(members) if len(members) else []
    for k, (_, row) in enumerate(members.iterrows(), start=1):
        ov = member_overrides(row, scenario, paths)
        jobs += [(scenario, arm, k, n_families, horizon, ov, None, f"member {int(row.member)}") for arm in arms]
    for form in SINGLE_ENTRY_FORMS:
        jobs += [(scenario, arm, s, n_families, horizon, {}, form, f"form {form}")
                 for s in range(1, structural_seeds + 1) for arm in arms]
    share = shared([_warm_up_group(job) for job in jobs])
    return [(*job, sh) for job, sh in zip(jobs, share, strict=True)]


def _warm_up_group(job: Job) -> tuple[Any, ...]:
    """What a layer job's warm-up depends on: everything but the arm (and the tag, a label)."""
    scenario, _, seed, n_families, horizon, overrides, form, *_ = job
    return scenario, seed, n_families, horizon, repr(sorted(overrides.items())), form


def run_layers(jobs: list[Job], workers: int, progress: bool = True) -> pd.DataFrame:
    """Run the layers' jobs (`experiments.pool.run_all`, a progress line on stderr); one row per run, in job order.

    The jobs run in `experiments.warmup_cache.reuse_order`, so the arms of one member or form and seed restore the
    warm-up the first of them stored.
    """
    order = reuse_order([_warm_up_group(job) for job in jobs], lag=workers)
    rows = run_all(_run, [jobs[i] for i in order], workers, progress, what="layer runs")
    in_job_order: list[dict[str, Any]] = [{}] * len(jobs)
    for i, row in zip(order, rows, strict=True):
        in_job_order[i] = row
    return pd.DataFrame(in_job_order)


def _label(key: str) -> tuple[str, str, float]:
    m = CATALOGUE.get(key)
    return (m.en, unit_label(m.unit, "en"), m.scale) if m else (fallback(key), "", 1.0)


def _differences(runs: pd.DataFrame, tag: str, key: str, base: str, other: str) -> np.ndarray:
    sub = runs[runs.tag == tag]
    a = sub[sub.arm == base].set_index("seed")[key].astype(float)
    b = sub[sub.arm == other].set_index("seed")[key].astype(float)
    return (b - a.reindex(b.index)).to_numpy() * _label(key)[2]


def render_layers(runs: pd.DataFrame, metrics: list[str], base: str, other: str, scenario: str,
                  replications: int, n_members: int, structural_seeds: int) -> str:
    """The three labelled layers as text (layer 1 points to the table above)."""
    keys = [k for k in metrics if k in runs.columns]
    uw = max([12, *(len(_label(k)[1]) for k in keys)])  # the unit column fits the longest unit
    lw = max([40, *(len(_label(k)[0]) for k in keys)])  # and the metric column the longest label
    lines = [f"Three layers of uncertainty in the difference {other} - {base} (paired; each layer separately):", "",
             f"(1) Monte Carlo (seeds): the 95 % confidence intervals in the table above, {replications} seeds, one "
             f"parameter set (the scenario file).", ""]
    member_tags = sorted({t for t in runs.tag if t.startswith("member ")}, key=lambda t: int(t.split()[1]))
    if member_tags:
        lines += [f"(2) Parameters (ensemble of calibrated worlds): {len(member_tags)} of {n_members} members of "
                  f"{ensemble_path(scenario).name}, 1 seed each (member k at seed k), paired arms; median and 5-95 % "
                  "spread of the difference over members (one seed each, so it also holds one run's noise):",
                  f"  {'metric':{lw}} {'unit':{uw}} {'median':>12} {'5-95 % over members':>28}"]
        for key in keys:
            label, unit, _ = _label(key)
            d = np.array([_differences(runs, t, key, base, other)[0] for t in member_tags])
            d = d[np.isfinite(d)]
            if not len(d):
                continue
            lo, med, hi = np.percentile(d, [5, 50, 95])
            lines.append(f"  {label:{lw}} {unit:{uw}} {fmt_number(med, 'en'):>12} "
                         f"{fmt_number(lo, 'en') + ' to ' + fmt_number(hi, 'en'):>28}")
    else:
        lines.append(f"(2) Parameters: no ensemble stored for {scenario} ({ensemble_path(scenario).name}); "
                     "`make calibrate` builds one.")
    forms = list(SINGLE_ENTRY_FORMS)
    lines += ["", f"(3) Structure (single entry as {' or as '.join(forms)}; levers.single_entry_form): the difference "
              f"under each form, mean [95 % CI] over {structural_seeds} seeds, the scenario file's parameters:",
              f"  {'metric':{lw}} {'unit':{uw}} " + " ".join(f"{f:>28}" for f in forms)]
    for key in keys:
        label, unit, _ = _label(key)
        cells = []
        for form in forms:
            d = _differences(runs, f"form {form}", key, base, other)
            m, lo, hi = paired_difference(np.zeros_like(d), d) if len(d) > 1 else (float("nan"),) * 3
            cells.append(fmt_interval(m, lo, hi, "count", "en"))
        lines.append(f"  {label:{lw}} {unit:{uw}} " + " ".join(f"{c:>28}" for c in cells))
    return "\n".join(lines)


def layers_text(scenario: str, arms: list[str], metrics: list[str], replications: int, workers: int,
                n_families: int | None, horizon: float | None, members: int, structural_seeds: int) -> str:
    """Run layers 2 and 3 and return their text (layer 1 is the comparison table itself)."""
    frame = read_ensemble(scenario)
    chosen = chosen_members(frame, members) if len(frame) and members > 0 else pd.DataFrame()
    jobs = layer_jobs(scenario, arms, chosen, structural_seeds, n_families, horizon)
    print(f"uncertainty layers: {len(chosen)} ensemble members x 1 seed and {len(SINGLE_ENTRY_FORMS)} single-entry forms "
          f"x {structural_seeds} seeds, both arms: {len(jobs)} runs", file=sys.stderr)
    runs = run_layers(jobs, workers)
    return render_layers(runs, metrics, arms[0], arms[1], scenario, replications, len(frame), structural_seeds)
