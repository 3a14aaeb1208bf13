"""One world of the viewer: a model under one lever setting, advanced a day at a time, with running figures.

The model runs its warm-up (the status quo, identical draws in both worlds)
when the world is built, so day 0 on screen is the day the levers switch on.
After every simulated day the world updates, from the model's own records and
without touching any random stream: the waiting list per organisation, the
time to help so far (mean days from signal to the start of help, among
episodes signalled since day 0 that were helped, as in ``sim.outputs``), the
dropout so far (share of episodes ended since day 0 that ended in dropout)
and the cumulative cost by payer (the model's ledger, which books a help
segment when it ends). Nothing here changes what the model does: a world
that is only advanced gives the same episodes as ``sim.run`` of its config.

Building a world costs the model's construction and its warm-up (seconds of
processor time for the viewer's three years; the viewer runs it once per
process and scenario, `viewer.session.shared_prelude`). The levers are off during the
warm-up and switch on by an event at its end, so every lever setting lives
the same warm-up: `prelude` keeps the model just before that event as pickled
bytes, and ``World(config, prelude)`` starts from a copy of it with the
levers of ``config`` (tests check that this equals a world built from
scratch). A lever switch or a reset then replays only the days since day 0. While a
world is built or advanced, Python's cyclic garbage collector is paused
(`sim.gc_pause`), as the model's own ``run`` does.
"""

from __future__ import annotations

import weakref
from collections import defaultdict
from dataclasses import dataclass, field

from sim import RunConfig, SocialDomainModel
from sim.episode import DROPPED_OUT, ENDED, NeedEpisode
from sim.gc_pause import cyclic_gc_paused
from sim.prelude import from_prelude
from sim.prelude import thaw as sim_thaw

ENDED_OUTCOMES = ("resolved", "dropped_out", "crisis")


# Every model a world runs or a session keeps ready (`thaw`, `World`), held weakly: the server logs how many are
# alive, so a test can see that a closed session's worlds were freed by counting them, not by guessing it from the
# process's memory (which other work on a loaded machine moves by more than one session's worlds).
_LIVE_MODELS: weakref.WeakSet[SocialDomainModel] = weakref.WeakSet()


def live_models() -> int:
    """How many models of worlds (and spare copies of a prelude) are alive in this process now.

    A released model is a reference cycle (agents and their model), so it leaves this count at the next cyclic
    garbage collection, not at once.
    """
    return len(_LIVE_MODELS)


def thaw(blob: bytes) -> SocialDomainModel:
    """A fresh copy of a prelude's model (`sim.prelude.thaw`: levers still to be chosen, see `World`), counted live."""
    model = sim_thaw(blob)
    _LIVE_MODELS.add(model)
    return model


# Rolling values cover the last this many days: averages since day 0 swing wildly in the first weeks (few
# episodes) and then hardly move; a month shows what happens now with enough episodes (a display choice).
ROLLING_DAYS = 30


@dataclass
class History:
    """Daily series of one world since day 0 (one entry per simulated day).

    ``time_to_help``, ``dropout`` and ``cost`` are since day 0; ``*_30`` are over the last `ROLLING_DAYS`
    days (None while nothing was helped or ended in that window); ``waiting_total`` sums every organisation.
    """

    day: list[int] = field(default_factory=list)
    waiting: dict[str, list[int]] = field(default_factory=dict)
    time_to_help: list[float | None] = field(default_factory=list)
    dropout: list[float | None] = field(default_factory=list)
    cost: dict[str, list[float]] = field(default_factory=dict)
    waiting_total: list[int] = field(default_factory=list)
    time_to_help_30: list[float | None] = field(default_factory=list)
    dropout_30: list[float | None] = field(default_factory=list)
    cost_30: list[float] = field(default_factory=list)
    # Running totals at the end of each day, for the rolling windows: (days signal->help, helped, ended, dropped,
    # cost since day 0).
    totals: list[tuple[float, int, int, int, float]] = field(default_factory=list)


class World:
    """A model under one lever setting, with running figures for the screen.

    Args:
        config: the run configuration (the viewer sets a long horizon and its own warm-up).
        prelude_blob: a `prelude` of a config that differs from ``config`` in its levers at most, or a `thaw` of
            one that no other world uses; None: build the model and run its warm-up here.

    Example:
        >>> from sim import load_run_config
        >>> w = World(load_run_config(n_families=3500, warm_up_days=30, horizon_days=400))
        >>> w.advance(7)
        7
        >>> w.day
        7
    """

    def __init__(self, config: RunConfig, prelude_blob: bytes | SocialDomainModel | None = None) -> None:
        self.config = config
        self.model = SocialDomainModel(config) if prelude_blob is None else from_prelude(prelude_blob, config)
        _LIVE_MODELS.add(self.model)
        self.w0 = float(config.warm_up_days)
        with cyclic_gc_paused():
            self.model.run_until(self.w0)
        m = self.model
        self.orgs = [o.name for o in m.organisations]
        self.payers = sorted({o.payer for o in m.organisations} | {d.crisis_payer for d in m.domain_specs} | {"municipality"})
        self.prof_org = {p.unique_id: o.name for o in m.organisations for p in o.professionals}
        self.history = History(waiting={o: [] for o in self.orgs}, cost={p: [] for p in self.payers})
        self._seen = 0
        self.open_episodes: dict[int, NeedEpisode] = {}
        self._helped: set[int] = set()
        self.tth_sum = 0.0
        self.n_helped = 0
        self.n_ended = 0
        self.n_dropped = 0
        self.n_crises = 0
        self._qlog_seen = 0
        self.stays: dict[int, list[tuple]] = defaultdict(list)
        self._update()
        self._record()

    @property
    def day(self) -> int:
        """Days since the levers switched on."""
        return int(round(self.model.time - self.w0))

    @property
    def last_day(self) -> int:
        """The last day this world can show (its horizon)."""
        return int(self.config.horizon_days)

    def advance(self, days: int) -> int:
        """Run ``days`` simulated days (fewer at the horizon); returns the days run.

        The cyclic garbage collector is paused meanwhile, as in `sim.SocialDomainModel.run` (it would walk the
        model's millions of live objects again and again; reference counting frees the rest). It is switched
        back on after every call, so a long replay, run in chunks, lets it collect between chunks.
        """
        done = 0
        with cyclic_gc_paused():
            for _ in range(days):
                if self.day >= self.last_day:
                    break
                self.model.step()
                self._update()
                self._record()
                done += 1
        return done

    def _update(self) -> None:
        """Fold new episodes, starts of help, endings and queue stays into the running figures."""
        eps = self.model.episodes
        for ep in eps[self._seen:]:
            self.open_episodes[ep.uid] = ep
        self._seen = len(eps)
        w0 = self.w0
        closed = []
        for uid, ep in self.open_episodes.items():
            if ep.help_start is not None and uid not in self._helped:
                self._helped.add(uid)
                if ep.signal is not None and ep.signal >= w0:
                    self.tth_sum += ep.help_start - ep.signal
                    self.n_helped += 1
            if ep.state == ENDED:
                closed.append(uid)
                if ep.end is not None and ep.end >= w0 and ep.outcome in ENDED_OUTCOMES:
                    self.n_ended += 1
                    self.n_dropped += ep.outcome == DROPPED_OUT
                    self.n_crises += ep.outcome == "crisis"
        for uid in closed:
            del self.open_episodes[uid]
            self._helped.discard(uid)
        log = self.model.queue_log
        for stay in log[self._qlog_seen:]:
            self.stays[stay[2]].append(stay)
        self._qlog_seen = len(log)

    def _record(self) -> None:
        h = self.history
        h.day.append(self.day)
        for org in self.model.organisations:
            h.waiting[org.name].append(org.intake_list.length + org.waiting())
        h.time_to_help.append(self.time_to_help)
        h.dropout.append(self.dropout)
        by_payer: dict[str, float] = defaultdict(float)
        for (payer, _cat, _org), amount in self.model.ledger.totals.items():
            by_payer[payer] += amount
        for p in self.payers:
            h.cost[p].append(by_payer.get(p, 0.0))
        h.waiting_total.append(sum(h.waiting[o][-1] for o in self.orgs))
        now = (self.tth_sum, self.n_helped, self.n_ended, self.n_dropped, self.model.ledger.total)
        h.totals.append(now)
        then = h.totals[-1 - ROLLING_DAYS] if len(h.totals) > ROLLING_DAYS else (0.0, 0, 0, 0, 0.0)
        helped, ended = now[1] - then[1], now[2] - then[2]
        h.time_to_help_30.append((now[0] - then[0]) / helped if helped else None)
        h.dropout_30.append((now[3] - then[3]) / ended if ended else None)
        h.cost_30.append(now[4] - then[4])

    @property
    def time_to_help(self) -> float | None:
        """Mean days from signal to help so far (episodes signalled since day 0 and helped)."""
        return self.tth_sum / self.n_helped if self.n_helped else None

    @property
    def dropout(self) -> float | None:
        """Share of episodes ended since day 0 that ended in dropout."""
        return self.n_dropped / self.n_ended if self.n_ended else None

    def waiting_now(self) -> int:
        """Episodes waiting now at an intake desk or on a help waiting list, all organisations."""
        return sum(o.intake_list.length + o.waiting() for o in self.model.organisations)

    def in_help_now(self) -> int:
        """Episodes in help now."""
        return sum(o.cases for o in self.model.organisations)

    def cost_total(self) -> float:
        """Euros booked since day 0."""
        return self.model.ledger.total

    def headline(self) -> dict[str, float | int | None]:
        """The big numbers: waiting, in help, time to help and dropout (since day 0 and over the last 30 days), cost, crises."""
        h = self.history
        return {"waiting": self.waiting_now(), "in_help": self.in_help_now(), "time_to_help": self.time_to_help,
                "dropout": self.dropout, "cost": self.cost_total(), "crises": self.n_crises, "helped": self.n_helped,
                "time_to_help_30": h.time_to_help_30[-1], "dropout_30": h.dropout_30[-1], "cost_30": h.cost_30[-1]}
