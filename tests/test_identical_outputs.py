"""Identical outputs: speed-ups of the model must not change a single number for a fixed seed.

Golden digests of every output table (episodes, ledger, daily, daily_org, queues) and of the summary were
recorded, before the performance work of the benchmark issue, for a frozen copy of the default scenario
(``tests/data/golden_sociaal_domein.yaml``, never recalibrated) under both presets. The test reruns the same
configurations and compares digests, so any change to what the model computes fails here, naming the table.

The digest is canonical and independent of pandas' internal hashing: per column, the little-endian bytes of
its numeric values, or its values as text joined by a separator; floats are compared bit for bit.

After a DELIBERATE change of a mechanism (not an optimisation), regenerate the digests and say so in the
commit message::

    .venv/bin/python tests/test_identical_outputs.py --write
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from helpers import DATA, config

from sim import RunResult, run

SCENARIO = DATA / "golden_sociaal_domein.yaml"
DIGESTS = DATA / "golden_digests.json"
TABLES = ("episodes", "ledger", "daily", "daily_org", "queues")
PRESETS = ("fragmented", "networked")
# 15,000 families on the fixed staff of the scenario: waiting lists, breadth pulls and dropout while waiting all occur.
SETTINGS: dict[str, Any] = {"seed": 5, "n_families": 15000, "horizon_days": 730.0, "warm_up_days": 365.0}
REGENERATE = "  .venv/bin/python tests/test_identical_outputs.py --write"


def column_bytes(series: pd.Series) -> bytes:
    """Canonical bytes of one column: numeric values as little-endian binary, anything else as text."""
    if pd.api.types.is_bool_dtype(series.dtype):
        return series.to_numpy(dtype=np.uint8).tobytes()
    if pd.api.types.is_integer_dtype(series.dtype):
        return series.to_numpy(dtype="<i8").tobytes()
    if pd.api.types.is_float_dtype(series.dtype):
        return series.to_numpy(dtype="<f8").tobytes()
    return "\x1f".join("\x00" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)
                       for v in series.tolist()).encode()


def table_digest(df: pd.DataFrame) -> str:
    """SHA-256 over column names, row count and every column's canonical bytes, in order."""
    h = hashlib.sha256(f"{len(df)}|{','.join(df.columns)}".encode())
    for col in df.columns:
        h.update(b"\x1e" + col.encode() + b"\x1d")
        h.update(column_bytes(df[col]))
    return h.hexdigest()


def digests(result: RunResult) -> dict[str, str]:
    """Digest of each output table and of the summary (JSON with sorted keys; floats as repr)."""
    out = {name: table_digest(getattr(result, name)) for name in TABLES}
    out["summary"] = hashlib.sha256(json.dumps(result.summary, sort_keys=True).encode()).hexdigest()
    out["n_episodes"] = str(len(result.episodes))
    return out


def compute(preset: str) -> dict[str, str]:
    """Run the golden configuration of one preset and digest its outputs."""
    return digests(run(config(preset, scenario=SCENARIO, **SETTINGS)))


@pytest.mark.parametrize("preset", PRESETS)
def test_outputs_identical_to_golden(preset: str) -> None:
    stored = json.loads(DIGESTS.read_text())
    assert stored["settings"] == SETTINGS, "golden settings changed: regenerate the digests with\n" + REGENERATE
    now = compute(preset)
    differ = [k for k in now if now[k] != stored[preset][k]]
    assert not differ, (
        f"{preset}: outputs differ from the golden run in {differ} (episodes then {stored[preset]['n_episodes']}, "
        f"now {now['n_episodes']}). An optimisation must not change results; find the change. If the model was "
        f"changed on purpose, regenerate the digests and say so in the commit message:\n{REGENERATE}")


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python tests/test_identical_outputs.py --write   (records new golden digests)")
    record = {"settings": SETTINGS, "scenario": str(SCENARIO.relative_to(Path(__file__).resolve().parent.parent))}
    record.update({p: compute(p) for p in PRESETS})
    DIGESTS.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
    print(f"wrote {DIGESTS}")
