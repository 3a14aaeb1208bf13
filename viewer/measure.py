"""Time one simulated day of the viewer's two worlds: ``python -m viewer.measure [--families 3500] [--days 365]``.

Builds a `WorldPair` (fragmented left, networked right), advances it through
a warm-up of ``--skip`` days so queues exist, then times ``--days`` single-day
steps with the garbage collector off. Prints the model step alone (both
models' ``step``) and the viewer's whole day (models plus the running
figures), minimum and median in milliseconds, and the time to draw the page
(`viewer.views.build`). The issue asks for at most 20 ms per day for two
worlds of 300 families (sociaal_domein now allows 3,500 at least); the benchmark harness of the project includes this
workload as well.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time

from viewer.session import WorldPair
from viewer.views import build


def measure(families: int | None, days: int, skip: int) -> dict[str, float]:
    """Timings in milliseconds: model-only and viewer day (min, median), and one page draw (median)."""
    pair = WorldPair(families=families)
    pair.advance(skip)
    model_ms, day_ms, draw_ms = [], [], []
    gc.disable()
    try:
        for _ in range(days):
            t0 = time.perf_counter()
            for w in pair.worlds:
                w.model.step()
            t1 = time.perf_counter()
            for w in pair.worlds:
                w._update()
                w._record()
            t2 = time.perf_counter()
            model_ms.append((t1 - t0) * 1e3)
            day_ms.append((t2 - t0) * 1e3)
        for _ in range(20):
            t0 = time.perf_counter()
            build(pair, "en", None)
            draw_ms.append((time.perf_counter() - t0) * 1e3)
    finally:
        gc.enable()
    return {"families": len(pair.worlds[0].model.families), "model_min": min(model_ms), "model_median": statistics.median(model_ms),
            "day_min": min(day_ms), "day_median": statistics.median(day_ms), "draw_median": statistics.median(draw_ms)}


def main(argv: list[str] | None = None) -> int:
    """Command line."""
    parser = argparse.ArgumentParser(prog="python -m viewer.measure", description=__doc__.splitlines()[0])
    parser.add_argument("--families", type=int, default=3500, help="families per world (0: the scenario's population)")
    parser.add_argument("--days", type=int, default=365, help="days timed")
    parser.add_argument("--skip", type=int, default=30, help="days run before timing")
    args = parser.parse_args(argv)
    r = measure(args.families or None, args.days, args.skip)
    print(f"{r['families']} families x 2 worlds, {args.days} days: model step min {r['model_min']:.2f} ms, "
          f"median {r['model_median']:.2f} ms; viewer day (models + running figures) min {r['day_min']:.2f} ms, "
          f"median {r['day_median']:.2f} ms; page draw median {r['draw_median']:.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
