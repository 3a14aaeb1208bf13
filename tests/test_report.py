"""The report builds from small sweeps of each design, and every figure it names exists and is non-empty."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image

from experiments.report import build_report
from experiments.sweep import run_sweep

CHANGED = "organisations.wijkteam.intake_hours"  # a value of the file changed for one sweep: its report says so
SMALL = ("n_families=3500", "horizon_days=365", "warm_up_days=100", "progress=false", "launcher=inprocess", "replications=2")

DESIGNS = {
    "lever_ablation": (["+experiment=lever_ablation", "experiment.units=[coordinator,one_door]"],
                       {"time_to_help", "dropout", "cost", "who_pays", "waiting", "ablation"}),
    "capacity_sweep": (["+experiment=capacity_sweep", "experiment.arms=[networked]", "experiment.scale=[0.8,1.0]",
                        f"+scenario.overrides.{CHANGED}=2.5"],
                       {"time_to_help", "dropout", "cost", "who_pays", "waiting", "capacity"}),
    "sensitivity": (["+experiment=sensitivity", "experiment.parameters=[behaviour.burden,coupling.c_max]",
                     "experiment.levers=[coordinator]", "experiment.trajectories=2",
                     "experiment.outputs=[tth_signal_mean,cost_total]"],
                    {"sensitivity_tth_signal_mean", "sensitivity_cost_total"}),
}


@pytest.mark.parametrize("design", list(DESIGNS))
def test_report_builds_with_every_figure(tmp_path: Path, design: str) -> None:
    args, expected = DESIGNS[design]
    folder = run_sweep(*SMALL, *args, f"out={tmp_path / design}")
    for lang, fmt in (("en", "md"), ("nl", "html")):
        report = build_report(folder, lang=lang, fmt=fmt)
        text = report.read_text(encoding="utf-8")
        named = set(re.findall(r"([\w]+)\.png", text))
        assert named == expected, (lang, named)
        for name in named:
            png = report.parent / f"{name}.png"
            assert png.stat().st_size > 10_000
            with Image.open(png) as im:
                assert im.info["dpi"][0] == pytest.approx(300, abs=1)  # print resolution
        assert "sociaal_domein" in text and "2" in text
        title = "social domain of a mid-sized municipality" if lang == "en" else "sociaal domein van een middelgrote gemeente"
        assert title in text  # the scenario's own name from its file, in the report's language
        assert (CHANGED in text) is (design == "capacity_sweep")
        if design == "sensitivity":  # the caption counts the factors really shown (2 parameters and 1 lever)
            assert ("all 3 factors" if lang == "en" else "alle 3 factoren") in text
    assert "uitval" in (folder / "report-nl" / "report.html").read_text(encoding="utf-8").lower() or design == "sensitivity"


def test_a_report_of_an_interrupted_sweep_says_which_runs_are_still_to_do(tmp_path: Path) -> None:
    import shutil

    from experiments.store import Store

    folder = run_sweep("scenario=zorg_veiligheid", "horizon_days=60", "warm_up_days=30", "progress=false",
                       "launcher=inprocess", "replications=2", f"out={tmp_path / 'sweep'}")
    store = Store(folder)
    keys = list(store.plan().key)
    for key in keys[:2]:  # as after Ctrl-C: one run was under way, one never started
        shutil.rmtree(store.runs / key)
    store.mark_running(keys[0])
    store.mark_interrupted(keys[0], "its process ended")
    for lang, words in (("en", "2 runs are left out above: 1 interrupted, 1 not run yet"),
                        ("nl", "2 runs ontbreken hierboven: 1 onderbroken, 1 nog niet gedraaid")):
        text = build_report(folder, lang=lang).read_text(encoding="utf-8")
        assert words in text


def test_a_report_before_any_run_finished_names_the_population(tmp_path: Path) -> None:
    import shutil

    from experiments.store import Store

    folder = run_sweep("scenario=zorg_veiligheid", "horizon_days=60", "warm_up_days=30", "progress=false",
                       "launcher=inprocess", "replications=2", f"out={tmp_path / 'sweep'}")
    shutil.rmtree(Store(folder).runs)  # as after Ctrl-C before the first run was stored
    text = build_report(folder).read_text(encoding="utf-8")
    assert "2,000 families" in text and "None" not in text and "0 of 4 runs succeeded" in text


def test_a_report_build_killed_earlier_leaves_nothing_behind_the_next(tmp_path: Path) -> None:
    folder = run_sweep("scenario=zorg_veiligheid", "horizon_days=60", "warm_up_days=30", "progress=false",
                       "launcher=inprocess", "replications=2", f"out={tmp_path / 'sweep'}")
    before = sorted(p.name for p in folder.iterdir())
    for name in ("..report-en.new.k1ll3d00", ".report-en.new", ".report-en.old"):  # as a build killed by SIGTERM leaves them
        (folder / name).mkdir()
        (folder / name / "time_to_help.png").write_bytes(b"half a figure")
    build_report(folder)
    assert sorted(p.name for p in folder.iterdir()) == sorted([*before, "report-en"])
