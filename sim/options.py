"""Scenario choices: options a user switches on and a pathway a user selects, written in the file.

A scenario file may offer two kinds of choice, each with its description next
to the values it changes, so that a reader sees what a switch does:

- ``options``: independent service options (pilots such as an opportunity
  class), each ``{description, enabled: true|false, changes: {...}}``;
- ``pathway``: one of several alternatives (staircase or housing first),
  ``{selected: <name>, <name>: {description, changes: {...}}, ...}``.

``changes`` is a partial scenario (same paths as the file). Enabled options
and the selected pathway are merged into the scenario before it is read, in
file order, options first. A user switches them with the ordinary scenario
overrides (`sim.overrides`), e.g. ``+scenario.overrides.options.kansklas.enabled=true``
or ``+scenario.overrides.pathway.selected=housing_first``.

Merge rules: a change that is itself a provenance wrapper replaces the value
(with its own provenance); a bare value that lands on a wrapper replaces only
its ``value`` (the declared range is still checked); mappings merge key by key
and may add keys (an option may add an organisation). The merged file is then
validated as a whole, so a misspelt key is still refused. Every change must
carry provenance like any other value of the file, enabled or not.
"""

from __future__ import annotations

import copy
from typing import Any

from sim.errors import InputError
from sim.provenance import is_wrapper, unwrap

_OPTION_KEYS = {"description", "enabled", "changes"}
_ALTERNATIVE_KEYS = {"description", "changes"}


def _merge(node: dict[str, Any], changes: dict[str, Any], path: str, where: str) -> None:
    for key, value in changes.items():
        here = f"{path}.{key}"
        target = node.get(key)
        if is_wrapper(value) or key not in node:
            node[key] = copy.deepcopy(value)
        elif is_wrapper(target):
            if isinstance(value, dict) and isinstance(target["value"], dict):
                _merge(target["value"], value, here, where)
            else:
                target["value"] = copy.deepcopy(value)
        elif isinstance(target, dict) and isinstance(value, dict):
            _merge(target, value, here, where)
        elif isinstance(target, dict) != isinstance(value, dict):
            kind = "a mapping" if isinstance(target, dict) else "a single value"
            raise InputError(here, value, f"{kind} (as at {key} in the scenario)", where)
        else:
            node[key] = copy.deepcopy(value)


def _changes(block: dict[str, Any], path: str, where: str, base: dict[str, Any], sources: dict[str, str]) -> dict[str, Any]:
    """The block's changes, checked for provenance as merged into the base file (even when not chosen)."""
    changes = block.get("changes", {})
    if not isinstance(changes, dict):
        raise InputError(f"{path}.changes", changes, "a mapping of scenario paths to values", where)
    if not isinstance(block.get("description"), str):
        raise InputError(f"{path}.description", block.get("description"), "a sentence saying what the choice does", where)
    scratch = copy.deepcopy(base)
    _merge(scratch, changes, f"{path}.changes", where)
    try:
        unwrap({k: v for k, v in scratch.items() if k != "sources"}, "", where, sources, [])
    except InputError as err:  # name the choice that brought the bad value in
        raise InputError(f"{path}.changes -> {err.field}", err.value, err.allowed, where) from None
    return changes


def expand_choices(raw: dict[str, Any], where: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Merge enabled options and the selected pathway into a copy of ``raw``.

    Args:
        raw: the scenario file's mapping, after overrides.
        where: the file name, for messages.

    Returns:
        The merged mapping without the ``options`` and ``pathway`` keys, and a record of the choices
        (``{"options": {name: enabled}, "pathway": name}``; empty if the file offers none).

    Raises:
        InputError: naming the field, the value and what is allowed.
    """
    if "options" not in raw and "pathway" not in raw:
        return raw, {}
    out = {k: v for k, v in raw.items() if k not in ("options", "pathway")}
    base = out
    out = copy.deepcopy(out)
    sources = raw.get("sources") if isinstance(raw.get("sources"), dict) else {}
    record: dict[str, Any] = {}
    options = raw.get("options", {})
    if not isinstance(options, dict):
        raise InputError("options", options, "a mapping of option names to {description, enabled, changes}", where)
    if options:
        record["options"] = {}
    for name, block in options.items():
        path = f"options.{name}"
        if not isinstance(block, dict) or not set(block) <= _OPTION_KEYS:
            raise InputError(path, block, "a mapping with description, enabled (true or false) and changes", where)
        enabled = block.get("enabled")
        if not isinstance(enabled, bool):
            raise InputError(f"{path}.enabled", enabled, "true or false", where)
        changes = _changes(block, path, where, base, sources)
        record["options"][name] = enabled
        if enabled:
            _merge(out, changes, path + ".changes", where)
    if "pathway" in raw:
        pw = raw["pathway"]
        if not isinstance(pw, dict) or "selected" not in pw:
            raise InputError("pathway", pw, "a mapping with selected: <name> and one entry per alternative", where)
        alternatives = {k: v for k, v in pw.items() if k != "selected"}
        if not alternatives:
            raise InputError("pathway", pw, "at least one alternative {description, changes}", where)
        for name, block in alternatives.items():
            if not isinstance(block, dict) or not set(block) <= _ALTERNATIVE_KEYS:
                raise InputError(f"pathway.{name}", block, "a mapping with description and changes", where)
            _changes(block, f"pathway.{name}", where, base, sources)
        selected = pw["selected"]
        if selected not in alternatives:
            raise InputError("pathway.selected", selected, f"one of {', '.join(alternatives)}", where)
        _merge(out, alternatives[selected].get("changes", {}), f"pathway.{selected}.changes", where)
        record["pathway"] = selected
    return out, record
