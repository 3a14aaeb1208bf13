"""A cheaper event list for the model's hot paths, in exactly Mesa's order.

Mesa 3.5 keeps its events in a heap of `Event` objects ordered by
``Event.__lt__`` (time, then priority, then id): every heap step is a Python
call, and a run with tens of thousands of families makes 25-30 of them per
executed event. Here the heap holds tuples ``(time, priority, id, event)``,
compared in C. The order is the same total order (ids are unique, so the event
itself is never compared), so a run gives bit-identical results.

`Timer` is the event the model schedules itself (episode timers, onset
clocks, intakes): slots, no argument lists, and a strong reference to its
callback. Mesa holds callbacks weakly so that a removed agent's events die
with it; this model never removes an agent during a run, and a cancelled or
fired timer drops its callback, so nothing outlives its use. Mesa's own
events (the daily step, `schedule_event`) go through the same list unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from heapq import heapify, heappop, heappush, nsmallest
from typing import Any

from mesa.time.events import Event, EventList, Priority

from sim.restore import RestoredInPlace

DEFAULT_PRIORITY = Priority.DEFAULT.value


class Timer:
    """One scheduled call of the model; the id comes from Mesa's event counter, so ties order as Mesa's do."""

    __slots__ = ("time", "priority", "unique_id", "_canceled", "fn")

    def __init__(self, time: float, fn: Callable[[], None]) -> None:
        self.time = time
        self.priority = DEFAULT_PRIORITY
        self.unique_id = next(Event._ids)
        self._canceled = False
        self.fn: Callable[[], None] | None = fn

    @property
    def CANCELED(self) -> bool:  # noqa: N802 - Mesa's name for the same flag
        """Whether the timer was cancelled."""
        return self._canceled

    def execute(self) -> None:
        """Call the callback unless cancelled."""
        if not self._canceled:
            self.fn()  # type: ignore[misc]

    def cancel(self) -> None:
        """Cancel the timer; it stays in the heap until popped (lazy deletion, as Mesa does)."""
        self._canceled = True
        self.fn = None


class TupleEventList(RestoredInPlace, EventList):
    """Mesa's `EventList` as a heap of ``(time, priority, id, event)`` tuples, with far events parked in buckets.

    Only events before ``limit`` are on the heap; later ones wait unsorted in buckets of `WIDTH` days and
    join the heap, in one ``heapify``, when the heap runs dry. A run with 100,000 families holds hundreds of
    thousands of pending clocks (many cancelled, onset clocks years ahead); keeping the heap to the next days
    keeps its pops short, and a clock cancelled before its bucket comes up never reaches the heap at all.
    Every event before ``limit`` is on the heap and every parked one is at or after it, so the head of the
    heap is always the first event: the order is exactly the one of a single heap.
    """

    # A power of two, so ``time / WIDTH`` is exact and an event's bucket agrees with the comparison to ``limit``.
    WIDTH = 8.0

    def __init__(self, events: list[Any] | None = None) -> None:
        super().__init__()
        self._events: list[tuple[float, int, int, Any]] = []
        self._later: dict[int, list[tuple[float, int, int, Any]]] = {}
        self.limit = 0.0
        for e in events or []:
            self.add_event(e)

    def add_event(self, event: Any) -> None:
        """Add a Mesa `Event` or a `Timer`."""
        t = event.time
        if t < self.limit:
            heappush(self._events, (t, event.priority, event.unique_id, event))
        else:
            self.park((t, event.priority, event.unique_id, event))

    def park(self, entry: tuple[float, int, int, Any]) -> None:
        """Put an entry at or after ``limit`` in its bucket."""
        b = int(entry[0] / self.WIDTH)
        bucket = self._later.get(b)
        if bucket is None:
            self._later[b] = [entry]
        else:
            bucket.append(entry)

    def refill(self) -> bool:
        """Move the earliest bucket's live events onto the (empty) heap; False if nothing is left."""
        later = self._later
        while later:
            b = min(later)
            entries = [e for e in later.pop(b) if not e[3]._canceled]
            self.limit = (b + 1) * self.WIDTH
            if entries:
                heapify(entries)
                self._events[:] = entries  # in place: `advance` holds the list
                return True
        return False

    def pop_event(self) -> Any:
        """Pop the first event that is not cancelled."""
        events = self._events
        while events or self.refill():
            event = heappop(events)[3]
            if not event._canceled:
                return event
        raise IndexError("Event list is empty")

    def _live(self) -> list[tuple[float, int, int, Any]]:
        return [e for e in self._events if not e[3]._canceled] + [e for b in self._later.values() for e in b if not e[3]._canceled]

    def peek_ahead(self, n: int = 1) -> list[Any]:
        """The first ``n`` events that are not cancelled, in order."""
        if self.is_empty():
            raise IndexError("event list is empty")
        return [e[3] for e in nsmallest(n, self._live())]

    def compact(self) -> None:
        """Drop cancelled events."""
        self._events[:] = [e for e in self._events if not e[3]._canceled]
        heapify(self._events)
        for b, entries in list(self._later.items()):
            entries[:] = [e for e in entries if not e[3]._canceled]
            if not entries:
                del self._later[b]

    def clear(self) -> None:
        """Remove every event."""
        self._events.clear()
        self._later.clear()

    def remove(self, event: Any) -> None:
        """Cancel ``event`` (lazy deletion)."""
        if not event._canceled:
            event.cancel()

    def __contains__(self, event: Any) -> bool:
        return not event._canceled and any(e[3] is event for e in self._live())

    def __len__(self) -> int:
        return len(self._live())

    def __repr__(self) -> str:
        inner = ", ".join(f"Event(time={t}, priority={p}, id={i})" for t, p, i, _ in sorted(self._live()))
        return f"EventList([{inner}])"


def advance(model: Any, until: float) -> int:
    """Run ``model``'s events up to and including ``until`` and set its time to ``until``; returns how many ran.

    The loop of Mesa's ``Model._advance_time`` on a `TupleEventList`, reading the heap's head in place
    instead of popping and pushing back the first event past ``until``.
    """
    queue = model._event_list
    events = queue._events
    pop = heappop
    executed = 0
    while events or queue.refill():
        head = events[0]
        t = head[0]
        if t > until:
            break
        pop(events)
        event = head[3]
        if event._canceled:
            continue
        model.time = t
        if event.__class__ is Timer:
            event.fn()  # `Timer.execute` without the second cancel check and the extra call
        else:
            event.execute()
        executed += 1
    model.time = until
    return executed
