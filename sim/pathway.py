"""The care pathway: what happens to a need from onset to its outcome.

Processes of docs/design.md D§5 as event handlers of one class, `Pathway`, assembled from the stages of care,
each in its own module: the competing clocks (`sim.clocks`), access from signal to waiting list (`sim.access`),
help (`sim.helping`) and endings (`sim.endings`). This module holds what binds them: creating a new need,
dispatching a fired timer by its kind (`ON_CLOCK`), propagating a change inside a family, and the horizon.
Levers are asked through their hooks; no module of the pathway asks which way of working is on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from sim.access import Access
from sim.endings import Endings
from sim.episode import DORMANT, DROPPED_OUT, ENDED, IN_HELP, LATENT, RESOLVED, Clock, NeedEpisode
from sim.helping import Helping

if TYPE_CHECKING:
    from sim.family import Family


class Pathway(Access, Helping, Endings):
    """Event handlers for episodes, bound to one model."""

    # --- creation --------------------------------------------------------------------
    def _new_episode(self, family: Family, d: int, now: float, severity: float, problem_id: int, attempt: int,
                     problem_onset: float) -> NeedEpisode:
        m = self.m
        growth = m.escalation[d] * family.vulnerability * (1.0 - self.sc.informal_support_effect * family.informal_support)
        ep = NeedEpisode(m, len(m.episodes), family, d, problem_id, attempt, now, problem_onset, severity, growth)
        m.episodes.append(ep)
        m.n_open += 1
        return ep

    def draw_severity(self, family: Family, d: int, problem_id: int, attempt: int) -> float:
        """Initial severity of a new problem or recurrence (keyed Beta draw, or the fixed value)."""
        m = self.m
        fixed = m.severity_fixed[d]
        if fixed is not None:
            return fixed
        return min(0.999, m.severity_q[d](m.rand.uniform("severity", family.fid, d, problem_id, attempt)))

    def new_problem(self, family: Family, d: int, now: float) -> None:
        """An onset clock fired: a new latent need in domain d."""
        family.problems += 1
        # Keyed by the k-th onset of this domain, not by the family's running count, so that
        # a lever that shifts another domain's onsets does not shift this problem's draws (docs/design.md A22).
        pid = d * 1_000_000 + family.onset_k[d]
        s0 = self.draw_severity(family, d, pid, 0)
        ep = self._new_episode(family, d, now, s0, pid, 0, now)
        family.open[d] = ep
        self.arm(ep, now)
        self.family_changed(family)

    def on_timer(self, ep: NeedEpisode) -> None:
        """Dispatch a fired timer by its kind."""
        handler = ON_CLOCK.get(ep.timer_kind)
        if handler is None:  # pragma: no cover - a programming error, not an input error
            raise RuntimeError(f"a timer fired without a kind: {ep.timer_kind!r}")
        handler(self, ep, self.m.time)

    # --- coupling inside a family -------------------------------------------------------------
    def family_changed(self, fam: Family) -> None:
        """Propagate a change of one need to the family's other needs, levers and onset clocks."""
        if fam.departed:  # it is leaving: its needs are being closed, nothing is re-planned
            return
        m = self.m
        now = m.time
        m.levers.coordinator.on_family_change(fam)
        m.levers.case_table.on_family_change(fam)
        for ep in fam.open.values():  # re-arming changes timers only, never which needs are open
            if ep.state == LATENT:
                a, b = self._signal_terms(ep)
                if a != ep.sig_a or b != ep.sig_b:
                    self.arm(ep, now)
            elif ep.state == IN_HELP:
                self.refresh_help(ep, now)
        fam.refresh_onsets(now)

    def finish(self, now: float) -> None:
        """Horizon: close open episodes as ``ongoing`` and book running segments."""
        for ep in self.m.episodes:
            if ep.state in (ENDED, DORMANT):
                continue
            self.account(ep, now)
            self.m.places.release(ep, now)
            if ep.state == IN_HELP:
                self.book_help_segment(ep, now)
            elif ep.growing:
                ep.rebase(now, growing=True)
            ep.outcome = "ongoing"
            ep.end_reason = "horizon"


def _arrive(p: Pathway, ep: NeedEpisode, now: float) -> None:
    if ep.prev_org is not None:  # a completed handoff is a joint case (docs/design.md A15); a == b is ignored
        p.m.trust.joint_case(ep.prev_org.index, ep.org.index, now)
    p.arrive(ep, ep.org)


# What each kind of clock does when it fires (a table, not a chain of ifs: a new clock is one line here).
ON_CLOCK: dict[Clock, Callable[[Pathway, NeedEpisode, float], None]] = {
    Clock.SIGNAL: lambda p, ep, now: p.signal(ep, now),
    Clock.REMISSION: lambda p, ep, now: p.end(ep, RESOLVED, "remission"),
    Clock.CRISIS: lambda p, ep, now: p.crisis(ep),
    Clock.ARRIVE: _arrive,
    Clock.DECIDED: lambda p, ep, now: p.decision_made(ep),
    Clock.WAIT_DROPOUT: lambda p, ep, now: p.end(ep, DROPPED_OUT, "wait"),
    Clock.RESOLVE: lambda p, ep, now: p.end(ep, RESOLVED, "help"),
    Clock.HELP_DROPOUT: lambda p, ep, now: p.end(ep, DROPPED_OUT, "in_help"),
    Clock.BREAKDOWN: lambda p, ep, now: p.crisis(ep, "breakdown"),
    Clock.RECUR: lambda p, ep, now: p.recur(ep),
}
