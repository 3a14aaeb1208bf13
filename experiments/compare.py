"""Compare two ways of working on one scenario with paired seeds (``make run``).

``python -m experiments.compare [--scenario S] [--arms fragmented,networked]
[--replications N] [--workers W] [--n-families N] [--out DIR] [--layer-members 10] [--layer-seeds 3]``

Replication k of every arm uses seed k, so both arms face the same families
with the same draws (common random numbers) and differences are paired. Runs
go to a process pool with a progress line; the per-run summaries are written
(atomically) as ``runs.csv`` and ``comparison.csv``, and the table printed is
what a policy adviser reads: each metric per arm with its 95 % confidence
interval over replications and the paired difference. It leads with the
headline from onset (`sim.headline`: every need or family, helped or not) and
the matched contrast: per seed, the days to help of the needs helped in both
arms, from each run's compact table of helped needs (a key and a number of
days per need, a few 10 kB a run); "among helped" rows follow, labelled as
conditional on being helped.
Under it, the three layers of uncertainty (`experiments.layers`): Monte Carlo (the
table), the band over the scenario's ensemble of calibrated worlds, and the
structural alternatives of the single entry.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.layers import layers_text
from experiments.paired import matched_means, mean_ci, paired_difference, spread
from experiments.pool import run_all
from experiments.runspec import flatten_summary as flatten  # one definition of a run's flat row, shared with sweeps
from experiments.warmup_cache import reuse_order, run_cached, shared
from sim import InputError, load_run_config
from sim.atomic import check_output_folder, write_folder, write_text
from sim.headline import helped_problems
from sim.labels import fallback
from sim.metrics import CATALOGUE, FROM_ONSET, unit_label
from sim.numbers import fmt_interval, fmt_number
from sim.stationarity import TREND_FLAG_PER_YEAR, mean_interval, trend_verdict

# The metrics of the table, in groups and in order; labels, units and scales come from the one catalogue (`sim.metrics`).
# The headline counts every need or family from onset, helped or not; "among helped" is conditional on being helped.
GROUPS: dict[str, list[str]] = {
    "headline: every need or family from the onset of its need after warm-up, helped or not":
        [*FROM_ONSET, "tth_onset_matched"],
    "among helped only (conditional on being helped: helping other needs moves these without helping anyone sooner)":
        ["tth_onset_mean", "tth_onset_median", "tth_onset_p90", "tth_signal_mean", "tth_signal_median", "tth_signal_p90"],
    "other outcomes": ["share_helped_within_98_days", "dropout_share_episodes", "dropout_share_families",
                       "crises_per_1000_families_per_year", "cost_total", "cost_per_family_served", "cost_per_resolved_need",
                       "handoffs_per_family", "intakes_per_family"],
}
METRICS: list[str] = [k for keys in GROUPS.values() for k in keys]
SPREAD = ("tth_signal_mean", "dropout_share_episodes", "cost_total")  # the metrics whose per-run spread the text shows


Helped = tuple[np.ndarray, np.ndarray]  # one run's helped problems: keys and days from onset (`sim.headline.helped_problems`)


# scenario, working (the arm), seed, families, horizon, and whether another job shares its warm-up (the other arms of
# its seed: then it restores the warm-up from the cache, `experiments.warmup_cache`)
Job = tuple[str, str, int, int | None, float | None, bool]


def _one(job: Job) -> tuple[dict[str, Any], Helped]:
    """One run in a worker: its flat summary row, and its helped problems for the matched contrast (a few 10 kB)."""
    scenario, working, seed, n_families, horizon, share = job
    overrides: dict[str, Any] = {"seed": seed}
    if n_families is not None:
        overrides["n_families"] = n_families
    if horizon is not None:
        overrides["horizon_days"] = horizon
    result = run_cached(load_run_config(scenario=scenario, working=working, **overrides), share)
    w0, t_end = result.summary["window_days"]
    row = dict(flatten(result.summary), **_stationarity(result.summary), arm=working, seed=seed)
    return row, helped_problems(result.episodes, w0, t_end)


def add_matched(rows: list[dict[str, Any]], helped: dict[tuple[str, int], Helped], arms: list[str]) -> None:
    """Per seed, the mean days to help from onset of the needs helped in both arms (``tth_onset_matched``), in place.

    Each arm's row gets its own mean over the same matched needs, so the paired difference over seeds is the
    matched contrast with the seed as the replication; ``matched_needs`` says how many needs were matched.
    """
    base, other = arms
    by_run = {(r["arm"], r["seed"]): r for r in rows}
    for seed in sorted({s for _, s in helped}):
        if (base, seed) not in helped or (other, seed) not in helped:
            continue
        ma, mb, n = matched_means(*helped[(base, seed)], *helped[(other, seed)])
        for arm, m in ((base, ma), (other, mb)):
            by_run[(arm, seed)].update(tth_onset_matched=m, matched_needs=float(n))


def _stationarity(summary: dict[str, Any]) -> dict[str, float]:
    """The run's MSER-5 warm-up and yearly trend of each measure (NaN without one), for the note under the table."""
    row = {"mser5_days": float(summary["warm_up"]["mser5_days"]),
           "mser5_at_limit": float(summary["warm_up"]["at_search_limit"])}
    for name, m in summary["trend"]["measures"].items():
        row[f"trend_{name}"] = float("nan") if m["change_per_year"] is None else float(m["change_per_year"])
    return row


TREND_LABELS = {"open_episodes": "open episodes", "mean_waiting": "families waiting"}


def stationarity_note(runs: pd.DataFrame, arms: list[str], warm_up_days: float) -> str:
    """Two lines under the table: the warm-up MSER-5 finds, and whether the status quo still trends after it.

    Each run's yearly change is one replication, so the trend of an arm is the mean change over its runs with a
    t interval over them (`sim.stationarity.trend_verdict`: the interval excludes 0 and the change exceeds
    `sim.stationarity.TREND_FLAG_PER_YEAR` in size); one run of three years cannot tell on its own.
    """
    found = runs.mser5_days.to_numpy(dtype=float)
    lines = [f"warm-up found by MSER-5: {np.median(found):.0f} days (configured {warm_up_days:.0f}; median over "
             f"{len(found)} runs, longest {found.max():.0f})"]
    at_limit = int(runs.mser5_at_limit.sum()) if "mser5_at_limit" in runs else 0
    if at_limit:
        # At the limit MSER-5 saw no settling point in the first half of the run: a transient that reaches past it
        # (sociaal_domein's lists fill for about five years) or a swing of a few percent late in the run puts it there
        # (docs/design.md F6 measures both). Whether the measured years are in balance is the trend line's verdict.
        lines[0] += (f"; in {at_limit} runs at the search limit (half the run): a transient reaching past it or a late "
                     f"swing of a few percent, which MSER-5 cannot tell apart; the next line says whether the measured "
                     f"years still change")
    flags, unknown = [], []
    for arm in arms:
        sub = runs[runs.arm == arm]
        for name, label in TREND_LABELS.items():
            change, lo, hi = mean_interval(sub[f"trend_{name}"].dropna().to_numpy(dtype=float))
            verdict = trend_verdict(change, lo, hi)
            if verdict:
                flags.append(f"{arm}: {label} {change:+.0%} a year [95 % CI {lo:+.0%}, {hi:+.0%}]")
            elif verdict is None:
                unknown.append(f"{arm}: {label}")
    if flags:
        lines.append("TREND after warm-up (not in balance: averages depend on the horizon): " + "; ".join(flags))
    elif unknown:
        lines.append("trend after warm-up not measured (needs 2 complete years after warm-up): " + ", ".join(unknown))
    else:
        lines.append(f"no trend after warm-up (open episodes and families waiting: no clear change above "
                     f"{TREND_FLAG_PER_YEAR:.0%} a year in either arm)")
    return "\n".join(lines)


def run_comparison(scenario: str, arms: list[str], replications: int, workers: int, n_families: int | None = None,
                   horizon: float | None = None, progress: bool = True) -> pd.DataFrame:
    """Run every arm for seeds 1..replications; return one row per run, sorted by arm and seed.

    The runs go through `experiments.pool.run_all` (a spawn pool, or this process for one worker) with a progress
    line on stderr. The arms of one seed share its warm-up (every lever is off until it ends): the first arm to run
    simulates it and stores it in the warm-up cache (`experiments.warmup_cache`), the others restore it, which gives
    the same tables as simulating it again; a second ``make run`` of the same scenario restores every arm's.
    """
    keys = [(seed, arm) for seed in range(1, replications + 1) for arm in arms]
    share = shared([seed for seed, _ in keys])
    jobs: list[Job] = [(scenario, arm, seed, n_families, horizon, sh) for (seed, arm), sh in zip(keys, share, strict=True)]
    jobs = [jobs[i] for i in reuse_order([seed for seed, _ in keys], lag=workers)]
    rows: list[dict[str, Any]] = []
    helped: dict[tuple[str, int], Helped] = {}
    for row, problems in run_all(_one, jobs, workers, progress):
        rows.append(row)
        helped[(row["arm"], row["seed"])] = problems
    if len(arms) == 2:
        add_matched(rows, helped, arms)
    return pd.DataFrame(rows).sort_values(["arm", "seed"]).reset_index(drop=True)


def comparison_table(runs: pd.DataFrame, base: str, other: str) -> pd.DataFrame:
    """Per metric: mean and 95 % CI per arm, paired difference (other - base) with its CI, spread."""
    a = runs[runs.arm == base].set_index("seed")
    b = runs[runs.arm == other].set_index("seed")
    rows = []
    keys = METRICS + [c for c in sorted(runs.columns) if c.startswith("cost_payer_")]
    for key in keys:
        if key not in runs:
            continue
        m = CATALOGUE.get(key)
        label, unit, scale = (m.en, unit_label(m.unit, "en"), m.scale) if m else (fallback(key), "", 1.0)
        xa = a[key].reindex(a.index).astype(float).to_numpy() * scale
        xb = b[key].reindex(a.index).astype(float).to_numpy() * scale
        ma, la, ha = mean_ci(xa)
        mb, lb, hb = mean_ci(xb)
        md, ld, hd = paired_difference(xa, xb)
        sa, sb = spread(xa), spread(xb)
        group = next((g for g, ks in GROUPS.items() if key in ks), "other outcomes")
        rows.append({"key": key, "group": group, "metric": label, "unit": unit, f"{base}": ma, f"{base}_lo": la, f"{base}_hi": ha,
                     f"{other}": mb, f"{other}_lo": lb, f"{other}_hi": hb, "difference": md, "difference_lo": ld,
                     "difference_hi": hd, f"{base}_p5": sa[0], f"{base}_p95": sa[1], f"{other}_p5": sb[0], f"{other}_p95": sb[1]})
    return pd.DataFrame(rows)


def _fmt(x: float, unit: str) -> str:
    return fmt_number(x, "en")


def render(table: pd.DataFrame, base: str, other: str, scenario: str, replications: int, families: int) -> str:
    """The table as text for a terminal or a memo."""
    lines = [f"ontschot: {scenario}, {families} families, {replications} paired replications (seeds 1..{replications})",
             f"mean [95 % confidence interval of the mean over replications]; difference = {other} - {base}, paired by seed", ""]
    uw = max([6, *(len(u) for u in table.get("unit", []))])
    mw = max([40, *(len(m) for m in table.get("metric", []))])
    head = f"{'metric':{mw}} {'unit':{uw}} {base:>26} {other:>26} {'difference':>26}"
    lines += [head, "-" * len(head)]
    group = None
    for r in table.itertuples(index=False):
        d = r._asdict()
        if d.get("group", group) != group:
            group = d["group"]
            lines += ([""] if lines[-1] != "-" * len(head) else []) + [f"{group}:"]

        def cell(name: str, unit: str = r.unit, d: dict = d) -> str:
            # one number of decimals for the mean and its bounds (units are in their own column)
            return fmt_interval(d[name], d[name + "_lo"], d[name + "_hi"], "count", "en")

        lines.append(f"{r.metric:{mw}} {r.unit:{uw}} {cell(base):>26} {cell(other):>26} {cell('difference'):>26}")
    headline = [k for k in GROUPS[next(iter(GROUPS))] if k in set(table.get("key", []))]
    if headline:
        lines += ["", "what the headline rows measure:"]
        lines += [f"  {CATALOGUE[k].en}: {CATALOGUE[k].what[0]}" for k in headline]
    lines += ["", "spread of per-run outcomes (5th-95th percentile over replications; not an interval of the mean):"]
    for r in table.itertuples(index=False):
        if r.metric in {CATALOGUE[k].en for k in SPREAD}:
            d = r._asdict()
            lines.append(f"  {r.metric:38} {base}: {_fmt(d[base + '_p5'], r.unit)} to {_fmt(d[base + '_p95'], r.unit)}; "
                         f"{other}: {_fmt(d[other + '_p5'], r.unit)} to {_fmt(d[other + '_p95'], r.unit)} {r.unit}")
    lines += ["", "Time to help among helped counts only episodes that were helped (from signal: signalled after warm-up; from",
              "onset: the need started after warm-up); 'helped within 98 days' also counts those that dropped out, remitted or",
              "hit a crisis first. Costs are euros booked after warm-up, all payers."]
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
    p.add_argument("--layer-members", type=int, default=10, help="ensemble members in the parameter layer (0: none)")
    p.add_argument("--layer-seeds", type=int, default=3, help="seeds per single-entry form in the structural layer")
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
        if args.layer_members < 0:
            raise InputError("--layer-members", args.layer_members, "an integer >= 0")
        if args.layer_seeds < 2:
            raise InputError("--layer-seeds", args.layer_seeds, "an integer >= 2 (an interval needs two runs)")
        for arm in arms:  # validate everything before any run starts
            cfg = load_run_config(scenario=args.scenario, working=arm,
                                  **({"n_families": args.n_families} if args.n_families is not None else {}),
                                  **({"horizon_days": args.horizon_days} if args.horizon_days is not None else {}))
        out = Path(args.out) if args.out else Path("outputs") / f"compare-{datetime.now():%Y-%m-%d_%H-%M-%S}"
        check_output_folder(out, "--out")  # found now, not after every run when the table is written
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"comparing {arms[0]} and {arms[1]} on {args.scenario}: {args.replications} replications each, "
          f"{args.workers} worker(s)", file=sys.stderr)
    runs = run_comparison(args.scenario, arms, args.replications, args.workers, args.n_families, args.horizon_days)
    table = comparison_table(runs, arms[0], arms[1])
    text = render(table, arms[0], arms[1], args.scenario, args.replications, cfg.families)
    text += "\n\n" + stationarity_note(runs, arms, cfg.warm_up_days)

    def write(folder: Path) -> None:
        runs.to_csv(folder / "runs.csv", index=False)
        table.to_csv(folder / "comparison.csv", index=False)
        (folder / "comparison.txt").write_text(text + "\n")

    # The table is saved and shown before the layers run (more runs than the table's): an interruption or a failure
    # there no longer loses it; comparison.txt gets the layers when they are done.
    write_folder(out, write)
    print(text, flush=True)
    print(f"per-run summaries and the table: {out}/ (the uncertainty layers follow)", file=sys.stderr, flush=True)
    layers = layers_text(args.scenario, arms, METRICS, args.replications, args.workers, args.n_families,
                         args.horizon_days, args.layer_members, args.layer_seeds)
    write_text(out / "comparison.txt", text + "\n\n" + layers + "\n")
    print("\n" + layers)
    print(f"\nper-run summaries and the table: {out}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
