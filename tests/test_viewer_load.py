"""Thirty browser sessions on one viewer at once: each plays its own worlds; memory is bounded and returns.

The server runs with small worlds (zorg_veiligheid, 400 families: the smallest population its staff allows; the
default scenario's staff allows 3,500 at least) and a two-second idle
release, so the test checks session handling, not the population. Every tab
is its own Solara session with its own pair of worlds (the server logs each
start); each presses play and must see its day counter pass day 10. The
server's resident memory while all thirty play must stay under a fixed bound.
After the pages close every session must be released (logged), and the
question the test asks, "are the closed sessions' worlds freed?", is answered
by counting them: the server keeps a weak registry of the models its worlds run
(`viewer.world.live_models`) and logs the count after each collection; with
every session closed it must be zero, as it is after the first session closed. The memory
Python holds is checked as well, with a bound loose enough for a loaded machine
(see `MEMORY_SHARE`). Whether the process's resident size shrinks is up to the
C allocator (it may keep freed pages for reuse), so the test only requires
that it stays within the same bound. Every wait has a timeout, so the test
ends by itself.
"""

from __future__ import annotations

import asyncio
import re
import time

import pytest
from playwright.async_api import async_playwright
from viewer_server import Server, require_chromium, viewer_server

pytestmark = pytest.mark.serial  # 30 browser sessions against one server: `make test` runs it with nothing else

SESSIONS = 30
FAMILIES = 400
SCENARIO = "zorg_veiligheid"
# Only ends a hung test: thirty sessions each build two worlds and render a page on two cores that other runs may
# share (a run overlapping other test runs, load 10-20, took minutes to load all thirty pages).
WAIT_MS = 600_000
# Bound on the memory thirty sessions may add. Measured with 400 families: 428-543 MB in three runs (about 18 MB a
# session: two worlds, a spare copy of the prelude that an idle session unpickles ahead of need, and its page), which
# left the earlier 600 MB (set at about 4 MB a session, before the spare copies) 10 % from failing on a busy machine.
MAX_GROWTH_MB = 800.0
# After the last release, Python's memory blocks may exceed the baseline by at most this share of what the thirty
# sessions added (blocks at the last session start minus the baseline). Not a few per cent of the baseline: on a
# loaded machine the baseline itself came out 30 % higher than on a quiet one (1,217,419 against 933,012 blocks)
# and the count after the release 5.9 % above it, with every world freed. What the sessions add is mostly their
# models: 60 worlds and up to 30 spare copies of the prelude (a run at load 50: 89 models, 931,425 -> 10,813,323
# blocks, back to 941,549), so 30 worlds left alive are a third or more of the growth and a fifth of it catches
# them, far above the noise of a loaded machine. The count of live models checks the worlds exactly; this bound
# catches what else a closed session might leave on a large scale.
MEMORY_SHARE = 0.2
_STATE = re.compile(r"live sessions (\d+), live models (\d+), python blocks (\d+)")


def _state(line: str) -> tuple[int, int, int]:
    """Live sessions, live models and Python's memory blocks from a line of the server log."""
    m = _STATE.search(line)
    assert m, f"no counts in the server log line {line!r}"
    return int(m[1]), int(m[2]), int(m[3])


async def _sessions(server: Server, exe: str) -> tuple[list[int], tuple[int, int], float, float]:
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=exe, args=["--no-sandbox"])
        try:
            # One session first and closed again: what the server keeps after its first page (imports, caches)
            # is not per-session memory, so the baseline is taken after it is released.
            first = await browser.new_context()
            page = await first.new_page()
            await page.goto(server.url, timeout=WAIT_MS)
            await page.wait_for_selector(".day-counter", timeout=WAIT_MS)
            await first.close()
            baseline = await asyncio.to_thread(wait_released, server, 1, models=0)  # its worlds freed too (bounded)
            start = server.rss_mb()
            # Thirty tabs of one browser: each tab is its own Solara session with its own worlds (the server log
            # counts them); sharing the browser's cache keeps chromium's own work small on two cores.
            context = await browser.new_context(viewport={"width": 1200, "height": 900})
            pages = [await context.new_page() for _ in range(SESSIONS)]
            await asyncio.gather(*(pg.goto(server.url, timeout=WAIT_MS) for pg in pages))
            await asyncio.gather(*(pg.wait_for_selector(".day-counter", timeout=WAIT_MS) for pg in pages))
            await asyncio.gather(*(pg.click(".play-pause", timeout=WAIT_MS) for pg in pages))
            check = "() => +document.querySelector('.day-counter').dataset.day >= 10"
            await asyncio.gather(*(pg.wait_for_function(check, timeout=WAIT_MS) for pg in pages))
            peak = server.rss_mb()
            # The same bound as every wait here: the counter is redrawn while the worlds play, and a redraw at load 50
            # outlasted playwright's default of 30 s for one of thirty pages.
            days = [int(await pg.get_attribute(".day-counter", "data-day", timeout=WAIT_MS)) for pg in pages]
            await context.close()
        finally:
            await browser.close()
    return days, baseline, start, peak


def wait_released(server: Server, released: int, timeout: float = 180.0, models: int | None = None,
                  blocks: float | None = None) -> tuple[int, int]:
    """Wait (bounded) until ``released`` sessions are released and collected; returns (live models, Python blocks) then.

    With ``models`` and ``blocks``, it waits on (within the same timeout) until a count after the last release has at
    most that many live models and memory blocks, and returns the last count if none has: the server collects a
    second and again fifteen seconds after each release (`viewer.session.TRIM_AFTER_SECONDS`), because Solara's
    clean-up of closed pages can outlast the first collection.

    The server logs "session released" when a session's worlds are dropped, "page closed" when its page's last
    thread ended and, a second after each, the live sessions, the live models (`viewer.world.live_models`) and the
    memory blocks Python holds, after a collection; the counts after the last of them are the ones kept. A session's
    worlds are released when its engine thread ends, which Solara's cull of the session starts (the thread finishes
    the tick it is running first). The bound is generous (180 s) because Solara culls a session only after it has
    seen its last connection close, and on a loaded two-core machine that close was seen to lag a minute behind the
    tab's for one of 30 tabs.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lines = server.log.read_text().splitlines()
        if sum("session released" in x for x in lines) >= released and sum("page closed" in x for x in lines) >= released:
            tail = lines[max(i for i, x in enumerate(lines) if "session released" in x or "page closed" in x):]
            counts = [_state(x) for x in tail if "live sessions 0, live models" in x]
            if counts:
                _, live, held = counts[-1]
                if (models is None or live <= models) and (blocks is None or held <= blocks):
                    return live, held
                if time.monotonic() + 0.5 >= deadline:
                    return live, held  # the caller's assertions name them
        time.sleep(0.5)
    raise AssertionError(f"sessions not released within {timeout} s:\n{server.log.read_text()[-2000:]}")


def test_thirty_sessions(tmp_path) -> None:
    exe = require_chromium()
    with viewer_server(tmp_path, families=FAMILIES, idle_seconds=2, scenario=SCENARIO) as server:
        days, (models, blocks), start, peak = asyncio.run(_sessions(server, exe))
        assert len(days) == SESSIONS and all(d >= 10 for d in days), days
        log = server.log.read_text().splitlines()
        starts = [_state(x) for x in log if "session started" in x]
        assert len(starts) == 1 + SESSIONS, "not one pair of worlds per tab"
        # The registry counts what it should: when the last session started, the thirty held two worlds each.
        sessions_open, models_open, blocks_open = starts[-1]
        assert sessions_open == SESSIONS and models_open >= 2 * SESSIONS, starts[-1]
        growth = peak - start
        assert growth < MAX_GROWTH_MB, f"server memory grew by {growth:.0f} MB for {SESSIONS} sessions"
        # Released: the idle sessions are culled after 2 s, their worlds with them, and memory falls back.
        bound = blocks + MEMORY_SHARE * (blocks_open - blocks)
        models_after, blocks_after = wait_released(server, 1 + SESSIONS, models=0, blocks=bound)
        after = server.rss_mb()
        print(f"server RSS: {start:.0f} MB after one session, {peak:.0f} MB with {SESSIONS} playing, {after:.0f} MB after "
              f"they closed; live models {models} -> {models_open} -> {models_after}; Python memory blocks {blocks} -> "
              f"{blocks_open} -> {blocks_after} (bound {bound:.0f})")
        # Every closed session's worlds are freed: with no session open no model lives, as after the first one closed.
        assert models == 0, f"the first session's worlds still alive after it closed: {models} models"
        assert models_after == 0, f"closed sessions' worlds still alive: {models_open} -> {models_after} models"
        # Python's own objects fall back to near what one released session left (see MEMORY_SHARE for the bound).
        assert blocks_after <= bound, f"Python memory did not fall back: {blocks} -> {blocks_open} -> {blocks_after} blocks"
        # The resident size is not required to fall: the sessions keep playing between the peak sample and the
        # close, and glibc may keep freed pages (a CI run saw peak 348 MB, after 352 MB with the blocks released).
        # It must stay within the bound, so a leak that Python does not see still fails here.
        assert after - start < MAX_GROWTH_MB, f"server memory kept {after - start:.0f} MB after the sessions closed"
