"""Thirty browser sessions on one viewer at once: each plays its own worlds; memory is bounded and returns.

The server runs with small worlds (300 families) and a two-second idle
release, so the test checks session handling, not the population. Every
session opens in its own browser context (its own cookie, so its own Solara
session), presses play and must see its day counter pass day 10. The
server's resident memory while all thirty play must stay under a fixed bound,
and after the pages close it must fall back towards where it started (the
sessions' models are released, not kept). Every wait has a timeout, so the
test ends by itself.
"""

from __future__ import annotations

import asyncio
import time

from playwright.async_api import async_playwright
from viewer_server import Server, require_chromium, viewer_server

SESSIONS = 30
FAMILIES = 300
WAIT_MS = 120_000
# Bound on the memory thirty sessions may add (measured: about 4 MB per session with 300 families, two worlds).
MAX_GROWTH_MB = 600.0


async def _sessions(server: Server, exe: str) -> tuple[list[int], float, float]:
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
            await asyncio.to_thread(wait_released, server, 1)
            start = server.rss_mb()
            contexts = [await browser.new_context(viewport={"width": 1200, "height": 900}) for _ in range(SESSIONS)]
            pages = [await c.new_page() for c in contexts]
            await asyncio.gather(*(pg.goto(server.url, timeout=WAIT_MS) for pg in pages))
            await asyncio.gather(*(pg.wait_for_selector(".day-counter", timeout=WAIT_MS) for pg in pages))
            await asyncio.gather(*(pg.click(".play-pause", timeout=WAIT_MS) for pg in pages))
            check = "() => +document.querySelector('.day-counter').dataset.day >= 10"
            await asyncio.gather(*(pg.wait_for_function(check, timeout=WAIT_MS) for pg in pages))
            peak = server.rss_mb()
            days = [int(await pg.get_attribute(".day-counter", "data-day")) for pg in pages]
            for c in contexts:
                await c.close()
        finally:
            await browser.close()
    return days, start, peak


def wait_released(server: Server, released: int, timeout: float = 60.0) -> None:
    """Wait (bounded) until the server log shows ``released`` sessions released and none live."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        log = server.log.read_text()
        if log.count("session released") >= released and log.rstrip().endswith("live sessions 0"):
            time.sleep(1.5)  # the memory trim runs a second after the release
            return
        time.sleep(0.5)
    raise AssertionError(f"sessions not released within {timeout} s:\n{server.log.read_text()[-2000:]}")


def test_thirty_sessions(tmp_path) -> None:
    exe = require_chromium()
    with viewer_server(tmp_path, families=FAMILIES, idle_seconds=2) as server:
        days, start, peak = asyncio.run(_sessions(server, exe))
        assert len(days) == SESSIONS and all(d >= 10 for d in days), days
        growth = peak - start
        assert growth < MAX_GROWTH_MB, f"server memory grew by {growth:.0f} MB for {SESSIONS} sessions"
        # Released: the idle sessions are culled after 2 s, their models with them, and memory falls back.
        wait_released(server, 1 + SESSIONS)
        after = server.rss_mb()
        print(f"server RSS: start {start:.0f} MB, {SESSIONS} sessions playing {peak:.0f} MB, after closing {after:.0f} MB")
        assert after <= start + 0.5 * growth, f"memory did not fall back: start {start:.0f}, peak {peak:.0f}, after {after:.0f} MB"
