"""Sweeps on a real SLURM cluster: a raising run, a cancelled job and a timed-out job explained; the same sweep resumed.

Needs a SLURM controller that answers (``sudo scripts/slurm-single-node.sh start`` stands up one node on this
machine; ``.ci/run`` does it in CI). Without one these tests skip with that hint, except under ``CI=true``,
where a missing cluster is a failure. Each job spends 20-35 s importing Python on a loaded two-core machine,
so the test uses one array of two tasks (the node's two CPUs: both run at once) and, to resume, one more.

What happens, on the plan order (fragmented seeds 1-3, then networked seeds 1-3) split round-robin over the two
tasks: task 0 runs fragmented 1 (which waits until the test cancels the task), then would run fragmented 3 and
networked 2; task 1 runs fragmented 2, networked 1 (which raises) and networked 3 (which waits until its time
limit, shortened with ``scontrol`` while it runs, arrives).
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from pathlib import Path

import pytest
from helpers import ROOT
from test_sweeps import TINY, assert_same, tables

from experiments import slurm
from experiments.__main__ import main
from experiments.runspec import RunConfiguration, RunSpec
from experiments.store import Store
from experiments.sweep import compose, execute, validate

pytestmark = [pytest.mark.slurm, pytest.mark.serial]  # serial: waits on the cluster's one node, which parallel tests would load

# Generous: a job waits for a free CPU and spends up to a minute importing Python when the machine is loaded.
WAIT_S = 400


@pytest.fixture(scope="module", autouse=True)
def cluster() -> None:
    """Skip (or fail under CI) when no SLURM controller answers."""
    problem = slurm.controller_problem()
    if problem:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{problem}: CI must stand the cluster up (scripts/slurm-single-node.sh start, in .ci/run)")
        pytest.skip(f"{problem}; {slurm.HOW_TO_START}")


class Mischief(RunConfiguration):
    """Networked seed 1 raises; fragmented 1 and networked 3 wait (up to 10 minutes) for the test to end their job."""

    def instantiate(self, spec: RunSpec):  # noqa: ANN201
        if (spec.working, spec.seed) == ("networked", 1):
            raise ZeroDivisionError("a run that breaks on purpose")
        if (spec.working, spec.seed) in (("fragmented", 1), ("networked", 3)):
            time.sleep(600)
        return super().instantiate(spec)


def wait_for(what: str, condition, timeout: float = WAIT_S) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"waited {timeout:.0f} s for {what}"
        time.sleep(1)


def running_job(store: Store, key: str) -> str | None:
    record = store.record(key)
    return record.get("job_id") if record["state"] == "running" else None


def test_raise_cancel_and_timeout_are_explained_and_the_same_sweep_then_finishes_every_run_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setenv("PYTHONPATH", str(ROOT / "tests"))  # the jobs unpickle Mischief from this module
    args = [*TINY, "replications=3", "retries=0", "launcher=submitit_slurm", "launcher.jobs=2",
            "launcher.parameters.timeout_min=10", "launcher.parameters.mem_gb=1", "launcher.parameters.slurm_partition=debug",
            "launcher.stall_timeout_s=60", f"out={tmp_path / 'slurm'}"]
    experiment = validate(compose(args))
    store = Store(experiment.folder)
    plan = experiment.plan(3)
    key = {(w, s): k for w, s, k in zip(plan.working, plan.seed, plan.key, strict=True)}
    outcome: dict[str, object] = {}
    sweep = threading.Thread(target=lambda: outcome.update(counts=execute(experiment, Mischief())))
    sweep.start()
    try:
        wait_for("fragmented 1 to run", lambda: running_job(store, key["fragmented", 1]) is not None)
        cancelled = running_job(store, key["fragmented", 1])
        subprocess.run(["scancel", str(cancelled)], check=True)
        wait_for("networked 3 to run", lambda: running_job(store, key["networked", 3]) is not None)
        timed_out = str(running_job(store, key["networked", 3]))
        # The time limit arrives during the run: one minute, already passed, so SLURM ends the job at once.
        subprocess.run(["scontrol", "update", f"JobId={timed_out}", "TimeLimit=1"], check=True)
        sweep.join(WAIT_S)
        assert not sweep.is_alive(), "the sweep must notice every job's end"
    finally:  # never leave a sleeping job behind, whatever failed above
        for job in {running_job(store, k) for k in plan.key} - {None}:
            subprocess.run(["scancel", str(job)], check=False, capture_output=True)
    assert outcome["counts"] == {"runs": 6, "succeeded": 1, "failed": 5, "replications": 3}

    states = store.states(plan.key).set_index("key")
    assert states.loc[key["fragmented", 2], "state"] == "succeeded"
    raised = store.status(key["networked", 1])
    assert raised["state"] == "failed" and "ZeroDivisionError: a run that breaks on purpose" in raised["traceback"]
    assert raised["job_id"] == timed_out and Path(raised["log"]).is_file()
    for run in (("fragmented", 1), ("fragmented", 3), ("networked", 2)):  # the cancelled task's runs, begun or not
        st = store.status(key[run])
        assert (st["state"], st["slurm_state"], st["job_id"]) == ("interrupted", "CANCELLED", cancelled), st
        assert Path(st["log"]).is_file()
    st = store.status(key["networked", 3])
    assert (st["state"], st["slurm_state"], st["job_id"]) == ("interrupted", "TIMEOUT", timed_out), st
    assert "time limit arrived during the run" in st["error"]
    assert main(["status", str(store.folder)]) == 0
    report = capsys.readouterr().out
    print(report)  # shown with pytest -s: the status of a sweep with a cancelled job, a raising run and a timed-out job
    for text in ("succeeded      1", "failed         1", "interrupted    4", "CANCELLED", "TIMEOUT", cancelled, timed_out,
                 "ZeroDivisionError: a run that breaks on purpose", "log: "):
        assert text in report

    # The same sweep again (the model no longer misbehaves): every run exactly once, equal to running in-process.
    assert main(["run", *args]) == 0
    runs = sorted(p.name for p in (store.folder / "runs").iterdir())
    assert runs == sorted(plan.key)
    assert store.status(key["fragmented", 2])["attempts"] == 1  # the run that had succeeded was not run again
    reference = tmp_path / "inprocess"
    assert execute(validate(compose([*TINY, "replications=3", "launcher=inprocess", f"out={reference}"])))["failed"] == 0
    assert_same(tables(reference), tables(store.folder))
