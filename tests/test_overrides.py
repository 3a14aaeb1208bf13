"""Scenario overrides: one path changes one value, dotted and nested forms agree, bad paths and values are refused."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from test_bad_input import _cli

from sim import InputError, load_run_config, load_scenario, run


def test_dotted_and_nested_forms_change_exactly_the_named_values() -> None:
    base = load_scenario("sociaal_domein")
    dotted = load_scenario("sociaal_domein", {"organisations.jeugdhulp.intake_hours": 2.5, "behaviour.burden": 0.2})
    nested = load_scenario("sociaal_domein", {"organisations": {"jeugdhulp": {"intake_hours": 2.5}}, "behaviour": {"burden": 0.2}})
    assert dotted == nested
    assert dotted.organisations["jeugdhulp"].intake_hours == 2.5
    assert dotted.behaviour.burden == 0.2
    assert dotted.organisations["wijkteam"] == base.organisations["wijkteam"]
    assert dataclasses.replace(dotted.organisations["jeugdhulp"], intake_hours=base.organisations["jeugdhulp"].intake_hours) \
        == base.organisations["jeugdhulp"]
    assert dotted.domains == base.domains


def test_an_override_to_the_files_own_value_changes_no_result() -> None:
    small = {"n_families": 3500, "horizon_days": 365.0, "warm_up_days": 180.0}
    own = load_scenario("sociaal_domein").organisations["jeugdhulp"].intake_hours
    plain = run(load_run_config(**small))
    same = run(load_run_config(**small, scenario_overrides={"organisations.jeugdhulp.intake_hours": own}))
    assert same.summary["config"]["scenario_overrides"] == {"organisations.jeugdhulp.intake_hours": own}
    assert {k: v for k, v in plain.summary.items() if k != "config"} == {k: v for k, v in same.summary.items() if k != "config"}
    assert plain.episodes.equals(same.episodes)
    changed = run(load_run_config(**small, scenario_overrides={"organisations.jeugdhulp.intake_hours": own * 2}))
    assert changed.summary["cost_total"] != plain.summary["cost_total"]


@pytest.mark.parametrize(("overrides", "field", "allowed"), [
    ({"organisations.jeugdhulp.intake_hourz": 2.0}, "scenario.overrides.organisations.jeugdhulp.intake_hourz", "a path that exists"),
    ({"population.vulnerability_shape": 9.0}, "scenario.overrides.population.vulnerability_shape", "declared range [0.3, 5.0]"),
    ({"organisations.jeugdhulp": 3}, "scenario.overrides.organisations.jeugdhulp", "a mapping"),
    ({"help_duration": "sometimes"}, "help_duration", "decay"),
])
def test_bad_overrides_name_the_field(overrides: dict, field: str, allowed: str) -> None:
    with pytest.raises(InputError) as err:
        load_scenario("sociaal_domein", overrides)
    assert field in str(err.value) and allowed in str(err.value)


def test_cli_override_and_its_errors(tmp_path: Path) -> None:
    out = tmp_path / "out"
    ok = _cli(["+scenario.overrides.organisations.jeugdhulp.intake_hours=2.5", "n_families=3500", "horizon_days=30",
               "warm_up_days=10", f"output_dir={out}"], tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert "intake_hours: 2.5" in (out / "config.yaml").read_text()
    for args, field in ((["scenario.overrides.population.vulnerability_shape=2"], "leading plus"),
                        (["+scenario.overrides.population.nope=2"], "a path that exists")):
        bad = _cli([*args, f"output_dir={tmp_path / 'bad'}"], tmp_path)
        assert bad.returncode == 2 and field in bad.stderr
        assert len(bad.stderr.strip().splitlines()) == 1
        assert not (tmp_path / "bad").exists()


# Each scenario with every choice it offers: the default, every pathway, every option switched on.
CHOICES = [("sociaal_domein", {}), ("jeugdhulp", {}), ("zorg_veiligheid", {}), ("jonge_kind", {}),
           ("jonge_kind", {"options.kansklas.enabled": True, "options.passende_kinderopvang.enabled": True}),
           ("dakloos_naar_thuis", {}), ("dakloos_naar_thuis", {"pathway.selected": "housing_first"})]


@pytest.mark.parametrize(("scenario", "choices"), CHOICES)
def test_every_ranged_assumption_can_be_overridden_by_its_path(scenario: str, choices: dict) -> None:
    """Sensitivity and regimes sweeps vary every assumption with a range by its path in the loaded scenario.

    Values that only the selected pathway or an enabled option brings in (the staircase's tenancy block and
    readiness time in dakloos_naar_thuis, an option's organisation in jonge_kind) are among them, so their paths
    must be accepted as overrides: the regimes sweep of dakloos_naar_thuis was refused on
    domains.housing.tenancy.support_days.
    """
    loaded = load_scenario(scenario, choices)
    ranged = [p for p in loaded.provenance if p.kind == "assumption" and p.range is not None and p.range[0] < p.range[1]]
    for bound in (0, 1):
        load_scenario(scenario, {**choices, **{p.path: p.range[bound] for p in ranged}})


def test_an_override_wins_over_the_value_a_pathway_sets() -> None:
    """housing_first sets the support hours; an override of them is applied, not silently replaced by the pathway's."""
    hf = {"pathway.selected": "housing_first"}
    assert load_scenario("dakloos_naar_thuis", hf).domains["housing"].help_hours_per_week == 4.0
    assert load_scenario("dakloos_naar_thuis", {**hf, "domains.housing.help_hours_per_week": 7.0}).domains["housing"].help_hours_per_week == 7.0
    nested = {"pathway": {"selected": "housing_first"}, "domains": {"housing": {"help_hours_per_week": 7.0}}}
    assert load_scenario("dakloos_naar_thuis", nested).domains["housing"].help_hours_per_week == 7.0
    stairs = load_scenario("dakloos_naar_thuis", {"domains.housing.tenancy.support_days": 400})
    assert stairs.domains["housing"].tenancy.support_days == 400
    with pytest.raises(InputError) as err:  # the pathway's own range still holds
        load_scenario("dakloos_naar_thuis", {**hf, "domains.housing.help_hours_per_week": 9.0})
    assert "declared range [1.0, 8.0]" in str(err.value)
    kk = load_scenario("jonge_kind", {"options.kansklas.enabled": True, "organisations.kansklas.max_severity": 0.5})
    assert kk.organisations["kansklas"].max_severity == 0.5
