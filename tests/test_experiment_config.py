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
    (["+experiment=sensitivity", "experiment.method=sobol", "experiment.sobol_n=48"], "experiment.sobol_n"),
    (["+scenario.overrides.organisations.jeugdhulp.hourly_cost=5"], "scenario.overrides.organisations.jeugdhulp.hourly_cost"),
    (["scenario=atlantis"], "scenario"),
    (["launcher.workers=0"], "launcher.workers"),
    (["+experiment=regimes", "experiment.outcomes=[cost_totl]"], "experiment.outcomes"),
    (["+experiment=regimes", "experiment.outcomes=[cost_payer_justice]"], "experiment.outcomes"),  # neither better nor worse
    (["+experiment=regimes", "experiment.prim.alpha=0.5"], "experiment.prim.alpha"),
    (["+experiment=regimes", "experiment.samples=1"], "experiment.samples"),
    (["+experiment=regimes", "experiment.challenger=fragmented"], "experiment.challenger"),
]


@pytest.mark.parametrize(("args", "field"), CASES)
def test_bad_experiment_config_fails_before_any_run(tmp_path: Path, capsys: pytest.CaptureFixture, args: list[str], field: str) -> None:
    out = tmp_path / "sweep"
    assert main(["run", *args, "n_families=3500", f"out={out}"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and f"{field}: got" in err[0] and "allowed:" in err[0]
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


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
