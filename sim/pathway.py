"""The care pathway: what happens to a need from onset to its outcome.

Processes of docs/design.md D§5 as event handlers: onset, signalling, routing
(door or entry point), intake, decision, waiting, help, handoff, dropout,
crisis, remission and recurrence. Each episode has one timer: the earliest of
its competing clocks (signal, remission, crisis, arrival, decision, waiting
dropout, resolution, dropout in help). Levers are asked through their hooks;
this module never asks which way of working is on.
"""

from __future__ import annotations

import math
from functools import partial
from typing import TYPE_CHECKING

from sim.episode import (
    CRISIS,
    DECISION,
    DORMANT,
    DROPPED_OUT,
    ENDED,
    HANDOFF,
    IN_HELP,
    INTAKE,
    INTAKE_QUEUE,
    LATENT,
    RESOLVED,
    WAITING,
    NeedEpisode,
)
from sim.prerequisites import decision_delay

if TYPE_CHECKING:
    from sim.family import Family
    from sim.model import SocialDomainModel
    from sim.organisation import Organisation
    from sim.professional import Professional
    from sim.scenario import CrisisCare

INF = math.inf
TREEKNORM_DAYS = (28.0, 98.0)  # 4 and 4 + 10 weeks (NZa Treeknorm): engagement drops at each crossing (docs/design.md A9)


class Pathway:
    """Event handlers for episodes, bound to one model."""

    def __init__(self, model: SocialDomainModel) -> None:
        self.m = model
        sc = model.spec
        self.sc = sc
        self.b = sc.behaviour
        self.light = sc.light_threshold
        self.theta = sc.resolution_threshold
        # Remission at every severity (docs/design.md A3): the hazard mu * h(s), h = 1 up to the light threshold and
        # exp(-k (s - light)) above it. None keeps the older form in which only light needs remit (k infinite).
        self.decay = sc.remission_severity_decay

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

    # --- hazards and the timer ---------------------------------------------------------
    def _signal_terms(self, ep: NeedEpisode) -> tuple[float, float]:
        """(constant hazard a, coefficient b of severity) of signalling a latent need."""
        fam = ep.family
        m = self.m
        a = m.levers.coordinator.notice_rate(fam) + m.contacts.hazard[ep.domain]
        if self.b.notice_rate > 0.0:
            for other in fam.open.values():
                org = other.org
                if other is not ep and other.is_signalled and org is not None and (
                        ep.domain in org.mandate or (other.helper is not None and ep.domain in other.helper.breadth)):
                    a += self.b.notice_rate
                    break
        return a, self.b.signal_rate * fam.engagement

    def _remission_rate(self, ep: NeedEpisode) -> float:
        """mu: the remission hazard of a light need of this family (per day)."""
        return self.m.remission[ep.domain] * (1.0 + self.sc.informal_support_effect * ep.family.informal_support)

    def _h(self, s: float) -> float:
        """h(s): the remission hazard at severity s as a share of the light-need hazard."""
        return 1.0 if s <= self.light else math.exp(-self.decay * (s - self.light))

    def _h_int(self, s: float) -> float:
        """H(s), the integral of h from 0 to s."""
        light, k = self.light, self.decay
        if s <= light:
            return s
        return light + ((1.0 - math.exp(-k * (s - light))) / k if k > 0.0 else s - light)

    def _remission_time(self, s: float, g: float, now: float, rest: float) -> float:
        """When the integrated hazard, growing along s + g (t - now), adds ``rest`` (in units of mu); INF if never before s = 1."""
        if g <= 0.0:
            return now + rest / self._h(s)
        y = self._h_int(s) + rest * g  # the H value at which remission happens
        light, k = self.light, self.decay
        if y <= light:
            target = y
        elif k > 0.0:
            x = 1.0 - k * (y - light)
            if x <= 0.0:
                return INF
            target = light - math.log(x) / k
        else:
            target = y
        return now + (target - s) / g if target < 1.0 else INF

    def account(self, ep: NeedEpisode, now: float) -> None:
        """Add the integrated signal and remission hazards since the last accounting."""
        t0 = ep.hz_t
        if now <= t0 or not ep.growing:
            ep.hz_t = now if now > t0 else t0
            return
        s0 = ep.severity(t0)
        g = ep.growth
        if ep.state == LATENT:
            dt = now - t0
            ep.sig_used += (ep.sig_a + ep.sig_b * s0) * dt + ep.sig_b * g * dt * dt / 2.0
        k = self.decay
        if k is None:  # only light needs remit: the hazard stops where severity crosses the light threshold
            if s0 < self.light:
                t_cross = t0 + (self.light - s0) / g if g > 0 else INF
                ep.rem_used += self._remission_rate(ep) * ((now if now < t_cross else t_cross) - t0)
        elif g > 0:  # the hazard mu * h(s) integrated along the linear severity path: (mu / g) * (H(s1) - H(s0))
            s1 = s0 + g * (now - t0)
            ep.rem_used += self._remission_rate(ep) / g * (self._h_int(s1 if s1 < 1.0 else 1.0) - self._h_int(s0))
        else:
            ep.rem_used += self._remission_rate(ep) * self._h(s0) * (now - t0)
        ep.hz_t = now

    def arm(self, ep: NeedEpisode, now: float, t_other: float = INF, kind_other: str = "") -> None:
        """Account hazards, then schedule the earliest of the episode's clocks."""
        self.account(ep, now)
        best_t, best_k = t_other, kind_other
        if ep.growing:
            s = ep.severity(now)
            g = ep.growth
            t_crisis = now + (1.0 - s) / g if g > 0 else INF
            if s >= 1.0:
                t_crisis = now
            if t_crisis < ep.calm_until:  # crisis care and its refractory period: no new crisis of this problem yet
                t_crisis = ep.calm_until
            if t_crisis < best_t:
                best_t, best_k = t_crisis, "crisis"
            mu = self._remission_rate(ep)
            if mu > 0 and (s < self.light or self.decay is not None):
                E = ep.rem_E
                if E < 0.0:  # first needed now; a keyed draw, so drawing it late gives the same number
                    E = ep.rem_E = self.m.rand.exponential("remission", ep.family.fid, ep.domain, ep.problem_id, ep.attempt)
                rest = E - ep.rem_used
                if rest < 0.0:
                    rest = 0.0
                if self.decay is None:
                    t_cross = now + (self.light - s) / g if g > 0 else INF
                    t_rem = now + rest / mu
                    if t_rem >= t_cross:
                        t_rem = INF
                else:
                    t_rem = self._remission_time(s, g, now, rest / mu)
                if t_rem < best_t:
                    best_t, best_k = t_rem, "remission"
            if ep.state == LATENT:
                a, b = self._signal_terms(ep)
                ep.sig_a, ep.sig_b = a, b
                E = ep.sig_E
                if E < 0.0:
                    E = ep.sig_E = self.m.rand.exponential("signal", ep.family.fid, ep.domain, ep.problem_id, ep.attempt)
                rest = E - ep.sig_used
                if rest < 0.0:
                    rest = 0.0
                qa, qb = b * g / 2.0, a + b * s
                if qa > 0:
                    x = (-qb + math.sqrt(qb * qb + 4.0 * qa * rest)) / (2.0 * qa)
                elif qb > 0:
                    x = rest / qb
                else:
                    x = INF
                if now + x < best_t:
                    best_t, best_k = now + x, "signal"
        self.set_timer(ep, best_t, best_k)

    def set_timer(self, ep: NeedEpisode, t: float, kind: str) -> None:
        """Replace the episode's pending event (none if it falls after the horizon)."""
        if ep.timer is not None:
            ep.timer.cancel()
            ep.timer = None
        ep.timer_kind = kind
        if t <= self.m.end_time:
            now = self.m.time
            ep.timer = self.m.schedule_at(ep.fire, t if t > now else now)

    def on_timer(self, ep: NeedEpisode) -> None:
        """Dispatch a fired timer."""
        kind = ep.timer_kind
        now = self.m.time
        if kind == "signal":
            self.signal(ep, now)
        elif kind == "remission":
            self.end(ep, RESOLVED, "remission")
        elif kind == "crisis":
            self.crisis(ep)
        elif kind == "arrive":
            if ep.prev_org is not None:  # a completed handoff is a joint case (docs/design.md A15); a == b is ignored
                self.m.trust.joint_case(ep.prev_org.index, ep.org.index, now)
            self.arrive(ep, ep.org)
        elif kind == "decided":
            self.decision_made(ep)
        elif kind == "wait_dropout":
            self.end(ep, DROPPED_OUT, "wait")
        elif kind == "resolve":
            self.end(ep, RESOLVED, "help")
        elif kind == "help_dropout":
            self.end(ep, DROPPED_OUT, "in_help")
        elif kind == "breakdown":
            self.crisis(ep, "breakdown")
        elif kind == "recur":
            self.recur(ep)
        else:  # pragma: no cover - a programming error, not an input error
            raise RuntimeError(f"unknown timer kind {kind!r}")

    def _arm_waiting(self, ep: NeedEpisode, now: float, t_other: float = INF, kind_other: str = "") -> None:
        """Arm a queue or decision wait: waiting dropout races crisis, remission and ``t_other``.

        The waiting-dropout hazard is ``h0 + rise * w`` after ``w`` days on this wait (docs/design.md F8): the
        family's own hazard ``h0`` (engagement) plus one that grows with the wait for every family, so that an
        organisation whose arrivals exceed its capacity keeps a bounded list (reneging, not a list that grows
        for as long as the run lasts). The keyed Exp(1) threshold E is reached where ``h0 w + rise w^2 / 2 = E``.
        """
        fam = ep.family
        keep = 1.0 - self.m.levers.coordinator.hold(fam)
        hazard = self.m.wait_dropout * fam.dropout_factor() * keep
        rise = self.m.wait_dropout_rise * keep
        ep.n_queue += 1
        t_drop = INF
        if rise > 0:
            e = self.m.rand.exponential("wait_dropout", fam.fid, ep.domain, ep.problem_id, ep.attempt, ep.n_queue)
            t_drop = now + 2.0 * e / (hazard + math.sqrt(hazard * hazard + 2.0 * rise * e))  # the root, without cancellation
        elif hazard > 0:
            t_drop = now + self.m.rand.exponential("wait_dropout", fam.fid, ep.domain, ep.problem_id, ep.attempt, ep.n_queue) / hazard
        if t_drop < t_other:
            t_other, kind_other = t_drop, "wait_dropout"
        self.arm(ep, now, t_other, kind_other)

    # --- signalling and routing --------------------------------------------------------
    def signal(self, ep: NeedEpisode, now: float) -> None:
        """The need becomes known: route it to its first door."""
        self.account(ep, now)
        ep.signal = now
        fam = ep.family
        fam.ever_signalled = True
        ep.state = HANDOFF  # transitional: routed below
        self.route(ep, now)
        self.family_changed(fam)

    def correct_org(self, ep: NeedEpisode, now: float, exclude: Organisation | None = None) -> Organisation | None:
        """An organisation whose mandate covers the need, chosen by door weights (keyed)."""
        m = self.m
        s = ep.severity(now)
        d = ep.domain
        able = [o for o in m.organisations if o is not exclude and o.can_help(d, s)]
        options = [(o, w) for o, w in m.doors[d] if o in able and o.covers(d, s)]
        if not options:
            options = [(o, 1.0) for o in able if o.covers(d, s)]
        if not options:
            options = [(o, 1.0) for o in able if d in o.mandate]
        if not options:
            return None
        total = sum(w for _, w in options) or float(len(options))
        u = m.rand.uniform("referral", ep.family.fid, ep.domain, ep.problem_id, ep.attempt, ep.handoffs) * total
        acc = 0.0
        for o, w in options:
            acc += w if total else 1.0
            if u < acc:
                return o
        return options[-1][0]

    def route(self, ep: NeedEpisode, now: float) -> None:
        """First door: priority after crisis, the coordinator's routing, the entry point, or the family's own pick.

        The coordinator routes her families whatever else is on; the single entry point either is every need's
        first step (its ``step`` form) or replaces only a wrong door (``no_wrong_door``, `sim.levers.single_entry`).
        """
        m = self.m
        fam = ep.family
        if ep.priority:
            target = self.correct_org(ep, now)
            self.arrive(ep, target)
            return
        if m.levers.coordinator.routes(fam):
            target = self.correct_org(ep, now)
            if target is fam.coordinator.organisation:
                self.arrive(ep, target)
            else:
                ep.prev_org = fam.coordinator.organisation
                self.handoff(ep, fam.coordinator.organisation, target, now)
            return
        entry = m.levers.single_entry.first_door(ep)
        if entry is not None:
            ep.n_doors += 1
            self.arrive(ep, entry)
            return
        noticed = m.contacts.noticed_by(ep, now)  # a contact point that noticed the need is its first door
        if noticed is not None:
            door = m.levers.single_entry.instead_of(ep, noticed, now)
            if door is m.entry_org:
                ep.n_doors += 1
            self.arrive(ep, door)
            return
        u = m.rand.uniform("door", fam.fid, ep.domain, ep.problem_id, ep.attempt)
        acc = 0.0
        doors = m.doors[ep.domain]
        door = doors[-1][0]
        for o, w in doors:
            acc += w
            if u < acc:
                door = o
                break
        door = m.levers.single_entry.instead_of(ep, door, now)
        if door is m.entry_org:
            ep.n_doors += 1
        self.arrive(ep, door)

    def handoff(self, ep: NeedEpisode, source: Organisation, target: Organisation | None, now: float) -> None:
        """Refer the need from ``source`` to ``target``: dropout risk, engagement loss, delay."""
        m = self.m
        fam = ep.family
        if target is None:
            self.end(ep, DROPPED_OUT, "no_mandate")
            return
        target = m.referrals.target(ep, source, target, now)  # a referrer may miss the correct door (sim.referral)
        kind, p_base, delay, drop = m.levers.warm_handoff.terms(ep)
        ep.handoffs += 1
        tau = m.trust.get(source.index, target.index, now)
        p = min(1.0, p_base * fam.dropout_factor() * (1.0 - m.spec.trust.omega_dropout * tau))
        fam.engagement *= (1.0 - drop)
        if m.rand.uniform("handoff_dropout", fam.fid, ep.domain, ep.problem_id, ep.attempt, ep.handoffs) < p:
            self.end(ep, DROPPED_OUT, "handoff")
            return
        delay *= (1.0 - m.spec.trust.omega_delay * tau)
        ep.prev_org = source
        ep.org = target
        ep.state = HANDOFF
        self.arm(ep, now, now + delay, "arrive")

    # --- intake and decision -------------------------------------------------------------
    def arrive(self, ep: NeedEpisode, org: Organisation | None) -> None:
        """The family reaches an organisation's desk: join its intake queue."""
        now = self.m.time
        if org is None:
            self.end(ep, DROPPED_OUT, "no_mandate")
            return
        ep.org = org
        ep.state = INTAKE_QUEUE
        org.intake_list.push(ep, now)
        self._arm_waiting(ep, now)
        org.start_next_intake()

    def _repeated(self, ep: NeedEpisode) -> bool:
        if ep.intakes > 0:
            return True
        for o in ep.family.open.values():  # noqa: SIM110 - a loop, not any(<generator>): called for every intake
            if o.intakes > 0 and o is not ep:
                return True
        return False

    def intake_started(self, ep: NeedEpisode, org: Organisation) -> None:
        """The desk takes the episode: stop its waiting clocks."""
        now = self.m.time
        self.account(ep, now)
        self.set_timer(ep, INF, "")
        ep.state = INTAKE
        ep.light_intake = self._repeated(ep) and self.m.levers.shared_assessment.accepts(ep, org)

    def intake_hours(self, ep: NeedEpisode, org: Organisation) -> float:
        """Desk hours for this intake: light if the shared assessment was accepted."""
        if ep.light_intake:
            return self.m.levers.shared_assessment.hours(org)
        return org.spec.intake_hours

    def intake_done(self, ep: NeedEpisode, org: Organisation) -> None:
        """Book the intake, apply repeated-intake effects, then refer or go to the decision step."""
        m = self.m
        now = m.time
        fam = ep.family
        light = ep.light_intake
        hours = self.intake_hours(ep, org)
        repeated = self._repeated(ep)
        ep.light_intake = False
        ep.intakes += 1
        ep.cost += m.ledger.book(now, org.payer, "intake", org.name, hours * org.hourly_cost, hours)
        m.levers.single_entry.intake_booked(ep, org, hours, now)  # the desk time wrong doors spend (equal staff)
        if repeated and not light:
            fam.engagement *= (1.0 - self.b.delta_intake)
            p = min(1.0, self.b.p_intake_dropout * fam.dropout_factor())
            if m.rand.uniform("intake_dropout", fam.fid, ep.domain, ep.problem_id, ep.attempt, ep.intakes) < p:
                self.end(ep, DROPPED_OUT, "intake")
                return
        s = ep.severity(now)
        if s >= 1.0 and now >= ep.calm_until:
            self.crisis(ep)
            return
        if not (org.covers(ep.domain, s) and org.can_help(ep.domain, s)):
            self.handoff(ep, org, self.correct_org(ep, now, exclude=org), now)
            return
        if org.spec.access == "decision" and not m.levers.mandate.skip_decision(ep, org):
            ep.state = DECISION
            if m.levers.case_table.decides(fam):
                ep.decision_at = INF  # the next case-table meeting decides
                self._arm_waiting(ep, now)
            else:
                ep.decision_at = now + decision_delay(ep, org.spec, now)
                self._arm_waiting(ep, now, ep.decision_at, "decided")
            return
        self.to_help_queue(ep, org)

    def decision_made(self, ep: NeedEpisode) -> None:
        """The access decision is taken (after the delay, or jointly at the case table)."""
        self.to_help_queue(ep, ep.org)

    # --- waiting and help ------------------------------------------------------------------
    def _excluded(self, ep: NeedEpisode, org: Organisation, now: float) -> bool:
        if not org.exclusions or self.m.levers.case_table.waives(ep.family):
            return False
        for d2, s_max in org.exclusions.items():
            other = ep.family.open.get(d2)
            if other is not None and other is not ep and other.severity(now) > s_max:
                return True
        return False

    def to_help_queue(self, ep: NeedEpisode, org: Organisation) -> None:
        """Start help at once if a professional with fit has hours, else join the waiting list."""
        m = self.m
        now = m.time
        self.account(ep, now)
        if self._excluded(ep, org, now):
            # Refused start: the family is sent away and must come back later (a cold handoff to the same door).
            self.set_timer(ep, INF, "")
            ep.handoffs += 1
            fam = ep.family
            p = min(1.0, self.b.p_cold_dropout * fam.dropout_factor())
            fam.engagement *= (1.0 - self.b.delta_cold)
            if m.rand.uniform("refusal_dropout", fam.fid, ep.domain, ep.problem_id, ep.attempt, ep.handoffs) < p:
                self.end(ep, DROPPED_OUT, "refused")
                return
            ep.state = HANDOFF
            ep.org = org
            self.arm(ep, now, now + self.b.refusal_retry_days, "arrive")
            return
        s = ep.severity(now)
        p, fit = org.free_professional(ep, s)
        if p is not None and not org.help_lists[ep.domain].length:
            self.start_help(ep, p, fit)
            return
        ep.state = WAITING
        org.help_lists[ep.domain].push(ep, now)
        self._arm_waiting(ep, now)
        if p is not None:
            org.pull_work(p)

    def _uncoupled_open(self, ep: NeedEpisode) -> int:
        """n_uc: coupled domains with an open episode not in help (docs/design.md A5)."""
        fam = ep.family
        n = 0
        for d2 in self.m.help_coupled[ep.domain]:
            other = fam.open.get(d2)
            if other is not None and other.state != IN_HELP:
                n += 1
        return n

    def _help_rate(self, ep: NeedEpisode) -> float:
        c = self.sc.coupling
        return self.m.help_rate[ep.domain] * ep.help_fit * ep.help_effect * max(c.r_floor, 1.0 - c.u_help * self._uncoupled_open(ep))

    def _engagement_wait_marks(self, ep: NeedEpisode, now: float) -> None:
        if ep.signal is None:
            return
        waited = now - ep.signal
        marks = sum(1 for t in TREEKNORM_DAYS if waited >= t)
        while ep.wait_marks < marks:
            ep.family.engagement *= (1.0 - self.b.delta_wait)
            ep.wait_marks += 1

    def start_help(self, ep: NeedEpisode, p: Professional, fit: float) -> None:
        """A professional takes the need: severity starts to fall; resolution and dropout race."""
        m = self.m
        now = m.time
        fam = ep.family
        self.account(ep, now)
        self._engagement_wait_marks(ep, now)
        ep.state = IN_HELP
        ep.helper = p
        ep.help_fit = fit
        ep.n_help += 1
        ep.professionals.add(p.unique_id)
        m.places.release(ep, now)
        if ep.help_start is None:
            ep.help_start = now
        fam.ever_helped = True
        p.committed += m.help_hours[ep.domain]
        p.cases += 1
        p.organisation.cases += 1
        shape = self.sc.help_effect_shape
        ep.help_effect = 1.0 if shape is None else m.help_effect_q(m.rand.uniform("help_effect", fam.fid, ep.domain, ep.problem_id, ep.attempt, ep.n_help))
        ep.queue_enter = now  # start of the help segment
        n_org = len({o.helper.organisation.index for o in fam.open.values() if o.helper is not None})
        hazard = m.help_dropout * fam.dropout_factor() * (1.0 + self.b.burden * max(0, n_org - 1))
        ep.rebase(now, growing=False)
        ep.help_drop_t = INF
        if hazard > 0:
            ep.help_drop_t = now + m.rand.exponential("help_dropout", fam.fid, ep.domain, ep.problem_id, ep.attempt, ep.n_help) / hazard
        self._schedule_help(ep, now)
        self.family_changed(fam)

    def _schedule_help(self, ep: NeedEpisode, now: float) -> None:
        s = ep.severity(now)
        r = self._help_rate(ep)
        if s <= self.theta:
            # Already below the resolution threshold: help resolves at once (and no infinite rates).
            ep.rebase(now, growing=False, decay=0.0)
            self.set_timer(ep, now, "resolve")
            return
        if self.sc.help_duration == "exponential":
            # Verification option (Erlang C): duration ~ Exp with the mean of the decay path; fixed at help start.
            mean = math.log(s / self.theta) / r
            duration = mean * self.m.rand.exponential("help_duration", ep.family.fid, ep.domain, ep.problem_id, ep.attempt, ep.n_help)
            r = math.log(s / self.theta) / max(duration, 1e-12)
        ep.rebase(now, growing=False, decay=r)
        t_res = now + math.log(s / self.theta) / r
        t_drop = ep.help_drop_t
        t_end, kind = (t_drop, "help_dropout") if t_drop < t_res else (t_res, "resolve")
        t_break = self.m.breakdown.time(ep, now)
        if t_break < t_end:
            t_end, kind = t_break, "breakdown"
        self.set_timer(ep, t_end, kind)

    def refresh_help(self, ep: NeedEpisode, now: float) -> None:
        """Coupled needs changed: re-plan resolution from the current severity (docs/design.md A5)."""
        if self.sc.help_duration == "exponential":
            return
        if abs(self._help_rate(ep) - ep.decay) > 1e-15 or self.m.breakdown.changed(ep):
            self._schedule_help(ep, now)

    def _end_help(self, ep: NeedEpisode, now: float) -> None:
        m = self.m
        p = ep.helper
        org = p.organisation
        hours = m.help_hours[ep.domain]
        per_day = hours / 7.0 * org.hourly_cost
        if ep.flex:
            ep.cost += m.ledger.book_segment(ep.queue_enter, now, "municipality", "flex", org.name,
                                            per_day * (1.0 + self.sc.levers.flex_markup), hours / 7.0)
        else:
            ep.cost += m.ledger.book_segment(ep.queue_enter, now, org.payer, "help", org.name, per_day, hours / 7.0)
        p.committed -= hours
        p.cases -= 1
        org.cases -= 1
        ep.helper = None
        ep.hz_t = now
        ep.help_drop_t = INF
        org.pull_work(p)

    # --- endings --------------------------------------------------------------------------
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
        self.set_timer(ep, INF, "")
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
                self._arm_waiting(nxt, now, nxt.decision_at, "decided")
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
        self.set_timer(nxt, now + delay, "recur")

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
                p = ep.helper
                org = p.organisation
                hours = self.m.help_hours[ep.domain]
                per_day = hours / 7.0 * org.hourly_cost
                if ep.flex:
                    ep.cost += self.m.ledger.book_segment(ep.queue_enter, now, "municipality", "flex", org.name,
                                                          per_day * (1.0 + self.sc.levers.flex_markup), hours / 7.0)
                else:
                    ep.cost += self.m.ledger.book_segment(ep.queue_enter, now, org.payer, "help", org.name, per_day, hours / 7.0)
            elif ep.growing:
                ep.rebase(now, growing=True)
            ep.outcome = "ongoing"
            ep.end_reason = "horizon"
