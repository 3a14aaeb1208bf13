"""Malformed scenario files: one message naming file, field, value and what is allowed (issue 4).

Each case mutates a copy of a real scenario file (sociaal_domein or jeugdhulp) in one place and checks the
loader's message; one case of each kind also goes through the command line (exit status 2, nothing written).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from sim import InputError, load_scenario

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"


def _mutated(tmp_path: Path, scenario: str, mutate: Callable[[dict], None]) -> Path:
    data = yaml.safe_load((SCENARIOS / f"{scenario}.yaml").read_text())
    mutate(data)
    path = tmp_path / f"{scenario}.yaml"  # a scenario's file is named as its name: field
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def _del(*keys: str) -> Callable[[dict], None]:
    def mutate(d: dict) -> None:
        for k in keys[:-1]:
            d = d[k]
        del d[keys[-1]]
    return mutate


def _set(value: object, *keys: str) -> Callable[[dict], None]:
    def mutate(d: dict) -> None:
        for k in keys[:-1]:
            d = d[k]
        d[keys[-1]] = value
    return mutate


def _entry_unknown(d: dict) -> None:
    d["levers"]["entry_organisation"] = "gemeentehuis"


def _door_unknown_org(d: dict) -> None:
    d["doors"]["value"]["youth_mental_health"] = {"jeugd_en_gezinsteam": 0.5, "kinderarts": 0.5}


def _door_undeclared_domain(d: dict) -> None:
    d["doors"]["value"]["housing"] = {"jeugd_en_gezinsteam": 1.0}


def _kappa_undeclared(d: dict) -> None:
    d["coupling"]["kappa"]["value"]["parenting"]["housing"] = 0.4


def _exclusion_undeclared(d: dict) -> None:
    d["organisations"]["schuldhulp"]["exclusions"]["value"] = {"gambling": 0.5}


def _staff_undeclared(d: dict) -> None:
    d["organisations"]["jeugd_ggz"]["professionals"]["value"] = {"youth_mental_health": 8, "autism": 2}


def _staff_negative(d: dict) -> None:
    d["organisations"]["jeugd_ggz"]["professionals"]["value"] = {"youth_mental_health": -3}


def _intake_negative(d: dict) -> None:
    d["organisations"]["veilig_thuis"]["intake_hours_per_week"] = {"value": -10, "assumption": "no range given"}


def _door_probability(d: dict) -> None:
    d["doors"]["value"]["safety"] = {"veilig_thuis": 1.4, "huisarts": -0.4}


def _recurrence_probability(d: dict) -> None:
    d["domains"]["education"]["recurrence_probability"] = {"value": 1.2, "source": "scp_reentry"}


def _missing_org_field(d: dict) -> None:
    del d["organisations"]["jeugdhulp_ambulant"]["payer"]


# (scenario, mutation, field named in the message, words of what is allowed)
CASES = [
    ("jeugdhulp", _missing_org_field, "organisations.jeugdhulp_ambulant.payer", "required"),
    ("sociaal_domein", _del("population", "n_families"), "population.n_families", "required"),
    ("sociaal_domein", _del("domains", "safety", "crisis_payer"), "domains.safety.crisis_payer", "required"),
    ("jeugdhulp", _entry_unknown, "levers.entry_organisation", "one of jeugd_en_gezinsteam"),
    ("jeugdhulp", _door_unknown_org, "doors.youth_mental_health.kinderarts", "declared name"),
    ("sociaal_domein", _set("gemeente", "organisations", "ggz", "payer"), "organisations.ggz.payer", "one of municipality"),
    ("jeugdhulp", _staff_negative, "organisations.jeugd_ggz.professionals.youth_mental_health", "number in [0.0, 100000.0]"),
    ("jeugdhulp", _intake_negative, "organisations.veilig_thuis.intake_hours_per_week", "(0.0, 100000.0]"),
    ("sociaal_domein", _set({"value": -1.0, "source": "cao_jeugdzorg"}, "organisations", "wijkteam", "hours_per_week"),
     "organisations.wijkteam.hours_per_week", "(0.0, 60.0]"),
    ("jeugdhulp", _door_probability, "doors.safety.veilig_thuis", "[0.0, 1.0]"),
    ("jeugdhulp", _recurrence_probability, "domains.education.recurrence_probability", "[0.0, 1.0]"),
    ("sociaal_domein", _set({"value": -0.1, "assumption": "x"}, "trust", "tau0"), "trust.tau0", "[0.0, 1.0]"),
    ("jeugdhulp", _door_undeclared_domain, "doors.housing", "declared name (parenting"),
    ("jeugdhulp", _kappa_undeclared, "coupling.kappa.parenting.housing", "declared name"),
    ("jeugdhulp", _exclusion_undeclared, "organisations.schuldhulp.exclusions.gambling", "declared domain"),
    ("jeugdhulp", _staff_undeclared, "organisations.jeugd_ggz.professionals.autism", "declared domain"),
    ("sociaal_domein", _set(["housing", "weather"], "organisations", "woningcorporatie", "mandate"),
     "organisations.woningcorporatie.mandate", "declared domains"),
]


@pytest.mark.parametrize(("scenario", "mutate", "field", "allowed"), CASES,
                         ids=[f"{c[0]}:{c[2]}" for c in CASES])
def test_malformed_scenario_message(tmp_path: Path, scenario: str, mutate, field: str, allowed: str) -> None:
    path = _mutated(tmp_path, scenario, mutate)
    with pytest.raises(InputError) as info:
        load_scenario(path)
    msg = str(info.value)
    assert msg.startswith(f"{path}: {field}: got "), msg
    assert allowed in msg, msg


def test_repeated_key_is_an_error(tmp_path: Path) -> None:
    """YAML keeps the last of two equal keys silently; a scenario file must not."""
    text = (SCENARIOS / "jeugdhulp.yaml").read_text()
    path = tmp_path / "twice.yaml"
    path.write_text(text.replace("  ggz:\n", "  ggz:\n    payer: municipality\n", 1))
    with pytest.raises(InputError) as info:
        load_scenario(path)
    assert str(path) in str(info.value) and "payer" in str(info.value) and "each key once" in str(info.value)


def _cli(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sim", *args], cwd=cwd, capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})


@pytest.mark.serial  # writes a file into the project's scenarios/ for a moment, which other tests list and load
@pytest.mark.parametrize(("mutate", "field", "value"), [
    (_entry_unknown, "levers.entry_organisation", "gemeentehuis"),
    (_staff_negative, "organisations.jeugd_ggz.professionals.youth_mental_health", "-3"),
    (_kappa_undeclared, "coupling.kappa.parenting.housing", "0.4"),
])
def test_malformed_scenario_through_cli(tmp_path: Path, mutate, field: str, value: str) -> None:
    """Selected on the command line, a malformed scenario exits 2 with one line and writes nothing."""
    name = f"_test_bad_{tmp_path.name}"[:60]
    bad = SCENARIOS / f"{name}.yaml"
    data = yaml.safe_load((SCENARIOS / "jeugdhulp.yaml").read_text())
    mutate(data)
    data["name"] = name
    try:
        bad.write_text(yaml.safe_dump(data, sort_keys=False))  # usable at once: no file in configs/ is needed
        out = tmp_path / "out"
        proc = _cli([f"scenario={name}", f"output_dir={out}"], tmp_path)
    finally:
        bad.unlink(missing_ok=True)
    assert proc.returncode == 2, proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, proc.stderr
    assert str(bad) in lines[0] and field in lines[0] and value in lines[0]
    assert not out.exists()
