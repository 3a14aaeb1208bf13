"""One progress line for many runs (sweeps, `make run`, its layers): done, failed, interrupted, remaining, time left.

Written to stderr on one line that is rewritten in place (a terminal) or as a
line every few seconds (a log file or a SLURM output), so it never floods.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


def _clock(seconds: float | None) -> str:
    if seconds is None or seconds != seconds or seconds == float("inf"):  # nothing to estimate from yet
        return "?"
    seconds = int(round(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class Progress:
    """Counts runs as they finish and shows them.

    Args:
        total: runs to do in this invocation (already succeeded runs are not counted).
        skipped: runs that had already succeeded (shown, not timed).
        enabled: False to stay silent (tests, notebooks).
        stream: where to write (stderr by default).
        what: what is counted ("runs"; "layer runs" for make run's uncertainty layers).
    """

    def __init__(self, total: int, skipped: int = 0, enabled: bool = True, stream: TextIO | None = None,
                 what: str = "runs") -> None:
        self.total = total
        self.what = what
        self.skipped = skipped
        self.done = 0
        self.failed = 0
        self.interrupted = 0
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.t0 = time.perf_counter()
        self._last = 0.0
        self._tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self._printed: tuple[int, int, int, int] | None = None  # the counts of the last line written (not on a terminal)

    def add_total(self, n: int) -> None:
        """More runs were planned (adaptive replications)."""
        self.total += n
        self.show()

    def update(self, state: str) -> None:
        """One run finished with ``state`` (succeeded, failed or interrupted)."""
        if state == "failed":
            self.failed += 1
        elif state == "interrupted":
            self.interrupted += 1
        else:
            self.done += 1
        self.show()

    def line(self) -> str:
        """The text of the progress line (``?`` for the time left until a run has finished: never "nan")."""
        finished = self.done + self.failed + self.interrupted
        elapsed = time.perf_counter() - self.t0
        left = elapsed / finished * max(0, self.total - finished) if finished and self.done else None
        bar_width = 24
        filled = min(bar_width, int(bar_width * finished / self.total)) if self.total else bar_width
        skipped = f", {self.skipped} already done" if self.skipped else ""
        interrupted = f", interrupted {self.interrupted}" if self.interrupted else ""
        return (f"[{'#' * filled}{'.' * (bar_width - filled)}] {self.what} done {self.done}, failed {self.failed}{interrupted}, "
                f"remaining {max(0, self.total - finished)} of {self.total}{skipped}; elapsed {_clock(elapsed)}, "
                f"left about {_clock(left)}")

    def show(self, final: bool = False) -> None:
        """Write the line (in place on a terminal, at most every 5 s otherwise)."""
        if not self.enabled:
            return
        now = time.perf_counter()
        if self._tty:
            print(f"\r{self.line()}   ", end="\n" if final else "", file=self.stream, flush=True)
        elif final or now - self._last >= 5.0:
            state = (self.done, self.failed, self.interrupted, self.total)
            if final and state == self._printed:  # the last update already printed this count: not twice in a log
                return
            print(self.line(), file=self.stream, flush=True)
            self._last = now
            self._printed = state

    def close(self) -> None:
        """The final line."""
        self.show(final=True)
