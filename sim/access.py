"""Access: a known need finds its way in (signal, first door, referral, intake desk, access decision, waiting list).

Care steps of `sim.pathway.Pathway` from the moment a need is signalled until help can start: routing to a
door (the family's own pick, a contact point that noticed it, the single entry point or the coordinator),
handoffs between organisations, the intake desk, the access decision (or the case table), exclusions that
refuse a start, and the waiting list. Levers are asked through their hooks; nothing here asks which way of
working is on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.clocks import INF, Clocks
from sim.episode import DECISION, DROPPED_OUT, HANDOFF, INTAKE, INTAKE_QUEUE, WAITING, Clock, NeedEpisode
from sim.prerequisites import decision_delay

if TYPE_CHECKING:
    from sim.organisation import Organisation


class Access(Clocks):
    """From signal to a place on a waiting list (or straight into help)."""

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
        self.arm(ep, now, now + delay, Clock.ARRIVE)

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
        self.set_timer(ep, INF, Clock.NONE)
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
                self._arm_waiting(ep, now, ep.decision_at, Clock.DECIDED)
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
            self.set_timer(ep, INF, Clock.NONE)
            ep.handoffs += 1
            fam = ep.family
            p = min(1.0, self.b.p_cold_dropout * fam.dropout_factor())
            fam.engagement *= (1.0 - self.b.delta_cold)
            if m.rand.uniform("refusal_dropout", fam.fid, ep.domain, ep.problem_id, ep.attempt, ep.handoffs) < p:
                self.end(ep, DROPPED_OUT, "refused")
                return
            ep.state = HANDOFF
            ep.org = org
            self.arm(ep, now, now + self.b.refusal_retry_days, Clock.ARRIVE)
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
