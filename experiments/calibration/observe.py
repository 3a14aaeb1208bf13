"""The observation model: what the published targets mean in one run's tables.

Each function maps the outputs of one fragmented run (`sim.RunResult`) to one
target's quantity, on the measurement window after warm-up. The mapping is
stated here because the published figures count other things than the model
does (docs/design.md D2): CBS counts youth, the model households; NZa counts
adult waits; CBS durations come from Little's law on stocks and flows, so the
model's duration is computed the same way.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from experiments.calibration.targets import Observation
from sim import RunResult
from sim.config import RunConfig
from sim.staffing import plan_staff

WEEK = 7.0


def _window(result: RunResult) -> tuple[float, float]:
    w0, t1 = result.summary["window_days"]
    return float(w0), float(t1)


def _years(w0: float, t1: float) -> list[tuple[float, float]]:
    """Whole measured years (a final part-year shorter than half a year is dropped)."""
    out, t = [], w0
    while t + 182.5 <= t1:
        out.append((t, min(t + 365.0, t1)))
        t += 365.0
    return out


def _in_help_during(ep: pd.DataFrame, a: float, b: float) -> pd.DataFrame:
    """Episodes whose help overlaps [a, b] (help start before b, not ended before a)."""
    return ep[ep.help_start_day.notna() & (ep.help_start_day <= b) & (ep.end_day.isna() | (ep.end_day >= a))]


def _helped_at(ep: pd.DataFrame, orgs: tuple[str, ...]) -> pd.DataFrame:
    # An episode in help never changes organisation, so the last organisation of a helped episode is its helper.
    return ep[ep.help_start_day.notna() & ep.last_organisation.isin(orgs)]


def _waits(result: RunResult, orgs: tuple[str, ...]) -> np.ndarray:
    """Days from registration at one of ``orgs`` (its intake queue) to help start there, help started in window.

    Registration is the problem's last entry into that organisation's intake queue before help started: a family
    that had a crisis while waiting keeps its place, and its continuation episode is helped without a new intake,
    so the registration can belong to an earlier attempt of the same problem.
    """
    w0, t1 = _window(result)
    all_ep = result.episodes
    ep = _helped_at(all_ep, orgs)
    ep = ep[(ep.help_start_day >= w0) & (ep.help_start_day <= t1)]
    if not len(ep):
        return np.array([])
    q = result.queues
    q = q[(q.queue == "intake") & q.organisation.isin(orgs)]
    key = ["family", "domain", "problem"]
    reg = q.merge(all_ep[["episode", *key]], on="episode")[[*key, "organisation", "enter_day"]]
    helped = ep[[*key, "last_organisation", "help_start_day"]].rename(columns={"last_organisation": "organisation"})
    helped = helped.assign(domain=helped.domain.astype(str), row=np.arange(len(helped)))
    reg = reg.assign(domain=reg.domain.astype(str), organisation=reg.organisation.astype(str))
    both = helped.merge(reg, on=[*key, "organisation"], how="left")
    both = both[both.enter_day.isna() | (both.enter_day <= both.help_start_day)]
    arrive = both.groupby("row").enter_day.max().reindex(np.arange(len(helped))).to_numpy()
    return helped.help_start_day.to_numpy() - arrive


def youth_care_use(result: RunResult, obs: Observation) -> float:
    """% of households with help in a youth domain from a youth-care organisation, per measured year (mean)."""
    w0, t1 = _window(result)
    ep = result.episodes
    ep = _helped_at(ep[ep.domain.isin(obs.youth_domains)], obs.youth_orgs)
    shares = [_in_help_during(ep, a, b).family.nunique() / result.summary["families"] for a, b in _years(w0, t1)]
    return 100.0 * float(np.mean(shares))


def youth_wait_weeks(result: RunResult, obs: Observation) -> float:
    """Mean weeks from registration at specialist youth care to the start of help there."""
    w = _waits(result, obs.specialist_youth_orgs)
    return float(np.mean(w)) / WEEK if len(w) else float("nan")


def adult_mh_wait_weeks(result: RunResult, obs: Observation) -> float:
    """Mean weeks from registration at adult mental-health care to the start of treatment."""
    w = _waits(result, (obs.adult_mh_org,))
    return float(np.mean(w)) / WEEK if len(w) else float("nan")


def adult_mh_intake_wait_weeks(result: RunResult, obs: Observation) -> float:
    """Mean weeks from registration to intake at adult mental-health care, over intakes started in the window."""
    w0, t1 = _window(result)
    q = result.queues
    q = q[(q.queue == "intake") & (q.organisation == obs.adult_mh_org) & (q.how == "served") & (q.leave_day >= w0) & (q.leave_day <= t1)]
    return float((q.leave_day - q.enter_day).mean() / WEEK) if len(q) else float("nan")


def adult_mh_intake_over_4_weeks(result: RunResult, obs: Observation) -> float:
    """% of registrations at adult mental-health care (intake started in window) that waited over 4 weeks for intake."""
    w0, t1 = _window(result)
    q = result.queues
    q = q[(q.queue == "intake") & (q.organisation == obs.adult_mh_org) & (q.how == "served") & (q.leave_day >= w0) & (q.leave_day <= t1)]
    return 100.0 * float(((q.leave_day - q.enter_day) > 4 * WEEK).mean()) if len(q) else float("nan")


def adult_mh_over_14_weeks(result: RunResult, obs: Observation) -> float:
    """% of adult mental-health waits (ending in treatment) longer than 14 weeks."""
    w = _waits(result, (obs.adult_mh_org,))
    return 100.0 * float(np.mean(w > 14 * WEEK)) if len(w) else float("nan")


def youth_mh_treatment_dropout(result: RunResult, obs: Observation) -> float:
    """% of youth mental-health treatments (help started) that ended in dropout during help, ended in window."""
    w0, t1 = _window(result)
    ep = result.episodes
    ep = ep[(ep.domain == obs.youth_mh_domain) & ep.help_start_day.notna() & (ep.end_day >= w0) & (ep.end_day <= t1)
            & ep.outcome.isin(["resolved", "dropped_out", "crisis"])]
    return 100.0 * float((ep.end_reason == "in_help").mean()) if len(ep) else float("nan")


def youth_trajectory_years(result: RunResult, obs: Observation) -> float:
    """Little's law at specialist youth care: mean cases in help / help starts per year (as CBS's derivation)."""
    w0, t1 = _window(result)
    d = result.daily_org
    d = d[(d.day >= w0) & (d.day <= t1) & d.organisation.isin(obs.specialist_youth_orgs)]
    stock = d.groupby("day").in_help.sum().mean()
    ep = _helped_at(result.episodes, obs.specialist_youth_orgs)
    starts = ((ep.help_start_day >= w0) & (ep.help_start_day <= t1)).sum() / ((t1 - w0) / 365.0)
    return float(stock / starts) if starts else float("nan")


def youth_cost_per_client(result: RunResult, obs: Observation) -> float:
    """Specialist youth-care help and intake cost a year / households it helped in a year (means over measured years)."""
    w0, t1 = _window(result)
    led = result.ledger
    spent = led[led.organisation.isin(obs.specialist_youth_orgs) & led.category.isin(["help", "intake", "flex"])].amount.sum()
    per_year = spent / ((t1 - w0) / 365.0)
    ep = _helped_at(result.episodes, obs.specialist_youth_orgs)
    clients = np.mean([_in_help_during(ep, a, b).family.nunique() for a, b in _years(w0, t1)])
    return float(per_year / clients) if clients else float("nan")


def youth_crisis_rate(result: RunResult, obs: Observation) -> float:
    """Crises of needs in a youth domain that ended in the window, per 1000 households a year."""
    w0, t1 = _window(result)
    ep = result.episodes
    crises = ep[(ep.outcome == "crisis") & ep.domain.isin(obs.youth_domains) & (ep.end_day >= w0) & (ep.end_day <= t1)]
    return 1000.0 * len(crises) / result.summary["families"] / ((t1 - w0) / 365.0)


def cross_domain_households(result: RunResult, obs: Observation) -> float:
    """% of households helped in a year under a law who were helped under 2 or more laws that year (mean over years)."""
    w0, t1 = _window(result)
    ep = result.episodes
    ep = ep.assign(law=ep.domain.astype(str).map(obs.laws))
    ep = ep[ep.law.notna()]
    shares = []
    for a, b in _years(w0, t1):
        laws = _in_help_during(ep, a, b).groupby("family").law.nunique()
        if len(laws):
            shares.append(float((laws >= 2).mean()))
    return 100.0 * float(np.mean(shares)) if shares else float("nan")


def youth_team_share(result: RunResult, obs: Observation) -> float:
    """% of youth-domain help starts in the window at the local team (rest: specialist youth care)."""
    w0, t1 = _window(result)
    ep = result.episodes
    ep = _helped_at(ep[ep.domain.isin(obs.youth_domains)], obs.youth_orgs)
    ep = ep[(ep.help_start_day >= w0) & (ep.help_start_day <= t1)]
    return 100.0 * float((ep.last_organisation == obs.local_team).mean()) if len(ep) else float("nan")


def adult_mh_intake_load(result: RunResult, obs: Observation, config: RunConfig) -> float:
    """Offered load of adult mental-health care's intake desk: intake hours asked a week / desk hours a week.

    Registrations (entries into the intake queue in the window) per week x hours of one intake, over the desk's
    weekly hours at the run's population (`sim.staffing.plan_staff`). Not a target: history matching emulates it
    (`ensemble.LOAD_KEY`) because it decides the switch of `adult_mh_intake_over_4_weeks` and is itself smooth in
    the parameters (arrivals follow onset, capacity follows the desk's hours). Below 1 the desk keeps up; above 1
    its queue grows until families give up waiting.
    """
    w0, t1 = _window(result)
    q = result.queues
    q = q[(q.queue == "intake") & (q.organisation == obs.adult_mh_org) & (q.enter_day >= w0) & (q.enter_day <= t1)]
    org = config.scenario.organisations[obs.adult_mh_org]
    desk = plan_staff(org, config.scenario, config.families).desk_hours
    asked = len(q) / ((t1 - w0) / WEEK) * org.intake_hours
    return float(asked / desk) if desk > 0 else float("nan")


OBSERVERS = {f.__name__: f for f in (youth_care_use, youth_wait_weeks, adult_mh_wait_weeks, adult_mh_intake_wait_weeks,
                                     adult_mh_intake_over_4_weeks,
                                     adult_mh_over_14_weeks,
                                     youth_mh_treatment_dropout, youth_trajectory_years, youth_cost_per_client, youth_crisis_rate,
                                     cross_domain_households, youth_team_share)}


def observe(result: RunResult, obs: Observation) -> dict[str, float]:
    """Every target quantity of one run."""
    return {name: f(result, obs) for name, f in OBSERVERS.items()}
