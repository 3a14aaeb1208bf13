"""Help: a professional works on a need until it resolves, the family drops out, or the tenancy breaks down.

Care steps of `sim.pathway.Pathway` while a need is in help: the help rate (the domain's rate times the
professional's fit, the help effect and the drag of coupled needs not in help, docs/design.md A5), the race of
resolution, dropout in help and tenancy breakdown, re-planning when coupled needs change, and the end of a
help segment with its booking (`book_help_segment`, the one place help is paid).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from sim.clocks import INF, Clocks
from sim.episode import IN_HELP, Clock, NeedEpisode

if TYPE_CHECKING:
    from sim.professional import Professional

TREEKNORM_DAYS = (28.0, 98.0)  # 4 and 4 + 10 weeks (NZa Treeknorm): engagement drops at each crossing (docs/design.md A9)


class Helping(Clocks):
    """Starting, re-planning, ending and paying help."""

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
            self.set_timer(ep, now, Clock.RESOLVE)
            return
        if self.sc.help_duration == "exponential":
            # Verification option (Erlang C): duration ~ Exp with the mean of the decay path; fixed at help start.
            mean = math.log(s / self.theta) / r
            duration = mean * self.m.rand.exponential("help_duration", ep.family.fid, ep.domain, ep.problem_id, ep.attempt, ep.n_help)
            r = math.log(s / self.theta) / max(duration, 1e-12)
        ep.rebase(now, growing=False, decay=r)
        t_res = now + math.log(s / self.theta) / r
        t_drop = ep.help_drop_t
        t_end, kind = (t_drop, Clock.HELP_DROPOUT) if t_drop < t_res else (t_res, Clock.RESOLVE)
        t_break = self.m.breakdown.time(ep, now)
        if t_break < t_end:
            t_end, kind = t_break, Clock.BREAKDOWN
        self.set_timer(ep, t_end, kind)

    def refresh_help(self, ep: NeedEpisode, now: float) -> None:
        """Coupled needs changed: re-plan resolution from the current severity (docs/design.md A5)."""
        if self.sc.help_duration == "exponential":
            return
        if abs(self._help_rate(ep) - ep.decay) > 1e-15 or self.m.breakdown.changed(ep):
            self._schedule_help(ep, now)

    def _end_help(self, ep: NeedEpisode, now: float) -> None:
        """The help segment ends (resolved, dropout, breakdown or crisis): pay it and free the professional's hours."""
        p = ep.helper
        org = p.organisation
        hours = self.book_help_segment(ep, now)
        p.committed -= hours
        p.cases -= 1
        org.cases -= 1
        ep.helper = None
        ep.hz_t = now
        ep.help_drop_t = INF
        org.pull_work(p)

    def book_help_segment(self, ep: NeedEpisode, now: float) -> float:
        """Book the help segment from its start (``ep.queue_enter``) to ``now`` on the episode; return its hours a week.

        The one place a help segment is paid: at its end (`_end_help`) and, still running, at the horizon
        (`sim.pathway.Pathway.finish`). Flexible help is paid by the municipality with the flex markup.
        """
        m = self.m
        org = ep.helper.organisation
        hours = m.help_hours[ep.domain]
        per_day = hours / 7.0 * org.hourly_cost
        if ep.flex:
            ep.cost += m.ledger.book_segment(ep.queue_enter, now, "municipality", "flex", org.name,
                                            per_day * (1.0 + self.sc.levers.mandate.markup), hours / 7.0)
        else:
            ep.cost += m.ledger.book_segment(ep.queue_enter, now, org.payer, "help", org.name, per_day, hours / 7.0)
        return hours
