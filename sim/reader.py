"""Strict reading of plain mappings: unknown keys, types and ranges.

One small helper shared by every reader of user input (the scenario loader,
the run configuration, the sweep settings, the command lines' own options),
so that every bad value gets the same kind of message: field, value, allowed.
Command-line text is read through `Reader.from_text`, which turns each value
into a number, a boolean or null the way Hydra reads ``key=value``.
"""

from __future__ import annotations

import math
from typing import Any

from sim.errors import InputError


class Reader:
    """Reads typed fields from one mapping and rejects keys it never read.

    Args:
        data: the mapping.
        path: its dotted path (``""`` for the root).
        where: the file or source, for messages.
    """

    def __init__(self, data: Any, path: str, where: str | None) -> None:
        if not isinstance(data, dict):
            raise InputError(path or "<root>", data, "a mapping of names to values", where)
        self.data = data
        self.path = path
        self.where = where
        self._read: set[str] = set()

    def _field(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def has(self, key: str) -> bool:
        """Whether the mapping has ``key``."""
        return key in self.data

    def raw(self, key: str, default: Any = ...) -> Any:
        """The value of ``key`` as it is; required unless a default is given."""
        self._read.add(key)
        if key not in self.data:
            if default is ...:
                raise InputError(self._field(key), None, "a value (this field is required)", self.where)
            return default
        return self.data[key]

    @classmethod
    def from_text(cls, data: dict[str, str], path: str = "", where: str | None = None) -> Reader:
        """A `Reader` over command-line text: each value read as Hydra reads ``key=value`` (`parse_text`)."""
        return cls({k: parse_text(v) for k, v in data.items()}, path, where)

    def number(self, key: str, lo: float = -math.inf, hi: float = math.inf, default: Any = ..., integer: bool = False,
               lo_open: bool = False, nullable: bool = False) -> Any:
        """A number in [lo, hi] (or (lo, hi] with ``lo_open``); an int when ``integer``; None when ``nullable``."""
        value = self.raw(key, None if nullable and default is ... else default)
        if value is None and nullable:
            return None
        kind = "an integer" if integer else "a number"
        ok = isinstance(value, int) if integer else isinstance(value, (int, float))
        bad = isinstance(value, bool) or not ok or (isinstance(value, float) and math.isnan(value))
        if bad or value < lo or value > hi or (lo_open and value == lo):
            raise InputError(self._field(key), value, _range_text(kind, lo, hi, lo_open) + (" or null" if nullable else ""),
                             self.where)
        return int(value) if integer else float(value)

    def probability(self, key: str, default: Any = ...) -> float:
        """A probability in [0, 1]."""
        return self.number(key, 0.0, 1.0, default)

    def numbers_by_name(self, names: tuple[str, ...] | list[str], lo: float, hi: float, integer: bool = False,
                        kind: str = "a declared domain") -> dict[str, Any]:
        """Every key of this mapping as a number in [lo, hi]; each key must be one of ``names`` (then `finish`)."""
        out: dict[str, Any] = {}
        for key in list(self.data):
            if key not in names:
                raise InputError(self._field(str(key)), self.data[key], f"{kind} ({', '.join(names)})", self.where)
            out[key] = self.number(key, lo, hi, integer=integer)
        self.finish()
        return out

    def boolean(self, key: str, default: Any = ...) -> bool:
        """A true/false value."""
        value = self.raw(key, default)
        if not isinstance(value, bool):
            raise InputError(self._field(key), value, "true or false", self.where)
        return value

    def string(self, key: str, choices: tuple[str, ...] | None = None, default: Any = ...) -> str:
        """A string, optionally one of ``choices``."""
        value = self.raw(key, default)
        if not isinstance(value, str) or (choices is not None and value not in choices):
            allowed = f"one of {', '.join(choices)}" if choices else "a string"
            raise InputError(self._field(key), value, allowed, self.where)
        return value

    def child(self, key: str, default: Any = ...) -> Reader:
        """A `Reader` over the sub-mapping ``key``."""
        return Reader(self.raw(key, default), self._field(key), self.where)

    def finish(self) -> None:
        """Raise on the first key that no accessor read (a typo or an unknown setting)."""
        for key in self.data:
            if key not in self._read:
                allowed = ", ".join(sorted(self._read)) or "none"
                raise InputError(self._field(str(key)), self.data[key], f"a known key ({allowed})", self.where)


def _range_text(kind: str, lo: float, hi: float, lo_open: bool) -> str:
    """``a number in [0, 1]``, ``an integer >= 2``, ``a number > 0``: the allowed range in words."""
    if math.isinf(hi) and math.isinf(lo):
        return kind
    if math.isinf(hi):
        return f"{kind} {'>' if lo_open else '>='} {lo}"
    if math.isinf(lo):
        return f"{kind} <= {hi}"
    return f"{kind} in {'(' if lo_open else '['}{lo}, {hi}]"


def parse_text(text: str) -> Any:
    """A command-line value as Hydra reads one: ``null``, ``true``/``false``, an integer, a number, else the text.

    Example:
        >>> [parse_text(t) for t in ("3", "0.5", "true", "null", "nl")]
        [3, 0.5, True, None, 'nl']
    """
    low = text.strip().lower()
    if low == "null":
        return None
    if low in ("true", "false"):
        return low == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text
