"""Calibration regression: the calibrated fragmented status quo stays inside its published targets.

For each calibrated scenario, a few fragmented replications of the scenario file as committed are observed
with the calibration's own observation model. Every target that ``make calibrate`` recorded as met
(``docs/calibration-record.json``; docs/design.md E7: targets the model cannot meet are reported, not tested)
must still be reachable: the 95 % confidence interval of the mean over replications overlaps the target's
published band. A later change to the model or the files that moves the status quo away fails here.

Runs use the full population and the default window (one year of warm-up, three measured years), as the fit and
its validation did: waits come from queues, so capacity and demand must keep their proportion, and some queues
still lengthen over the years, so a shorter window would estimate another quantity. Three replications give a
wide interval; the test only has to catch a change that moves the status quo clearly out of a band.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from experiments.calibration.observe import observe
from experiments.calibration.report import mean_ci, status
from experiments.calibration.targets import OBSERVATIONS, TARGETS
from sim import load_run_config, run

ROOT = Path(__file__).resolve().parent.parent
RECORD = json.loads((ROOT / "docs" / "calibration-record.json").read_text())
SEEDS = (101, 102, 103)


@pytest.fixture(scope="module", params=["sociaal_domein", "jeugdhulp"])
def observed(request: pytest.FixtureRequest) -> tuple[str, dict[str, list[float]]]:
    scenario = request.param
    obs = [observe(run(load_run_config(scenario, "fragmented", seed=s)), OBSERVATIONS[scenario])
           for s in SEEDS]
    return scenario, {t.key: [o[t.key] for o in obs] for t in TARGETS}


def test_calibrated_targets_stay_in_their_band(observed: tuple[str, dict[str, list[float]]]) -> None:
    scenario, values = observed
    rec = RECORD["scenarios"][scenario]
    val = rec["validation"]["values"]
    met = [t for t in TARGETS if status(t, *mean_ci(val[t.key])[1:], mean_ci(val[t.key])[0]) in ("met", "met (CI)")]
    assert met, f"{scenario}: the calibration record lists no met target"
    outside = []
    for t in met:
        mean, lo, hi = mean_ci(values[t.key])
        if not (hi >= t.band[0] and lo <= t.band[1]):
            outside.append(f"{t.key}: mean {mean:.3g} [{lo:.3g}, {hi:.3g}] outside band {t.band}")
    assert not outside, f"{scenario}: " + "; ".join(outside)


def test_scenario_file_records_its_calibration() -> None:
    """Every fitted value sits in the scenario file as `calibrated`, with its range and prior kept."""
    import yaml

    from experiments.calibration.fit import node_at

    for scenario, rec in RECORD["scenarios"].items():
        raw = yaml.safe_load((ROOT / "scenarios" / f"{scenario}.yaml").read_text())
        if (rec.get("ensemble") or {}).get("members"):
            # History matching wrote its representative member; the file cites the ensemble it comes from.
            for p in rec["ensemble"]["parameters"]:
                node = node_at(raw, p["path"])
                assert node["value"] == p["representative"] and rec["ensemble"]["file"] in node["calibrated"], p["path"]
            continue
        for p in rec["fit"]["parameters"]:
            for path, value in zip(p["paths"], p["values"], strict=True):
                node = node_at(raw, path)
                assert node["value"] == value and "calibrated" in node and "range" in node and "prior" in node["note"], path
