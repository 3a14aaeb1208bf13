"""Calibrate the fragmented status quo of sociaal_domein and jeugdhulp (``make calibrate``).

``python -m experiments.calibrate [--scenarios sociaal_domein,jeugdhulp] [--waves N] [--wave-size 40]
[--replications 5] [--workers 2] [--fit-families N] [--no-write] [--report-only] [--validate-only]``

For each scenario: history matching (`experiments.calibration.ensemble`) keeps
an ensemble of calibrated worlds, stored in ``scenarios/<name>.ensemble.csv``;
its representative member (nearest the members' centre) is written back into
``scenarios/<name>.yaml`` (atomic, comments kept, citing the ensemble file);
validation replications run on the written file with other seeds; finally
``docs/calibration.md`` and ``docs/calibration-record.json`` are regenerated
from the record (atomic). Progress goes to stderr. Every finished run is kept in
``outputs/calibration/<name>-runs.jsonl``, so an interrupted calibration resumes
where it stopped when started again with the same flags (until it writes back:
the matched points are scale factors on the file's values, so a match started
after a write-back draws new points and runs them afresh). ``--no-write``
matches and validates without touching any tracked file. ``--validate-only``
runs only the validation of the files as they are (after a target was added,
the earlier matching stays on record).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from experiments.calibration.ensemble import EnsembleResult, RunCache, build, write_ensemble
from experiments.calibration.fit import COST_SCALES, evaluate
from experiments.calibration.report import mean_ci, render, status
from experiments.calibration.targets import DISCREPANCY, LIMITS, TARGETS, accepted_band, matched_targets, observation_sd
from experiments.calibration.writeback import write_calibrated
from experiments.pool import Pool
from sim.atomic import write_text
from sim.scenario import SCENARIO_DIR

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "calibration.md"
RECORD = ROOT / "docs" / "calibration-record.json"
# The fit measures the same window as a default run and as the validation (five years of warm-up, three measured
# years): at the status quo some queues still lengthen over the years, so a shorter fitting window would fit waits
# that the default run does not show.
FIT_HORIZON = 1095.0
# The default run's warm-up (configs/config.yaml): the fit and its validation measure the same steady state.
WARM_UP = 1825.0
VALIDATION_SEED0 = 101  # validation seeds differ from the fitting seeds (1..n) and the ensemble's (1001..)
# The smallest population each scenario allows (its staff scale with the population and no desk may round to zero,
# sim.staffing): history matching runs many points, so it runs the cheapest population the model accepts.
FIT_FAMILIES = {"sociaal_domein": 3334, "jeugdhulp": 2182}
# The default of ``--waves``: for a scenario with a stored ensemble (scenarios/<name>.ensemble.csv), the waves that
# made it, so a calibration with the defaults reproduces it (from the scenario file as it was before its write-back)
# instead of a smaller one from fewer waves, which would replace it.
SHIPPED_WAVES = {"sociaal_domein": 8, "jeugdhulp": 12}
# The default of ``--emulator-gradient`` likewise: sociaal_domein's stored ensemble was matched with emulators fitted by
# finite differences (before 2026-11-29); the analytic gradient fits about ten times faster but along another path,
# so its designs, and the runs and members after them, would differ. Every other scenario uses the analytic one.
SHIPPED_GRADIENT = {"sociaal_domein": "finite-differences"}
GRADIENTS = ("analytic", "finite-differences")
CACHE_DIR = ROOT / "outputs" / "calibration"


def say(msg: str) -> None:
    """Progress to stderr."""
    print(msg, file=sys.stderr, flush=True)


def why_not_met(rec: dict[str, Any]) -> dict[str, str]:
    """A reason per target: its structural limit, and what the calibration found about it.

    Args:
        rec: a scenario's record: ``{"ensemble": ...}`` (history matching) or ``{"fit": ...}`` (an older point fit).
    """
    if "ensemble" in rec:
        ens = rec["ensemble"]
        missed = ens["missed_by"]
        return {t.key: (f"{LIMITS.get(t.key, '')} History matching: {ens['members']} of {ens['runs']} runs accepted; "
                        + (f"this target's accepted band was missed by {missed[t.key]} runs ({ens['only_missed_by'][t.key]} "
                           f"of them missed no other band)." if t.key in missed else "held out: no accepted band.")).strip()
                for t in TARGETS}
    fit_rec = rec["fit"]
    bound = [p for p in fit_rec["parameters"] if p["at_bound"]]
    common = ("Every value stays inside its declared range; "
              + ("at the edge of their range: " + ", ".join(f"{p['name']} ({p['why']})" for p in bound)
                 if bound else "no parameter is at the edge of its range, so the gap is a trade-off between targets in the loss")
              + f"; the fit stopped after {fit_rec['evaluations']} evaluations with loss {fit_rec['loss']:.3f}.")
    return {t.key: f"{LIMITS.get(t.key, '')} {common}".strip() for t in TARGETS}


def ensemble_text(res: EnsembleResult) -> str:
    """The ``calibrated`` provenance of the representative member's values."""
    rep = res.members[res.representative]
    return (f"history matching (Craig et al. 1997; Vernon et al. 2010), {len(res.waves)} waves, {len(res.runs)} runs, "
            f"{len(res.members)} members accepted in every band of docs/calibration.md; representative member "
            f"{res.representative + 1} (seed {rep.seed}, nearest the members' centre) of "
            f"scenarios/{res.scenario}.ensemble.csv; {date.today().isoformat()}")


def ensemble_record(res: EnsembleResult) -> dict[str, Any]:
    """The ensemble part of the record (JSON-friendly)."""
    bands = [{"key": t.key, "observation_sd": observation_sd(t), "discrepancy_sd": DISCREPANCY[t.key][0],
              "discrepancy_why": DISCREPANCY[t.key][1], "accepted": list(accepted_band(t))} for t in matched_targets()]
    spread = {}
    for t in TARGETS:
        vals = np.array([m.obs[t.key] for m in res.members], dtype=float)
        vals = vals[np.isfinite(vals)]
        spread[t.key] = [float(v) for v in np.percentile(vals, [0, 5, 50, 95, 100])] if len(vals) else []
    params = []
    for sc, pr in list(zip(res.space.scales, res.space.priors, strict=True)) + ([res.space.cost] if res.space.cost else []):
        for path, rng in zip(sc.paths, pr.ranges, strict=True):
            vals = [m.overrides[path] for m in res.members]
            params.append({"scale": sc.name, "path": path, "range": list(rng),
                           "members": [min(vals), max(vals)] if vals else [],
                           "representative": res.members[res.representative].overrides[path] if res.members else None})
    return {"date": date.today().isoformat(), "seconds": res.seconds, "cached_runs": res.cached, "runs": len(res.runs),
            "refused_runs": sum(all(np.isnan(v) for v in r.obs.values()) for r in res.runs), "waves": len(res.waves),
            "wave_size": len(res.runs) // (len(res.waves) + 1), "members": len(res.members),
            "nroy": [w.nroy_fraction for w in res.waves], "n_families": res.kw["n_families"],
            "warm_up_days": res.kw["warm_up_days"], "horizon_days": res.kw["horizon_days"],
            "representative": res.representative + 1 if res.members else None,
            "representative_seed": res.members[res.representative].seed if res.members else None,
            "file": f"scenarios/{res.scenario}.ensemble.csv", "bands": bands, "missed_by": res.missed_by(),
            "only_missed_by": res.only_missed_by(),
            "load_windows": [list(w) if w else None for w in res.load_windows],
            "members_by_wave": [sum(m.wave == k for m in res.members) for k in range(len(res.waves) + 1)], "spread": spread, "parameters": params,
            "emulator_gradient": "analytic" if res.analytic else "finite-differences"}


def validate(pool: Pool, scenario: str, overrides: dict[str, Any], replications: int) -> dict[str, Any]:
    """Run the scenario file (with ``overrides``) at its own population with the validation seeds; the record's part."""
    seeds = list(range(VALIDATION_SEED0, VALIDATION_SEED0 + replications))
    say(f"  [{scenario}] validating: {len(seeds)} replications, full horizon, seeds {seeds[0]}-{seeds[-1]}")
    obs = evaluate(pool, scenario, overrides, seeds, {})
    val = {"replications": len(seeds), "seeds": seeds, "n_families": "scenario", "warm_up_days": WARM_UP,
           "horizon_days": FIT_HORIZON, "values": {t.key: [o[t.key] for o in obs] for t in TARGETS}}
    for t in TARGETS:
        m, lo, hi = mean_ci(val["values"][t.key])
        say(f"    {t.key:32s} {m:10.2f} [{lo:.2f}, {hi:.2f}]  band {t.band}  {status(t, lo, hi, m)}")
    return val


def main(argv: list[str] | None = None) -> int:
    """Fit, write back, validate, and regenerate the calibration document."""
    ap = argparse.ArgumentParser(prog="python -m experiments.calibrate", description=__doc__.splitlines()[0])
    ap.add_argument("--scenarios", default="sociaal_domein,jeugdhulp")
    ap.add_argument("--waves", type=int, default=None,
                    help="history-matching waves after the first Latin hypercube (default: those of the stored ensemble, "
                         + ", ".join(f"{k} {v}" for k, v in SHIPPED_WAVES.items()) + ")")
    ap.add_argument("--wave-size", type=int, default=40, help="runs per wave (one seed each)")
    ap.add_argument("--emulator-gradient", default=None,
                    help="how the emulators' likelihood is maximised: " + " or ".join(GRADIENTS) + " (default: what "
                         "made the stored ensemble, " + ", ".join(f"{k} {v}" for k, v in SHIPPED_GRADIENT.items())
                         + "; otherwise analytic)")
    ap.add_argument("--replications", type=int, default=5, help="validation replications on the written file")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--fit-families", type=int, default=None,
                    help="population of the matching runs (default the smallest allowed; validation uses the scenario's own)")
    ap.add_argument("--no-write", action="store_true", help="fit and validate without writing any file")
    ap.add_argument("--report-only", action="store_true", help="only regenerate docs/calibration.md from the record")
    ap.add_argument("--validate-only", action="store_true",
                    help="validate the scenario files as they are (no matching; e.g. after a target was added) and "
                         "regenerate the record's validation and the document")
    args = ap.parse_args(argv)
    if args.report_only:
        if not RECORD.is_file():
            print(f"error: --report-only: got no record at {RECORD}; allowed: after a calibration", file=sys.stderr)
            return 2
        record = json.loads(RECORD.read_text())
        for rec in record["scenarios"].values():
            rec["why_not_met"] = why_not_met(rec)
        write_text(DOC, render(record))
        say(f"regenerated {DOC.relative_to(ROOT)} from {RECORD.relative_to(ROOT)}")
        return 0
    scenarios = [s for s in args.scenarios.split(",") if s]
    for s in scenarios:
        if not (SCENARIO_DIR / f"{s}.yaml").is_file() or s not in COST_SCALES:
            print(f"error: --scenarios: got {s!r}; allowed: {', '.join(COST_SCALES)}", file=sys.stderr)
            return 2
    if args.emulator_gradient is not None and args.emulator_gradient not in GRADIENTS:
        print(f"error: --emulator-gradient: got {args.emulator_gradient!r}; allowed: {', '.join(GRADIENTS)}",
              file=sys.stderr)
        return 2
    if args.waves is not None and args.waves < 0:
        print(f"error: --waves: got {args.waves}; allowed: an integer >= 0 (0: the Latin hypercube only)", file=sys.stderr)
        return 2
    for flag in ("wave_size", "replications", "workers", "fit_families"):
        value = getattr(args, flag)
        if value is not None and value < 1:
            print(f"error: --{flag.replace('_', '-')}: got {value}; allowed: an integer >= 1", file=sys.stderr)
            return 2
    record = json.loads(RECORD.read_text()) if RECORD.is_file() else {"scenarios": {}}
    t0 = time.perf_counter()
    if args.validate_only:
        missing = [s for s in scenarios if s not in record["scenarios"]]
        if missing:
            print(f"error: --validate-only: got {', '.join(missing)} without a calibration in {RECORD.name}; allowed: "
                  f"{', '.join(record['scenarios']) or 'none yet (calibrate first)'}", file=sys.stderr)
            return 2
        with Pool(args.workers, in_process=args.workers <= 1) as pool:
            for scenario in scenarios:
                rec = record["scenarios"][scenario]
                rec["validation"] = validate(pool, scenario, {}, args.replications)
                rec["why_not_met"] = why_not_met(rec)
        write_text(RECORD, json.dumps(record, indent=1, default=float) + "\n")
        write_text(DOC, render(record))
        say(f"validated in {time.perf_counter() - t0:.0f} s -> {DOC.relative_to(ROOT)}, {RECORD.relative_to(ROOT)}")
        return 0
    with Pool(args.workers, in_process=args.workers <= 1) as pool:
        for scenario in scenarios:
            n_fit = args.fit_families or FIT_FAMILIES[scenario]
            waves = SHIPPED_WAVES[scenario] if args.waves is None else args.waves
            gradient = args.emulator_gradient or SHIPPED_GRADIENT.get(scenario, "analytic")
            say(f"calibrating {scenario}: history matching, {waves} waves x {args.wave_size} runs after a Latin "
                f"hypercube of {args.wave_size}, {n_fit} households, {args.workers} workers, emulators fitted with "
                f"the {gradient} gradient")
            # The matching runs a smaller population (staff in proportion, sim.staffing) to keep a run affordable; the
            # validation below runs the scenario's own population, so any effect of scale on the targets shows there.
            kw = {"horizon_days": FIT_HORIZON, "warm_up_days": WARM_UP, "n_families": n_fit}
            res = build(pool, scenario, kw, waves, args.wave_size, RunCache(CACHE_DIR / f"{scenario}-runs.jsonl"), say,
                        analytic=gradient == "analytic")
            rec_ens = ensemble_record(res)
            say(f"  [{scenario}] {len(res.members)} of {len(res.runs)} runs accepted; runs missing each band: "
                + ", ".join(f"{k} {v}" for k, v in rec_ens["missed_by"].items()))
            if not res.members:
                say(f"  [{scenario}] no member accepted: nothing written back, no validation")
                # The scenario file keeps the values of the earlier calibration, so its record (fit or ensemble, and
                # validation) stays beside the new ensemble's account.
                earlier = {k: v for k, v in record["scenarios"].get(scenario, {}).items() if k in ("fit", "validation")}
                record["scenarios"][scenario] = {**earlier, "ensemble": rec_ens}
                record["scenarios"][scenario]["why_not_met"] = why_not_met(record["scenarios"][scenario])
                continue
            values = res.members[res.representative].overrides
            if args.no_write:
                say(f"  [{scenario}] --no-write: validating with overrides instead of writing the file")
                overrides = values
            else:
                write_ensemble(res)
                write_calibrated(SCENARIO_DIR / f"{scenario}.yaml", values, ensemble_text(res))
                say(f"  [{scenario}] wrote {len(res.members)} members to scenarios/{scenario}.ensemble.csv and the "
                    f"representative's {len(values)} values to scenarios/{scenario}.yaml")
                overrides = {}
            record["scenarios"][scenario] = {"ensemble": rec_ens, "validation": validate(pool, scenario, overrides,
                                                                                          args.replications)}
            record["scenarios"][scenario]["why_not_met"] = why_not_met(record["scenarios"][scenario])
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
