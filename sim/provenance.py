"""Provenance of scenario values: every number says where it comes from.

A scenario file wraps each value (or a whole sub-tree such as a matrix) in a
mapping ``{value: ..., source: <key>}`` or ``{value: ..., assumption: <why>}``
(optionally ``range: [lo, hi]`` and ``note``). ``calibrated`` is reserved for
values a calibration wrote back (method, loss, date). `unwrap` strips the
wrappers, checks that no bare number is left, and returns the plain tree plus
a provenance record per dotted path, which the docs and the run's
``summary.json`` can show.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sim.errors import InputError

PROVENANCE_KINDS = ("source", "assumption", "calibrated")
_WRAPPER_KEYS = {"value", "source", "assumption", "calibrated", "range", "note", "unit"}


@dataclass(frozen=True)
class Provenance:
    """Where one value (or sub-tree) comes from."""

    path: str
    kind: str
    detail: Any
    range: tuple[float, float] | None = None


def is_wrapper(node: Any) -> bool:
    """Whether ``node`` is a provenance wrapper ``{value: ..., source|assumption|calibrated: ...}``."""
    return isinstance(node, dict) and "value" in node and set(node) <= _WRAPPER_KEYS


def unwrap(
    node: Any, path: str, where: str, sources: dict[str, str], out: list[Provenance], covered: bool = False
) -> Any:
    """Strip provenance wrappers from ``node``; raise `InputError` on a bare number.

    Args:
        node: the YAML sub-tree.
        path: its dotted path, for messages.
        where: the file name, for messages.
        sources: the scenario's ``sources`` table; a ``source`` must name a key of it.
        out: provenance records are appended here.
        covered: whether an enclosing wrapper already gives provenance.
    """
    if is_wrapper(node):
        kinds = [k for k in PROVENANCE_KINDS if k in node]
        if len(kinds) != 1:
            raise InputError(path, node, "exactly one of source, assumption or calibrated", where)
        kind = kinds[0]
        detail = node[kind]
        if kind == "source":
            for key in detail if isinstance(detail, list) else [detail]:
                if key not in sources:
                    raise InputError(f"{path}.source", key, f"a key of the sources table ({', '.join(sorted(sources))})", where)
        rng = node.get("range")
        if rng is not None:
            ok = isinstance(rng, list) and len(rng) == 2 and all(isinstance(x, (int, float)) for x in rng) and rng[0] <= rng[1]
            if not ok:
                raise InputError(f"{path}.range", rng, "a list [low, high] of two numbers with low <= high", where)
            value = node["value"]
            if isinstance(value, (int, float)) and not isinstance(value, bool) and not rng[0] <= value <= rng[1]:
                raise InputError(f"{path}.value", value, f"a number inside its declared range {rng}", where)
        out.append(Provenance(path, kind, detail, tuple(rng) if rng else None))
        return unwrap(node["value"], path, where, sources, out, covered=True)
    if isinstance(node, dict):
        return {k: unwrap(v, f"{path}.{k}" if path else str(k), where, sources, out, covered) for k, v in node.items()}
    if isinstance(node, list):
        return [unwrap(v, f"{path}[{i}]", where, sources, out, covered) for i, v in enumerate(node)]
    if isinstance(node, (int, float)) and not isinstance(node, bool) and not covered:
        raise InputError(path, node, "a value wrapped as {value: ..., source: <key>} or {value: ..., assumption: <why>}", where)
    return node
