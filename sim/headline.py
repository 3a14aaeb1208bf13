"""Headline metrics that selection cannot fool: help as a competing risk from the onset of a need.

"Time to help among helped" moves when a way of working helps *other* problems (say, ones with long latent phases
that the other never helps), even if nobody is helped sooner. The measures here count every problem or family
whose clock started in the measurement window, helped or not (docs/ODD.md section 7.21):

- a **problem** is one spell of one problem of one family: from its onset (``problem_onset_day``; a recurrence
  starts a new spell) through its attempts. Its time at risk ends at the first of: help starting in its first
  attempt (the event of interest), or that attempt ending by dropout, crisis, remission or the family moving away
  (competing events: the need went wrong or went away before help reached it; a dropout or crisis goes on as a
  new attempt, but help then came too late to count here). Still open at the horizon: censored there;
- a **family**'s clock starts at the onset of its first problem in the window; its event is the first help for any
  of its problems that started in the window (after a dropout too); leaving the population competes; censored at
  the horizon.

From these, by Aalen-Johansen (`sim.survival`): the cumulative incidence of help at 30, 90, 180 and 365 days per
problem and at 365 days per family, and the restricted mean time to help up to 365 days per problem and per family.
Throughput counts help as it happens in the window: problem spells whose first help started in it, and families
helped in each measured year, per 1,000 families a year.

The selection rule is one for every measure from onset: a problem counts when its onset lies in the window
``[warm_up, end]`` (the "among helped" time from onset follows the same rule; time from signal selects by signal).

The matched contrast compares problems helped in both arms of a seed; `helped_problems` gives each run's compact
``key -> days from onset to first help`` arrays for it (the first spell of each problem only: a recurrence's onset
depends on when the arm resolved the problem, so it is not the same problem in the other arm).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.survival import curves

if TYPE_CHECKING:
    from sim.model import SocialDomainModel

YEAR_DAYS = 365.0
CIF_DAYS = (30, 90, 180, 365)
RMST_DAYS = 365.0
# Days of follow-up after onset each headline key reads its curve at: a run whose measured window is not longer gives
# no value (`sim.survival` returns None beyond the longest follow-up), so a design that compares on such a key needs
# a longer horizon (`experiments.sweep` refuses a shorter one).
FOLLOW_UP_DAYS: dict[str, float] = {**{f"cif_help_{d}": float(d) for d in CIF_DAYS}, "rmst_help_365_problem": RMST_DAYS,
                                    "rmst_help_365_family": RMST_DAYS, "families_helped_within_365_days": RMST_DAYS}
# Event codes of the time-to-help data (0 is censored, `sim.survival.CENSORED`).
HELP = 1
COMPETING: dict[str, int] = {"dropped_out": 2, "crisis": 3, "resolved": 4, "moved": 5}  # resolved without help: remission
# A problem id is d * 1_000_000 + k (`sim.family`), below 10**8 for fewer than 100 domains: one int64 key per problem.
KEY_FAMILY = 10**8
SPELL = ["family", "problem", "problem_onset_day"]


def problem_events(ep: pd.DataFrame, w0: float, t_end: float) -> pd.DataFrame:
    """One row per problem spell with onset in ``[w0, t_end]``: family, problem, first attempt, onset, days, event code."""
    inw = ep[(ep.problem_onset_day >= w0) & (ep.problem_onset_day <= t_end)]
    first = inw.sort_values("attempt", kind="stable").drop_duplicates(SPELL)
    helped = first.help_start_day.notna().to_numpy()
    end = first.end_day.to_numpy(dtype=float)
    ended = ~np.isnan(end)
    code = first.outcome.astype(str).map(COMPETING).fillna(0).to_numpy(dtype=np.int64)
    event = np.where(helped, HELP, np.where(ended, code, 0))
    stop = np.where(helped, first.help_start_day.to_numpy(dtype=float), np.where(ended, end, t_end))
    onset = first.problem_onset_day.to_numpy(dtype=float)
    return pd.DataFrame({"family": first.family.to_numpy(), "problem": first.problem.to_numpy(),
                         "attempt": first.attempt.to_numpy(), "onset": onset, "days": stop - onset, "event": event})


def family_events(ep: pd.DataFrame, w0: float, t_end: float, left_at: dict[int, float]) -> pd.DataFrame:
    """One row per family with a problem onset in ``[w0, t_end]``: days from that first onset and event code.

    Args:
        ep: the episode table.
        w0: start of the window (end of warm-up).
        t_end: the horizon.
        left_at: day each family left the population (families that stayed may be absent).
    """
    inw = ep[(ep.problem_onset_day >= w0) & (ep.problem_onset_day <= t_end)]
    g = inw.groupby("family", sort=True)
    origin = g.problem_onset_day.min()
    first_help = g.help_start_day.min()  # NaN when none of its problems in the window was helped
    fams = origin.index.to_numpy()
    left = np.array([left_at.get(int(f), np.inf) for f in fams], dtype=float)
    helped = first_help.notna().to_numpy()
    gone = ~helped & (left <= t_end)
    stop = np.where(helped, first_help.to_numpy(dtype=float), np.where(gone, left, t_end))
    event = np.where(helped, HELP, np.where(gone, COMPETING["moved"], 0))
    return pd.DataFrame({"family": fams, "days": stop - origin.to_numpy(dtype=float), "event": event})


def helped_problems(ep: pd.DataFrame, w0: float, t_end: float) -> tuple[np.ndarray, np.ndarray]:
    """Problems with onset in the window that were helped: (key, days from onset to first help), sorted by key.

    The key is ``family * 10**8 + problem`` (the problem id holds the domain), the same problem in every arm of a
    seed. Only a problem's first spell (attempt 0 onward) counts; help in any of its attempts counts.
    """
    inw = ep[(ep.problem_onset_day >= w0) & (ep.problem_onset_day <= t_end)]
    starts = inw[inw.attempt == 0][SPELL]
    spell = inw.merge(starts, on=SPELL, how="inner")
    spell = spell[spell.help_start_day.notna()]
    first = spell.groupby(["family", "problem"], sort=False).agg(help=("help_start_day", "min"), onset=("problem_onset_day", "min"))
    keys = (first.index.get_level_values("family").to_numpy(dtype=np.int64) * KEY_FAMILY
            + first.index.get_level_values("problem").to_numpy(dtype=np.int64))
    days = (first.help - first.onset).to_numpy(dtype=np.float32)
    order = np.argsort(keys, kind="stable")
    return keys[order], days[order]


def _per_1000_per_year(count: float, families: int, years: float) -> float | None:
    return count / families * 1000.0 / years if families and years > 0 else None


def headline(model: SocialDomainModel, ep: pd.DataFrame) -> dict[str, Any]:
    """The headline keys of the run summary (`sim.outputs.summarise`); shares as fractions, times in days."""
    w0, t_end = model.warm_up, model.end_time
    n_fam = len(model.families)
    years = (t_end - w0) / YEAR_DAYS
    probs = problem_events(ep, w0, t_end)
    pc = curves(probs.days.to_numpy(), probs.event.to_numpy(), HELP)
    left_at = {fid: f.left_at for fid, f in model.family_index.items() if f.left_at <= t_end}
    fams = family_events(ep, w0, t_end, left_at)
    fc = curves(fams.days.to_numpy(), fams.event.to_numpy(), HELP)
    # Throughput: problem spells whose first help started in the window; families helped in each measured year.
    spell_help = ep[ep.help_start_day.notna()].groupby(SPELL, sort=False).help_start_day.min()
    problems_helped = int(((spell_help >= w0) & (spell_help <= t_end)).sum())
    h = ep[(ep.help_start_day >= w0) & (ep.help_start_day <= t_end)]
    year = np.minimum(np.floor((h.help_start_day.to_numpy() - w0) / YEAR_DAYS), max(np.ceil(years) - 1, 0))
    family_years = len(set(zip(h.family.to_numpy().tolist(), year.tolist(), strict=True)))
    out: dict[str, Any] = {f"cif_help_{d}": pc.incidence_at(float(d)) for d in CIF_DAYS}
    out.update({
        "rmst_help_365_problem": pc.restricted_mean(RMST_DAYS),
        "rmst_help_365_family": fc.restricted_mean(RMST_DAYS),
        "families_helped_within_365_days": fc.incidence_at(RMST_DAYS),
        "families_helped_per_1000_per_year": _per_1000_per_year(family_years, n_fam, years),
        "problems_helped_per_1000_per_year": _per_1000_per_year(problems_helped, n_fam, years),
        "problems_from_onset": int(len(probs)),
        "families_from_onset": int(len(fams)),
    })
    return out
