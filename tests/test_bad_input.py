"""Bad input: one message naming field, value and what is allowed; exit status 2; nothing written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from sim import InputError, load_scenario

ROOT = Path(__file__).resolve().parent.parent


def _cli(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sim", *args], cwd=cwd, capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})


@pytest.mark.parametrize(("args", "field", "allowed"), [
    (["levers.colour=true"], "levers.colour", "one of the keys of levers: case_table, coordinator"),
    (["colour=red"], "colour", "known configuration key"),
    (["working=half"], "working", "fragmented"),
    (["seed=abc"], "seed", "integer"),
    (["horizon_days=-5"], "horizon_days", "(0.0, 36500.0]"),
    (["levers.case_table=maybe"], "levers.case_table", "true or false"),
    (["levers.t_shaped_share=1.5"], "levers.t_shaped_share", "[0.0, 1.0]"),
    (["scenario=atlantis"], "scenario", "sociaal_domein"),
    (["not-an-override"], "argument", "key=value"),
])
def test_cli_rejects_bad_config(tmp_path: Path, args: list[str], field: str, allowed: str) -> None:
    out = tmp_path / "out"
    proc = _cli([*args, f"output_dir={out}"], tmp_path)
    assert proc.returncode == 2, proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, proc.stderr
    assert field in lines[0] and allowed in lines[0]
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [], "nothing may be written on bad input"


def _write(tmp_path: Path, mutate) -> Path:
    data = yaml.safe_load((ROOT / "scenarios" / "sociaal_domein.yaml").read_text())
    mutate(data)
    path = tmp_path / "sociaal_domein.yaml"  # a scenario's file is named as its name: field
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def _set_mandate(d: dict) -> None:
    d["organisations"]["ggz"]["mandate"] = ["health_addiction", "astrology"]


def _negative_capacity(d: dict) -> None:
    d["organisations"]["ggz"]["hours_per_week"]["value"] = -3


def _probability(d: dict) -> None:
    d["behaviour"]["p_cold_dropout"] = {"value": 1.7, "assumption": "no declared range, so the probability bound applies"}


def _outside_range(d: dict) -> None:
    d["behaviour"]["p_cold_dropout"]["value"] = 0.9


def _unknown_door(d: dict) -> None:
    d["doors"]["value"]["parenting"]["town_hall"] = 0.1


def _bare_number(d: dict) -> None:
    d["behaviour"]["call_delay_days"] = 14


def _missing(d: dict) -> None:
    del d["domains"]["housing"]["help_rate_per_year"]


def _unknown_key(d: dict) -> None:
    d["behaviour"]["mood"] = {"value": 1, "assumption": "x"}


def _wrong_type(d: dict) -> None:
    d["organisations"]["jeugdhulp"]["triage"] = "sometimes"


def _bad_source(d: dict) -> None:
    d["domains"]["parenting"]["recurrence_probability"]["source"] = "a_blog"


@pytest.mark.parametrize(("mutate", "field", "allowed"), [
    (_set_mandate, "organisations.ggz.mandate", "declared domains"),
    (_negative_capacity, "organisations.ggz.hours_per_week", "(0.0, 60.0]"),
    (_probability, "behaviour.p_cold_dropout", "[0.0, 1.0]"),
    (_outside_range, "behaviour.p_cold_dropout", "declared range [0.05, 0.3]"),
    (_unknown_door, "doors.parenting.town_hall", "declared name"),
    (_bare_number, "behaviour.call_delay_days", "assumption"),
    (_missing, "domains.housing.help_rate_per_year", "required"),
    (_unknown_key, "behaviour.mood", "known key"),
    (_wrong_type, "organisations.jeugdhulp.triage", "true or false"),
    (_bad_source, "domains.parenting.recurrence_probability.source", "sources table"),
])
def test_scenario_file_errors_name_file_field_value(tmp_path: Path, mutate, field: str, allowed: str) -> None:
    path = _write(tmp_path, mutate)
    with pytest.raises(InputError) as info:
        load_scenario(path)
    msg = str(info.value)
    assert str(path) in msg and field in msg and allowed in msg


def test_malformed_yaml(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("name: broken\ndomains: [unclosed\n")
    with pytest.raises(InputError, match="well-formed YAML") as info:
        load_scenario(path)
    assert str(info.value).startswith(f"{path}: line 3, column 1: got ")  # where the parser gave up: end of file


@pytest.mark.serial  # writes a file into the project's scenarios/ for a moment, which other tests list and load
def test_bad_scenario_file_through_cli(tmp_path: Path) -> None:
    """A malformed scenario selected on the command line also exits 2 and writes nothing."""
    scen_dir = ROOT / "scenarios"
    bad = scen_dir / "_test_bad_scenario.yaml"
    data = yaml.safe_load((scen_dir / "sociaal_domein.yaml").read_text())
    _set_mandate(data)
    data["name"] = "_test_bad_scenario"
    try:
        bad.write_text(yaml.safe_dump(data, sort_keys=False))
        out = tmp_path / "out"
        proc = _cli(["scenario=_test_bad_scenario", f"output_dir={out}"], tmp_path)
    finally:
        bad.unlink(missing_ok=True)
    assert proc.returncode == 2
    assert "organisations.ggz.mandate" in proc.stderr and "astrology" in proc.stderr
    assert not out.exists()


def test_cli_run_writes_outputs(tmp_path: Path) -> None:
    """A good run writes the Parquet tables and summary.json into the run's folder."""
    out = tmp_path / "run"
    proc = _cli(["working=networked", "levers.case_table=false", "seed=7", "horizon_days=200", "warm_up_days=50",
                 "n_families=3500", f"output_dir={out}"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    names = sorted(p.name for p in out.iterdir())
    assert names == ["config.yaml", "daily.parquet", "daily_org.parquet", "episodes.parquet", "ledger.parquet",
                     "queues.parquet", "summary.json"]
    import json

    summary = json.loads((out / "summary.json").read_text())
    assert summary["config"]["levers"]["case_table"] is False and summary["config"]["levers"]["coordinator"] is True
    assert summary["config"]["seed"] == 7


@pytest.mark.parametrize("where", ["a file", "under a file"])
def test_an_output_folder_that_cannot_be_written_is_refused_before_the_run(tmp_path: Path, where: str,
                                                                          capsys: pytest.CaptureFixture) -> None:
    from experiments.compare import main as compare_main

    taken = tmp_path / "taken"
    taken.write_text("a file the user keeps\n")
    out = taken if where == "a file" else taken / "out"
    proc = _cli(["n_families=3500", "horizon_days=20", "warm_up_days=0", f"output_dir={out}"], tmp_path)
    assert proc.returncode == 2, proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: output_dir: got "), proc.stderr
    # make run: refused before its runs, not after them when the table is written
    assert compare_main(["--scenario", "zorg_veiligheid", "--replications", "2", "--out", str(out)]) == 2
    err = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
    assert len(err) == 1 and err[0].startswith("error: --out: got "), err
    assert [p.name for p in tmp_path.iterdir()] == ["taken"] and taken.read_text() == "a file the user keeps\n"
