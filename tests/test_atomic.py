"""Atomic writes (`sim.atomic`): outputs get the mode a plain write gives them, not the private mode of a temporary."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from sim.atomic import write_bytes, write_folder, write_text


@pytest.fixture
def umask_022() -> Iterator[None]:
    before = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(before)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_outputs_are_as_readable_as_a_plain_write_makes_them(tmp_path: Path, umask_022: None) -> None:
    write_folder(tmp_path / "run", lambda folder: (folder / "summary.json").write_text("{}"))
    assert mode(tmp_path / "run") == 0o755 and mode(tmp_path / "run" / "summary.json") == 0o644
    write_text(tmp_path / "new.md", "text\n")
    write_bytes(tmp_path / "new.bin", b"\0")
    assert mode(tmp_path / "new.md") == mode(tmp_path / "new.bin") == 0o644
    kept = tmp_path / "scenario.yaml"
    kept.write_text("a: 1\n")
    kept.chmod(0o640)  # a file rewritten in place keeps its mode
    write_text(kept, "a: 2\n")
    assert mode(kept) == 0o640 and kept.read_text() == "a: 2\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.bin", "new.md", "run", "scenario.yaml"]  # no temporaries
