"""The engine of one browser session: the worlds live in their own thread, the page only sees finished snapshots.

Play froze the page when the play loop held the worlds' lock while a click
waited to draw the page. Here nothing the page does waits for the model:

* One thread per session (`Engine`) is the only code that touches its
  `WorldPair`. The page's handlers only write the wanted state (play or
  pause, speed, levers of each world, language, family, a step, a reset) under
  a small lock that is never held while the model runs, and wake the thread.
* After every change the thread draws the page's content (`viewer.views.build`)
  and publishes it as an immutable `Snapshot`; the page renders the latest
  one and reports, after that render, that it was delivered (`delivered`).
* While playing, a tick never starts before the last snapshot was delivered,
  so a slow browser or a busy machine slows the play down instead of piling
  up drawings. The days run per tick drop by themselves (never above the
  chosen speed) to keep one tick of computing and drawing inside
  `TICK_SECONDS`; the snapshot says so, and the page shows it.
* A lever switch, a preset or a reset replays from the day-0 prelude in
  chunks; every chunk publishes progress, and a newer wish abandons the
  replay at the next chunk. Pause stays instant because it is only a flag.
  The warm-up before day 0 (once per process and scenario) reports its
  progress the same way. While paused and idle, the thread unpickles a copy
  of the prelude ahead of need, so the next switch only replays.
* `close` (the page calls it when its session ends) stops the thread within
  one wait of `POLL_SECONDS` (or after the replay chunk it is running), and
  the thread drops the pair as it ends, so the worlds are released then, even
  if something still holds the engine. The thread is a daemon, so it never
  keeps a stopping server alive.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from sim import InputError
from viewer.journey import notable_families
from viewer.session import LEVERS, VIEWER_WARM_UP_DAYS, Progress, WorldPair, preset_levers, presets, scenarios
from viewer.views import PairView, build

log = logging.getLogger("ontschot.viewer")

TICK_SECONDS = 0.5
SPEEDS = (1, 2, 7, 14, 30)
POLL_SECONDS = 0.25
# A drawing not acknowledged within this time counts as delivered: a page that lost its acknowledgement must not
# stop the play for good (a closed page's engine is stopped by its session's end, not by this).
DELIVERY_TIMEOUT = 10.0


@dataclass(frozen=True)
class Busy:
    """Work under way that the room waits for: what it is, and how far (days replayed of the total)."""

    what: str  # "start", "scenario", "reset", "levers"
    side: int | None
    done: int
    total: int


@dataclass(frozen=True)
class Snapshot:
    """Everything the page shows at one moment; built by the engine thread, never changed afterwards."""

    version: int
    view: PairView | None  # None only before the first pair is built
    lang: str
    family: int | None
    coordinators: bool
    playing: bool
    speed: int
    days_per_tick: int
    busy: Busy | None
    scenario: str
    seed: int
    warm_up_days: int
    levers: tuple[dict[str, bool], dict[str, bool]]
    choices: tuple[tuple[int, int], ...]  # notable families: (family, needs open at day 0 or reported since)
    error: str = ""

    @property
    def behind(self) -> bool:
        """Whether drawing falls behind: fewer days per tick than the chosen speed."""
        return self.playing and self.days_per_tick < self.speed


class _Superseded(Exception):
    """A replay was overtaken by a newer wish (or the session closed)."""


@dataclass
class _Wish:
    """What the page asked for; the engine makes it so."""

    playing: bool = False
    speed: int = 7
    lang: str = "en"
    family: int | None = None
    coordinators: bool = True
    scenario: str = "sociaal_domein"
    levers: list[dict[str, bool]] = dataclasses.field(default_factory=list)
    step: int = 0
    reset: int = 0  # a counter: each press of reset is one reset
    error: str = ""


class Engine:
    """The worlds of one session in their own thread; see the module docstring.

    Args:
        make_pair: builds the session's `WorldPair` (called in the engine thread with a progress callback for the
            warm-up, see `viewer.session.WorldPair`).
        scenario, seed, warm_up_days: what the page shows before the pair exists.
        on_snapshot: called (in the engine thread) after each publication, e.g. to wake the page.
    """

    def __init__(self, make_pair: Callable[[Progress], WorldPair], scenario: str, seed: int = 1, warm_up_days: int = VIEWER_WARM_UP_DAYS,
                 on_snapshot: Callable[[Snapshot], None] | None = None) -> None:
        self._make_pair = make_pair
        self._mx = threading.Lock()  # guards _wish and the delivery marks only; never held while the model runs
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._published = threading.Condition()
        self._wish = _Wish(scenario=scenario, levers=[preset_levers("fragmented"), preset_levers("networked")])
        self._delivered = 0
        self._published_at = 0.0
        self._on_snapshot = on_snapshot
        self.pair: WorldPair | None = None
        self.days_per_tick = self._wish.speed
        self._day_cost = 0.0  # seconds per simulated day of both worlds (moving average)
        self._draw_cost = 0.0  # seconds to build a view (moving average)
        self.latest = Snapshot(0, None, "en", None, True, False, 7, 7, Busy("start", None, 0, 1), scenario, seed, warm_up_days,
                               (dict(self._wish.levers[0]), dict(self._wish.levers[1])), ())
        self.thread = threading.Thread(target=self._main, name="ontschot-engine", daemon=True)
        self.thread.start()

    # ----- what the page calls (never waits for the model) -----

    def _want(self, **changes: object) -> None:
        with self._mx:
            for key, value in changes.items():
                setattr(self._wish, key, value)
        self._wake.set()

    def play(self, on: bool) -> None:
        """Play or pause; a pause takes effect before the next tick."""
        self._want(playing=bool(on))

    def set_speed(self, days: int) -> None:
        """Days per tick (one of `SPEEDS`)."""
        if days not in SPEEDS:
            raise InputError("speed", days, f"one of {', '.join(map(str, SPEEDS))}")
        self._want(speed=days)

    def step(self, days: int) -> None:
        """Advance ``days`` days (while paused)."""
        with self._mx:
            self._wish.step += int(days)
        self._wake.set()

    def reset(self) -> None:
        """Back to day 0 (pauses)."""
        with self._mx:
            self._wish.reset += 1
            self._wish.playing = False
            self._wish.step = 0
        self._wake.set()

    def set_lang(self, lang: str) -> None:
        """Language of every label."""
        self._want(lang=lang)

    def set_family(self, fid: int | None) -> None:
        """The family whose journey is shown (None: none)."""
        self._want(family=fid)

    def set_coordinators(self, on: bool) -> None:
        """Whether the pictures draw the lines from families to their coordinators."""
        self._want(coordinators=bool(on))

    def set_scenario(self, name: str) -> None:
        """Another scenario: both worlds start again at day 0 (pauses)."""
        if name not in scenarios():
            raise InputError("scenario", name, f"one of {', '.join(scenarios())}")
        self._want(scenario=name, playing=False, family=None, step=0)

    def set_lever(self, side: int, lever: str, on: bool) -> None:
        """Switch one lever of one world (replayed in the engine thread)."""
        if lever not in LEVERS:
            raise InputError("lever", lever, f"one of {', '.join(LEVERS)}")
        with self._mx:
            self._wish.levers[side] = {**self._wish.levers[side], lever: bool(on)}
        self._wake.set()

    def set_preset(self, side: int, name: str) -> None:
        """Give one world a preset's levers (replayed in the engine thread)."""
        if name not in presets():
            raise InputError("working", name, f"one of {', '.join(presets())}")
        with self._mx:
            self._wish.levers[side] = preset_levers(name)
        self._wake.set()

    def delivered(self, version: int) -> None:
        """The page rendered snapshot ``version``: the next tick may start."""
        with self._mx:
            if version > self._delivered:
                self._delivered = version
        self._wake.set()

    def wait_snapshot(self, after: int, timeout: float) -> Snapshot | None:
        """The latest snapshot once it is newer than version ``after`` (None after ``timeout`` seconds)."""
        with self._published:
            self._published.wait_for(lambda: self.latest.version > after or self._stop.is_set(), timeout)
            return self.latest if self.latest.version > after else None

    def close(self) -> None:
        """Stop the thread (it ends within `POLL_SECONDS` or after the chunk it is running)."""
        self._stop.set()
        self._wake.set()
        with self._published:
            self._published.notify_all()

    @property
    def closed(self) -> bool:
        """Whether `close` was called."""
        return self._stop.is_set()

    # ----- the engine thread -----

    def _main(self) -> None:
        try:
            self.pair = self._make_pair(self._warm_up_progress("start"))
            self._publish()
            self._loop()
        except _Superseded:
            pass
        except Exception:  # a crash of the model must not pass silently: it goes to the server's log
            log.exception("ontschot viewer: the engine of a session stopped")
        finally:
            with self._published:
                self._published.notify_all()
            log.info("ontschot viewer: engine thread stopped")
            if self._stop.is_set():
                # The session is over: drop its worlds here rather than wait until the engine object itself is
                # freed. The engine is referenced by the page's closures, which live in Solara's render context;
                # that context is a reference cycle freed only by a cyclic collection, and the load test saw one
                # closed session's context stay reachable (three closure cells still held its engine after a full
                # collection), so its worlds were never released. Without the pair nothing else holds the worlds:
                # reference counting frees the pair at once (logged, `viewer.session`), and the collection that
                # follows its release (`viewer.session._trim`) frees the models' own cycles. Snapshots hold no model.
                self.pair = None

    def _loop(self) -> None:
        pair = self.pair
        assert pair is not None
        next_tick = 0.0
        done_reset = 0
        while not self._stop.is_set():
            self._wake.clear()
            with self._mx:
                wish = dataclasses.replace(self._wish, levers=[dict(x) for x in self._wish.levers])
                steps, self._wish.step = self._wish.step, 0
                delivered = self._delivered >= self.latest.version or time.perf_counter() - self._published_at > DELIVERY_TIMEOUT
            if wish.scenario != pair.scenario:
                self._publish(Busy("scenario", None, 0, 1), draw=False)
                try:
                    pair.set_scenario(wish.scenario, self._warm_up_progress("scenario"))
                except InputError as exc:
                    self._want(scenario=pair.scenario, error=str(exc))
                self._publish()
                continue
            if wish.reset != done_reset:
                done_reset = wish.reset
                self._publish(Busy("reset", None, 0, 1))
                pair.reset()
                self._publish()
                continue
            if self._replay_levers(pair, wish):
                continue
            latest = self.latest
            if (wish.lang, wish.family, wish.coordinators, wish.error) != (latest.lang, latest.family, latest.coordinators,
                                                                           latest.error):
                self._publish()
            if steps and not wish.playing:
                pair.advance(steps)
                self._publish()
                continue
            now = time.perf_counter()
            if wish.playing and not pair.at_end:
                if not delivered:
                    self._wake.wait(POLL_SECONDS)  # the last drawing is not on the page yet: no new tick
                    continue
                if now < next_tick:
                    self._wake.wait(next_tick - now)
                    continue
                next_tick = now + TICK_SECONDS
                self._tick(pair, wish.speed)
                if pair.at_end:
                    self._want(playing=False)
                self._publish()
                continue
            if wish.playing != self.latest.playing or wish.speed != self.latest.speed:
                self._publish()
                continue
            if not wish.playing and pair.prepare_spare():
                continue  # idle: the next lever switch, preset or reset need not unpickle the prelude (see WorldPair)
            self._wake.wait(POLL_SECONDS)

    def _warm_up_progress(self, what: str) -> Progress:
        """Progress of a warm-up as `Busy` snapshots a few times a second.

        A session closed meanwhile does not abandon the warm-up: it is kept for every later session of the
        process (`viewer.session.shared_prelude`), and the pair it makes is released with the session as usual.
        """
        last = [0.0]

        def progress(done: int, total: int) -> None:
            if self._stop.is_set():
                return
            now = time.perf_counter()
            if now - last[0] > 0.2:
                last[0] = now
                self._publish(Busy(what, None, done, total), draw=False)

        return progress

    def _tick(self, pair: WorldPair, speed: int) -> None:
        """Run one tick: as many days as fit in the tick's budget beside drawing, never more than ``speed``."""
        budget = TICK_SECONDS * 0.8 - self._draw_cost
        days = speed if self._day_cost <= 0 else max(1, min(speed, int(budget / self._day_cost)))
        self.days_per_tick = days
        t0 = time.perf_counter()
        done = pair.advance(days)
        if done:
            cost = (time.perf_counter() - t0) / done
            self._day_cost = cost if self._day_cost <= 0 else 0.7 * self._day_cost + 0.3 * cost

    def _replay_levers(self, pair: WorldPair, wish: _Wish) -> bool:
        """Give each world the levers wished for; returns whether anything was replayed (or abandoned)."""
        for side in (0, 1):
            want = wish.levers[side]
            if want == pair.levers[side]:
                continue
            last = [0.0]

            def progress(done: int, total: int, side: int = side, want: dict[str, bool] = want, last: list[float] = last) -> None:
                with self._mx:
                    overtaken = self._wish.levers[side] != want or self._wish.scenario != pair.scenario
                if overtaken or self._stop.is_set():
                    raise _Superseded
                now = time.perf_counter()
                if now - last[0] > 0.2:  # progress a few times a second, not per chunk on a fast machine
                    last[0] = now
                    self._publish(Busy("levers", side, done, total), draw=False)

            self._publish(Busy("levers", side, 0, max(1, pair.day)), draw=False)
            try:
                pair.set_levers(side, want, progress)
            except _Superseded:
                if self._stop.is_set():
                    raise
            self._publish()
            return True
        return False

    def _publish(self, busy: Busy | None = None, draw: bool = True) -> None:
        """Draw (unless ``draw`` is False: progress only, the last drawing stays) and publish a new snapshot."""
        pair = self.pair
        with self._mx:
            wish = dataclasses.replace(self._wish, levers=[dict(x) for x in self._wish.levers])
        latest = self.latest
        view, choices, lang, family, coordinators = latest.view, latest.choices, latest.lang, latest.family, latest.coordinators
        if draw and pair is not None and busy is None:
            t0 = time.perf_counter()
            view = build(pair, wish.lang, wish.family, wish.coordinators)
            choices = tuple(notable_families(pair.worlds[0]))
            lang, family, coordinators = wish.lang, wish.family, wish.coordinators
            cost = time.perf_counter() - t0
            self._draw_cost = cost if self._draw_cost <= 0 else 0.7 * self._draw_cost + 0.3 * cost
        snap = Snapshot(
            version=self.latest.version + 1, view=view, lang=lang, family=family, coordinators=coordinators,
            playing=wish.playing, speed=wish.speed,
            days_per_tick=self.days_per_tick if wish.playing else wish.speed, busy=busy,
            scenario=pair.scenario if pair is not None else wish.scenario,
            seed=pair.seed if pair is not None else self.latest.seed,
            warm_up_days=pair.warm_up_days if pair is not None else self.latest.warm_up_days,
            levers=(dict(wish.levers[0]), dict(wish.levers[1])), choices=choices, error=wish.error)
        with self._published:
            self.latest = snap
            self._published_at = time.perf_counter()
            self._published.notify_all()
        if self._on_snapshot is not None:
            self._on_snapshot(snap)

