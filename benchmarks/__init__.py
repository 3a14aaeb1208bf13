"""Performance benchmark of ontschot (``make bench`` and ``make bench-quick``): for people, never run by CI.

Every measured repeat of a workload runs in a fresh child process (`benchmarks.child`), so its peak
resident memory is its own; the parent (`benchmarks.__main__`) collects the figures, compares them with
the standing targets and with the last stored run (regression guard) and writes ``docs/performance.md``
and a JSON file under ``benchmarks/``.
"""
