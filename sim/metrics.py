"""The one catalogue of metrics: every measure a table, report or screen shows, with its names and unit.

A `Metric` is keyed by its column in a run's flat summary row
(`experiments.runspec.flatten_summary`) and carries its English and Dutch
label, its display unit, the scale from stored to displayed value (a share
stored as 0.45 shows as 45 %; a cost in euros as EUR million), and which way
is better. `make run`'s table, the sweep analysis and its report, and the
viewer read names, units and directions from here, so they cannot disagree
(before this catalogue ``crises_per_1000_families_per_year`` had no unit in one
table and "per 1000/yr" in another; its unit is ``per_1000_yr`` everywhere).

Costs per payer and per category (``cost_payer_<payer>``,
``cost_category_<category>``) are generated from `sim.scenario_spec.PAYERS`,
`sim.ledger.CATEGORIES` and their names in `sim.labels`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim import labels as names
from sim.errors import InputError
from sim.ledger import CATEGORIES
from sim.numbers import fmt_interval, fmt_value
from sim.scenario_spec import PAYERS

LANGS = ("en", "nl")
DIRECTIONS = ("lower", "higher", "neither")

# unit key -> (English, Dutch): how a column header or an axis names the unit
UNITS: dict[str, tuple[str, str]] = {
    "days": ("days", "dagen"),
    "%": ("%", "%"),
    "per_1000_yr": ("per 1000 families per year", "per 1000 gezinnen per jaar"),
    "eur": ("EUR", "euro"),
    "eur_m": ("EUR million", "miljoen euro"),
    "count": ("number", "aantal"),
    "per_family": ("per family", "per gezin"),
    "per_episode": ("per need", "per hulpvraag"),
    "hours": ("hours", "uren"),
    "severity_days": ("severity x days", "ernst x dagen"),
}


@dataclass(frozen=True)
class Metric:
    """One measure of a run.

    Attributes:
        key: its column in a run's flat summary row, e.g. ``tth_signal_mean``.
        en: English label.
        nl: Dutch label.
        unit: display unit key (a key of `UNITS`).
        scale: display value = stored value * scale.
        better: ``lower``, ``higher`` or ``neither`` (a cost shift between payers is neither good nor bad).
        what: one line (English, Dutch) saying what the metric measures.
    """

    key: str
    en: str
    nl: str
    unit: str
    scale: float
    better: str
    what: tuple[str, str] = ("", "")

    def label(self, lang: str) -> str:
        """The label in ``lang``."""
        return self.en if _lang(lang) == 0 else self.nl

    def display(self, stored: float | None) -> float:
        """The display value of a stored value (NaN for None)."""
        return float("nan") if stored is None else float(stored) * self.scale

    def format(self, stored: float | None, lang: str) -> str:
        """A stored value as text in ``lang`` (`sim.numbers.fmt_value` of the display value)."""
        return fmt_value(self.display(stored), self.unit, lang)

    def format_interval(self, m: float | None, lo: float | None, hi: float | None, lang: str) -> str:
        """A stored mean with its interval as text (`sim.numbers.fmt_interval`)."""
        return fmt_interval(*(self.display(v) for v in (m, lo, hi)), self.unit, lang)


def _lang(lang: str) -> int:
    if lang not in LANGS:
        raise InputError("lang", lang, "en or nl")
    return LANGS.index(lang)


def _m(key: str, en: str, nl: str, unit: str, scale: float, better: str, what_en: str, what_nl: str) -> Metric:
    return Metric(key, en, nl, unit, scale, better, (what_en, what_nl))


# The headline from onset (`sim.headline`): every problem or family whose need started in the window, helped or not.
_FROM_ONSET = [
    _m(f"cif_help_{d}", f"helped within {d} days of onset", f"geholpen binnen {d} dagen na ontstaan", "%", 100.0, "higher",
       f"share of needs that started in the window helped within {d} days, before dropout, crisis, remission or moving "
       "away (cumulative incidence, Aalen-Johansen)",
       f"aandeel van de in de meetperiode ontstane vragen dat binnen {d} dagen hulp kreeg, vóór uitval, crisis, herstel "
       "of verhuizing (cumulatieve incidentie, Aalen-Johansen)") for d in (30, 90, 180, 365)
] + [
    _m("families_helped_within_365_days", "families helped within 365 days of onset", "gezinnen geholpen binnen 365 dagen na ontstaan",
       "%", 100.0, "higher", "share of families with a new need that got help for any of their needs within 365 days of the first "
       "(cumulative incidence; leaving the population competes)",
       "aandeel gezinnen met een nieuwe vraag dat binnen 365 dagen na de eerste hulp kreeg voor een van hun vragen "
       "(cumulatieve incidentie; vertrek uit de populatie concurreert)"),
    _m("rmst_help_365_problem", "mean time to help in the first year, per need", "gemiddelde tijd tot hulp in het eerste jaar, per vraag",
       "days", 1.0, "lower", "of the first 365 days after onset, the mean number that passed before help; a need that "
       "ended without help counts all 365 (restricted mean time)",
       "van de eerste 365 dagen na ontstaan het gemiddelde aantal dat verstreek vóór de hulp; een vraag die zonder hulp "
       "eindigde telt alle 365 (begrensd gemiddelde)"),
    _m("rmst_help_365_family", "mean time to help in the first year, per family", "gemiddelde tijd tot hulp in het eerste jaar, per gezin",
       "days", 1.0, "lower", "of the first 365 days after a family's first new need, the mean number that passed before "
       "its first help (restricted mean time; a family that left counts all 365)",
       "van de eerste 365 dagen na de eerste nieuwe vraag van een gezin het gemiddelde aantal dat verstreek vóór de eerste "
       "hulp (begrensd gemiddelde; een vertrokken gezin telt alle 365)"),
    _m("families_helped_per_1000_per_year", "families helped per 1000 families per year", "geholpen gezinnen per 1000 gezinnen per jaar",
       "per_1000_yr", 1.0, "higher", "families whose help started in a measured year, counted once per year",
       "gezinnen bij wie in een gemeten jaar hulp begon, één keer per jaar geteld"),
    _m("problems_helped_per_1000_per_year", "needs helped per 1000 families per year", "geholpen vragen per 1000 gezinnen per jaar",
       "per_1000_yr", 1.0, "higher", "needs whose first help started in the window",
       "vragen waarvan de eerste hulp in de meetperiode begon"),
    _m("tth_onset_matched", "time to help from onset, needs helped in both arms", "tijd tot hulp vanaf ontstaan, vragen in beide varianten geholpen",
       "days", 1.0, "lower", "mean days from onset to first help over the needs that both ways of working helped "
       "(same family, need and seed): a contrast selection cannot move",
       "gemiddelde dagen van ontstaan tot eerste hulp over de vragen die beide werkwijzen hielpen (zelfde gezin, vraag en "
       "startgetal): een vergelijking die selectie niet verschuift"),
    _m("problems_from_onset", "needs that started in the window", "in de meetperiode ontstane vragen", "count", 1.0, "neither",
       "needs (problems and recurrences) whose onset lies in the window: the base of the headline per need",
       "vragen (problemen en terugvallen) die in de meetperiode ontstonden: de basis van de kerncijfers per vraag"),
    _m("families_from_onset", "families with a need that started in the window", "gezinnen met een in de meetperiode ontstane vraag",
       "count", 1.0, "neither", "families with at least one need whose onset lies in the window: the base of the headline per family",
       "gezinnen met minstens één vraag die in de meetperiode ontstond: de basis van de kerncijfers per gezin"),
]

_BASE = [
    _m("tth_onset_mean", "time to help from onset, mean", "tijd tot hulp vanaf ontstaan, gemiddeld", "days", 1.0, "lower",
       "days from the start of a need to the start of help, among needs helped", "dagen van het ontstaan van een hulpvraag tot het begin van de hulp, bij geholpen vragen"),
    _m("tth_onset_median", "time to help from onset, median", "tijd tot hulp vanaf ontstaan, mediaan", "days", 1.0, "lower",
       "half of the helped needs waited at most this long from their start", "de helft van de geholpen vragen wachtte hoogstens zo lang vanaf het ontstaan"),
    _m("tth_onset_p90", "time to help from onset, p90", "tijd tot hulp vanaf ontstaan, p90", "days", 1.0, "lower",
       "nine in ten helped needs waited at most this long from their start", "negen op de tien geholpen vragen wachtten hoogstens zo lang vanaf het ontstaan"),
    _m("tth_signal_mean", "time to help from signal, mean", "tijd tot hulp vanaf signaal, gemiddeld", "days", 1.0, "lower",
       "days from the moment a service knew of the need to the start of help", "dagen vanaf het moment dat een dienst de vraag kende tot het begin van de hulp"),
    _m("tth_signal_median", "time to help from signal, median", "tijd tot hulp vanaf signaal, mediaan", "days", 1.0, "lower",
       "half of the helped needs waited at most this long after the signal", "de helft van de geholpen vragen wachtte hoogstens zo lang na het signaal"),
    _m("tth_signal_p90", "time to help from signal, p90", "tijd tot hulp vanaf signaal, p90", "days", 1.0, "lower",
       "nine in ten helped needs waited at most this long after the signal", "negen op de tien geholpen vragen wachtten hoogstens zo lang na het signaal"),
    _m("share_helped_within_98_days", "helped within 98 days of signal", "geholpen binnen 98 dagen na signaal", "%", 100.0,
       "higher", "share of signalled needs helped within the Treeknorm total of 14 weeks (also counting those that ended first)",
       "aandeel gesignaleerde vragen dat binnen de Treeknorm van 14 weken hulp kreeg (ook vragen die eerder eindigden tellen mee)"),
    _m("share_helped", "helped, share of signalled needs", "geholpen, aandeel gesignaleerde vragen", "%", 100.0, "higher",
       "share of the needs signalled in the window that got help", "aandeel van de in de meetperiode gesignaleerde vragen dat hulp kreeg"),
    _m("dropout_share_episodes", "dropout, share of ended episodes", "uitval, aandeel beëindigde episodes", "%", 100.0, "lower",
       "share of needs that ended in the window because the family dropped out", "aandeel van de in de meetperiode beëindigde vragen dat eindigde doordat het gezin afhaakte"),
    _m("dropout_share_families", "dropout, share of families", "uitval, aandeel gezinnen", "%", 100.0, "lower",
       "share of families with a signalled need that dropped out at least once", "aandeel gezinnen met een gesignaleerde vraag dat minstens één keer afhaakte"),
    _m("crises_per_1000_families_per_year", "crises per 1000 families per year", "crises per 1000 gezinnen per jaar",
       "per_1000_yr", 1.0, "lower", "needs that ended in a crisis, per 1000 families per year",
       "vragen die in een crisis eindigden, per 1000 gezinnen per jaar"),
    _m("crises", "crises in the window", "crises in de meetperiode", "count", 1.0, "lower",
       "needs that ended in a crisis in the window", "vragen die in de meetperiode in een crisis eindigden"),
    _m("cost_total", "cost, total (window)", "kosten, totaal (meetperiode)", "eur_m", 1e-6, "lower",
       "euros booked in the measured window, all payers", "geboekte euro's in de meetperiode, alle betalers samen"),
    _m("cost_per_family_served", "cost per family served", "kosten per geholpen gezin", "eur", 1.0, "lower",
       "total cost divided by the families that had help in the window", "totale kosten gedeeld door de gezinnen die in de meetperiode hulp hadden"),
    _m("cost_per_resolved_need", "cost per resolved need", "kosten per opgeloste vraag", "eur", 1.0, "lower",
       "total cost divided by the needs resolved by help", "totale kosten gedeeld door de vragen die door hulp zijn opgelost"),
    _m("handoffs_per_family", "handoffs per family", "overdrachten per gezin", "per_family", 1.0, "lower",
       "referrals from one organisation to another, per family with a signalled need",
       "verwijzingen van de ene naar de andere organisatie, per gezin met een gesignaleerde vraag"),
    _m("handoffs_per_episode", "handoffs per need", "overdrachten per hulpvraag", "per_episode", 1.0, "lower",
       "referrals per signalled need", "verwijzingen per gesignaleerde vraag"),
    _m("intakes_per_family", "intakes per family", "intakes per gezin", "per_family", 1.0, "lower",
       "intakes a family went through (telling its story again)", "intakes die een gezin doorliep (het verhaal opnieuw vertellen)"),
    _m("intakes_per_episode", "intakes per need", "intakes per hulpvraag", "per_episode", 1.0, "lower",
       "intakes per signalled need", "intakes per gesignaleerde vraag"),
    _m("professionals_per_family", "professionals per family", "professionals per gezin", "per_family", 1.0, "lower",
       "different professionals a family met", "verschillende professionals die een gezin ontmoette"),
    _m("families", "families", "gezinnen", "count", 1.0, "neither",
       "families in the model", "gezinnen in het model"),
    _m("families_served", "families served", "geholpen gezinnen", "count", 1.0, "higher",
       "families that had help in the window", "gezinnen die in de meetperiode hulp hadden"),
    _m("episodes_signalled", "needs signalled", "gesignaleerde hulpvragen", "count", 1.0, "neither",
       "needs that became known to a service in the window", "vragen die in de meetperiode bij een dienst bekend werden"),
    _m("remissions", "needs that resolved by themselves", "vanzelf opgeloste vragen", "count", 1.0, "neither",
       "needs that ended without help (remission)", "vragen die zonder hulp eindigden (herstel)"),
    _m("ongoing_at_horizon", "needs still open at the end", "vragen nog open aan het eind", "count", 1.0, "lower",
       "needs neither resolved nor ended at the end of the run", "vragen die aan het eind van de run nog niet waren beëindigd"),
    _m("moved", "needs of families that left", "vragen van vertrokken gezinnen", "count", 1.0, "neither",
       "needs still open when their family left the population (moved away or aged out): censored, neither help nor dropout",
       "vragen die nog open waren toen het gezin vertrok (verhuisd of kind te oud): gecensureerd, geen hulp en geen uitval"),
    _m("families_left", "families that left", "vertrokken gezinnen", "count", 1.0, "neither",
       "families that left the population during the run (warm-up included); each was replaced by a new family",
       "gezinnen die tijdens de run vertrokken (inloop meegeteld); elk werd vervangen door een nieuw gezin"),
    _m("families_entered", "families that entered", "nieuwe gezinnen", "count", 1.0, "neither",
       "families that entered the population during the run, each in the place of one that left",
       "gezinnen die tijdens de run instroomden, elk op de plaats van een vertrokken gezin"),
    _m("unmet_need_severity_days", "unmet need (severity x days)", "onvervulde nood (ernst x dagen)", "severity_days", 1.0,
       "lower", "severity of needs without help, summed over the days they lasted",
       "ernst van vragen zonder hulp, opgeteld over de dagen dat ze duurden"),
    _m("productive_hours_available", "professional hours available", "beschikbare uren van professionals", "hours", 1.0,
       "neither", "productive hours of all professionals in the window", "productieve uren van alle professionals in de meetperiode"),
]

# Costs by payer and by category: a shift between payers is neither better nor worse in itself.
_COSTS = [
    _m(f"cost_payer_{p}", f"cost paid by {names.label('payer', p, 'en')}", f"kosten betaald door {names.label('payer', p, 'nl')}",
       "eur_m", 1e-6, "neither", f"euros booked to {names.label('payer', p, 'en')} in the window",
       f"euro's geboekt op {names.label('payer', p, 'nl')} in de meetperiode") for p in PAYERS
] + [
    _m(f"cost_category_{c}", f"cost of {names.label('category', c, 'en')}", f"kosten van {names.label('category', c, 'nl')}",
       "eur_m", 1e-6, "neither", f"euros booked as {names.label('category', c, 'en')} in the window",
       f"euro's geboekt als {names.label('category', c, 'nl')} in de meetperiode") for c in CATEGORIES
]

CATALOGUE: dict[str, Metric] = {m.key: m for m in _FROM_ONSET + _BASE + _COSTS}

# The outcomes a report and a comparison show first, in this order: the headline from onset (every need or family,
# helped or not), then time to help among helped (conditional on being helped), dropout, crises and cost.
FROM_ONSET: tuple[str, ...] = ("cif_help_30", "cif_help_90", "cif_help_180", "cif_help_365", "families_helped_within_365_days",
                               "rmst_help_365_problem", "rmst_help_365_family", "families_helped_per_1000_per_year",
                               "problems_helped_per_1000_per_year")
HEADLINE: tuple[str, ...] = FROM_ONSET + ("tth_onset_matched", "tth_signal_mean", "tth_signal_p90", "share_helped_within_98_days",
                                          "dropout_share_episodes", "crises_per_1000_families_per_year", "cost_total",
                                          "cost_per_family_served")


def metric(key: str) -> Metric:
    """The metric with this summary key.

    Raises:
        InputError: for a key not in the catalogue.

    Example:
        >>> metric("cost_total").unit, metric("dropout_share_episodes").scale
        ('eur_m', 100.0)
    """
    if key not in CATALOGUE:
        raise InputError("metric", key, f"a metric of the catalogue ({', '.join(CATALOGUE)})")
    return CATALOGUE[key]


def label(key: str, lang: str) -> str:
    """The label of metric ``key`` in ``lang``.

    Example:
        >>> label("tth_signal_mean", "nl")
        'tijd tot hulp vanaf signaal, gemiddeld'
    """
    return metric(key).label(lang)


def unit_label(unit: str, lang: str) -> str:
    """How a header or an axis names a unit in ``lang``: ``days``/``dagen``, ``EUR million``/``miljoen euro``.

    Raises:
        InputError: for an unknown unit or language.
    """
    i = _lang(lang)
    if unit not in UNITS:
        raise InputError("unit", unit, f"a unit of the catalogue ({', '.join(UNITS)})")
    return UNITS[unit][i]
