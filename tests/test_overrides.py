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
