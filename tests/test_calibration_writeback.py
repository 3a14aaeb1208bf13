"""Writing calibrated values back: comments and order kept, prior and range kept, the file still loads."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from experiments.calibration.fit import Prior, Scale, node_at, overrides_for
from experiments.calibration.writeback import write_calibrated
from sim import load_scenario

ROOT = Path(__file__).resolve().parent.parent


def test_write_back_keeps_file_and_records_prior(tmp_path: Path) -> None:
    path = tmp_path / "jeugdhulp.yaml"
    shutil.copy(ROOT / "scenarios" / "jeugdhulp.yaml", path)
    before = path.read_text()
    raw = yaml.safe_load(before)
    prior = node_at(raw, "behaviour.wait_dropout_per_year")
    write_calibrated(path, {"behaviour.wait_dropout_per_year": 1.25, "organisations.ggz.intake_hours_per_week": 11}, "test, loss 0.1")
    after = path.read_text()
    # Only the two value lines changed; every comment and every other line is where it was.
    changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=True) if a != b]
    assert len(changed) == 2
    assert [ln for ln in before.splitlines() if ln.lstrip().startswith("#")] == \
           [ln for ln in after.splitlines() if ln.lstrip().startswith("#")]
    node = node_at(yaml.safe_load(after), "behaviour.wait_dropout_per_year")
    assert node["value"] == 1.25 and node["calibrated"] == "test, loss 0.1" and node["range"] == prior["range"]
    assert node["note"].startswith(f"prior {prior['value']}: ")
    # Calibrating again keeps the first prior, and the file loads as a scenario.
    write_calibrated(path, {"behaviour.wait_dropout_per_year": 1.5}, "again")
    assert node_at(yaml.safe_load(path.read_text()), "behaviour.wait_dropout_per_year")["note"] == node["note"]
    assert load_scenario(path).behaviour.wait_dropout_hazard == pytest.approx(1.5 / 365.0)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["jeugdhulp.yaml"], "no temporary file may be left"


def test_scales_stay_inside_declared_ranges() -> None:
    prior = Prior((0.02, 0.1), ((0.01, 0.05), (0.05, 0.5)), (False, False))
    assert prior.lo == pytest.approx(0.5) and prior.hi == pytest.approx(2.5)
    scale = Scale("s", ("a", "b"), "test")
    out = overrides_for((scale,), [prior], [3.0])
    assert out == {"a": 0.05, "b": 0.3}
