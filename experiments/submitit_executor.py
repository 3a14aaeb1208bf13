"""The submitit executor: a sweep as one SLURM array job (or local subprocesses with the same code), watched to the end.

Chunking follows parallelism: the runs are split over as many array tasks as
can run at once (``launcher.jobs``; by default ``slurm_array_parallelism`` if
set, else the CPUs of the partition divided by ``cpus_per_task``, from
``sinfo``), never more tasks than runs. Each task runs its chunk one run after
another, since a job pays a Python start-up (about 20-35 s on a loaded node)
that a model run does not need.

The executor does not wait on submitit's own watcher, which asks ``sacct`` and,
without accounting, waits forever for a job that died. It looks for each
task's result file and asks ``squeue`` (`experiments.slurm`): a task that
ended without a result (cancelled, time limit, out of memory, node failure) is
reported at once with its state; a task that has vanished from ``squeue``
without a result or a state is marked lost after ``stall_timeout_s``. Every run
of such a task that did not finish is recorded as interrupted with the job id,
the SLURM state, the reason and the path of the job's log, and reported as
such (the sweep does not retry it: a cancel is a cancel).
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from experiments import slurm
from experiments.executors import Executor, OnResult, chunks_for, execute_chunk, lost_run
from experiments.runspec import RunConfiguration, RunSpec
from experiments.store import Store, job_interruption

# A result file may reach a shared file system a little after squeue says the task ended (NFS attribute caches).
RESULT_GRACE_S = 10.0


class SubmititExecutor(Executor):
    """submitit: a SLURM array job (``cluster: slurm``), or local subprocesses with the same code (``cluster: local``).

    Args:
        cluster: ``local`` or ``slurm``.
        parameters: passed to ``AutoExecutor.update_parameters`` (timeout_min, slurm_partition, cpus_per_task,
            slurm_array_parallelism, mem_gb, slurm_setup, ...; validated by `experiments.sweep`). Job logs go to
            ``<sweep>/.submitit/<job id>/``.
        jobs: array tasks at most (None: as many as the cluster runs at once).
        stall_timeout_s: how long a task may be missing from squeue without a result before its runs count as lost.
        poll_seconds: how often result files and squeue are checked.
    """

    name = "submitit"

    def __init__(self, cluster: str = "local", parameters: dict[str, Any] | None = None, jobs: int | None = None,
                 stall_timeout_s: float = 120.0, poll_seconds: float = 1.0) -> None:
        self.cluster = cluster
        self.parameters = dict(parameters or {})
        self.jobs = jobs
        self.stall_timeout_s = stall_timeout_s
        self.poll_seconds = poll_seconds

    def width(self) -> int:
        """How many tasks run at once: ``jobs`` if set, else the array parallelism or the cluster's CPUs."""
        if self.jobs:
            return int(self.jobs)
        if self.parameters.get("slurm_array_parallelism"):
            return int(self.parameters["slurm_array_parallelism"])
        cpus = int(self.parameters.get("cpus_per_task") or 1)
        if self.cluster == "slurm":
            return slurm.cluster_width(self.parameters.get("slurm_partition"), cpus) or 1
        return max(1, (os.cpu_count() or 1) // cpus)

    def map(self, folder: Path, specs: list[dict[str, Any]], configuration: RunConfiguration, on_result: OnResult) -> None:
        """Submit one array job, then report every run as its task ends (with a result or without)."""
        import submitit

        if not specs:
            return
        chunks = chunks_for(specs, self.width())
        executor = submitit.AutoExecutor(folder=Path(folder) / ".submitit" / "%j", cluster=self.cluster)
        executor.update_parameters(**self.parameters)
        if self.cluster == "slurm":
            executor.update_parameters(slurm_array_parallelism=len(chunks))
        jobs = executor.map_array(execute_chunk, [str(folder)] * len(chunks), chunks, [configuration] * len(chunks))
        store = Store(folder)
        pending = dict(enumerate(jobs))
        self._first_end: dict[str, float] = {}  # when squeue first showed a task ended, or first missed it
        while pending:
            states = self._states(jobs) if self.cluster == "slurm" else {}
            now = time.monotonic()
            for i, job in list(pending.items()):
                end = self._ended(job, states, now)
                if end is None:
                    continue
                del pending[i]
                for r in self._results(store, job, chunks[i], end):
                    on_result(r)
            if pending:
                time.sleep(self.poll_seconds)

    @staticmethod
    def _states(jobs: list[Any]) -> dict[str, str] | None:
        """The state squeue shows for every task of the submitted job(s), keyed by job id; None if it did not answer."""
        out: dict[str, str] = {}
        asked: set[str] = set()
        for job in jobs:
            base, _, task = job.job_id.partition("_")
            if base in asked:
                continue
            asked.add(base)
            got = slurm.task_states(base) if task else _single(base)
            if got is None:
                return None
            out.update({f"{base}_{t}": st for t, st in got.items()} if task else got)
        return out

    def _ended(self, job: Any, states: dict[str, str] | None, now: float) -> str | None:
        """None while the task may still deliver; else how it ended: ``result``, a SLURM state, or ``LOST``."""
        if job.paths.result_pickle.exists():
            return "result"
        if self.cluster != "slurm":
            return None if not job.done() else "result" if job.paths.result_pickle.exists() else str(job.state)
        if states is None:  # squeue did not answer: ask again next time (the controller may be busy)
            return None
        state = states.get(job.job_id)
        if state in slurm.LIVE:
            self._first_end.pop(job.job_id, None)  # requeued, or back after a hiccup
            return None
        first = self._first_end.setdefault(job.job_id, now)
        if state is not None:  # ended with a state squeue still shows: allow the result file a moment to appear
            return state if now - first >= RESULT_GRACE_S else None
        # gone from squeue: cancelled while pending, or ended long ago; the log or accounting may say how
        known = slurm.log_state(job.paths.stderr) or slurm.accounting_state(job.job_id)
        if known and now - first >= RESULT_GRACE_S:
            return known
        return "LOST" if now - first >= self.stall_timeout_s else None

    def _results(self, store: Store, job: Any, chunk: list[dict[str, Any]], end: str) -> list[dict[str, Any]]:
        """The result of every run of one ended task; runs it did not finish are recorded as interrupted."""
        error = None
        if end == "result":
            try:
                return list(job.result())
            except Exception as exc:  # the job raised: time limit, preemption, or an error outside the runs
                error = exc
        log = str(job.paths.stderr)
        state = end if end != "result" else (job_interruption(error) if error is not None else None) or "FAILED"
        if end == "result" and state == "FAILED":
            state = slurm.log_state(job.paths.stderr) or "FAILED"
        if state == "LOST":
            reason = (f"job {job.job_id} vanished from squeue without a result for {self.stall_timeout_s:.0f} s "
                      f"(stall timeout; killed, or its node failed); log: {log}")
        elif error is not None and state == "FAILED":
            reason = f"job {job.job_id} raised outside the runs: {str(error).strip().splitlines()[0] if str(error).strip() else repr(error)}"
        else:
            reason = f"job {job.job_id} ended with state {state} before this run finished"
        tb = str(error) if error is not None else None
        return [lost_run(store, RunSpec.from_dict(spec).key, reason, slurm_state=state, job_id=job.job_id, log=log, traceback=tb)
                for spec in chunk]


def _single(job_id: str) -> dict[str, str] | None:
    """The state squeue shows for one non-array job as ``{job id: state}`` (empty once the controller forgot it)."""
    alive = slurm.job_alive(job_id)
    if alive is None:
        return None
    return {job_id: "RUNNING"} if alive else {}
