"""Scenario overrides: change values of a scenario file for one run, without editing it.

Sweeps (capacity, sensitivity), calibration and scenario options all need to
run a scenario with a few values changed. An override is a mapping of paths in
the scenario file to new values, nested (``{"organisations": {"jeugdhulp":
{...}}}``, what Hydra composes from ``+scenario.overrides.a.b=1``) or dotted
(``{"organisations.jeugdhulp.intake_hours": 2.0}``, handy in Python), or both.

Rules, so that an override can never smuggle in an unchecked value:

- the path must exist in the file (a typo is an error, not a new key);
- a value that carries provenance (``{value: ..., source|assumption|calibrated}``)
  keeps its wrapper and gets the new ``value``, so the declared ``range`` is
  still checked by the loader;
- a mapping overrides the mapping it lands on key by key (deep merge);
- the scenario's choices (``options.*``, ``pathway.*``, `sim.options`) are applied first, every other path to the
  scenario as its choices made it (`split_choices`): a value that only the selected pathway or an enabled option
  brings in can be overridden by its own path, and a value the choice changes keeps the override instead of
  silently taking the choice's value.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from sim.errors import InputError
from sim.provenance import is_wrapper


def nest(overrides: Mapping[str, Any], field: str = "scenario.overrides") -> dict[str, Any]:
    """Turn dotted keys into nested mappings (``{"a.b": 1}`` -> ``{"a": {"b": 1}}``)."""
    out: dict[str, Any] = {}
    for key, value in overrides.items():
        if not isinstance(key, str) or not key:
            raise InputError(field, key, "paths of the scenario file as strings")
        parts = key.split(".")
        node = out
        for part in parts[:-1]:
            nxt = node.setdefault(part, {})
            if not isinstance(nxt, dict):
                raise InputError(f"{field}.{key}", value, "one value per path (this path is also set as a value)")
            node = nxt
        leaf = nest(value, f"{field}.{key}") if isinstance(value, Mapping) else value
        if isinstance(node.get(parts[-1]), dict) and isinstance(leaf, dict):
            node[parts[-1]] = _merge_plain(node[parts[-1]], leaf)
        else:
            node[parts[-1]] = leaf
    return out


def dotted(overrides: Mapping[str, Any]) -> dict[str, Any]:
    """The inverse of `nest`: every value under its dotted path (``{"a": {"b": 1}}`` -> ``{"a.b": 1}``), sorted."""
    out: dict[str, Any] = {}
    for key, value in nest(overrides).items():
        if isinstance(value, Mapping) and value:
            out.update({f"{key}.{k}": v for k, v in dotted(value).items()})
        else:
            out[key] = value
    return dict(sorted(out.items()))


CHOICE_KEYS = ("options", "pathway")


def split_choices(overrides: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split overrides (nested) into the scenario's choices (``options``, ``pathway``) and every other value.

    The choices are applied to the file before its options and pathway are merged in, the rest after
    (`sim.scenario.load_scenario`), so that an override of a value the selected pathway sets wins over it and a
    value only an enabled option or the selected pathway brings in can be named by its path in the scenario.
    """
    nested = nest(overrides)
    choices = {k: v for k, v in nested.items() if k in CHOICE_KEYS}
    return choices, {k: v for k, v in nested.items() if k not in CHOICE_KEYS}


def _merge_plain(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    out = dict(a)
    for k, v in b.items():
        out[k] = _merge_plain(out[k], v) if isinstance(out.get(k), dict) and isinstance(v, dict) else v
    return out


def apply_overrides(raw: dict[str, Any], overrides: Mapping[str, Any], where: str) -> dict[str, Any]:
    """A copy of the raw scenario data with ``overrides`` applied.

    Raises:
        InputError: for a path that is not in the file.
    """
    out = copy.deepcopy(raw)
    _apply(out, nest(overrides), "", where)
    return out


def _check_range(wrapper: dict[str, Any], value: Any, path: str, where: str) -> None:
    rng = wrapper.get("range")
    numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
    if numeric and isinstance(rng, list) and len(rng) == 2 and not rng[0] <= value <= rng[1]:
        raise InputError(f"scenario.overrides.{path}", value, f"a number inside the declared range {rng} of {path}", where)


def _apply(node: dict[str, Any], changes: dict[str, Any], path: str, where: str) -> None:
    for key, value in changes.items():
        here = f"{path}.{key}" if path else key
        if key not in node:
            known = ", ".join(str(k) for k in node) or "none"
            raise InputError(f"scenario.overrides.{here}", value, f"a path that exists in the scenario file (here: {known})", where)
        target = node[key]
        if is_wrapper(target):
            if isinstance(value, dict) and isinstance(target["value"], dict):
                _apply(target["value"], value, here, where)
            else:
                _check_range(target, value, here, where)
                target["value"] = value
        elif isinstance(target, dict) and isinstance(value, dict):
            _apply(target, value, here, where)
        elif isinstance(target, dict) != isinstance(value, dict):
            kind = "a mapping" if isinstance(target, dict) else "a single value"
            raise InputError(f"scenario.overrides.{here}", value, kind, where)
        else:
            node[key] = value
