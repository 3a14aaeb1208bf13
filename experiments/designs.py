"""Experiment designs: from an experiment configuration to arms (what differs between groups of runs).

An arm is a label, a ``working`` preset, lever values and scenario overrides,
plus the columns that say what the arm is (its reference arm for paired
differences, the lever it adds or removes, the capacity scale, the sample
point of a sensitivity design). Every arm runs the same replication seeds
(common random numbers), so any two arms can be compared pair by pair.

Designs (``experiment.design`` in ``configs/experiment``):

- ``arms``: named presets, each compared with a baseline (``compare_working``);
- ``ablation``: each lever unit (a file in ``configs/levers``) added alone to
  the ``base_off`` preset and removed alone from the ``base_on`` preset
  (``lever_ablation``: which lever does the work);
- ``capacity``: professionals of every (or the chosen) organisation scaled by
  each factor, per preset (``capacity_sweep``);
- ``sensitivity``: a Morris or Sobol design over uncertain parameters and
  lever switches (`experiments.sensitivity`);
- ``regimes``: a Latin hypercube over the uncertain parameters, each point run
  under fragmented and networked working, analysed with PRIM for where networked
  working loses (`experiments.regimes`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import yaml

from experiments import sensitivity
from sim import CONFIG_DIR, InputError, configuration, load_scenario
from sim.config import LEVER_FLAGS, LEVER_SHARES

LEVER_KEYS = (*LEVER_FLAGS, *LEVER_SHARES)  # every switch of the lever registry


def preset_levers(working: str) -> dict[str, Any]:
    """Lever values of a preset in ``configs/working`` (an unknown one is named as ``experiment.arms``)."""
    return configuration.preset_levers(working, field="experiment.arms")


def lever_unit(name: str) -> dict[str, Any]:
    """Lever values of a unit in ``configs/levers`` (one lever, or a group switched together)."""
    path = CONFIG_DIR / "levers" / f"{name}.yaml"
    known = ", ".join(configuration.options("levers"))
    if not path.is_file():
        raise InputError("experiment.units", name, f"a lever unit in configs/levers ({known})")
    values = yaml.safe_load(path.read_text()) or {}
    bad = [k for k in values if k not in LEVER_KEYS]
    if bad or not values:
        raise InputError(f"configs/levers/{name}.yaml", bad or values, f"lever values ({', '.join(LEVER_KEYS)})")
    return values


def _arm(label: str, working: str, levers: dict[str, Any], overrides: dict[str, Any] | None = None, **info: Any) -> dict[str, Any]:
    return {"arm": label, "working": working, "levers": levers, "overrides": overrides or {}, **info}


def _nonempty_list(exp: dict[str, Any], key: str) -> list[Any]:
    values = exp.get(key)
    if not isinstance(values, list) or not values:
        raise InputError(f"experiment.{key}", values, "a non-empty list")
    if len(set(map(str, values))) != len(values):
        raise InputError(f"experiment.{key}", values, "a list without repeats")
    return values


def arms_design(exp: dict[str, Any]) -> list[dict[str, Any]]:
    """Named presets against a baseline."""
    presets = _nonempty_list(exp, "arms")
    baseline = exp.get("baseline", presets[0])
    if baseline not in presets:
        raise InputError("experiment.baseline", baseline, f"one of the arms ({', '.join(presets)})")
    return [_arm(w, w, preset_levers(w), reference=None if w == baseline else baseline) for w in presets]


def ablation_design(exp: dict[str, Any]) -> list[dict[str, Any]]:
    """Each lever unit added to the fragmented preset and removed from the networked one."""
    off, on = exp.get("base_off", "fragmented"), exp.get("base_on", "networked")
    lev_off, lev_on = preset_levers(off), preset_levers(on)
    arms = [_arm(off, off, lev_off, reference=None), _arm(on, on, lev_on, reference=None)]
    for unit in _nonempty_list(exp, "units"):
        values = lever_unit(unit)
        arms.append(_arm(f"{off} + {unit}", off, {**lev_off, **values}, reference=off, unit=unit, direction="add"))
        arms.append(_arm(f"{on} - {unit}", on, {**lev_on, **{k: lev_off[k] for k in values}}, reference=on, unit=unit,
                         direction="remove"))
    return arms


def capacity_design(exp: dict[str, Any], scenario: str, overrides: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Professionals (FTE) scaled per organisation, exactly: a fraction is a part-time professional (`sim.staffing`).

    The staff scaled is the scenario's as the sweep's own ``overrides`` make it: a pathway or an option may change
    an organisation's staff or add an organisation.
    """
    presets = _nonempty_list(exp, "arms")
    scales = _nonempty_list(exp, "scale")
    for s in scales:
        if isinstance(s, bool) or not isinstance(s, (int, float)) or not 0 < s <= 10:
            raise InputError("experiment.scale", s, "numbers > 0 and <= 10 (factors on the number of professionals)")
    orgs = load_scenario(scenario, overrides or None).organisations
    staffed = [name for name, o in orgs.items() if sum(o.professionals.values()) > 0]
    chosen = exp.get("organisations", "all")
    if chosen == "all":
        chosen = staffed
    elif not isinstance(chosen, list) or not chosen:
        raise InputError("experiment.organisations", chosen, "'all' or a non-empty list of organisations")
    for name in chosen:
        if name not in staffed:
            raise InputError("experiment.organisations", name, f"an organisation of {scenario} with professionals ({', '.join(staffed)})")
    reference_scale = 1.0 if 1.0 in scales else None
    arms = []
    for w in presets:
        lev = preset_levers(w)
        for s in sorted(scales):
            overrides = {f"organisations.{o}.professionals.{d}": n * s
                         for o in chosen for d, n in orgs[o].professionals.items() if n > 0}
            ref = f"{w} x{reference_scale:g}" if reference_scale is not None and s != reference_scale else None
            arms.append(_arm(f"{w} x{s:g}", w, lev, overrides, reference=ref, scale=float(s)))
    return arms


def sensitivity_design(exp: dict[str, Any], scenario: str, overrides: dict[str, Any] | None = None,
                       ) -> tuple[list[dict[str, Any]], list[sensitivity.Factor], np.ndarray]:
    """One arm per sample point of a Morris or Sobol design (factors of the scenario as ``overrides`` make it)."""
    method = exp.get("method", "morris")
    size = int(exp.get("trajectories" if method == "morris" else "sobol_n", 0))
    levels = int(exp.get("num_levels", 4))
    sensitivity.check_design(method, size, levels)
    levers = exp.get("levers") or []
    if not isinstance(levers, list):
        raise InputError("experiment.levers", levers, "a list of lever switches")
    fs = sensitivity.factors(scenario, exp.get("parameters", "all"), exp.get("exclude") or [], levers, overrides)
    x = sensitivity.sample(fs, method, size, levels, int(exp.get("sample_seed", 1)))
    working = exp.get("working", "networked")
    base = preset_levers(working)
    arms = []
    for i, row in enumerate(x):
        lev = dict(base)
        overrides = {}
        for f, u in zip(fs, row, strict=True):
            if f.name.startswith(sensitivity.LEVER_PREFIX):
                lev[f.name.removeprefix(sensitivity.LEVER_PREFIX)] = f.value(u)
            else:
                overrides[f.name] = f.value(u)
        arms.append(_arm(f"point {i}", working, lev, sensitivity.within_constraints(overrides, scenario), reference=None, sample=i))
    return arms, fs, x


def design_arms(exp: dict[str, Any], scenario: str, overrides: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The arms of a non-sensitivity design (``overrides``: the sweep's own scenario overrides)."""
    design = exp.get("design")
    if design == "arms":
        return arms_design(exp)
    if design == "ablation":
        return ablation_design(exp)
    if design == "capacity":
        return capacity_design(exp, scenario, overrides)
    raise InputError("experiment.design", design, "arms, ablation, capacity, sensitivity or regimes")


def available(group: str) -> list[str]:
    """Options of a config group (listed from the folder, never hard-coded: other scenarios may be added)."""
    return configuration.options(group)
