"""Run the benchmark: ``python -m benchmarks [--quick]`` (``make bench`` / ``make bench-quick``).

Each repeat of each workload runs in a fresh child process (`benchmarks.child`); this process prints
progress, the table of figures against the targets and the regression guard, then writes
``benchmarks/bench.json`` and ``docs/performance.md`` (full run) or ``outputs/bench-quick.json`` (quick: a check on
this machine, kept out of the tracked files so that trying it changes nothing in the repository).
``--only NAME...`` runs some workloads alone (e.g. ``--only lever_switch``) and writes ``outputs/bench-only.json``.
``--render-only`` measures nothing: it rewrites ``docs/performance.md`` from the stored record and the notes (after
the notes changed), marking the rows measured on a workload defined otherwise than the suite's now.
Nothing is written until every workload has finished, so an interrupted benchmark leaves the stored figures
as they were. Exit status 0 even when a target is missed: this is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks import report
from benchmarks.suite import Workload, full, quick

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
PACKAGES = ("ontschot", "mesa", "numpy", "scipy", "pandas", "pyarrow")


def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def machine() -> dict[str, Any]:
    """Machine, Python and package versions, date, commit and load average."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for p in PACKAGES:
        try:
            versions[p] = metadata.version(p)
        except metadata.PackageNotFoundError:
            versions[p] = "not installed"
    return {"date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S"), "commit": _git("rev-parse", "--short", "HEAD") or "unknown",
            "dirty": bool(_git("status", "--porcelain", "--untracked-files=no")), "machine": cpu, "cpus": os.cpu_count(),
            "platform": platform.platform(), "python": platform.python_version(), "packages": versions,
            "load_start": list(os.getloadavg())}


def record_path(mode: str) -> Path:
    """Where a run's figures go: the full run's are tracked (the standing record); the quick and partial runs' are not."""
    if mode == "full":
        return HERE / "bench.json"
    return ROOT / "outputs" / ("bench-only.json" if mode.endswith("-only") else "bench-quick.json")


def run_child(w: Workload) -> dict[str, Any]:
    """One repeat of ``w`` in a fresh interpreter; its JSON figures."""
    spec = json.dumps({"kind": w.kind, "params": w.params})
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.run([sys.executable, "-m", "benchmarks.child", spec], cwd=ROOT, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"benchmark workload {w.name} failed (exit status {proc.returncode}); nothing was written")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _brief(w: Workload, r: dict[str, Any]) -> str:
    if w.kind in ("run", "boltzmann"):
        cpu = f", process time {r['cpu_seconds']:.2f} s at load {r['load']:.1f}" if "cpu_seconds" in r else ""
        if "restore_seconds" in r:
            cpu += f", restore {r['restore_seconds']:.2f} s of a {r['prelude_mb']:.0f} MB prelude"
        return f"{r['seconds']:.2f} s{cpu}, peak {r['peak_rss_mb']:.0f} MB"
    if w.kind == "viewer":
        return f"median day step {sorted(r['steps'])[len(r['steps']) // 2] * 1000:.2f} ms"
    if w.kind == "sweep":
        return (f"1 worker {r['seconds_1']:.1f} s, 2 workers {r['seconds_2']:.1f} s, speed-up {r['speedup']:.2f}x "
                f"(start-up {r['start_1']:.1f} s and {r['start_2']:.1f} s; cold speed-up {r['speedup_cold']:.2f}x)")
    return f"profiled {r['total_s']:.2f} s"


def main(argv: list[str] | None = None) -> int:
    """Run every workload, print the figures, compare with the last stored run, write the results."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small versions of every workload (under a minute)")
    parser.add_argument("--only", nargs="+", metavar="NAME",
                        help="only these workloads (e.g. lever_switch); figures go to outputs/bench-only.json, "
                             "the stored record and docs/performance.md are left as they are")
    parser.add_argument("--render-only", action="store_true",
                        help="measure nothing: rewrite docs/performance.md from benchmarks/bench.json and benchmarks/notes.md")
    args = parser.parse_args(argv)
    if args.render_only:
        stored = HERE / "bench.json"
        if not stored.is_file():
            parser.error(f"--render-only: got no stored record at {stored}; allowed: after a full make bench")
        record = json.loads(stored.read_text())
        current = {w.name: w for w in full()[0]}
        report.write_atomic(ROOT / "docs" / "performance.md",
                            report.markdown(record, (HERE / "notes.md").read_text(), current))
        print(f"wrote {ROOT / 'docs' / 'performance.md'} from {stored} (measured {record['meta']['date']}, "
              f"commit {record['meta']['commit']}; nothing measured now)")
        return 0
    mode = "quick" if args.quick else "full"
    workloads, scaling = quick() if args.quick else full()
    if args.only:
        unknown = sorted(set(args.only) - {w.name for w in workloads})
        if unknown:
            parser.error(f"unknown workload {unknown[0]}; one of {', '.join(w.name for w in workloads)}")
        workloads = [w for w in workloads if w.name in args.only]
        mode = f"{mode}-only"
    meta = dict(machine(), mode=mode)
    print(f"ontschot benchmark ({mode}), commit {meta['commit']}, load average {report._load(meta['load_start'])}", flush=True)
    t0 = time.perf_counter()
    total = sum(w.repeats for w in workloads)
    done = 0
    record: dict[str, Any] = {"meta": meta, "workloads": {}}
    for w in workloads:
        repeats = []
        for k in range(w.repeats):
            done += 1
            print(f"[{done:2d}/{total}] {w.name} {k + 1}/{w.repeats} ...", end=" ", flush=True)
            r = run_child(w)
            print(_brief(w, r), flush=True)
            repeats.append(r)
        s = report.summarise(w, repeats)
        stored = [{k: v for k, v in r.items() if k != "steps"} for r in repeats]  # the viewer's day steps live in the summary
        record["workloads"][w.name] = {"title": w.title, "kind": w.kind, "params": w.params, "target": w.target,
                                       "summary": s, "met": report.judge(w, s), "repeats": stored}
    families = {w.name: w.params.get("n_families") for w in workloads if w.kind == "run"}
    if all(n in record["workloads"] for n in scaling["points"]):
        fit = report.fit_scaling(scaling["points"], {n: record["workloads"][n]["summary"] for n in scaling["points"]}, families)
        limit = scaling["max_exponent"]
        fit.update(target=f"exponent <= {limit}" if limit else "", met=None if limit is None else fit["exponent"] <= limit)
        record["scaling"] = fit
    meta["load_end"] = list(os.getloadavg())
    meta["wall_seconds"] = time.perf_counter() - t0

    out = record_path(mode)
    previous = json.loads(out.read_text()) if out.is_file() else None
    record["previous"] = None if previous is None else {k: previous["meta"].get(k) for k in ("date", "commit", "load_start")}
    record["regression"] = report.regression(record, previous)

    report.print_table(record)
    if record["previous"] is None:
        print("\nregression guard: no stored run to compare with")
    else:
        slower = any("ratio" in r for r in record["regression"])
        print(f"\nregression guard: {'slower' if slower else 'no workload slower'} by more than 10 % than the stored run of "
              f"{previous['meta']['date']} (load then {report._load(previous['meta']['load_start'])}, now "
              f"{report._load(meta['load_start'])}), among the workloads defined as then" + (":" if record["regression"] else ""))
        for line in report.regression_lines(record["regression"]):
            print(f"  {line}")
    if mode == "full":
        notes = (HERE / "notes.md").read_text()
        report.write_atomic(ROOT / "docs" / "performance.md",
                            report.markdown(record, notes, {w.name: w for w in workloads}))
        print(f"wrote {ROOT / 'docs' / 'performance.md'}")
    report.write_json(out, record)
    print(f"wrote {out} ({meta['wall_seconds']:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
