"""Write a folder of outputs, or one text file, all at once or not at all.

Files are written into a hidden temporary folder (or file) beside the target,
which is renamed into place only when complete: an interrupted or failed run
leaves no half-written output. What is written gets the mode a plain write would give it (the umask's, or the
replaced file's), not the private mode of the temporary.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

from sim.errors import InputError


def _umask() -> int:
    """The umask of this process (read from /proc on Linux; elsewhere set and restored at once)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def check_empty_target(out: Path) -> bool:
    """Whether ``out`` may receive outputs (it does not exist yet or is an empty folder)."""
    if out.exists() and not out.is_dir():  # a file (or a link to one) cannot become a folder of outputs
        return False
    return not (out.exists() and any(out.iterdir()))


def check_output_folder(out: Path, field: str) -> None:
    """Refuse ``out`` as the folder of a command's outputs before any work (`InputError` on ``field``).

    It must not exist yet or be empty (`check_empty_target`), and its place must take a new folder (`target_problem`).
    """
    if not check_empty_target(out):
        raise InputError(field, str(out), "a folder that does not exist yet or is empty")
    if problem := target_problem(out):
        raise InputError(field, str(out), f"a folder that can be written ({problem})")


def target_problem(out: Path) -> str | None:
    """Why `write_folder` could not put a folder at ``out``, checked before any work is done; None if it can.

    ``out`` itself is checked by `check_empty_target`; here, the place it goes: the nearest folder above it that
    exists must be a folder this process can create a folder in (tried with a temporary folder, removed at once,
    since permission bits do not tell for root, read-only mounts or ``/proc``).
    """
    place = Path(os.path.abspath(out)).parent
    while not place.exists() and place != place.parent:
        place = place.parent
    if not place.is_dir():
        return f"{place} is a file, not a folder"
    try:
        Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=place)).rmdir()
    except OSError as exc:
        return f"no folder can be created in {place} ({exc.strerror or type(exc).__name__})"
    return None


def write_folder(out: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp)`` to fill a temporary folder, then rename it to ``out``."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        tmp.chmod(0o777 & ~_umask())  # mkdtemp makes it private (0700): the folder gets the mode any new folder gets
        write(tmp)
        if out.exists():
            out.rmdir()
        tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _write(path: Path, data: str | bytes | tuple[bytes, ...], mode: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:  # mkstemp makes the file private (0600): keep the mode of the file it replaces, or a new file's
        keep = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        keep = 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(fd, keep)
        with os.fdopen(fd, mode) as fh:
            for part in data if isinstance(data, tuple) else (data,):
                fh.write(part)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename (never a half-written file)."""
    _write(path, text, "w")


def write_bytes(path: Path, data: bytes, *more: bytes) -> None:
    """Write ``data`` (and ``more`` after it, not joined into one copy) to ``path`` through a temporary file and a rename."""
    _write(path, (data, *more), "wb")
