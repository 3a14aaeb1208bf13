"""Compare two ways of working on one scenario with paired seeds (``make run``).

``python -m experiments.compare [--scenario S] [--arms fragmented,networked]
[--replications N] [--workers W] [--n-families N] [--out DIR]``

Replication k of every arm uses seed k, so both arms face the same families
with the same draws (common random numbers) and differences are paired. Runs
go to a process pool with a progress line; the per-run summaries are written
(atomically) as ``runs.csv`` and ``comparison.csv``, and the table printed is
what a policy adviser reads: each metric per arm with its 95 % confidence
interval over replications and the paired difference.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.paired import mean_ci, paired_difference, spread
from experiments.runspec import flatten_summary as flatten  # one definition of a run's flat row, shared with sweeps
from sim import InputError, load_run_config, run
from sim.atomic import check_empty_target, write_folder

# (label, key in the flat summary, unit, scale)
METRICS: list[tuple[str, str, str, float]] = [
    ("time to help from onset, mean", "tth_onset_mean", "days", 1.0),
    ("time to help from onset, median", "tth_onset_median", "days", 1.0),
    ("time to help from onset, p90", "tth_onset_p90", "days", 1.0),
    ("time to help from signal, mean", "tth_signal_mean", "days", 1.0),
    ("time to help from signal, median", "tth_signal_median", "days", 1.0),
    ("time to help from signal, p90", "tth_signal_p90", "days", 1.0),
    ("helped within 98 days of signal", "share_helped_within_98_days", "%", 100.0),
    ("dropout, share of ended episodes", "dropout_share_episodes", "%", 100.0),
    ("dropout, share of families", "dropout_share_families", "%", 100.0),
    ("crises per 1000 families per year", "crises_per_1000_families_per_year", "", 1.0),
    ("cost, total (window)", "cost_total", "EUR m", 1e-6),
    ("cost per family served", "cost_per_family_served", "EUR", 1.0),
    ("cost per resolved need", "cost_per_resolved_need", "EUR", 1.0),
    ("handoffs per family", "handoffs_per_family", "", 1.0),
    ("intakes per family", "intakes_per_family", "", 1.0),
]


def _one(scenario: str, working: str, seed: int, n_families: int | None, horizon: float | None) -> dict[str, Any]:
    overrides: dict[str, Any] = {"seed": seed}
    if n_families is not None:
        overrides["n_families"] = n_families
    if horizon is not None:
        overrides["horizon_days"] = horizon
    result = run(load_run_config(scenario=scenario, working=working, **overrides))
    return dict(flatten(result.summary), arm=working, seed=seed)


def run_comparison(scenario: str, arms: list[str], replications: int, workers: int, n_families: int | None = None,
                   horizon: float | None = None, progress: bool = True) -> pd.DataFrame:
    """Run every arm for seeds 1..replications; return one row per run."""
    jobs = [(scenario, arm, seed, n_families, horizon) for seed in range(1, replications + 1) for arm in arms]
    rows: list[dict[str, Any]] = []
    t0 = time.perf_counter()

    def report() -> None:
        if progress:
            done = len(rows)
            eta = f"about {(time.perf_counter() - t0) / done * (len(jobs) - done):.0f} s" if done else "time"  # never "nan s"
            print(f"\r  runs done {done}/{len(jobs)}, {eta} left   ", end="", file=sys.stderr, flush=True)

    report()
    if workers <= 1:
        for job in jobs:
            rows.append(_one(*job))
            report()
    else:
        with ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("spawn")) as pool:
            futures = [pool.submit(_one, *job) for job in jobs]
            for fut in as_completed(futures):
                rows.append(fut.result())
                report()
    if progress:
        print(file=sys.stderr)
    return pd.DataFrame(rows).sort_values(["arm", "seed"]).reset_index(drop=True)


def comparison_table(runs: pd.DataFrame, base: str, other: str) -> pd.DataFrame:
    """Per metric: mean and 95 % CI per arm, paired difference (other - base) with its CI, spread."""
    a = runs[runs.arm == base].set_index("seed")
    b = runs[runs.arm == other].set_index("seed")
    rows = []
    keys = [(label, key, unit, scale) for label, key, unit, scale in METRICS]
    keys += [(f"cost paid by {c.removeprefix('cost_payer_')}", c, "EUR m", 1e-6) for c in sorted(runs.columns) if c.startswith("cost_payer_")]
    for label, key, unit, scale in keys:
        if key not in runs:
            continue
        xa = a[key].reindex(a.index).astype(float).to_numpy() * scale
        xb = b[key].reindex(a.index).astype(float).to_numpy() * scale
        ma, la, ha = mean_ci(xa)
        mb, lb, hb = mean_ci(xb)
        md, ld, hd = paired_difference(xa, xb)
        sa, sb = spread(xa), spread(xb)
        rows.append({"metric": label, "unit": unit, f"{base}": ma, f"{base}_lo": la, f"{base}_hi": ha,
                     f"{other}": mb, f"{other}_lo": lb, f"{other}_hi": hb, "difference": md, "difference_lo": ld,
                     "difference_hi": hd, f"{base}_p5": sa[0], f"{base}_p95": sa[1], f"{other}_p5": sb[0], f"{other}_p95": sb[1]})
    return pd.DataFrame(rows)


def _fmt(x: float, unit: str) -> str:
    if np.isnan(x):
        return "-"
    if unit in ("EUR", "") and abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.2f}" if abs(x) < 10 else f"{x:.1f}"


def render(table: pd.DataFrame, base: str, other: str, scenario: str, replications: int, families: int) -> str:
    """The table as text for a terminal or a memo."""
    lines = [f"ontschot: {scenario}, {families} families, {replications} paired replications (seeds 1..{replications})",
             f"mean [95 % confidence interval of the mean over replications]; difference = {other} - {base}, paired by seed", ""]
    head = f"{'metric':40} {'unit':6} {base:>26} {other:>26} {'difference':>26}"
    lines += [head, "-" * len(head)]
    for r in table.itertuples(index=False):
        d = r._asdict()

        def cell(name: str, unit: str = r.unit, d: dict = d) -> str:
            return f"{_fmt(d[name], unit)} [{_fmt(d[name + '_lo'], unit)}, {_fmt(d[name + '_hi'], unit)}]"

        lines.append(f"{r.metric:40} {r.unit:6} {cell(base):>26} {cell(other):>26} {cell('difference'):>26}")
    lines += ["", "spread of per-run outcomes (5th-95th percentile over replications; not an interval of the mean):"]
    for r in table.itertuples(index=False):
        if r.metric.startswith(("time to help from signal, mean", "dropout, share of ended", "cost, total")):
            d = r._asdict()
            lines.append(f"  {r.metric:38} {base}: {_fmt(d[base + '_p5'], r.unit)} to {_fmt(d[base + '_p95'], r.unit)}; "
                         f"{other}: {_fmt(d[other + '_p5'], r.unit)} to {_fmt(d[other + '_p95'], r.unit)} {r.unit}")
    lines += ["", "Time to help counts episodes signalled after warm-up that were helped; 'helped within 98 days' also counts",
              "those that dropped out, remitted or hit a crisis first. Costs are euros booked after warm-up, all payers."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line; returns the exit status."""
    p = argparse.ArgumentParser(prog="python -m experiments.compare", description=__doc__.split("\n\n")[0])
    p.add_argument("--scenario", default="sociaal_domein")
    p.add_argument("--arms", default="fragmented,networked", help="two presets from configs/working, comma-separated")
    p.add_argument("--replications", type=int, default=10)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--n-families", type=int, default=None)
    p.add_argument("--horizon-days", type=float, default=None)
    p.add_argument("--out", default=None, help="folder for runs.csv and comparison.csv (default outputs/compare-<time>)")
    try:
        args = p.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    arms = [a.strip() for a in args.arms.split(",") if a.strip()]
    try:
        if len(arms) != 2:
            raise InputError("--arms", args.arms, "exactly two presets separated by a comma")
        if args.replications < 2:
            raise InputError("--replications", args.replications, "an integer >= 2 (an interval needs two runs)")
        if args.workers < 1:
            raise InputError("--workers", args.workers, "an integer >= 1")
        for arm in arms:  # validate everything before any run starts
            cfg = load_run_config(scenario=args.scenario, working=arm,
                                  **({"n_families": args.n_families} if args.n_families is not None else {}),
                                  **({"horizon_days": args.horizon_days} if args.horizon_days is not None else {}))
        out = Path(args.out) if args.out else Path("outputs") / f"compare-{datetime.now():%Y-%m-%d_%H-%M-%S}"
        if not check_empty_target(out):
            raise InputError("--out", str(out), "a folder that does not exist yet or is empty")
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"comparing {arms[0]} and {arms[1]} on {args.scenario}: {args.replications} replications each, "
          f"{args.workers} worker(s)", file=sys.stderr)
    runs = run_comparison(args.scenario, arms, args.replications, args.workers, args.n_families, args.horizon_days)
    table = comparison_table(runs, arms[0], arms[1])
    text = render(table, arms[0], arms[1], args.scenario, args.replications, cfg.families)

    def write(folder: Path) -> None:
        runs.to_csv(folder / "runs.csv", index=False)
        table.to_csv(folder / "comparison.csv", index=False)
        (folder / "comparison.txt").write_text(text + "\n")

    write_folder(out, write)
    print(text)
    print(f"\nper-run summaries and the table: {out}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
