"""Metamorphic tests of the issue-13 mechanisms (docs/design.md G1-G4), paired by seed.

Referral accuracy (`sim.referral`), help intensity (`sim.intensity`), depth against breadth (`sim.depth`) and tenancy
support after housing (`sim.tenancy`). Each test changes one parameter of one mechanism and checks the direction
its mechanism implies on the paired mean over a few seeds (same seed in both arms: common random numbers). No
result is hard-coded: the depth test finds the cost at which full breadth stops paying by scanning the mechanism.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from helpers import ROOT

from sim import InputError, RunResult, load_run_config, load_scenario, run

SEEDS = (1, 2, 3)
RUN = {"n_families": 3500, "horizon_days": 730.0, "warm_up_days": 365.0}
POPULATION = {"sociaal_domein": 3500, "dakloos_naar_thuis": 1500}  # the smallest allowed sociaal_domein; dakloos at its own size
NO_MISS = {"referral.miss_probability": 0.0, "referral.miss_by_organisation": {}}


def _freeze(ov: dict[str, Any]) -> tuple:
    return tuple(sorted((k, repr(v)) for k, v in ov.items()))


@cache
def _run(scenario: str, frozen: tuple, seed: int, working: str = "fragmented", t_shaped: float | None = None) -> RunResult:
    ov = {k: eval(v) for k, v in frozen}  # noqa: S307 - our own repr of plain literals (the cache key)
    extra = {} if t_shaped is None else {"levers": {"t_shaped_share": t_shaped}}
    cfg = load_run_config(scenario, working, seed=seed, scenario_overrides=ov, **{**RUN, "n_families": POPULATION[scenario]}, **extra)
    return run(cfg)


def sd(ov: dict[str, Any], seed: int, **kw: Any) -> RunResult:
    """A small sociaal_domein run with these scenario overrides (cached: arms share runs)."""
    return _run("sociaal_domein", _freeze(ov), seed, **kw)


def tth(r: RunResult) -> float:
    """Mean days from signal to help among helped episodes signalled in the window."""
    return float(r.summary["time_to_help_from_signal_among_helped"]["mean"])


def waiting_list(r: RunResult) -> float:
    """Mean families on intake queues and help waiting lists over the window's days."""
    d = r.daily_org
    d = d[d.day >= r.summary["window_days"][0]]
    return float((d.intake_queue + d.waiting).groupby(d.day).sum().mean())


def helped_in_window(r: RunResult):
    ep = r.episodes
    return ep[ep.help_start_day.notna() & (ep.help_start_day >= r.summary["window_days"][0])]


def help_days(r: RunResult) -> float:
    """Mean days from help start to resolution by help, among episodes whose help started in the window."""
    h = helped_in_window(r)
    res = h[(h.outcome == "resolved") & (h.end_reason == "help")]
    return float((res.end_day - res.help_start_day).mean())


def resolved_share(r: RunResult) -> float:
    """Share resolved by help among ended episodes whose help started in the window."""
    h = helped_in_window(r)
    ended = h[h.outcome.isin(["resolved", "dropped_out", "crisis"])]
    return float(((ended.outcome == "resolved") & (ended.end_reason == "help")).mean())


def paired_mean(metric, arm_a, arm_b, seeds=SEEDS) -> float:
    """Mean over seeds of metric(arm_b) - metric(arm_a)."""
    return float(np.mean([metric(arm_b(s)) - metric(arm_a(s)) for s in seeds]))


# --- referral accuracy (G1) ------------------------------------------------------------------------------------
def test_lower_referral_accuracy_costs_handoffs_intakes_and_wait() -> None:
    exact = lambda s: sd(NO_MISS, s)  # noqa: E731
    missing = lambda s: sd({**NO_MISS, "referral.miss_probability": 0.4}, s)  # noqa: E731
    assert paired_mean(lambda r: r.summary["handoffs_per_episode"], exact, missing) > 0
    assert paired_mean(lambda r: r.summary["intakes_per_family"], exact, missing) > 0
    assert paired_mean(tth, exact, missing) > 0


def test_referral_step_with_imperfect_accuracy_raises_wait_and_lists() -> None:
    """Youth mental health's direct door to youth care moves to the GP (a referral step) with the default accuracy."""
    step = {"doors.youth_mental_health": {"wijkteam": 0.25, "huisarts": 0.75, "jeugdhulp": 0.0}}
    direct = lambda s: sd({}, s)  # noqa: E731
    via_gp = lambda s: sd(step, s)  # noqa: E731
    assert paired_mean(tth, direct, via_gp) > 0
    assert paired_mean(waiting_list, direct, via_gp) > 0


def test_shared_assessment_and_coordinator_lower_misses() -> None:
    """The mechanism's own channel: every referral of a coordinated family, or under shared assessment, misses less."""
    from sim import SocialDomainModel
    cfg = load_run_config("sociaal_domein", "fragmented", seed=1, **RUN)
    m = SocialDomainModel(cfg)
    gp, team = m.org_by_name["huisarts"], m.org_by_name["jeugdhulp"]
    ep = type("Ep", (), {"family": m.families[0]})()
    base = m.referrals.miss_probability(ep, gp, team, 0.0)
    m.levers.shared_assessment.active = True
    assessed = m.referrals.miss_probability(ep, gp, team, 0.0)
    m.families[0].coordinator = m.entry_org.professionals[0]
    m.levers.coordinator.active = True
    both = m.referrals.miss_probability(ep, gp, team, 0.0)
    assert 0.0 < both < assessed < base <= 0.25


# --- help intensity (G2) ---------------------------------------------------------------------------------------
HOURS = {"parenting": 2.0, "child_development": 2.0, "youth_mental_health": 2.0, "education": 1.5, "debt_income": 1.5,
         "housing": 1.0, "safety": 3.0, "health_addiction": 2.0}


def test_more_help_hours_shorten_help_resolve_more_and_lengthen_lists() -> None:
    more = {f"domains.{d}.help_hours_per_week": h * 1.5 for d, h in HOURS.items()}
    base = lambda s: sd({}, s)  # noqa: E731
    intensive = lambda s: sd(more, s)  # noqa: E731
    assert paired_mean(help_days, base, intensive) < 0
    assert paired_mean(resolved_share, base, intensive) > 0
    assert paired_mean(waiting_list, base, intensive) > 0


def test_hours_change_nothing_but_waits_at_elasticity_zero() -> None:
    """The older model is the range's end: at elasticity 0 the help rate ignores hours."""
    sc = load_scenario("sociaal_domein", {"help_intensity.elasticity": 0.0})
    assert sc.help_intensity.factor("parenting", 4.0) == 1.0
    sc = load_scenario("sociaal_domein")
    assert sc.help_intensity.factor("parenting", 8.0) == pytest.approx(2.0)  # (8 / 2) ** 0.5


# --- depth and breadth (G3) ------------------------------------------------------------------------------------
SHARES = (0.0, 0.5, 1.0)
# The cost of breadth, scanned from small to the ends of both declared ranges: depth lost in her own domain, then
# training hours on top. The scan stops at the first cost that shows the regime.
COSTS = ((0.1, 0.0), (0.2, 0.0), (0.3, 0.0), (0.3, 1.0), (0.3, 2.0))
# Relative noise of two paired seeds at 3,500 families: free breadth may not hurt by more, and full breadth must
# be worse by more for the regime to count.
TOLERANCE = 0.01


def _breadth_at(loss: float, share: float, training: float = 0.0) -> tuple[float, float]:
    """Mean time to help and resolved share among the helped over two seeds, at this share of T-shaped staff."""
    if share == 0.0:
        loss, training = 0.0, 0.0  # nobody is ever T-shaped: the costs change nothing (one run serves every cost)
    # Nobody is T-shaped in warm-up, so every arm shares its history up to the switch-on.
    ov = {"breadth_cost.depth_loss": loss, "breadth_cost.training_hours_per_week": training,
          "levers.t_shaped_share_status_quo": 0.0}
    runs = [sd(ov, s, working="fragmented", t_shaped=share) for s in SEEDS[:2]]
    return float(np.mean([tth(r) for r in runs])), float(np.mean([resolved_share(r) for r in runs]))


def test_breadth_pays_until_depth_loss_makes_full_breadth_worse() -> None:
    """Free breadth never hurts; scanning the cost finds one where an interior share beats full breadth.

    The loss of depth slows her help in her own domain (`sim.depth`), so a case stays open longer and the constant
    hazard of dropping out of help (docs/design.md A10) ends more of them before they resolve: the cost shows in the resolved share
    among the helped. Time to help among the helped hides it since reneging rises with the wait (design F8): the
    longer lists the slower help makes lose their longest waiters, and pooling and fewer handoffs still shorten the
    waits of those helped. So the regime is sought in either measure, as issue 13 states it.
    """
    free = [_breadth_at(0.0, s) for s in SHARES]
    for a, b in zip(free, free[1:], strict=False):
        assert b[0] <= a[0] * (1.0 + TOLERANCE), ("time to help rose with free breadth", free)
        assert b[1] >= a[1] * (1.0 - TOLERANCE), ("resolved share fell with free breadth", free)
    found = None
    for loss, training in COSTS:
        curve = [_breadth_at(loss, s, training) for s in SHARES]
        interior = curve[1:-1]
        # Worse by more than the tolerance, so that noise alone cannot make the regime.
        if (curve[-1][0] > min(c[0] for c in interior) * (1.0 + TOLERANCE)
                or curve[-1][1] < max(c[1] for c in interior) * (1.0 - TOLERANCE)):
            found = (loss, training, curve)
            break
    assert found is not None, "no cost of breadth in the declared ranges makes full breadth worse than a mixed workforce"


# --- tenancy support (G4) --------------------------------------------------------------------------------------
HOUSING = "wonen_begeleiding"


def evictions_per_housed_year(overrides: dict[str, Any], seed: int) -> float:
    r = _run("dakloos_naar_thuis", _freeze(overrides), seed)
    ep = r.episodes
    housed = ep[(ep.domain == "housing") & (ep.last_organisation == HOUSING) & ep.help_start_day.notna()]
    end = housed.end_day.fillna(r.summary["window_days"][1])
    years = float((end - housed.help_start_day).sum()) / 365.0
    return float((housed.end_reason == "breakdown").sum()) / years


def test_ending_support_at_housing_raises_tenancy_loss() -> None:
    """Staircase: support ends at housing (default); keeping it a year lowers the loss; ending it everywhere raises it."""
    t = "pathway.staircase.changes.domains.housing.tenancy"
    ended = [evictions_per_housed_year({}, s) for s in SEEDS]
    kept = [evictions_per_housed_year({f"{t}.support_days": 365}, s) for s in SEEDS]
    assert all(k < e for k, e in zip(kept, ended, strict=True)), (kept, ended)
    # Help on addiction or debt counts as support: without that, ending support at housing costs more tenancies.
    never = [evictions_per_housed_year({f"{t}.support_days": 0, f"{t}.help_elsewhere_supports": False}, s) for s in SEEDS]
    assert np.mean(never) > np.mean(ended), (never, ended)


# --- bad values --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("overrides", "field"), [
    ({"referral.miss_probability": 1.5}, "referral.miss_probability"),
    ({"referral.miss_by_organisation": {"atlantis": 0.1}}, "referral.miss_by_organisation.atlantis"),
    ({"referral.miss_by_organisation": {"huisarts": 2.0}}, "referral.miss_by_organisation.huisarts"),
    ({"help_intensity.elasticity": -0.1}, "help_intensity.elasticity"),
    ({"help_intensity.reference_hours": {"parenting": 0.0}}, "help_intensity.reference_hours.parenting"),
    ({"help_intensity.reference_hours": {"atlantis": 1.0}}, "help_intensity.reference_hours.atlantis"),
    ({"breadth_cost.depth_loss": 0.95}, "breadth_cost.depth_loss"),
])
def test_bad_mechanism_values_name_field_value_and_allowed(overrides: dict[str, Any], field: str) -> None:
    """Refused by the declared range or by the reader: either way one error naming the field, the value and what is allowed."""
    with pytest.raises(InputError) as e:
        load_scenario("sociaal_domein", overrides)
    value = next(iter(overrides.values()))
    assert e.value.field.endswith(field), e.value
    assert e.value.allowed and (e.value.value == value or e.value.value in (value.values() if isinstance(value, dict) else ()))


def test_bad_tenancy_values_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError) as e:
        load_scenario("dakloos_naar_thuis", {"pathway.staircase.changes.domains.housing.tenancy.support_days": -1})
    assert e.value.field.endswith("domains.housing.tenancy.support_days") and e.value.value == -1
    raw = yaml.safe_load((ROOT / "scenarios" / "dakloos_naar_thuis.yaml").read_text())
    raw["domains"]["debt_income"]["tenancy"] = {"support_days": {"value": 10, "assumption": "test", "range": [0, 365]}}
    path = tmp_path / "dakloos_naar_thuis.yaml"
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(InputError) as e:
        load_scenario(path)
    assert e.value.field == "domains.debt_income.tenancy" and "breakdown" in e.value.allowed
