"""A disk cache of preludes: a run whose warm-up was simulated before, by any process, pays for its measured years only.

A prelude (`sim.prelude`) is the model run to just before its levers switch on, pickled; it depends on the run's
`RunConfig` without its lever settings. This cache keeps preludes as files under ``outputs/warmup-cache/`` (one
file a key), so the first what-if of a scenario pays the warm-up and every later one (another lever setting, the
other arm, a rerun tomorrow) restores it from disk instead.

The key (`cache_key`) is a SHA-256 over

- `warmup_identity`: the whole config except the lever settings and the preset's name (a label): the scenario's
  contents after its overrides (every field, so an edited scenario file gives a new key), the overrides
  themselves, the seed, the population, the warm-up, the horizon (it decides which clocks were scheduled) and,
  inside the scenario, the levers' lead;
- `code_fingerprint`: a hash of every ``sim/**/*.py`` source and the Python, Mesa and numpy versions, so a change
  of the model's code (or of the pickle's classes) never restores a stale state.

Runs that share a warm-up (the arms of one seed, the lever settings of one point of a sweep) use it: `make run`
(`experiments.compare` and its layers) and the sweeps (`experiments.runspec.RunConfiguration`) mark each run whose
warm-up another run of the same command shares (`shared`), run those from the cache (`run_cached`) and order the
runs with `reuse_order`, so that the first run of each group has stored the prelude before the others start. A run
whose warm-up nobody else shares runs cold: storing its prelude would cost a pickle and a file for nothing.

Files are written through a temporary file and a rename (an interrupted run never leaves a half file), and read
files are touched, so that above `MAX_BYTES` the least recently used are dropped. Off: ``enabled=False`` or the
environment variable ``ONTSCHOT_WARMUP_CACHE=off`` (`WarmupCache.from_environment`); then every prelude is
simulated and nothing is written. The cache only saves time, so it never fails a run: a damaged file (truncated,
overwritten) is simulated again and replaced, and a folder that cannot be read or written (a file, read-only, full)
is said once on stderr while the runs simulate their warm-up. The files are pickles: the cache loads only files it
wrote itself (named by their key), under the user's own outputs folder.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import json
import os
import platform
import sys
import time
from collections.abc import Callable, Hashable, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import sim
from sim import RunConfig, RunResult, SocialDomainModel, collect, run
from sim.atomic import write_bytes
from sim.prelude import freeze, from_prelude, prelude, warm

DEFAULT_DIR = Path("outputs") / "warmup-cache"
# The bound of the cache on disk (an assumption: a 10,000-family prelude of the default warm-up takes tens of MB,
# so a few dozen scenarios and seeds fit; a region's takes several hundred MB).
MAX_BYTES = 2 * 1024**3
ENV = "ONTSCHOT_WARMUP_CACHE"  # "off" switches the cache off; any other non-empty value is its folder
SUFFIX = ".prelude"
# Each file ends with the SHA-256 of the prelude before it: a file truncated or overwritten is found before it is
# unpickled (a damaged pickle can fail in any way, or not at all), so it is a miss, not a failed run.
DIGEST_BYTES = 32
# A temporary file of a prelude being written, untouched this long, was left by a killed process (an assumption: a
# region's prelude is written in seconds; an hour leaves room for a slow shared disk).
STALE_TEMP_SECONDS = 3600.0


@functools.cache
def code_fingerprint() -> str:
    """A hash of the model's code (every ``sim/**/*.py``) and of the Python, Mesa and numpy versions (per process)."""
    h = hashlib.sha256()
    for name in ("mesa", "numpy"):
        h.update(f"{name}={metadata.version(name)}\n".encode())
    h.update(f"python={platform.python_version()}\n".encode())
    root = Path(sim.__file__).resolve().parent
    for path in sorted(root.rglob("*.py")):
        h.update(path.relative_to(root).as_posix().encode() + b"\0")
        h.update(path.read_bytes() + b"\0")
    return h.hexdigest()


def warmup_identity(config: RunConfig) -> dict[str, Any]:
    """Everything of ``config`` its warm-up depends on: the whole config except the lever settings and preset name."""
    return {"scenario": dataclasses.asdict(config.scenario), "scenario_overrides": config.scenario_overrides,
            "seed": config.seed, "families": config.families, "warm_up_days": config.warm_up_days,
            "horizon_days": config.horizon_days}


def cache_key(config: RunConfig) -> str:
    """The cache key of ``config``'s prelude (hex SHA-256 of `warmup_identity` and `code_fingerprint`)."""
    text = json.dumps({"config": warmup_identity(config), "code": code_fingerprint()}, sort_keys=True, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()


class WarmupCache:
    """Preludes on disk, keyed by `cache_key`, least recently used dropped above ``max_bytes``.

    Args:
        folder: where the files go (created when the first is written); default ``outputs/warmup-cache``.
        max_bytes: the bound of all files together; a prelude larger than it alone is not stored.
        enabled: False: every prelude is simulated, nothing is read or written.

    Example:
        >>> cache = WarmupCache(enabled=False)
        >>> cache.get(sim.load_run_config(n_families=3500, warm_up_days=30, horizon_days=10)) is None
        True
    """

    def __init__(self, folder: Path | str | None = None, max_bytes: int = MAX_BYTES, enabled: bool = True) -> None:
        self.folder = Path(folder) if folder is not None else DEFAULT_DIR
        self.max_bytes = int(max_bytes)
        self.enabled = enabled

    @classmethod
    def from_environment(cls, folder: Path | str | None = None) -> WarmupCache:
        """The cache as ``ONTSCHOT_WARMUP_CACHE`` says: ``off`` switches it off, another value names its folder.

        A relative folder named there is taken from the directory the command runs in, and kept absolute, so that a
        sweep's SLURM jobs, which may start elsewhere, find the same folder.
        """
        value = os.environ.get(ENV, "").strip()
        if value.lower() in ("off", "0", "no", "false"):
            return cls(folder, enabled=False)
        return cls(Path(value).absolute() if value else folder)

    def path(self, config: RunConfig) -> Path:
        """The file of ``config``'s prelude."""
        return self.folder / (cache_key(config) + SUFFIX)

    def get(self, config: RunConfig) -> bytes | None:
        """The stored prelude of ``config`` (and mark it used), or None."""
        if not self.enabled:
            return None
        path = self.path(config)
        try:
            with path.open("rb") as fh:  # the prelude, then its digest: read apart, so the prelude is never copied
                size = os.fstat(fh.fileno()).st_size
                blob = fh.read(max(0, size - DIGEST_BYTES))
                digest = fh.read()
        except FileNotFoundError:  # never written, or dropped by another process meanwhile
            return None
        except OSError as exc:  # the folder is a file, or unreadable: the run simulates its warm-up, as without a cache
            _cannot_use(self.folder, exc)
            return None
        if digest != hashlib.sha256(blob).digest():  # truncated or overwritten: a miss, simulated again and replaced
            _cannot_use(self.folder, None, f"{path.name} is damaged and is simulated again")
            with contextlib.suppress(OSError):
                path.unlink()
            return None
        with contextlib.suppress(FileNotFoundError):  # dropped by another process since: the bytes are read
            os.utime(path)  # least recently used by modification time: a read counts as a use
        return blob

    def put(self, config: RunConfig, blob: bytes) -> None:
        """Store ``config``'s prelude atomically (temporary file and rename), then keep the folder under its bound."""
        if not self.enabled or len(blob) > self.max_bytes:
            return
        try:
            write_bytes(self.path(config), blob, hashlib.sha256(blob).digest())
            self.trim()
        except OSError as exc:  # read-only, full, or not a folder: the run goes on; only later runs miss the copy
            _cannot_use(self.folder, exc)

    def trim(self) -> None:
        """Drop the least recently used files until all together fit in ``max_bytes``, and writes abandoned long ago.

        A process killed while it wrote a prelude leaves its temporary file (``.<key>.prelude.<random>``, see
        `sim.atomic`); one untouched for `STALE_TEMP_SECONDS` is no longer being written and goes.
        """
        now = time.time()
        for p in self.folder.glob(".*" + SUFFIX + ".*"):
            with contextlib.suppress(FileNotFoundError):
                if now - p.stat().st_mtime > STALE_TEMP_SECONDS:
                    p.unlink()
        files = []
        for p in self.folder.glob("*" + SUFFIX):
            try:
                st = p.stat()
            except FileNotFoundError:
                continue
            files.append((st.st_mtime_ns, st.st_size, p))
        total = sum(size for _, size, _ in files)
        for _, size, p in sorted(files):
            if total <= self.max_bytes:
                break
            p.unlink(missing_ok=True)
            total -= size

    def prelude(self, config: RunConfig, progress: Callable[[int, int], None] | None = None) -> bytes:
        """``config``'s prelude from disk, or simulated (``progress`` as in `sim.prelude.prelude`) and stored."""
        blob = self.get(config)
        if blob is None:
            blob = prelude(config, progress)
            self.put(config, blob)
        return blob

    def model(self, config: RunConfig, progress: Callable[[int, int], None] | None = None) -> SocialDomainModel:
        """``config``'s model at the levers' switch-on, ready to ``run()``: restored from disk, or simulated and stored.

        The model simulated here runs on as it is (not restored from the bytes just stored): the cold run itself,
        without a second unpickling.
        """
        blob = self.get(config)
        if blob is not None:  # checked against its digest: an error while it restores is the model's code, not the file's
            return from_prelude(blob, config)
        model = warm(config, progress)
        if self.enabled:
            self.put(config, freeze(model))
        return from_prelude(model, config)

    def run(self, config: RunConfig) -> RunResult:
        """``sim.run(config)`` with its warm-up from this cache: the same tables (`tests/test_prelude.py`)."""
        model = self.model(config)
        model.run()
        return collect(model)


_TOLD: set[str] = set()


def _cannot_use(folder: Path, exc: OSError | None, what: str | None = None) -> None:
    """Say (once per process) that the cache could not be used; the run itself goes on without it, with the same tables."""
    told = f"{folder}: {what or ''}"  # a folder that cannot be used is said once, each damaged file once
    if told in _TOLD:
        return
    _TOLD.add(told)
    why = "" if exc is None else f" ({type(exc).__name__}: {exc.strerror or exc})"
    if what is None:
        what = f"not usable{why}; runs simulate their warm-up instead (set {ENV}=off or another folder)"
    else:
        what = f"{what}{why}"
    print(f"warm-up cache {folder}: {what}", file=sys.stderr, flush=True)


def shared(groups: Sequence[Hashable]) -> list[bool]:
    """For each task, whether another task has the same warm-up group (then its prelude is worth storing)."""
    counts: dict[Hashable, int] = {}
    for g in groups:
        counts[g] = counts.get(g, 0) + 1
    return [counts[g] > 1 for g in groups]


def reuse_order(groups: Sequence[Hashable], lag: int) -> list[int]:
    """The order (task indices) in which tasks sharing a warm-up find it stored instead of simulating it again.

    The first task of each group (its opener) simulates and stores the prelude; the group's other tasks go after
    the openers of the next ``lag`` groups, so that on a pool of up to ``lag`` workers, taking tasks in this order,
    their opener has finished before they start. When it has not (a slow opener, more workers), a task simulates
    the prelude itself: slower, never different. Within a group, and for groups of one, the order is kept.

    Example:
        >>> reuse_order(["s1", "s1", "s2", "s2", "s3", "s3"], lag=2)
        [0, 2, 4, 1, 3, 5]
    """
    first: dict[Hashable, int] = {}
    rank: list[tuple[int, int, int]] = []
    for i, g in enumerate(groups):
        if g not in first:
            first[g] = len(first)
            rank.append((first[g], 0, i))
        else:
            rank.append((first[g] + max(1, lag), 1, i))
    return [i for *_, i in sorted(rank)]


def run_cached(config: RunConfig, share: bool, cache: WarmupCache | None = None) -> RunResult:
    """``sim.run(config)``, from the warm-up cache when ``share`` (another run has the same warm-up): the same tables.

    ``cache`` defaults to `WarmupCache.from_environment` (in this process: a pool worker reads the environment
    its parent had). Switched off, or for a run nobody shares, the run is simulated cold.
    """
    if share:
        cache = cache if cache is not None else WarmupCache.from_environment()
        if cache.enabled:
            return cache.run(config)
    return run(config)
