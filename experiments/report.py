"""The report of a sweep: tables and figures in Markdown or HTML, in English or Dutch.

``python -m experiments report <sweep folder> [lang=nl] [format=html]`` writes
``<sweep folder>/report-<lang>/report.md`` (or ``report.html``) with its PNG
figures beside it. The folder is written whole and then swapped in, so an
interrupted report never leaves a half-written one.
"""

from __future__ import annotations

import html
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments import analysis, figures
from experiments.store import Sweep, load_sweep
from experiments.texts import Texts
from sim import InputError
from sim.atomic import write_folder

Block = tuple[str, Any]  # ("h2", text) | ("p", text) | ("table", DataFrame) | ("figure", (file name, caption))


def _fmt(x: float) -> str:
    if x is None or not np.isfinite(x):
        return "-"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.2f}" if abs(x) < 10 else f"{x:.1f}"


def _unit(t: Texts, metric: str) -> str:
    unit = analysis.UNITS.get(metric, (metric, "", 1.0))[1]
    return t(unit) if unit == "days" else unit


def outcome_table(sweep: Sweep, t: Texts) -> pd.DataFrame:
    """Per arm and headline outcome: mean [95 % CI] and the spread, labelled."""
    s = analysis.arm_summary(sweep)
    return pd.DataFrame({t("metric"): [t(m) for m in s.metric], t("unit"): [_unit(t, m) for m in s.metric], t("arm"): s.arm,
                         t("mean_ci"): [f"{_fmt(m)} [{_fmt(lo)}, {_fmt(hi)}]" for m, lo, hi in zip(s["mean"], s.ci_lo, s.ci_hi, strict=True)],
                         t("spread"): [f"{_fmt(a)} to {_fmt(b)}" for a, b in zip(s.p5, s.p95, strict=True)]})


def difference_table(sweep: Sweep, t: Texts) -> pd.DataFrame:
    """Per arm with a reference: the paired difference of each headline outcome with its CI, and its spread."""
    d = analysis.differences(sweep)
    if not len(d):
        return d
    return pd.DataFrame({t("metric"): [t(m) for m in d.metric], t("unit"): [_unit(t, m) for m in d.metric], t("arm"): d.arm,
                         t("reference"): d.reference,
                         t("difference_ci"): [f"{_fmt(m)} [{_fmt(lo)}, {_fmt(hi)}]" for m, lo, hi in zip(d.difference, d.ci_lo, d.ci_hi, strict=True)],
                         t("spread"): [f"{_fmt(a)} to {_fmt(b)}" for a, b in zip(d.p5, d.p95, strict=True)]})


def blocks(sweep: Sweep, t: Texts, out: Path) -> list[Block]:
    """Draw every figure that fits the design into ``out`` and return the report's content."""
    cfg = sweep.config
    exp = cfg["experiment"]
    arms = analysis.arm_order(sweep)
    ok = int((sweep.status.drop_duplicates("key").state == "succeeded").sum())
    families = int(sweep.summary.families.iloc[0]) if len(sweep.summary) else cfg.get("n_families")
    reps = int(sweep.plan.replication.max())
    shown = arms if len(arms) <= 6 else arms[:6] + [f"... ({len(arms)} in all)"]
    base = t("caption_base", scenario=cfg["scenario"]["name"], arms=", ".join(shown), reps=reps, families=families,
             horizon=cfg["horizon_days"], warm=cfg["warm_up_days"])
    content: list[Block] = [("h1", f"{t('title')}: {exp['name']}"), ("h2", t("setup")),
                            ("p", t("setup_text", scenario=cfg["scenario"]["name"], families=families, horizon=cfg["horizon_days"],
                                    warm=cfg["warm_up_days"], arms=", ".join(shown), reps=reps, ok=ok,
                                    runs=sweep.plan.key.nunique())),
                            ("p", t("reading"))]
    failed = sweep.status.drop_duplicates("key")
    failed = failed[failed.state != "succeeded"]
    if len(failed):
        content += [("h2", t("failed")), ("p", t("failed_text", n=len(failed), folder=sweep.folder))]
    if not len(sweep.summary):
        return content
    design = exp.get("design")
    figs: list[Block] = []

    def fig(name: str, path: Path | None, caption: str) -> None:
        if path is not None:
            figs.append(("figure", (name, f"{caption} {base}")))

    if design != "sensitivity":
        content += [("h2", t("outcomes")), ("table", outcome_table(sweep, t))]
        diff = difference_table(sweep, t)
        if len(diff):
            content += [("h2", t("differences")), ("table", diff)]
        if len(sweep.episodes):
            fig("time_to_help.png", figures.time_to_help(sweep, t, out / "time_to_help.png"), t("tth_caption"))
        fig("dropout.png", figures.dropout(sweep, t, out / "dropout.png"), t("dropout_caption"))
        fig("cost.png", figures.cost(sweep, t, out / "cost.png"), t("cost_caption"))
        fig("who_pays.png", figures.who_pays(sweep, t, out / "who_pays.png"), t("whopays_caption"))
        fig("waiting.png", figures.waiting(sweep, t, out / "waiting.png"), t("waiting_caption"))
    if design == "ablation":
        metric = exp.get("headline", "tth_signal_mean")
        fig("ablation.png", figures.ablation(sweep, t, out / "ablation.png", metric), t("ablation_caption", metric=t(metric)))
    if design == "capacity":
        fig("capacity.png", figures.capacity(sweep, t, out / "capacity.png"), t("capacity_caption"))
    if design == "sensitivity":
        method = exp.get("method", "morris")
        content.append(("h2", t("sensitivity")))
        for metric, idx in analysis.sensitivity_indices(sweep).items():
            content += [("h3", t(metric)), ("table", idx.head(15).round(4))]
            if "missing_points" in idx:
                continue
            name = f"sensitivity_{metric}.png"
            fig(name, figures.sensitivity(idx, method, metric, t, out / name),
                t("sens_caption", method=method.capitalize(), k=len(cfg.get("factors", [])), points=sweep.plan["sample"].nunique(),
                  reps=reps))
    return content + [("h2", t("figures"))] + figs


def _md_table(df: pd.DataFrame) -> str:
    cols = [str(c) for c in df.columns]
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    lines += ["| " + " | ".join(str(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join(lines)


def render_markdown(content: list[Block]) -> str:
    """The report as Markdown."""
    out = []
    for kind, value in content:
        if kind in ("h1", "h2", "h3"):
            out.append("#" * int(kind[1]) + " " + value)
        elif kind == "p":
            out.append(value)
        elif kind == "table":
            out.append(_md_table(value))
        elif kind == "figure":
            name, caption = value
            out.append(f"![{name}]({name})\n\n*{caption}*")
    return "\n\n".join(out) + "\n"


def render_html(content: list[Block], title: str) -> str:
    """The report as one HTML page (figures linked beside it)."""
    body = []
    for kind, value in content:
        if kind in ("h1", "h2", "h3"):
            body.append(f"<{kind}>{html.escape(value)}</{kind}>")
        elif kind == "p":
            body.append(f"<p>{html.escape(value).replace('**', '')}</p>")
        elif kind == "table":
            body.append(value.to_html(index=False, border=0, classes="t"))
        elif kind == "figure":
            name, caption = value
            body.append(f'<figure><img src="{name}" alt="{name}" style="max-width:100%"><figcaption>{html.escape(caption)}'
                        f"</figcaption></figure>")
    style = "body{font-family:sans-serif;max-width:60rem;margin:auto}table.t td,table.t th{padding:2px 8px;text-align:left}"
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title><style>{style}</style>"
            f"</head><body>{''.join(body)}</body></html>\n")


def build_report(folder: str | Path, lang: str = "en", fmt: str = "md") -> Path:
    """Write the report of a sweep folder; return the path of the report file."""
    t = Texts(lang)
    if fmt not in ("md", "html"):
        raise InputError("format", fmt, "md or html")
    folder = Path(folder)
    if not (folder / "plan.parquet").is_file():
        raise InputError("folder", str(folder), "a sweep folder (made by python -m experiments run)")
    sweep = load_sweep(folder)
    target = folder / f"report-{lang}"
    name = f"report.{fmt}"

    def write(tmp: Path) -> None:
        content = blocks(sweep, t, tmp)
        text = render_markdown(content) if fmt == "md" else render_html(content, content[0][1])
        (tmp / name).write_text(text, encoding="utf-8")

    staging = folder / f".report-{lang}.new"
    shutil.rmtree(staging, ignore_errors=True)
    write_folder(staging, write)
    if target.exists():  # swap: the old report stays whole until the new one is complete
        old = folder / f".report-{lang}.old"
        shutil.rmtree(old, ignore_errors=True)
        target.rename(old)
        staging.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        staging.rename(target)
    return target / name
