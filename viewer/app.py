"""The Solara page: controls, the two worlds side by side, and a family's journey.

One `WorldPair` per browser session, made with ``use_memo`` inside the page
(never at module level), so every tab has its own worlds; when the tab has
been gone for the kernel cull timeout (``python -m viewer`` sets it), Solara
closes the session and the pair is released with it. Play runs in a thread
per session (``use_thread``, cancelled on pause and when the session closes)
that advances the pair a few days per tick and asks the page to redraw.

Mesa's SolaraViz is built around one model per page with its own play
controls; two coupled worlds with shared controls and per-world levers do not
fit it, so the page is made of plain Solara components and the pictures and
charts are inline SVG drawn by `viewer.views`.
"""

from __future__ import annotations

import logging
import sys
import time
from html import escape

import solara

from sim import InputError
from viewer.i18n import LABELS, label
from viewer.journey import notable_families
from viewer.options import from_env
from viewer.session import LEVERS, WorldPair, presets, scenarios
from viewer.views import PairView, WorldView, build

# Session starts and releases in the server's log on stderr (the load test reads them); set up once per process.
_log = logging.getLogger("ontschot.viewer")
if not _log.handlers:
    _handler = logging.StreamHandler(sys.stderr)
    _handler.setFormatter(logging.Formatter("%(message)s"))
    _log.addHandler(_handler)
    _log.setLevel(logging.INFO)
    _log.propagate = False

TICK_SECONDS = 0.5
SPEEDS = (1, 2, 7, 14, 30)

CSS = """
.ontschot-day { font-size: 2.4em; font-weight: bold; }
.ontschot-big { display: inline-block; margin: 0 18px 6px 0; }
.ontschot-big .v { font-size: 2.3em; font-weight: bold; line-height: 1.1; }
.ontschot-big .k { font-size: 0.95em; color: #444; }
.ontschot-events { font-size: 0.85em; max-height: 260px; overflow-y: auto; }
.ontschot-events td { padding: 0 8px 0 0; vertical-align: top; }
.ontschot-world h2 { margin: 4px 0; }
.ontschot-charts { display: grid; grid-template-columns: 1fr 1fr; gap: 6px; }
"""


def _fmt_number(key: str, value: float | int | None) -> str:
    if value is None:
        return "–"
    if key == "dropout":
        return f"{value * 100:.0f}%"
    if key == "cost":
        return f"€{value / 1e6:.2f}M" if value >= 1e6 else f"€{value / 1e3:.0f}k"
    if key == "time_to_help":
        return f"{value:.0f}"
    return f"{value:,}"


def preset_name(preset: str, lang: str) -> str:
    """Display name of a preset (a new preset file without a label shows its file name)."""
    key = f"preset_{preset}"
    return label(key, lang) if key in LABELS else preset.replace("_", " ")


def headline_html(view: WorldView, lang: str, side: int) -> str:
    """The big numbers of one world."""
    items = []
    for key, name in (("waiting", "waiting_now"), ("in_help", "in_help_now"), ("time_to_help", "time_to_help"),
                      ("dropout", "dropout"), ("cost", "cost"), ("crises", "crises")):
        value = _fmt_number(key, view.headline[key])
        items.append(f'<div class="ontschot-big" data-headline="{key}-{side}"><div class="v">{escape(value)}</div>'
                     f'<div class="k">{escape(label(name, lang))}</div></div>')
    return "".join(items)


def events_html(view: WorldView, lang: str, side: int) -> str:
    """The family's story as a table of dated events."""
    if not view.journey_events:
        return f'<div class="ontschot-events" data-events="{side}">{escape(label("no_events", lang))}</div>'
    rows = "".join(f"<tr><td>{escape(label('day', lang))} {e.day:.0f}</td><td>{escape(e.text)}</td></tr>"
                   for e in view.journey_events)
    return f'<div class="ontschot-events" data-events="{side}"><table>{rows}</table></div>'


@solara.component
def WorldPanel(pair: WorldPair, view: WorldView, side: int, lang: str, on_change, on_error):
    """One world: way of working, levers, big numbers, picture, charts."""

    def set_preset(name: str) -> None:
        try:
            pair.set_preset(side, name)
        except InputError as exc:
            on_error(str(exc))
        on_change()

    def set_lever(name: str, on: bool) -> None:
        pair.set_lever(side, name, on)
        on_change()

    with solara.Column(classes=["ontschot-world", f"ontschot-world-{side}"]):
        preset_label = preset_name(view.preset, lang) if view.preset else label("custom", lang)
        solara.HTML(tag="h2", unsafe_innerHTML=escape(f"{label('world_left' if side == 0 else 'world_right', lang)}: {preset_label}"),
                    classes=[f"world-title-{side}"])
        names = {preset_name(p, lang): p for p in presets()}
        solara.Select(label=label("way_of_working", lang), value=preset_name(view.preset, lang) if view.preset in names.values() else None,
                      values=list(names), on_value=lambda text: set_preset(names[text]), classes=[f"preset-{side}"])
        with solara.Row(style={"flex-wrap": "wrap", "gap": "0 16px"}):
            for name in LEVERS:
                solara.Switch(label=label(f"lever_{name}", lang), value=view.levers[name],
                              on_value=lambda on, name=name: set_lever(name, on), classes=[f"lever-{side}-{name}"])
        solara.HTML(tag="div", unsafe_innerHTML=headline_html(view, lang, side), classes=[f"headline-{side}"])
        solara.HTML(tag="div", unsafe_innerHTML=view.picture, classes=[f"picture-{side}"])
        charts = "".join(f'<div class="chart-{side}-{k}">{svg}</div>' for k, svg in enumerate(view.charts))
        solara.HTML(tag="div", unsafe_innerHTML=charts, classes=["ontschot-charts", f"charts-{side}"])


@solara.component
def Page():
    """The whole page for one browser session."""
    opts = solara.use_memo(from_env, [])
    pair: WorldPair = solara.use_memo(lambda: WorldPair(scenario=opts.scenario, families=opts.families, seed=opts.seed), [])
    lang = solara.use_reactive("en")
    playing = solara.use_reactive(False)
    speed = solara.use_reactive(7)
    family = solara.use_reactive(None)
    error = solara.use_reactive("")
    version, set_version = solara.use_state(0)

    def redraw() -> None:
        set_version(lambda v: v + 1)

    def play_loop(cancel) -> None:
        if not playing.value:
            return
        while not cancel.is_set():
            started = time.perf_counter()
            pair.advance(speed.value)
            redraw()
            if pair.at_end:
                playing.set(False)
                return
            cancel.wait(max(0.05, TICK_SECONDS - (time.perf_counter() - started)))

    # Not intrusive: the intrusive cancel traces every line of the thread, which would slow the model many times.
    solara.use_thread(play_loop, dependencies=[playing.value], intrusive_cancel=False)

    def step(days: int) -> None:
        pair.advance(days)
        redraw()

    def reset() -> None:
        playing.set(False)
        pair.reset()
        redraw()

    def set_scenario(name: str) -> None:
        playing.set(False)
        try:
            pair.set_scenario(name)
            error.set("")
        except InputError as exc:
            error.set(str(exc))
        family.set(None)
        redraw()

    def pick_top_family() -> None:
        with pair.lock:
            top = notable_families(pair.worlds[0], limit=1)
        family.set(top[0][0] if top else None)

    view: PairView = solara.use_memo(lambda: build(pair, lang.value, family.value),
                                     [version, lang.value, family.value])
    L = lang.value  # noqa: N806 - short name for the many labels below
    solara.Style(CSS)
    solara.Title("ontschot")
    with solara.Column(style={"padding": "8px 16px"}):
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
            solara.HTML(tag="h1", unsafe_innerHTML=escape(label("title", L)), classes=["ontschot-title"], style="font-size:1.6em;margin:0")
            solara.Button(label("language", L), on_click=lambda: lang.set("nl" if L == "en" else "en"), classes=["lang-switch"])
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
            solara.HTML(tag="div", unsafe_innerHTML=f'<span class="ontschot-day day-counter" data-day="{view.day}">'
                                                    f'{escape(label("day", L))} {view.day}</span>')
            solara.Button(label("pause" if playing.value else "play", L), on_click=lambda: playing.set(not playing.value),
                          color="primary", classes=["play-pause"], disabled=view.at_end)
            solara.Button(label("step_day", L), on_click=lambda: step(1), classes=["step-day"], disabled=playing.value)
            solara.Button(label("step_week", L), on_click=lambda: step(7), classes=["step-week"], disabled=playing.value)
            solara.Button(label("reset", L), on_click=reset, classes=["reset"])
            solara.Select(label=label("speed", L), value=speed.value, values=list(SPEEDS), on_value=speed.set, classes=["speed"],
                          style={"max-width": "200px"})
            solara.Select(label=label("scenario", L), value=pair.scenario, values=scenarios(), on_value=set_scenario,
                          classes=["scenario"], style={"max-width": "260px"})
        solara.Text(label("families_note", L, n=view.families, seed=pair.seed, w=pair.warm_up_days) + ". " + label("replay_note", L))
        if error.value:
            solara.Error(label("error", L, msg=error.value))
        with solara.Columns([1, 1]):
            for side in (0, 1):
                WorldPanel(pair, view.worlds[side], side, L, redraw, error.set)
        solara.HTML(tag="h2", unsafe_innerHTML=escape(label("journey", L)), classes=["journey-title"])
        with solara.Row(style={"align-items": "center"}):
            with pair.lock:
                choices = notable_families(pair.worlds[0])
            names = {str(fid): f"{label('family_n', L, fid=fid)} ({label('needs_n', L, n=n)})" for fid, n in choices}
            if family.value is not None and str(family.value) not in names:
                names[str(family.value)] = label("family_n", L, fid=family.value)
            solara.Select(label=label("pick_family", L), value=None if family.value is None else names[str(family.value)],
                          values=list(names.values()),
                          on_value=lambda text: family.set(int(next(k for k, v in names.items() if v == text))),
                          classes=["family-select"], style={"max-width": "360px"})
            solara.Button(label("pick_hint", L), on_click=pick_top_family, classes=["pick-family"], text=True)
        if family.value is None:
            solara.Text(label("no_family", L))
        else:
            with solara.Columns([1, 1]):
                for side in (0, 1):
                    with solara.Column():
                        solara.HTML(tag="div", unsafe_innerHTML=view.worlds[side].journey_svg, classes=[f"journey-{side}"])
                        solara.HTML(tag="div", unsafe_innerHTML=events_html(view.worlds[side], L, side))
