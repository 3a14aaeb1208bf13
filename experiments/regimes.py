"""Where networked working loses: a scenario-discovery design over the uncertain parameters, analysed with PRIM.

The design (``experiment.design: regimes``, ``configs/experiment/regimes.yaml``)
draws ``samples`` points by Latin hypercube sampling from the declared range
of every scenario value that is an ``assumption`` with a ``range`` (the
factors of `experiments.sensitivity`, without lever switches: the two ways of
working are what is compared). Each point runs twice, under the ``baseline``
preset (fragmented) and the ``challenger`` preset (networked), with the same
seeds 1..replications: the same families at the same moments, so the
difference at a point is the difference the way of working makes there.

The analysis (`points`, `discover`) marks a point as a **case** when the
challenger does worse than the baseline on at least one of the
``experiment.outcomes`` (the mean over seeds of the paired difference, worse
by the catalogue's direction: higher for a cost, lower for a share helped), and
per outcome alone; then PRIM (`experiments.prim`) finds the box of parameter
values in which cases are common, with its coverage and density and the
parameters that bound it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from experiments import sensitivity
from experiments.prim import Box, Prim
from experiments.store import Sweep
from sim import InputError, configuration, metrics
from sim.reader import Reader

ANY = "any"  # the case definition "worse on at least one outcome"
# A parameter separates cases on its own when its Holm-adjusted Mann-Whitney p-value is below this (`screen`).
SCREEN_LEVEL = 0.05
PRIM_DEFAULTS = {"alpha": 0.05, "min_mass": 0.05, "min_coverage": 0.5, "simplify": 0.02}


def arm_label(working: str, sample: int) -> str:
    """The arm of one preset at one sample point, e.g. ``networked at point 12`` (`experiments.texts` names it)."""
    return f"{working} at point {sample}"


def latin_hypercube(n: int, d: int, seed: int) -> np.ndarray:
    """``n`` points in [0, 1)^d, one in each of the ``n`` equal slices of every dimension (McKay et al. 1979).

    Stratifying every parameter covers each range evenly with few points, which PRIM's quantile peels need.
    """
    rng = np.random.default_rng(seed)
    u = rng.uniform(size=(n, d))
    return (np.stack([rng.permutation(n) for _ in range(d)], axis=1) + u) / n


def outcomes(exp: dict[str, Any]) -> list[str]:
    """The outcomes on which networked working may lose: metrics of the catalogue that have a better direction.

    Raises:
        InputError: for an empty list, a key outside the catalogue or a metric that is neither better high nor low.
    """
    keys = exp.get("outcomes")
    if not isinstance(keys, list) or not keys or len(set(map(str, keys))) != len(keys):
        raise InputError("experiment.outcomes", keys, "a non-empty list without repeats of summary metrics of the catalogue")
    for key in keys:
        if key not in metrics.CATALOGUE or metrics.CATALOGUE[key].better == "neither":
            ok = ", ".join(k for k, m in metrics.CATALOGUE.items() if m.better != "neither")
            raise InputError("experiment.outcomes", key, f"a metric of sim/metrics.py with a better direction ({ok})")
    return [str(k) for k in keys]


def prim_settings(exp: dict[str, Any]) -> dict[str, float]:
    """PRIM's settings from ``experiment.prim`` (defaults `PRIM_DEFAULTS`), validated."""
    given = exp.get("prim") or {}
    if not isinstance(given, dict):
        raise InputError("experiment.prim", given, f"a mapping of {', '.join(PRIM_DEFAULTS)}")
    unknown = set(given) - set(PRIM_DEFAULTS)
    if unknown:
        raise InputError("experiment.prim", sorted(unknown), f"keys {', '.join(PRIM_DEFAULTS)}")
    r = Reader({**PRIM_DEFAULTS, **given}, "experiment.prim", None)
    out = {"alpha": r.number("alpha", 0.0, 0.5, lo_open=True), "min_mass": r.number("min_mass", 0.0, 1.0, lo_open=True),
           "min_coverage": r.number("min_coverage", 0.0, 1.0), "simplify": r.number("simplify", 0.0, 1.0)}
    for key in ("alpha", "min_mass"):  # open at the top too: a peel of half the box, or a box of every point, is no peel
        if out[key] == (0.5 if key == "alpha" else 1.0):
            raise InputError(f"experiment.prim.{key}", out[key], "a share above 0 and below " + ("0.5" if key == "alpha" else "1"))
    return out


def design(exp: dict[str, Any], scenario: str, overrides: dict[str, Any] | None = None,
           ) -> tuple[list[dict[str, Any]], list[sensitivity.Factor]]:
    """Two arms per sample point (baseline and challenger preset), and the sampled factors.

    The factors are those of the scenario as the sweep's own ``overrides`` make it (its pathway and options).

    Raises:
        InputError: for a bad sample size, preset, parameter list or outcome.
    """
    samples = Reader(exp, "experiment", None).number("samples", 2, integer=True)
    seed = Reader(exp, "experiment", None).number("sample_seed", 0, integer=True)
    baseline, challenger = exp.get("baseline", "fragmented"), exp.get("challenger", "networked")
    if baseline == challenger:
        raise InputError("experiment.challenger", challenger, f"a preset other than the baseline ({baseline})")
    lev_base = configuration.preset_levers(baseline, field="experiment.baseline")
    lev_chal = configuration.preset_levers(challenger, field="experiment.challenger")
    outcomes(exp)
    prim_settings(exp)
    fs = sensitivity.factors(scenario, exp.get("parameters", "all"), exp.get("exclude") or [], [], overrides)
    u = latin_hypercube(int(samples), len(fs), int(seed))
    arms = []
    for i, row in enumerate(u):
        overrides = {f.name: f.value(f.lo + x * (f.hi - f.lo)) for f, x in zip(fs, row, strict=True)}
        overrides = sensitivity.within_constraints(overrides, scenario)
        base = arm_label(baseline, i)
        arms.append({"arm": base, "working": baseline, "levers": lev_base, "overrides": overrides, "reference": None, "sample": i})
        arms.append({"arm": arm_label(challenger, i), "working": challenger, "levers": lev_chal, "overrides": overrides,
                     "reference": base, "sample": i})
    return arms, fs


def points(sweep: Sweep) -> pd.DataFrame:
    """One row per sample point: its parameter values, per outcome the paired difference and whether it loses.

    Columns: the factor names; ``<outcome>`` (challenger minus baseline, mean over seeds, in stored units);
    ``loses:<outcome>`` and ``loses:any``. A point with a missing run or an undefined outcome is left out.
    """
    exp = sweep.config["experiment"]
    keys = outcomes(exp)
    names = [f["name"] for f in sweep.config.get("factors", [])]
    plan = sweep.plan.drop_duplicates("arm")
    x = pd.DataFrame([{n: json.loads(s)["scenario_overrides"].get(n) for n in names} for s in plan.spec], index=plan["sample"])
    x = x[~x.index.duplicated()].astype(float).sort_index()
    s = sweep.summary
    base, chal = exp.get("baseline", "fragmented"), exp.get("challenger", "networked")
    out = x.copy()
    for key in keys:
        if key not in s:
            out[key] = np.nan
            continue
        table = s.pivot_table(index=["sample", "seed"], columns="working", values=key, aggfunc="first")
        if base not in table or chal not in table:
            out[key] = np.nan
            continue
        out[key] = (table[chal] - table[base]).groupby(level="sample").mean().reindex(out.index)
    out = out.dropna(subset=keys)
    for key in keys:
        worse = out[key] > 0 if metrics.CATALOGUE[key].better == "lower" else out[key] < 0
        out[f"loses:{key}"] = worse.to_numpy(dtype=bool)
    out[f"loses:{ANY}"] = out[[f"loses:{k}" for k in keys]].any(axis=1).to_numpy(dtype=bool)
    return out


@dataclass(frozen=True)
class Found:
    """PRIM's result for one case definition.

    Attributes:
        case: ``any`` or an outcome key.
        cases: points that are cases.
        points: points analysed.
        prim: the PRIM run (its trajectory), or None when every point or no point is a case.
        peeled: the box chosen on the trajectory.
        box: the chosen box after pasting and simplification: the region reported.
        screened: `screen` of every parameter (None when every point or no point is a case).
        focused_prim: PRIM over only the parameters that separate cases on their own (None when none does).
        focused: its box, chosen, pasted and simplified as ``box`` is.
    """

    case: str
    cases: int
    points: int
    prim: Prim | None
    peeled: Box | None
    box: Box | None
    screened: pd.DataFrame | None = None
    focused_prim: Prim | None = None
    focused: Box | None = None


def screen(x: pd.DataFrame, y: np.ndarray) -> pd.DataFrame:
    """Does each parameter alone separate the cases from the other points? One row per parameter, most separating first.

    With many parameters and few points PRIM can always peel a box of pure cases by trimming the edges of many
    ranges, each trim dropping a point or two: a fit of chance. This asks the simpler question per parameter: do
    its values differ between cases and other points (Mann-Whitney U, two-sided), with Holm's adjustment for testing
    every parameter (a family-wise error rate of ``SCREEN_LEVEL``, stated as an assumption of what counts as more
    than chance). Columns ``parameter``, ``p`` and ``p_holm``.
    """
    from scipy.stats import mannwhitneyu

    y = np.asarray(y, dtype=bool)
    p = np.array([float(mannwhitneyu(x[n].to_numpy(dtype=float)[y], x[n].to_numpy(dtype=float)[~y]).pvalue) for n in x.columns])
    order = np.argsort(p, kind="stable")
    m = len(p)
    holm = np.minimum(1.0, np.maximum.accumulate(p[order] * (m - np.arange(m))))
    return pd.DataFrame({"parameter": [x.columns[i] for i in order], "p": p[order], "p_holm": holm})


def focus(x: pd.DataFrame, y: np.ndarray, bounds: dict[str, tuple[float, float]], settings: dict[str, float],
          ) -> tuple[pd.DataFrame, Prim | None, Box | None]:
    """`screen` the parameters, then PRIM over those that separate the cases on their own (none: no PRIM, no box).

    The box over the separating parameters alone is a region a reader can test, where the box over every parameter
    may be bounded by trims that each drop one point.
    """
    screened = screen(x, y)
    strong = [str(n) for n in screened.parameter[screened.p_holm < SCREEN_LEVEL]]
    if not strong:
        return screened, None, None
    prim = Prim(x[strong], y, bounds={n: bounds[n] for n in strong}, alpha=settings["alpha"], min_mass=settings["min_mass"])
    return screened, prim, _box_of(prim, settings)[1]


def _box_of(prim: Prim, settings: dict[str, float]) -> tuple[Box, Box]:
    """The box PRIM's trajectory offers under ``settings``: as peeled, and after pasting and simplification."""
    peeled = prim.choose(min_coverage=settings["min_coverage"])
    return peeled, prim.simplify(prim.paste(peeled), settings["simplify"]) if peeled.restricted else peeled


def discover(sweep: Sweep, table: pd.DataFrame | None = None) -> dict[str, Found]:
    """PRIM for ``any`` and for each outcome alone, with the settings of ``experiment.prim``."""
    exp = sweep.config["experiment"]
    settings = prim_settings(exp)
    table = points(sweep) if table is None else table
    fs = sweep.config.get("factors", [])
    names = [f["name"] for f in fs]
    bounds = {f["name"]: (f["lo"], f["hi"]) for f in fs}
    found: dict[str, Found] = {}
    for case in (ANY, *outcomes(exp)):
        y = table[f"loses:{case}"].to_numpy(dtype=bool) if len(table) else np.zeros(0, dtype=bool)
        if not y.any() or y.all() or len(y) < 2:  # no region to find: nowhere or everywhere
            found[case] = Found(case, int(y.sum()), len(y), None, None, None)
            continue
        prim = Prim(table[names], y, bounds=bounds, alpha=settings["alpha"], min_mass=settings["min_mass"])
        peeled, box = _box_of(prim, settings)
        screened, focused_prim, focused = focus(table[names], y, bounds, settings)
        found[case] = Found(case, int(y.sum()), len(y), prim, peeled, box, screened, focused_prim, focused)
    return found

