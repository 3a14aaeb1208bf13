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
from html import escape

import solara

from sim import InputError
from viewer.engine import POLL_SECONDS, SPEEDS, Engine
from viewer.i18n import LABELS, label
from viewer.options import from_env
from viewer.session import LEVERS, WorldPair, presets, scenarios
from viewer.views import WorldView

# Session starts and releases in the server's log on stderr (the load test reads them); set up once per process.
_log = logging.getLogger("ontschot.viewer")
if not _log.handlers:
    _handler = logging.StreamHandler(sys.stderr)
    _handler.setFormatter(logging.Formatter("%(message)s"))
    _log.addHandler(_handler)
    _log.setLevel(logging.INFO)
    _log.propagate = False

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
def WorldPanel(engine: Engine, view: WorldView, levers: dict[str, bool], side: int, lang: str, on_error):
    """One world: way of working, levers, big numbers, picture, charts."""

    def set_preset(name: str) -> None:
        try:
            engine.set_preset(side, name)
        except InputError as exc:
            on_error(str(exc))

    def set_lever(name: str, on: bool) -> None:
        engine.set_lever(side, name, on)

    with solara.Column(classes=["ontschot-world", f"ontschot-world-{side}"]):
        preset_label = preset_name(view.preset, lang) if view.preset else label("custom", lang)
        solara.HTML(tag="h2", unsafe_innerHTML=escape(f"{label('world_left' if side == 0 else 'world_right', lang)}: {preset_label}"),
                    classes=[f"world-title-{side}"])
        names = {preset_name(p, lang): p for p in presets()}
        solara.Select(label=label("way_of_working", lang), value=preset_name(view.preset, lang) if view.preset in names.values() else None,
                      values=list(names), on_value=lambda text: set_preset(names[text]), classes=[f"preset-{side}"])
        with solara.Row(style={"flex-wrap": "wrap", "gap": "0 16px"}):
            for name in LEVERS:
                solara.Switch(label=label(f"lever_{name}", lang), value=levers[name],
                              on_value=lambda on, name=name: set_lever(name, on), classes=[f"lever-{side}-{name}"])
        solara.HTML(tag="div", unsafe_innerHTML=headline_html(view, lang, side), classes=[f"headline-{side}"])
        solara.HTML(tag="div", unsafe_innerHTML=view.picture, classes=[f"picture-{side}"])
        charts = "".join(f'<div class="chart-{side}-{k}">{svg}</div>' for k, svg in enumerate(view.charts))
        solara.HTML(tag="div", unsafe_innerHTML=charts, classes=["ontschot-charts", f"charts-{side}"])


@solara.component
def Page():
    """The whole page for one browser session: it renders the engine's latest snapshot and sends it wishes."""
    opts = solara.use_memo(from_env, [])
    engine: Engine = solara.use_memo(
        lambda: Engine(lambda: WorldPair(scenario=opts.scenario, families=opts.families, seed=opts.seed),
                       scenario=opts.scenario, seed=opts.seed), [])
    snap, set_snap = solara.use_state(engine.latest)
    playing = solara.use_reactive(False)
    error = solara.use_reactive("")

    def pump(cancel) -> None:
        """Hand every new snapshot to the page (this thread renders it; the model never waits for this)."""
        seen = 0
        while not cancel.is_set() and not engine.closed:
            new = engine.wait_snapshot(seen, POLL_SECONDS)
            if new is not None:
                seen = new.version
                set_snap(new)

    # Not intrusive: the intrusive cancel traces every line of the thread.
    solara.use_thread(pump, dependencies=[engine], intrusive_cancel=False)
    # After this render is done, the engine may start its next tick.
    solara.use_effect(lambda: engine.delivered(snap.version), [snap.version])
    # The session ends (tab closed and culled, or server stopping): the engine thread ends and the worlds go.
    solara.use_effect(lambda: engine.close, [engine])

    def set_playing(on: bool) -> None:
        playing.set(on)
        engine.play(on)

    def step(days: int) -> None:
        engine.step(days)

    def reset() -> None:
        playing.set(False)
        engine.reset()

    def set_scenario(name: str) -> None:
        playing.set(False)
        try:
            engine.set_scenario(name)
            error.set("")
        except InputError as exc:
            error.set(str(exc))

    def pick_top_family() -> None:
        engine.set_family(snap.choices[0][0] if snap.choices else None)

    view = snap.view
    at_end = view is not None and view.at_end
    if at_end and playing.value:
        playing.set(False)
    L = snap.lang  # noqa: N806 - short name for the many labels below
    solara.Style(CSS)
    solara.Title("ontschot")
    with solara.Column(style={"padding": "8px 16px"}):
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
            solara.HTML(tag="h1", unsafe_innerHTML=escape(label("title", L)), classes=["ontschot-title"], style="font-size:1.6em;margin:0")
            solara.Button(label("language", L), on_click=lambda: engine.set_lang("nl" if L == "en" else "en"), classes=["lang-switch"])
        if view is None:
            solara.Text(label("building", L))
            return
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
            solara.HTML(tag="div", unsafe_innerHTML=f'<span class="ontschot-day day-counter" data-day="{view.day}">'
                                                    f'{escape(label("day", L))} {view.day}</span>')
            solara.Button(label("pause" if playing.value else "play", L), on_click=lambda: set_playing(not playing.value),
                          color="primary", classes=["play-pause"], disabled=at_end)
            solara.Button(label("step_day", L), on_click=lambda: step(1), classes=["step-day"], disabled=playing.value)
            solara.Button(label("step_week", L), on_click=lambda: step(7), classes=["step-week"], disabled=playing.value)
            solara.Button(label("reset", L), on_click=reset, classes=["reset"])
            solara.Select(label=label("speed", L), value=snap.speed, values=list(SPEEDS), on_value=engine.set_speed, classes=["speed"],
                          style={"max-width": "200px"})
            solara.Select(label=label("scenario", L), value=snap.scenario, values=scenarios(), on_value=set_scenario,
                          classes=["scenario"], style={"max-width": "260px"})
        if snap.busy is not None:
            solara.ProgressLinear(value=100 * snap.busy.done / max(1, snap.busy.total), classes=["busy"])
        if snap.behind:
            solara.Text(label("behind", L, n=snap.days_per_tick, speed=snap.speed), classes=["behind"])
        solara.Text(label("families_note", L, n=view.families, seed=snap.seed, w=snap.warm_up_days) + ". " + label("replay_note", L))
        if error.value:
            solara.Error(label("error", L, msg=error.value))
        with solara.Columns([1, 1]):
            for side in (0, 1):
                WorldPanel(engine, view.worlds[side], snap.levers[side], side, L, error.set)
        solara.HTML(tag="h2", unsafe_innerHTML=escape(label("journey", L)), classes=["journey-title"])
        with solara.Row(style={"align-items": "center"}):
            names = {str(fid): f"{label('family_n', L, fid=fid)} ({label('needs_n', L, n=n)})" for fid, n in snap.choices}
            if snap.family is not None and str(snap.family) not in names:
                names[str(snap.family)] = label("family_n", L, fid=snap.family)
            solara.Select(label=label("pick_family", L), value=None if snap.family is None else names[str(snap.family)],
                          values=list(names.values()),
                          on_value=lambda text: engine.set_family(int(next(k for k, v in names.items() if v == text))),
                          classes=["family-select"], style={"max-width": "360px"})
            solara.Button(label("pick_hint", L), on_click=pick_top_family, classes=["pick-family"], text=True)
        if snap.family is None:
            solara.Text(label("no_family", L))
        else:
            with solara.Columns([1, 1]):
                for side in (0, 1):
                    with solara.Column():
                        solara.HTML(tag="div", unsafe_innerHTML=view.worlds[side].journey_svg, classes=[f"journey-{side}"])
                        solara.HTML(tag="div", unsafe_innerHTML=events_html(view.worlds[side], L, side))
