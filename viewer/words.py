"""Names and numbers on the viewer's screen, in English or Dutch, and the colours that mean the same everywhere.

The viewer's own phrases (buttons, titles, notes) live in `viewer.i18n`. The
names of things the model knows (organisations, domains, payers, levers,
presets, scenarios) and the measures it shares with the reports come from one
place for every output; this module is the viewer's door to them, so the page
never shows a raw key. Numbers follow the language: ``1,234.5`` in English,
``1.234,5`` in Dutch; money in EUR k / M (Dutch: "€ 1,2 mln").
"""

from __future__ import annotations

import functools

from sim import labels as shared
from sim import metrics, numbers
from sim.levers.registry import BY_KEY
from sim.scenario import SCENARIO_DIR, Scenario, load_scenario

# One colour per world, used for everything that belongs to it (strip, lines, titles, tags): the Okabe-Ito
# blue and reddish purple, told apart with colour-blindness and distinct from the picture's state colours.
WORLD_COLOURS = ("#0072B2", "#B4287F")
# Better / worse / neither for a difference between the worlds (with an arrow and a word, never colour alone).
BETTER, WORSE, NEITHER = "#1b7a3a", "#b3261e", "#555555"


def org_name(spec: Scenario, key: str, lang: str) -> str:
    """An organisation of a scenario (its name in the scenario file's ``labels`` block)."""
    return shared.scenario_label(spec, "organisation", key, lang)


def domain_name(spec: Scenario, key: str, lang: str) -> str:
    """A domain (need) of a scenario."""
    return shared.scenario_label(spec, "domain", key, lang)


def payer_name(key: str, lang: str) -> str:
    """A payer."""
    return shared.label("payer", key, lang)


def lever_name(key: str, lang: str) -> str:
    """A lever (a field of the lever settings, ``t_shaped`` for the T-shaped share)."""
    return shared.label("lever", key, lang)


def lever_info(key: str, lang: str) -> str:
    """What a lever does, in one line (its ``explanation`` in the lever registry)."""
    return BY_KEY[key].explanation[shared.LANGS.index(lang)]


def preset_name(key: str, lang: str) -> str:
    """A way of working (a preset file of ``configs/working``)."""
    return shared.label("preset", key, lang)


@functools.lru_cache(maxsize=32)
def _spec(name: str, mtime_ns: int) -> Scenario:
    del mtime_ns  # cache key only: an edited file is read afresh
    return load_scenario(name)


def scenario_name(key: str, lang: str) -> str:
    """A scenario's title, from its file's ``labels`` block."""
    path = SCENARIO_DIR / f"{key}.yaml"
    return shared.scenario_label(_spec(key, path.stat().st_mtime_ns), "scenario", key, lang)


def metric_label(key: str, lang: str) -> str:
    """The catalogue's label of a metric."""
    return metrics.label(key, lang)


def metric_better(key: str) -> str:
    """Which way is better for a catalogue metric: ``lower``, ``higher`` or ``neither``."""
    return metrics.metric(key).better


def metric_unit(key: str) -> tuple[str, float]:
    """The catalogue's display unit of a metric (a key of `sim.metrics.UNITS`) and its scale from stored to displayed."""
    m = metrics.metric(key)
    return m.unit, m.scale


def fmt_number(x: float | None, lang: str, decimals: int | None = None) -> str:
    """A number with the language's separators (`sim.numbers.fmt_number`)."""
    return numbers.fmt_number(x, lang, decimals)


def fmt_value(x: float | None, unit: str, lang: str, decimals: int | None = None) -> str:
    """A value in its unit (`sim.numbers.fmt_value`): ``eur`` shortened to k / M with its sign, ``%`` for percent."""
    return numbers.fmt_value(x, unit, lang, decimals)
