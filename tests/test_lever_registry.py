"""The lever registry is complete, and each lever's parameters are read and refused like any scenario value.

Every `Lever` subclass is registered once; every registered lever has a name and a one-line explanation in
both languages, a parameters class, and a switch in the lever settings; every preset in ``configs/working``
sets every registered switch (presets must be explicit). A scenario's ``levers`` block is read by the levers
themselves, so an unknown key there is still refused with the usual message.
"""

from __future__ import annotations

import inspect
from dataclasses import fields
from pathlib import Path

import pytest
import yaml

import sim.levers as levers_package
from sim import InputError, LeverSettings, load_scenario
from sim.config import LEVER_FLAGS, LEVER_SHARES
from sim.labels import LANGS, label
from sim.levers.base import Lever, LeverParams
from sim.levers.registry import BY_KEY, LEVERS, SWITCH_ORDER, is_on, switched

ROOT = Path(__file__).resolve().parent.parent


def _subclasses(cls: type) -> set[type]:
    out = set()
    for sub in cls.__subclasses__():
        out |= {sub, *_subclasses(sub)}
    return out


def test_every_lever_class_is_registered_once() -> None:
    defined = {obj for _, obj in inspect.getmembers(levers_package, inspect.isclass) if issubclass(obj, Lever)} - {Lever}
    assert defined <= set(LEVERS)
    assert {c for c in _subclasses(Lever) if c.__module__.startswith("sim.levers.")} == set(LEVERS)
    assert len(BY_KEY) == len(LEVERS)  # keys are unique


@pytest.mark.parametrize("cls", LEVERS, ids=lambda c: c.name)
def test_every_registered_lever_is_complete(cls: type[Lever]) -> None:
    assert cls.switch in ("flag", "share")
    assert issubclass(cls.Params, LeverParams) and cls.Params is not LeverParams
    assert len(cls.label) == len(LANGS) and len(cls.explanation) == len(LANGS)
    for i, lang in enumerate(LANGS):
        assert cls.label[i] and cls.explanation[i], f"{cls.name} lacks its {lang} name or explanation"
        assert label("lever", cls.name, lang) == cls.label[i] == label("lever", cls.setting_name(), lang)
    assert cls.label[0] != cls.explanation[0]
    assert cls.setting_name() in {f.name for f in fields(LeverSettings)}


def test_lever_settings_are_the_registered_switches() -> None:
    names = [f.name for f in fields(LeverSettings)]
    assert names == [*LEVER_FLAGS, *LEVER_SHARES]
    assert sorted(names) == sorted(c.setting_name() for c in LEVERS)
    assert LeverSettings().t_shaped_share is None and LeverSettings().coordinator is False


def test_a_switch_reads_and_sets_a_flag_and_a_share_alike() -> None:
    assert [c.setting_name() for c in SWITCH_ORDER] == [*LEVER_FLAGS, *LEVER_SHARES]
    networked = {"coordinator": True, "t_shaped_share": 0.4}
    assert is_on("coordinator", networked) and is_on("t_shaped", networked)
    assert not is_on("coordinator", {"coordinator": False}) and not is_on("t_shaped", {"t_shaped_share": None})
    assert not is_on("t_shaped", {})  # a share not set keeps the status quo
    assert switched("coordinator", True, networked) == {"coordinator": True}
    assert switched("t_shaped", True, networked) == {"t_shaped_share": 0.4}
    assert switched("t_shaped", False, networked) == {"t_shaped_share": None}
    for key in BY_KEY:  # switching a lever and reading it back agree
        for on in (False, True):
            assert is_on(key, switched(key, on, networked | {c.setting_name(): 0.4 for c in LEVERS if c.switch == "share"})) is on


@pytest.mark.parametrize("path", sorted((ROOT / "configs" / "working").glob("*.yaml")), ids=lambda p: p.stem)
def test_every_preset_sets_every_registered_switch(path: Path) -> None:
    levers = yaml.safe_load(path.read_text())["levers"]
    assert set(levers) == {c.setting_name() for c in LEVERS}


def test_each_lever_reads_its_own_parameters() -> None:
    spec = load_scenario("sociaal_domein")
    assert set(spec.levers.by_lever) == set(BY_KEY)
    for key, params in spec.levers.by_lever.items():
        assert isinstance(params, BY_KEY[key].Params)
    # The file gives the notice rate per year; the lever holds it per day.
    raw = yaml.safe_load((ROOT / "scenarios" / "sociaal_domein.yaml").read_text())["levers"]
    assert spec.levers.coordinator.notice_rate == raw["coordinator_notice_rate_per_year"]["value"] / 365.0
    assert spec.levers.coordinator.hours_per_week == raw["coordinator_hours_per_week"]["value"]
    assert spec.levers.entry_organisation == raw["entry_organisation"]
    assert spec.levers.replace("single_entry", form="step").single_entry.form == "step"
    assert spec.levers.single_entry.form == "no_wrong_door"  # replace gives a copy


def _scenario_with(tmp_path: Path, **changes: object) -> Path:
    data = yaml.safe_load((ROOT / "scenarios" / "sociaal_domein.yaml").read_text())
    data["levers"].update({k: {"value": v, "assumption": "a test value"} for k, v in changes.items()})
    path = tmp_path / "sociaal_domein.yaml"  # a scenario's file is named as its name: field
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_an_unknown_lever_parameter_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        load_scenario(_scenario_with(tmp_path, coordinator_hours_a_week=2.0))
    assert err.value.field == "levers.coordinator_hours_a_week"
    assert "a known key" in str(err.value) and "coordinator_hours_per_week" in str(err.value)


@pytest.mark.parametrize(("key", "value", "allowed"), [
    ("coordinator_max_families", 2.5, "an integer in [1, 1000]"),
    ("single_entry_form", "maybe", "one of no_wrong_door, step"),
    ("warm_dropout", 0.9, "at most behaviour.p_cold_dropout"),
])
def test_a_bad_lever_parameter_names_its_key(tmp_path: Path, key: str, value: object, allowed: str) -> None:
    with pytest.raises(InputError) as err:
        load_scenario(_scenario_with(tmp_path, **{key: value}))
    assert err.value.field == f"levers.{key}" and allowed in str(err.value)
