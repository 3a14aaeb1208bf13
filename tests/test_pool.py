"""The worker pool (`experiments.pool`): each task reported once, in-process equals two workers, errors explained.

Every task is reported once with its identity; this process and two workers give the same values; a failing task
is named; a broken pool is explained; Ctrl-C stops at once.

The tasks are tiny functions (`pool_tasks`, no model runs): these tests check the machinery.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import ROOT
from pool_tasks import dies_on_two, draws, fails_on_three

from experiments.pool import Pool, PoolBroken, TaskFailed, run_all


@pytest.mark.serial  # starts two worker processes: alongside the parallel tests it would oversubscribe two cores
def test_every_task_is_reported_once_with_its_identity_and_in_process_equals_two_workers() -> None:
    tasks = [5, 1, 4, 2, 3]
    with Pool(1, in_process=True) as pool:
        here = list(pool.completed(draws, tasks))
    with Pool(2) as pool:
        there = list(pool.completed(draws, tasks))
        ordered = pool.map(draws, tasks)
    assert [d.index for d in here] == list(range(len(tasks)))  # in process: one after another, in task order
    assert sorted(d.index for d in there) == list(range(len(tasks)))  # in workers: each once, in any order
    for done in here + there:
        assert done.task == tasks[done.index] and done.error is None and done.value == draws(done.task)
    assert {d.index: d.value for d in here} == {d.index: d.value for d in there}
    assert ordered == [draws(t) for t in tasks] == run_all(draws, tasks, workers=1, progress=False)


@pytest.mark.serial  # starts two worker processes: alongside the parallel tests it would oversubscribe two cores
def test_a_task_that_raises_is_named_and_the_others_still_report() -> None:
    with Pool(2) as pool:
        outcome = {d.task: d for d in pool.completed(fails_on_three, [1, 2, 3, 4])}
    assert {t: d.value for t, d in outcome.items() if d.error is None} == {1: 1, 2: 4, 4: 16}
    with pytest.raises(TaskFailed, match=r"the task 3 raised ValueError: three is refused") as info:
        outcome[3].result()
    assert isinstance(info.value.__cause__, ValueError)
    for workers in (1, 2):  # map (and run_all) stop at the first error, naming the task, in process and in workers
        with pytest.raises(TaskFailed, match="the task 3 raised"):
            run_all(fails_on_three, [1, 2, 3, 4], workers=workers, progress=False)


@pytest.mark.serial  # starts two worker processes: alongside the parallel tests it would oversubscribe two cores
def test_a_broken_pool_gives_the_reason_for_every_task_it_took_down() -> None:
    with Pool(2) as pool:
        outcome = list(pool.completed(dies_on_two, [1, 2, 3, 4, 5, 6]))
        again = list(pool.completed(dies_on_two, [7]))  # a broken pool starts nothing more, and says so
    assert sorted(d.task for d in outcome) == [1, 2, 3, 4, 5, 6]  # every task reported, done or lost
    lost = [d for d in outcome if d.error is not None]
    assert any(d.task == 2 for d in lost) and [d.task for d in again] == [7]
    for done in lost + again:
        assert isinstance(done.error, PoolBroken)
        assert "the worker pool broke" in str(done.error) and "ended abruptly" in str(done.error)
        with pytest.raises(PoolBroken):
            done.result()


SLEEPERS = """
import os, sys, time
from pathlib import Path
from experiments.pool import Pool

def sleeper(n):
    Path(sys.argv[1], f"started-{n}-{os.getpid()}").touch()
    time.sleep(600)
    return n

if __name__ == "__main__":
    with Pool(2) as pool:
        pool.map(sleeper, list(range(6)))
"""


def _start_sleepers(tmp_path: Path, stderr: int) -> subprocess.Popen:
    """Start SLEEPERS (a pool of two workers, six tasks of 600 s) and return once both workers run a task.

    A new session, so a signal to its process group reaches the script and its workers as a terminal's Ctrl-C does,
    not pytest.
    """
    script = tmp_path / "sleepers.py"
    script.write_text(SLEEPERS)
    proc = subprocess.Popen([sys.executable, str(script), str(tmp_path)], cwd=ROOT, start_new_session=True,
                            stderr=stderr, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    deadline = time.monotonic() + 300  # two workers starting on a loaded two-core machine: seconds, bounded generously
    while len(list(tmp_path.glob("started-*"))) < 2:
        assert proc.poll() is None and time.monotonic() < deadline, "the workers did not start"
        time.sleep(0.1)
    return proc


@pytest.mark.serial  # starts two worker processes: alongside the parallel tests it would oversubscribe two cores
def test_ctrl_c_stops_the_workers_at_once_instead_of_running_the_queue(tmp_path: Path) -> None:
    proc = _start_sleepers(tmp_path, subprocess.PIPE)
    os.killpg(proc.pid, signal.SIGINT)
    # Each task sleeps 600 s: a pool that ran its queue (or waited for its running tasks) would take far longer.
    _, err = proc.communicate(timeout=120)
    assert proc.returncode != 0 and "KeyboardInterrupt" in err
    assert len(list(tmp_path.glob("started-*"))) == 2  # the queued tasks never started


@pytest.mark.serial  # starts two worker processes: alongside the parallel tests it would oversubscribe two cores
def test_workers_end_when_their_parent_is_killed_without_leaving_the_pool(tmp_path: Path) -> None:
    proc = _start_sleepers(tmp_path, subprocess.DEVNULL)
    workers = [int(p.name.split("-")[2]) for p in tmp_path.glob("started-*")]
    proc.send_signal(signal.SIGTERM)  # the parent alone (kill, timeout, a scheduler): it cannot end its workers itself
    proc.wait(timeout=120)

    def alive(pid: int) -> bool:
        try:
            return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
        except OSError:
            return False

    # each task sleeps 600 s: a worker gone well before that ended itself because its parent was gone
    deadline = time.monotonic() + 120
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = [pid for pid in workers if alive(pid)]
    for pid in left:  # never leave them behind, also when the test fails
        os.kill(pid, signal.SIGKILL)
    assert not left, f"workers {left} outlived their parent"
