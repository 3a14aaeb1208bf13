"""The result store of a sweep: a folder with one status and one set of Parquet tables per run.

Layout of a sweep folder::

    sweep.json              the experiment's configuration (what was asked)
    plan.parquet            one row per (arm, replication): the run key and what the arm is
    runs/<key>/             a finished run: summary, cost, waiting, episodes (.parquet) and run.json
    status/<key>.json       a run that is running or failed (with its traceback and attempts)

A run's results are written into a hidden temporary folder and renamed to
``runs/<key>`` only when every file is complete and flushed, so a sweep killed
at any moment (SIGKILL, power loss) never holds a half-written run counted as
done. The status of a run is therefore: ``succeeded`` if ``runs/<key>`` exists,
else ``running`` or ``failed`` as its status file says, else ``pending``. A
restart skips what succeeded and runs the rest again (a ``running`` status left
by a killed process is a run that did not finish).
"""

from __future__ import annotations

import json
import os
import shutil
import time
import traceback
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from experiments.runspec import RunConfiguration, RunSpec

TABLES = ("summary", "cost", "waiting", "episodes")


def _write_json(path: Path, data: dict[str, Any]) -> None:
    """Write JSON atomically (temporary file, flush, rename)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w") as fh:
        json.dump(data, fh, indent=1, default=str)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


class Store:
    """The store of one sweep folder.

    Args:
        folder: the sweep folder (created by `create`).
    """

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.runs = self.folder / "runs"
        self.status_dir = self.folder / "status"

    # --- the sweep as a whole -------------------------------------------------------------------------

    def create(self, config: dict[str, Any], plan: pd.DataFrame) -> None:
        """Create (or update, on a restart) the folder with its configuration and plan."""
        self.runs.mkdir(parents=True, exist_ok=True)
        self.status_dir.mkdir(exist_ok=True)
        for stale in self.runs.glob(".*.tmp"):  # half-written results of a killed process: never counted, removed here
            shutil.rmtree(stale, ignore_errors=True)
        _write_json(self.folder / "sweep.json", config)
        tmp = self.folder / f".plan.{os.getpid()}.parquet"
        plan.to_parquet(tmp, index=False)
        os.replace(tmp, self.folder / "plan.parquet")

    def config(self) -> dict[str, Any]:
        """The experiment configuration the sweep was run with."""
        return json.loads((self.folder / "sweep.json").read_text())

    def plan(self) -> pd.DataFrame:
        """One row per (arm, replication)."""
        return pd.read_parquet(self.folder / "plan.parquet")

    # --- one run --------------------------------------------------------------------------------------

    def succeeded(self, key: str) -> bool:
        """Whether the run's results are complete in the store."""
        return (self.runs / key / "run.json").is_file()

    def status(self, key: str) -> dict[str, Any]:
        """The run's status record (``state`` is pending, running, succeeded or failed)."""
        if self.succeeded(key):
            return json.loads((self.runs / key / "run.json").read_text())
        path = self.status_dir / f"{key}.json"
        if path.is_file():
            return json.loads(path.read_text())
        return {"state": "pending", "attempts": 0}

    def mark_running(self, key: str) -> int:
        """Record that an attempt starts; return its number (1 for the first attempt ever)."""
        attempts = int(self.status(key).get("attempts", 0)) + 1
        _write_json(self.status_dir / f"{key}.json", {"state": "running", "attempts": attempts, "pid": os.getpid(),
                                                      "host": os.uname().nodename, "started": time.time()})
        return attempts

    def mark_failed(self, key: str, attempts: int, error: BaseException) -> None:
        """Record a failed attempt with its traceback."""
        tb = "".join(traceback.format_exception(type(error), error, error.__traceback__))
        _write_json(self.status_dir / f"{key}.json", {"state": "failed", "attempts": attempts, "error": repr(error),
                                                      "traceback": tb, "finished": time.time()})

    def save(self, key: str, spec: RunSpec, tables: dict[str, pd.DataFrame], attempts: int, seconds: float) -> None:
        """Write a run's tables and mark it succeeded, all at once (rename of a complete folder)."""
        tmp = self.runs / f".{key}.{os.getpid()}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        for name in TABLES:
            path = tmp / f"{name}.parquet"
            tables[name].to_parquet(path, index=False)
            with open(path, "rb") as fh:
                os.fsync(fh.fileno())
        _write_json(tmp / "run.json", {"state": "succeeded", "attempts": attempts, "seconds": seconds,
                                       "spec": asdict(spec), "finished": time.time()})
        final = self.runs / key
        if final.exists():  # a duplicate finished first (same configuration in two arms): keep the first
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            os.rename(tmp, final)
            dfd = os.open(self.runs, os.O_RDONLY)
            try:
                os.fsync(dfd)
            finally:
                os.close(dfd)
        (self.status_dir / f"{key}.json").unlink(missing_ok=True)

    def states(self, keys: Iterable[str]) -> pd.DataFrame:
        """Status of each key: state, attempts, error."""
        rows = []
        for key in dict.fromkeys(keys):
            st = self.status(key)
            rows.append({"key": key, "state": st["state"], "attempts": st.get("attempts", 0), "error": st.get("error")})
        return pd.DataFrame(rows, columns=["key", "state", "attempts", "error"])

    def read(self, table: str, keys: Iterable[str]) -> pd.DataFrame:
        """One table of the given succeeded runs, stacked, with a ``key`` column."""
        frames = []
        for key in dict.fromkeys(keys):
            if self.succeeded(key):
                df = pd.read_parquet(self.runs / key / f"{table}.parquet")
                frames.append(df.assign(key=key))
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["key"])


def execute_and_store(folder: str, spec_data: dict[str, Any], configuration: RunConfiguration | None = None) -> dict[str, Any]:
    """Run one specification and store its outcome; never raises for a failing run.

    This is the unit of work every executor ships to a worker (in this process, a process pool,
    joblib or a SLURM job): the worker writes its own results, so nothing depends on the parent
    process surviving.

    Returns:
        ``{"key", "state", "seconds"}`` (``state`` is succeeded or failed).
    """
    store = Store(folder)
    spec = RunSpec.from_dict(spec_data)
    key = spec.key
    if store.succeeded(key):
        return {"key": key, "state": "succeeded", "seconds": 0.0}
    attempts = store.mark_running(key)
    t0 = time.perf_counter()
    try:
        tables = (configuration or RunConfiguration()).execute(spec)
    except Exception as exc:  # one failing run is recorded and never stops the sweep
        store.mark_failed(key, attempts, exc)
        return {"key": key, "state": "failed", "seconds": time.perf_counter() - t0}
    seconds = time.perf_counter() - t0
    store.save(key, spec, tables, attempts, seconds)
    return {"key": key, "state": "succeeded", "seconds": seconds}


@dataclass
class Sweep:
    """A loaded sweep: tidy tables, each with the plan's columns (arm, replication, seed, ...) joined in."""

    folder: Path
    config: dict[str, Any]
    plan: pd.DataFrame
    status: pd.DataFrame
    summary: pd.DataFrame
    cost: pd.DataFrame
    waiting: pd.DataFrame
    episodes: pd.DataFrame


def load_sweep(folder: str | Path) -> Sweep:
    """Load a sweep folder in one call: plan, status per run, and the tidy result tables of succeeded runs."""
    store = Store(folder)
    plan = store.plan()
    keys = list(plan.key)
    status = plan.merge(store.states(keys), on="key", how="left")

    arms = plan.drop(columns=["spec"])

    def joined(table: str) -> pd.DataFrame:
        df = store.read(table, keys)
        return arms.merge(df, on="key", how="inner") if len(df) else arms.iloc[:0].copy()

    return Sweep(Path(folder), store.config(), plan, status, joined("summary"), joined("cost"), joined("waiting"), joined("episodes"))
