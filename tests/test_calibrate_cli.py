"""`python -m experiments.calibrate`: bad flags and an impossible ``--validate-only`` end with exit 2 and write nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from experiments import calibrate


@pytest.fixture
def record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A record with jeugdhulp only, and a document path, both in a temporary folder."""
    rec = tmp_path / "calibration-record.json"
    rec.write_text(json.dumps({"scenarios": {"jeugdhulp": {"fit": {}, "validation": {}}}}))
    monkeypatch.setattr(calibrate, "RECORD", rec)
    monkeypatch.setattr(calibrate, "DOC", tmp_path / "calibration.md")
    return rec


def test_validate_only_needs_an_earlier_calibration(record: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = record.read_text()
    assert calibrate.main(["--validate-only", "--scenarios", "sociaal_domein"]) == 2
    err = capsys.readouterr().err
    assert "--validate-only" in err and "sociaal_domein" in err and "allowed: jeugdhulp" in err, err
    assert record.read_text() == before
    assert not (record.parent / "calibration.md").exists()


def test_unknown_scenario_is_refused(record: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert calibrate.main(["--validate-only", "--scenarios", "atlantis"]) == 2
    err = capsys.readouterr().err
    assert "--scenarios" in err and "atlantis" in err and "sociaal_domein" in err, err
    assert not (record.parent / "calibration.md").exists()


def test_the_default_budget_is_that_of_each_stored_ensemble() -> None:
    # `make calibrate` with no arguments must rebuild the ensemble the repository ships, not a smaller one from fewer
    # waves that would replace it (the stored ensemble's record says how many waves made it).
    shipped = json.loads(calibrate.RECORD.read_text())["scenarios"]
    with_ensemble = {s: rec["ensemble"] for s, rec in shipped.items() if "ensemble" in rec}
    assert with_ensemble, "no stored ensemble on record"
    for scenario, ens in with_ensemble.items():
        assert calibrate.SHIPPED_WAVES[scenario] == ens["waves"], scenario
        assert (calibrate.ROOT / ens["file"]).is_file(), ens["file"]
    assert set(calibrate.SHIPPED_WAVES) == set(calibrate.FIT_FAMILIES)


def test_negative_waves_are_refused(record: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert calibrate.main(["--waves", "-1", "--scenarios", "jeugdhulp"]) == 2
    err = capsys.readouterr().err
    assert "--waves: got -1; allowed: an integer >= 0" in err, err
    assert not (record.parent / "calibration.md").exists()


@pytest.mark.parametrize("flag", ["--wave-size", "--replications", "--workers", "--fit-families"])
def test_a_count_below_one_is_refused_by_name(flag: str, record: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert calibrate.main([flag, "0", "--scenarios", "jeugdhulp"]) == 2
    assert f"{flag}: got 0; allowed: an integer >= 1" in capsys.readouterr().err
    assert not (record.parent / "calibration.md").exists()


def test_the_default_emulator_gradient_is_that_of_each_stored_ensemble() -> None:
    # Likewise for how the emulators were fitted: another gradient gives other designs, hence other members. A record
    # without the field predates the analytic gradient (2026-11-29), so its emulators were fitted by finite differences.
    shipped = json.loads(calibrate.RECORD.read_text())["scenarios"]
    for scenario, rec in shipped.items():
        if "ensemble" in rec:
            made = rec["ensemble"].get("emulator_gradient", "finite-differences")
            assert calibrate.SHIPPED_GRADIENT.get(scenario, "analytic") == made, scenario


def test_an_unknown_emulator_gradient_is_refused(record: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert calibrate.main(["--emulator-gradient", "newton", "--scenarios", "jeugdhulp"]) == 2
    err = capsys.readouterr().err
    assert "--emulator-gradient: got 'newton'; allowed: analytic, finite-differences" in err, err
    assert not (record.parent / "calibration.md").exists()
