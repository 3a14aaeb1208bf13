"""Per-run outputs (docs/design.md D§6): episode table, cost ledger, daily series, summary.

Metrics are computed on the measurement window after warm-up. The headline
(`sim.headline`) counts every problem and family from the onset of its need in
the window, helped or not: cumulative incidence of help with competing events
(Aalen-Johansen), restricted mean time to help, and families and problems
helped per 1,000 families a year. Definitions
(docs/design.md A21): time-to-help from signal is reported for episodes
*signalled in the window*, from onset for episodes whose problem *started in the
window*, both labelled "among helped" (conditional on being helped); the share helped within 98 days of signal
(Treeknorm total) counts every signalled episode with 98 days of follow-up, so
dropout, crisis and remission are competing outcomes, not silently dropped.
Episodes still open at the horizon are ``ongoing`` (right-censored); episodes of a family that left the
population end as ``moved``, censored in the same way (never help, dropout or crisis).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.gc_pause import cyclic_gc_paused
from sim.headline import headline
from sim.stationarity import YEAR_DAYS, trend_block, warm_up_block

if TYPE_CHECKING:
    from sim.model import SocialDomainModel

TREEKNORM_TOTAL_DAYS = 98.0


@dataclass
class RunResult:
    """Tables and summary of one run."""

    episodes: pd.DataFrame
    ledger: pd.DataFrame
    daily: pd.DataFrame
    daily_org: pd.DataFrame
    queues: pd.DataFrame
    summary: dict[str, Any]


def _stats(values: np.ndarray) -> dict[str, float | None]:
    if len(values) == 0:
        return {"mean": None, "median": None, "p90": None, "n": 0}
    return {"mean": float(np.mean(values)), "median": float(np.median(values)), "p90": float(np.quantile(values, 0.9)),
            "n": int(len(values))}


def episode_table(model: SocialDomainModel) -> pd.DataFrame:
    """One row per need episode (all of them, warm-up included; ``in_window`` marks the measured ones)."""
    names = model.spec.domain_names
    eps = model.episodes
    return pd.DataFrame({
        "run_seed": np.full(len(eps), model.config.seed, dtype=np.int64),
        "episode": np.array([e.uid for e in eps], dtype=np.int64),
        "family": np.array([e.family.fid for e in eps], dtype=np.int64),
        "domain": pd.Categorical([names[e.domain] for e in eps], categories=list(names)),
        "problem": np.array([e.problem_id for e in eps], dtype=np.int64),
        "attempt": np.array([e.attempt for e in eps], dtype=np.int64),
        "onset_day": np.array([e.onset for e in eps], dtype=float),
        "problem_onset_day": np.array([e.problem_onset for e in eps], dtype=float),
        "signal_day": np.array([np.nan if e.signal is None else e.signal for e in eps], dtype=float),
        "help_start_day": np.array([np.nan if e.help_start is None else e.help_start for e in eps], dtype=float),
        "end_day": np.array([np.nan if e.end is None else e.end for e in eps], dtype=float),
        "outcome": [e.outcome for e in eps],
        "end_reason": [e.end_reason for e in eps],
        "last_organisation": [None if e.org is None else e.org.name for e in eps],
        "handoffs": np.array([e.handoffs for e in eps], dtype=np.int64),
        "intakes": np.array([e.intakes for e in eps], dtype=np.int64),
        "professionals": np.array([len(e.professionals) for e in eps], dtype=np.int64),
        "flex": np.array([e.flex for e in eps], dtype=bool),
        "cost": np.array([e.cost for e in eps], dtype=float),
        "unmet_severity_days": np.array([e.unmet for e in eps], dtype=float),
    })


def ledger_table(model: SocialDomainModel) -> pd.DataFrame:
    """The cost ledger aggregated by payer x category x organisation (window only)."""
    rows = [{"payer": p, "category": c, "organisation": o, "amount": a,
             "hours": model.ledger.hours.get((o, c), 0.0)} for (p, c, o), a in sorted(model.ledger.totals.items())]
    return pd.DataFrame(rows, columns=["payer", "category", "organisation", "amount", "hours"])


def stationarity_blocks(model: SocialDomainModel) -> dict[str, Any]:
    """The ``warm_up`` and ``trend`` blocks of the summary (`sim.stationarity`), from the model's daily samples.

    Read from the model's lists rather than the tables so that every run pays only a few milliseconds.
    """
    w0, t_end = model.warm_up, model.end_time
    days = np.fromiter((row[0] for row in model.daily), dtype=float, count=len(model.daily))
    open_eps = np.fromiter((row[1] for row in model.daily), dtype=float, count=len(model.daily))
    queued = np.zeros(len(model.daily))
    if model.daily_org:  # families on intake queues and help waiting lists, summed over organisations per day
        n_org = len(model.organisations)
        org = np.array([(row[2], row[3]) for row in model.daily_org], dtype=float).reshape(-1, n_org, 2)
        queued = org.sum(axis=(1, 2))
    years = int((t_end - w0) // YEAR_DAYS + 1e-9)
    year_of = np.ceil((days - w0) / YEAR_DAYS)  # day d belongs to year k when w0 + 365(k-1) < d <= w0 + 365k
    keep = (year_of >= 1) & (year_of <= years)
    counts = np.bincount(year_of[keep].astype(int) - 1, minlength=years)[:years]

    def yearly_mean(values: np.ndarray) -> np.ndarray:
        sums = np.bincount(year_of[keep].astype(int) - 1, weights=values[keep], minlength=years)[:years]
        return sums / np.maximum(counts, 1)

    return {"warm_up": warm_up_block(open_eps, w0),
            # A list with fewer than 1 family per 1,000 waiting is nearly always empty: its relative change is
            # measured against that floor (an assumption), so 0.1 -> 0.2 families waiting is not flagged.
            "trend": trend_block({"open_episodes": yearly_mean(open_eps), "mean_waiting": yearly_mean(queued)},
                                 floors={"mean_waiting": len(model.families) / 1000.0})}


def summarise(model: SocialDomainModel, ep: pd.DataFrame, ledger: pd.DataFrame) -> dict[str, Any]:
    """The run's headline metrics on the measurement window."""
    w0, t_end = model.warm_up, model.end_time
    n_fam = len(model.families)
    years = (t_end - w0) / 365.0
    sig = ep[(ep.signal_day >= w0) & (ep.signal_day <= t_end)]
    helped = sig[sig.help_start_day.notna()]
    tth_signal = (helped.help_start_day - helped.signal_day).to_numpy()
    # From onset, the clock starts at the problem's onset: select by onset in the window, as `sim.headline` does.
    from_onset = ep[(ep.problem_onset_day >= w0) & (ep.problem_onset_day <= t_end) & ep.help_start_day.notna()]
    tth_onset = (from_onset.help_start_day - from_onset.problem_onset_day).to_numpy()
    followed = sig[sig.signal_day <= t_end - TREEKNORM_TOTAL_DAYS]
    within = ((followed.help_start_day - followed.signal_day) <= TREEKNORM_TOTAL_DAYS).sum()
    ended = ep[(ep.end_day >= w0) & ep.outcome.isin(["resolved", "dropped_out", "crisis"])]
    dropped = ended[ended.outcome == "dropped_out"]
    fam_signalled = set(sig.family)
    fam_dropped = set(dropped.family) & fam_signalled
    in_help_window = ep[ep.help_start_day.notna() & (ep.help_start_day <= t_end) &
                        (ep.end_day.isna() | (ep.end_day >= w0))]
    served = in_help_window.family.nunique()
    resolved_help = int(((ended.outcome == "resolved") & (ended.end_reason == "help")).sum())
    total = float(ledger.amount.sum()) if len(ledger) else 0.0
    by_payer = ledger.groupby("payer").amount.sum().to_dict() if len(ledger) else {}
    by_cat = ledger.groupby("category").amount.sum().to_dict() if len(ledger) else {}
    hours_by_cat = ledger.groupby("category").hours.sum().to_dict() if len(ledger) else {}
    fam_eps = sig.groupby("family")
    crises = int((ended.outcome == "crisis").sum())
    # All staff hours, intake desks included (staff never change after warm-up, when levers may move desk FTE).
    hours_by_org = {o.name: o.weekly_hours * (t_end - w0) / 7.0 for o in model.organisations}
    capacity_hours = sum(hours_by_org.values())
    return {
        "config": model.config.describe(),
        "window_days": [w0, t_end],
        "families": n_fam,
        **headline(model, ep),
        "episodes_signalled": int(len(sig)),
        "share_helped": float(len(helped) / len(sig)) if len(sig) else None,
        "share_helped_within_98_days": float(within / len(followed)) if len(followed) else None,
        "time_to_help_from_signal_among_helped": _stats(tth_signal),
        "time_to_help_from_onset_among_helped": _stats(tth_onset),
        "dropout_share_episodes": float(len(dropped) / len(ended)) if len(ended) else None,
        "dropout_share_families": float(len(fam_dropped) / len(fam_signalled)) if fam_signalled else None,
        "outcomes_ended_in_window": ended.outcome.value_counts().to_dict(),
        "remissions": int((ended.end_reason == "remission").sum()),
        "crises": crises,
        "crises_per_1000_families_per_year": crises / n_fam * 1000.0 / years,
        "cost_total": total,
        "cost_per_family_served": total / served if served else None,
        "cost_per_resolved_need": total / resolved_help if resolved_help else None,
        "cost_by_payer": {k: float(v) for k, v in by_payer.items()},
        "cost_by_category": {k: float(v) for k, v in by_cat.items()},
        "hours_by_category": {k: float(v) for k, v in hours_by_cat.items()},
        "productive_hours_available": capacity_hours,
        "productive_hours_by_organisation": hours_by_org,
        "families_served": int(served),
        "handoffs_per_episode": float(sig.handoffs.mean()) if len(sig) else None,
        "handoffs_per_family": float(fam_eps.handoffs.sum().mean()) if len(sig) else None,
        "intakes_per_episode": float(sig.intakes.mean()) if len(sig) else None,
        "intakes_per_family": float(fam_eps.intakes.sum().mean()) if len(sig) else None,
        "professionals_per_family": float(fam_eps.professionals.sum().mean()) if len(sig) else None,
        "unmet_need_severity_days": float(ep.unmet_severity_days.sum()),
        "ongoing_at_horizon": int((ep.outcome == "ongoing").sum()),
        "moved": int(((ep.outcome == "moved") & (ep.end_day >= w0)).sum()),
        "families_left": int(model.flows.left),
        "families_entered": int(model.flows.entered),
        **stationarity_blocks(model),
    }


def collect(model: SocialDomainModel) -> RunResult:
    """All outputs of a finished run."""
    if not model.finished:
        raise RuntimeError("run the model before collecting its outputs")
    # The tables allocate hundreds of thousands of objects next to the run's millions: automatic cyclic
    # collections in between would walk the run's objects again and again (0.5 s of 1.8 s at 100,000 families).
    with cyclic_gc_paused():
        ep = episode_table(model)
        ledger = ledger_table(model)
        daily = pd.DataFrame(model.daily, columns=["day", "active_episodes", "cumulative_cost", "mean_trust"])
        daily_org = pd.DataFrame(model.daily_org, columns=["day", "organisation", "intake_queue", "waiting", "in_help", "utilisation"])
        queues = pd.DataFrame(model.queue_log, columns=["organisation", "queue", "episode", "enter_day", "leave_day", "how"])
        return RunResult(ep, ledger, daily, daily_org, queues, summarise(model, ep, ledger))
