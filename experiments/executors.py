"""Executors: where the runs of a sweep execute (this process, a local pool, joblib, SLURM via submitit).

Every executor ships the same unit of work, `experiments.store.execute_and_store`,
to its workers; each worker writes its run's results into the store itself.
An executor only decides where that happens and reports each finished run to
a callback (for the progress line). Choose one with ``launcher=...``
(``configs/launcher``): ``inprocess``, ``pool`` (default, spawn process pool),
``joblib`` (loky workers, as Hydra's joblib launcher), ``submitit_local`` and
``submitit_slurm`` (one SLURM array job; the same code as the local executor).
"""

from __future__ import annotations

import multiprocessing as mp
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

from experiments.runspec import RunConfiguration, RunSpec
from experiments.store import execute_and_store

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
    """A local process pool (spawn start method: no state leaks from the parent into runs).

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
        with ProcessPoolExecutor(max_workers=self.workers, mp_context=mp.get_context("spawn")) as pool:
            futures = {pool.submit(execute_and_store, str(folder), spec, configuration): spec for spec in specs}
            for fut in as_completed(futures):
                try:
                    on_result(fut.result())
                except Exception:  # the worker process died (killed, out of memory): the run stays unstored, retried later
                    on_result({"key": RunSpec.from_dict(futures[fut]).key, "state": "failed", "seconds": 0.0})


class JoblibExecutor(Executor):
    """joblib's loky workers (the backend of Hydra's joblib launcher).

    Args:
        n_jobs: workers (-1: every core).
    """

    name = "joblib"

    def __init__(self, n_jobs: int = 2) -> None:
        self.n_jobs = n_jobs

    def map(self, folder: Path, specs: list[dict[str, Any]], configuration: RunConfiguration, on_result: OnResult) -> None:
        """Run with joblib.Parallel, reporting results as they finish."""
        from joblib import Parallel, delayed

        parallel = Parallel(n_jobs=self.n_jobs, backend="loky", return_as="generator_unordered")
        for result in parallel(delayed(execute_and_store)(str(folder), spec, configuration) for spec in specs):
            on_result(result)


def execute_chunk(folder: str, specs: list[dict[str, Any]], configuration: RunConfiguration) -> list[dict[str, Any]]:
    """Several runs in one job, one after another (a job per run costs a Python start-up per run)."""
    return [execute_and_store(folder, spec, configuration) for spec in specs]


class SubmititExecutor(Executor):
    """submitit: a SLURM array job (``cluster: slurm``), or local subprocesses with the same code (``cluster: local``).

    Each array task runs a chunk of ``runs_per_job`` runs (or the runs split over ``jobs`` tasks), because
    a model run takes seconds and a job's start-up about as long.

    Args:
        cluster: ``local``, ``slurm`` or None (auto-detect: SLURM if available).
        parameters: passed to ``AutoExecutor.update_parameters`` (timeout_min, slurm_partition, cpus_per_task,
            slurm_array_parallelism, mem_gb, ...). Job logs go to ``<sweep>/.submitit/``.
        runs_per_job: runs per array task (None: split the runs evenly over ``jobs`` tasks).
        jobs: number of array tasks when ``runs_per_job`` is None.
        poll_seconds: how often finished jobs are checked.
    """

    name = "submitit"

    def __init__(self, cluster: str | None = "local", parameters: dict[str, Any] | None = None, runs_per_job: int | None = None,
                 jobs: int = 2, poll_seconds: float = 0.5) -> None:
        self.cluster = cluster
        self.parameters = dict(parameters or {})
        self.runs_per_job = runs_per_job
        self.jobs = jobs
        self.poll_seconds = poll_seconds

    def map(self, folder: Path, specs: list[dict[str, Any]], configuration: RunConfiguration, on_result: OnResult) -> None:
        """Submit one array job and collect results as jobs finish."""
        import submitit

        executor = submitit.AutoExecutor(folder=Path(folder) / ".submitit" / "%j", cluster=self.cluster)
        executor.update_parameters(**self.parameters)
        if not specs:
            return
        size = self.runs_per_job or -(-len(specs) // max(1, self.jobs))
        chunks = [specs[i:i + size] for i in range(0, len(specs), size)]
        jobs = executor.map_array(execute_chunk, [str(folder)] * len(chunks), chunks, [configuration] * len(chunks))
        pending = dict(enumerate(jobs))
        while pending:
            for i, job in list(pending.items()):
                if job.done():
                    del pending[i]
                    try:
                        results = job.result()
                    except Exception:  # the job itself died (killed, timeout): its unfinished runs stay unstored
                        results = [{"key": "", "state": "failed", "seconds": 0.0} for _ in chunks[i]]
                    for r in results:
                        on_result(r)
            if pending:
                time.sleep(self.poll_seconds)


LAUNCHERS = {"inprocess", "pool", "joblib", "submitit_local", "submitit_slurm"}


def make_executor(launcher: dict[str, Any]) -> Executor:
    """The executor a ``configs/launcher`` entry describes (validated by `experiments.sweep`)."""
    name = launcher["name"]
    if name == "inprocess":
        return InProcessExecutor()
    if name == "pool":
        return PoolExecutor(int(launcher.get("workers", 2)))
    if name == "joblib":
        return JoblibExecutor(int(launcher.get("n_jobs", 2)))
    cluster = "local" if name == "submitit_local" else "slurm"
    return SubmititExecutor(cluster, dict(launcher.get("parameters") or {}), launcher.get("runs_per_job"), int(launcher.get("jobs", 2)))
