"""Who runs a run, and whether it still lives: the identity a worker writes into a run's record, checked later.

A worker records its host, PID (with the process's start time, since PIDs are
reused) and, inside a SLURM job, the job id and the path of the job's error
log. Whoever reads a ``running`` record later (``status``, the next command)
asks whether that process or job is still there: on the same host through
``/proc``, for a SLURM job through ``squeue`` (no accounting needed). A run
whose worker is gone did not finish: it is shown as interrupted, not running.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any

from experiments import slurm

HOST = socket.gethostname()


def _proc_start(pid: int) -> str | None:
    """The start time of a process in clock ticks since boot (Linux), which tells a reused PID apart."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]  # field 22, counted after the command name


def job_identity() -> dict[str, Any]:
    """The SLURM job id (``array_task`` form for arrays) and the job's error log, when this process runs in a job."""
    env = os.environ
    if "SLURM_JOB_ID" not in env:
        return {}
    job = f"{env['SLURM_ARRAY_JOB_ID']}_{env['SLURM_ARRAY_TASK_ID']}" if env.get("SLURM_ARRAY_JOB_ID") else env["SLURM_JOB_ID"]
    out: dict[str, Any] = {"job_id": job}
    if env.get("SUBMITIT_EXECUTOR") == "slurm":
        try:
            import submitit

            out["log"] = str(submitit.JobEnvironment().paths.stderr)
        except Exception:  # noqa: BLE001 - a missing log path must never stop a run
            pass
    return out


def process_identity() -> dict[str, Any]:
    """Host, PID, process start time and SLURM job of this process (written into a run's record)."""
    pid = os.getpid()
    return {"host": HOST, "pid": pid, "proc_start": _proc_start(pid), **job_identity()}


class Liveness:
    """Answers "is the worker of this running record gone?", asking squeue once per job and /proc once per PID."""

    def __init__(self) -> None:
        self._jobs: dict[str, bool | None] = {}

    def gone(self, record: dict[str, Any]) -> str | None:
        """Why the record's worker is gone (one line), or None if it lives or nobody here can tell."""
        job = record.get("job_id")
        if job:
            if job not in self._jobs:
                self._jobs[job] = slurm.job_alive(str(job))
            if self._jobs[job] is False:
                state = slurm.log_state(Path(record["log"])) if record.get("log") else None
                return (f"its SLURM job {job} ended without storing the result"
                        f"{f' ({state})' if state else ''}; log: {record.get('log', '?')}")
            return None
        if record.get("host") == HOST and record.get("pid"):
            start = _proc_start(int(record["pid"]))
            if start is None or (record.get("proc_start") and start != record["proc_start"]):
                return f"its process {record['pid']} on {HOST} is gone (killed, or the machine restarted)"
        return None
