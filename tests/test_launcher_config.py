"""Launcher settings are checked before anything is written, and ``hydra.*`` keys of a single run are honoured or refused."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from helpers import ROOT

from experiments import slurm
from experiments.__main__ import main
from experiments.executors import chunks_for
from experiments.runspec import RunSpec
from experiments.store import Store
from experiments.submitit_executor import SubmititExecutor
from sim.cli import main as sim_main


@pytest.mark.parametrize(("args", "field"), [
    (["+launcher.parameters.slurm_partiton=debug"], "launcher.parameters.slurm_partiton"),
    (["launcher.parameters.timeout_min=soon"], "launcher.parameters.timeout_min"),
    (["launcher.jobs=0"], "launcher.jobs"),
    (["+launcher.runs_per_job=20"], "launcher.runs_per_job"),
])
def test_a_bad_launcher_setting_names_the_key_and_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture,
                                                                 args: list[str], field: str) -> None:
    out = tmp_path / "sweep"
    assert main(["run", "launcher=submitit_slurm", "launcher.parameters.slurm_partition=debug", *args, f"out={out}"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"error: {field}: got" in err[0] and "allowed:" in err[0], err
    if field.endswith("slurm_partiton"):
        assert "slurm_partition" in err[0]  # the allowed keys are listed
    assert list(tmp_path.iterdir()) == []


def test_slurm_without_a_controller_says_so_in_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))  # no sbatch, squeue or sinfo: a laptop
    assert main(["run", "launcher=submitit_slurm", "launcher.parameters.slurm_partition=debug", f"out={tmp_path / 's'}"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "error: launcher: got 'submitit_slurm'" in err[0] and "slurm-single-node.sh" in err[0], err
    assert not (tmp_path / "s").exists()


def test_chunking_follows_parallelism() -> None:
    specs = [{"n": i} for i in range(20)]
    chunks = chunks_for(specs, 8)
    assert len(chunks) == 8 and sorted(len(c) for c in chunks) == [2] * 4 + [3] * 4
    assert sorted(s["n"] for c in chunks for s in c) == list(range(20))
    assert len(chunks_for(specs[:3], 100)) == 3  # never more tasks than runs
    assert SubmititExecutor("slurm", {"slurm_array_parallelism": 5}).width() == 5
    assert SubmititExecutor("slurm", {}, jobs=7).width() == 7


def test_hydra_run_dir_sets_the_output_folder_and_other_hydra_keys_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    tiny = ["n_families=3500", "horizon_days=20", "warm_up_days=0"]
    assert sim_main([*tiny, f"hydra.run.dir={tmp_path / 'here'}"]) == 0
    assert (tmp_path / "here" / "summary.json").is_file()
    assert sim_main([*tiny, "hydra.job.chdir=true", f"output_dir={tmp_path / 'no'}"]) == 2
    assert "error: hydra.job.chdir: got 'true'" in capsys.readouterr().err
    assert not (tmp_path / "no").exists() and not (ROOT / "outputs" / "no").exists()


class VanishedJob:
    """A SLURM array task as submitit describes it, whose result file never appears."""

    def __init__(self, folder: Path) -> None:
        self.job_id = "42_0"
        self.paths = SimpleNamespace(result_pickle=folder / "42_0_result.pkl", stderr=folder / "42_0_log.err")


def test_a_task_gone_from_squeue_without_a_result_is_lost_after_the_stall_timeout(tmp_path: Path,
                                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(slurm, "accounting_state", lambda job_id: None)  # a cluster without accounting
    executor = SubmititExecutor("slurm", stall_timeout_s=30)
    executor._first_end = {}
    job = VanishedJob(tmp_path)
    assert executor._ended(job, {"42_0": "RUNNING"}, 0.0) is None
    assert executor._ended(job, {}, 1.0) is None  # just gone: its result may still be on its way
    assert executor._ended(job, None, 20.0) is None  # squeue did not answer: nothing is concluded
    assert executor._ended(job, {}, 31.5) == "LOST"
    job.paths.stderr.write_text("slurmstepd: error: *** JOB 43 ON vm CANCELLED AT 2026-11-28T09:00:16 DUE TO TIME LIMIT ***\n")
    executor._first_end = {"42_0": 0.0}
    assert executor._ended(job, {}, 11.0) == "TIMEOUT"  # the log says how it ended, before the stall timeout

    store = Store(tmp_path / "sweep")
    store.status_dir.mkdir(parents=True)
    store.runs.mkdir()
    spec = {"scenario": "sociaal_domein", "working": "networked", "levers": {}, "seed": 1}
    [result] = executor._results(store, job, [spec], "LOST")
    assert result["state"] == "interrupted"
    status = store.status(RunSpec.from_dict(spec).key)
    assert status["slurm_state"] == "LOST" and "stall timeout" in status["error"] and status["job_id"] == "42_0"
