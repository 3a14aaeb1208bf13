"""The sweep layer: resume after SIGKILL, failure isolation, serial equals parallel, the submitit path, adaptive replications.

Runs are tiny (300 families, one measured year after 100 days of warm-up, about 0.3 s each): these tests
check the machinery, not the model.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from helpers import ROOT

from experiments.__main__ import main
from experiments.runspec import RunConfiguration, RunSpec
from experiments.store import Store, load_sweep
from experiments.sweep import compose, execute, validate

TINY = ["n_families=3500", "horizon_days=365", "warm_up_days=100", "progress=false"]


def tables(folder: Path) -> dict[str, pd.DataFrame]:
    """Every result table of a sweep, sorted, without run timings (the only thing allowed to differ)."""
    sw = load_sweep(folder)
    out = {}
    for name in ("summary", "cost", "waiting", "episodes"):
        df = getattr(sw, name)
        cols = [c for c in ("arm", "seed", "payer", "category", "day", "organisation") if c in df]
        out[name] = df.sort_values(cols, kind="stable").reset_index(drop=True)
    return out


def assert_same(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> None:
    for name in a:
        assert len(a[name]) > 0, name
        pd.testing.assert_frame_equal(a[name], b[name], check_exact=True, obj=name)


def sweep(folder: Path, *extra: str) -> Path:
    assert execute(validate(compose([*TINY, f"out={folder}", *extra])))["failed"] == 0
    return folder


def test_resume_after_sigkill_gives_every_run_once_and_equals_an_uninterrupted_sweep(tmp_path: Path) -> None:
    args = [*TINY, "replications=8", "launcher=inprocess"]
    killed = tmp_path / "killed"
    cmd = [sys.executable, "-m", "experiments", "run", *args, f"out={killed}"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    runs = killed / "runs"
    deadline = time.time() + 120
    while time.time() < deadline and (not runs.is_dir() or len([p for p in runs.iterdir() if not p.name.startswith(".")]) < 6):
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    done_before = len([p for p in runs.iterdir() if not p.name.startswith(".")])
    assert 6 <= done_before < 16, "the sweep must be killed halfway"

    assert main(["run", *args, f"out={killed}"]) == 0  # the same command again resumes
    store = Store(killed)
    keys = set(store.plan().key)
    assert len(keys) == 16
    assert sorted(p.name for p in runs.iterdir()) == sorted(keys)  # every run exactly once, nothing half-written left
    states = store.states(keys)
    assert (states.state == "succeeded").all()
    assert (states.attempts <= 2).all()  # only the run interrupted while running was attempted twice
    assert_same(tables(killed), tables(sweep(tmp_path / "whole", "replications=8", "launcher=inprocess")))


class FailingRun(RunConfiguration):
    """Raises for one configuration (networked, seed 2): everything else runs normally."""

    def instantiate(self, spec: RunSpec):  # noqa: ANN201
        if spec.working == "networked" and spec.seed == 2:
            raise ZeroDivisionError("a run that breaks on purpose")
        return super().instantiate(spec)


def test_one_failing_run_is_recorded_with_its_traceback_and_the_rest_completes(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    experiment = validate(compose([*TINY, "replications=3", "launcher=inprocess", "retries=1", f"out={tmp_path / 's'}"]))
    counts = execute(experiment, FailingRun())
    assert counts == {"runs": 6, "succeeded": 5, "failed": 1, "replications": 3}
    status = load_sweep(tmp_path / "s").status
    bad = status[status.state == "failed"]
    assert list(zip(bad.arm, bad.seed, strict=True)) == [("networked", 2)]
    assert bad.attempts.iloc[0] == 2  # retried once, as configured
    record = Store(tmp_path / "s").status(bad.key.iloc[0])
    assert "ZeroDivisionError: a run that breaks on purpose" in record["traceback"] and "instantiate" in record["traceback"]
    assert main(["status", str(tmp_path / "s")]) == 0
    assert "a run that breaks on purpose" in capsys.readouterr().out


@pytest.fixture(scope="module")
def serial(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pd.DataFrame]:
    """A small sweep run in this process, one run after another: the reference for the other executors."""
    return tables(sweep(tmp_path_factory.mktemp("serial") / "s", "replications=2", "launcher=inprocess"))


@pytest.mark.serial  # runs its own pool of two processes: alongside the parallel tests it would oversubscribe two cores
def test_serial_and_parallel_sweeps_give_identical_results(tmp_path: Path, serial: dict[str, pd.DataFrame]) -> None:
    parallel = sweep(tmp_path / "parallel", "replications=2", "launcher=pool", "launcher.workers=2")
    assert_same(serial, tables(parallel))


@pytest.mark.serial  # runs its own pool of two submitit jobs: alongside the parallel tests it would oversubscribe two cores
def test_submitit_local_executor_runs_a_sweep(tmp_path: Path, serial: dict[str, pd.DataFrame]) -> None:
    folder = sweep(tmp_path / "sub", "replications=2", "launcher=submitit_local", "launcher.jobs=2")
    assert (folder / ".submitit").is_dir()
    assert_same(serial, tables(folder))


def test_the_arms_of_a_seed_share_one_warm_up_and_give_the_tables_of_cold_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                                 serial: dict[str, pd.DataFrame]) -> None:
    from experiments import warmup_cache

    simulated: list[int] = []
    real_warm = warmup_cache.warm
    monkeypatch.setattr(warmup_cache, "warm", lambda cfg, progress=None: simulated.append(cfg.seed) or real_warm(cfg, progress))
    monkeypatch.setenv(warmup_cache.ENV, "off")
    cold = tables(sweep(tmp_path / "cold", "replications=2", "launcher=inprocess"))
    assert simulated == []  # switched off: every run simulates its own warm-up, as before the cache
    monkeypatch.setenv(warmup_cache.ENV, str(tmp_path / "cache"))
    warm = tables(sweep(tmp_path / "warm", "replications=2", "launcher=inprocess"))
    assert sorted(simulated) == [1, 2]  # one warm-up per seed, restored for the seed's other arm
    assert len(list((tmp_path / "cache").glob("*" + warmup_cache.SUFFIX))) == 2
    assert_same(cold, warm)
    assert_same(serial, warm)


def test_replications_are_added_until_the_headline_interval_is_narrow_enough(tmp_path: Path) -> None:
    wide = execute(validate(compose([*TINY, "replications=2", "launcher=inprocess", "target_ci_width=100000",
                                     f"out={tmp_path / 'a'}"])))
    assert wide["replications"] == 2
    narrow = execute(validate(compose([*TINY, "replications=2", "max_replications=5", "launcher=inprocess",
                                       "target_ci_width=0.0001", f"out={tmp_path / 'b'}"])))
    assert narrow["replications"] == 5 and narrow["runs"] == 10 and narrow["failed"] == 0
    plan = load_sweep(tmp_path / "b").plan
    assert sorted(plan[plan.arm == "networked"].seed) == [1, 2, 3, 4, 5]  # the same new seeds in every arm
