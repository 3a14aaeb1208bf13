"""Bounded least squares on the fragmented status quo, with common random numbers.

A calibrated parameter is a *scale* on one or more scenario values (for
example one onset scale for every domain, since a single prevalence figure
cannot tell the domains apart). Each value stays inside its declared range, so
a scale's bounds are the tightest ratio range/prior over its values. The
optimiser works on the unit cube of the scales.

The loss is the sum of squared standardised residuals of the fitted targets,
``((model - published) / half band)^2``, with the model value the mean over the
same seeds in every evaluation (common random numbers: the loss surface is a
deterministic function of the parameters, so the optimiser does not chase
noise). The method is scipy's trust-region reflective least squares with a
2-point Jacobian on steps of 5 % of each range (large enough to see through
the remaining discreteness of event timing); a budget caps the number of
evaluations and the best point seen is kept.

Cost rates (hourly cost) change no event of the fragmented preset, only the
bookings, so they are fitted after the rest by one exact rescaling on the same
runs, not by the optimiser.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import yaml
from scipy.optimize import least_squares

from experiments.calibration.observe import adult_mh_intake_load, observe
from experiments.calibration.targets import OBSERVATIONS, TARGETS, Target
from experiments.pool import Pool, PoolBroken
from sim import load_run_config, run
from sim.scenario import SCENARIO_DIR


@dataclass(frozen=True)
class Scale:
    """One calibrated parameter: a common factor on the prior values of ``paths``.

    Attributes:
        name: short name (for progress and the report).
        paths: dotted paths in the scenario file.
        why: which target it is identified by.
    """

    name: str
    paths: tuple[str, ...]
    why: str


@dataclass
class Prior:
    """Prior values and declared ranges of a scale's paths, and the scale's bounds."""

    values: tuple[float, ...]
    ranges: tuple[tuple[float, float], ...]
    integer: tuple[bool, ...]
    calibrated: bool = False
    lo: float = field(init=False)
    hi: float = field(init=False)

    def __post_init__(self) -> None:
        self.lo = max(r[0] / v for v, r in zip(self.values, self.ranges, strict=True))
        self.hi = min(r[1] / v for v, r in zip(self.values, self.ranges, strict=True))


def _domains(*names: str, field_name: str) -> tuple[str, ...]:
    return tuple(f"domains.{n}.{field_name}" for n in names)


def _orgs(*names: str, field_name: str) -> tuple[str, ...]:
    return tuple(f"organisations.{n}.{field_name}" for n in names)


# The calibrated parameters per scenario. Lever and advantage parameters are never calibrated (docs/design.md B10);
# capacity (staff numbers) stays an input.
_ALL_SD = ("parenting", "child_development", "youth_mental_health", "education", "debt_income", "housing", "safety", "health_addiction")
_ALL_JH = ("parenting", "child_development", "youth_mental_health", "education", "safety", "debt_income", "health_addiction")
SCALES: dict[str, tuple[Scale, ...]] = {
    "sociaal_domein": (
        Scale("onset_scale", _domains(*_ALL_SD, field_name="onset_rate_per_year"), "youth-care use"),
        Scale("youth_help_rate", _domains("parenting", "child_development", "youth_mental_health", field_name="help_rate_per_year"),
              "trajectory duration"),
        Scale("help_dropout", ("behaviour.help_dropout_per_year",), "treatment dropout"),
        Scale("youth_decision_days", _orgs("jeugdhulp", field_name="decision_days"), "specialist youth-care wait"),
        Scale("adult_mh_intake_hours", _orgs("ggz", field_name="intake_hours_per_week"), "adult mental-health wait to intake"),
        Scale("adult_mh_decision_days", _orgs("ggz", field_name="decision_days"), "adult mental-health total wait"),
        Scale("youth_escalation", _domains("parenting", "child_development", "youth_mental_health", field_name="escalation_per_year"),
              "youth crisis rate"),
    ),
    "jeugdhulp": (
        Scale("onset_scale", _domains(*_ALL_JH, field_name="onset_rate_per_year"), "youth-care use"),
        Scale("youth_help_rate", _domains("parenting", "child_development", "youth_mental_health", "safety", field_name="help_rate_per_year"),
              "trajectory duration"),
        Scale("help_dropout", ("behaviour.help_dropout_per_year",), "treatment dropout"),
        Scale("youth_decision_days", _orgs("jeugdhulp_ambulant", "jeugd_ggz", field_name="decision_days"), "specialist youth-care wait"),
        Scale("adult_mh_intake_hours", _orgs("ggz", field_name="intake_hours_per_week"), "adult mental-health wait to intake"),
        Scale("adult_mh_decision_days", _orgs("ggz", field_name="decision_days"), "adult mental-health total wait"),
        Scale("youth_escalation", _domains("parenting", "child_development", "youth_mental_health", field_name="escalation_per_year"),
              "youth crisis rate"),
    ),
}
# Starting factors from a coarse manual exploration (a handful of single runs): the file's priors lie far from
# several targets (waits, duration), and a local optimiser with a small budget needs a start in the right basin.
# The priors themselves stay in the file's notes; these are only where the search begins (on a file that was
# calibrated before, the search begins at its calibrated values instead).
START: dict[str, tuple[float, ...]] = {
    "sociaal_domein": (1.9, 0.74, 0.6, 1.2, 1.0, 1.2, 1.0),
    "jeugdhulp": (1.8, 0.6, 0.6, 1.4, 0.9, 1.2, 1.0),
}
COST_SCALES: dict[str, Scale] = {
    "sociaal_domein": Scale("youth_hourly_cost", _orgs("jeugdhulp", field_name="hourly_cost"), "cost per client"),
    "jeugdhulp": Scale("youth_hourly_cost", _orgs("jeugdhulp_ambulant", "jeugd_ggz", field_name="hourly_cost"), "cost per client"),
}
COST_TARGET = "youth_cost_per_client"


def node_at(raw: dict[str, Any], path: str) -> dict[str, Any]:
    """The provenance wrapper at a dotted path of a raw scenario mapping."""
    node: Any = raw
    for part in path.split("."):
        node = node[part]
    if not (isinstance(node, dict) and "value" in node):
        raise KeyError(f"{path} is not a wrapped value")
    return node


def read_priors(scenario: str, scales: tuple[Scale, ...]) -> list[Prior]:
    """Current values and declared ranges of every scale's paths (the starting point and the bounds)."""
    raw = yaml.safe_load((SCENARIO_DIR / f"{scenario}.yaml").read_text())
    priors = []
    for sc in scales:
        nodes = [node_at(raw, p) for p in sc.paths]
        missing = [p for p, n in zip(sc.paths, nodes, strict=True) if "range" not in n]
        if missing:
            raise ValueError(f"{scenario}: calibrated values need a declared range: {', '.join(missing)}")
        priors.append(Prior(tuple(float(n["value"]) for n in nodes), tuple(tuple(n["range"]) for n in nodes),
                            tuple(isinstance(n["value"], int) and not isinstance(n["value"], bool) for n in nodes),
                            all("calibrated" in n for n in nodes)))
    return priors


def rounded(value: float, integer: bool) -> float | int:
    """Values written to the file: integers stay integers, other numbers keep four significant digits."""
    if integer:
        return int(round(value))
    return float(f"{value:.4g}")


def overrides_for(scales: tuple[Scale, ...], priors: list[Prior], factors: np.ndarray) -> dict[str, float | int]:
    """Scenario overrides (dotted paths) for the given scale factors, clipped into each declared range."""
    out: dict[str, float | int] = {}
    for sc, pr, f in zip(scales, priors, factors, strict=True):
        for path, v, (lo, hi), integer in zip(sc.paths, pr.values, pr.ranges, pr.integer, strict=True):
            out[path] = rounded(min(hi, max(lo, v * float(f))), integer)
    return out


def run_observed(job: tuple[str, dict[str, Any], int, dict[str, Any]]) -> dict[str, float]:
    """One fragmented run (a picklable job for a process pool) and its target quantities."""
    scenario, overrides, seed, kw = job
    config = load_run_config(scenario, "fragmented", scenario_overrides=overrides, seed=seed, **kw)
    result = run(config)
    # The intake desk's load is observed beside the targets: history matching emulates it (`ensemble.LOAD_KEY`).
    return {**observe(result, OBSERVATIONS[scenario]),
            "adult_mh_intake_load": adult_mh_intake_load(result, OBSERVATIONS[scenario], config)}


def evaluate(pool: Pool, scenario: str, overrides: dict[str, Any], seeds: list[int], kw: dict[str, Any]) -> list[dict[str, float]]:
    """Observations of every seed (same seeds in every evaluation: common random numbers).

    If the process pool breaks (a worker killed from outside), the runs are done in this process instead:
    slower, but the same numbers, so a calibration is not lost to one dead worker.
    """
    jobs = [(scenario, overrides, s, kw) for s in seeds]
    try:
        return pool.map(run_observed, jobs)
    except PoolBroken:
        return [run_observed(job) for job in jobs]


def fitted_targets() -> list[Target]:
    """Targets in the loss (cost per client is fitted separately, see the module docstring)."""
    return [t for t in TARGETS if t.fitted and t.key != COST_TARGET]


def residuals(obs: list[dict[str, float]], targets: list[Target]) -> np.ndarray:
    """Standardised residuals of the seed means: (model - published) / half band."""
    out = []
    for t in targets:
        vals = [o[t.key] for o in obs if not math.isnan(o[t.key])]
        m = float(np.mean(vals)) if vals else t.band[1] * 3.0  # no observation at all: far outside, not a crash
        out.append((m - t.point) / ((t.band[1] - t.band[0]) / 2.0))
    return np.array(out)


@dataclass
class FitResult:
    """What the fit found."""

    scenario: str
    scales: tuple[Scale, ...]
    priors: list[Prior]
    factors: np.ndarray
    loss: float
    prior_loss: float
    evaluations: int
    seeds: list[int]
    kw: dict[str, Any]
    cost_factor: float
    cost_prior: Prior
    seconds: float


class _Budget(Exception):
    pass


def fit(pool: Pool, scenario: str, seeds: list[int], kw: dict[str, Any], budget: int,
        say: Callable[[str], None] = print) -> FitResult:
    """Fit the scenario's scales to the fitted targets; then the cost scale by exact rescaling."""
    t0 = time.perf_counter()
    scales = SCALES[scenario]
    priors = read_priors(scenario, scales)
    targets = fitted_targets()
    lo = np.array([p.lo for p in priors])
    hi = np.array([p.hi for p in priors])
    width = hi - lo
    best: dict[str, Any] = {"loss": math.inf}
    count = [0]
    cache: dict[tuple[float, ...], np.ndarray] = {}

    def fun(z: np.ndarray) -> np.ndarray:
        key = tuple(np.round(z, 12))
        if key in cache:
            return cache[key]
        if count[0] >= budget:
            raise _Budget
        factors = lo + width * np.clip(z - 1.0, 0.0, 1.0)
        obs = evaluate(pool, scenario, overrides_for(scales, priors, factors), seeds, kw)
        r = residuals(obs, targets)
        loss = float(np.sum(r ** 2))
        count[0] += 1
        if count[0] == 1:
            best["prior_loss"] = loss
        if loss < best["loss"]:
            best.update(loss=loss, factors=factors.copy(), obs=obs)
        say(f"  [{scenario}] evaluation {count[0]:3d}/{budget}  loss {loss:9.4f}  best {best['loss']:9.4f}  "
            + " ".join(f"{s.name}={f:.3g}" for s, f in zip(scales, factors, strict=True))
            + f"  ({time.perf_counter() - t0:.0f} s)")
        cache[key] = r
        return r

    # A scale calibrated before starts from its calibrated values (factor 1); a fresh one from the explored start.
    explored = START.get(scenario, (1.0,) * len(scales))
    start = np.array([1.0 if p.calibrated else f for p, f in zip(priors, explored, strict=True)])
    z0 = np.clip((start - lo) / np.where(width > 0, width, 1.0), 0.0, 1.0)
    try:
        # The search runs on 1 + unit cube so that scipy's relative finite-difference step (diff_step x |z|)
        # is 5-10 % of each range everywhere, never a vanishing step near the lower bound.
        least_squares(fun, z0 + 1.0, bounds=(1.0, 2.0), method="trf", diff_step=0.05, x_scale=1.0, max_nfev=budget)
    except _Budget:
        say(f"  [{scenario}] evaluation budget of {budget} reached; keeping the best point seen")
    # Cost rates touch no event: the exact factor that puts the seed-mean cost per client on its published value.
    cost_scale = COST_SCALES[scenario]
    cost_prior = read_priors(scenario, (cost_scale,))[0]
    target = next(t for t in TARGETS if t.key == COST_TARGET)
    observed = float(np.mean([o[COST_TARGET] for o in best["obs"]]))
    cost_factor = float(np.clip(target.point / observed, cost_prior.lo, cost_prior.hi))
    say(f"  [{scenario}] cost per client {observed:,.0f} EUR at prior rates -> hourly-cost factor {cost_factor:.3f}")
    return FitResult(scenario, scales, priors, best["factors"], best["loss"], best["prior_loss"], count[0], seeds, kw,
                     cost_factor, cost_prior, time.perf_counter() - t0)
