"""The front door of configuration (`sim.configuration`) and the layering of the packages.

* ``import sim`` loads the model only: never ``experiments``, ``viewer`` or ``solara`` (checked in a fresh process).
* A new file in ``scenarios/`` is usable at once, on the command line and in sweeps, with no file in ``configs/``.
* A scenario whose ``name:`` differs from its file name is refused; a YAML syntax error names its line and column.
* Every reader of user input speaks through `sim.reader.Reader`: nullable numbers, ranges in words, command-line text.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import sim
from sim import InputError, RunConfig, configuration, load_scenario
from sim.reader import Reader, parse_text

ROOT = Path(__file__).resolve().parent.parent


def test_import_sim_loads_neither_experiments_nor_viewer_nor_solara() -> None:
    code = "import json, sys, sim; print(json.dumps(sorted(sys.modules)))"
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr
    loaded = json.loads(proc.stdout)
    assert "sim" in loaded
    forbidden = [m for m in loaded if m.split(".")[0] in ("experiments", "viewer", "solara")]
    assert forbidden == [], f"import sim loaded {forbidden}: the model must not import the layers built on it"


@pytest.fixture
def scenario_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A scenarios folder holding a copy of jeugdhulp only, in place of the project's own."""
    folder = tmp_path / "scenarios"
    folder.mkdir()
    shutil.copy(ROOT / "scenarios" / "jeugdhulp.yaml", folder / "jeugdhulp.yaml")
    monkeypatch.setattr(configuration, "SCENARIO_DIR", folder)
    return folder


def test_a_new_scenario_file_is_usable_at_once(scenario_dir: Path) -> None:
    """Copied and renamed (file and name:), a scenario runs by its name with no companion file in configs/."""
    text = (scenario_dir / "jeugdhulp.yaml").read_text()
    assert "\nname: jeugdhulp\n" in text
    (scenario_dir / "mijn_gemeente.yaml").write_text(text.replace("name: jeugdhulp\n", "name: mijn_gemeente\n", 1))
    assert not (ROOT / "configs" / "scenario" / "mijn_gemeente.yaml").exists()
    assert "mijn_gemeente" in configuration.scenarios()

    data = configuration.compose("config", ["scenario=mijn_gemeente", "working=networked"], "see --help")
    assert data["scenario"] == {"name": "mijn_gemeente", "overrides": {}}
    config = RunConfig.from_mapping(data, extra_keys=("output_dir",))
    assert config.scenario.name == "mijn_gemeente" and config.levers.coordinator

    from experiments.sweep import compose as compose_sweep

    assert compose_sweep(["scenario=mijn_gemeente"])["scenario"]["name"] == "mijn_gemeente"
    with pytest.raises(InputError) as info:
        configuration.compose("config", ["scenario=nergens"], "see --help")
    assert str(info.value).startswith("scenario: got 'nergens'; allowed: one of ") and "mijn_gemeente" in str(info.value)


def test_a_name_that_differs_from_the_file_name_is_refused(scenario_dir: Path) -> None:
    copy = scenario_dir / "kopie.yaml"
    shutil.copy(scenario_dir / "jeugdhulp.yaml", copy)
    for how in ("kopie", copy):
        with pytest.raises(InputError) as info:
            load_scenario(how)
        msg = str(info.value)
        assert msg.startswith(f"{copy}: name: got 'jeugdhulp'; allowed: the file's name, 'kopie'"), msg


def test_a_yaml_syntax_error_names_its_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "scheef.yaml"
    path.write_text("name: scheef\ndescription: x\ndomains:\n  a: 1\n b: 2\n")  # line 5 is indented by one space
    with pytest.raises(InputError) as info:
        load_scenario(path)
    assert str(info.value).startswith(f"{path}: line 5, column 2: got ") and "well-formed YAML" in str(info.value)


def test_presets_and_load_run_config_come_through_the_front_door() -> None:
    assert sim.load_run_config is configuration.load_run_config and sim.CONFIG_DIR == ROOT / "configs"
    assert {"fragmented", "networked"} <= set(configuration.presets())
    assert configuration.preset_levers("networked")["coordinator"] is True
    with pytest.raises(InputError, match=r"^experiment\.arms: got 'netwrked'; allowed: a preset in configs/working"):
        configuration.preset_levers("netwrked", field="experiment.arms")


def test_reader_reads_nullable_numbers_and_command_line_text() -> None:
    r = Reader.from_text({"families": "null", "seed": "7", "lang": "nl", "width": "0"})
    assert r.number("families", 10, 100, integer=True, nullable=True) is None
    assert r.number("seed", 0, integer=True) == 7 and r.string("lang", ("en", "nl")) == "nl"
    with pytest.raises(InputError, match=r"^width: got 0; allowed: a number > 0\.0 or null$"):
        r.number("width", 0.0, lo_open=True, nullable=True)
    with pytest.raises(InputError, match=r"^colour: got 'red'; allowed: a known key"):
        Reader.from_text({"colour": "red"}).finish()
    assert [parse_text(t) for t in ("3", "2.5", "true", "False", "null", "abc")] == [3, 2.5, True, False, None, "abc"]


def test_experiments_usage_names_every_experiment_and_launcher() -> None:
    """``python -m experiments --help`` offers every file of configs/experiment and configs/launcher (it once missed one)."""
    from experiments.__main__ import USAGE
    from sim.configuration import CONFIG_DIR

    for group in ("experiment", "launcher"):
        for path in sorted((CONFIG_DIR / group).glob("*.yaml")):
            assert path.stem in USAGE, f"{group} {path.stem} is missing from the usage text"


def test_a_scenario_file_edited_between_reads_is_read_again(tmp_path: Path) -> None:
    # The parse is kept per text (a calibration loads one file thousands of times): an edit of the same length, as
    # fast as the file system's clock allows, is still seen, and a caller's changes never reach the next reader.
    path = tmp_path / "sociaal_domein.yaml"
    text = (sim.scenario.SCENARIO_DIR / "sociaal_domein.yaml").read_text()
    path.write_text(text)
    first, _ = configuration.read_scenario(path)
    first["label_changed_by_caller"] = True
    again, _ = configuration.read_scenario(path)
    assert "label_changed_by_caller" not in again
    assert "n_families: {value: 10000" in text  # the edit below keeps the file's length
    path.write_text(text.replace("n_families: {value: 10000", "n_families: {value: 20000", 1))
    edited, _ = configuration.read_scenario(path)
    assert edited != again and configuration.read_scenario(path)[0] == edited
