"""A pool of worker processes: the one way this project runs many tasks at once on this machine.

`make run` (`experiments.compare`, `experiments.layers`), ``experiments.balance``, the calibration
(`experiments.calibrate`, `experiments.calibration.ensemble` and `experiments.calibration.fit`), the sweep's
``launcher=pool`` (`experiments.executors.PoolExecutor`) and the benchmark's ``sweep`` workload
(`benchmarks.workloads`) all run their tasks through `Pool`. It owns:

- the **spawn** start method: a worker starts from a fresh interpreter, so no state of the parent (a
  random generator, a cache, an open model) leaks into a run, on every platform alike;
- the **in-process** fallback when asked (``in_process=True``: ``--workers 1``, debugging, notebooks); a
  pool of one worker process stays a real process otherwise (the benchmark times exactly that);
- results reported **as they finish**, each with its task and its place in the task list (`Finished`), or
  all of them in task order (`Pool.map`, `run_all`), so the order of results never depends on timing;
- a task that raised is named (`TaskFailed`), and a **broken pool** (a worker killed, out of memory, a
  script without a main guard) becomes one clear message (`PoolBroken`, `broken_pool_reason`);
- **Ctrl-C** stops at once: workers ignore SIGINT (the terminal sends it to the whole process group, and a
  worker's own KeyboardInterrupt would come back as a confusing task failure), and the parent, leaving the
  pool with an exception, cancels the tasks not started and ends the workers instead of waiting for every
  queued run (what a bare ``ProcessPoolExecutor`` does on leaving its ``with`` block);
- **no orphans**: a parent ended without leaving the pool (SIGTERM, SIGKILL, out of memory) leaves no idle workers
  behind: each worker ends itself when its parent is gone (`_end_with_parent`);
- **one progress line** for runs (`experiments.progress.Progress`, shared with the sweep) in `run_all`.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from experiments.progress import Progress


class PoolBroken(BrokenProcessPool):
    """The worker pool broke; the message says why and how to fix the common cause (`broken_pool_reason`).

    A subclass of `BrokenProcessPool`, so code that already catches that keeps working.
    """


class TaskFailed(RuntimeError):
    """A task raised in its worker: the message names the task; the worker's exception (and traceback) is the cause."""

    def __init__(self, task: Any, error: BaseException) -> None:
        super().__init__(f"the task {task!r} raised {type(error).__name__}: {error}")
        self.task = task
        self.error = error


@dataclass(frozen=True)
class Finished[T, R]:
    """One finished task: where it stood in the task list, the task itself, and its value or its error.

    Attributes:
        index: the task's position in the list given to `Pool.completed`.
        task: the task (the argument the function was called with): its identity in messages and stores.
        value: what the function returned (None when it raised).
        error: the exception it raised (with the worker's traceback as ``__cause__``), a `PoolBroken` when
            the pool broke before it finished, or None.
    """

    index: int
    task: T
    value: R | None = None
    error: BaseException | None = None

    def result(self) -> R:
        """The value; a `PoolBroken` as it is, any other error as `TaskFailed` naming the task."""
        if isinstance(self.error, PoolBroken):
            raise self.error
        if self.error is not None:
            raise TaskFailed(self.task, self.error) from self.error
        return self.value  # type: ignore[return-value]  # no error: the function's own return value


def broken_pool_reason(exc: BaseException) -> str:
    """Why a process pool broke, in one line, and how to fix the common cause (a script without a main guard)."""
    main = sys.modules.get("__main__")
    script = getattr(main, "__file__", None)
    if script and getattr(main, "__spec__", None) is None and Path(script).is_file():
        source = Path(script).read_text(errors="replace")
        if not re.search(r"""if\s+__name__\s*==\s*["']__main__["']""", source):
            return (f"the worker pool broke ({type(exc).__name__}): the script {script} has no "
                    "'if __name__ == \"__main__\":' guard, so every worker (spawn start method) imports it again and "
                    "starts the sweep inside itself; put the call to run_sweep under that guard, or use launcher=inprocess")
    return (f"the worker pool broke ({type(exc).__name__}: {exc}): a worker process ended abruptly (killed, out of "
            "memory) or could not start (an import error: see the worker's message above on stderr); a script that "
            "starts a sweep needs an 'if __name__ == \"__main__\":' guard")


def _ignore_interrupt() -> None:
    """Worker initializer: Ctrl-C is the parent's to handle (it ends the workers itself, see the module docstring).

    A parent that ends without leaving the pool (SIGTERM from ``kill`` or ``timeout``, SIGKILL, the out-of-memory
    killer) cannot end its workers; they would wait for tasks that never come, for ever, each holding a model's
    memory. So each worker watches its parent and ends itself when the parent is gone (its run stays ``running``
    in a sweep's store, read as interrupted, and runs again with the next command).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_end_with_parent, args=(os.getppid(),), name="parent-watch", daemon=True).start()


def _end_with_parent(parent: int, every: float = 1.0) -> None:
    """End this worker process as soon as ``parent`` is no longer its parent (it ended; the worker was re-parented)."""
    while os.getppid() == parent:
        time.sleep(every)
    os._exit(1)


class Pool:
    """Worker processes (spawn) or this process, as a context manager.

    Args:
        workers: worker processes (at least 1).
        in_process: run every task in this process, one after another, instead of starting workers.

    Example::

        with Pool(2) as pool:
            for done in pool.completed(square, [1, 2, 3]):
                print(done.index, done.result())
    """

    def __init__(self, workers: int, in_process: bool = False) -> None:
        if workers < 1:
            raise ValueError(f"workers: got {workers}; allowed: an integer >= 1")
        self.workers = workers
        self.in_process = in_process
        self._executor: ProcessPoolExecutor | None = None

    def __enter__(self) -> Pool:
        if not self.in_process:
            self._executor = ProcessPoolExecutor(max_workers=self.workers, mp_context=mp.get_context("spawn"),
                                                 initializer=_ignore_interrupt)
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close(stop=exc is not None)

    def close(self, stop: bool = False) -> None:
        """Shut the workers down: after their work (normally), or at once (``stop``: an error or Ctrl-C)."""
        executor, self._executor = self._executor, None
        if executor is None:
            return
        if not stop:
            executor.shutdown(wait=True)
            return
        # Leaving with an error: nothing more is wanted from the workers. shutdown() alone would still run the
        # tasks already handed out (and join them at exit); ending the workers stops them now. Python 3.14 has
        # ProcessPoolExecutor.terminate_workers for this; before it, the executor's own table of processes.
        processes = list(getattr(executor, "_processes", {}).values())
        executor.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(timeout=10)

    def completed[T, R](self, fn: Callable[[T], R], tasks: Sequence[T]) -> Iterator[Finished[T, R]]:
        """Run ``fn(task)`` for every task; yield each as it finishes (in process: in task order).

        A task that raises is yielded with its error (the other tasks go on); when the pool breaks, every task it
        did not finish is yielded with a `PoolBroken` error, so every task is reported exactly once.
        """
        if self._executor is None:
            if not self.in_process:
                raise RuntimeError("Pool.completed outside its 'with' block")
            for i, task in enumerate(tasks):
                try:
                    yield Finished(i, task, fn(task))
                except Exception as exc:  # noqa: BLE001 - reported with its task, as a worker's would be
                    yield Finished(i, task, error=exc)
            return
        try:
            futures: dict[Future[R], int] = {self._executor.submit(fn, task): i for i, task in enumerate(tasks)}
        except BrokenProcessPool as exc:  # broken by an earlier call: nothing can start
            reason = PoolBroken(broken_pool_reason(exc))
            yield from (Finished(i, task, error=reason) for i, task in enumerate(tasks))
            return
        for future in as_completed(futures):
            i = futures[future]
            try:
                yield Finished(i, tasks[i], future.result())
            except BrokenProcessPool as exc:
                yield Finished(i, tasks[i], error=PoolBroken(broken_pool_reason(exc)))
            except Exception as exc:  # noqa: BLE001 - raised in the worker: reported with its task
                yield Finished(i, tasks[i], error=exc)

    def map[T, R](self, fn: Callable[[T], R], tasks: Sequence[T], on_done: Callable[[Finished[T, R]], None] | None = None) -> list[R]:
        """Every task's value, in task order; the first error ends the map (`TaskFailed` or `PoolBroken`).

        Args:
            fn: a picklable function of one task.
            tasks: the tasks.
            on_done: called as each task finishes (a progress line), before its error is raised.
        """
        values: list[Any] = [None] * len(tasks)
        for done in self.completed(fn, tasks):
            if on_done is not None:
                on_done(done)
            values[done.index] = done.result()
        return values


def run_all[T, R](fn: Callable[[T], R], tasks: Sequence[T], workers: int, progress: bool = True, what: str = "runs") -> list[R]:
    """Run every task with a progress line on stderr; the values in task order.

    One worker runs the tasks in this process (no process to start); more run them in a spawn pool.

    Args:
        fn: a picklable function of one task.
        tasks: the tasks.
        workers: worker processes (1: in this process).
        progress: show the progress line (`experiments.progress.Progress`).
        what: what the line counts ("runs", "layer runs").
    """
    line = Progress(len(tasks), enabled=progress, what=what)
    line.show()
    try:
        with Pool(workers, in_process=workers <= 1) as pool:
            return pool.map(fn, tasks, on_done=lambda done: line.update("failed" if done.error else "succeeded"))
    finally:
        line.close()  # the last line ends with a newline, also before an error's message
