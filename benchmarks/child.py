"""One measured repeat of one workload in this (fresh) process: ``python -m benchmarks.child '<json spec>'``.

The spec is ``{"kind": ..., "params": {...}}``. The process warms up (imports and a small untimed run), runs
the repeat and prints one JSON line: the workload's figures plus ``peak_rss_mb``, the peak resident memory
of this process (``ru_maxrss``), which is the repeat's own because nothing else ran here.
"""

from __future__ import annotations

import json
import resource
import sys

from benchmarks.workloads import KINDS, warm_up


def main(argv: list[str]) -> None:
    """Run the repeat described by ``argv[0]`` and print its figures as JSON."""
    spec = json.loads(argv[0])
    kind = spec["kind"]
    warm_up(kind)
    out = KINDS[kind](spec["params"])
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux reports KiB
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1:])
