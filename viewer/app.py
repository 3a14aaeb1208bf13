"""The Solara page in projector mode: controls, the comparison strip, the two worlds' pictures and one chart per measure.

One `Engine` per browser session (``use_memo`` inside the page, never at module
level) owns the session's two worlds in its own thread and publishes finished
snapshots (`viewer.engine`); the page only renders the latest snapshot and sends
wishes (play, pause, step, speed, levers, language). A pump thread per session
hands new snapshots to the page; after each render the page tells the engine
the drawing was delivered, and the next tick waits for that. When the session
closes (tab gone for the kernel cull timeout that ``python -m viewer`` sets)
the effect cleanup closes the engine and its thread ends with the worlds.

Projector mode is the only layout: one screen of 1280x720 or 1920x1080 without
scrolling. A top bar (day, play, step, reset, speed, levers, language), the
comparison strip ("left -> right (difference)", coloured better/worse), and
below it the two worlds' pictures (or a family's journey) beside four charts,
one per measure with both worlds as two lines. The scenario and the levers
live in a drawer; the pictures' headers show, per world, tags of what is on.
Text scales with the screen width (about 18 px at 1920; the style and the HTML pieces are in
`viewer.screen`). Each world has one
colour everywhere (`viewer.words.WORLD_COLOURS`).

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
from viewer.engine import POLL_SECONDS, SPEEDS, Engine, Snapshot
from viewer.i18n import label
from viewer.journey import legend_html as journey_legend
from viewer.options import from_env
from viewer.picture import legend_html as picture_legend
from viewer.screen import CSS, journeys_html, pictures_html, status_text, strip_html
from viewer.session import LEVERS, WorldPair, page_closed, preset_levers, presets, scenarios
from viewer.words import WORLD_COLOURS, fmt_number, lever_info, lever_name, preset_name, scenario_name

# Session starts and releases in the server's log on stderr (the load test reads them); set up once per process.
_log = logging.getLogger("ontschot.viewer")
if not _log.handlers:
    _handler = logging.StreamHandler(sys.stderr)
    _handler.setFormatter(logging.Formatter("%(message)s"))
    _log.addHandler(_handler)
    _log.setLevel(logging.INFO)
    _log.propagate = False

@solara.component
def Drawer(engine: Engine, snap: Snapshot, lang: str, on_close, on_error):
    """The scenario and, per world, the way of working and every lever with a one-line explanation."""

    def set_preset(side: int, name: str) -> None:
        try:
            engine.set_preset(side, name)
        except InputError as exc:
            on_error(str(exc))

    def set_scenario(name: str) -> None:
        try:
            engine.set_scenario(name)
        except InputError as exc:
            on_error(str(exc))

    with solara.Column(classes=["ontschot-drawer"]):
        with solara.Row(style={"align-items": "center", "justify-content": "space-between"}):
            solara.HTML(tag="div", unsafe_innerHTML=f"<b>{escape(label('levers', lang))}</b>")
            solara.Button(label("levers_close", lang), on_click=on_close, classes=["drawer-close"], text=True)
        titles = {scenario_name(s, lang): s for s in scenarios()}
        current = next((t for t, s in titles.items() if s == snap.scenario), None)
        solara.Select(label=label("scenario", lang), value=current, values=list(titles),
                      on_value=lambda text: set_scenario(titles[text]), classes=["scenario"])
        for side in (0, 1):
            levers = snap.levers[side]
            solara.HTML(tag="div", unsafe_innerHTML=f'<b style="color:{WORLD_COLOURS[side]}">■ '
                                                    f'{escape(label("world_n", lang, n=side + 1))}</b>')
            names = {preset_name(p, lang): p for p in presets()}
            preset = next((p for p in presets() if preset_levers(p) == levers), None)
            solara.Select(label=label("way_of_working", lang), value=preset_name(preset, lang) if preset else None,
                          values=list(names), on_value=lambda text, side=side, names=names: set_preset(side, names[text]),
                          classes=[f"preset-{side}"])
            for name in LEVERS:
                solara.Switch(label=lever_name(name, lang), value=levers[name],
                              on_value=lambda on, name=name, side=side: engine.set_lever(side, name, on),
                              classes=[f"lever-{side}-{name}"])
                solara.HTML(tag="div", unsafe_innerHTML=f"ⓘ {escape(lever_info(name, lang))}", classes=["lever-info"])


@solara.component
def Layout(children=None):
    """No app bar and no padding around the page: the projector screen is all ours."""
    return solara.Column(children=children or [], style={"padding": "0", "margin": "0"})


@solara.component
def Page():
    """The whole page for one browser session: it renders the engine's latest snapshot and sends it wishes."""
    opts = solara.use_memo(from_env, [])
    engine: Engine = solara.use_memo(
        lambda: Engine(lambda progress: WorldPair(scenario=opts.scenario, families=opts.families, seed=opts.seed, progress=progress),
                       scenario=opts.scenario, seed=opts.seed), [])
    snap, set_snap = solara.use_state(engine.latest)
    playing = solara.use_reactive(False)
    error = solara.use_reactive("")
    drawer = solara.use_reactive(False)
    tab = solara.use_reactive("picture")

    def pump(cancel) -> None:
        """Hand every new snapshot to the page (this thread renders it; the model never waits for this)."""
        seen = 0
        try:
            while not cancel.is_set() and not engine.closed:
                new = engine.wait_snapshot(seen, POLL_SECONDS)
                if new is not None:
                    seen = new.version
                    set_snap(new)
        finally:
            page_closed()  # the session's end: its page objects become garbage once this thread is gone

    # Not intrusive: the intrusive cancel traces every line of the thread.
    solara.use_thread(pump, dependencies=[engine], intrusive_cancel=False)
    # After this render is done, the engine may start its next tick.
    solara.use_effect(lambda: engine.delivered(snap.version), [snap.version])
    # The session ends (tab closed and culled, or server stopping): the engine thread ends and the worlds go.
    solara.use_effect(lambda: engine.close, [engine])

    def set_playing(on: bool) -> None:
        playing.set(on)
        engine.play(on)

    def reset() -> None:
        playing.set(False)
        engine.reset()

    def pick_top_family() -> None:
        engine.set_family(snap.choices[0][0] if snap.choices else None)

    view = snap.view
    at_end = view is not None and view.at_end
    if at_end and playing.value:
        playing.set(False)
    L = snap.lang  # noqa: N806 - short name for the many labels below
    solara.Style(CSS)
    solara.Title(label("page_title", L))
    with solara.Column(classes=["ontschot-root"]):
        with solara.Row(classes=["ontschot-top"]):
            solara.HTML(tag="div", unsafe_innerHTML="ontschot", classes=["ontschot-title"])
            day = 0 if view is None else view.day
            # The snapshot's version on the counter (not on the charts, which must stay untouched while they do not
            # change): a test sees each publication arrive.
            solara.HTML(tag="div", unsafe_innerHTML=f'<span class="ontschot-day day-counter" data-day="{day}" data-version="{snap.version}">'
                                                    f'{escape(label("day", L))} {escape(fmt_number(day, L))}</span>')
            busy = view is None
            solara.Button(label("pause" if playing.value else "play", L), on_click=lambda: set_playing(not playing.value),
                          color="primary", classes=["play-pause"], disabled=at_end or busy)
            solara.Button(label("step_day", L), on_click=lambda: engine.step(1), classes=["step-day"], disabled=playing.value or busy)
            solara.Button(label("step_week", L), on_click=lambda: engine.step(7), classes=["step-week"], disabled=playing.value or busy)
            solara.Button(label("reset", L), on_click=reset, classes=["reset"], disabled=busy)
            solara.Select(label=label("speed", L), value=snap.speed, values=list(SPEEDS), on_value=engine.set_speed, classes=["speed"],
                          style={"max-width": "9em", "min-width": "7em"}, dense=True)
            solara.Button(label("levers_button", L), on_click=lambda: drawer.set(not drawer.value), classes=["levers-button"],
                          outlined=True)
            solara.Button(label("language", L), on_click=lambda: engine.set_lang("nl" if L == "en" else "en"), classes=["lang-switch"],
                          outlined=True)
        if view is None:
            busy = snap.busy
            if busy is not None and busy.total > 1:  # the warm-up, run once per server and scenario
                solara.Text(label("warming_up", L, done=fmt_number(busy.done, L), total=fmt_number(busy.total, L)))
                solara.ProgressLinear(value=100 * busy.done / busy.total, classes=["busy"])
            else:
                solara.Text(label("building", L))
                if busy is not None:
                    solara.ProgressLinear(True)
            return
        with solara.Row(classes=["ontschot-status"]):
            if snap.busy is not None:
                solara.ProgressLinear(value=100 * snap.busy.done / max(1, snap.busy.total), classes=["busy"],
                                      style={"max-width": "10em"})
            if snap.behind:
                solara.HTML(tag="span", unsafe_innerHTML=escape(label("behind", L, n=snap.days_per_tick, speed=snap.speed)),
                            classes=["behind"])
            solara.HTML(tag="span", unsafe_innerHTML=escape(status_text(snap, view, L)), classes=["status-text"])
        if error.value:
            solara.Error(label("error", L, msg=error.value))
        solara.HTML(tag="div", unsafe_innerHTML=strip_html(view.strip, (view.worlds[0].name, view.worlds[1].name), L),
                    classes=["ontschot-strip", "strip"])
        with solara.Row(classes=["ontschot-main"]):
            with solara.Column(classes=["ontschot-left"]):
                with solara.Row(style={"align-items": "center", "gap": "0 12px", "flex-wrap": "wrap"}):
                    solara.ToggleButtonsSingle(value=tab.value, on_value=tab.set, dense=True, classes=["view-tabs"], children=[
                                                   solara.Button(label("show_picture", L), value="picture", classes=["tab-picture"]),
                                                   solara.Button(label("show_journey", L), value="journey", classes=["tab-journey"])])
                    if tab.value == "picture":
                        solara.Switch(label=label("coordinator_lines", L), value=snap.coordinators, on_value=engine.set_coordinators,
                                        classes=["coordinator-lines"], style={"margin": "0"})
                    else:
                        names = {str(fid): f"{label('family_n', L, fid=fid)} ({label('needs_n', L, n=n)})" for fid, n in snap.choices}
                        if snap.family is not None and str(snap.family) not in names:
                            names[str(snap.family)] = label("family_n", L, fid=snap.family)
                        solara.Select(label=label("pick_family", L), value=None if snap.family is None else names[str(snap.family)],
                                      values=list(names.values()), dense=True,
                                      on_value=lambda text: engine.set_family(int(next(k for k, v in names.items() if v == text))),
                                      classes=["family-select"], style={"max-width": "16em"})
                        solara.Button(label("pick_hint", L), on_click=pick_top_family, classes=["pick-family"], text=True)
                if tab.value == "picture":
                    solara.HTML(tag="div", unsafe_innerHTML=pictures_html(view, L), classes=["ontschot-fill", "pictures"])
                    solara.HTML(tag="div", unsafe_innerHTML=picture_legend(L, snap.coordinators), classes=["picture-legend"])
                elif snap.family is None:
                    solara.Text(label("no_family", L))
                else:
                    solara.HTML(tag="div", unsafe_innerHTML=journeys_html(view, L), classes=["ontschot-fill", "journeys"])
                    solara.HTML(tag="div", unsafe_innerHTML=journey_legend(L), classes=["journey-legend"])
            charts = "".join(f'<div class="chart-{k}">{svg}</div>' for k, svg in enumerate(view.charts))
            solara.HTML(tag="div", unsafe_innerHTML=charts, classes=["ontschot-charts", "charts"])
        if drawer.value:
            Drawer(engine, snap, L, lambda: drawer.set(False), error.set)
