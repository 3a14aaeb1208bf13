"""NeedEpisode: one attempt on one problem of one family (a record, not an agent).

An episode runs from onset (or re-signal after a crisis) to exactly one
outcome: ``resolved`` (by help or by remission), ``dropped_out``, ``crisis``,
``moved`` (the family left the population: `sim.population`) or, at the
horizon, ``ongoing`` (docs/design.md A1). A dropped-out need goes on
as a new latent episode of the same problem (attempt k+1) at its current
severity; a crisis goes on as a new signalled episode with priority.

Severity is piecewise analytic, so no daily loop is needed: while not in help
it grows linearly, ``s(t) = s_ref + growth * (t - t_ref)``; in help it decays,
``s(t) = s_ref * exp(-rate * (t - t_ref))``. Each episode keeps at most one
pending Mesa event (its *timer*): the earliest of its competing clocks.
"""

from __future__ import annotations

import math
from enum import IntEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.events import Timer
    from sim.family import Family
    from sim.organisation import Organisation
    from sim.professional import Professional

LATENT = "latent"
HANDOFF = "handoff"
INTAKE_QUEUE = "intake_queue"
INTAKE = "intake"
DECISION = "decision"
WAITING = "waiting"
IN_HELP = "in_help"
DORMANT = "dormant"
ENDED = "ended"

RESOLVED = "resolved"
DROPPED_OUT = "dropped_out"
CRISIS = "crisis"
ONGOING = "ongoing"
MOVED = "moved"  # the family left the population (moved away, or its youngest child aged out): censored like ongoing
OUTCOMES = (RESOLVED, DROPPED_OUT, CRISIS, ONGOING, MOVED)


class Clock(IntEnum):
    """The kind of an episode's one pending timer: which competing clock fires first (`sim.clocks`)."""

    NONE = 0  # no timer pending
    SIGNAL = 1  # a latent need becomes known
    REMISSION = 2  # it resolves on its own
    CRISIS = 3  # severity reaches 1
    ARRIVE = 4  # a handoff (or a refused start) reaches its organisation
    DECIDED = 5  # the access decision is taken
    WAIT_DROPOUT = 6  # the family gives up waiting
    RESOLVE = 7  # help resolves the need
    HELP_DROPOUT = 8  # the family drops out of help
    BREAKDOWN = 9  # a tenancy breaks down during help (sim.tenancy)
    RECUR = 10  # a resolved problem comes back


class NeedEpisode:
    """One attempt on one problem (family x domain).

    Attributes:
        uid: episode number in the run.
        family: the family it belongs to.
        domain: domain index in the scenario's domain order.
        problem_id: shared by all attempts on the same problem.
        attempt: 0 for the first attempt, k for the k-th continuation.
        state: one of the life-cycle states above.
    """

    __slots__ = (
        "uid", "family", "domain", "problem_id", "attempt", "state", "model",
        "onset", "problem_onset", "signal", "help_start", "end", "outcome", "end_reason",
        "s_ref", "t_ref", "growth", "decay", "priority", "growing",
        "handoffs", "intakes", "professionals", "cost", "org", "prev_org",
        "timer", "timer_kind", "hz_t", "sig_used", "sig_E", "sig_a", "sig_b", "rem_used", "rem_E",
        "queue_token", "queue_enter", "queue_band", "n_queue", "helper", "help_fit", "help_effect",
        "flex", "unmet", "wait_marks", "n_help", "n_doors", "recurring_from", "help_drop_t", "light_intake", "decision_at", "calm_until",
        "__weakref__",
    )

    def __init__(self, model, uid: int, family: Family, domain: int, problem_id: int, attempt: int,
                 onset: float, problem_onset: float, severity: float, growth: float) -> None:
        self.model = model
        self.uid = uid
        self.family = family
        self.domain = domain
        self.problem_id = problem_id
        self.attempt = attempt
        self.state = LATENT
        self.onset = onset
        self.problem_onset = problem_onset
        self.signal: float | None = None
        self.help_start: float | None = None
        self.end: float | None = None
        self.outcome: str | None = None
        self.end_reason: str | None = None
        self.s_ref = severity
        self.t_ref = onset
        self.growth = growth
        self.decay = 0.0
        self.growing = True
        self.priority = False
        self.handoffs = 0
        self.intakes = 0
        self.professionals: set[int] = set()
        self.cost = 0.0
        self.org: Organisation | None = None
        self.prev_org: Organisation | None = None
        self.timer: Timer | None = None
        self.timer_kind = Clock.NONE
        self.hz_t = onset
        self.sig_used = 0.0
        # Exp(1) thresholds of the signal and remission clocks, keyed by the episode; drawn by the pathway when
        # first needed (-1: not yet), since many episodes never race one of the two clocks.
        self.sig_E = -1.0
        self.sig_a = 0.0
        self.sig_b = 0.0
        self.rem_used = 0.0
        self.rem_E = -1.0
        self.queue_token = 0
        self.queue_enter = 0.0
        self.queue_band = 0
        self.n_queue = 0
        self.helper: Professional | None = None
        self.help_fit = 0.0
        self.help_effect = 1.0
        self.flex = False
        self.unmet = 0.0
        self.wait_marks = 0
        self.n_help = 0
        self.n_doors = 0
        self.recurring_from: int | None = None
        self.help_drop_t = math.inf
        self.light_intake = False
        self.decision_at = math.inf  # when the access decision is due (INF: at the next case-table meeting)
        self.calm_until = 0.0  # no crisis before this time (crisis care and its refractory period)

    def severity(self, t: float) -> float:
        """Severity at time ``t`` (piecewise linear growth or exponential decay)."""
        if self.growing:
            s = self.s_ref + self.growth * (t - self.t_ref)
            return s if s < 1.0 else 1.0  # min(1.0, s) without a builtin call (called millions of times)
        return self.s_ref * math.exp(-self.decay * (t - self.t_ref))

    def rebase(self, t: float, growing: bool, decay: float = 0.0) -> None:
        """Restart the severity path at ``t`` and book unmet severity-days of the old one."""
        s = self.severity(t)
        if self.growing and self.state != DORMANT:
            self.unmet += self.model.window_severity_days(self.s_ref, self.growth, self.t_ref, t)
        self.s_ref = s
        self.t_ref = t
        self.growing = growing
        self.decay = decay

    def fire(self) -> None:
        """The timer went off: hand over to the care pathway (a bound method, as Mesa keeps weak refs)."""
        self.timer = None
        self.model.pathway.on_timer(self)

    @property
    def is_open(self) -> bool:
        """Whether the episode is still running (not ended, not a dormant recurrence)."""
        return self.state not in (ENDED, DORMANT)

    @property
    def is_signalled(self) -> bool:
        """Open and known to some service (past the latent state)."""
        return self.state not in (LATENT, ENDED, DORMANT)
