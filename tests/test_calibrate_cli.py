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
