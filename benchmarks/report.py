"""Figures of a benchmark run: per-workload summaries, targets, the regression guard, JSON and Markdown.

A workload's *time* for the regression guard is its median: seconds for a run, the median day step for the
viewer, the two-worker wall time for the sweep, seconds for the Mesa reference (which shows how much of a
change is the machine, not the model). Slower by more than 10 % than the last stored run of the same mode
is named; a shared or busy machine makes this noisy, so the load averages of both runs are shown with it.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.suite import Workload
from sim.atomic import write_text

REGRESSION = 0.10


def _spread(values: list[float]) -> dict[str, float]:
    return {"min": min(values), "median": statistics.median(values), "max": max(values)}


def summarise(w: Workload, repeats: list[dict[str, Any]]) -> dict[str, Any]:
    """Min/median/max and derived rates of one workload's repeats; ``time`` is the guard's figure."""
    peak = max(r["peak_rss_mb"] for r in repeats)
    if w.kind == "run":
        t = _spread([r["seconds"] for r in repeats])
        first = repeats[0]
        out = {"seconds": t, "peak_rss_mb": peak, "events": first["events"], "episodes": first["episodes"],
               "family_days": first["family_days"], "family_days_per_s": first["family_days"] / t["median"],
               "events_per_s": first["events"] / t["median"], "build_seconds": statistics.median(r["build_seconds"] for r in repeats),
               "time": t["median"]}
        if all("restore_seconds" in r for r in repeats):  # a what-if from a cached warm-up (`benchmarks.workloads.whatif_run`)
            out.update(restore_seconds=_spread([r["restore_seconds"] for r in repeats]), prelude_mb=first["prelude_mb"])
        return out
    if w.kind == "viewer":
        steps = sorted(s for r in repeats for s in r["steps"])
        p95 = float(np.quantile(steps, 0.95))
        return {"step_s": _spread(steps), "step_p95_s": p95, "steps": len(steps), "peak_rss_mb": peak,
                "time": statistics.median(steps)}
    if w.kind == "sweep":
        def spread_of(key: str) -> dict[str, float] | None:  # figures a repeat may lack (records of older harnesses)
            return _spread([r[key] for r in repeats]) if all(key in r for r in repeats) else None

        return {"speedup": _spread([r["speedup"] for r in repeats]), "speedup_cold": spread_of("speedup_cold"),
                "start_1": spread_of("start_1"), "start_2": spread_of("start_2"),
                "seconds_1": _spread([r["seconds_1"] for r in repeats]),
                "seconds_2": _spread([r["seconds_2"] for r in repeats]), "peak_rss_mb": peak,
                "time": statistics.median(r["seconds_2"] for r in repeats)}
    if w.kind == "boltzmann":
        t = _spread([r["seconds"] for r in repeats])
        return {"seconds": t, "agent_steps": repeats[0]["agent_steps"], "agent_steps_per_s": repeats[0]["agent_steps"] / t["median"],
                "peak_rss_mb": peak, "time": t["median"]}
    if w.kind == "profile":
        return {"total_s": repeats[0]["total_s"], "rows": repeats[0]["rows"], "peak_rss_mb": peak}
    raise ValueError(f"unknown workload kind {w.kind!r}")


def judge(w: Workload, s: dict[str, Any]) -> bool | None:
    """Whether the workload meets its target (None: no target at this size)."""
    if not w.limits:
        return None
    ok = True
    if "seconds" in w.limits:
        ok &= s["seconds"]["median"] <= w.limits["seconds"]
    if "peak_rss_mb" in w.limits:
        ok &= s["peak_rss_mb"] <= w.limits["peak_rss_mb"]
    if "step_p95_s" in w.limits:
        ok &= s["step_p95_s"] <= w.limits["step_p95_s"]
    if "speedup_min" in w.limits:
        ok &= s["speedup"]["median"] >= w.limits["speedup_min"]
    return bool(ok)


def fit_scaling(points: list[str], summaries: dict[str, dict[str, Any]], families: dict[str, int]) -> dict[str, Any]:
    """Least-squares exponent b of ``t = a n^b`` over the median times of the series."""
    n = np.array([families[p] for p in points], dtype=float)
    t = np.array([summaries[p]["seconds"]["median"] for p in points], dtype=float)
    b, a = np.polyfit(np.log(n), np.log(t), 1)
    # The same fit over the three largest sizes, where the fixed cost of set-up and collection is small.
    b_large = float(np.polyfit(np.log(n[-3:]), np.log(t[-3:]), 1)[0]) if len(n) >= 3 else float("nan")
    per_fd = [summaries[p]["seconds"]["median"] / summaries[p]["family_days"] * 1e6 for p in points]
    return {"families": n.astype(int).tolist(), "median_seconds": t.tolist(), "exponent": float(b), "log_a": float(a),
            "exponent_largest_three": b_large, "microseconds_per_family_day": per_fd}


def regression(current: dict[str, Any], previous: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Workloads whose guard time rose by more than 10 % against the previous run of the same mode.

    Only like with like: a workload whose parameters differ from those it had in the previous run (a longer warm-up,
    another population) is not compared; it is listed with ``changed`` saying how (`stale`), and no ratio.
    """
    if not previous or previous.get("meta", {}).get("mode") != current["meta"]["mode"]:
        return []
    out = []
    for name, s in current["workloads"].items():
        before = previous.get("workloads", {}).get(name, {})
        old = before.get("summary", {}).get("time")
        new = s["summary"].get("time")
        if not (old and new):
            continue
        changed = stale(before.get("params", {}), s.get("params", {})).removeprefix("stale: ")
        if changed:
            out.append({"workload": name, "changed": changed})
        elif new > old * (1.0 + REGRESSION):
            out.append({"workload": name, "before": old, "now": new, "ratio": new / old})
    return out


def regression_lines(reg: list[dict[str, Any]]) -> list[str]:
    """The guard's findings, one line each: slower workloads first, then those not compared (defined otherwise)."""
    lines = [f"{r['workload']}: {r['before']:.4g} -> {r['now']:.4g} ({(r['ratio'] - 1):+.0%})" for r in reg if "ratio" in r]
    lines += [f"{r['workload']}: not compared, {r['changed']}" for r in reg if "changed" in r]
    return lines


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename (`sim.atomic.write_text`)."""
    write_text(path, text)


def write_json(path: Path, record: dict[str, Any]) -> None:
    """The full record as indented JSON."""
    write_atomic(path, json.dumps(record, indent=1, sort_keys=False) + "\n")


def _ms(x: float) -> str:
    return f"{x * 1000:.2f} ms"


def _s(x: float) -> str:
    return f"{x:.2f} s" if x < 100 else f"{x:.0f} s"


def _met(m: bool | None) -> str:
    return "-" if m is None else ("met" if m else "NOT MET")


def stale(stored: dict[str, Any], now: dict[str, Any] | None) -> str:
    """Why a stored workload's figures are not those of the workload as the suite defines it now ('' if they are).

    Args:
        stored: the workload's parameters when it was measured.
        now: its parameters in the suite now (None: the suite has no such workload any more).
    """
    if now is None:
        return "stale: no longer in the suite"
    diff = [f"{k} {stored.get(k, 'default')} (now {now.get(k, 'default')})" for k in sorted(set(stored) | set(now))
            if stored.get(k) != now.get(k)]
    return "stale: measured with " + ", ".join(diff) if diff else ""


def result_rows(record: dict[str, Any], current: dict[str, Workload] | None = None,
                ) -> list[tuple[str, str, str, str, str, str, str]]:
    """(workload, min, median, max, peak memory, target, met) per measured workload, formatted.

    Args:
        record: the stored (or just measured) figures.
        current: the suite's workloads as defined now (None: take the record as current). A measured workload whose
            parameters have changed since says so instead of met or not, and one not measured yet gets a row saying so:
            a target judged on another workload is no judgement of this one.
    """
    rows = []
    for name, w in record["workloads"].items():
        s = w["summary"]
        mem = f"{s['peak_rss_mb']:.0f} MB"
        why = "" if current is None else stale(w.get("params", {}), current[name].params if name in current else None)
        met = why or _met(w["met"])
        if w["kind"] in ("run", "boltzmann"):
            t = s["seconds"]
            rows.append((name, _s(t["min"]), _s(t["median"]), _s(t["max"]), mem, w["target"], met))
        elif w["kind"] == "viewer":
            t = s["step_s"]
            rows.append((name + " (day step)", _ms(t["min"]), _ms(t["median"]), _ms(t["max"]) + f" (p95 {_ms(s['step_p95_s'])})",
                         mem, w["target"], met))
        elif w["kind"] == "sweep":
            t = s["speedup"]
            rows.append((name + " (speed-up)", f"{t['min']:.2f}x", f"{t['median']:.2f}x", f"{t['max']:.2f}x", mem, w["target"],
                         met))
            c = s.get("speedup_cold")
            if c:
                rows.append((name + " (cold: pool start-up included)", f"{c['min']:.2f}x", f"{c['median']:.2f}x", f"{c['max']:.2f}x",
                             mem, "", "-"))
    sc = record.get("scaling")
    if sc:
        # Fitted over the series' points: stale when any of them is (a point's row says why).
        series = [r for r in rows if r[0].startswith("scale_")]
        met = "stale: fitted over stale points" if any(r[6].startswith("stale") for r in series) else _met(sc["met"])
        rows.append(("scaling (exponent)", "", f"{sc['exponent']:.3f}", "", "", sc["target"], met))
    for name, w in (current or {}).items():
        if name not in record["workloads"]:
            rows.append((name, "", "", "", "", w.target, "not measured yet"))
    return rows


def print_table(record: dict[str, Any]) -> None:
    """The results table and throughput on stdout."""
    head = ("workload", "min", "median", "max", "peak memory", "target", "met")
    rows = [head, *result_rows(record)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    print()
    for i, r in enumerate(rows):
        print("  ".join(c.ljust(widths[j]) for j, c in enumerate(r)).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))
    print()
    for name, w in record["workloads"].items():
        s = w["summary"]
        if w["kind"] == "run":
            print(f"{name:14s} {s['family_days_per_s']:>12,.0f} family-days/s  {s['events_per_s']:>9,.0f} events/s  "
                  f"({s['events']:,} events, {s['episodes']:,} episodes)")
        elif w["kind"] == "boltzmann":
            print(f"{name:14s} {s['agent_steps_per_s']:>12,.0f} agent-steps/s (Mesa's reference)")
    sc = record.get("scaling")
    if sc:
        print("scaling: " + ", ".join(f"{n:,}: {t:.2f} s" for n, t in zip(sc["families"], sc["median_seconds"], strict=True))
              + f"; exponent {sc['exponent']:.3f} (largest three sizes: {sc['exponent_largest_three']:.3f})")


def markdown(record: dict[str, Any], notes: str, current: dict[str, Workload] | None = None) -> str:
    """docs/performance.md: how to run, the machine, the figures, the guard, the hot spots and the notes.

    ``current``: the suite's workloads as defined now (`result_rows`); rows measured on another definition say so.
    """
    meta = record["meta"]
    rows = result_rows(record, current)
    lines = [
        "# Performance",
        "",
        "Written by `make bench` (do not edit by hand; the hand-written part comes from `benchmarks/notes.md`).",
        "`make bench` runs every workload below several times, each repeat in a fresh process after a small",
        "untimed warm-up run, and prints the same table; `make bench-quick` runs small versions in under a minute",
        "(it writes `outputs/bench-quick.json` only, outside the tracked files). CI never times anything: figures depend on the machine",
        "and its load, so compare runs on the same machine and look at the load average.",
        "",
        "## Machine and run",
        "",
        f"- date (UTC): {meta['date']}; commit `{meta['commit']}`{' (with uncommitted changes)' if meta['dirty'] else ''}",
        f"- machine: {meta['machine']}, {meta['cpus']} logical CPUs; {meta['platform']}",
        f"- Python {meta['python']}; " + ", ".join(f"{k} {v}" for k, v in meta["packages"].items()),
        f"- load average (1, 5, 15 min) at start: {_load(meta['load_start'])}; at end: {_load(meta['load_end'])}",
        f"- wall time of the whole benchmark: {meta['wall_seconds']:.0f} s",
        "",
        "## Results against the standing targets",
        "",
        "| workload | min | median | max | peak memory | target | met |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append("| " + " | ".join(r) + " |")
    if any(r[6].startswith(("stale", "not measured")) for r in rows):
        lines += ["", "**Not every row is a current figure.** A row marked stale was measured on the workload as it was "
                  "defined then, so its target was judged on another run than the one the suite times now; a row not "
                  "measured yet is new in the suite. `make bench` measures every workload as it is now; the notes "
                  "below give what was measured since, workload by workload."]
    lines += ["", "Peak memory is the peak resident set size of the process that ran the repeat (`ru_maxrss`),",
              "interpreter and libraries included (about 200 MB before any model exists).", "",
              "## Throughput", "", "| workload | what | family-days/s | events/s | events | episodes |", "|---|---|---|---|---|---|"]
    for name, w in record["workloads"].items():
        s = w["summary"]
        if w["kind"] == "run":
            lines.append(f"| {name} | {w['title']} | {s['family_days_per_s']:,.0f} | {s['events_per_s']:,.0f} | {s['events']:,} | "
                         f"{s['episodes']:,} |")
    for w in record["workloads"].values():
        if w["kind"] == "boltzmann":
            s = w["summary"]
            lines += ["", f"Reference measured in the same run: {w['title']}: **{s['agent_steps_per_s']:,.0f} agent-steps/s**.",
                      "A simulated family-day is not an agent step: our model is event-driven, so a family costs",
                      "time only when something happens to it (an event: onset, signal, intake, help, dropout...).",
                      "Per event, our rate is of the same order as Mesa's per agent step."]
    sc = record.get("scaling")
    if sc:
        lines += ["", "## Scaling", "", "Time against number of families (3 simulated years after warm-up; staff and intake",
                  "desks scale with the population, so the load per family is the same at every size).", "",
                  "| families | median time | microseconds per family-day |", "|---|---|---|"]
        for n, t, u in zip(sc["families"], sc["median_seconds"], sc["microseconds_per_family_day"], strict=True):
            lines.append(f"| {n:,} | {t:.2f} s | {u:.2f} |")
        lines += ["", f"Fitted exponent of `t = a n^b`: **b = {sc['exponent']:.3f}** (target {sc['target']}: {_met(sc['met'])}); "
                  f"over the three largest sizes only: b = {sc['exponent_largest_three']:.3f}."]
    lines += ["", "## Regression guard", ""]
    reg = record["regression"]
    prev = record.get("previous")
    if prev is None:
        lines.append("No earlier stored run to compare with.")
    elif not any("ratio" in r for r in reg):
        lines.append(f"No workload slower by more than {REGRESSION:.0%} than the stored run of {prev['date']} "
                     f"(commit `{prev['commit']}`, load at start {_load(prev['load_start'])})"
                     + (", among those defined as then:" if reg else "."))
    else:
        lines.append(f"Slower by more than {REGRESSION:.0%} than the stored run of {prev['date']} (commit `{prev['commit']}`, "
                     f"load at start {_load(prev['load_start'])}), among the workloads defined as then:")
    if reg:
        lines.append("")
        lines += [f"- {line}" for line in regression_lines(reg)]
    prof = record["workloads"].get("profile")
    if prof:
        s = prof["summary"]
        lines += ["", "## Hot spots", "", f"cProfile of one {prof['title'].split('of one ')[-1]} ({s['total_s']:.2f} s under the profiler),",
                  "functions by own time:", "", "| function | calls | own time | cumulative |", "|---|---|---|---|"]
        for r in s["rows"]:
            lines.append(f"| `{r['function']}` | {r['calls']:,} | {r['own_s']:.3f} s | {r['cumulative_s']:.3f} s |")
    lines += ["", notes.strip(), ""]
    return "\n".join(lines)


def _load(load: list[float]) -> str:
    return ", ".join(f"{x:.2f}" for x in load) if load else "n/a"

