"""The competing clocks of a need episode: hazards, their integrals, and the one pending timer.

Each open episode has one timer: the earliest of its competing clocks (signal, remission, crisis, arrival,
decision, waiting dropout, resolution, dropout in help, tenancy breakdown, recurrence). `Clocks` holds the maths:
the signal and remission hazards along a linear severity path, their integrals since the last accounting
(`account`), the time each keyed Exp(1) threshold is reached, and the choice of the earliest (`arm`, `set_timer`).
The care steps that react when a clock fires (`sim.access`, `sim.helping`, `sim.endings`) build on it, and
`sim.pathway.Pathway` dispatches a fired timer by its `Clock` kind.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from sim.episode import LATENT, Clock, NeedEpisode
from sim.restore import RestoredInPlace

if TYPE_CHECKING:
    from sim.model import SocialDomainModel

INF = math.inf


class Clocks(RestoredInPlace):
    """The pathway's state and the maths of its competing clocks (the base of the care steps)."""

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

    def arm(self, ep: NeedEpisode, now: float, t_other: float = INF, kind_other: Clock = Clock.NONE) -> None:
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
                best_t, best_k = t_crisis, Clock.CRISIS
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
                    best_t, best_k = t_rem, Clock.REMISSION
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
                    best_t, best_k = now + x, Clock.SIGNAL
        self.set_timer(ep, best_t, best_k)

    def set_timer(self, ep: NeedEpisode, t: float, kind: Clock) -> None:
        """Replace the episode's pending event (none if it falls after the horizon)."""
        if ep.timer is not None:
            ep.timer.cancel()
            ep.timer = None
        ep.timer_kind = kind
        if t <= self.m.end_time:
            now = self.m.time
            ep.timer = self.m.schedule_at(ep.fire, t if t > now else now)

    def _arm_waiting(self, ep: NeedEpisode, now: float, t_other: float = INF, kind_other: Clock = Clock.NONE) -> None:
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
            t_other, kind_other = t_drop, Clock.WAIT_DROPOUT
        self.arm(ep, now, t_other, kind_other)
