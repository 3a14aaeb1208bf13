"""What the page shows of a pair of worlds at one moment, as plain strings (built in the session's engine thread).

The page never reads a model directly: after every change the session's
engine (`viewer.engine`) builds a `PairView` here and publishes it, so the page
only ever draws finished, unchanging content. One chart per measure holds both
worlds as two lines in their own colours, on rolling 30-day values (averages
since day 0 swing wildly in the first weeks, then hardly move).
"""

from __future__ import annotations

from dataclasses import dataclass

from viewer.charts import pair_chart
from viewer.i18n import label
from viewer.journey import Event, events, family_episodes, timeline_svg
from viewer.picture import network_picture
from viewer.session import WorldPair, matching_preset
from viewer.strip import StripItem, strip_items
from viewer.words import WORLD_COLOURS, fmt_number, fmt_value, preset_name


@dataclass(frozen=True)
class WorldView:
    """One world's part of the page."""

    preset: str | None
    levers: dict[str, bool]
    name: str
    headline: dict[str, float | int | None]
    picture: str
    known: int  # families known to a service now
    dots: int  # of which drawn (a fair sample when there are many)
    journey_svg: str
    journey_events: tuple[Event, ...]


@dataclass(frozen=True)
class PairView:
    """Both worlds, the day, the population shown, the comparison strip and the charts."""

    day: int
    at_end: bool
    families: int
    worlds: tuple[WorldView, WorldView]
    strip: tuple[StripItem, ...] = ()
    charts: tuple[str, ...] = ()


def world_name(levers: dict[str, bool], lang: str) -> str:
    """A world's way of working: its preset's name, or "custom"."""
    preset = matching_preset(levers)
    return preset_name(preset, lang) if preset else label("custom", lang)


def _charts(pair: WorldPair, lang: str, names: list[str]) -> tuple[str, ...]:
    worlds = pair.worlds
    days = worlds[0].history.day
    x_title = label("axis_days", lang)

    def num(v: float) -> str:
        return fmt_number(v, lang, 0 if abs(v) >= 10 or float(v).is_integer() else 1)

    cost = [list(w.history.cost_30) for w in worlds]
    # EUR million on a municipality's scale, EUR thousand for a small population (a million axis would read 0.0).
    millions = max((v for c in cost for v in c), default=0.0) >= 1e6
    unit = 1e6 if millions else 1e3

    def eur(v: float) -> str:
        return fmt_number(v, lang, 1 if 0 < v < 10 and not float(v).is_integer() else 0)

    specs = (
        ("waiting", "chart_waiting", "axis_waiting", [w.history.waiting_total for w in worlds], num,
         lambda v: fmt_value(v, "count", lang)),
        ("tth", "chart_tth", "axis_days_to_help", [w.history.time_to_help_30 for w in worlds], num,
         lambda v: fmt_value(v, "days", lang, 1)),
        ("dropout", "chart_dropout", "axis_percent",
         [[None if v is None else 100 * v for v in w.history.dropout_30] for w in worlds], num, lambda v: fmt_value(v, "%", lang)),
        ("cost", "chart_cost", "axis_eur_m" if millions else "axis_eur_k", [[v / unit for v in c] for c in cost], eur,
         lambda v: fmt_value(None if v is None else v * unit, "eur", lang)),
    )
    return tuple(pair_chart(label(title, lang), label(y_title, lang), x_title, days, lines, names, WORLD_COLOURS, tick, value,
                            chart_id=kind)
                 for kind, title, y_title, lines, tick, value in specs)


def build(pair: WorldPair, lang: str, family: int | None, coordinators: bool = True) -> PairView:
    """Draw both worlds of ``pair`` in ``lang``; ``family`` is the family whose journey is shown."""
    with pair.lock:
        worlds = pair.worlds
        names = [world_name(pair.levers[side], lang) for side in (0, 1)]
        x_from, x_to = 0.0, float(pair.day)
        if family is not None:
            onsets = [ep.onset - w.w0 for w in worlds for ep in family_episodes(w, family)]
            x_from = min(onsets, default=0.0)
        views = []
        for side, w in enumerate(worlds):
            j_svg, j_events = "", ()
            if family is not None:
                j_svg = timeline_svg(w, family, lang, x_from, max(x_to, x_from + 7), journey_id=str(side))
                j_events = tuple(e for e in events(w, family, lang) if e.day >= x_from)
            picture, known, dots = network_picture(w, lang, family, picture_id=str(side), coordinators=coordinators)
            views.append(WorldView(preset=matching_preset(pair.levers[side]), levers=dict(pair.levers[side]), name=names[side],
                                   headline=w.headline(), picture=picture, known=known, dots=dots,
                                   journey_svg=j_svg, journey_events=j_events))
        return PairView(day=pair.day, at_end=pair.at_end, families=len(worlds[0].model.families), worlds=tuple(views),
                        strip=strip_items(views[0].headline, views[1].headline, lang), charts=_charts(pair, lang, names))
