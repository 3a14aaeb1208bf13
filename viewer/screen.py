"""The projector screen's pieces that are plain HTML: the style, the comparison strip, world headers, pictures, journeys.

Built from a finished snapshot (`viewer.engine.Snapshot`) as strings, so the
page (`viewer.app`) only places them. The style makes one screen of 1280x720
or 1920x1080 without scrolling: a column of fixed-height bars and a main area
that takes the rest, with text that scales with the screen width (about 18 px
at 1920).
"""

from __future__ import annotations

from html import escape

from viewer.engine import Snapshot
from viewer.i18n import label
from viewer.picture import sample_note
from viewer.session import LEVERS, scenario_families
from viewer.strip import StripItem
from viewer.views import PairView, WorldView
from viewer.words import WORLD_COLOURS, fmt_number, lever_name

CSS = """
html, body { overflow: hidden; }
.ontschot-root { height: 100vh; overflow: hidden; display: flex !important; flex-direction: column !important;
  padding: 4px 12px 6px 12px; box-sizing: border-box; font-size: clamp(13px, 0.95vw, 19px); gap: 4px !important; }
.ontschot-root .v-btn, .ontschot-root .v-label, .ontschot-root .v-select__selection, .ontschot-root input,
.ontschot-root .v-input { font-size: inherit !important; }
.ontschot-top { align-items: center !important; flex-wrap: nowrap !important; gap: 0 10px !important; flex: 0 0 auto;
  padding-top: 10px; }
.ontschot-top .v-input { margin-top: 0 !important; padding-top: 0 !important; }
.ontschot-title { font-weight: bold; font-size: 1.15em; white-space: nowrap; }
.ontschot-day { font-size: 1.7em; font-weight: bold; white-space: nowrap; min-width: 5.5em; }
.ontschot-status { font-size: 0.8em; color: #444; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; flex: 0 0 auto;
  min-height: 1.3em; }
.ontschot-status .behind { color: #b3261e; font-weight: bold; }
.ontschot-strip { display: grid; grid-template-columns: repeat(6, 1fr); gap: 6px; flex: 0 0 auto; }
.ontschot-strip .head { grid-column: 1 / -1; font-size: 0.85em; }
.ontschot-strip .item { border: 1px solid #ddd; border-radius: 6px; padding: 2px 8px; line-height: 1.25; }
.ontschot-strip .t { font-size: 0.8em; color: #333; }
.ontschot-strip .p { font-size: 0.7em; color: #666; }
.ontschot-strip .v { font-size: 1.15em; font-weight: bold; white-space: nowrap; }
.ontschot-strip .d { font-size: 0.95em; font-weight: bold; white-space: nowrap; }
.ontschot-root .ontschot-main { flex: 1 1 0; min-height: 0; display: grid !important; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr);
  gap: 10px; }
.ontschot-root .ontschot-left { min-height: 0; display: flex !important; flex-direction: column !important; gap: 2px !important; }
.ontschot-left > * { flex: 0 0 auto; }
.ontschot-left > .ontschot-fill { flex: 1 1 0; min-height: 0; }
.ontschot-pictures { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); grid-template-rows: auto 1fr auto; gap: 0 8px; height: 100%; }
.ontschot-pictures svg, .ontschot-charts svg { width: 100%; height: 100%; display: block; }
.ontschot-pictures > .pic { min-height: 0; }
.ontschot-whead { font-weight: bold; line-height: 1.3; }
.ontschot-tag { display: inline-block; border: 1.5px solid; border-radius: 9px; padding: 0 6px; margin: 1px 3px 1px 0;
  font-size: 0.72em; font-weight: normal; }
.ontschot-note { font-size: 0.75em; color: #444; }
.ontschot-legend { font-size: 0.78em; line-height: 1.35; }
.ontschot-legend .lg { white-space: nowrap; margin-right: 12px; }
.ontschot-legend svg { vertical-align: middle; margin-right: 4px; }
.ontschot-charts { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); grid-template-rows: 1fr 1fr; gap: 6px; height: 100%; min-height: 0; }
.ontschot-charts > div { min-height: 0; min-width: 0; }
.ontschot-journeys { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 0 8px; height: 100%; overflow-y: auto; }
.ontschot-events { font-size: 0.8em; }
.ontschot-events td { padding: 0 8px 0 0; vertical-align: top; }
.ontschot-drawer { position: fixed; top: 0; right: 0; width: min(560px, 46vw); height: 100vh; overflow-y: auto; background: #fff;
  box-shadow: -4px 0 16px rgba(0,0,0,0.25); z-index: 50; padding: 10px 14px; }
.ontschot-drawer .lever-info { font-size: 0.78em; color: #444; margin: -4px 0 4px 0; }
.ontschot-drawer .v-input--switch { margin-top: 2px !important; }
"""


def strip_html(items: tuple[StripItem, ...], names: tuple[str, str], lang: str) -> str:
    """The comparison strip: per measure "left -> right (difference)", the difference coloured better/worse."""
    left = f'<b style="color:{WORLD_COLOURS[0]}">{escape(names[0])}</b>'
    right = f'<b style="color:{WORLD_COLOURS[1]}">{escape(names[1])}</b>'
    head = label("strip_head", lang).replace("{left}", left).replace("{right}", right)
    cells = [f'<div class="head">{head}</div>']
    arrows = {"better": "✔", "worse": "✘", "same": "=", "neither": ""}
    for it in items:
        word = label(f"verdict_{it.verdict}", lang)
        mark = f"{arrows[it.verdict]} {word}".strip()
        cells.append(f'<div class="item" data-strip="{it.key}" data-verdict="{it.verdict}">'
                     f'<div class="t">{escape(it.title)} <span class="p">({escape(it.period)})</span></div>'
                     f'<div class="v"><span style="color:{WORLD_COLOURS[0]}">{escape(it.left)}</span> → '
                     f'<span style="color:{WORLD_COLOURS[1]}">{escape(it.right)}</span></div>'
                     f'<div class="d" style="color:{it.colour}">({escape(it.diff)}) {escape(mark)}</div></div>')
    return "".join(cells)


def tags_html(levers: dict[str, bool], side: int, lang: str) -> str:
    """Small tags of the levers that are on in one world (or "no levers")."""
    on = [lever_name(k, lang) for k in LEVERS if levers.get(k)]
    colour = WORLD_COLOURS[side]
    if not on:
        return f'<span class="ontschot-tag" style="border-color:{colour}">{escape(label("levers_off", lang))}</span>'
    return "".join(f'<span class="ontschot-tag" style="border-color:{colour}">{escape(t)}</span>' for t in on)


def world_head(view: WorldView, side: int, lang: str) -> str:
    """A world's header: its colour, way of working and lever tags."""
    return (f'<div class="ontschot-whead world-title-{side}" style="color:{WORLD_COLOURS[side]}">■ {escape(view.name)} '
            f'{tags_html(view.levers, side, lang)}</div>')


def pictures_html(view: PairView, lang: str) -> str:
    """Both pictures side by side, each under its world's header, with the sample note below."""
    heads = "".join(world_head(w, side, lang) for side, w in enumerate(view.worlds))
    pics = "".join(f'<div class="pic picture-{side}">{w.picture}</div>' for side, w in enumerate(view.worlds))
    notes = "".join(f'<div class="ontschot-note" data-sample="{side}">{escape(sample_note(w.known, w.dots, lang))}</div>'
                    for side, w in enumerate(view.worlds))
    return f'<div class="ontschot-pictures">{heads}{pics}{notes}</div>'


def events_html(view: WorldView, lang: str, side: int) -> str:
    """The family's story as a table of dated events."""
    if not view.journey_events:
        return f'<div class="ontschot-events" data-events="{side}">{escape(label("no_events", lang))}</div>'
    rows = "".join(f"<tr><td>{escape(label('day', lang))}&nbsp;{escape(fmt_number(round(e.day), lang))}</td><td>{escape(e.text)}</td></tr>"
                   for e in view.journey_events)
    return f'<div class="ontschot-events" data-events="{side}"><table>{rows}</table></div>'


def journeys_html(view: PairView, lang: str) -> str:
    """The family's journey in both worlds: header, timeline and events per world."""
    cols = "".join(f'<div>{world_head(w, side, lang)}<div class="journey-{side}">{w.journey_svg}</div>{events_html(w, lang, side)}</div>'
                   for side, w in enumerate(view.worlds))
    return f'<div class="ontschot-journeys">{cols}</div>'


def status_text(snap: Snapshot, view: PairView, lang: str) -> str:
    """One line under the top bar: work under way, drawing behind, or the population note."""
    busy = snap.busy
    if busy is not None:
        if busy.what == "levers":
            world = label("world_n", lang, n=busy.side + 1) if busy.side is not None else ""
            return label("replaying", lang, world=world, done=fmt_number(busy.done, lang), total=fmt_number(busy.total, lang))
        if busy.what in ("start", "scenario") and busy.total > 1:
            return label("warming_up", lang, done=fmt_number(busy.done, lang), total=fmt_number(busy.total, lang))
        return label("resetting" if busy.what == "reset" else "loading_scenario", lang)
    n, own = fmt_number(view.families, lang), scenario_families(snap.scenario)
    # The viewer's default population is the scenario's own, at most 5,000 (viewer.session.default_families): say so.
    families = label("families_count", lang, n=n) if view.families == own else label("families_scaled", lang, n=n, own=fmt_number(own, lang))
    note = label("families_note", lang, families=families, seed=snap.seed, w=fmt_number(snap.warm_up_days, lang))
    return note + ". " + label("replay_note", lang)
