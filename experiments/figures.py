"""Report figures (matplotlib, Agg backend): PNG at print resolution, axes with units, no chart junk.

Each function draws one figure from a loaded sweep and writes it to a path;
captions are written by the report beside the figure, so they can name the
scenario, the arms and the replications in either language.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: no display, safe in workers and CI
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from experiments import analysis  # noqa: E402
from experiments.store import Sweep  # noqa: E402
from experiments.texts import Texts  # noqa: E402

DPI = 300  # print resolution
MAX_LINES = 8  # more arms than this: plot only the arms without a reference (the bases)


def _save(fig: plt.Figure, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path


def _shown_arms(sweep: Sweep) -> list[str]:
    arms = analysis.arm_order(sweep)
    if len(arms) <= MAX_LINES:
        return arms
    bases = sweep.plan.drop_duplicates("arm")
    return list(bases[bases.reference.isna()].arm)[:MAX_LINES]


def time_to_help(sweep: Sweep, t: Texts, path: Path, censored_marks: int = 60) -> Path:
    """Cumulative incidence of help per arm, censored episodes marked."""
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    rng = np.random.default_rng(0)  # which censored episodes are marked: a fixed sample, for identical reruns
    ep = sweep.episodes
    for arm in _shown_arms(sweep):
        e = ep[ep.arm == arm]
        if not len(e):
            continue
        times, cif = analysis.cumulative_incidence(e.days.to_numpy(), e.event.astype(str).to_numpy())
        line, = ax.step(times, cif * 100, where="post", label=arm)
        cens = e[e.event.astype(str) == "censored"].days.to_numpy()
        if len(cens):
            pick = rng.choice(cens, size=min(censored_marks, len(cens)), replace=False)
            heights = np.interp(pick, times, cif * 100)
            ax.plot(pick, heights, "|", color=line.get_color(), markersize=7, alpha=0.7)
    ax.axvline(98, color="grey", linestyle=":", linewidth=1)
    ax.text(98, 2, " " + t("treeknorm"), color="grey", fontsize=8)
    ax.set(xlabel=t("tth_x"), ylabel=t("tth_y"), title=t("tth_title"), ylim=(0, 100), xlim=(0, None))
    ax.legend(frameon=False, fontsize=8)
    return _save(fig, path)


def dropout(sweep: Sweep, t: Texts, path: Path) -> Path:
    """Dropout per arm: mean with CI, and the per-run spread beside it."""
    s = analysis.arm_summary(sweep, ["dropout_share_episodes"])
    fig, ax = plt.subplots(figsize=(max(4.5, 0.55 * len(s) + 2), 4.0))
    x = np.arange(len(s))
    ax.bar(x, s["mean"], color="#4C72B0", width=0.6)
    ax.errorbar(x, s["mean"], yerr=[s["mean"] - s.ci_lo, s.ci_hi - s["mean"]], fmt="none", ecolor="black", capsize=3)
    ax.vlines(x + 0.38, s.p5, s.p95, color="grey", linewidth=2, label=t("spread_label"))
    ax.set_xticks(x, s.arm, rotation=30 if len(s) > 3 else 0, ha="right" if len(s) > 3 else "center", fontsize=8)
    ax.set(ylabel=t("dropout_y"), title=t("dropout_title"))
    ax.legend(frameon=False, fontsize=8)
    return _save(fig, path)


def cost(sweep: Sweep, t: Texts, path: Path) -> Path:
    """Stacked cost per arm, by payer and by category (horizontal bars when there are many arms)."""
    arms = analysis.arm_order(sweep)
    many = len(arms) > 4
    fig, axes = plt.subplots(1, 2, figsize=(11, 0.32 * len(arms) + 2.2) if many else (10, 4.2), sharey=True)
    for ax, by, title in ((axes[0], "payer", t("by_payer")), (axes[1], "category", t("by_category"))):
        c = analysis.cost_by(sweep, by)
        if not len(c):
            continue
        table = c.pivot(index="arm", columns=by, values="mean").reindex(arms).fillna(0.0)
        if many:
            table.iloc[::-1].plot.barh(stacked=True, ax=ax, width=0.7, colormap="tab20")
            ax.set(title=title, ylabel="", xlabel=t("cost_y"))
            ax.tick_params(axis="y", labelsize=7)
        else:
            table.plot.bar(stacked=True, ax=ax, width=0.7, colormap="tab20")
            ax.set(title=title, xlabel="", ylabel=t("cost_y"))
            ax.tick_params(axis="x", labelrotation=0, labelsize=8)
        ax.legend(frameon=False, fontsize=7)
    fig.suptitle(t("cost_title"))
    return _save(fig, path)


def who_pays(sweep: Sweep, t: Texts, path: Path, max_arms: int = 6) -> Path | None:
    """Paired cost difference per payer for each arm with a reference (at most ``max_arms``)."""
    w = analysis.who_pays(sweep)
    if not len(w):
        return None
    arms = list(dict.fromkeys(w.arm))[:max_arms]
    payers = sorted(w.payer.unique())
    fig, ax = plt.subplots(figsize=(6.5, 0.45 * len(payers) * len(arms) + 1.5))
    height = 0.8 / len(arms)
    for i, arm in enumerate(arms):
        d = w[w.arm == arm].set_index("payer").reindex(payers)
        y = np.arange(len(payers)) + i * height
        ax.barh(y, d.difference, height=height, label=f"{arm} - {d.reference.dropna().iloc[0]}")
        ax.errorbar(d.difference, y, xerr=[d.difference - d.ci_lo, d.ci_hi - d.difference], fmt="none", ecolor="black", capsize=2)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(np.arange(len(payers)) + height * (len(arms) - 1) / 2, payers)
    ax.set(xlabel=t("whopays_x"), title=t("whopays_title"))
    ax.legend(frameon=False, fontsize=8)
    return _save(fig, path)


def ablation(sweep: Sweep, t: Texts, path: Path, metric: str) -> Path:
    """Ranked paired differences of each lever unit added to / removed from its base, with CI."""
    _, unit, _ = analysis.UNITS.get(metric, (metric, "", 1.0))
    d = analysis.differences(sweep, [metric])
    fig, axes = plt.subplots(1, 2, figsize=(10, 0.35 * max(len(d) // 2, 3) + 1.8))
    for ax, direction in zip(axes, ("add", "remove"), strict=True):
        part = d[d.direction == direction].sort_values("difference")
        if not len(part):
            ax.set_visible(False)
            continue
        y = np.arange(len(part))
        ax.barh(y, part.difference, color="#55A868" if direction == "add" else "#C44E52")
        ax.errorbar(part.difference, y, xerr=[part.difference - part.ci_lo, part.ci_hi - part.difference], fmt="none",
                    ecolor="black", capsize=2)
        ax.set_yticks(y, part.unit)
        ax.axvline(0, color="black", linewidth=0.8)
        base = part.reference.iloc[0]
        ax.set(xlabel=t("difference_x", metric=t(metric), unit=t(unit) if unit == "days" else unit),
               title=t("ablation_add" if direction == "add" else "ablation_remove", base=base))
    fig.suptitle(t("ablation_title"))
    return _save(fig, path)


def waiting(sweep: Sweep, t: Texts, path: Path) -> Path:
    """Families waiting over time per arm, with the spread across replications."""
    w = analysis.waiting_series(sweep)
    fig, ax = plt.subplots(figsize=(6.5, 4.0))
    for arm in _shown_arms(sweep):
        a = w[w.arm == arm]
        if not len(a):
            continue
        line, = ax.plot(a.day, a["mean"], label=arm)
        ax.fill_between(a.day, a.p5, a.p95, color=line.get_color(), alpha=0.15, linewidth=0)
    ax.set(xlabel=t("waiting_x"), ylabel=t("waiting_y"), title=t("waiting_title"), ylim=(0, None))
    ax.legend(frameon=False, fontsize=8)
    return _save(fig, path)


def capacity(sweep: Sweep, t: Texts, path: Path) -> Path:
    """Time to help and total cost against the capacity factor, per way of working."""
    s = analysis.arm_summary(sweep, ["tth_signal_mean", "cost_total"])
    info = sweep.plan.drop_duplicates("arm").set_index("arm")[["working", "scale"]]
    s = s.join(info, on="arm")
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.0))
    for ax, metric in zip(axes, ("tth_signal_mean", "cost_total"), strict=True):
        _, unit, _ = analysis.UNITS[metric]
        for working, part in s[s.metric == metric].groupby("working", sort=False):
            part = part.sort_values("scale")
            ax.errorbar(part.scale, part["mean"], yerr=[part["mean"] - part.ci_lo, part.ci_hi - part["mean"]], marker="o",
                        capsize=3, label=working)
        ax.set(xlabel=t("capacity_x"), ylabel=f"{t(metric)} ({t(unit) if unit == 'days' else unit})")
        ax.legend(frameon=False, fontsize=8)
    fig.suptitle(t("capacity_title"))
    return _save(fig, path)


def sensitivity(indices: pd.DataFrame, method: str, metric: str, t: Texts, path: Path, top: int = 15) -> Path:
    """Horizontal bars of the most influential factors with their bootstrap intervals."""
    d = indices.head(top).iloc[::-1]
    fig, ax = plt.subplots(figsize=(7, 0.32 * len(d) + 1.6))
    y = np.arange(len(d))
    _, unit, scale = analysis.UNITS.get(metric, (metric, "", 1.0))
    if method == "morris":
        ax.barh(y, d.mu_star * scale, xerr=d.mu_star_conf * scale, color="#8172B2", capsize=2)
        ax.set_xlabel(t("sens_morris_x", unit=t(unit) if unit == "days" else unit or "-"))
    else:
        ax.barh(y - 0.2, d.ST, height=0.4, xerr=d.ST_conf, label="ST", capsize=2)
        ax.barh(y + 0.2, d.S1, height=0.4, xerr=d.S1_conf, label="S1", capsize=2)
        ax.set_xlabel(t("sens_sobol_x"))
        ax.legend(frameon=False, fontsize=8)
    ax.set_yticks(y, d.factor, fontsize=7)
    ax.set_title(t("sens_title", metric=t(metric)))
    return _save(fig, path)
