"""Staff in proportion, intake as staff time and single entry as "no wrong door" at equal staff (`sim.staffing`).

* Staff and intake desks scale with ``n_families / staffed_for`` (a fraction is a part-time professional), and
  per-family outcomes at two population sizes agree.
* A population that leaves a staffed domain without one case's hours, a desk without one intake a week, or a
  run that does not fit in memory is refused with one message naming the value and what is allowed.
* The desk's hours count in the daily utilisation.
* The single entry point moves the desk hours of the doors it replaces to the entry organisation (equal staff
  hours in both arms), sends a need with a correct direct door there directly, and the coordinator routes her
  families before the entry point is asked.
"""

from __future__ import annotations

import dataclasses
import math
import time

import numpy as np
import pytest
from helpers import DATA, config

from sim import InputError, SocialDomainModel, load_run_config, load_scenario, run
from sim.episode import HANDOFF, INTAKE_QUEUE
from sim.staffing import plan_staff

LOSE = DATA / "honesty_lose.yaml"


def test_staff_and_desk_scale_in_proportion_with_a_part_time_professional() -> None:
    sc = load_scenario("jeugdhulp")
    assert sc.staffed_for == sc.n_families
    for org in sc.organisations.values():
        base = plan_staff(org, sc, sc.n_families)
        assert len(base.professionals) == round(sum(org.professionals.values()))  # whole head counts at its own size
        for factor in (1.5, 2.0, 3.25):
            n = round(sc.staffed_for * factor)
            plan = plan_staff(org, sc, n)
            k = n / sc.staffed_for
            assert plan.help_hours == pytest.approx(base.help_hours * k)
            assert plan.desk_hours == pytest.approx(org.intake_hours_per_week * k)
            for dom, count in org.professionals.items():
                hours = [h for d, h in plan.professionals if d == dom]
                assert len(hours) == math.ceil(count * k - 1e-9)  # whole ones and one part-time for the rest
                assert all(h == org.hours_per_week for h in hours[:-1]) and 0 < hours[-1] <= org.hours_per_week


def test_model_staff_hours_are_proportional_to_the_population() -> None:
    hours = {}
    for n in (3000, 12000):
        model = SocialDomainModel(load_run_config(scenario="jeugdhulp", n_families=n, horizon_days=10.0, warm_up_days=0.0))
        hours[n] = {o.name: (o.capacity, o.desk_hours, len(o.desk_servers)) for o in model.organisations}
    for name, (cap, desk, servers) in hours[3000].items():
        assert hours[12000][name][0] == pytest.approx(4 * cap)
        assert hours[12000][name][1] == pytest.approx(4 * desk)
        assert hours[12000][name][2] >= servers  # more parallel desk servers, each about the file's desk


def test_outcomes_per_family_agree_at_two_population_sizes() -> None:
    """Paired seeds at 1,000 and 4,000 families of zorg_veiligheid (staffed for 2,000): per-family outcomes agree.

    Not identical: a larger organisation pools more servers (waits are shorter at equal load), so the bound
    is a tolerance on the mean difference, not equality.
    """
    metrics = {"share_helped": [], "crises_per_1000_families_per_year": [], "cost_per_family": []}
    for seed in (1, 2, 3):
        pair = []
        for n in (1000, 4000):
            s = run(load_run_config(scenario="zorg_veiligheid", seed=seed, n_families=n, horizon_days=365.0,
                                    warm_up_days=180.0)).summary
            pair.append({"share_helped": s["share_helped"], "crises_per_1000_families_per_year": s["crises_per_1000_families_per_year"],
                         "cost_per_family": s["cost_total"] / s["families"]})
        for k in metrics:
            metrics[k].append((pair[0][k], pair[1][k]))
    for k, pairs in metrics.items():
        small, large = np.array(pairs).T
        rel = abs(small.mean() - large.mean()) / large.mean()
        assert rel < 0.2, f"{k}: {small.mean():.4g} at 1,000 vs {large.mean():.4g} at 4,000 families"


def test_a_population_too_small_for_its_staff_is_refused_with_the_smallest_allowed() -> None:
    with pytest.raises(InputError) as err:
        load_run_config(scenario="jeugdhulp", n_families=500)
    msg = str(err.value)
    assert msg.startswith("n_families: got 500") and "organisation" in msg and "at least" in msg
    smallest = int(msg.rsplit("at least ", 1)[1].split()[0])
    load_run_config(scenario="jeugdhulp", n_families=smallest)  # the smallest allowed is allowed
    with pytest.raises(InputError):
        load_run_config(scenario="jeugdhulp", n_families=smallest - 1)


def test_a_staffed_domain_without_one_case_is_refused() -> None:
    sc = load_scenario("jeugdhulp")
    org = next(o for o in sc.organisations.values() if o.professionals)
    dom = next(iter(org.professionals))
    tiny = dataclasses.replace(org, professionals={**org.professionals, dom: 0.01})
    with pytest.raises(InputError, match=f"organisation {org.name} would have .* in {dom}"):
        plan_staff(tiny, sc, sc.n_families)


def test_a_population_beyond_memory_is_refused_quickly() -> None:
    t0 = time.perf_counter()
    with pytest.raises(InputError, match=r"n_families: got 10000000; allowed: a population that fits in memory: .* GB"):
        load_run_config(n_families=10_000_000)
    assert time.perf_counter() - t0 < 10.0  # generous on a loaded machine; the check itself is arithmetic


def test_desk_hours_count_in_the_daily_utilisation() -> None:
    """A GP desk has no helping staff: its utilisation is its desk's load, which the old measure left at 0."""
    model = SocialDomainModel(load_run_config(scenario="jeugdhulp", n_families=6000, horizon_days=120.0, warm_up_days=0.0))
    model.run()
    gp = [o for o in model.organisations if not o.professionals]
    assert gp, "the scenario should have an organisation with a desk and no helping professionals"
    util = {name: [] for name in (o.name for o in gp)}
    for day, name, _q, _w, _c, u in model.daily_org:
        if name in util and day > 0:
            util[name].append(u)
    for name, values in util.items():
        assert max(values) > 0.0 and all(0.0 <= v <= 1.0 + 1e-9 for v in values), name


def _hours(result: object) -> tuple[float, dict[str, float]]:
    s = result.summary  # type: ignore[attr-defined]
    return s["productive_hours_available"], s["productive_hours_by_organisation"]


def test_single_entry_moves_the_replaced_doors_desk_hours_at_equal_total_staff() -> None:
    kw = {"scenario": "jonge_kind", "seed": 2, "n_families": 3000, "horizon_days": 60.0, "warm_up_days": 365.0}
    frag = run(load_run_config(working="fragmented", **kw))
    entry = run(load_run_config(working="fragmented", levers={"single_entry": True}, **kw))
    total_f, by_f = _hours(frag)
    total_e, by_e = _hours(entry)
    assert total_e == pytest.approx(total_f, rel=1e-12)
    gained = by_e["wijkteam"] - by_f["wijkteam"]
    assert gained > 0.0
    assert sum(by_f[o] - by_e[o] for o in by_f if o != "wijkteam") == pytest.approx(gained)


def test_a_correct_direct_door_takes_no_extra_step_and_the_step_form_adds_one() -> None:
    """honesty_lose: every need has one correct door. No wrong door, no handoff; the step form adds one."""
    sc = load_scenario(LOSE)
    kw = {"seed": 3, "n_families": 1000, "horizon_days": 365.0, "warm_up_days": 100.0, "levers": {"single_entry": True}}
    step = run(config("fragmented", sc, **kw)).summary
    nwd_sc = dataclasses.replace(sc, levers=sc.levers.replace("single_entry", form="no_wrong_door"))
    nwd = run(config("fragmented", nwd_sc, **kw)).summary
    assert nwd["handoffs_per_episode"] == 0 and nwd["intakes_per_episode"] == pytest.approx(1.0, abs=0.05)
    assert step["handoffs_per_episode"] > 0.1 and step["intakes_per_episode"] > nwd["intakes_per_episode"]


def test_the_coordinator_routes_her_families_before_the_entry_point() -> None:
    """With the step form of the entry point on, a coordinated family's need still goes where the coordinator sends it."""
    sc = load_scenario(LOSE)
    cfg = config("fragmented", sc, seed=1, n_families=1000, horizon_days=30.0, warm_up_days=0.0,
                 levers={"single_entry": True, "coordinator": True})
    model = SocialDomainModel(cfg)
    model.activate_levers()
    debt = sc.domain_names.index("debt_income")
    coordinator = model.entry_org.professionals[0]
    routed = 0
    for fam in model.families[:50]:
        fam.coordinator = coordinator
        ep = model.pathway._new_episode(fam, debt, 0.0, 0.2, debt * 1_000_000 + 999, 0, 0.0)
        fam.open[debt] = ep
        model.pathway.route(ep, 0.0)
        assert not (ep.state == INTAKE_QUEUE and ep.org is model.entry_org), "sent to the entry desk first"
        if ep.state == HANDOFF:
            assert ep.org.name == "schuldhulp" and ep.prev_org is model.entry_org and ep.intakes == 0
            routed += 1
    assert routed > 25


def test_a_run_in_progress_chunks_gives_the_same_results() -> None:
    """Progress reporting runs the model in chunks of simulated days: the same events in the same order."""
    cfg = load_run_config(scenario="zorg_veiligheid", n_families=800, horizon_days=200.0, warm_up_days=65.0, working="networked")
    calls: list[tuple[float, float]] = []
    chunked = run(cfg, lambda day, end: calls.append((day, end)))
    whole = run(cfg)
    assert len(calls) > 5 and calls[-1] == (265.0, 265.0)
    for name in ("episodes", "ledger", "daily", "daily_org", "queues"):
        assert getattr(chunked, name).equals(getattr(whole, name)), name
