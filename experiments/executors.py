"""Executors: where the runs of a sweep execute (this process, a local pool, joblib, SLURM via submitit).

Every executor ships the same unit of work, `experiments.store.execute_and_store`,
to its workers; each worker writes its run's results into the store itself.
An executor only decides where that happens and reports each finished run to
a callback (for the progress line). Choose one with ``launcher=...``
(``configs/launcher``): ``inprocess``, ``pool`` (default, spawn process pool),
``joblib`` (loky workers, as Hydra's joblib launcher), ``submitit_local`` and
``submitit_slurm`` (one SLURM array job; the same code as the local executor,
in `experiments.submitit_executor`). Every executor reports every run it was
given: succeeded, failed (the run raised) or interrupted (its worker or job
ended first, with the reason recorded in the store).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from experiments.pool import Pool, PoolBroken
from experiments.runspec import RunConfiguration, RunSpec
from experiments.store import Store, execute_and_store
from sim import InputError

OnResult = Callable[[dict[str, Any]], None]


class Executor:
    """Base class: run ``execute_and_store`` for every specification and report each result."""

    name = "base"

    def map(self, folder: Path, specs: list[dict[str, Any]], configuration: RunConfiguration, on_result: OnResult) -> None:
        """Run every specification; call ``on_result`` as each one finishes."""
        raise NotImplementedError


class InProcessExecutor(Executor):
    """One run after another in this process (debugging, notebooks, tests)."""

    name = "inprocess"

    def map(self, folder: Path, specs: list[dict[str, Any]], configuration: RunConfiguration, on_result: OnResult) -> None:
        """Run sequentially."""
        for spec in specs:
            on_result(execute_and_store(str(folder), spec, configuration))


class PoolExecutor(Executor):
    """A local process pool (`experiments.pool.Pool`: spawn start method, no state leaks from the parent into runs).

    When the pool breaks (a worker killed, out of memory, a script without a main guard, an import error in a
    worker), every run it took down is recorded as interrupted with the reason and how to fix the common cause;
    an error raised in a worker before the run started (e.g. the configuration cannot be unpickled) is recorded
    as a failure with its traceback.

    Args:
        workers: processes (default 2, the cores of the reference machine).
    """

    name = "pool"

    def __init__(self, workers: int = 2) -> None:
        self.workers = workers

    def map(self, folder: Path, specs: list[dict[str, Any]], configuration: RunConfiguration, on_result: OnResult) -> None:
        """Run on the pool; results are reported in the order they finish."""
        if self.workers <= 1:
            InProcessExecutor().map(folder, specs, configuration, on_result)
            return
        store = Store(folder)
        with Pool(self.workers) as pool:
            for done in pool.completed(partial(execute_and_store, str(folder), configuration=configuration), specs):
                key = RunSpec.from_dict(done.task).key
                if isinstance(done.error, PoolBroken):
                    result = lost_run(store, key, str(done.error))
                elif done.error is not None:  # raised in the worker outside the run (unpickling, import): the run did not start
                    store.mark_failed(key, int(store.record(key).get("attempts", 0)) + 1, done.error,
                                      where="in the worker, before the run: ")
                    result = {"key": key, "state": "failed", "seconds": 0.0}
                else:
                    result = done.value
                on_result(result)


def lost_run(store: Store, key: str, reason: str, **info: Any) -> dict[str, Any]:
    """Record a run whose worker or job ended before it finished; its result for ``on_result``."""
    if store.succeeded(key):  # it was stored before the end came
        return {"key": key, "state": "succeeded", "seconds": 0.0}
    record = store.record(key)
    if record["state"] == "failed" and (not info.get("job_id") or record.get("job_id") == info.get("job_id")):
        return {"key": key, "state": "failed", "seconds": 0.0}  # it raised, and that is what it reports
    if record["state"] == "interrupted" and record.get("slurm_state") and record.get("job_id") == info.get("job_id"):
        info = {**info, "slurm_state": record["slurm_state"]}  # the job itself knew better (time limit)
        reason = record.get("error") or reason
    store.mark_interrupted(key, reason, **info)
    return {"key": key, "state": "interrupted", "seconds": 0.0}


class JoblibExecutor(Executor):
    """joblib's loky workers (the backend of Hydra's joblib launcher).

    Args:
        n_jobs: workers (-1: every core).
    """

    name = "joblib"

    def __init__(self, n_jobs: int = 2) -> None:
        self.n_jobs = n_jobs

    def map(self, folder: Path, specs: list[dict[str, Any]], configuration: RunConfiguration, on_result: OnResult) -> None:
        """Run with joblib.Parallel, reporting results as they finish; a dead worker interrupts the runs not done."""
        from joblib import Parallel, delayed

        parallel = Parallel(n_jobs=self.n_jobs, backend="loky", return_as="generator_unordered")
        reported: set[str] = set()
        try:
            for result in parallel(delayed(execute_and_store)(str(folder), spec, configuration) for spec in specs):
                reported.add(result["key"])
                on_result(result)
        except Exception as exc:  # joblib stops the whole map when a worker dies (TerminatedWorkerError)
            store = Store(folder)
            for spec in specs:
                key = RunSpec.from_dict(spec).key
                if key not in reported:
                    reported.add(key)
                    on_result(lost_run(store, key, f"the joblib workers stopped ({type(exc).__name__}: {exc})"))


def execute_chunk(folder: str, specs: list[dict[str, Any]], configuration: RunConfiguration) -> list[dict[str, Any]]:
    """Several runs in one job, one after another (a job per run costs a Python start-up per run).

    In a submitit job it first gives SIGCONT back its default action (continue, nothing else). SLURM sends SIGCONT
    together with the time-limit warning (SIGUSR2), and submitit's handler for SIGCONT only logs; when SIGUSR2's
    handler ran inside that logging call, the error it raises to end the run (`store.execute_and_store` records it
    as "the job's time limit arrived during the run") was swallowed by the logging module as a logging error, the run
    slept on, and SLURM killed the job unrecorded (seen once in `tests/test_slurm.py`, 2026-11-29).
    """
    if threading.current_thread() is threading.main_thread():  # signal handlers can be set from the main thread only
        signal.signal(signal.SIGCONT, signal.SIG_DFL)
    return [execute_and_store(folder, spec, configuration) for spec in specs]


def chunks_for(specs: list[dict[str, Any]], width: int) -> list[list[dict[str, Any]]]:
    """Split the runs over ``min(runs, width)`` tasks of nearly equal size (chunking follows parallelism)."""
    n = max(1, min(len(specs), width))
    return [specs[i::n] for i in range(n)]


LAUNCHERS = {"inprocess", "pool", "joblib", "submitit_local", "submitit_slurm"}
SUBMITIT_KEYS = ("name", "parameters", "jobs", "stall_timeout_s")


def submitit_parameters(cluster: str) -> dict[str, type | tuple[type, ...]]:
    """The parameters submitit's ``AutoExecutor.update_parameters`` accepts for ``cluster``, with their types.

    The shared ones (``timeout_min``, ``mem_gb``, ...) and the cluster's own with its prefix (``slurm_partition``,
    ``slurm_setup``, ...), as submitit itself lists them (``_typed_parameters``, ``_valid_parameters``).
    """
    import submitit

    shared: dict[str, type | tuple[type, ...]] = {k: ((int, float) if t is float else t)
                                                   for k, t in submitit.AutoExecutor._typed_parameters().items()}
    own = submitit.SlurmExecutor if cluster == "slurm" else submitit.LocalExecutor
    return {**shared, **{f"{cluster}_{k}": object for k in sorted(own._valid_parameters())}}


def check_submitit_launcher(launcher: dict[str, Any]) -> None:
    """Validate a submitit launcher before anything is written; for SLURM, check that a controller answers.

    Raises:
        InputError: an unknown launcher key or submitit parameter (naming the allowed ones), a bad value,
            or no reachable SLURM controller.
    """
    from experiments import slurm

    for key in launcher:
        if key not in SUBMITIT_KEYS:
            raise InputError(f"launcher.{key}", launcher[key], f"one of {', '.join(SUBMITIT_KEYS)}")
    jobs = launcher.get("jobs")
    if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1):
        raise InputError("launcher.jobs", jobs, "an integer >= 1 (array tasks at most), or null (as many as run at once)")
    stall = launcher.get("stall_timeout_s", 120)
    if isinstance(stall, bool) or not isinstance(stall, (int, float)) or stall <= 0:
        raise InputError("launcher.stall_timeout_s", stall, "a number of seconds > 0")
    cluster = "local" if launcher["name"] == "submitit_local" else "slurm"
    params = launcher.get("parameters") or {}
    if not isinstance(params, dict):
        raise InputError("launcher.parameters", params, "a mapping of submitit parameters")
    allowed = submitit_parameters(cluster)
    for key, value in params.items():
        if key not in allowed:
            raise InputError(f"launcher.parameters.{key}", value, f"a parameter submitit accepts for {cluster}: {', '.join(allowed)}")
        kind = allowed[key]
        if value is not None and kind is not object and (isinstance(value, bool) != (kind is bool) or not isinstance(value, kind)):
            raise InputError(f"launcher.parameters.{key}", value, f"a value of type {getattr(kind, '__name__', 'number')}")
    if cluster == "slurm":
        problem = slurm.controller_problem()
        if problem:
            raise InputError("launcher", launcher["name"], f"a reachable SLURM cluster, but {problem}; {slurm.HOW_TO_START}, "
                             "or choose launcher=pool")


def make_executor(launcher: dict[str, Any]) -> Executor:
    """The executor a ``configs/launcher`` entry describes (validated by `experiments.sweep`)."""
    name = launcher["name"]
    if name == "inprocess":
        return InProcessExecutor()
    if name == "pool":
        return PoolExecutor(int(launcher.get("workers", 2)))
    if name == "joblib":
        return JoblibExecutor(int(launcher.get("n_jobs", 2)))
    from experiments.submitit_executor import SubmititExecutor

    cluster = "local" if name == "submitit_local" else "slurm"
    return SubmititExecutor(cluster, {k: v for k, v in (launcher.get("parameters") or {}).items() if v is not None},
                            launcher.get("jobs"), float(launcher.get("stall_timeout_s", 120)))
