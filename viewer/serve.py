"""Solara's server with a bounded stop: ``python -m viewer.serve <arguments of solara run>``.

uvicorn, under Solara, waits for every open websocket before it stops, and
Solara then closes every session under its lock; with a tab open (or a session
stuck drawing) Ctrl-C and SIGTERM did nothing and only ``kill -9`` ended the
server. Here the first Ctrl-C or SIGTERM starts uvicorn's own shutdown with a
grace period of `GRACE_SECONDS` for open connections, and a watchdog ends the
process after `STOP_SECONDS` whatever is still running, so a workshop laptop
(or a test) never waits longer than that. ``python -m viewer`` replaces itself
with this module, so the process id stays the one its starter knows.
"""

from __future__ import annotations

import os
import sys
import threading
from types import FrameType

import uvicorn

GRACE_SECONDS = 2
STOP_SECONDS = 4.0
_armed = threading.Event()


def _arm_watchdog() -> None:
    """End the process `STOP_SECONDS` after the first stop signal (status 0: it was asked to stop)."""
    if _armed.is_set():
        return
    _armed.set()
    sys.stderr.write(f"ontschot viewer: stopping (at most {STOP_SECONDS:.0f} s)\n")
    timer = threading.Timer(STOP_SECONDS, os._exit, args=(0,))
    timer.daemon = True
    timer.start()


def install() -> None:
    """Give uvicorn a graceful-shutdown timeout and arm the watchdog on its exit signals (Ctrl-C, SIGTERM)."""
    config_init = uvicorn.Config.__init__
    handle_exit = uvicorn.Server.handle_exit

    def init(self: uvicorn.Config, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("timeout_graceful_shutdown", GRACE_SECONDS)
        config_init(self, *args, **kwargs)

    def on_exit(self: uvicorn.Server, sig: int, frame: FrameType | None) -> None:
        _arm_watchdog()
        handle_exit(self, sig, frame)

    uvicorn.Config.__init__ = init  # type: ignore[method-assign]
    uvicorn.Server.handle_exit = on_exit  # type: ignore[method-assign]


def main() -> None:
    """Run ``solara run ...`` with the bounded stop installed."""
    install()
    from solara.__main__ import cli

    cli(sys.argv[1:], prog_name="solara")


if __name__ == "__main__":
    main()
