"""What the page shows of a pair of worlds at one moment, as plain strings (built under the pair's lock).

The page never reads a model directly: after every change the session's engine (`viewer.engine`) builds a
`PairView`, built here while the pair is locked, so the play thread cannot
advance a world half-way through a drawing. Charts of the same kind share one
y-axis range across the two worlds.
"""

from __future__ import annotations

from dataclasses import dataclass

from viewer.charts import line_chart, series_max
from viewer.i18n import code, label
from viewer.journey import Event, events, family_episodes, timeline_svg
from viewer.picture import network_svg
from viewer.session import WorldPair, matching_preset


@dataclass(frozen=True)
class WorldView:
    """One world's part of the page."""

    preset: str | None
    levers: dict[str, bool]
    headline: dict[str, float | int | None]
    picture: str
    charts: tuple[str, str, str, str]
    journey_svg: str
    journey_events: tuple[Event, ...]


@dataclass(frozen=True)
class PairView:
    """Both worlds, the day and the population shown."""

    day: int
    at_end: bool
    families: int
    worlds: tuple[WorldView, WorldView]


def build(pair: WorldPair, lang: str, family: int | None) -> PairView:
    """Draw both worlds of ``pair`` in ``lang``; ``family`` is the family whose journey is shown."""
    with pair.lock:
        worlds = pair.worlds
        waiting = [{code(k, lang): v for k, v in w.history.waiting.items()} for w in worlds]
        cost = [{code(k, lang): v for k, v in w.history.cost.items()} for w in worlds]
        tth = [{label("time_to_help", lang): w.history.time_to_help} for w in worlds]
        drop = [{label("dropout", lang): w.history.dropout} for w in worlds]
        kinds = (("waiting", "chart_waiting", waiting, False), ("tth", "chart_tth", tth, False),
                 ("dropout", "chart_dropout", drop, True), ("cost", "chart_cost", cost, False))
        charts: list[list[str]] = [[], []]
        for kind, title, data, percent in kinds:
            top = max(series_max(data[0]), series_max(data[1]))
            for side in (0, 1):
                charts[side].append(line_chart(label(title, lang), worlds[side].history.day, data[side], top, percent,
                                               chart_id=f"{kind}-{side}"))
        x_from, x_to = 0.0, float(pair.day)
        if family is not None:
            for w in worlds:
                for ep in family_episodes(w, family):
                    x_from = min(x_from, ep.onset - w.w0)
        views = []
        for side, w in enumerate(worlds):
            j_svg, j_events = "", ()
            if family is not None:
                j_svg = timeline_svg(w, family, lang, x_from, max(x_to, x_from + 7), journey_id=str(side))
                j_events = tuple(e for e in events(w, family, lang) if e.day >= x_from)
            views.append(WorldView(preset=matching_preset(pair.levers[side]), levers=dict(pair.levers[side]),
                                   headline=w.headline(), picture=network_svg(w, lang, family, picture_id=str(side)),
                                   charts=tuple(charts[side]), journey_svg=j_svg, journey_events=j_events))
        return PairView(day=pair.day, at_end=pair.at_end, families=len(worlds[0].model.families), worlds=tuple(views))
