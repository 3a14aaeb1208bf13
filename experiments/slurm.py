"""What the SLURM controller says about a sweep's jobs: is a controller there, how wide is the cluster, which tasks live.

The sweep never relies on accounting (``sacct``), which small clusters often
lack: ``squeue`` shows live tasks and, for a few minutes after they end
(``MinJobAge``, 300 s by default), their final state; ``sacct`` is asked only
when a task has gone from ``squeue`` and it exists; and the line ``slurmstepd``
writes into a job's error log (``*** JOB 12 ON node CANCELLED AT ... ***``)
names a cancel or a time-out even when both are silent.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

# States of a task that still runs or may run (squeue's long names).
LIVE = {"PENDING", "CONFIGURING", "RUNNING", "COMPLETING", "REQUEUED", "REQUEUE_FED", "REQUEUE_HOLD", "RESIZING",
        "SUSPENDED", "STAGE_OUT", "SIGNALING", "RESV_DEL_HOLD", "SPECIAL_EXIT", "STOPPED", "PREEMPTED"}
# Ends that are not the program's own: what status reports for a job that died without its result.
KILLED = ("CANCELLED", "TIMEOUT", "OUT_OF_MEMORY", "NODE_FAIL", "PREEMPTED", "BOOT_FAIL", "DEADLINE")
QUERY_TIMEOUT_S = 30  # a loaded controller answers within seconds; past this the answer counts as "unknown"
HOW_TO_START = "stand one up on this machine with `sudo scripts/slurm-single-node.sh start` (see the README, Launchers)"


def _run(cmd: list[str]) -> subprocess.CompletedProcess[str] | None:
    """Run a SLURM client command; None if it is not installed or does not answer in time."""
    if shutil.which(cmd[0]) is None:
        return None
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=QUERY_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None


def controller_problem() -> str | None:
    """None if a SLURM controller answers; else one sentence saying what is missing."""
    if any(shutil.which(c) is None for c in ("sbatch", "squeue", "sinfo")):
        return "the SLURM commands (sbatch, squeue, sinfo) are not installed here"
    done = _run(["sinfo", "-h", "-o", "%P"])
    if done is None:
        return f"no SLURM controller answers (sinfo gave no answer within {QUERY_TIMEOUT_S} s)"
    if done.returncode != 0:
        first = (done.stderr or done.stdout).strip().splitlines()
        return f"no SLURM controller answers ({first[0] if first else f'sinfo exit status {done.returncode}'})"
    return None


def cluster_width(partition: str | None, cpus_per_task: int) -> int | None:
    """How many tasks of ``cpus_per_task`` CPUs the partition (or every partition) can run at once; None if unknown."""
    cmd = ["sinfo", "-h", "-o", "%C"] + (["-p", partition] if partition else [])
    done = _run(cmd)
    if done is None or done.returncode != 0:
        return None
    total = 0
    for line in done.stdout.split():  # "allocated/idle/other/total" per partition
        parts = line.split("/")
        if len(parts) == 4 and parts[3].isdigit():
            total += int(parts[3])
    return max(1, total // max(1, cpus_per_task)) if total else None


def task_states(array_id: str) -> dict[str, str] | None:
    """``{task index: state}`` of an array job's tasks that squeue still knows; None if squeue did not answer.

    A task missing from the answer has ended some time ago, or was cancelled while pending.
    """
    done = _run(["squeue", "-h", "-r", "--states=all", "-j", array_id, "-o", "%i|%T"])
    if done is None:
        return None
    if done.returncode != 0:
        # The controller forgot the whole array (every task ended more than MinJobAge ago): nothing lives.
        return {} if "Invalid job id" in done.stderr else None
    states = {}
    for line in done.stdout.splitlines():
        job, _, state = line.partition("|")
        if "_" in job:
            states[job.split("_", 1)[1]] = state.strip().split()[0] if state.strip() else "UNKNOWN"
    return states


def job_alive(job_id: str) -> bool | None:
    """Whether a job (``123`` or ``123_4``) is pending or running; None if squeue cannot tell."""
    array_id, _, task = job_id.partition("_")
    states = task_states(array_id) if task else None
    if task:
        return None if states is None else states.get(task) in LIVE
    done = _run(["squeue", "-h", "--states=all", "-j", job_id, "-o", "%T"])
    if done is None:
        return None
    if done.returncode != 0:
        return False if "Invalid job id" in done.stderr else None
    return done.stdout.strip() in LIVE


def accounting_state(job_id: str) -> str | None:
    """The job's final state from sacct, if the cluster keeps accounting; else None."""
    done = _run(["sacct", "-n", "-X", "-P", "-o", "State", "-j", job_id])
    if done is None or done.returncode != 0 or not done.stdout.strip():
        return None
    return done.stdout.split()[0].strip()


_LOG_LINE = re.compile(r"\*\*\* JOB \S+ ON \S+ CANCELLED AT \S+( DUE TO TIME LIMIT| DUE TO NODE FAILURE| DUE TO PREEMPTION)?")


def log_state(log: Path) -> str | None:
    """The end slurmstepd wrote into a job's error log (CANCELLED, TIMEOUT, NODE_FAIL, PREEMPTED, OUT_OF_MEMORY)."""
    try:
        text = log.read_text(errors="replace")[-20000:]
    except OSError:
        return None
    if "oom-kill" in text or "oom_kill" in text:
        return "OUT_OF_MEMORY"
    found = _LOG_LINE.findall(text)
    if not found:
        return None
    return {"": "CANCELLED", " DUE TO TIME LIMIT": "TIMEOUT", " DUE TO NODE FAILURE": "NODE_FAIL",
            " DUE TO PREEMPTION": "PREEMPTED"}[found[-1]]
