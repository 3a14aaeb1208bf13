"""The workshop viewer in a real browser (Debian chromium through playwright), online and offline.

One server for the module (the scenario's own population, as `make viewer`
starts it). The first test drives the page as a facilitator would: step, play,
switch a lever in one world, pick a family, switch language, and saves a
screenshot in ``tests/artifacts/``. The second loads the page with every
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

LOAD_TIMEOUT_MS = 60_000


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
                           timeout=30_000)


def world_html(page: Page, side: int) -> str:
    """What a world shows that the model decides: big numbers, picture and charts (not its title or switches)."""
    return "".join(page.inner_html(f".{part}-{side}") for part in ("headline", "picture", "charts"))


def world_state(page: Page, side: int) -> str:
    """What the model decides in one world, apart from chart scales (the y-axis is shared by both worlds)."""
    charts = page.inner_html(f".charts-{side}")
    values = re.findall(r'data-(?:chart|points|values)="([^"]*)"', charts)
    return "".join(page.inner_html(f".{part}-{side}") for part in ("headline", "picture")) + "|".join(values)


def open_page(browser, url: str, **context_args) -> tuple[Page, object]:
    ctx = browser.new_context(viewport={"width": 1600, "height": 1400}, **context_args)
    page = ctx.new_page()
    return page, ctx


def test_facilitator_session(server: Server, browser) -> None:
    page, ctx = open_page(browser, server.url)
    try:
        page.goto(server.url)
        page.wait_for_selector(".day-counter", timeout=LOAD_TIMEOUT_MS)
        assert day(page) == 0
        charts0 = page.inner_html(".charts-0")
        page.click(".step-day")
        wait_day(page, "d === 1")
        page.click(".step-week")
        wait_day(page, "d === 8")
        assert page.inner_html(".charts-0") != charts0, "charts did not change after stepping"

        # Play: the day counter and the charts move by themselves; then pause.
        charts8 = page.inner_html(".charts-0")
        page.click(".play-pause")
        wait_day(page, "d >= 22")
        page.click(".play-pause")
        page.wait_for_selector(".step-day:not([disabled])")
        page.wait_for_timeout(700)  # a tick already under way when pause was pressed still lands
        stopped = day(page)
        page.wait_for_timeout(1200)
        assert day(page) == stopped, "pause did not stop the clock"
        points = int(re.search(r'data-points="(\d+)"', page.inner_html(".charts-1")).group(1))
        assert points == stopped + 1 and page.inner_html(".charts-0") != charts8

        # A lever in the left world changes the left world and leaves the right one exactly as it was.
        left, right = world_html(page, 0), world_state(page, 1)
        assert re.search(r'data-values="[^"]+"', page.inner_html(".charts-1")), "the right world's charts show no values"
        page.click(".lever-0-single_entry input", force=True)
        page.wait_for_function("() => document.querySelector('.world-title-0').textContent.includes('custom')", timeout=30_000)
        page.wait_for_timeout(500)
        assert day(page) == stopped
        assert world_html(page, 0) != left, "switching a lever did not change its world"
        assert world_state(page, 1) == right, "switching a lever in the left world changed the right world"

        # A family's journey in both worlds.
        page.click(".pick-family")
        page.wait_for_selector('[data-journey="0"]', timeout=30_000)
        page.wait_for_selector('[data-journey="1"]')
        story = page.inner_text('[data-events="0"]')
        assert "Day" in story and "need arises" in story
        assert page.locator('circle[data-family][r="6"]').count() >= 1, "the picked family is not marked in the picture"

        # Language: every label switches to Dutch.
        assert "Play" in page.text_content("body")
        page.click(".lang-switch")
        dutch = ["Afspelen", "Linkerwereld", "casustafel", "wachten nu", "De reis van een gezin", "Wachtenden per organisatie"]
        try:
            page.wait_for_function("words => words.every(w => document.body.textContent.includes(w))", arg=dutch, timeout=30_000)
        except Exception:
            body = page.text_content("body")
            raise AssertionError(f"missing after the language switch: {[w for w in dutch if w not in body]}") from None
        assert page.inner_text(".day-counter").startswith("Dag")
        body = page.text_content("body")
        for english in ("Play", "Left world", "case table", "waiting now", "A family's journey"):
            assert english not in body, f"{english!r} still shown in Dutch"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "viewer.png"), full_page=True)
        assert (ARTIFACTS / "viewer.png").stat().st_size > 10_000
    finally:
        ctx.close()


def test_offline(server: Server, browser) -> None:
    own = urlparse(server.url).netloc
    outside: list[str] = []
    page, ctx = open_page(browser, server.url)

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
        page.wait_for_selector('[data-picture="0"] [data-org]')
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
