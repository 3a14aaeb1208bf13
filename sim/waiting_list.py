"""Waiting lists with exact time-weighted bookkeeping (for Little's law).

A waiting list is FIFO, or triaged by the severity band an episode had when it
joined (docs/design.md A7: live severity is never used for order). Episodes that
leave early (dropout, crisis, remission) are removed lazily: their heap entry
is skipped when it reaches the head. Episodes that were light when they joined
also go on a second heap, so a breadth professional finds the first light one
in service order without scanning the list (lightness at entry never changes:
a waiting episode's severity path is fixed until it leaves). The list keeps the exact integral of its
length over time and a log of every stay, so L = lambda * W can be checked.
"""

from __future__ import annotations

import heapq
from typing import TYPE_CHECKING

from sim.restore import RestoredInPlace

if TYPE_CHECKING:
    from sim.episode import NeedEpisode

TRIAGE_BANDS = 4


class WaitingList(RestoredInPlace):
    """One queue of one organisation (intake or help for one domain).

    Args:
        org: organisation name.
        kind: ``intake`` or ``help:<domain>``.
        triage: order by severity band at entry instead of first-come.
        log: shared list that receives ``(org, kind, episode uid, enter, leave, how)``.
        light: severity at or below which a need is light (entries light at entry go on a second heap);
            None keeps no second heap.
    """

    def __init__(self, org: str, kind: str, triage: bool, log: list[tuple], light: float | None = None) -> None:
        self.org = org
        self.kind = kind
        self.triage = triage
        self.light = light
        self._heap: list[tuple[int, int, int, NeedEpisode]] = []
        self._light_heap: list[tuple[int, int, int, NeedEpisode]] = []
        self._seq = 0
        self.length = 0
        self.area = 0.0
        self._t = 0.0
        self._log = log

    def _advance(self, t: float) -> None:
        self.area += self.length * (t - self._t)
        self._t = t

    def push(self, ep: NeedEpisode, t: float) -> None:
        """Add an episode at the back of its band; it records its token, entry time and band."""
        self._seq += 1
        self._enter(ep, t, self._seq)

    def _enter(self, ep: NeedEpisode, t: float, token: int) -> None:
        self._advance(t)
        band = 0
        if self.triage:
            band = -min(TRIAGE_BANDS - 1, int(ep.severity(t) * TRIAGE_BANDS)) - (TRIAGE_BANDS if ep.priority else 0)
        ep.queue_token = token
        ep.queue_enter = t
        ep.queue_band = band
        entry = (band, token, ep.uid, ep)
        heapq.heappush(self._heap, entry)
        if self.light is not None and ep.severity(t) <= self.light:
            heapq.heappush(self._light_heap, entry)
        self.length += 1

    def reinsert(self, ep: NeedEpisode, t: float, token: int) -> None:
        """Put ``ep`` on the list at the place ``token`` held (a continuation after a crisis keeps the family's place).

        The band is computed as `push` does, so on a triaged list a priority episode goes ahead of its old band.
        """
        self._enter(ep, t, token)

    def remove(self, ep: NeedEpisode, t: float, how: str) -> None:
        """Take an episode out early (dropout, crisis, remission, refusal)."""
        self._advance(t)
        self.length -= 1
        self._log.append((self.org, self.kind, ep.uid, ep.queue_enter, t, how))
        ep.queue_token = 0

    def _clean(self) -> None:
        h = self._heap
        while h and h[0][3].queue_token != h[0][1]:
            heapq.heappop(h)

    def head(self) -> NeedEpisode | None:
        """The episode that would be served next, or None."""
        self._clean()
        return self._heap[0][3] if self._heap else None

    def pop(self, t: float) -> NeedEpisode:
        """Serve the head."""
        self._clean()
        ep = heapq.heappop(self._heap)[3]
        self._advance(t)
        self.length -= 1
        self._log.append((self.org, self.kind, ep.uid, ep.queue_enter, t, "served"))
        ep.queue_token = 0
        return ep

    def first_light(self) -> NeedEpisode | None:
        """The first episode in service order that was light when it joined, or None (skips stale entries)."""
        h = self._light_heap
        while h and h[0][3].queue_token != h[0][1]:
            heapq.heappop(h)
        return h[0][3] if h else None

    def take(self, ep: NeedEpisode, t: float) -> None:
        """Serve a specific queued episode (found with `first_light`)."""
        self._advance(t)
        self.length -= 1
        self._log.append((self.org, self.kind, ep.uid, ep.queue_enter, t, "served"))
        ep.queue_token = 0

    def close(self, t: float) -> None:
        """Bring the area integral up to ``t`` (end of run)."""
        self._advance(t)
