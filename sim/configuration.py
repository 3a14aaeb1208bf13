"""The front door of configuration: where presets and scenarios live, and how they are listed, read and composed.

Everything that reads ``configs/`` or ``scenarios/`` goes through this module: the command line (`sim.cli`),
`load_run_config` (Python, without Hydra), the sweeps (`experiments.sweep`, `experiments.designs`) and the
workshop viewer. So there is one answer to "which scenarios and presets exist", one way to read a scenario
file strictly, and one Hydra composition with one mapping of its errors to `InputError`.

- **Scenarios** are the YAML files in ``scenarios/``; a file's stem is the scenario's name, and its ``name:``
  must say the same. A new file is usable at once (``scenario=<stem>`` on the command line and in sweeps):
  Hydra's ``scenario`` group is filled at compose time, for every file that has no entry in
  ``configs/scenario/``, with ``{name: <stem>, overrides: {}}`` (`_register_scenarios`). Files whose name
  starts with ``_`` are usable but not listed (scratch and test files).
- **Presets** (ways of working) are the files in ``configs/working``: a label and every lever's value.
"""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from sim.errors import InputError

if TYPE_CHECKING:
    from sim.config import RunConfig

ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = ROOT / "configs"
SCENARIO_DIR = ROOT / "scenarios"
# Top-level keys of configs/config.yaml that `load_run_config` takes as its defaults.
RUN_KEYS = ("seed", "horizon_days", "warm_up_days", "n_families")


def _stems(folder: Path, hidden: bool = False) -> list[str]:
    """Sorted stems of the YAML files in ``folder``; with ``hidden`` also those starting with ``_``."""
    return sorted(p.stem for p in folder.glob("*.yaml") if hidden or not p.stem.startswith("_"))


def scenarios() -> list[str]:
    """Scenario names on offer: the files in ``scenarios/`` (read afresh, so a new file shows up at once)."""
    return _stems(SCENARIO_DIR)


def presets() -> list[str]:
    """Ways of working on offer: the presets in ``configs/working``."""
    return _stems(CONFIG_DIR / "working")


def options(group: str) -> list[str]:
    """The options of a Hydra config group (``scenario``: the scenario files; others: ``configs/<group>``)."""
    if group == "scenario":
        return sorted({*scenarios(), *_stems(CONFIG_DIR / "scenario")})
    return _stems(CONFIG_DIR / group)


def scenario_path(name: str) -> Path:
    """The file of a scenario named ``name`` (it may not exist; `read_scenario` says so)."""
    return SCENARIO_DIR / f"{name}.yaml"


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe YAML loader that rejects a key given twice in one mapping (plain YAML keeps the last silently)."""


def _unique_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise InputError(f"{key} (line {key_node.start_mark.line + 1})", key, "each key once in its mapping (this one is repeated)",
                             loader.name)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _unique_mapping)


@functools.lru_cache(maxsize=32)
def _parse(text: str, where: str) -> Any:
    """The YAML ``text`` of the file at ``where``, parsed strictly (see `read_scenario`).

    Kept per text and path: a calibration or sweep loads one scenario file thousands of times, and parsing YAML in
    Python (about 0.2 s for a scenario) was most of building a run's configuration. Keyed by the text itself, so an
    edited file is parsed again; an error is raised every time (exceptions are not cached).
    """
    loader = _UniqueKeyLoader(text)
    loader.name = where
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        at = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "<file>"
        what = f"{exc.problem} ({exc.context})" if exc.problem and exc.context else exc.problem or exc.context
        raise InputError(at, what or str(exc).splitlines()[0], "well-formed YAML", where) from None
    except yaml.YAMLError as exc:
        raise InputError("<file>", str(exc).splitlines()[0], "well-formed YAML", where) from None
    finally:
        loader.dispose()


def read_scenario(name_or_path: str | Path) -> tuple[dict[str, Any], str]:
    """Read a scenario file into its raw mapping (provenance wrappers and all), strictly.

    Args:
        name_or_path: a name in ``scenarios/`` or a path to a YAML file.

    Returns:
        The mapping and the file's path as text (the ``where`` of every later message).

    Raises:
        InputError: no such scenario; a YAML syntax error (naming its line and column); a key given twice;
            not a mapping; a ``name:`` that differs from the file's name.
    """
    path = Path(name_or_path)
    if path.suffix not in (".yaml", ".yml"):
        path = scenario_path(str(name_or_path))
    where = str(path)
    if not path.is_file():
        raise InputError("scenario", str(name_or_path), f"a scenario file that exists ({', '.join(scenarios())})")
    # A copy: the parse is kept per text (`_parse`), and callers change the mapping they get.
    raw = copy.deepcopy(_parse(path.read_text(), where))
    if not isinstance(raw, dict):
        raise InputError("<root>", raw, "a mapping of scenario fields", where)
    # The name is the scenario's identity in every output and folder name; the file's stem selects it. Two names
    # for one scenario (a copied file not renamed inside) would label results with the wrong one.
    if isinstance(raw.get("name"), str) and raw["name"] != path.stem:
        raise InputError("name", raw["name"], f"the file's name, {path.stem!r} (rename the file or change name:)", where)
    return raw, where


def preset(name: str, field: str = "working") -> dict[str, Any]:
    """A preset of ``configs/working``: its ``working`` label and ``levers`` values.

    Args:
        name: the preset's name.
        field: the field to name if there is no such preset (e.g. ``experiment.arms`` in a sweep).
    """
    path = CONFIG_DIR / "working" / f"{name}.yaml"
    if not isinstance(name, str) or not path.is_file():
        raise InputError(field, name, f"a preset in configs/working ({', '.join(presets())})")
    data = yaml.safe_load(path.read_text())
    return {"working": data["working"], "levers": dict(data["levers"])}


def preset_levers(name: str, field: str = "working") -> dict[str, Any]:
    """The lever values of a preset in ``configs/working`` (a fresh dict the caller may change)."""
    return preset(name, field)["levers"]


def load_run_config(scenario: str = "sociaal_domein", working: str = "fragmented", **overrides: Any) -> RunConfig:
    """Build a `RunConfig` from a preset in ``configs/working`` plus overrides, without Hydra.

    The defaults (seed, horizon, warm-up, population) are those of ``configs/config.yaml``, as on the command line.

    Args:
        scenario: scenario name.
        working: preset name (a file in ``configs/working``).
        **overrides: top-level keys (seed, horizon_days, ...), ``levers={...}`` to update lever values,
            or ``scenario_overrides={...}`` to change values of the scenario file (`sim.overrides`).
    """
    # Imported here, not at the top: sim.scenario reads its files through this module, and sim.config imports it.
    from sim.config import RunConfig

    chosen = preset(working)
    base = yaml.safe_load((CONFIG_DIR / "config.yaml").read_text())
    data: dict[str, Any] = {k: base[k] for k in RUN_KEYS}
    scenario_overrides = overrides.pop("scenario_overrides", None) or {}
    data.update(scenario={"name": scenario, "overrides": scenario_overrides}, **chosen)
    data["levers"].update(overrides.pop("levers", {}))
    data.update(overrides)
    return RunConfig.from_mapping(data)


def _register_scenarios() -> None:
    """Offer every scenario file as an option of Hydra's ``scenario`` group (unless ``configs/scenario`` has it).

    Hydra finds group options in its config store as well as in ``configs/``, so a new file in ``scenarios/`` needs
    no companion file. Registering again is harmless (the store keeps the last node under a name).
    """
    from hydra.core.config_store import ConfigStore

    store = ConfigStore.instance()
    for name in _stems(SCENARIO_DIR, hidden=True):
        if not (CONFIG_DIR / "scenario" / f"{name}.yaml").is_file():
            store.store(group="scenario", name=name, node={"name": name, "overrides": {}})


def compose(config_name: str, overrides: list[str], example: str) -> dict[str, Any]:
    """Compose ``configs/<config_name>.yaml`` with Hydra's compose API; turn its errors into `InputError`.

    Args:
        config_name: the primary config (``config`` for one run, ``sweep`` for a sweep).
        overrides: ``key=value`` items as given on the command line.
        example: what a good override looks like, for the message on an item without ``=``.

    Returns:
        The composed configuration as plain containers, interpolations resolved.
    """
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from hydra.errors import HydraException
    from omegaconf import OmegaConf
    from omegaconf.errors import OmegaConfBaseException

    for item in overrides:
        if "=" not in item or item.startswith("-"):
            raise InputError("argument", item, f"key=value overrides ({example})")
    _register_scenarios()
    try:
        with initialize_config_dir(version_base="1.3", config_dir=str(CONFIG_DIR), job_name=f"ontschot-{config_name}"):
            cfg = hydra_compose(config_name=config_name, overrides=overrides)
    except (HydraException, OmegaConfBaseException) as exc:
        error = _compose_error(str(exc).strip().splitlines()[0], overrides)
        parent = error.field.rpartition(".")[0] if error.allowed.startswith("a known configuration key") else ""
        keys = _keys_at(config_name, parent, overrides) if parent else []
        if keys:  # a misspelt key under a known block (levers.coordinater): name the keys that block has
            error = InputError(error.field, error.value, f"one of the keys of {parent}: {', '.join(keys)}")
        raise error from None
    return OmegaConf.to_container(cfg, resolve=True)


def _keys_at(config_name: str, path: str, overrides: list[str]) -> list[str]:
    """The keys of the block at dotted ``path`` of ``config_name`` (none: not a block).

    Composed with the overrides that choose a config group (``+experiment=regimes``, ``scenario=jeugdhulp``): they
    decide which blocks there are. Only called on an error, so the second composition costs nothing in a good run.
    """
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from hydra.errors import HydraException
    from omegaconf import DictConfig
    from omegaconf.errors import OmegaConfBaseException

    groups = [o for o in overrides if "." not in o.split("=", 1)[0]]
    try:
        with initialize_config_dir(version_base="1.3", config_dir=str(CONFIG_DIR), job_name=f"ontschot-{config_name}"):
            node: Any = hydra_compose(config_name=config_name, overrides=groups)
    except (HydraException, OmegaConfBaseException):
        return []
    for part in path.split("."):
        if not isinstance(node, DictConfig) or part not in node:
            return []
        node = node[part]
    return sorted(str(k) for k in node) if isinstance(node, DictConfig) else []


def _compose_error(text: str, overrides: list[str]) -> InputError:
    """The `InputError` for Hydra's first message line ``text``: the override it names, its value, what is allowed."""
    items = [(o.split("=", 1)[0].lstrip("+~"), o.split("=", 1)[1], o) for o in overrides]
    # Hydra quotes the key ('levers.colour') or the group path ('scenario/atlantis'); a bare mention is a weaker sign.
    quoted = [i for i in items if f"'{i[0]}" in text or f"{i[0]}/" in text]
    named = quoted or [i for i in items if i[0] in text]
    if not named:
        return InputError("override", overrides, f"overrides Hydra can compose ({text})")
    field, value, item = max(named, key=lambda i: len(i[0]))  # the most specific key
    group = field.split(".")[0]
    known = options(group) if (CONFIG_DIR / group).is_dir() or group == "scenario" else []
    if known and "." not in field:  # a group option that does not exist (scenario=atlantis, launcher=slurmish)
        return InputError(field, value, f"one of {', '.join(known)}")
    if field.startswith("scenario.overrides.") and not item.startswith("+"):
        return InputError(field, value, f"a scenario value changed with a leading plus: +{field}={value}")
    return InputError(field, value, f"a known configuration key ({text})")
