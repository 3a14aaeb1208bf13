"""The model's event list (sim.events) runs events in exactly Mesa's order, with cancellations and far events.

A random schedule (ties in time, ties in time and priority, events far past the parking limit, cancellations,
events scheduled while others run) is played once on a plain Mesa model and once on the tuple list with its
buckets; the sequence of executed callbacks must be the same, and the list's own queries must agree.
"""

from __future__ import annotations

import random

import mesa
import pytest
from mesa.time.events import Event, EventList, Priority

from sim.events import Timer, TupleEventList, advance


class Play:
    """One random schedule on one event list; running a callback may schedule or cancel others, as handlers do."""

    def __init__(self, seed: int, fast: bool) -> None:
        self.rng = random.Random(seed)
        self.fast = fast
        self.queue = TupleEventList() if fast else EventList()
        self.log: list[str] = []
        self.keep: list = []  # Mesa holds callbacks weakly
        self.pending: list = []
        self.now = 0.0

    def add(self, t: float, name: str, priority: Priority = Priority.DEFAULT) -> None:
        def fire() -> None:
            self.log.append(name)
            if self.rng.random() < 0.3:  # a follow-up, sometimes at the same instant
                dt = 0.0 if self.rng.random() < 0.3 else self.rng.choice([0.5, 3.0, 40.0])
                self.add(self.now + dt, f"{name}+")
            if self.pending and self.rng.random() < 0.2:
                self.pending.pop(self.rng.randrange(len(self.pending))).cancel()

        self.keep.append(fire)
        # The model's own clocks are Timers (default priority); Mesa's events share the list.
        ev = Timer(t, fire) if self.fast and priority is Priority.DEFAULT else Event(t, fire, priority=priority)
        self.queue.add_event(ev)
        self.pending.append(ev)

    def run(self) -> list[str]:
        for i in range(400):
            t = self.rng.choice([0.0, 1.0, 8.0, 16.0, 100.0]) if self.rng.random() < 0.3 else self.rng.uniform(0.0, 300.0)
            self.add(t, f"e{i}", self.rng.choice([Priority.HIGH, Priority.DEFAULT, Priority.DEFAULT, Priority.LOW]))
        for ev in self.rng.sample(self.pending, 60):
            ev.cancel()
        while True:
            try:
                ev = self.queue.pop_event()
            except IndexError:
                return self.log
            self.now = ev.time
            ev.execute()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_same_order_as_mesa(seed: int) -> None:
    # Ids come from Mesa's global counter; both plays create their events in the same order, so ties break alike.
    slow = Play(seed, fast=False).run()
    fast = Play(seed, fast=True).run()
    assert len(slow) > 300 and len(set(slow)) == len(slow)
    assert fast == slow


def test_queries_agree_with_mesa() -> None:
    def noop() -> None:
        return None

    lists = (EventList(), TupleEventList())
    made: dict[int, list[Event]] = {}
    for q in lists:
        made[id(q)] = [Event(t, noop) for t in (5.0, 1.0, 30.0, 1.0, 200.0, 9.0)]
        for ev in made[id(q)]:
            q.add_event(ev)
        made[id(q)][2].cancel()
    slow, fast = lists
    assert len(fast) == len(slow) == 5
    assert [e.time for e in fast.peek_ahead(3)] == [e.time for e in slow.peek_ahead(3)] == [1.0, 1.0, 5.0]
    assert made[id(fast)][4] in fast and made[id(fast)][2] not in fast
    assert "time=200.0" in repr(fast) and "time=30.0" not in repr(fast)
    fast.compact()
    assert len(fast) == 5
    fast.clear()
    assert fast.is_empty()


def test_advance_runs_to_the_limit_and_counts() -> None:
    class M(mesa.Model):
        time: float = 0.0

    model = M()
    model._event_list = TupleEventList()
    seen: list[float] = []

    class Thing:
        def at(self) -> None:
            seen.append(model.time)

    thing = Thing()
    for t in (3.0, 12.0, 12.0, 50.0):
        model._event_list.add_event(Timer(t, thing.at))
    cancelled = Timer(20.0, thing.at)
    model._event_list.add_event(cancelled)
    cancelled.cancel()
    assert advance(model, 12.0) == 3 and seen == [3.0, 12.0, 12.0] and model.time == 12.0
    assert advance(model, 40.0) == 0 and model.time == 40.0
    assert advance(model, 60.0) == 1 and seen[-1] == 50.0 and model.time == 60.0
