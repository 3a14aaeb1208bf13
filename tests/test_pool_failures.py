"""Failures outside the model explained: a broken worker pool, a dead process's run, the time-limit signal, store races.

No cluster needed: the pool cases use the default spawn pool; the time-limit case raises submitit's own
``UncompletedJobError`` as its signal handler does inside a job.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import ROOT
from submitit.core.utils import UncompletedJobError
from test_sweeps import TINY

from experiments.__main__ import main
from experiments.progress import Progress
from experiments.runspec import RunConfiguration, RunSpec
from experiments.sensitivity import Factor
from experiments.store import TEMP_MIN_AGE_S, Store, execute_and_store, temp_name
from experiments.sweep import compose, execute, validate


class KillsItsWorker(RunConfiguration):
    """Networked seed 1 kills the worker process that runs it (as the kernel's OOM killer would)."""

    def instantiate(self, spec: RunSpec):  # noqa: ANN201
        if spec.working == "networked" and spec.seed == 1:
            os.kill(os.getpid(), signal.SIGKILL)
        return super().instantiate(spec)


@pytest.mark.serial  # runs its own pool of two processes: alongside the parallel tests it would oversubscribe two cores
def test_a_killed_worker_records_its_reason_on_every_run_the_pool_took_down(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    experiment = validate(compose([*TINY, "replications=2", "launcher=pool", "launcher.workers=2", "retries=1",
                                   f"out={tmp_path / 's'}"]))
    counts = execute(experiment, KillsItsWorker())
    store = Store(tmp_path / "s")
    states = store.states(store.plan().key)
    assert counts["failed"] >= 1 and set(states.state) <= {"succeeded", "interrupted"}
    for row in states[states.state == "interrupted"].itertuples():
        assert "the worker pool broke" in row.error and "guard" in row.error
        assert row.attempts <= 1  # retries apply to runs that raised: an interrupted run waits for the next command
    assert main(["status", str(tmp_path / "s")]) == 0
    assert "the worker pool broke" in capsys.readouterr().out


@pytest.mark.serial  # runs its own pool of processes (the default launcher): alongside the parallel tests it would oversubscribe two cores
def test_a_script_without_a_main_guard_is_told_how_to_fix_it(tmp_path: Path) -> None:
    script = tmp_path / "my_sweep.py"
    out = tmp_path / "s"
    script.write_text("from experiments.sweep import run_sweep\n"
                      f"run_sweep({', '.join(repr(a) for a in [*TINY, 'replications=2', f'out={out}'])})\n")
    done = subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr  # run_sweep returns; the reason is in the store, not lost
    store = Store(out)
    states = store.states(store.plan().key)
    assert (states.state == "interrupted").all(), states
    assert all(f"the script {script} has no 'if __name__ == \"__main__\":' guard" in e for e in states.error)


def test_a_run_whose_process_is_gone_shows_as_interrupted_not_running(tmp_path: Path) -> None:
    store = Store(tmp_path / "s")
    store.runs.mkdir(parents=True)
    store.status_dir.mkdir()
    code = f"from experiments.store import Store; Store({str(store.folder)!r}).mark_running('k1')"  # a worker that dies
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=300)  # the process ends, its record stays
    assert store.record("k1")["state"] == "running"
    status = store.status("k1")
    assert status["state"] == "interrupted" and "is gone" in status["error"]
    store.mark_running("k2")  # this process lives
    assert store.status("k2")["state"] == "running"


class TimeLimitArrives(RunConfiguration):
    """The job's time limit arrives during the run: submitit's signal handler raises this inside the run."""

    def run(self, model):  # noqa: ANN001, ANN201
        raise UncompletedJobError("Job not requeued because: timed-out and not checkpointable.")


def test_the_time_limit_signal_is_an_interruption_not_a_model_failure(tmp_path: Path) -> None:
    experiment = validate(compose([*TINY, "replications=2", f"out={tmp_path / 's'}"]))
    store = Store(experiment.folder)
    store.create(experiment.config, experiment.plan(2))
    spec = experiment.spec(experiment.arms[0], 1)
    with pytest.raises(UncompletedJobError):  # the error goes on, so the job ends instead of starting its next run
        execute_and_store(str(experiment.folder), {**spec.__dict__}, TimeLimitArrives())
    status = store.status(spec.key)
    assert (status["state"], status["slurm_state"]) == ("interrupted", "TIMEOUT")
    assert "time limit" in status["error"]


def test_the_store_is_safe_for_concurrent_writers(tmp_path: Path) -> None:
    experiment = validate(compose([*TINY, "replications=2", f"out={tmp_path / 's'}"]))
    store = Store(experiment.folder)
    store.create(experiment.config, experiment.plan(2))
    name = temp_name("k")
    assert f".{os.uname().nodename}.{os.getpid()}." in name and name != temp_name("k")
    young = store.runs / temp_name("young")  # a live job writing now
    young.mkdir()
    old = store.runs / ".old.otherhost.123.0badc0de.tmp"  # a writer on another host, long gone
    old.mkdir()
    os.utime(old, (time.time() - TEMP_MIN_AGE_S - 60, time.time() - TEMP_MIN_AGE_S - 60))
    store.create(experiment.config, experiment.plan(2))
    assert young.is_dir() and not old.exists()

    spec = experiment.spec(experiment.arms[0], 1)
    tables = RunConfiguration().execute(spec)
    store.save(spec.key, spec, tables, 1, 1.0)
    first = store.record(spec.key)["finished"]
    store.save(spec.key, spec, tables, 2, 2.0)  # a second job finishing the same run: no error, the first is kept
    assert store.record(spec.key)["finished"] == first
    assert [p.name for p in store.runs.iterdir() if p.name.startswith(f".{spec.key}")] == []


def test_progress_in_a_log_writes_its_last_line_once() -> None:
    """Not on a terminal the last run's update and ``close`` gave the same line twice; a new count is still written."""
    stream = io.StringIO()
    progress = Progress(2, stream=stream)
    progress.update("succeeded")  # the first line is written at once (none for 5 s before)
    progress._last = -1e9  # as if 5 s had passed: the last update writes its line
    progress.update("succeeded")
    progress.close()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2 and "done 2" in lines[-1] and "done 1" in lines[0]
    quiet = io.StringIO()
    progress = Progress(2, stream=quiet)
    progress.update("succeeded")
    progress.update("succeeded")  # within 5 s of the first: not written, so close writes it
    progress.close()
    assert [ln.split(";")[0] for ln in quiet.getvalue().splitlines()][-1].endswith("remaining 0 of 2")


def test_progress_never_says_nan_and_sampled_values_stay_in_their_range() -> None:
    progress = Progress(3, enabled=False)
    assert "nan" not in progress.line() and "left about ?" in progress.line()
    progress.update("interrupted")
    assert "nan" not in progress.line() and "interrupted 1" in progress.line()
    factor = Factor("behaviour.light_threshold", 0.15, 0.45)
    assert factor.value(0.45000000000000007) == 0.45 and factor.value(0.14999999999999997) == 0.15
