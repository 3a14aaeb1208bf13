"""The result store of a sweep: a folder with one status and one set of Parquet tables per run.

Layout of a sweep folder::

    sweep.json              the experiment's configuration (what was asked)
    plan.parquet            one row per (arm, replication): the run key and what the arm is
    runs/<key>/             a finished run: summary, cost, waiting, episodes, helped (.parquet) and run.json
    status/<key>.json       a run that is running, failed or was interrupted (traceback, job id, log, attempts)

A run's results are written into a hidden temporary folder and renamed to
``runs/<key>`` only when every file is complete and flushed, so a sweep killed
at any moment (SIGKILL, power loss) never holds a half-written run counted as
done. The status of a run is therefore: ``succeeded`` if ``runs/<key>`` exists,
else what its status file says, else ``pending``:

- ``failed``: the run raised (its traceback is kept); ``retries`` tries it again;
- ``interrupted``: its process or job ended before it finished (cancelled, time
  limit, out of memory, node failure, a broken worker pool, or lost: gone without
  a trace); the reason, the SLURM state, job id and log are kept; not retried
  within the same command (a cancel is a cancel), run again by the next one;
- ``running``: its process or job still lives. A ``running`` record whose
  process is gone (checked by host and PID, or by job id in ``squeue``) reads
  as ``interrupted``.

Several jobs may write into one sweep at once (a re-run while an old array job
still runs): temporary names carry host, PID and a random part; `Store.create`
removes only temporary files older than `TEMP_MIN_AGE_S` or whose writer, a
process of this host, is gone; and when two jobs
finish the same run, the first complete result is kept and the second is
dropped without error.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import time
import traceback
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from experiments.liveness import HOST, Liveness, process_identity
from experiments.runspec import RunConfiguration, RunSpec

TABLES = ("summary", "cost", "waiting", "episodes", "helped")
# A temporary file younger than this may belong to a job that is writing it now; `Store.create` leaves it alone.
# Writing a run's tables takes seconds; an hour is far beyond any live writer (an assumption, not measured on NFS).
TEMP_MIN_AGE_S = 3600.0
STATE_COLUMNS = ("key", "state", "attempts", "error", "job_id", "slurm_state", "log")


def temp_name(base: str) -> str:
    """A hidden temporary name unique per host, process and call (PIDs repeat across the nodes of a cluster)."""
    return f".{base}.{HOST}.{os.getpid()}.{secrets.token_hex(4)}.tmp"


def _writer_gone(name: str) -> bool:
    """Whether the temporary file ``name`` was written by a process of this host that no longer exists."""
    m = re.search(r"\.(\d+)\.[0-9a-f]{8}\.tmp$", name)
    if not m or not Path("/proc/self").exists():  # without /proc (not Linux) nobody can tell: keep it until it is old
        return False
    return name[:m.start()].endswith("." + HOST) and not Path(f"/proc/{m.group(1)}").exists()


def _write_json(path: Path, data: dict[str, Any]) -> None:
    """Write JSON atomically (temporary file, flush, rename)."""
    tmp = path.with_name(temp_name(path.name))
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
        now = time.time()
        for stale in [*self.runs.glob(".*.tmp"), *self.status_dir.glob(".*.tmp")]:
            # half-written results of a killed process are never counted; removed only when surely dead
            try:
                old = now - stale.stat().st_mtime > TEMP_MIN_AGE_S
            except OSError:  # another process renamed or removed it meanwhile
                continue
            if old or _writer_gone(stale.name):
                shutil.rmtree(stale, ignore_errors=True) if stale.is_dir() else stale.unlink(missing_ok=True)
        _write_json(self.folder / "sweep.json", config)
        tmp = self.folder / temp_name("plan.parquet")
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

    def record(self, key: str) -> dict[str, Any]:
        """The run's stored record as written (``state`` pending, running, succeeded, failed or interrupted)."""
        if self.succeeded(key):
            return json.loads((self.runs / key / "run.json").read_text())
        path = self.status_dir / f"{key}.json"
        if path.is_file():
            try:
                return json.loads(path.read_text())
            except (OSError, ValueError):  # replaced by another writer this instant: read again
                return json.loads(path.read_text())
        return {"state": "pending", "attempts": 0}

    def status(self, key: str, liveness: Liveness | None = None) -> dict[str, Any]:
        """The run's status: its record, with a ``running`` whose process or job is gone shown as ``interrupted``."""
        st = self.record(key)
        if st["state"] == "running":
            gone = (liveness or Liveness()).gone(st)
            if gone:
                st = {**st, "state": "interrupted", "error": gone}
        return st

    def mark_running(self, key: str) -> int:
        """Record that an attempt starts (with this process's host, PID and job); return its number (1 for the first)."""
        attempts = int(self.record(key).get("attempts", 0)) + 1
        _write_json(self.status_dir / f"{key}.json", {"state": "running", "attempts": attempts, **process_identity(),
                                                      "started": time.time()})
        return attempts

    def mark_failed(self, key: str, attempts: int, error: BaseException, where: str = "") -> None:
        """Record a failed attempt (the run raised) with its traceback and the job it ran in."""
        tb = "".join(traceback.format_exception(type(error), error, error.__traceback__))
        _write_json(self.status_dir / f"{key}.json", {"state": "failed", "attempts": attempts, "error": where + repr(error),
                                                      "traceback": tb, **process_identity(), "finished": time.time()})

    def mark_interrupted(self, key: str, reason: str, **info: Any) -> None:
        """Record that the run's process or job ended before it finished (not a failure of the model).

        Args:
            key: the run.
            reason: one line: what ended it and, where known, how to avoid it.
            **info: ``slurm_state``, ``job_id``, ``log``, ``traceback`` where known (kept from the record otherwise).
        """
        if self.succeeded(key):  # the job saved it just before it ended: nothing was lost
            return
        before = self.record(key)
        keep = {k: before[k] for k in ("attempts", "job_id", "log", "host", "pid") if k in before}
        _write_json(self.status_dir / f"{key}.json", {**keep, "attempts": int(before.get("attempts", 0)), "state": "interrupted",
                                                      "error": reason, **{k: v for k, v in info.items() if v is not None},
                                                      "finished": time.time()})

    def save(self, key: str, spec: RunSpec, tables: dict[str, pd.DataFrame], attempts: int, seconds: float) -> None:
        """Write a run's tables and mark it succeeded, all at once (rename of a complete folder).

        Two jobs may finish the same run (a re-run while an old array job still runs, or two identical arms):
        the first complete result is kept and the other dropped, without an error.
        """
        tmp = self.runs / temp_name(key)
        tmp.mkdir()
        for name in TABLES:
            path = tmp / f"{name}.parquet"
            tables[name].to_parquet(path, index=False)
            with open(path, "rb") as fh:
                os.fsync(fh.fileno())
        _write_json(tmp / "run.json", {"state": "succeeded", "attempts": attempts, "seconds": seconds,
                                       "spec": asdict(spec), "finished": time.time(), **process_identity()})
        final = self.runs / key
        try:
            os.rename(tmp, final)
        except OSError:  # the other writer's rename came first (the target exists and is not empty): keep the first
            shutil.rmtree(tmp, ignore_errors=True)
            if not self.succeeded(key):
                raise
        else:
            dfd = os.open(self.runs, os.O_RDONLY)
            try:
                os.fsync(dfd)
            finally:
                os.close(dfd)
        (self.status_dir / f"{key}.json").unlink(missing_ok=True)

    def states(self, keys: Iterable[str]) -> pd.DataFrame:
        """Status of each key: state, attempts, error, and where it ran (job id, SLURM state, log)."""
        liveness = Liveness()
        rows = []
        for key in dict.fromkeys(keys):
            st = self.status(key, liveness)
            rows.append({"key": key, "state": st["state"], "attempts": st.get("attempts", 0), "error": st.get("error"),
                         "job_id": st.get("job_id"), "slurm_state": st.get("slurm_state"), "log": st.get("log")})
        return pd.DataFrame(rows, columns=list(STATE_COLUMNS))

    def read(self, table: str, keys: Iterable[str]) -> pd.DataFrame:
        """One table of the given succeeded runs, stacked, with a ``key`` column."""
        frames = []
        for key in dict.fromkeys(keys):
            path = self.runs / key / f"{table}.parquet"
            if self.succeeded(key) and path.is_file():  # a run stored before the table existed has none
                frames.append(pd.read_parquet(path).assign(key=key))
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["key"])


def job_interruption(error: BaseException) -> str | None:
    """The SLURM state if ``error`` is the job ending (submitit's time-limit or preemption signal), not the model failing."""
    # Inside the job it is submitit's UncompletedJobError; the parent gets it wrapped in a FailedJobError's text.
    text = f"{type(error).__name__}: {error}"
    if type(error).__module__.startswith("submitit") and "UncompletedJobError: Job not requeued" in text:
        return "TIMEOUT" if "timed-out" in text else "PREEMPTED"
    return None


def execute_and_store(folder: str, spec_data: dict[str, Any], configuration: RunConfiguration | None = None) -> dict[str, Any]:
    """Run one specification and store its outcome; never raises for a failing run.

    This is the unit of work every executor ships to a worker (in this process, a process pool,
    joblib or a SLURM job): the worker writes its own results, so nothing depends on the parent
    process surviving. When the job's time limit arrives (submitit raises its ``UncompletedJobError``
    from the signal handler, wherever the run is, also inside `Store.save`) the run is recorded as
    interrupted with state TIMEOUT and the error goes on, so that the job ends instead of starting
    the next run.

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
        seconds = time.perf_counter() - t0
        store.save(key, spec, tables, attempts, seconds)
    except Exception as exc:  # one failing run is recorded and never stops the sweep
        state = job_interruption(exc)
        if state:
            store.mark_interrupted(key, f"the job's time limit arrived during the run ({exc})" if state == "TIMEOUT"
                                   else f"the job was preempted during the run ({exc})", slurm_state=state)
            raise
        store.mark_failed(key, attempts, exc)
        return {"key": key, "state": "failed", "seconds": time.perf_counter() - t0}
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
    helped: pd.DataFrame  # needs helped per run: problem_key and days from onset (`sim.headline.helped_problems`)


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

    return Sweep(Path(folder), store.config(), plan, status, joined("summary"), joined("cost"), joined("waiting"), joined("episodes"),
                 joined("helped"))
