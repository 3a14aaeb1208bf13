"""Report figures (matplotlib, Agg backend): PNG at print resolution, axes with units, no chart junk.

Each function draws one figure (or several, when more comparisons exist than
fit in one: never a silent cut) from a loaded sweep, writes it and returns
``(path, note)`` pairs; the note says which part of the whole a figure shows,
and the report adds it to the caption. Every word comes from `Texts` (so from
the metric catalogue and `sim.labels`), tick numbers use the language's
decimal sign, legends sit outside the axes, and a payer or cost category keeps
one colour in every panel and figure.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only: no display, safe in workers and CI
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402
from matplotlib.text import Text  # noqa: E402
from matplotlib.ticker import MaxNLocator, ScalarFormatter  # noqa: E402

from experiments import analysis  # noqa: E402
from experiments.store import Sweep  # noqa: E402
from experiments.texts import Texts  # noqa: E402
from sim import metrics  # noqa: E402
from sim.ledger import CATEGORIES  # noqa: E402
from sim.scenario_spec import PAYERS  # noqa: E402

DPI = 300  # print resolution
MAX_LINES = 8  # more arms than this in a line chart: several figures
MAX_COMPARISONS = 6  # more paired comparisons than this in a bar chart: several figures
Drawn = list[tuple[Path, str]]  # (file written, note on which part of the whole it shows; "" when it shows all)

# One colour per payer and per category, the two sets disjoint, so a colour never means two things in one report.
PAYER_COLOURS = dict(zip(PAYERS, ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2"), strict=True))
CATEGORY_COLOURS = dict(zip(CATEGORIES, ("#17becf", "#bcbd22", "#7f7f7f", "#393b79", "#637939", "#8c6d31", "#843c39",
                                         "#7b4173"), strict=True))
_OTHER = "#aaaaaa"  # a payer or category a newer model adds before it gets its colour here

_observers: list[Callable[[Figure, Path], None]] = []


@contextmanager
def observe(callback: Callable[[Figure, Path], None]) -> Iterator[None]:
    """Call ``callback(figure, path)`` for every figure just before it is saved (tests read its text)."""
    _observers.append(callback)
    try:
        yield
    finally:
        _observers.remove(callback)


def figure_texts(fig: Figure) -> list[str]:
    """Every visible text of a drawn figure: titles, axis labels, tick labels, legend entries, annotations."""
    return [a.get_text() for a in fig.findobj(Text) if a.get_visible() and a.get_text().strip()]


class _CommaFormatter(ScalarFormatter):
    """Matplotlib's tick numbers with a decimal comma (Dutch)."""

    def __call__(self, x: float, pos: int | None = None) -> str:
        return super().__call__(x, pos).replace(".", ",")


def _localise(fig: Figure, lang: str) -> None:
    if lang != "nl":
        return
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if type(axis.get_major_formatter()) is ScalarFormatter:  # numeric axes only; named ticks stay
                axis.set_major_formatter(_CommaFormatter())


def _save(fig: Figure, path: Path, t: Texts) -> Path:
    _localise(fig, t.lang)
    fig.canvas.draw()  # tick labels exist after a draw: observers see the text as saved
    for callback in list(_observers):
        callback(fig, path)
    fig.savefig(path, dpi=DPI, bbox_inches="tight")  # the box grows to every label and outside legend
    plt.close(fig)
    return path


def _legend_outside(ax: plt.Axes, **kw: object) -> None:
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8, **kw)


def _parts(items: list[str], size: int) -> list[list[str]]:
    """Split into the fewest near-equal parts of at most ``size``."""
    if not items:
        return []
    n = math.ceil(len(items) / size)
    k = math.ceil(len(items) / n)
    return [items[i:i + k] for i in range(0, len(items), k)]


def _name(path: Path, k: int) -> Path:
    return path if k == 0 else path.with_name(f"{path.stem}_{k + 1}{path.suffix}")


def _arm_colours(sweep: Sweep) -> dict[str, str]:
    cycle = plt.get_cmap("tab20" if len(analysis.arm_order(sweep)) > 10 else "tab10").colors
    return {arm: matplotlib.colors.to_hex(cycle[i % len(cycle)]) for i, arm in enumerate(analysis.arm_order(sweep))}


def _line_parts(sweep: Sweep) -> list[list[str]]:
    """Arms per line chart: all in one when they fit, else parts that each keep the references of their arms."""
    arms = analysis.arm_order(sweep)
    refs = sweep.plan.drop_duplicates("arm").set_index("arm").reference
    out = []
    for part in _parts(arms, MAX_LINES):
        extra = [r for r in dict.fromkeys(refs.reindex(part).dropna()) if r not in part]
        out.append([a for a in arms if a in set(part) | set(extra)])
    return out


def _note(t: Texts, k: int, n: int, shown: int, total: int, what: str = "more_arms") -> str:
    return "" if n == 1 else t(what, k=k + 1, n=n, shown=shown, total=total)


def time_to_help(sweep: Sweep, t: Texts, path: Path, censored_marks: int = 60) -> Drawn:
    """Cumulative incidence of help per arm, censored episodes marked."""
    colours, parts, out = _arm_colours(sweep), _line_parts(sweep), []
    ep = sweep.episodes
    for k, arms in enumerate(parts):
        fig, ax = plt.subplots(figsize=(8.5, 4.2), layout="constrained")  # wide: the legend sits beside the axes
        rng = np.random.default_rng(0)  # which censored episodes are marked: a fixed sample, for identical reruns
        for arm in arms:
            e = ep[ep.arm == arm]
            if not len(e):
                continue
            times, cif = analysis.cumulative_incidence(e.days.to_numpy(), e.event.astype(str).to_numpy())
            ax.step(times, cif * 100, where="post", label=t.arm(arm), color=colours[arm])
            cens = e[e.event.astype(str) == "censored"].days.to_numpy()
            if len(cens):
                pick = rng.choice(cens, size=min(censored_marks, len(cens)), replace=False)
                ax.plot(pick, np.interp(pick, times, cif * 100), "|", color=colours[arm], markersize=7, alpha=0.7)
        ax.axvline(98, color="grey", linestyle=":", linewidth=1)
        ax.text(98, 2, " " + t("treeknorm"), color="grey", fontsize=8)
        ax.set(xlabel=t("tth_x"), ylabel=t("tth_y"), title=t("tth_title"), ylim=(0, 100), xlim=(0, None))
        _legend_outside(ax)
        out.append((_save(fig, _name(path, k), t), _note(t, k, len(parts), len(arms), len(colours))))
    return out


def dropout(sweep: Sweep, t: Texts, path: Path) -> Drawn:
    """Dropout per arm: mean with CI, and the per-run spread beside it (every arm on one axis)."""
    s = analysis.arm_summary(sweep, ["dropout_share_episodes"])
    fig, ax = plt.subplots(figsize=(max(4.5, 0.55 * len(s) + 2), 4.0), layout="constrained")
    x = np.arange(len(s))
    ax.bar(x, s["mean"], color="#4C72B0", width=0.6)
    ax.errorbar(x, s["mean"], yerr=[s["mean"] - s.ci_lo, s.ci_hi - s["mean"]], fmt="none", ecolor="black", capsize=3)
    ax.vlines(x + 0.38, s.p5, s.p95, color="grey", linewidth=2, label=t("spread_label"))
    ax.set_xticks(x, [t.arm(a) for a in s.arm], rotation=30 if len(s) > 3 else 0, ha="right" if len(s) > 3 else "center",
                  fontsize=8)
    ax.set(ylabel=t("dropout_y"), title=t("dropout_title"))
    _legend_outside(ax)
    return [(_save(fig, path, t), "")]


def cost(sweep: Sweep, t: Texts, path: Path) -> Drawn:
    """Stacked cost per arm, by payer and by category (horizontal bars when there are many arms)."""
    arms = analysis.arm_order(sweep)
    many = len(arms) > 4
    fig, axes = plt.subplots(1, 2, figsize=(12, 0.32 * len(arms) + 2.4) if many else (11, 4.4), sharey=True,
                             layout="constrained")
    for ax, by, title, palette, kind in ((axes[0], "payer", t("by_payer"), PAYER_COLOURS, "payer"),
                                         (axes[1], "category", t("by_category"), CATEGORY_COLOURS, "category")):
        c = analysis.cost_by(sweep, by)
        if not len(c):
            continue
        table = c.pivot(index="arm", columns=by, values="mean").reindex(arms).fillna(0.0)
        order = [k for k in palette if k in table.columns] + [k for k in table.columns if k not in palette]
        table = table[order]
        colours = [palette.get(k, _OTHER) for k in order]
        table.index = [t.arm(a) for a in table.index]
        table.columns = [t.name(kind, k) for k in order]
        style = {"stacked": True, "ax": ax, "width": 0.7, "color": colours, "edgecolor": "white", "linewidth": 0.5}
        if many:
            table.iloc[::-1].plot.barh(**style)
            ax.set(title=title, ylabel="", xlabel=t("cost_y"))
            ax.tick_params(axis="y", labelsize=7)
        else:
            table.plot.bar(**style)
            ax.set(title=title, xlabel="", ylabel=t("cost_y"))
            ax.tick_params(axis="x", labelrotation=0, labelsize=8)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=7, reverse=not many)
    fig.suptitle(t("cost_title"))
    return [(_save(fig, path, t), "")]


def who_pays(sweep: Sweep, t: Texts, path: Path, max_comparisons: int | None = None) -> Drawn:
    """Paired cost difference per payer (one panel per payer, in its colour), for every arm with a reference.

    More comparisons than ``max_comparisons`` (default `MAX_COMPARISONS`): several figures, each note saying which part it shows.
    """
    w = analysis.who_pays(sweep)
    if not len(w):
        return []
    comparisons = list(dict.fromkeys(w.arm))
    payers = [p for p in PAYER_COLOURS if p in set(w.payer)] + sorted(p for p in set(w.payer) if p not in PAYER_COLOURS)
    parts, out = _parts(comparisons, max_comparisons or MAX_COMPARISONS), []
    cols = min(4, len(payers))
    rows = math.ceil(len(payers) / cols)
    for k, arms in enumerate(parts):
        fig, axes = plt.subplots(rows, cols, figsize=(2.6 * cols + 1.5, rows * (0.38 * len(arms) + 1.2) + 0.6), sharey=True,
                                 squeeze=False, layout="constrained")
        for ax in axes.flat[len(payers):]:
            ax.set_visible(False)
        labels = []
        for arm in arms:  # an ablation arm names its base already ("fragmented + coordinator"); others say theirs
            name, ref = t.arm(arm), t.arm(w[w.arm == arm].reference.iloc[0])
            labels.append(name if name.startswith(ref) else f"{name} − {ref}")
        y = np.arange(len(arms))[::-1]
        for ax, payer in zip(axes.flat, payers, strict=False):
            d = w[w.payer == payer].set_index("arm").reindex(arms)
            ax.barh(y, d.difference, color=PAYER_COLOURS.get(payer, _OTHER), height=0.6)
            ax.errorbar(d.difference, y, xerr=[d.difference - d.ci_lo, d.ci_hi - d.difference], fmt="none", ecolor="black",
                        capsize=2)
            ax.axvline(0, color="black", linewidth=0.8)
            ax.set_title(t.name("payer", payer), fontsize=9)
            ax.set_yticks(y, labels, fontsize=7)
            ax.tick_params(axis="x", labelsize=7)
            ax.xaxis.set_major_locator(MaxNLocator(nbins=3))  # narrow panels: few ticks that never run together
        fig.supxlabel(t("whopays_x"), fontsize=9)
        fig.suptitle(t("whopays_title"))
        out.append((_save(fig, _name(path, k), t), _note(t, k, len(parts), len(arms), len(comparisons), "more_parts")))
    return out


def ablation(sweep: Sweep, t: Texts, path: Path, metric: str) -> Drawn:
    """Ranked paired differences of each lever unit added to / removed from its base, with CI."""
    d = analysis.differences(sweep, [metric])
    fig, axes = plt.subplots(1, 2, figsize=(10, 0.35 * max(len(d) // 2, 3) + 1.8), layout="constrained")
    for ax, direction in zip(axes, ("add", "remove"), strict=True):
        part = d[d.direction == direction].sort_values("difference")
        if not len(part):
            ax.set_visible(False)
            continue
        y = np.arange(len(part))
        ax.barh(y, part.difference, color="#55A868" if direction == "add" else "#C44E52")
        ax.errorbar(part.difference, y, xerr=[part.difference - part.ci_lo, part.ci_hi - part.difference], fmt="none",
                    ecolor="black", capsize=2)
        ax.set_yticks(y, [t.name("lever", u) for u in part.unit])
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set(xlabel=t("difference_x", metric=t.metric(metric), unit=t.unit(metric)),
               title=t("ablation_add" if direction == "add" else "ablation_remove", base=t.arm(part.reference.iloc[0])))
    fig.suptitle(t("ablation_title"))
    return [(_save(fig, path, t), "")]


def waiting(sweep: Sweep, t: Texts, path: Path) -> Drawn:
    """Families waiting over time per arm, with the spread across replications."""
    w = analysis.waiting_series(sweep)
    colours, parts, out = _arm_colours(sweep), _line_parts(sweep), []
    for k, arms in enumerate(parts):
        fig, ax = plt.subplots(figsize=(8.5, 4.0), layout="constrained")  # wide: the legend sits beside the axes
        for arm in arms:
            a = w[w.arm == arm]
            if not len(a):
                continue
            ax.plot(a.day, a["mean"], label=t.arm(arm), color=colours[arm])
            ax.fill_between(a.day, a.p5, a.p95, color=colours[arm], alpha=0.15, linewidth=0)
        ax.set(xlabel=t("waiting_x"), ylabel=t("waiting_y"), title=t("waiting_title"), ylim=(0, None))
        _legend_outside(ax)
        out.append((_save(fig, _name(path, k), t), _note(t, k, len(parts), len(arms), len(colours))))
    return out


def capacity(sweep: Sweep, t: Texts, path: Path) -> Drawn:
    """Time to help and total cost against the capacity factor, per way of working."""
    s = analysis.arm_summary(sweep, ["tth_signal_mean", "cost_total"])
    info = sweep.plan.drop_duplicates("arm").set_index("arm")[["working", "scale"]]
    s = s.join(info, on="arm")
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.0), layout="constrained")
    for ax, metric in zip(axes, ("tth_signal_mean", "cost_total"), strict=True):
        for working, part in s[s.metric == metric].groupby("working", sort=False):
            part = part.sort_values("scale")
            ax.errorbar(part.scale, part["mean"], yerr=[part["mean"] - part.ci_lo, part.ci_hi - part["mean"]], marker="o",
                        capsize=3, label=t.name("preset", working))
        ax.set(xlabel=t("capacity_x"), ylabel=f"{t.metric(metric)} ({t.unit(metric)})")
    _legend_outside(axes[1])
    fig.suptitle(t("capacity_title"))
    return [(_save(fig, path, t), "")]


def sensitivity(indices: pd.DataFrame, method: str, metric: str, t: Texts, path: Path, top: int = 15) -> Drawn:
    """Horizontal bars of the ``top`` most influential factors with their bootstrap intervals."""
    d = indices.head(top).iloc[::-1]
    fig, ax = plt.subplots(figsize=(7, 0.32 * len(d) + 1.6), layout="constrained")
    y = np.arange(len(d))
    scale = metrics.CATALOGUE[metric].scale if metric in metrics.CATALOGUE else 1.0
    if method == "morris":
        ax.barh(y, d.mu_star * scale, xerr=d.mu_star_conf * scale, color="#8172B2", capsize=2)
        ax.set_xlabel(t("sens_morris_x", unit=t.unit(metric) or "-"))
    else:
        ax.barh(y - 0.2, d.ST, height=0.4, xerr=d.ST_conf, label="ST", capsize=2)
        ax.barh(y + 0.2, d.S1, height=0.4, xerr=d.S1_conf, label="S1", capsize=2)
        ax.set_xlabel(t("sens_sobol_x"))
        _legend_outside(ax)
    ax.set_yticks(y, [t.factor(f) for f in d.factor], fontsize=7)
    ax.set_title(t("sens_title", metric=t.metric(metric)))
    return [(_save(fig, path, t), "")]


def prim_trajectory(found: dict[str, Any], t: Texts, path: Path, name: Callable[[str], str]) -> Drawn:
    """PRIM's peeling trajectory (coverage against density) per case definition, the reported box starred."""
    drawn = {case: f for case, f in found.items() if f.prim is not None}
    if not drawn:
        return []
    fig, ax = plt.subplots(figsize=(8.5, 4.2), layout="constrained")  # wide: the legend sits beside the axes
    for i, (case, f) in enumerate(drawn.items()):
        colour = plt.get_cmap("tab10").colors[i % 10]
        table = f.prim.table()
        ax.plot(table.coverage * 100, table.density * 100, "-o", markersize=2.5, color=colour, label=name(case))
        ax.plot(f.box.coverage * 100, f.box.density * 100, "*", markersize=13, color=colour, markeredgecolor="black")
    ax.set(xlabel=t("coverage_x"), ylabel=t("density_y"), title=t("trajectory_title"), xlim=(0, 102), ylim=(0, 102))
    _legend_outside(ax)
    return [(_save(fig, path, t), "")]


def prim_box(points: pd.DataFrame, f: Any, case_column: str, outcome: str, bounds: dict[str, tuple[float, float]], t: Texts,
             path: Path, title: str, max_pairs: int = 3) -> Drawn:
    """Sample points on pairs of the box's bounding parameters (the first three: up to three panels), cases in red.

    A box bounded by one parameter is drawn against the paired difference of ``outcome`` instead.
    """
    names = list(f.box.restricted)
    if not names:
        return []
    case = points[case_column].to_numpy(dtype=bool)
    colours = np.where(case, "#d62728", "#999999")
    pairs = [(a, b) for i, a in enumerate(names[:3]) for b in names[i + 1:3]][:max_pairs]
    fig, axes = plt.subplots(1, max(1, len(pairs)), figsize=(4.2 * max(1, len(pairs)) + 1.6, 4.0), squeeze=False,
                             layout="constrained")
    for ax in axes.flat:
        ax.scatter([], [], s=10, color="#d62728", label=t("case_label"))
        ax.scatter([], [], s=10, color="#999999", label=t("no_case_label"))
    if pairs:
        for ax, (a, b) in zip(axes.flat, pairs, strict=True):
            ax.scatter(points[a], points[b], s=10, c=colours, linewidths=0)
            lo_a, hi_a, lo_b, hi_b = f.box.lo[a], f.box.hi[a], f.box.lo[b], f.box.hi[b]
            ax.add_patch(Rectangle((lo_a, lo_b), hi_a - lo_a, hi_b - lo_b, fill=False, linewidth=1.5,
                                                      edgecolor="black", label=t("box_label")))
            ax.set(xlabel=t.factor(a), ylabel=t.factor(b), xlim=bounds.get(a), ylim=bounds.get(b))
    else:
        ax = axes.flat[0]
        a = names[0]
        scale = metrics.CATALOGUE[outcome].scale if outcome in metrics.CATALOGUE else 1.0
        ax.scatter(points[a], points[outcome] * scale, s=10, c=colours, linewidths=0)
        for x in (f.box.lo[a], f.box.hi[a]):
            ax.axvline(x, color="black", linewidth=1.5)
        ax.axhline(0, color="grey", linewidth=0.8, linestyle=":")
        ax.set(xlabel=t.factor(a), ylabel=t("difference_x", metric=t.metric(outcome), unit=t.unit(outcome)), xlim=bounds.get(a))
    _legend_outside(axes.flat[-1])
    fig.suptitle(title)
    return [(_save(fig, path, t), "")]
