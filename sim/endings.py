"""Endings: every way an episode closes, and what follows (a continuation, crisis care, a recurrence).

Care steps of `sim.pathway.Pathway`: `end` closes an episode with exactly one outcome (resolved, dropped out,
crisis) and starts what follows from it; `crisis` books a crisis and its crisis care (docs/design.md A4);
a resolved problem may come back later (`recur`, docs/design.md A17).
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from sim.clocks import INF, Clocks
from sim.episode import (
    CRISIS,
    DECISION,
    DORMANT,
    DROPPED_OUT,
    ENDED,
    IN_HELP,
    INTAKE_QUEUE,
    RESOLVED,
    WAITING,
    Clock,
    NeedEpisode,
)

if TYPE_CHECKING:
    from sim.scenario_spec import CrisisCare


class Endings(Clocks):
    """Closing episodes and starting what follows."""

    def _leave_queue(self, ep: NeedEpisode, now: float, how: str) -> None:
        if not ep.queue_token:
            return
        if ep.state == INTAKE_QUEUE:
            ep.org.intake_list.remove(ep, now, how)
        elif ep.state == WAITING:
            ep.org.help_lists[ep.domain].remove(ep, now, how)

    def end(self, ep: NeedEpisode, outcome: str, reason: str) -> None:
        """Close the episode with exactly one outcome and start what follows from it."""
        m = self.m
        now = m.time
        fam = ep.family
        self.account(ep, now)
        self.set_timer(ep, INF, Clock.NONE)
        self._leave_queue(ep, now, reason)
        m.places.release(ep, now)
        in_help = ep.state == IN_HELP
        if in_help:
            self._end_help(ep, now)
        elif ep.growing:
            ep.rebase(now, growing=True)
        if outcome == DROPPED_OUT and ep.state in (WAITING, INTAKE_QUEUE, DECISION):
            self._engagement_wait_marks(ep, now)
        s_now = ep.severity(now)
        ep.state = ENDED
        m.n_open -= 1
        ep.end = now
        ep.outcome = outcome
        ep.end_reason = reason
        if fam.open.get(ep.domain) is ep:
            del fam.open[ep.domain]
        fam.refresh_onsets_account(now)
        if outcome == RESOLVED and reason == "help":
            fam.engagement += self.b.gamma_resolve * (1.0 - fam.engagement)
            self._maybe_recur(ep, now)
        elif outcome == DROPPED_OUT:
            fam.ever_dropped = True
            if in_help:
                fam.engagement *= (1.0 - self.b.delta_dropout)
            nxt = self._new_episode(fam, ep.domain, now, s_now, ep.problem_id, ep.attempt + 1, ep.problem_onset)
            nxt.calm_until = ep.calm_until  # a dropout does not end a refractory period after crisis care
            fam.open[ep.domain] = nxt
            self.arm(nxt, now)
        self.family_changed(fam)

    def crisis(self, ep: NeedEpisode, reason: str = "crisis") -> None:
        """Severity reached 1, or help broke down: crisis cost, crisis care, engagement change, and what follows.

        With the scenario's ``crisis_care`` (docs/design.md A4): the crisis is a spell of crisis care that reserves
        staff hours of the domain's care organisation for its length, the problem goes on at the post-crisis severity
        with no new crisis before the spell and a refractory period have passed, and a family that was waiting
        (intake queue, decision, waiting list) keeps its place there, triaged ahead on a triaged list. Without it, a
        crisis is a cost outside the model's capacity and the problem is signalled again with priority.
        """
        m = self.m
        now = m.time
        dom = m.domain_specs[ep.domain]
        fam = ep.family
        state, org, token = ep.state, ep.org, ep.queue_token
        care = self.sc.crisis_care
        self.end(ep, CRISIS, reason)
        cost, payer = (dom.crisis_cost, dom.crisis_payer) if reason == "crisis" else m.breakdown.cost(ep)
        ep.cost += m.ledger.book(now, payer, "crisis", "crisis_services", cost)
        fam.engagement = min(1.0, max(0.0, fam.engagement * (1.0 - self.b.delta_crisis)))
        if ep.domain in fam.open:  # pragma: no cover - end() never reopens after a crisis
            return
        nxt = self._new_episode(fam, ep.domain, now, dom.post_crisis_severity, ep.problem_id, ep.attempt + 1, ep.problem_onset)
        nxt.priority = True
        nxt.hz_t = now
        fam.open[ep.domain] = nxt
        if care is None:
            self.signal(nxt, now)
            return
        ep.cost += self._crisis_care(ep, care, now)
        nxt.calm_until = now + care.days + care.refractory_days
        if reason != "crisis" or state not in (INTAKE_QUEUE, WAITING, DECISION):
            self.signal(nxt, now)
            return
        # The family keeps its place: the continuation takes over the queue position (and the decision) of the
        # episode that ended in crisis.
        nxt.signal = now
        nxt.org, nxt.prev_org, nxt.n_doors, nxt.flex = org, ep.prev_org, ep.n_doors, ep.flex
        nxt.state = state
        if state == INTAKE_QUEUE:
            org.intake_list.reinsert(nxt, now, token)
            self._arm_waiting(nxt, now)
        elif state == WAITING:
            org.help_lists[nxt.domain].reinsert(nxt, now, token)
            self._arm_waiting(nxt, now)
        else:
            nxt.decision_at = ep.decision_at
            if nxt.decision_at < INF:
                self._arm_waiting(nxt, now, nxt.decision_at, Clock.DECIDED)
            else:
                self._arm_waiting(nxt, now)
        self.family_changed(fam)

    def _crisis_care(self, ep: NeedEpisode, care: CrisisCare, now: float) -> float:
        """Reserve the crisis-care hours for the spell from the care organisation's professional with most room.

        Returns the cost booked on the episode (the spell's hours at the organisation's hourly cost, category crisis).
        """
        m = self.m
        org = m.crisis_care_org[ep.domain]
        if org is None or care.hours_per_week <= 0.0:
            return 0.0
        p = max(org.by_depth[ep.domain], key=lambda q: q.free_hours)  # the first with most room, as the case table picks
        hours = care.hours_per_week
        p.reserve(hours)
        end = now + care.days
        if end <= m.end_time:
            m.schedule_at(partial(p.release, hours), end)  # a partial, not a lambda: the viewer pickles models
        return m.ledger.book_segment(now, end, org.payer, "crisis", org.name, hours / 7.0 * org.hourly_cost, hours / 7.0)

    def _maybe_recur(self, ep: NeedEpisode, now: float) -> None:
        m = self.m
        dom = m.domain_specs[ep.domain]
        fam = ep.family
        p = min(1.0, dom.recurrence_probability * (1.0 + self.sc.coupling.zeta_recurrence * self._uncoupled_open(ep)))
        if p <= 0 or m.rand.uniform("recurrence", fam.fid, ep.domain, ep.problem_id, ep.attempt) >= p:
            return
        delay = dom.recurrence_mean_days * m.rand.exponential("recurrence_delay", fam.fid, ep.domain, ep.problem_id, ep.attempt)
        nxt = NeedEpisode(m, -1, fam, ep.domain, ep.problem_id, ep.attempt + 1, now + delay, ep.problem_onset, 0.0, 0.0)
        nxt.state = DORMANT
        nxt.recurring_from = ep.uid
        m.dormant.append(nxt)
        self.set_timer(nxt, now + delay, Clock.RECUR)

    def recur(self, dormant: NeedEpisode) -> None:
        """A resolved problem comes back, unless its domain is open again by then (docs/design.md A17)."""
        m = self.m
        now = m.time
        fam = dormant.family
        d = dormant.domain
        if d in fam.open or fam.departed:
            return
        s0 = self.draw_severity(fam, d, dormant.problem_id, dormant.attempt)
        ep = self._new_episode(fam, d, now, s0, dormant.problem_id, dormant.attempt, now)
        ep.recurring_from = dormant.recurring_from
        fam.open[d] = ep
        fam.refresh_onsets_account(now)
        self.arm(ep, now)
        self.family_changed(fam)
