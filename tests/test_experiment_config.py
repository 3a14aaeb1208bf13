"""A bad experiment configuration fails before any run starts: one clear message, exit status 2, nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from experiments.__main__ import main

CASES = [
    (["+experiment=sensitivity", "experiment.parameters=[organisations.nowhere.intake_hours]"], "experiment.parameters"),
    (["+experiment=capacity_sweep", "experiment.scale=[]"], "experiment.scale"),
    (["launcher=slurmish"], "launcher"),
    (["+experiment=lever_ablation", "experiment.units=[coordinator,telepathy]"], "experiment.units"),
    (["+experiment=compare_working", "experiment.arms=[fragmented,netwrked]"], "experiment.arms"),
    (["replicationz=4"], "replicationz"),
    (["+experiment=compare_working", "experiment.replicatons=3"], "experiment.replicatons"),  # names the block's keys
    (["+experiment=sensitivity", "experiment.method=sobol", "experiment.sobol_n=48"], "experiment.sobol_n"),
    (["+scenario.overrides.organisations.jeugdhulp.hourly_cost=5"], "scenario.overrides.organisations.jeugdhulp.hourly_cost"),
    (["scenario=atlantis"], "scenario"),
    (["launcher.workers=0"], "launcher.workers"),
    (["+experiment=regimes", "experiment.outcomes=[cost_totl]"], "experiment.outcomes"),
    (["+experiment=regimes", "experiment.outcomes=[cost_payer_justice]"], "experiment.outcomes"),  # neither better nor worse
    (["+experiment=regimes", "experiment.prim.alpha=0.5"], "experiment.prim.alpha"),
    (["+experiment=regimes", "experiment.samples=1"], "experiment.samples"),
    (["+experiment=regimes", "experiment.challenger=fragmented"], "experiment.challenger"),
    # a misspelt exclusion would vary the value it meant over its whole range (here the population size)
    (["+experiment=regimes", "experiment.exclude=[population.n_familes]"], "experiment.exclude"),
    (["+experiment=sensitivity", "experiment.exclude=population.n_families"], "experiment.exclude"),
]


@pytest.mark.parametrize(("args", "field"), CASES)
def test_bad_experiment_config_fails_before_any_run(tmp_path: Path, capsys: pytest.CaptureFixture, args: list[str], field: str) -> None:
    out = tmp_path / "sweep"
    assert main(["run", *args, "n_families=3500", f"out={out}"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and f"{field}: got" in err[0] and "allowed:" in err[0]
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("where", ["a file", "under a file"])
def test_a_sweep_folder_that_cannot_be_written_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture, where: str) -> None:
    taken = tmp_path / "taken"
    taken.write_text("a file the user keeps\n")
    out = taken if where == "a file" else taken / "sweep"
    assert main(["run", "n_families=3500", f"out={out}"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"error: out: got '{out}'; allowed: "), err
    assert [p.name for p in tmp_path.iterdir()] == ["taken"] and taken.read_text() == "a file the user keeps\n"


@pytest.mark.parametrize("command", ["run", "status", "report"])
def test_help_of_a_command_is_the_usage(tmp_path: Path, capsys: pytest.CaptureFixture, command: str) -> None:
    assert main([command, "--help"]) == 0
    out = capsys.readouterr()
    assert out.out.startswith("usage: python -m experiments run") and out.err == ""


def test_an_unknown_command_or_report_folder_is_rejected(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["sweep"]) == 2
    assert main(["report", str(tmp_path)]) == 2
    assert main(["report", str(tmp_path), "lang=fr"]) == 2
    assert list(tmp_path.iterdir()) == []
    assert all(line.startswith("error: ") for line in capsys.readouterr().err.strip().splitlines())


def test_a_sweep_is_not_resumed_after_the_model_changed(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "sweep"
    args = ["run", "+experiment=compare_working", "replications=2", "n_families=3500", "horizon_days=30", "warm_up_days=10",
            "launcher=inprocess", "progress=false", f"out={out}"]
    assert main(args) == 0
    sweep = out / "sweep.json"
    stored = json.loads(sweep.read_text())
    assert len(stored["model"]) == 16
    sweep.write_text(json.dumps({**stored, "model": "an-older-model"}))  # as if sim/ or the scenario changed since
    runs = sorted(p.name for p in (out / "runs").iterdir())
    capsys.readouterr()
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "out: got" in err[0] and "changed since this sweep started" in err[0]
    assert sorted(p.name for p in (out / "runs").iterdir()) == runs


@pytest.mark.parametrize(("choice", "design"), [
    (["scenario=dakloos_naar_thuis"], ["+experiment=regimes"]),
    (["scenario=dakloos_naar_thuis", "+scenario.overrides.pathway.selected=housing_first"], ["+experiment=regimes"]),
    (["scenario=dakloos_naar_thuis", "+scenario.overrides.pathway.selected=housing_first"], ["+experiment=sensitivity"]),
    (["scenario=jonge_kind", "+scenario.overrides.options.kansklas.enabled=true"], ["+experiment=regimes"]),
])
def test_designs_read_the_scenario_as_its_choices_make_it(choice: list[str], design: list[str]) -> None:
    """Sensitivity and regimes vary the values of the scenario as the sweep's pathway and options make it.

    Every sampled path is accepted (the regimes sweep of dakloos_naar_thuis was refused on the staircase's
    domains.housing.tenancy.support_days), a pathway's values are among the factors and another's are not.
    """
    from experiments.sweep import compose, validate

    size = ["experiment.samples=2", "experiment.outcomes=[cost_total]"] if "regimes" in design[0] else ["experiment.trajectories=2"]
    exp = validate(compose([*design, *choice, *size, "horizon_days=60", "warm_up_days=30"]))
    names = {f["name"] for f in exp.factors}
    housing_first = "pathway.selected=housing_first" in " ".join(choice)
    if "dakloos_naar_thuis" in choice[0]:
        assert ("domains.housing.tenancy.support_days" in names) is not housing_first
    else:
        assert "organisations.kansklas.max_severity" in names
    for arm in exp.arms[:4]:
        exp.spec(arm, 1).run_config()  # every sampled path exists and lies in its range


@pytest.mark.parametrize(("choice", "org", "staff"), [
    ("+scenario.overrides.pathway.selected=housing_first", "wonen_begeleiding", {"housing": 32.0}),  # the pathway doubles it
    ("+scenario.overrides.options.kansklas.enabled=true", "kansklas", {"education": 4.0, "child_development": 2.0}),  # added
])
def test_capacity_sweep_scales_the_staff_the_choices_give(choice: str, org: str, staff: dict) -> None:
    from experiments.sweep import compose, validate

    scenario = "dakloos_naar_thuis" if "pathway" in choice else "jonge_kind"
    exp = validate(compose(["+experiment=capacity_sweep", f"scenario={scenario}", choice, "experiment.scale=[0.5,1.0]",
                            "horizon_days=60", "warm_up_days=30"]))
    got = {arm["arm"]: exp.spec(arm, 1).run_config().scenario.organisations[org].professionals for arm in exp.arms}
    assert got["fragmented x1"] == staff
    assert got["fragmented x0.5"] == {d: n * 0.5 for d, n in staff.items()}
