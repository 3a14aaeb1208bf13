"""The restoring half of the prelude test (`test_prelude`), in a module of its own so that a spawned worker imports it.

A worker of a spawn pool starts a fresh interpreter: Mesa's event counter starts again near 0, the caches of
`sim.streams` are empty and Python's string hashing has a new salt, which is what a run restored from the disk
cache in another process meets.
"""

from __future__ import annotations

from test_identical_outputs import digests

from sim import RunConfig, collect
from sim.prelude import run_from_prelude


def restored_digests(task: tuple[bytes, list[RunConfig]]) -> list[dict[str, str]]:
    """Restore every config of ``task`` from its one prelude (bytes pickled elsewhere), run it, digest its tables."""
    blob, configs = task
    return [digests(collect(run_from_prelude(blob, cfg))) for cfg in configs]
