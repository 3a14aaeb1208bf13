"""Reproducibility: the same seed and configuration give the same numbers, in this process and in another.

Every draw is keyed on (seed, stream, keys) with a hash that does not depend on Python's salted ``hash``,
so a fresh interpreter with a different hash seed must produce bit-identical tables. A different seed must
produce different tables (otherwise the seed would not reach the draws).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from helpers import ROOT

from sim import RunResult, load_run_config, run

TABLES = ("episodes", "ledger", "daily", "daily_org", "queues")
SETTINGS = {"working": "networked", "n_families": 3500, "horizon_days": 365.0, "warm_up_days": 120.0}


def _run(seed: int) -> RunResult:
    return run(load_run_config(seed=seed, **SETTINGS))


def table_digest(result: RunResult) -> dict[str, str]:
    """SHA-256 of each table's values (row hashes in order) and of the summary as JSON."""
    out = {}
    for name in TABLES:
        df: pd.DataFrame = getattr(result, name)
        rows = pd.util.hash_pandas_object(df, index=True).to_numpy()
        out[name] = hashlib.sha256(rows.tobytes() + ",".join(df.columns).encode()).hexdigest()
    out["summary"] = hashlib.sha256(json.dumps(result.summary, sort_keys=True).encode()).hexdigest()
    return out


# The child process runs the same configuration and writes its episode table and digests.
CHILD = """
import json, sys
sys.path.insert(0, {tests!r})
from test_reproducibility import SETTINGS, table_digest
from sim import load_run_config, run
r = run(load_run_config(seed={seed}, **SETTINGS))
r.episodes.to_parquet({parquet!r})
json.dump(table_digest(r), open({digest!r}, "w"))
"""


@pytest.fixture(scope="module")
def first() -> RunResult:
    return _run(7)


def test_same_seed_same_tables_in_process(first: RunResult) -> None:
    again = _run(7)
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(first, name), getattr(again, name), check_exact=True)
    assert first.summary == again.summary
    assert len(first.episodes) > 100 and len(first.queues) > 50


def test_same_seed_same_tables_in_another_process(first: RunResult, tmp_path: Path) -> None:
    """A fresh interpreter (different hash seed) reproduces every table exactly."""
    parquet, digest = tmp_path / "episodes.parquet", tmp_path / "digest.json"
    code = CHILD.format(tests=str(Path(__file__).parent), seed=7, parquet=str(parquet), digest=str(digest))
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    pd.testing.assert_frame_equal(pd.read_parquet(parquet), first.episodes, check_exact=True)
    assert json.loads(digest.read_text()) == table_digest(first)


def test_different_seed_different_tables(first: RunResult) -> None:
    other = _run(8)
    assert not first.episodes.equals(other.episodes)
    assert table_digest(first)["episodes"] != table_digest(other)["episodes"]
    assert first.summary["cost_total"] != other.summary["cost_total"]
