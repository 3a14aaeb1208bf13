"""The workshop viewer in a real browser (Debian chromium through playwright): a session, the projector screen, offline.

One server for the module (the viewer's default population, as `make viewer`
starts it). The first test drives the page as a facilitator would: step, play,
pause, switch a lever in one world from the drawer, open a family's journey,
switch language. The second opens the projector screen at 1280x720 and
1920x1080 in English and Dutch: the comparison strip and the charts lie inside
the viewport without scrolling, text is at least 18 px at 1920, and in Dutch
no visible text holds an English label of the metric catalogue or a raw
organisation key, and numbers carry a decimal comma; it saves the four
screenshots in ``tests/artifacts/``. The third loads the page with every
request to another host aborted and records that none was attempted, by the
browser or by the server (whose proxy variables point at a counting socket).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page, sync_playwright
from viewer_server import ARTIFACTS, Server, require_chromium, viewer_server

from sim.metrics import CATALOGUE
from sim.scenario import load_scenario
from viewer.i18n import label
from viewer.words import org_name

pytestmark = pytest.mark.serial  # a browser and a server on a free port: `make test` runs these apart from the CPU-bound tests

# Only ends a hung test: the first page runs the three-year warm-up of 5,000 families, which a two-core machine
# shared with other runs (load average 20) slows several times over.
LOAD_TIMEOUT_MS = 600_000
WAIT_MS = 60_000


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with viewer_server(tmp_path_factory.mktemp("viewer")) as srv:
        yield srv


@pytest.fixture(scope="module")
def browser():
    exe = require_chromium()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=["--no-sandbox"])
        try:
            yield b
        finally:
            b.close()


def day(page: Page) -> int:
    return int(page.get_attribute(".day-counter", "data-day"))


def wait_day(page: Page, predicate: str) -> None:
    page.wait_for_function(f"() => {{ const d = +document.querySelector('.day-counter').dataset.day; return {predicate}; }}",
                           timeout=WAIT_MS)


def wait_drawn(page: Page) -> int:
    """Wait (bounded) until all four charts are drawn for the day the counter shows; returns that day.

    The counter and the charts are separate pieces of the page that Solara updates one after the other, the charts
    last: a wait for a day on the counter alone can end while the charts still show the day before (or are being
    replaced), so every read of a chart after a change of day waits for this first, in one evaluation.
    """
    return page.wait_for_function("""() => { const c = document.querySelector('.day-counter');
        const svgs = document.querySelectorAll('.charts svg[data-points]');
        if (!c || svgs.length !== 4) return null;
        return Array.from(svgs).every(s => +s.dataset.points === +c.dataset.day + 1) ? {day: +c.dataset.day} : null; }""",
                                  timeout=WAIT_MS).json_value()["day"]  # an object: day 0 alone would read as "not yet"


def world_state(page: Page, side: int) -> str:
    """What the model decides in one world: its picture and the values of its lines in every chart."""
    charts = page.inner_html(".charts")
    values = re.findall(rf'data-world="{side}" data-values="([^"]*)"', charts)
    return page.inner_html(f".picture-{side}") + "|".join(values)


def open_page(browser, url: str, width: int = 1600, height: int = 1000) -> tuple[Page, object]:
    ctx = browser.new_context(viewport={"width": width, "height": height})
    page = ctx.new_page()
    page.goto(url)
    page.wait_for_selector(".strip", timeout=LOAD_TIMEOUT_MS)
    return page, ctx


def test_facilitator_session(server: Server, browser) -> None:
    page, ctx = open_page(browser, server.url)
    try:
        assert day(page) == 0
        assert page.title() != "Solara" and "ontschot" in page.title()
        assert wait_drawn(page) == 0  # the charts come after the strip the page was waited for
        charts0 = page.inner_html(".charts")
        page.click(".step-day")
        wait_day(page, "d === 1")
        page.click(".step-week")
        wait_day(page, "d === 8")
        wait_drawn(page)
        assert page.inner_html(".charts") != charts0, "charts did not change after stepping"

        # Play: the day counter and the charts move by themselves; then pause.
        charts8 = page.inner_html(".charts")
        page.click(".play-pause")
        wait_day(page, "d >= 22")
        page.click(".play-pause")
        page.wait_for_selector(".step-day:not([disabled])")
        page.wait_for_timeout(1000)  # a tick already under way when pause was pressed still lands
        stopped = day(page)
        page.wait_for_timeout(1500)
        assert day(page) == stopped, "pause did not stop the clock"
        assert wait_drawn(page) == stopped
        points = int(re.search(r'data-points="(\d+)"', page.inner_html(".charts")).group(1))
        assert points == stopped + 1 and page.inner_html(".charts") != charts8

        # A lever in the left world (from the drawer) changes the left world and leaves the right one as it was.
        left, right = world_state(page, 0), world_state(page, 1)
        page.click(".levers-button")
        page.wait_for_selector(".ontschot-drawer")
        assert page.locator(".ontschot-drawer .lever-info").count() >= 8, "a lever without its one-line explanation"
        page.click(".lever-0-single_entry input", force=True)
        page.wait_for_function("() => document.querySelector('.world-title-0').textContent.includes('custom')", timeout=WAIT_MS)
        page.wait_for_function("() => !document.querySelector('.busy')", timeout=WAIT_MS)
        assert "single entry point" in page.inner_text(".world-title-0"), "the left world's tags do not show the lever"
        page.click(".drawer-close")
        assert day(page) == stopped
        assert world_state(page, 0) != left, "switching a lever did not change its world"
        assert world_state(page, 1) == right, "switching a lever in the left world changed the right world"

        # A family's journey in both worlds, with its colour legend and axis.
        page.click(".tab-journey")
        page.click(".pick-family")
        page.wait_for_selector('[data-journey="0"]', timeout=WAIT_MS)
        page.wait_for_selector('[data-journey="1"]')
        story = page.inner_text('[data-events="0"]')
        assert "Day" in story and "need arises" in story
        assert "days since the family's first need began" in page.inner_text(".journeys")
        # The legend is drawn after the journeys (its own piece of the page): bounded like the waits above.
        assert "being helped" in page.inner_text(".journey-legend", timeout=WAIT_MS)

        # Language: every label switches to Dutch.
        assert "Play" in page.inner_text(".play-pause") or "PLAY" in page.inner_text(".play-pause")
        page.click(".lang-switch")
        dutch = ["Afspelen", "eigen keuze", "één toegang", "De reis van een gezin", "dagen sinds"]
        try:
            page.wait_for_function("words => words.every(w => document.body.textContent.includes(w))", arg=dutch, timeout=WAIT_MS)
        except Exception:
            body = page.text_content("body")
            raise AssertionError(f"missing after the language switch: {[w for w in dutch if w not in body]}") from None
        assert page.inner_text(".day-counter").startswith("Dag")
        body = page.inner_text("body")  # rendered text only (the page's scripts hold English words of their own)
        for english in ("Play", "custom", "single entry point", "A family's journey", "need arises"):
            assert english not in body, f"{english!r} still shown in Dutch"
    finally:
        ctx.close()


def _visible_text(page: Page) -> list[str]:
    """Every visible text node of the page (SVG text included)."""
    return page.evaluate("""() => {
        const out = [], walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        while (walker.nextNode()) {
            const n = walker.currentNode;
            let el = n.parentElement, t = n.textContent.trim();
            if (!t || !el || ['SCRIPT', 'STYLE', 'TITLE', 'title'].includes(el.tagName)) continue;
            if (el.tagName === 'tspan') {  // a name drawn on two lines is one text: read it whole, once
                el = el.parentElement;
                if (el.firstElementChild !== n.parentElement) continue;
                t = Array.from(el.children).map(c => c.textContent.trim()).join(' ');
            }
            const r = el.getBoundingClientRect(), cs = getComputedStyle(el);
            if (r.width === 0 || r.height === 0 || cs.visibility === 'hidden' || cs.display === 'none') continue;
            out.push(t);
        }
        return out; }""")


def _box(page: Page, selector: str) -> dict[str, float]:
    """The box of the first element matching selector, read in one evaluation once it is drawn (bounded wait).

    A chart is replaced whole when it is drawn anew (a new day, a language switch). Two fresh-clone CI runs read a chart
    between Playwright's "visible" check and its separate box query, in the moment it had no box; reading presence and
    box in the same evaluation, retried until both hold, leaves no such gap.
    """
    handle = page.wait_for_function(
        """sel => { const e = document.querySelector(sel); if (!e) return null;
            const r = e.getBoundingClientRect();
            return r.width > 0 && r.height > 0 ? {x: r.x, y: r.y, width: r.width, height: r.height} : null; }""",
        arg=selector, timeout=WAIT_MS)
    return handle.json_value()


def _inside(page: Page, selector: str, width: int, height: int) -> None:
    box = _box(page, selector)
    assert box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= width + 0.5 and box["y"] + box["height"] <= height + 0.5, \
        f"{selector} at {box} is not fully inside the {width}x{height} viewport"


@pytest.mark.parametrize(("width", "height"), [(1280, 720), (1920, 1080)])
def test_projector_screen(server: Server, browser, width: int, height: int) -> None:
    page, ctx = open_page(browser, server.url, width, height)
    try:
        page.click(".step-week")
        wait_day(page, "d >= 7")
        wait_drawn(page)
        for lang in ("en", "nl"):
            if lang == "nl":
                page.click(".lang-switch")
                page.wait_for_function("() => document.querySelector('.day-counter').textContent.startsWith('Dag')", timeout=WAIT_MS)
                # The charts are updated after the counter: wait until all four carry the Dutch axis title (not a
                # fixed pause, which a loaded machine outlasts), so the scan below reads the Dutch page.
                page.wait_for_function("""t => { const x = document.querySelectorAll('.charts text[data-axis="x"]');
                    return x.length === 4 && Array.from(x).every(e => e.textContent === t); }""", arg=label("axis_days", "nl"),
                                       timeout=WAIT_MS)
            scroll = page.evaluate("() => [document.documentElement.scrollHeight, document.documentElement.scrollWidth]")
            assert scroll[0] <= height and scroll[1] <= width, f"the page scrolls at {width}x{height}: {scroll}"
            _inside(page, ".strip", width, height)
            for k in range(4):
                _inside(page, f".chart-{k} svg", width, height)
            _inside(page, ".picture-0 svg", width, height)
            # Axis titles with units on every chart.
            page.wait_for_function("""() => document.querySelectorAll('.charts text[data-axis="y"]').length === 4
                && document.querySelectorAll('.charts text[data-axis="x"]').length === 4""", timeout=WAIT_MS)
            if width == 1920:
                # Text a room can read: the strip's numbers and the charts' text at 18 px or more on the screen.
                assert page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('.strip .v')).fontSize)") >= 18
                title_px = page.wait_for_function("""() => { const t = document.querySelector('.chart-0 text[data-axis="x"]');
                    if (!t || !t.ownerSVGElement || t.getBoundingClientRect().width === 0) return null;
                    const svg = t.ownerSVGElement; return parseFloat(getComputedStyle(t).fontSize) *
                    svg.getBoundingClientRect().width / svg.viewBox.baseVal.width; }""", timeout=WAIT_MS).json_value()
                assert title_px >= 17.5, f"chart text drawn at {title_px:.1f} px at 1920"
            ARTIFACTS.mkdir(exist_ok=True)
            shot = ARTIFACTS / f"viewer-{width}x{height}-{lang}.png"
            page.screenshot(path=str(shot))
            assert shot.stat().st_size > 10_000
        # Dutch: no English label of the catalogue, no raw organisation key, numbers with a decimal comma.
        texts = _visible_text(page)
        joined = "\n".join(texts)
        english = [m.en for m in CATALOGUE.values() if m.en != m.nl and m.en in joined]
        assert not english, f"English catalogue labels on the Dutch screen: {english}"
        spec = load_scenario("sociaal_domein")
        named = joined
        for k in spec.organisations:  # a Dutch name may contain its key ("samenwerkingsverband passend onderwijs")
            named = named.replace(org_name(spec, k, "nl"), "")
        raw = [k for k in spec.organisations if org_name(spec, k, "nl") != k and re.search(rf"\b{re.escape(k)}\b", named)]
        assert not raw, f"raw organisation keys on the Dutch screen: {raw}"
        assert re.search(r"\d,\d", page.inner_text(".strip")), "no decimal comma in the Dutch strip"
        points = [t for t in texts if re.search(r"\d\.\d{1,2}(?!\d)", t)]
        assert not points, f"decimal points on the Dutch screen: {points[:5]}"
    finally:
        ctx.close()


# Records in the page every chart put into it (the ``data-points`` of each chart svg added, whatever replaced it).
CHART_RECORDER = """() => {
  window.__charts = [];
  new MutationObserver(ms => { for (const m of ms) for (const n of m.addedNodes) {
    if (n.nodeType !== 1) continue;
    const svgs = n.matches('svg[data-chart]') ? [n] : Array.from(n.querySelectorAll('svg[data-chart]'));
    for (const s of svgs) window.__charts.push(+s.dataset.points);
  } }).observe(document.body, {subtree: true, childList: true});
}"""
PAUSED_PUBLISHES = 4


def test_paused_page_keeps_its_charts(server: Server, browser) -> None:
    """While paused, a publication that changes no chart (here: coordinator lines on and off) replaces no chart.

    Each switch makes the server draw and publish a new snapshot, which the page receives (its version on the day
    counter is waited for). Then one day is stepped as a fence: the page receives its charts after everything
    published before, so once the new day's charts are drawn, every chart put into the page for the paused day has
    been recorded. Redrawing unchanged charts would cost a projector laptop its processor and make the charts flicker.
    """
    page, ctx = open_page(browser, server.url, 1280, 720)
    try:
        page.click(".step-week")
        wait_day(page, "d >= 7")
        paused = wait_drawn(page)
        page.evaluate(CHART_RECORDER)
        version = int(page.get_attribute(".day-counter", "data-version"))
        for k in range(1, PAUSED_PUBLISHES + 1):
            page.click(".coordinator-lines input", force=True)
            page.wait_for_function("v => +document.querySelector('.day-counter').dataset.version >= v", arg=version + k,
                                   timeout=WAIT_MS)
        page.click(".step-day")
        wait_day(page, f"d === {paused + 1}")
        wait_drawn(page)
        added = page.evaluate("() => window.__charts")
        assert added.count(paused + 2) == 4, f"the fence's four charts were not recorded: {added}"
        assert paused + 1 not in added, f"{added.count(paused + 1)} charts of the paused day were replaced in {PAUSED_PUBLISHES} publications"
    finally:
        ctx.close()


def test_offline(server: Server, browser) -> None:
    own = urlparse(server.url).netloc
    outside: list[str] = []
    ctx = browser.new_context(viewport={"width": 1280, "height": 720})
    page = ctx.new_page()

    def route(r) -> None:
        if urlparse(r.request.url).netloc == own:
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    try:
        ctx.route("**/*", route)
        failed: list[str] = []
        page.on("requestfailed", lambda req: failed.append(req.url))
        page.goto(server.url)
        page.wait_for_selector(".day-counter", timeout=LOAD_TIMEOUT_MS)
        page.wait_for_selector('[data-picture="0"] [data-org]', timeout=LOAD_TIMEOUT_MS)
        page.click(".step-week")
        wait_day(page, "d === 7")
        page.click(".play-pause")
        wait_day(page, "d >= 14")
        page.click(".play-pause")
        assert outside == [], f"the page asked for outside hosts: {outside}"
        assert failed == [], f"requests failed: {failed}"
    finally:
        ctx.close()
    assert server.recorder.connections == 0, "the server tried to connect to an outside host"
    assert "Could not load URL" not in Path(server.log).read_text()
