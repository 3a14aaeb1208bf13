"""Global sensitivity analysis with SALib: which uncertain parameters and levers move the outcomes.

The factors are exactly the scenario values that are an ``assumption`` with a
declared ``range`` (``load_scenario(name).provenance``), optionally narrowed to
a list, plus lever switches (a factor in [0, 1], the lever on when >= 0.5).
Sourced values are not varied: their uncertainty is not ours to invent.
Designs: Morris elementary effects (screening; ``trajectories`` r gives
r x (k + 1) points) and Sobol indices (Saltelli sampling, N a power of two;
N x (2k + 2) points). Indices come with SALib's bootstrap confidence intervals.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim import InputError, load_scenario
from sim.config import LEVER_FLAGS

LEVER_PREFIX = "lever:"
# Orderings between two scenario values that the scenario loader enforces (sim/scenario.py, load_scenario): a
# warm handoff loses no more families than a cold referral. The box of declared ranges holds points that break
# them (warm_dropout in [0, 0.15], p_cold_dropout in [0.05, 0.3] in sociaal_domein); such a point keeps its
# sampled values except that the first value is lowered to the second (an assumption of this design: the
# point nearest to the sample that the model accepts).
AT_MOST = {"levers.warm_dropout": "behaviour.p_cold_dropout"}


@dataclass(frozen=True)
class Factor:
    """One uncertain input: a scenario path (or ``lever:<name>``), its bounds, and whether it is an integer."""

    name: str
    lo: float
    hi: float
    integer: bool = False

    def value(self, u: float) -> Any:
        """The model value for a sample value ``u`` (already scaled to [lo, hi] by SALib), inside [lo, hi].

        SALib scales the unit grid with floating-point arithmetic, so a grid point at the edge can land a rounding
        error outside the declared range (0.45000000000000007 for [0.15, 0.45]), which the model would refuse.
        """
        if self.name.startswith(LEVER_PREFIX):
            return bool(u >= 0.5)
        u = min(max(float(u), self.lo), self.hi)
        return int(round(u)) if self.integer else u


def uncertain_parameters(scenario: str, overrides: dict[str, Any] | None = None) -> list[Factor]:
    """Every value of the scenario file with an assumption and a numeric range.

    ``overrides`` are the sweep's own scenario overrides (``scenario.overrides``): its choices decide which values
    the scenario has (a pathway or an option brings in values of its own, and leaves out those of the others).
    """
    out = []
    for p in load_scenario(scenario, overrides or None).provenance:
        if p.kind == "assumption" and p.range is not None and p.range[0] < p.range[1]:
            lo, hi = p.range
            out.append(Factor(p.path, float(lo), float(hi), isinstance(lo, int) and isinstance(hi, int)))
    return out


def factors(scenario: str, parameters: Any, exclude: list[str], levers: list[str],
            overrides: dict[str, Any] | None = None) -> list[Factor]:
    """The factors of a sensitivity design, validated.

    Args:
        scenario: scenario name.
        parameters: ``all`` or a list of scenario paths with an assumption and a range.
        exclude: paths left out (e.g. the population size, which ``n_families`` sets).
        levers: lever switches to vary.
        overrides: the sweep's own scenario overrides (`uncertain_parameters`).

    Raises:
        InputError: for an unknown parameter or lever, or an empty design.
    """
    known = {f.name: f for f in uncertain_parameters(scenario, overrides)}
    if not isinstance(exclude, list):
        raise InputError("experiment.exclude", exclude, "a list of scenario paths, e.g. [population.n_families]")
    if parameters == "all":
        # A misspelt path would leave the value it meant in the design, varied over its whole range: refused. A path
        # of the scenario that has no range (nothing to leave out) is accepted.
        paths = set(known) if set(exclude) <= set(known) else {p.path for p in load_scenario(scenario, overrides or None).provenance}
        for name in exclude:
            if name not in paths:
                example = ", ".join(list(known)[:3])
                raise InputError("experiment.exclude", name, f"a value of scenario {scenario} with an assumption and a range "
                                 f"({len(known)} of them, e.g. {example})")
        chosen = [f for name, f in known.items() if name not in set(exclude)]
    elif isinstance(parameters, list):
        chosen = []
        for name in parameters:
            if name not in known:
                example = ", ".join(list(known)[:3])
                raise InputError("experiment.parameters", name, f"a value of scenario {scenario} with an assumption and a range "
                                 f"({len(known)} of them, e.g. {example}), or 'all'")
            chosen.append(known[name])
    else:
        raise InputError("experiment.parameters", parameters, "'all' or a list of scenario paths")
    for lever in levers:
        if lever not in LEVER_FLAGS:
            raise InputError("experiment.levers", lever, f"a lever switch ({', '.join(LEVER_FLAGS)})")
    chosen += [Factor(LEVER_PREFIX + name, 0.0, 1.0) for name in levers]
    if len(chosen) < 2:
        raise InputError("experiment.parameters", parameters, "at least two factors in total (parameters and levers)")
    return chosen


def within_constraints(overrides: dict[str, Any], scenario: str) -> dict[str, Any]:
    """A sample point's scenario overrides with every `AT_MOST` ordering made to hold (see there)."""
    out = dict(overrides)
    for value, bound in AT_MOST.items():
        if value not in out or not isinstance(out[value], (int, float)):
            continue
        limit = out.get(bound)
        if limit is None:
            limit = _scenario_value(scenario, bound)
        if isinstance(limit, (int, float)) and out[value] > limit:
            out[value] = limit
    return out


@functools.cache
def _scenario_value(scenario: str, path: str) -> Any:
    """The value at a dotted path of the scenario's data file (None if it has none)."""
    import yaml

    from sim.scenario import SCENARIO_DIR

    node: Any = yaml.safe_load((SCENARIO_DIR / f"{scenario}.yaml").read_text())
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node.get("value") if isinstance(node, dict) else node


def problem(fs: list[Factor]) -> dict[str, Any]:
    """The SALib problem definition."""
    return {"num_vars": len(fs), "names": [f.name for f in fs], "bounds": [[f.lo, f.hi] for f in fs]}


def sample(fs: list[Factor], method: str, size: int, num_levels: int = 4, seed: int = 1) -> np.ndarray:
    """The design matrix (one row per sample point).

    Args:
        fs: the factors.
        method: ``morris`` (``size`` trajectories) or ``sobol`` (``size`` = N, a power of two).
        size: trajectories (Morris) or N (Sobol).
        num_levels: Morris grid levels.
        seed: the sampler's seed (the same seed gives the same design, which the analysis relies on).
    """
    if method == "morris":
        from SALib.sample import morris

        return morris.sample(problem(fs), size, num_levels=num_levels, seed=seed)
    from SALib.sample import sobol

    return sobol.sample(problem(fs), size, calc_second_order=False, seed=seed)


def check_design(method: str, size: int, num_levels: int) -> None:
    """Reject a design SALib would refuse or warn about, before any run starts."""
    if method not in ("morris", "sobol"):
        raise InputError("experiment.method", method, "morris or sobol")
    if method == "morris" and size < 2:
        raise InputError("experiment.trajectories", size, "an integer >= 2")
    if method == "morris" and (num_levels < 2 or num_levels % 2):
        raise InputError("experiment.num_levels", num_levels, "an even integer >= 2")
    if method == "sobol" and (size < 2 or size & (size - 1)):
        raise InputError("experiment.sobol_n", size, "a power of two >= 2 (Saltelli/Sobol sequences need N = 2^k)")


def analyse(fs: list[Factor], method: str, x: np.ndarray, y: np.ndarray, num_levels: int = 4, seed: int = 1) -> pd.DataFrame:
    """Sensitivity indices of one outcome with 95 % bootstrap confidence intervals, most influential first.

    Morris: ``mu_star`` (mean absolute elementary effect) with ``mu_star_conf`` and ``sigma``.
    Sobol: first-order ``S1`` and total ``ST`` with their ``_conf`` half-widths.
    """
    names = [f.name for f in fs]
    if method == "morris":
        from SALib.analyze import morris

        res = morris.analyze(problem(fs), x, y, num_levels=num_levels, seed=seed)
        df = pd.DataFrame({"factor": names, "mu_star": res["mu_star"], "mu_star_conf": res["mu_star_conf"],
                           "sigma": res["sigma"], "mu": res["mu"]})
        return df.sort_values("mu_star", ascending=False).reset_index(drop=True)
    from SALib.analyze import sobol

    res = sobol.analyze(problem(fs), y, calc_second_order=False, seed=seed)
    df = pd.DataFrame({"factor": names, "S1": res["S1"], "S1_conf": res["S1_conf"], "ST": res["ST"], "ST_conf": res["ST_conf"]})
    return df.sort_values("ST", ascending=False).reset_index(drop=True)
