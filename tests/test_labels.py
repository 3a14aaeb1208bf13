"""Names a user sees (`sim.labels`) in both languages, and the per-scenario names read from the scenario files.

Every payer, category, lever, preset, outcome, state and domain has a name; every scenario file names itself and
each of its organisations, and a bad ``labels`` block is refused like any other bad value.
"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest
import yaml

from sim import InputError, load_scenario
from sim.config import LeverSettings
from sim.episode import DECISION, DORMANT, ENDED, HANDOFF, IN_HELP, INTAKE, INTAKE_QUEUE, LATENT, OUTCOMES, WAITING
from sim.labels import KINDS, NAMES, label, option_organisations, scenario_label
from sim.ledger import CATEGORIES
from sim.scenario_spec import PAYERS

ROOT = Path(__file__).resolve().parent.parent
SCENARIO_FILES = sorted((ROOT / "scenarios").glob("*.yaml")) + sorted((ROOT / "tests" / "data").glob("*.yaml"))
PRESETS = sorted(p.stem for p in (ROOT / "configs" / "working").glob("*.yaml"))


def _named(kind: str, key: str) -> None:
    assert key in NAMES[kind], f"{kind} {key} has no name"
    en, nl = label(kind, key, "en"), label(kind, key, "nl")
    assert en and nl and "_" not in en + nl


def test_every_key_of_the_model_has_a_name() -> None:
    for p in PAYERS:
        _named("payer", p)
    for c in CATEGORIES:
        _named("category", c)
    for f in fields(LeverSettings):
        _named("lever", f.name)
    for preset in PRESETS:
        _named("preset", preset)
    for o in OUTCOMES:
        _named("outcome", o)
    for s in (LATENT, HANDOFF, INTAKE_QUEUE, INTAKE, DECISION, WAITING, IN_HELP, DORMANT, ENDED):
        _named("state", s)
    for path in SCENARIO_FILES:
        spec = load_scenario(path)
        for d in spec.domains:
            assert d in NAMES["domain"] or d in spec.labels.domains, f"{path.name}: domain {d} has no name"


def test_dutch_names_of_payers_categories_levers_presets() -> None:
    assert label("payer", "health_insurer", "nl") == "zorgverzekeraar"
    assert label("category", "case_table", "nl") == "casustafel"
    assert label("lever", "single_entry", "nl") == "één toegang"
    assert label("preset", "fragmented", "nl") == "versnipperd"


def test_unknown_key_reads_as_words_and_unknown_kind_is_refused() -> None:
    assert label("domain", "space_travel", "nl") == "space travel"
    assert label("preset", "my_own_way", "en") == "my own way"
    with pytest.raises(InputError, match="kind"):
        label("colour", "red", "en")
    with pytest.raises(InputError, match="lang"):
        label("payer", "justice", "fr")
    assert set(KINDS) == {"payer", "category", "lever", "preset", "outcome", "state", "domain"}


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.stem)
def test_every_scenario_file_names_itself_and_every_organisation(path: Path) -> None:
    raw = yaml.safe_load(path.read_text())
    spec = load_scenario(path)
    assert spec.labels.scenario["en"] and spec.labels.scenario["nl"]
    assert scenario_label(spec, "scenario", "", "nl") == spec.labels.scenario["nl"]
    every = list(raw["organisations"]) + [o for o in option_organisations(raw) if o not in raw["organisations"]]
    assert sorted(spec.labels.organisations) == sorted(every)
    for org in spec.organisations:
        for lang in ("en", "nl"):
            assert "_" not in scenario_label(spec, "organisation", org, lang)
    assert scenario_label(spec, "organisation", "not_here", "en") == "not here"


def test_a_domain_name_in_the_file_overrides_the_shared_one() -> None:
    spec = load_scenario(ROOT / "tests" / "data" / "mmc.yaml")
    assert scenario_label(spec, "domain", "d", "nl") == "hulpvraag"
    assert scenario_label(load_scenario("sociaal_domein"), "domain", "debt_income", "nl") == "schulden en inkomen"
    with pytest.raises(InputError, match="kind"):
        scenario_label(spec, "payer", "justice", "en")


def _write(tmp_path: Path, labels: object) -> Path:
    raw = yaml.safe_load((ROOT / "tests" / "data" / "mmc.yaml").read_text())
    raw["labels"] = labels
    path = tmp_path / "mmc.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True))
    return path


@pytest.mark.parametrize(("labels", "field", "allowed"), [
    ({"scenario": {"en": "x", "nl": "y"}, "organisations": {"town_hall": {"en": "a", "nl": "b"}}},
     "labels.organisations.town_hall", "an organisation of this scenario"),
    ({"scenario": {"en": "x", "nl": "y"}, "organisations": {"service": {"en": "a"}}},
     "labels.organisations.service.nl", "both en and nl"),
    ({"scenario": {"en": "x", "nl": "y", "de": "z"}}, "labels.scenario.de", "en and nl"),
    ({"scenario": {"en": "x", "nl": "y"}, "domains": {"e": {"en": "a", "nl": "b"}}}, "labels.domains.e", "a domain"),
    ({"organisations": {}}, "labels.scenario", "required"),
    ({"scenario": {"en": "x", "nl": "y"}, "colours": {}}, "labels.colours", "known key"),
    ("title", "labels", "a mapping"),
])
def test_bad_labels_block_is_an_input_error(tmp_path: Path, labels: object, field: str, allowed: str) -> None:
    path = _write(tmp_path, labels)
    with pytest.raises(InputError) as info:
        load_scenario(path)
    msg = str(info.value)
    assert str(path) in msg and field in msg and allowed in msg


def test_a_file_without_labels_still_loads_and_falls_back(tmp_path: Path) -> None:
    raw = yaml.safe_load((ROOT / "tests" / "data" / "mmc.yaml").read_text())
    del raw["labels"]
    path = tmp_path / "mmc.yaml"  # name: must equal the file name (sim.configuration)
    path.write_text(yaml.safe_dump(raw))
    spec = load_scenario(path)
    assert scenario_label(spec, "scenario", "", "nl") == "mmc"
    assert scenario_label(spec, "organisation", "service", "en") == "service"
