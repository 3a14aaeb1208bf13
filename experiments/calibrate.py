"""Calibrate the fragmented status quo of sociaal_domein and jeugdhulp (``make calibrate``).

``python -m experiments.calibrate [--scenarios sociaal_domein,jeugdhulp] [--budget 12] [--seeds 2]
[--replications 5] [--workers 2] [--fit-families 5000] [--no-write] [--report-only]``

For each scenario: fit (`experiments.calibration.fit`), write the fitted values
back into ``scenarios/<name>.yaml`` (atomic, comments kept), run validation
replications on the written file with other seeds, and finally regenerate
``docs/calibration.md`` and ``docs/calibration-record.json`` from the record
(atomic). Progress goes to stderr. ``--no-write`` fits and validates without
touching any file.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from experiments.calibration.fit import COST_SCALES, FitResult, evaluate, fit, fitted_targets, overrides_for, rounded
from experiments.calibration.report import mean_ci, render, status
from experiments.calibration.targets import LIMITS, TARGETS
from experiments.calibration.writeback import write_calibrated
from sim.atomic import write_text
from sim.scenario import SCENARIO_DIR

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "calibration.md"
RECORD = ROOT / "docs" / "calibration-record.json"
# The fit measures the same window as a default run and as the validation (one year of warm-up, three measured
# years): at the status quo some queues still lengthen over the years, so a shorter fitting window would fit waits
# that the default run does not show.
FIT_HORIZON = 1095.0
# The default run's warm-up (configs/config.yaml): the fit and its validation measure the same steady state.
WARM_UP = 1825.0
VALIDATION_SEED0 = 101  # validation seeds differ from the fitting seeds (1..n)


def say(msg: str) -> None:
    """Progress to stderr."""
    print(msg, file=sys.stderr, flush=True)


def fitted_values(res: FitResult) -> dict[str, float | int]:
    """Every path the fit changes, with its rounded value (the scales and the cost scale)."""
    values = overrides_for(res.scales, res.priors, res.factors)
    values.update(overrides_for((COST_SCALES[res.scenario],), [res.cost_prior], np.array([res.cost_factor])))
    return values


def record_text(res: FitResult, n_targets: int) -> str:
    """The ``calibrated`` provenance written beside each fitted value."""
    seeds = res.seeds
    return (f"scipy.optimize.least_squares (trust-region reflective, bounded) on {n_targets} targets of docs/calibration.md, "
            f"common random numbers (seeds {seeds[0]}-{seeds[-1]}, fragmented preset); loss {res.loss:.3f} "
            f"(at the start of the search {res.prior_loss:.3f}); {date.today().isoformat()}")


def fit_record(res: FitResult, values: dict[str, float | int]) -> dict[str, Any]:
    """The fit part of the record (JSON-friendly)."""
    params = []
    for sc, pr, f in [*zip(res.scales, res.priors, res.factors, strict=True),
                      (COST_SCALES[res.scenario], res.cost_prior, res.cost_factor)]:
        params.append({"name": sc.name, "why": sc.why, "factor": float(f), "paths": list(sc.paths),
                       "prior": [rounded(v, i) for v, i in zip(pr.values, pr.integer, strict=True)],
                       "values": [values[p] for p in sc.paths], "ranges": [list(r) for r in pr.ranges],
                       "at_bound": bool(np.isclose(f, pr.lo) or np.isclose(f, pr.hi))})
    return {"date": date.today().isoformat(), "seconds": res.seconds, "evaluations": res.evaluations, "seeds": res.seeds,
            "loss": res.loss, "prior_loss": res.prior_loss, "n_families": res.kw.get("n_families", "scenario"),
            "warm_up_days": WARM_UP, "horizon_days": res.kw["horizon_days"], "parameters": params,
            "fitted_targets": [t.key for t in fitted_targets()] + ["youth_cost_per_client"]}


def why_not_met(fit_rec: dict[str, Any]) -> dict[str, str]:
    """A reason per target: its structural limit and the parameters that ran into their declared range."""
    bound = [p for p in fit_rec["parameters"] if p["at_bound"]]
    common = ("Every value stays inside its declared range; "
              + ("at the edge of their range: " + ", ".join(f"{p['name']} ({p['why']})" for p in bound)
                 if bound else "no parameter is at the edge of its range, so the gap is a trade-off between targets in the loss")
              + f"; the fit stopped after {fit_rec['evaluations']} evaluations with loss {fit_rec['loss']:.3f}.")
    return {t.key: f"{LIMITS.get(t.key, '')} {common}".strip() for t in TARGETS}


def main(argv: list[str] | None = None) -> int:
    """Fit, write back, validate, and regenerate the calibration document."""
    ap = argparse.ArgumentParser(prog="python -m experiments.calibrate", description=__doc__.splitlines()[0])
    ap.add_argument("--scenarios", default="sociaal_domein,jeugdhulp")
    ap.add_argument("--budget", type=int, default=12, help="evaluations of the loss per scenario")
    ap.add_argument("--seeds", type=int, default=2, help="replications per evaluation (the same seeds every time)")
    ap.add_argument("--replications", type=int, default=5, help="validation replications on the written file")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--fit-families", type=int, default=5000,
                    help="population of the fitting runs (staff scale with it; validation uses the scenario's own)")
    ap.add_argument("--no-write", action="store_true", help="fit and validate without writing any file")
    ap.add_argument("--report-only", action="store_true", help="only regenerate docs/calibration.md from the record")
    args = ap.parse_args(argv)
    if args.report_only:
        if not RECORD.is_file():
            print(f"error: --report-only: got no record at {RECORD}; allowed: after a calibration", file=sys.stderr)
            return 2
        record = json.loads(RECORD.read_text())
        for rec in record["scenarios"].values():
            rec["why_not_met"] = why_not_met(rec["fit"])
        write_text(DOC, render(record))
        say(f"regenerated {DOC.relative_to(ROOT)} from {RECORD.relative_to(ROOT)}")
        return 0
    scenarios = [s for s in args.scenarios.split(",") if s]
    for s in scenarios:
        if not (SCENARIO_DIR / f"{s}.yaml").is_file() or s not in COST_SCALES:
            print(f"error: --scenarios: got {s!r}; allowed: {', '.join(COST_SCALES)}", file=sys.stderr)
            return 2
    if min(args.budget, args.seeds, args.replications, args.workers, args.fit_families) < 1:
        print("error: --budget, --seeds, --replications, --workers and --fit-families: allowed: integers >= 1", file=sys.stderr)
        return 2
    record = json.loads(RECORD.read_text()) if RECORD.is_file() else {"scenarios": {}}
    t0 = time.perf_counter()
    ctx = mp.get_context("spawn")
    with ProcessPoolExecutor(max_workers=args.workers, mp_context=ctx) as pool:
        for scenario in scenarios:
            say(f"calibrating {scenario}: budget {args.budget} evaluations x {args.seeds} seeds, {args.workers} workers")
            # The fit runs a smaller population (staff in proportion, sim.staffing) to keep an evaluation affordable; the
            # validation below runs the scenario's own population, so any effect of scale on the targets shows there.
            kw = {"horizon_days": FIT_HORIZON, "warm_up_days": WARM_UP, "n_families": args.fit_families}
            res = fit(pool, scenario, list(range(1, args.seeds + 1)), kw, args.budget, say)
            values = fitted_values(res)
            rec_fit = fit_record(res, values)
            if args.no_write:
                say(f"  [{scenario}] --no-write: validating with overrides instead of writing the file")
                overrides = values
            else:
                write_calibrated(SCENARIO_DIR / f"{scenario}.yaml", values, record_text(res, len(rec_fit["fitted_targets"])))
                say(f"  [{scenario}] wrote {len(values)} calibrated values to scenarios/{scenario}.yaml")
                overrides = {}
            seeds = list(range(VALIDATION_SEED0, VALIDATION_SEED0 + args.replications))
            say(f"  [{scenario}] validating: {len(seeds)} replications, full horizon, seeds {seeds[0]}-{seeds[-1]}")
            obs = evaluate(pool, scenario, overrides, seeds, {})
            val = {"replications": len(seeds), "seeds": seeds, "n_families": "scenario", "warm_up_days": WARM_UP,
                   "horizon_days": 1095.0, "values": {t.key: [o[t.key] for o in obs] for t in TARGETS}}
            for t in TARGETS:
                m, lo, hi = mean_ci(val["values"][t.key])
                say(f"    {t.key:32s} {m:10.2f} [{lo:.2f}, {hi:.2f}]  band {t.band}  {status(t, lo, hi, m)}")
            record["scenarios"][scenario] = {"fit": rec_fit, "validation": val, "why_not_met": why_not_met(rec_fit)}
    if args.no_write:
        say(f"done in {time.perf_counter() - t0:.0f} s (nothing written)")
        return 0
    # Keep scenarios in a fixed order in the document.
    record["scenarios"] = {k: record["scenarios"][k] for k in COST_SCALES if k in record["scenarios"]}
    write_text(RECORD, json.dumps(record, indent=1, default=float) + "\n")
    write_text(DOC, render(record))
    say(f"done in {time.perf_counter() - t0:.0f} s -> {DOC.relative_to(ROOT)}, {RECORD.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
