"""Year-by-year series of one scenario after warm-up: is the status quo in balance, does the difference hold.

``python -m experiments.balance [--scenario S] [--years 8] [--seeds 3] [--n-families N] [--workers W]``

Runs the fragmented and the networked preset for seeds 1..S (paired) over warm-up plus ``--years`` years and
prints, per year after warm-up, the seed means of the fragmented series (new problems, episodes, help starts,
crises, families waiting, mean stay on a help waiting list, open episodes), then the paired networked-minus-
fragmented difference in mean days from onset to help per year with its 95 % interval, and the fitted yearly
change of each fragmented series (`sim.stationarity`). It is the table a note on a model change quotes
"before and after"; it writes nothing.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import numpy as np

from experiments.pool import run_all
from sim import InputError, load_run_config, run
from sim.stationarity import mean_interval, trend_over_replications, yearly_series

ARMS = ("fragmented", "networked")
COLUMNS = {  # key of `sim.stationarity.window_measures` -> column heading
    "problem_onsets": "new problems",
    "new_episodes": "episodes",
    "help_starts": "help starts",
    "crises": "crises",
    "mean_waiting": "waiting",
    "help_list_wait_days": "list wait d",
    "open_episodes": "open",
}


def _one(job: tuple[str, str, int, int, int | None]) -> dict[str, np.ndarray]:
    """One run (scenario, working, seed, years, families) in a worker: its yearly series after warm-up."""
    scenario, working, seed, years, n_families = job
    extra: dict[str, Any] = {"n_families": n_families} if n_families is not None else {}
    result = run(load_run_config(scenario, working, seed=seed, horizon_days=years * 365.0, **extra))
    return yearly_series(result)


def balance_table(series: dict[str, list[dict[str, np.ndarray]]], years: int) -> str:
    """The text: fragmented seed means by year, the paired difference by year, the fitted yearly changes."""
    frag = series["fragmented"]
    head = f"{'year':>4} " + " ".join(f"{h:>12}" for h in COLUMNS.values()) + f" {'net-frag tth from onset, days':>32}"
    lines = [head, "-" * len(head)]
    for k in range(years):
        cells = " ".join(f"{np.nanmean([s[key][k] for s in frag]):12.1f}" for key in COLUMNS)
        diff = np.array([n["tth_onset_mean"][k] - f["tth_onset_mean"][k] for f, n in zip(frag, series["networked"], strict=True)])
        m, lo, hi = mean_interval(diff[~np.isnan(diff)])
        lines.append(f"{k + 1:>4} {cells} {m:+12.1f} [{lo:+.1f}, {hi:+.1f}]")
    lines.append("")
    lines.append("fitted change per year of the fragmented series (mean over seeds, 95 % CI over seeds):")
    for key, label in COLUMNS.items():
        change, lo, hi = trend_over_replications([s[key] for s in frag])
        lines.append(f"  {label:14} {change:+7.1%}  [{lo:+.1%}, {hi:+.1%}]")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line; returns the exit status."""
    p = argparse.ArgumentParser(prog="python -m experiments.balance", description=__doc__.split("\n\n")[0])
    p.add_argument("--scenario", default="sociaal_domein")
    p.add_argument("--years", type=int, default=8)
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--n-families", type=int, default=None)
    p.add_argument("--workers", type=int, default=2)
    try:
        args = p.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        if args.years < 2:
            raise InputError("--years", args.years, "an integer >= 2 (a trend needs two years)")
        if args.seeds < 2:
            raise InputError("--seeds", args.seeds, "an integer >= 2 (an interval needs two runs)")
        if args.workers < 1:
            raise InputError("--workers", args.workers, "an integer >= 1")
        extra = {"n_families": args.n_families} if args.n_families is not None else {}
        cfg = load_run_config(args.scenario, "fragmented", horizon_days=args.years * 365.0, **extra)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    jobs = [(args.scenario, arm, seed, args.years, args.n_families) for arm in ARMS for seed in range(1, args.seeds + 1)]
    print(f"{len(jobs)} runs of {args.scenario}, {cfg.families} families, {args.years} years after a "
          f"{cfg.warm_up_days:.0f}-day warm-up ...", file=sys.stderr)
    results = run_all(_one, jobs, args.workers)  # in job order: arm by arm, seed by seed
    series = {arm: results[i * args.seeds:(i + 1) * args.seeds] for i, arm in enumerate(ARMS)}
    print(f"{args.scenario}, {cfg.families} families, seeds 1..{args.seeds}; fragmented seed means per year after "
          f"warm-up (waiting: families on intake queues and help lists, time-weighted; list wait d: mean stay on a "
          f"help waiting list; open: open episodes)\n")
    print(balance_table(series, args.years))
    return 0


if __name__ == "__main__":
    sys.exit(main())
