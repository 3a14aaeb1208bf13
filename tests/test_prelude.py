"""A run restored from a prelude equals its cold run, table for table, also when restored in a fresh process.

The acceptance test of `sim.prelude`: one prelude (pickled in this process) serves both presets, each restored in
a spawned worker process (`experiments.pool.Pool`) and compared with the cold run of the same config here through
the digests of every output table and the summary (`test_identical_outputs.digests`). Once with the scenario's
lever lead (the levers switch on before the end of warm-up) and once without.
"""

from __future__ import annotations

import itertools

import prelude_tasks
import pytest
from mesa.time.events import Event
from test_identical_outputs import digests

from experiments.pool import Pool
from sim import RunConfig, collect, load_run_config, run
from sim.configuration import scenarios
from sim.prelude import from_prelude, prelude, run_from_prelude, thaw

PRESETS = ("fragmented", "networked")
# Small and short (seconds): 3,500 families, the smallest population the default staff allows (tests/helpers.py).
# A 400-day warm-up keeps the scenario's lead active: the levers switch on at day 365 (the lead's floor).
SETTINGS = {"seed": 3, "n_families": 3500, "warm_up_days": 400.0, "horizon_days": 30.0}
LEADS = {"scenario's lead": None, "no lead": 0.0}


def configs(lead: float | None) -> list[RunConfig]:
    """Both presets, with the scenario's lever lead or another (`RunConfig.with_lead`, the viewer's route)."""
    cfgs = [load_run_config("sociaal_domein", p, **SETTINGS) for p in PRESETS]
    return cfgs if lead is None else [c.with_lead(lead) for c in cfgs]


@pytest.mark.serial  # starts a worker process: alongside the parallel tests it would oversubscribe two cores
def test_a_run_restored_in_a_fresh_process_equals_the_cold_run() -> None:
    tasks, cold = [], []
    for lead in LEADS.values():
        cfgs = configs(lead)
        blob = prelude(cfgs[0])  # one prelude for both presets (built under the fragmented levers)
        tasks.append((blob, cfgs))
        cold.append([digests(run(cfg)) for cfg in cfgs])
    on = [thaw(blob).levers_on for blob, _ in tasks]
    assert on == [365.0, 400.0], "the test needs one prelude before a lead switch and one at the end of warm-up"
    # One worker: a fresh interpreter (spawn) restores both preludes, four runs, and digests them.
    with Pool(1) as pool:
        restored = pool.map(prelude_tasks.restored_digests, tasks)
    for name, c, r in zip(LEADS, cold, restored, strict=True):
        assert c[0]["episodes"] != c[1]["episodes"], f"{name}: the presets do not differ, so the levers are not tested"
        for preset, dc, dr in zip(PRESETS, c, r, strict=True):
            differ = [k for k in dc if dc[k] != dr[k]]
            assert not differ, f"{preset}, {name}: restored run differs from the cold run in {differ}"


def test_thaw_moves_the_event_counter_past_the_restored_events(monkeypatch: pytest.MonkeyPatch) -> None:
    """In a fresh process Mesa's counter starts near 0; a restored model's next event must order after its own."""
    blob = prelude(load_run_config("sociaal_domein", "fragmented", **dict(SETTINGS, warm_up_days=60.0)))
    monkeypatch.setattr(Event, "_ids", itertools.count())  # as a new process has it (restored after the test)
    model = thaw(blob)
    queue = model._event_list
    held = max(e[2] for e in [*queue._events, *(e for b in queue._later.values() for e in b)])
    assert held > 1000 and next(Event._ids) > held
    monkeypatch.setattr(Event, "_ids", itertools.count(held + 10))
    thaw(blob)
    assert next(Event._ids) > held + 10, "the counter moved back"


def test_a_prelude_refuses_a_config_with_another_warm_up() -> None:
    base = load_run_config("sociaal_domein", "fragmented", **dict(SETTINGS, warm_up_days=30.0))
    blob = prelude(base)
    other = load_run_config("sociaal_domein", "networked", **dict(SETTINGS, warm_up_days=30.0, seed=4))
    with pytest.raises(ValueError, match="lever settings"):
        from_prelude(blob, other)
    assert from_prelude(blob, load_run_config("sociaal_domein", "networked", **dict(SETTINGS, warm_up_days=30.0))).levers.coordinator.enabled


def test_a_prelude_serves_the_scenarios_own_size_given_explicitly() -> None:
    """``n_families`` equal to the scenario's is the same population as none given (the cache keys on ``families``).

    A prelude stored by ``make run`` (no size given) once refused a sweep or benchmark run naming the same size.
    """
    short = {"seed": 3, "warm_up_days": 30.0, "horizon_days": 10.0}
    unnamed = load_run_config("dakloos_naar_thuis", "fragmented", **short)
    named = load_run_config("dakloos_naar_thuis", "networked", n_families=unnamed.families, **short)
    assert unnamed.n_families is None and named.n_families == unnamed.families
    model = from_prelude(prelude(unnamed), named)
    assert model.config is named and model.levers.coordinator.enabled
    other = load_run_config("dakloos_naar_thuis", "networked", n_families=unnamed.families + 300, **short)
    with pytest.raises(ValueError, match="lever settings"):
        from_prelude(prelude(unnamed), other)


@pytest.mark.parametrize("scenario", scenarios())
def test_every_scenarios_prelude_restores_to_its_cold_run(scenario: str) -> None:
    """Each scenario's objects survive the pickle round trip (the fresh-process test above runs sociaal_domein only).

    A scenario with objects of its own (dakloos_naar_thuis's waiting places) once failed to restore at all, and
    with it ``make run --scenario dakloos_naar_thuis`` (its second arm restores the first arm's warm-up).
    """
    size = {"n_families": 3500} if scenario == "sociaal_domein" else {}  # the others are small already
    cfgs = [load_run_config(scenario, p, seed=2, warm_up_days=120.0, horizon_days=60.0, **size) for p in PRESETS]
    blob = prelude(cfgs[0])
    for cfg in cfgs:
        restored, cold = digests(collect(run_from_prelude(blob, cfg))), digests(run(cfg))
        assert int(cold["n_episodes"]) > 0
        differ = [k for k in cold if cold[k] != restored[k]]
        assert not differ, f"{scenario}, {cfg.working}: the restored run differs from the cold run in {differ}"
