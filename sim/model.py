"""SocialDomainModel: families, organisations and levers in event-driven time.

One run: a closed population of families over ``warm_up_days + horizon_days``.
Time is continuous (days); every process is an event on the model's event list
(Mesa's interface and order, a faster heap: `sim.events`), so
a run's cost grows with its events, not with families x days. ``step`` runs
once a day only to sample the daily series (aggregate counters, no loop over
families). During warm-up every arm lives the status quo with identical draws;
the levers switch on when it ends (docs/design.md A19).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from heapq import heappush
from types import SimpleNamespace

import mesa
import numpy as np

from sim.breakdown import HelpBreakdown
from sim.config import RunConfig
from sim.contacts import ContactPoints
from sim.depth import DepthBreadth
from sim.episode import NeedEpisode
from sim.events import DEFAULT_PRIORITY, Timer, TupleEventList, advance
from sim.family import Family
from sim.gc_pause import cyclic_gc_paused
from sim.ledger import CostLedger
from sim.levers.registry import LEVERS
from sim.organisation import Organisation
from sim.pathway import Pathway
from sim.places import WaitingPlaces
from sim.population import PopulationFlows
from sim.referral import Referrals
from sim.restore import RestoredInPlace
from sim.streams import KeyedRandom, beta_from_mean, beta_table, gamma_mean_one, gamma_table
from sim.trust import TrustNetwork

PROGRESS_DAYS = 30.0  # simulated days between calls of a run's progress callback


class SocialDomainModel(RestoredInPlace, mesa.Model):
    """The simulation of one region under one lever setting.

    Args:
        config: a validated `RunConfig`.

    Example:
        >>> from sim import RunConfig, SocialDomainModel, load_run_config
        >>> cfg = load_run_config(working="fragmented", n_families=200, horizon_days=100, warm_up_days=0)
        >>> model = SocialDomainModel(cfg)
        >>> model.run()
        >>> model.time
        100.0
    """

    # A plain attribute instead of Mesa's observable ``time``: the handlers read the clock a few million times in
    # a region run and each read through the descriptor is a Python call; nothing in ontschot observes it.
    time: float = 0.0

    def __init__(self, config: RunConfig) -> None:
        super().__init__(rng=config.seed)
        # The same events in the same order, on a heap compared in C (sim.events); Mesa's daily step is in it.
        self._event_list = TupleEventList(self._event_list._events)
        self.events_executed = 0
        self.config = config
        sc = self.spec = config.scenario
        self.rand = KeyedRandom(config.seed)
        self.warm_up = float(config.warm_up_days)
        self.end_time = float(config.warm_up_days + config.horizon_days)
        names = sc.domain_names
        index = {n: i for i, n in enumerate(names)}
        self.domain_specs = [sc.domains[n] for n in names]
        self.onset_base = [d.onset_rate for d in self.domain_specs]
        self.escalation = [d.escalation for d in self.domain_specs]
        self.remission = [d.remission_rate for d in self.domain_specs]
        # The help rate at the domain's hours a week of help (sim.intensity: 1 without a help_intensity block).
        self.help_rate = [d.help_rate * sc.help_intensity.factor(d.name, d.help_hours_per_week) for d in self.domain_specs]
        self.help_hours = [d.help_hours_per_week for d in self.domain_specs]
        self.severity_fixed = [d.severity_fixed for d in self.domain_specs]
        self.severity_q = [beta_table(d.severity_mean, d.severity_concentration) for d in self.domain_specs]
        self.help_effect_q = gamma_table(sc.help_effect_shape) if sc.help_effect_shape else None
        kap = sc.coupling.kappa
        self.coupling_in = [[(index[d2], kap[d2][d]) for d2 in kap if kap[d2].get(d, 0.0) > 0.0] for d in names]
        self.help_coupled = [[index[d2] for d2 in kap if kap[d2].get(d, 0.0) > 0.0 and kap[d2][d] >= sc.coupling.kappa_min]
                             for d in names]
        self.c_max = sc.coupling.c_max
        self.in_help_activity = 1.0 - sc.coupling.eta_help  # a_d of an open need in help (onset coupling, A2)
        self.onset_mults: dict[tuple[float, ...], list[float]] = {}  # per activity combination (`family.onset_multipliers`)
        self.wait_dropout = sc.behaviour.wait_dropout_hazard
        self.wait_dropout_rise = sc.behaviour.wait_dropout_rise
        self.help_dropout = sc.behaviour.help_dropout_hazard
        self.one_minus_mean_e0 = 1.0 - sc.engagement_mean
        self.engagement_recovery = sc.behaviour.engagement_recovery

        self.queue_log: list[tuple] = []
        self.organisations = [Organisation(self, spec, i, index, self.queue_log) for i, spec in enumerate(sc.organisations.values())]
        self.org_by_name = {o.name: o for o in self.organisations}
        self.entry_org = self.org_by_name[sc.levers.entry_organisation]
        self.doors = [[(self.org_by_name[o], p) for o, p in sc.doors[n].items() if p > 0.0] for n in names]
        self.trust = TrustNetwork(len(self.organisations), sc.trust.tau0, sc.trust.tau_min, sc.trust.decay, sc.trust.alpha_status_quo)
        self.ledger = CostLedger(self.warm_up, self.end_time)
        self.episodes: list[NeedEpisode] = []
        self.dormant: list[NeedEpisode] = []
        self.n_open = 0
        self.pathway = Pathway(self)
        self.places = WaitingPlaces(self)
        self.breakdown = HelpBreakdown(self)
        self.contacts = ContactPoints(self)
        self.flows = PopulationFlows(self)
        self.depth = DepthBreadth(self)
        self.referrals = Referrals(self)
        # The organisation whose staff give crisis care in each domain (docs/design.md A4): the domain's
        # ``crisis_care_organisation``, else the first organisation in the file with professionals in the domain.
        self.crisis_care_org = []
        for d, spec in zip(names, self.domain_specs, strict=True):
            chosen = spec.crisis_care_organisation
            org = self.org_by_name[chosen] if chosen else next((o for o in self.organisations if index[d] in o.by_depth), None)
            self.crisis_care_org.append(org)

        ls = config.levers
        # In registry order: the levers attach, activate and finish in this order, which fixes their draws and events.
        self.levers = SimpleNamespace(**{cls.name: cls(self, getattr(ls, cls.setting_name())) for cls in LEVERS})
        for lever in vars(self.levers).values():
            lever.attach()

        n = config.families
        fid = np.arange(n, dtype=np.uint64)
        v = gamma_mean_one(sc.vulnerability_shape).ppf(self.rand.uniform_array("vulnerability", fid))
        e = beta_from_mean(sc.engagement_mean, sc.engagement_concentration).ppf(self.rand.uniform_array("engagement", fid))
        i = beta_from_mean(sc.informal_support_mean, sc.informal_support_concentration).ppf(self.rand.uniform_array("informal_support", fid))
        # First onset thresholds of every (family, domain) in one vectorised draw: the same numbers as
        # ``rand.exponential("onset", fid, d, 0)`` one by one (same hash; math.log, not np.log, for bit-identity).
        onset_u = self.rand.uniform_array("onset", fid[:, None], np.arange(len(names), dtype=np.uint64)[None, :], 0).tolist()
        v, e, i = v.tolist(), e.tolist(), i.tolist()
        with cyclic_gc_paused():
            self.families = [Family(self, k, v[k], e[k], i[k], [-math.log(u) for u in onset_u[k]]) for k in range(n)]
            self.family_index = {fam.fid: fam for fam in self.families}  # every family that ever lived here, by number
            for fam in self.families:
                fam.refresh_onsets(0.0)
                self.flows.schedule(fam, 0.0)

        self.daily: list[tuple] = []
        self.daily_org: list[tuple] = []
        self.levers_on = sc.levers.switch_on_day(self.warm_up)  # the lead and its floor: `LeverParameters`
        self._levers_event = self.schedule_event(self.activate_levers, at=self.levers_on)
        self.finished = False

    def schedule_at(self, function: Callable[[], None], at: float) -> Timer:
        """Mesa's ``schedule_event(function, at=at)`` for the hot paths (episode timers, onset clocks, intakes).

        A `Timer` with Mesa's default priority and the next id from Mesa's counter, so the order of events is
        the one ``schedule_event`` gives; it skips the per-call argument checks and the weak references.
        Callers never schedule in the past.
        """
        timer = Timer(at, function)
        queue = self._event_list
        if at < queue.limit:  # `TupleEventList.add_event`, inlined: a run schedules about a million timers
            heappush(queue._events, (at, DEFAULT_PRIORITY, timer.unique_id, timer))
        else:
            queue.park((at, DEFAULT_PRIORITY, timer.unique_id, timer))
        return timer

    def _advance_time(self, until: float) -> None:
        """Mesa's time advance (``run_until``, ``run_for``, ``step``) as one tight loop over the tuple heap."""
        if until <= self.time:
            super()._advance_time(until)  # Mesa's warning for a time in the past
            return
        self.events_executed += advance(self, until)

    def activate_levers(self) -> None:
        """``levers_on`` (the end of warm-up, or ``levers.lead_days`` before it): switch on every enabled lever."""
        for lever in vars(self.levers).values():
            lever.activate()

    def window_severity_days(self, s0: float, growth: float, t0: float, t1: float) -> float:
        """Integral of a linear severity path over [t0, t1] inside the measurement window."""
        a, b = max(t0, self.warm_up), min(t1, self.end_time)
        if b <= a:
            return 0.0
        sa = min(1.0, s0 + growth * (a - t0))
        sb = min(1.0, s0 + growth * (b - t0))
        return (sa + sb) / 2.0 * (b - a)

    def step(self) -> None:
        """Sample the daily series (aggregate counters only)."""
        day = int(round(self.time))
        self.daily.append((day, self.n_open, self.ledger.total, self.trust.mean(self.time)))
        for org in self.organisations:
            self.daily_org.append((day, org.name, org.intake_list.length, org.waiting(), org.cases, org.utilisation()))

    def run(self, progress: Callable[[float, float], None] | None = None) -> None:
        """Run to the horizon and close the books.

        Args:
            progress: called as ``progress(time, end_time)`` after every ``PROGRESS_DAYS`` simulated days (it
                decides itself how often to show anything). Running in chunks gives the same events in the
                same order: every chunk runs its events up to and including its end (`sim.events.advance`).
        """
        if self.finished:
            raise RuntimeError("this model has already run; build a new one")
        with cyclic_gc_paused():  # closing the books walks every episode too
            if progress is None:
                self.run_until(self.end_time)
            else:
                while self.time < self.end_time:
                    self.run_until(min(self.end_time, self.time + PROGRESS_DAYS))
                    progress(self.time, self.end_time)
            now = self.end_time
            self.pathway.finish(now)
            for lever in vars(self.levers).values():
                lever.finish(now)
            for org in self.organisations:
                org.intake_list.close(now)
                for lst in org.help_lists.values():
                    lst.close(now)
        self.finished = True
