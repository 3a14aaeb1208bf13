"""The comparison strip: the headline measures of both worlds, each as "left -> right (difference)".

The room must see within seconds which world does better and at what cost. For
each measure the strip shows the left world's value, the right world's value
and the difference right minus left, coloured (with an arrow and a word, never
colour alone) by which way is better for that measure. Directions follow the
metric catalogue (`sim.metrics`, names and units too) where the measure is one of its
metrics, here over the last 30 days or since day 0 (said under the name);
waiting and in-help counts are the viewer's own (fewer waiting is better; more in help is neither,
since it also rises when more needs arise). A difference of two shares (the
catalogue's unit ``%``) is in percentage points: "+2.3 pp", "+2,3 procentpunt".
"""

from __future__ import annotations

from dataclasses import dataclass

from viewer.i18n import label
from viewer.words import BETTER, NEITHER, WORSE, fmt_number, fmt_value, metric_better, metric_label, metric_unit

# (headline key, catalogue metric or None, the viewer's label when None, period, and when not from the catalogue:
# unit, scale to display and direction; a catalogued measure takes all three from the catalogue)
MEASURES: tuple[tuple[str, str | None, str, str, str, float, str], ...] = (
    ("waiting", None, "m_waiting", "period_now", "count", 1.0, "lower"),
    ("time_to_help_30", "tth_signal_mean", "", "period_30", "", 0.0, ""),
    ("dropout_30", "dropout_share_episodes", "", "period_30", "", 0.0, ""),
    ("in_help", None, "m_in_help", "period_now", "count", 1.0, "neither"),
    ("cost", "cost_total", "", "period_day0", "", 0.0, ""),
    ("crises", "crises", "", "period_day0", "", 0.0, ""),
)

# Decimals per unit on the strip (None: chosen from the size, as euros shortened to k / M).
DECIMALS = {"count": 0, "days": 1, "%": 1}


@dataclass(frozen=True)
class StripItem:
    """One measure of the strip, ready to show."""

    key: str
    title: str
    period: str
    left: str
    right: str
    diff: str
    verdict: str  # "better", "worse", "same" or "neither" (for the right world against the left)

    @property
    def colour(self) -> str:
        """The colour of the difference."""
        return {"better": BETTER, "worse": WORSE}.get(self.verdict, NEITHER)


def verdict(diff: float | None, better: str) -> str:
    """Whether a difference (right minus left) is better, worse, the same or neither, given the direction."""
    if diff is None or better == "neither":
        return "neither"
    if abs(diff) < 1e-12:
        return "same"
    return "better" if (diff < 0) == (better == "lower") else "worse"


def diff_text(diff: float | None, unit: str, lang: str, decimals: int | None) -> str:
    """A signed difference in its unit; a difference of two shares (unit ``%``) in percentage points."""
    if diff is None:
        return "–"
    sign = "+" if diff > 0 else ("−" if diff < 0 else "±")
    if unit == "%":
        return f"{sign}{fmt_number(abs(diff), lang, 1 if decimals is None else decimals)} {label('unit_pp', lang)}"
    return sign + fmt_value(abs(diff), unit, lang, decimals)


def strip_items(left: dict[str, float | int | None], right: dict[str, float | int | None], lang: str) -> tuple[StripItem, ...]:
    """The strip from the two worlds' headline numbers (`viewer.world.World.headline`)."""
    out = []
    for key, catalogued, name, period, unit, scale, better in MEASURES:
        title = metric_label(catalogued, lang) if catalogued else label(name, lang)
        better = metric_better(catalogued) if catalogued else better
        unit, scale = metric_unit(catalogued) if catalogued else (unit, scale)
        decimals = DECIMALS.get(unit)
        a, b = left.get(key), right.get(key)
        a = None if a is None else a * scale
        b = None if b is None else b * scale
        diff = None if a is None or b is None else b - a
        out.append(StripItem(key, title, label(period, lang), fmt_value(a, unit, lang, decimals), fmt_value(b, unit, lang, decimals),
                             diff_text(diff, unit, lang, decimals), verdict(diff, better)))
    return tuple(out)
