"""Start and always stop a viewer server for the browser tests, and watch for outside connections.

`viewer_server` starts ``python -m viewer`` on a free loopback port and yields
its URL and process; the ``finally`` stops it whatever the test did. The
server's environment points every proxy variable at `ConnectionRecorder`, a
loopback socket that accepts and counts connections: an HTTP client in the
server that tries to reach an outside host (a CDN, telemetry, a version
check) lands there and is counted, instead of reaching the internet.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ConnectionRecorder:
    """A loopback socket that accepts and counts every connection (the fake proxy)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        """Stop accepting and close the socket."""
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


@dataclass
class Server:
    """A running viewer."""

    url: str
    process: subprocess.Popen
    recorder: ConnectionRecorder
    log: Path

    def rss_mb(self) -> float:
        """Resident memory of the server process in MB (Linux /proc)."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
        raise RuntimeError("no VmRSS")


@contextlib.contextmanager
def viewer_server(tmp: Path, families: int | None = None, idle_seconds: int = 60, timeout: float = 600.0,
                  scenario: str | None = None, cpus: str | None = None) -> Iterator[Server]:
    """Run ``python -m viewer`` on a free port until the block ends; always stopped afterwards.

    ``cpus`` pins the server to those cores (``taskset -c``), e.g. ``"0"`` for one core. ``timeout`` only ends a
    server that never answers: on a two-core machine shared with other runs (load average 20) the server took 275 s
    to import and answer its first request.
    """
    port = free_port()
    recorder = ConnectionRecorder()
    proxy = f"http://127.0.0.1:{recorder.port}"
    env = dict(os.environ, HTTP_PROXY=proxy, HTTPS_PROXY=proxy, ALL_PROXY=proxy, http_proxy=proxy, https_proxy=proxy,
               all_proxy=proxy, NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost")
    cmd = [sys.executable, "-m", "viewer", "--port", str(port), "--idle-seconds", str(idle_seconds)]
    if families is not None:
        cmd += ["--families", str(families)]
    if scenario is not None:
        cmd += ["--scenario", scenario]
    if cpus is not None:
        cmd = ["taskset", "-c", cpus, *cmd]  # the affinity is inherited by the server the launcher execs
    log = tmp / "viewer-server.log"
    out = log.open("w")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"viewer exited with {proc.returncode}:\n{log.read_text()}")
            try:
                with urllib.request.urlopen(url, timeout=2) as r:  # noqa: S310 - loopback only
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"viewer did not answer within {timeout} s:\n{log.read_text()}")
            time.sleep(0.3)
        yield Server(url, proc, recorder, log)
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        out.close()
        recorder.close()


def require_chromium() -> str:
    """Debian's chromium; a missing browser fails the test (CI installs it), it is never skipped."""
    assert os.access(CHROMIUM, os.X_OK), f"{CHROMIUM} is missing: apt-get install -y chromium (never `playwright install`)"
    return CHROMIUM
