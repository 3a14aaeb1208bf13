"""The pair of worlds one browser session watches, and what the facilitator can do to it.

Both worlds are built from the same `RunConfig` (scenario, population, seed,
warm-up) except for their lever settings, so they hold the same families with
the same needs at the same moments (common random numbers). Levers are not
switched inside a running model: switching one rebuilds that world with the
new setting and replays it to the day on screen, so it shows what the same
families would have lived through had this world worked that way since day 0.
The other world is not touched. Both worlds and every replay start from one
pickled prelude (the shared status quo up to the end of the warm-up, see
`sim.prelude`), so a switch, a preset or a reset costs the days since
day 0, not a new warm-up. The prelude is run once per process for each
scenario, population, seed and warm-up (`shared_prelude`): later sessions,
resets and returns to a scenario start at once. A session may unpickle a copy
of it ahead of need (`WorldPair.prepare_spare`), so that the next switch only
replays. Long operations report their progress through a callback. In the viewer one thread per session (`viewer.engine`) is the only
user of a pair; the lock guards pairs used from several threads elsewhere.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import functools
import gc
import logging
import sys
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable

from sim import InputError, LeverSettings, RunConfig, SocialDomainModel, configuration, load_run_config
from sim.levers.registry import SWITCH_ORDER, is_on, switched
from sim.prelude import prelude
from sim.scenario import load_scenario
from viewer.world import World, live_models, thaw

# The viewer's switches, one per registered lever (its key): the flags, then the shares (`sim.levers.registry`).
LEVERS: tuple[str, ...] = tuple(c.name for c in SWITCH_ORDER)
DEFAULT_PRESETS = ("fragmented", "networked")
# The viewer's run shape. Warm-up: three years of status quo, run before day 0 is shown, so the families on screen
# live in a status quo whose waiting lists have mostly filled: sociaal_domein's open episodes stand at about 94 % of
# their settled level after three years and settle in about five (docs/design.md F6), the analysis runs' warm-up
# (configs/config.yaml); three keep a workshop's first screen quick (an assumption of what a room waits for). It is run
# once per process and scenario (`shared_prelude`); it makes each replayed day dearer than after a shorter warm-up
# (the settled world is busier), see docs/performance.md. Horizon: ten years, far beyond a workshop.
VIEWER_WARM_UP_DAYS = 1095
VIEWER_HORIZON_DAYS = 3650
# The viewer's default population: the scenario's own, at most this many families. Staff and desks scale with the
# population (sim.staffing), and per-family outcomes of the status quo agree at 5,000 and at 20,000 families of
# sociaal_domein (tests/test_balance_invariance.py), so a smaller population shows the same per-family picture; a
# lever switch replays the days since day 0 and costs about the number of families (10,000 took 4.3-4.6 s of
# processor time at day 365 on a loaded machine), so at 5,000 it stays near the 2 s. `--families` sets
# another size.
VIEWER_MAX_FAMILIES = 5000
# A replay advances this many days between two progress reports (and two chances to be cancelled).
REPLAY_CHUNK = 30

Progress = Callable[[int, int], None]
"""Called as ``progress(done, total)`` while a world is replayed; may raise to abandon the replay."""


def scenarios() -> list[str]:
    """Scenario names available now (the files in ``scenarios/``; a new file shows up at once)."""
    return configuration.scenarios()


def presets() -> list[str]:
    """Ways of working available (the presets in ``configs/working``)."""
    return configuration.presets()


@functools.cache
def _preset_data(name: str) -> dict:
    return configuration.preset_levers(name)


def preset_levers(name: str) -> dict[str, bool]:
    """The on/off setting of every lever in a preset, by lever key (a share lever: on when the preset sets a share)."""
    data = _preset_data(name)
    return {k: is_on(k, data) for k in LEVERS}


@functools.lru_cache(maxsize=32)
def _base_config(scenario: str, mtime_ns: int, families: int | None, seed: int, warm_up_days: int, horizon_days: int) -> RunConfig:
    """A frozen `RunConfig` shared by sessions: parsing a scenario file takes a few tenths of a second.

    Keyed by the file's modification time, so an edited or new scenario file is read afresh. A config is
    immutable (it holds no model and no state), so sharing it between sessions is safe.
    """
    del mtime_ns  # part of the cache key only
    n = families if families is not None else default_families(scenario)
    config = load_run_config(scenario, "fragmented", seed=seed, n_families=n, warm_up_days=float(warm_up_days),
                             horizon_days=float(horizon_days))
    # No lead of the levers (docs/design.md F9): the viewer's day 0 is the moment the levers switch on, so the room
    # sees the networked world's transition from the status quo, not a world that switched years earlier.
    return config.with_lead(0.0)


def scenario_families(scenario: str) -> int:
    """The population a scenario file is staffed for (its own ``n_families``; read once per file version)."""
    return _scenario_families(scenario, configuration.scenario_path(scenario).stat().st_mtime_ns)


@functools.lru_cache(maxsize=32)
def _scenario_families(scenario: str, mtime_ns: int) -> int:
    del mtime_ns  # part of the cache key only
    return load_scenario(scenario).n_families


def default_families(scenario: str) -> int:
    """The viewer's population when none is given: the scenario's own, at most `VIEWER_MAX_FAMILIES`."""
    return min(scenario_families(scenario), VIEWER_MAX_FAMILIES)


# Preludes shared by every session of this process, newest last: a new session, a reset or a return to a scenario
# finds its warm-up done. Keyed like `_base_config` (an edited scenario file gets a new one); a few, since each holds
# a pickled model (about 15 MB at 10,000 families after a three-year warm-up).
_PRELUDES: OrderedDict[tuple, bytes] = OrderedDict()
_PRELUDES_LOCK = threading.Lock()
PRELUDES_KEPT = 4


def shared_prelude(key: tuple, config: RunConfig, progress: Progress | None = None) -> bytes:
    """The prelude of ``config`` (cached under ``key``), run here with ``progress`` if no session has run it yet."""
    with _PRELUDES_LOCK:
        if key in _PRELUDES:
            _PRELUDES.move_to_end(key)
            return _PRELUDES[key]
    # Outside the lock: another session is not held up by this warm-up (two sessions that start it at once both
    # run it and get equal bytes; the model is deterministic).
    blob = prelude(config, progress)
    with _PRELUDES_LOCK:
        _PRELUDES[key] = blob
        while len(_PRELUDES) > PRELUDES_KEPT:
            _PRELUDES.popitem(last=False)
    return blob


def matching_preset(levers: dict[str, bool]) -> str | None:
    """The preset whose lever setting equals ``levers``, if any."""
    for name in presets():
        if preset_levers(name) == levers:
            return name
    return None


# Session lines go to the server's log (a handler is set up by the server, `viewer.app`); in any other process,
# such as a test that builds world pairs, they go nowhere instead of into that process's stderr.
log = logging.getLogger("ontschot.viewer")
_live = 0
_live_lock = threading.Lock()


def live_pairs() -> int:
    """How many pairs exist in this process now (one per open browser session)."""
    return _live


def _count(delta: int) -> None:
    global _live
    with _live_lock:
        _live += delta
        n = _live
    # One line per session start and release in the server log: the load test reads it to see sessions released,
    # and on a start how many models and memory blocks the live sessions hold (the worlds of the new one included).
    if delta > 0:
        log.info("ontschot viewer: session started; live sessions %d, live models %d, python blocks %d", n, live_models(),
                 sys.getallocatedblocks())
    else:
        log.info("ontschot viewer: session released; live sessions %d", n)
    if delta < 0:
        _trim_later()


def page_closed() -> None:
    """A session's page stopped drawing (its last thread ended): log it and collect what the session left.

    The worlds are released when the session's engine thread ends; the page's own objects (Solara's render context,
    the last snapshots) are a reference cycle that becomes garbage only once the page's last thread is gone, which
    on a loaded machine can be after the worlds' release and its collection. Collecting again after this, the last
    of a session's ends, is what lets Python's memory fall back (the load test waits for this line as well).
    """
    log.info("ontschot viewer: page closed")
    _trim_later()


# When to collect after a release or a closed page: soon, and once more later. Later, not now: the caller (a garbage
# collection, or a thread about to end) still holds what is to be freed, and Solara's own clean-up of a closed page
# can take seconds more (a run of the load test saw 30 closed sessions' memory still held by every collection in
# the first seconds, and freed by a later one).
TRIM_AFTER_SECONDS = (1.0, 15.0)


def _trim_later() -> None:
    for delay in TRIM_AFTER_SECONDS:
        timer = threading.Timer(delay, _trim)
        timer.daemon = True
        # Outside any page's context: Solara's thread patch gives a new thread the context it was made in, and a
        # timer made while that page closes found its kernel without a shell, failed before it started and left its
        # caller waiting in start(), holding that session's worlds (a CI run: 3 models alive after 30 pages closed,
        # "'NoneType' object has no attribute 'display_pub'" in the server log). _trim needs no page.
        timer.current_context = None  # type: ignore[attr-defined]
        with contextlib.suppress(RuntimeError):  # interpreter shutting down: nothing to give back
            timer.start()


# One collection and count at a time. Thirty sessions closing together start sixty timers; ``gc.collect`` returns at
# once while another thread's collection runs, so without this a timer counted in the middle of someone else's
# collection: a load-test log showed "live models 0" (the weak references already cleared) beside two million
# memory blocks (the models not yet freed), and a later line, counted earlier but logged later, "live models 9".
# Timers that come due while a collection runs share the next one: a collection started after a timer came due
# does its work, so sixty timers do not queue sixty collections of a large heap.
# Two locks, because one would not do: a timer must count itself when it comes due, while a collection may be
# running (the short `_trims_count_lock`), so the next collection's snapshot (``covered``) includes it and it can
# return without collecting. Counted only under `_TRIM_LOCK`, each waiting timer would count itself after the running
# collection, see no later collection covering it, and run its own: sixty timers, sixty collections.
_TRIM_LOCK = threading.Lock()
_trims_due = 0  # timers come due so far
_trims_done = 0  # of which a finished collection started after they came due
_trims_count_lock = threading.Lock()


def _trim() -> None:
    """Give freed memory back to the operating system (glibc keeps it otherwise, and a workshop day is long)."""
    global _trims_due, _trims_done
    with _trims_count_lock:
        _trims_due += 1
        mine = _trims_due
    with _TRIM_LOCK:
        if _trims_done >= mine:
            return  # a collection that started after this timer came due has run meanwhile
        with _trims_count_lock:
            covered = _trims_due
        # The released worlds' models are reference cycles (agents and their model): an idle server allocates too
        # little for the cyclic collector to run on its own, so collect them before memory is given back.
        gc.collect()
        with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to do
            ctypes.CDLL("libc.so.6").malloc_trim(0)
        # The models still alive and the memory held by Python objects, in the log: the load test checks that the
        # closed sessions' models are gone and that memory falls back once sessions are gone.
        log.info("ontschot viewer: live sessions %d, live models %d, python blocks %d", _live, live_models(),
                 sys.getallocatedblocks())
        _trims_done = covered


class WorldPair:
    """Two worlds side by side (index 0 left, 1 right).

    Args:
        scenario: scenario name.
        families: population size (None: `default_families`, the scenario's own at most `VIEWER_MAX_FAMILIES`).
        seed: run seed shared by both worlds.
        warm_up_days: status-quo days run before day 0.
        horizon_days: the last day that can be shown.
        left, right: preset names of the two worlds.
        progress: told the days of the warm-up run so far (only when no session of this process ran it yet).
    """

    def __init__(self, scenario: str = "sociaal_domein", families: int | None = None, seed: int = 1,
                 warm_up_days: int = VIEWER_WARM_UP_DAYS, horizon_days: int = VIEWER_HORIZON_DAYS,
                 left: str = DEFAULT_PRESETS[0], right: str = DEFAULT_PRESETS[1], progress: Progress | None = None) -> None:
        self.lock = threading.RLock()
        self.families = families
        self.seed = seed
        self.warm_up_days = warm_up_days
        self.horizon_days = horizon_days
        self.scenario = scenario
        self.levers = [preset_levers(left), preset_levers(right)]
        self._spare: SocialDomainModel | None = None
        self._prelude = self._shared_prelude(progress)
        self.worlds: list[World] = [self._build(0), self._build(1)]
        _count(+1)
        weakref.finalize(self, _count, -1).atexit = False

    def _base(self) -> RunConfig:
        """The shared part of both configs (read once per scenario file version, see `_base_config`)."""
        path = configuration.scenario_path(self.scenario)
        return _base_config(self.scenario, path.stat().st_mtime_ns, self.families, self.seed, self.warm_up_days, self.horizon_days)

    def _shared_prelude(self, progress: Progress | None) -> bytes:
        path = configuration.scenario_path(self.scenario)
        key = (self.scenario, path.stat().st_mtime_ns, self.families, self.seed, self.warm_up_days, self.horizon_days)
        return shared_prelude(key, self._base(), progress)

    def prepare_spare(self) -> bool:
        """Unpickle a copy of the prelude ahead of need (returns whether one was made).

        The next world built (a lever switch, a preset, a reset) starts from it instead of unpickling then, which
        takes a few tenths of a second at 10,000 families. The session's engine calls this while it is idle.
        """
        with self.lock:
            if self._spare is not None:
                return False
            blob = self._prelude
        spare = thaw(blob)
        with self.lock:
            if self._prelude is blob and self._spare is None:  # not for a scenario picked meanwhile
                self._spare = spare
                return True
        return False

    @property
    def has_spare(self) -> bool:
        """Whether a copy of the prelude is ready (`prepare_spare`)."""
        return self._spare is not None

    def config(self, side: int) -> RunConfig:
        """The `RunConfig` of one world: shared fields, its own levers."""
        lv = self.levers[side]
        # A share lever switched on takes the networked preset's share.
        levers = LeverSettings(**{k: v for key in LEVERS for k, v in switched(key, lv[key], _preset_data("networked")).items()})
        return dataclasses.replace(self._base(), levers=levers, working=matching_preset(lv) or "custom")

    def _build(self, side: int) -> World:
        spare, self._spare = self._spare, None
        return World(self.config(side), spare if spare is not None else self._prelude)

    @property
    def day(self) -> int:
        """The day on screen (both worlds are always on the same day)."""
        return self.worlds[0].day

    @property
    def at_end(self) -> bool:
        """Whether the horizon is reached."""
        return self.day >= self.worlds[0].last_day

    def advance(self, days: int) -> int:
        """Advance both worlds by ``days``; returns the days run."""
        with self.lock:
            done = self.worlds[0].advance(days)
            self.worlds[1].advance(done)
            return done

    def reset(self) -> None:
        """Back to day 0 with the current settings (both worlds start again from the prelude)."""
        with self.lock:
            self.worlds = [self._build(0), self._build(1)]

    def set_scenario(self, name: str, progress: Progress | None = None) -> None:
        """Pick another scenario (both worlds restart at day 0); ``progress`` as for the warm-up of `WorldPair`."""
        if name not in scenarios():
            raise InputError("scenario", name, f"one of {', '.join(scenarios())}")
        with self.lock:
            old = self.scenario
            self.scenario = name
            try:
                self._prelude = self._shared_prelude(progress)
            except BaseException:
                self.scenario = old
                raise
            self._spare = None
            self.worlds = [self._build(0), self._build(1)]

    def set_levers(self, side: int, levers: dict[str, bool], progress: Progress | None = None) -> None:
        """Give one world this lever setting; it is replayed to the current day, the other world is untouched.

        If ``progress`` raises, the world and its setting stay as they were and the exception propagates.
        """
        unknown = sorted(set(levers) ^ set(LEVERS))
        if unknown:
            raise InputError("lever", unknown[0], f"one of {', '.join(LEVERS)}")
        with self.lock:
            old = self.levers[side]
            self.levers[side] = {k: bool(levers[k]) for k in LEVERS}
            try:
                self._replay(side, progress)
            except BaseException:
                self.levers[side] = old
                raise

    def set_lever(self, side: int, lever: str, on: bool, progress: Progress | None = None) -> None:
        """Switch one lever of one world; that world is replayed to the current day, the other is untouched."""
        if lever not in LEVERS:
            raise InputError("lever", lever, f"one of {', '.join(LEVERS)}")
        self.set_levers(side, {**self.levers[side], lever: bool(on)}, progress)

    def set_preset(self, side: int, name: str, progress: Progress | None = None) -> None:
        """Give one world every lever value of a preset (replayed to the current day)."""
        if name not in presets():
            raise InputError("working", name, f"one of {', '.join(presets())}")
        self.set_levers(side, preset_levers(name), progress)

    def _replay(self, side: int, progress: Progress | None) -> None:
        """Rebuild one world from the prelude and run it to the day on screen, ``REPLAY_CHUNK`` days at a time."""
        day = self.day
        world = self._build(side)
        while world.day < day:
            if progress is not None:
                progress(world.day, day)
            world.advance(min(REPLAY_CHUNK, day - world.day))
        self.worlds[side] = world
