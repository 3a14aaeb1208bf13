"""Time-to-event estimators: Aalen-Johansen cumulative incidence, Kaplan-Meier, restricted mean time to an event.

Pure numpy, for the run summary's headline (`sim.headline`) and the sweep report's curves. Every subject has a
follow-up time and an event code: 0 for right-censored (still at risk when observation stopped), k >= 1 for an
event of cause k. Events of every cause end the subject's time at risk; the cause of interest is one of them and
the others are *competing* events (dropout, crisis, remission and moving away compete with help).

Ties follow the usual convention (Kalbfleisch & Prentice 2002, section 1.4): at a time t the subjects censored at
t are still at risk at t, so all events at t are counted before the censorings at t.

With n(t) subjects at risk just before t, d(t) events of any cause and d_k(t) of cause k at t:

- Kaplan-Meier (all causes): S(t) = prod_{s <= t} (1 - d(s) / n(s));
- Aalen-Johansen cumulative incidence of cause k: F_k(t) = sum_{s <= t} S(s-) d_k(s) / n(s). Without competing
  events F_k = 1 - S. The naive 1 - KM with competing events treated as censored overstates F_k (Putter, Fiocco
  & Geskus 2007);
- restricted mean time to the event of cause k up to tau: ``tau - integral_0^tau F_k(t) dt``. This is the mean
  of min(T_k, tau), where T_k is the time to an event of cause k and a subject whose time at risk ends with a
  competing event never reaches it (T_k = infinity). In words: of the first tau days, how many on average pass
  before the event of interest, a competing end counting as never reaching it. Without competing events it is the
  usual restricted mean survival time, the area under S up to tau (Royston & Parmar 2013); with them, its
  complement ``integral_0^tau F_k(t) dt`` is the restricted mean time *lost* to cause k (Andersen 2013). We report
  the time *to* help (lower is better) because it is in days from onset, like the "among helped" time to help it
  stands beside, but it counts every subject, helped or not, so selection of who is helped cannot move it alone.

A curve is known only as far as someone is followed: a value at t beyond the longest follow-up is None, unless
every subject had an event by then (S = 0, the curve is flat from there).

References:
    Aalen, O. O. & Johansen, S. (1978). An empirical transition matrix for non-homogeneous Markov chains based on
    censored observations. Scand J Stat 5:141-150.
    Andersen, P. K. (2013). Decomposition of number of life years lost according to causes of death. Stat Med
    32:5278-5285.
    Kalbfleisch, J. D. & Prentice, R. L. (2002). The Statistical Analysis of Failure Time Data, 2nd ed. Wiley.
    Putter, H., Fiocco, M. & Geskus, R. B. (2007). Tutorial in biostatistics: competing risks and multi-state
    models. Stat Med 26:2389-2430.
    Royston, P. & Parmar, M. K. B. (2013). Restricted mean survival time: an alternative to the hazard ratio for
    the design and analysis of randomized trials with a time-to-event outcome. BMC Med Res Methodol 13:152.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CENSORED = 0


@dataclass(frozen=True)
class Curves:
    """Step functions at the distinct follow-up times (right-continuous: the value at ``times[i]`` includes it).

    Attributes:
        times: distinct follow-up times, ascending (event and censoring times).
        at_risk: subjects at risk just before each time.
        survival: Kaplan-Meier S(t) of the time to any event.
        incidence: Aalen-Johansen F_k(t) of the cause of interest.
        follow_up: the longest follow-up time (0 without subjects).
    """

    times: np.ndarray
    at_risk: np.ndarray
    survival: np.ndarray
    incidence: np.ndarray
    follow_up: float

    def _known(self, t: float) -> bool:
        return len(self.times) > 0 and (t <= self.follow_up or self.survival[-1] == 0.0)

    def incidence_at(self, t: float) -> float | None:
        """F_k(t), or None beyond the longest follow-up (or without subjects)."""
        if not self._known(t):
            return None
        i = int(np.searchsorted(self.times, t, side="right")) - 1
        return float(self.incidence[i]) if i >= 0 else 0.0

    def survival_at(self, t: float) -> float | None:
        """S(t), or None beyond the longest follow-up (or without subjects)."""
        if not self._known(t):
            return None
        i = int(np.searchsorted(self.times, t, side="right")) - 1
        return float(self.survival[i]) if i >= 0 else 1.0

    def restricted_mean(self, tau: float) -> float | None:
        """``tau - integral_0^tau F_k(t) dt``: the restricted mean time to the cause of interest (module docstring)."""
        if not self._known(tau):
            return None
        inside = self.times < tau
        starts = self.times[inside]
        widths = np.diff(np.append(starts, tau))  # F_k is constant from each time to the next (or to tau)
        return float(tau - np.sum(self.incidence[inside] * widths))


def curves(time: np.ndarray, event: np.ndarray, cause: int = 1) -> Curves:
    """Kaplan-Meier survival and Aalen-Johansen cumulative incidence of ``cause``.

    Args:
        time: follow-up time of each subject (>= 0).
        event: 0 censored, k >= 1 an event of cause k.
        cause: the cause of interest (>= 1).

    Example:
        >>> c = curves(np.array([1.0, 2.0, 2.0, 3.0]), np.array([1, 2, 0, 1]))
        >>> c.incidence.round(4).tolist(), c.incidence_at(2.5)
        ([0.25, 0.25, 0.75], 0.25)
    """
    t = np.asarray(time, dtype=float)
    e = np.asarray(event, dtype=np.int64)
    if t.shape != e.shape:
        raise ValueError("time and event differ in length")
    if len(t) == 0:
        empty = np.empty(0)
        return Curves(empty, empty, empty, empty, 0.0)
    times, inverse, counts = np.unique(t, return_inverse=True, return_counts=True)
    # at risk just before each time: everyone whose follow-up is at least that long (censored at t included)
    at_risk = len(t) - np.concatenate(([0], np.cumsum(counts)[:-1]))
    d_any = np.bincount(inverse, weights=(e != CENSORED).astype(float), minlength=len(times))
    d_cause = np.bincount(inverse, weights=(e == cause).astype(float), minlength=len(times))
    survival = np.cumprod(1.0 - d_any / at_risk)
    before = np.concatenate(([1.0], survival[:-1]))  # S(t-)
    incidence = np.cumsum(before * d_cause / at_risk)
    return Curves(times, at_risk.astype(float), survival, incidence, float(times[-1]))


def kaplan_meier(time: np.ndarray, event: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct times and the Kaplan-Meier survival just after each (every non-zero event code is an event)."""
    c = curves(time, event)
    return c.times, c.survival


def aalen_johansen(time: np.ndarray, event: np.ndarray, cause: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Distinct times and the Aalen-Johansen cumulative incidence of ``cause`` just after each."""
    c = curves(time, event, cause)
    return c.times, c.incidence
