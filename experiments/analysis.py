"""Analyses of a loaded sweep: per-arm means, paired differences, costs by payer, time to help, waiting lists.

The replication is the unit: every interval is the 95 % confidence interval
of a mean over per-run values (Monte Carlo uncertainty); the spread of
per-run outcomes (5th-95th percentile) is a separate column and never
called an interval. Differences are paired by seed (common random numbers).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from experiments import sensitivity
from experiments.paired import matched_means, mean_ci, paired_difference, spread
from experiments.store import Sweep
from sim import metrics
from sim.survival import CENSORED, aalen_johansen

# The outcomes a report shows first; names, units and scales come from the one catalogue (`sim.metrics`).
HEADLINE: tuple[str, ...] = metrics.HEADLINE


def arm_order(sweep: Sweep) -> list[str]:
    """Arms in plan order."""
    return list(dict.fromkeys(sweep.plan.arm))


def per_run(sweep: Sweep, metric: str) -> pd.DataFrame:
    """Table of one metric, a row per seed and a column per arm (in report units)."""
    scale = metrics.CATALOGUE[metric].scale if metric in metrics.CATALOGUE else 1.0
    s = sweep.summary
    if metric not in s:
        return pd.DataFrame(index=pd.Index([], name="seed"))
    return s.pivot_table(index="seed", columns="arm", values=metric, aggfunc="first") * scale


def arm_summary(sweep: Sweep, keys: list[str] | None = None) -> pd.DataFrame:
    """Per arm and metric: mean with its 95 % CI, spread (p5, p95) of per-run values, and n runs."""
    rows = []
    for metric in keys or list(HEADLINE):
        table = per_run(sweep, metric)
        for arm in arm_order(sweep):
            if arm not in table:
                continue
            x = table[arm].to_numpy(dtype=float)
            m, lo, hi = mean_ci(x)
            p5, p95 = spread(x)
            rows.append({"metric": metric, "arm": arm, "mean": m, "ci_lo": lo, "ci_hi": hi, "p5": p5, "p95": p95,
                         "n": int(np.isfinite(x).sum())})
    return pd.DataFrame(rows, columns=["metric", "arm", "mean", "ci_lo", "ci_hi", "p5", "p95", "n"])


MATCHED = "tth_onset_matched"


def matched_per_run(sweep: Sweep, arm: str, reference: str) -> pd.DataFrame:
    """Per seed: mean days to help from onset in the reference and in the arm over the needs helped in both.

    The needs are matched within a seed by family, domain and problem id (`sim.headline.helped_problems`), so
    the difference is free of the selection of who is helped; the seed is the replication.
    """
    h = sweep.helped
    rows = []
    if len(h):
        runs = {(a, s): g for (a, s), g in h.groupby(["arm", "seed"], observed=True, sort=False)}
        for seed in sorted({s for a, s in runs if a == arm}):
            if (reference, seed) not in runs:
                continue
            r, a = runs[(reference, seed)], runs[(arm, seed)]
            m_ref, m_arm, n = matched_means(r.problem_key.to_numpy(), r.days.to_numpy(), a.problem_key.to_numpy(), a.days.to_numpy())
            rows.append({"seed": seed, "reference": m_ref, "arm": m_arm, "n": n})
    return pd.DataFrame(rows, columns=["seed", "reference", "arm", "n"])


def differences(sweep: Sweep, keys: list[str] | None = None) -> pd.DataFrame:
    """Per arm with a reference arm and metric: paired difference (arm - reference) with its 95 % CI and spread.

    ``tth_onset_matched`` (the matched contrast) is computed here from the runs' helped needs, per pair of arms.
    """
    refs = sweep.plan[["arm", "reference"]].drop_duplicates()
    extra = [c for c in ("unit", "direction", "scale", "working") if c in sweep.plan]
    info = sweep.plan.drop_duplicates("arm").set_index("arm")[extra] if extra else None
    rows = []
    for metric in keys or list(HEADLINE):
        if metric == MATCHED:
            for arm, ref in refs.itertuples(index=False):
                if not isinstance(ref, str):
                    continue
                m = matched_per_run(sweep, arm, ref)
                if not len(m):
                    continue
                rows.append(_difference_row(metric, arm, ref, m.reference.to_numpy(dtype=float),
                                            m.arm.to_numpy(dtype=float), info))
            continue
        table = per_run(sweep, metric)
        for arm, ref in refs.itertuples(index=False):
            if not isinstance(ref, str) or arm not in table or ref not in table:
                continue
            rows.append(_difference_row(metric, arm, ref, table[ref].to_numpy(dtype=float),
                                        table[arm].to_numpy(dtype=float), info))
    return pd.DataFrame(rows)


def _difference_row(metric: str, arm: str, ref: str, a: np.ndarray, b: np.ndarray,
                    info: pd.DataFrame | None) -> dict[str, object]:
    """One row of `differences`: the paired difference ``b - a`` of ``arm`` against ``ref``, its CI and spread."""
    d, lo, hi = paired_difference(a, b)
    p5, p95 = spread(b - a)
    row: dict[str, object] = {"metric": metric, "arm": arm, "reference": ref, "difference": d, "ci_lo": lo,
                              "ci_hi": hi, "p5": p5, "p95": p95, "n": int(np.isfinite(b - a).sum())}
    if info is not None:
        row.update(info.loc[arm].to_dict())
    return row


def cost_by(sweep: Sweep, by: str) -> pd.DataFrame:
    """Mean cost per arm and payer (or category) over replications, in EUR m, with its 95 % CI."""
    c = sweep.cost
    if not len(c):
        return pd.DataFrame(columns=["arm", by, "mean", "ci_lo", "ci_hi"])
    per = c.groupby(["arm", "seed", by], observed=True).amount.sum().unstack(by, fill_value=0.0) * 1e-6
    rows = []
    for arm in arm_order(sweep):
        if arm not in per.index.get_level_values(0):
            continue
        for col in per.columns:
            m, lo, hi = mean_ci(per.loc[arm][col].to_numpy())
            rows.append({"arm": arm, by: col, "mean": m, "ci_lo": lo, "ci_hi": hi})
    return pd.DataFrame(rows)


def who_pays(sweep: Sweep) -> pd.DataFrame:
    """Paired cost difference per payer (arm - reference, EUR m): positive pays more, negative gains."""
    c = sweep.cost
    refs = sweep.plan[["arm", "reference"]].drop_duplicates()
    if not len(c):
        return pd.DataFrame(columns=["arm", "reference", "payer", "difference", "ci_lo", "ci_hi"])
    per = c.groupby(["arm", "seed", "payer"], observed=True).amount.sum().unstack("payer", fill_value=0.0) * 1e-6
    rows = []
    for arm, ref in refs.itertuples(index=False):
        if not isinstance(ref, str) or arm not in per.index.get_level_values(0) or ref not in per.index.get_level_values(0):
            continue
        a, b = per.loc[ref], per.loc[arm].reindex(per.loc[ref].index)
        for payer in per.columns:
            d, lo, hi = paired_difference(a[payer].to_numpy(), b[payer].to_numpy())
            rows.append({"arm": arm, "reference": ref, "payer": payer, "difference": d, "ci_lo": lo, "ci_hi": hi})
    return pd.DataFrame(rows)


def cumulative_incidence(days: np.ndarray, event: np.ndarray, cause: str = "helped") -> tuple[np.ndarray, np.ndarray]:
    """Aalen-Johansen cumulative incidence of ``cause`` with competing events and right censoring (`sim.survival`).

    Dropout, crisis and remission before help are competing events (they end the chance of help in
    this episode); ``censored`` episodes were still waiting at the horizon. The curve therefore does
    not reach 1: its height at t is the share helped within t days of the signal.

    Returns:
        event times and the cumulative incidence just after each.
    """
    e = np.asarray(event).astype(str)
    codes = np.where(e == cause, 1, np.where(e == "censored", CENSORED, 2))
    return aalen_johansen(np.asarray(days, dtype=float), codes, cause=1)


def waiting_series(sweep: Sweep) -> pd.DataFrame:
    """Families on waiting lists (all organisations) per arm and day: mean over replications, p5 and p95 across them."""
    w = sweep.waiting
    if not len(w):
        return pd.DataFrame(columns=["arm", "day", "mean", "p5", "p95"])
    total = w.groupby(["arm", "seed", "day"], observed=True)[["waiting", "intake_queue"]].sum().sum(axis=1).rename("waiting")
    g = total.groupby(["arm", "day"], observed=True)
    return pd.DataFrame({"mean": g.mean(), "p5": g.quantile(0.05), "p95": g.quantile(0.95)}).reset_index()


def sensitivity_indices(sweep: Sweep) -> dict[str, pd.DataFrame]:
    """Indices per outcome (mean over replications at each sample point), with bootstrap intervals."""
    exp = sweep.config["experiment"]
    fs = [sensitivity.Factor(**f) for f in sweep.config.get("factors", [])]
    method, levels = exp.get("method", "morris"), int(exp.get("num_levels", 4))
    size = int(exp.get("trajectories" if method == "morris" else "sobol_n"))
    # the design matrix as sampled (before integer rounding and lever switching), regenerated from its seed
    x = sensitivity.sample(fs, method, size, levels, int(exp.get("sample_seed", 1)))
    points = np.arange(len(x))
    out: dict[str, Any] = {}
    for metric in exp.get("outputs", []):
        if metric not in sweep.summary:
            continue
        y = sweep.summary.groupby("sample")[metric].mean().reindex(points).to_numpy(dtype=float)
        if np.isnan(y).any():  # a missing or undefined point breaks the design: say so rather than guess
            out[metric] = pd.DataFrame({"factor": [f.name for f in fs]}).assign(missing_points=int(np.isnan(y).sum()))
            continue
        out[metric] = sensitivity.analyse(fs, method, x, y, levels, int(exp.get("sample_seed", 1)))
    return out

