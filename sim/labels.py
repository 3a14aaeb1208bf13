"""Names a user sees, in English and Dutch: payers, cost categories, levers, presets, outcomes, states, domains.

The model speaks in keys (``health_insurer``, ``case_table``, ``in_help``); a
table, figure, report or screen shows `label` of the key instead, so a Dutch
reader never meets an English snake_case name. A key without a name here (a
new domain in a new scenario) reads as words (``new_domain`` -> "new domain"),
never as a raw key.

Names that belong to one region live in its scenario file, in a ``labels``
block at the end of the file (read here by `read_labels`, kept as
`Scenario.labels`)::

    labels:
      scenario: {en: "a mid-sized Dutch municipality", nl: "een middelgrote Nederlandse gemeente"}
      organisations: {wijkteam: {en: "neighbourhood team", nl: "wijkteam"}, ...}
      domains: {parenting: {en: "parenting", nl: "opvoeding"}}   # optional, overrides the names below

`scenario_label` reads them, falling back to the tables here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sim.errors import InputError
from sim.levers.registry import LEVERS

if TYPE_CHECKING:
    from sim.scenario_spec import Scenario

LANGS = ("en", "nl")

# kind -> key -> (English, Dutch)
NAMES: dict[str, dict[str, tuple[str, str]]] = {
    "payer": {  # sim.scenario_spec.PAYERS
        "municipality": ("municipality", "gemeente"),
        "central_municipality": ("central municipality", "centrumgemeente"),
        "health_insurer": ("health insurer", "zorgverzekeraar"),
        "justice": ("justice", "justitie"),
        "housing_corporation": ("housing corporation", "woningcorporatie"),
        "education": ("education", "onderwijs"),
        "family": ("the family itself", "het gezin zelf"),
    },
    "category": {  # sim.ledger.CATEGORIES
        "intake": ("intake", "intake"),
        "help": ("help", "hulp"),
        "coordination": ("coordination", "regie"),
        "case_table": ("case table", "casustafel"),
        "crisis": ("crisis", "crisis"),
        "flex": ("flexible budget", "flexibel budget"),
        "learning": ("learning network", "lerend netwerk"),
        "place": ("place while waiting", "plek tijdens het wachten"),
    },
    "lever": {  # every registered lever by its key and by its switch (sim.levers.registry), and the lever groups of configs/levers
        **{key: cls.label for cls in LEVERS for key in dict.fromkeys((cls.name, cls.setting_name()))},
        "one_door": ("one door", "één deur"),
        "coordination": ("coordination", "regie"),
    },
    "preset": {  # the files of configs/working
        "fragmented": ("fragmented", "versnipperd"),
        "networked": ("networked", "netwerkend"),
        "coordinator_only": ("coordinator only", "alleen regisseur"),
        "network_light": ("network light", "licht netwerk"),
        "one_door": ("one door", "één deur"),
    },
    "outcome": {  # sim.episode.OUTCOMES, and the events of a time-to-help table (experiments.runspec)
        "resolved": ("resolved", "opgelost"),
        "dropped_out": ("dropped out", "uitgevallen"),
        "crisis": ("crisis", "crisis"),
        "ongoing": ("still open", "loopt nog"),
        "moved": ("family left (moved away or aged out)", "gezin vertrokken (verhuisd of kind te oud)"),
        "helped": ("helped", "geholpen"),
        "censored": ("still waiting at the end", "wacht nog aan het eind"),
    },
    "state": {  # the life-cycle states of sim.episode
        "latent": ("not yet reported", "nog niet gemeld"),
        "handoff": ("on the way to an organisation", "onderweg naar een organisatie"),
        "intake_queue": ("waiting for intake", "wacht op intake"),
        "intake": ("at intake", "bij intake"),
        "decision": ("waiting for a decision", "wacht op besluit"),
        "waiting": ("on a waiting list", "op de wachtlijst"),
        "in_help": ("being helped", "wordt geholpen"),
        "dormant": ("resolved, may come back", "opgelost, kan terugkomen"),
        "ended": ("ended", "beëindigd"),
    },
    "domain": {  # the domains of the scenario files (a file may override these in its labels block)
        "parenting": ("parenting", "opvoeding"),
        "child_development": ("child development", "ontwikkeling van het kind"),
        "youth_mental_health": ("youth mental health", "psychische gezondheid jeugd"),
        "education": ("education", "onderwijs"),
        "debt_income": ("debt and income", "schulden en inkomen"),
        "housing": ("housing", "wonen"),
        "safety": ("safety", "veiligheid"),
        "health_addiction": ("health and addiction", "gezondheid en verslaving"),
        "justice": ("justice", "justitie"),
    },
}
KINDS = tuple(NAMES)
SCENARIO_KINDS = ("scenario", "organisation", "domain")


def _lang(lang: str) -> int:
    if lang not in LANGS:
        raise InputError("lang", lang, "en or nl")
    return LANGS.index(lang)


def fallback(key: str) -> str:
    """A key without a name, as readable words: ``new_domain`` -> ``new domain``."""
    return str(key).replace("_", " ")


def label(kind: str, key: str, lang: str) -> str:
    """The name of ``key`` (a payer, category, lever, preset, outcome, state or domain) in ``lang``.

    Raises:
        InputError: for an unknown kind or language (an unknown key reads as words instead).

    Example:
        >>> label("payer", "health_insurer", "nl"), label("domain", "new_domain", "en")
        ('zorgverzekeraar', 'new domain')
    """
    i = _lang(lang)
    if kind not in NAMES:
        raise InputError("kind", kind, f"one of {', '.join(KINDS)}")
    pair = NAMES[kind].get(key)
    return pair[i] if pair else fallback(key)


@dataclass(frozen=True)
class ScenarioLabels:
    """The names of one scenario file in both languages (`read_labels`); empty when the file has none.

    Attributes:
        scenario: the scenario's title per language (``{"en": ..., "nl": ...}``).
        organisations: organisation key -> name per language.
        domains: domain key -> name per language (overrides `NAMES`).
    """

    scenario: dict[str, str] = field(default_factory=dict)
    organisations: dict[str, dict[str, str]] = field(default_factory=dict)
    domains: dict[str, dict[str, str]] = field(default_factory=dict)


def _pair(value: Any, path: str, where: str | None) -> dict[str, str]:
    """One name in both languages: ``{en: ..., nl: ...}`` with two non-empty strings."""
    if not isinstance(value, Mapping):
        raise InputError(path, value, "a mapping {en: <English name>, nl: <Dutch name>}", where)
    for key in value:
        if key not in LANGS:
            raise InputError(f"{path}.{key}", value[key], "only the languages en and nl", where)
    for lang in LANGS:
        text = value.get(lang)
        if not isinstance(text, str) or not text.strip():
            raise InputError(f"{path}.{lang}", text, "a non-empty name (both en and nl are required)", where)
    return {lang: value[lang] for lang in LANGS}


def option_organisations(raw: Mapping[str, Any]) -> tuple[str, ...]:
    """Organisations that only a scenario option or pathway adds (`sim.options`): they may be named too."""
    found: list[str] = []
    blocks: list[Any] = list((raw.get("options") or {}).values()) if isinstance(raw.get("options"), Mapping) else []
    pathway = raw.get("pathway")
    if isinstance(pathway, Mapping):
        blocks += [v for k, v in pathway.items() if k != "selected"]
    for block in blocks:
        changes = block.get("changes") if isinstance(block, Mapping) else None
        orgs = changes.get("organisations") if isinstance(changes, Mapping) else None
        if isinstance(orgs, Mapping):
            found += [str(k) for k in orgs]
    return tuple(dict.fromkeys(found))


def read_labels(data: Any, organisations: tuple[str, ...], domains: tuple[str, ...], where: str | None) -> ScenarioLabels:
    """Read and check a scenario's ``labels`` block (None: no block, every name falls back).

    Args:
        data: the block as in the file.
        organisations: the organisations it may name (the file's, and those its options add).
        domains: the domains it may name.
        where: the file, for messages.

    Raises:
        InputError: an unknown key, an unknown organisation or domain, or a name without both languages.
    """
    if data is None:
        return ScenarioLabels()
    if not isinstance(data, Mapping):
        raise InputError("labels", data, "a mapping with scenario, organisations and (optionally) domains", where)
    for key in data:
        if key not in ("scenario", "organisations", "domains"):
            raise InputError(f"labels.{key}", data[key], "a known key (scenario, organisations, domains)", where)
    if "scenario" not in data:
        raise InputError("labels.scenario", None, "the scenario's name {en: ..., nl: ...} (this field is required)", where)
    title = _pair(data["scenario"], "labels.scenario", where)
    out: dict[str, dict[str, dict[str, str]]] = {}
    for block, known, what in (("organisations", organisations, "an organisation"), ("domains", domains, "a domain")):
        names = data.get(block) or {}
        if not isinstance(names, Mapping):
            raise InputError(f"labels.{block}", names, f"a mapping of {block} to {{en: ..., nl: ...}}", where)
        for key in names:
            if key not in known:
                raise InputError(f"labels.{block}.{key}", key, f"{what} of this scenario ({', '.join(known)})", where)
        out[block] = {str(k): _pair(v, f"labels.{block}.{k}", where) for k, v in names.items()}
    return ScenarioLabels(scenario=title, organisations=out["organisations"], domains=out["domains"])


def scenario_label(spec: Scenario, kind: str, key: str, lang: str) -> str:
    """A name that belongs to one scenario: its title, an organisation or a domain, in ``lang``.

    Args:
        spec: the loaded scenario (its `Scenario.labels`).
        kind: ``scenario`` (``key`` is ignored: the scenario's own title), ``organisation`` or ``domain``.
        key: the organisation or domain key.
        lang: ``en`` or ``nl``.

    Falls back to the shared names (`label`) for a domain, and to readable words otherwise.
    """
    i = _lang(lang)
    names: ScenarioLabels = getattr(spec, "labels", None) or ScenarioLabels()
    if kind == "scenario":
        return names.scenario[LANGS[i]] if names.scenario else fallback(spec.name)
    if kind == "organisation":
        pair = names.organisations.get(key)
        return pair[LANGS[i]] if pair else fallback(key)
    if kind == "domain":
        pair = names.domains.get(key)
        return pair[LANGS[i]] if pair else label("domain", key, lang)
    raise InputError("kind", kind, f"one of {', '.join(SCENARIO_KINDS)}")
