"""Write calibrated values into a scenario file, keeping its comments, order and layout.

Each calibrated value sits on one line as a flow mapping
(``key: {value: ..., assumption: "...", range: [lo, hi]}``). That line is
replaced by ``{value: <fitted>, calibrated: "<method, loss, date>", range:
[lo, hi], note: "prior <value>: <assumption>"}``: the prior and its range stay
visible. If the value was calibrated before, its first prior note is kept.
The new text is checked (it loads, and every path holds the fitted value)
before it replaces the file atomically (temporary file + rename).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from sim.atomic import write_text


def _find_line(lines: list[str], path: str) -> int:
    """Index of the line holding the last key of ``path`` (block-style YAML, found by indentation)."""
    parts = path.split(".")
    start, end, indent = 0, len(lines), -1
    for depth, part in enumerate(parts):
        found = -1
        for i in range(start, end):
            text = lines[i]
            stripped = text.lstrip(" ")
            if not stripped or stripped.startswith("#"):
                continue
            ind = len(text) - len(stripped)
            if ind <= indent:
                break
            if stripped.startswith(f"{part}:") and (depth == 0 or ind > indent):
                found, found_indent = i, ind
                break
        if found < 0:
            raise KeyError(f"{path}: key {part!r} not found")
        indent = found_indent
        start = found + 1
        if depth < len(parts) - 1:
            end_block = len(lines)
            for j in range(start, len(lines)):
                s = lines[j].lstrip(" ")
                if s and not s.startswith("#") and len(lines[j]) - len(s) <= indent:
                    end_block = j
                    break
            end = end_block
        else:
            return found
    raise KeyError(path)  # pragma: no cover


def _flow(value: float | int, calibrated: str, rng: list[float], note: str) -> str:
    v = repr(value) if isinstance(value, float) else str(value)
    return f"{{value: {v}, calibrated: {json.dumps(calibrated)}, range: [{rng[0]}, {rng[1]}], note: {json.dumps(note)}}}"


def _prior_note(node: dict[str, Any]) -> str:
    if "calibrated" in node and "note" in node:
        return str(node["note"])
    why = node.get("assumption") or node.get("source") or ""
    extra = f" ({node['note']})" if node.get("note") else ""
    return f"prior {node['value']}: {why}{extra}"


def write_calibrated(path: Path, values: dict[str, float | int], record: str) -> None:
    """Replace the values at dotted ``values`` paths by calibrated wrappers; atomic.

    Args:
        path: the scenario file.
        values: dotted path -> fitted value.
        record: the calibration record (method, loss, date) written as ``calibrated``.
    """
    text = path.read_text()
    raw = yaml.safe_load(text)
    lines = text.splitlines(keepends=True)
    for dotted, value in values.items():
        node: Any = raw
        for part in dotted.split("."):
            node = node[part]
        i = _find_line(lines, dotted)
        key = dotted.split(".")[-1]
        head, _, _ = lines[i].partition(f"{key}:")
        newline = "\n" if lines[i].endswith("\n") else ""
        lines[i] = f"{head}{key}: {_flow(value, record, node['range'], _prior_note(node))}{newline}"
    new_text = "".join(lines)
    check = yaml.safe_load(new_text)
    for dotted, value in values.items():
        node = check
        for part in dotted.split("."):
            node = node[part]
        if node.get("value") != value or "calibrated" not in node:
            raise RuntimeError(f"write-back check failed at {dotted}")
    write_text(path, new_text)
