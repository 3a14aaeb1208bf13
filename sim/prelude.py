"""The prelude: a model run to just before its levers switch on, kept as bytes and restored under any lever setting.

Every lever is off until ``model.levers_on`` (the end of warm-up, or a scenario's lead before it, docs/design.md
F9), so a model's state just before that moment depends on its `RunConfig` without the lever settings
(``tests/test_crn.py`` checks that both arms share the warm-up's history). `prelude` runs a model that far and
pickles it; `from_prelude` restores a copy, configures every lever from another config's settings and sets its
config, and the copy then runs on (``model.run()``) exactly as a cold run of that config would
(``tests/test_prelude.py`` compares every output table, restored in a fresh process). The viewer starts its
worlds from a prelude (`viewer.world`), and runs may start from a prelude kept on disk
(`experiments.warmup_cache`).

What a restored run depends on beyond the pickled model, in the process that restores it:

- **Mesa's event counter** (``mesa.time.events.Event._ids``, class level, shared by every model of a process):
  events at the same time and priority run in the order of their ids, and a new event takes the counter's next
  value. A cold run's later events all take ids above every event it holds; in a new process the counter starts
  near 0, so `thaw` moves it past every id in the restored event list (the heap and the parked buckets of
  `sim.events.TupleEventList`). It never moves the counter back: ids already given in this process stay unique.
- **Caches that are pure functions** (`sim.streams.beta_table` and ``gamma_table``, per process): the model holds
  its own tables, which are pickled with it; the caches only save rebuilding equal tables.
- **Per-model memories** (``model.onset_mults``, the population's block of drawn-ahead uniforms,
  ``PopulationFlows._block``): attributes of the model, pickled with it, and equal to what a cold run holds at
  that moment (both are pure functions of the seed and the keys).
- **The cyclic garbage collector**: paused while a model is built, run or unpickled (`sim.gc_pause`), for speed
  only. The model's own callbacks are held strongly (`sim.events.Timer`) or by a model that is alive, so no
  collection can drop an event; outputs do not depend on when it runs.
- **How objects are restored**: the model's classes restore their attributes one by one (`sim.restore`), so a
  restored model runs as fast as a cold one; the values are those pickled either way.
- **Python's string hashing** (salted per process): the model iterates only over lists, dicts (insertion order,
  kept by pickle) and sets of integers or integer tuples (or sorts them), so no order depends on the salt.

A prelude is bytes of ``pickle``: load only bytes this project wrote (the viewer's own, or the warm-up cache's
under the user's outputs folder).
"""

from __future__ import annotations

import dataclasses
import itertools
import pickle
from collections.abc import Callable

from mesa.time.events import Event

from sim.config import RunConfig
from sim.gc_pause import cyclic_gc_paused
from sim.levers.registry import LEVERS
from sim.model import SocialDomainModel

# The prelude stops this far before ``levers_on``: after every event of the warm-up that lies before it and before
# the events at ``levers_on`` (the levers' switch-on among them), which run in the restored model.
PRELUDE_GAP = 1e-6

# The warm-up runs this many days between two progress reports.
PRELUDE_CHUNK = 60.0


def warm(config: RunConfig, progress: Callable[[int, int], None] | None = None) -> SocialDomainModel:
    """The model of ``config`` run to just before its levers switch on (levers not yet switched on).

    Running in chunks gives the same events in the same order as one ``run_until`` (`sim.events.advance`), so the
    model, run on (`from_prelude` with any lever setting, then ``run()``), is the cold run of that setting.

    Args:
        config: the run configuration; its lever settings do not matter (nothing switches on before the end).
        progress: called as ``progress(done, total)`` (days of the run to ``levers_on``) every `PRELUDE_CHUNK`
            days; it may raise to abandon the warm-up.
    """
    with cyclic_gc_paused():
        model = SocialDomainModel(config)
        end = model.levers_on - PRELUDE_GAP
        while model.time < end:
            if progress is not None:
                progress(int(model.time), int(model.levers_on))
            model.run_until(min(end, model.time + PRELUDE_CHUNK))
    return model


def freeze(model: SocialDomainModel) -> bytes:
    """A warm model (`warm`) as a prelude's bytes; the model itself is left as it was and may run on."""
    with cyclic_gc_paused():
        return pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)


def prelude(config: RunConfig, progress: Callable[[int, int], None] | None = None) -> bytes:
    """The model of ``config`` run to just before its levers switch on, pickled (`warm`, `freeze`).

    One prelude serves every lever setting of the same config otherwise (`from_prelude`).
    """
    return freeze(warm(config, progress))


def _advance_event_ids(model: SocialDomainModel) -> None:
    """Move Mesa's class-level event counter past every event id the restored model holds (never back)."""
    queue = model._event_list
    held = [e[2] for e in queue._events] + [e[2] for bucket in queue._later.values() for e in bucket]
    if not held:
        return
    nxt = next(Event._ids)  # consumed: ids need only be unique and increasing, not dense
    if nxt <= max(held):
        Event._ids = itertools.count(max(held) + 1)


def thaw(blob: bytes) -> SocialDomainModel:
    """A fresh copy of a prelude's model (levers still to be chosen, see `from_prelude`), ready in this process.

    Unpickles with the cyclic collector paused (millions of new objects it would walk again and again) and moves
    Mesa's event counter past the restored events (see the module's docstring), so a model restored in a new
    process orders its later events as a cold run does.
    """
    with cyclic_gc_paused():
        model = pickle.loads(blob)  # noqa: S301 - a prelude this project wrote (see the module docstring)
    if not isinstance(model, SocialDomainModel):
        raise TypeError(f"a prelude holds a SocialDomainModel, not {type(model).__name__}")
    _advance_event_ids(model)
    return model


def same_warm_up(a: RunConfig, b: RunConfig) -> bool:
    """Whether ``a`` and ``b`` differ in their lever settings and preset name at most (one prelude serves both).

    A population given as the scenario's own size (``n_families=10000`` for a scenario of 10,000 families) is the
    same population as none given: the model reads only ``families``, and the warm-up cache keys on it too.
    """
    return a.families == b.families and dataclasses.replace(b, levers=a.levers, working=a.working,
                                                            n_families=a.n_families) == a


def from_prelude(blob: bytes | SocialDomainModel, config: RunConfig) -> SocialDomainModel:
    """A model restored from a prelude (or a `thaw` of one, used once) that will switch on the levers of ``config``.

    Every lever takes its setting from ``config`` (``Lever.configure``, before it switches on) and the model
    takes ``config`` itself (its outputs describe it). ``model.run()`` then gives the cold run of ``config``.

    Raises:
        ValueError: ``config`` differs from the prelude's config in more than its lever settings and its preset
            name (another scenario, seed, population, warm-up, horizon or lead would give another warm-up).
    """
    model = thaw(blob) if isinstance(blob, bytes) else blob
    before: RunConfig = model.config
    if not same_warm_up(before, config):
        raise ValueError("a prelude serves only configs that differ from its own in their lever settings; "
                         f"prelude of {before.describe()}, asked for {config.describe()}")
    ls = config.levers
    for cls in LEVERS:
        getattr(model.levers, cls.name).configure(getattr(ls, cls.setting_name()))
    model.config = config
    return model


def run_from_prelude(blob: bytes | SocialDomainModel, config: RunConfig,
                     progress: Callable[[float, float], None] | None = None) -> SocialDomainModel:
    """Restore ``config``'s model from a prelude and run it to its horizon (``progress`` as in ``model.run``)."""
    model = from_prelude(blob, config)
    model.run(progress)
    return model
