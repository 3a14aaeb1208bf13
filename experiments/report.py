"""The report of a sweep: tables and figures in Markdown and one self-contained HTML page, in English or Dutch.

``python -m experiments report <sweep folder> [lang=nl] [format=html]`` writes
``<sweep folder>/report-<lang>/``: ``report.md`` with its PNG figures beside
it, and ``report.html``, one file with the figures embedded (to mail or
attach to a memo); ``format`` chooses which of the two is returned and
printed. Every name is in the report's language (metric catalogue, `sim.labels`
and the scenario file's own names) and numbers use its decimal sign. The folder
is written whole and then swapped in, so an interrupted report never leaves a
half-written one; it is readable by others (0755), like any output folder.
"""

from __future__ import annotations

import base64
import html
import json
import re
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments import analysis, figures, regimes
from experiments.runspec import RunSpec
from experiments.store import Sweep, load_sweep
from experiments.texts import Texts
from sim import InputError, load_scenario
from sim.atomic import write_folder
from sim.labels import fallback, scenario_label
from sim.metrics import CATALOGUE
from sim.numbers import shared_decimals
from sim.overrides import dotted

Block = tuple[str, Any]  # ("h2", text) | ("p", text) | ("table", DataFrame) | ("figure", (file name, caption))


def _interval(t: Texts, key: str, m: float, lo: float, hi: float) -> str:
    return t.interval(m, lo, hi, CATALOGUE[key].unit if key in CATALOGUE else "count")


def _spread(t: Texts, key: str, lo: float, hi: float) -> str:
    unit = CATALOGUE[key].unit if key in CATALOGUE else "count"
    d = shared_decimals([lo, hi], unit)  # both ends with the same decimals
    return t("spread_to", lo=t.value(lo, unit, d), hi=t.value(hi, unit, d))


def outcome_table(sweep: Sweep, t: Texts) -> pd.DataFrame:
    """Per arm and headline outcome: mean [95 % CI] and the spread, labelled."""
    s = analysis.arm_summary(sweep)
    return pd.DataFrame({t("metric"): [t.metric(m) for m in s.metric], t("unit"): [t.unit(m) for m in s.metric],
                         t("arm"): [t.arm(a) for a in s.arm],
                         t("mean_ci"): [_interval(t, k, m, lo, hi) for k, m, lo, hi in zip(s.metric, s["mean"], s.ci_lo, s.ci_hi, strict=True)],
                         t("spread"): [_spread(t, k, a, b) for k, a, b in zip(s.metric, s.p5, s.p95, strict=True)]})


def difference_table(sweep: Sweep, t: Texts) -> pd.DataFrame:
    """Per arm with a reference: the paired difference of each headline outcome with its CI, and its spread."""
    d = analysis.differences(sweep)
    if not len(d):
        return d
    return pd.DataFrame({t("metric"): [t.metric(m) for m in d.metric], t("unit"): [t.unit(m) for m in d.metric],
                         t("arm"): [t.arm(a) for a in d.arm], t("reference"): [t.arm(r) for r in d.reference],
                         t("difference_ci"): [_interval(t, k, m, lo, hi) for k, m, lo, hi in zip(d.metric, d.difference, d.ci_lo, d.ci_hi, strict=True)],
                         t("spread"): [_spread(t, k, a, b) for k, a, b in zip(d.metric, d.p5, d.p95, strict=True)]})


def sensitivity_table(idx: pd.DataFrame, t: Texts, top: int) -> pd.DataFrame:
    """The ``top`` rows of a sensitivity table: factors by name, numbers per language."""
    out = idx.head(top).copy()
    out["factor"] = [t.factor(f) for f in out.factor]
    for col in out.columns[1:]:
        out[col] = [t.number(v, 0 if col == "missing_points" else 4) for v in out[col]]
    return out


def scenario_title(name: str, t: Texts) -> str:
    """The scenario's title from its file in the report's language (its name as words if the file is gone)."""
    try:
        return scenario_label(load_scenario(name), "scenario", name, t.lang)
    except InputError:
        return fallback(name)


def _planned_families(sweep: Sweep) -> int | None:
    """The population the sweep's runs are configured with, when no run is stored yet (a sweep interrupted early)."""
    try:
        return RunSpec.from_dict(json.loads(sweep.plan.spec.iloc[0])).run_config().families
    except InputError:  # the scenario file changed or is gone since: the configured size, if any
        return sweep.config.get("n_families")


def blocks(sweep: Sweep, t: Texts, out: Path) -> list[Block]:
    """Draw every figure that fits the design into ``out`` and return the report's content."""
    cfg = sweep.config
    exp = cfg["experiment"]
    arms = analysis.arm_order(sweep)
    ok = int((sweep.status.drop_duplicates("key").state == "succeeded").sum())
    families = int(sweep.summary.families.iloc[0]) if len(sweep.summary) else _planned_families(sweep)
    reps = int(sweep.plan.replication.max())
    shown = [t.arm(a) for a in arms] if len(arms) <= 6 else [t.arm(a) for a in arms[:6]] + [f"... ({len(arms)})"]
    name = cfg["scenario"]["name"]
    title = scenario_title(name, t)
    base = t("caption_base", scenario=title, arms=", ".join(shown), reps=reps, families=families,
             horizon=cfg["horizon_days"], warm=cfg["warm_up_days"])
    content: list[Block] = [("h1", f"{t('title')}: {t.experiment(exp['name'])}"), ("h2", t("setup")),
                            ("p", t("setup_text", scenario=title, name=name, families=families, horizon=cfg["horizon_days"], warm=cfg["warm_up_days"],
                                    arms=", ".join(shown), reps=reps, ok=ok, runs=sweep.plan.key.nunique())),
                            ("p", t("reading")), ("p", t("layers"))]
    changes = dotted(cfg["scenario"].get("overrides") or {})
    if changes:  # a pathway, an option or a value that differs from the file: the set-up above does not show it
        content.insert(3, ("p", t("changes_text", changes="; ".join(f"`{k}` = {v}" for k, v in changes.items()))))
    failed = sweep.status.drop_duplicates("key")
    failed = failed[failed.state != "succeeded"]
    if len(failed):  # by state: after an interrupted sweep most are not failures but runs still to do
        counts = failed.state.value_counts()
        states = ", ".join(t(f"state_{state}", n=int(counts[state])) for state in ("failed", "interrupted", "running", "pending")
                           if state in counts)
        content += [("h2", t("failed")), ("p", t("failed_text", n=len(failed), states=states, folder=sweep.folder))]
    if not len(sweep.summary):
        return content
    design = exp.get("design")
    figs: list[Block] = []

    def fig(drawn: figures.Drawn, caption: str) -> None:
        for path, note in drawn:
            figs.append(("figure", (path.name, " ".join(x for x in (caption, note, base) if x))))

    if design not in ("sensitivity", "regimes"):  # one arm per sample point: no table of arms
        content += [("h2", t("outcomes")), ("table", outcome_table(sweep, t))]
        diff = difference_table(sweep, t)
        if len(diff):
            content += [("h2", t("differences")), ("table", diff)]
        if len(sweep.episodes):
            fig(figures.time_to_help(sweep, t, out / "time_to_help.png"), t("tth_caption"))
        fig(figures.dropout(sweep, t, out / "dropout.png"), t("dropout_caption"))
        fig(figures.cost(sweep, t, out / "cost.png"), t("cost_caption"))
        fig(figures.who_pays(sweep, t, out / "who_pays.png"), t("whopays_caption"))
        fig(figures.waiting(sweep, t, out / "waiting.png"), t("waiting_caption"))
    if design == "ablation":
        metric = exp.get("headline", "tth_signal_mean")
        fig(figures.ablation(sweep, t, out / "ablation.png", metric), t("ablation_caption", metric=t.metric(metric)))
    if design == "capacity":
        fig(figures.capacity(sweep, t, out / "capacity.png"), t("capacity_caption"))
    if design == "sensitivity":
        method = exp.get("method", "morris")
        top = 15
        content.append(("h2", t("sensitivity")))
        for metric, idx in analysis.sensitivity_indices(sweep).items():
            content += [("h3", t.metric(metric)), ("table", sensitivity_table(idx, t, top))]
            if "missing_points" in idx:
                continue
            k = len(idx)
            bars = t("sens_all", k=k) if k <= top else t("sens_top", n=top, k=k)
            file = f"sensitivity_{metric}.png"
            fig(figures.sensitivity(idx, method, metric, t, out / file, top),
                t("sens_caption", method=method.capitalize(), k=k, points=sweep.plan["sample"].nunique(), reps=reps, shown=bars))
    if design == "regimes":
        content += regimes_blocks(sweep, t, out, fig)
    return content + [("h2", t("figures"))] + figs


def _share(t: Texts, x: float) -> str:
    return f"{t.number(100 * x, 0)} %"


def _parameter_value(t: Texts, x: float) -> str:
    """A parameter limit with three significant digits, at least none after the decimal sign."""
    digits = 0 if x == 0 else max(0, 2 - int(np.floor(np.log10(abs(x)))))
    return t.number(x, digits)


def _p_value(t: Texts, p: float) -> str:
    return "< " + t.number(0.001, 3) if p < 0.001 else t.number(p, 3)


def regimes_blocks(sweep: Sweep, t: Texts, out: Path, fig: Any) -> list[Block]:
    """Where the challenger loses: the case counts, PRIM's box per case definition with its limits, and its figures."""
    exp = sweep.config["experiment"]
    keys = regimes.outcomes(exp)
    settings = regimes.prim_settings(exp)
    table = regimes.points(sweep)
    found = regimes.discover(sweep, table)
    bounds = {f["name"]: (f["lo"], f["hi"]) for f in sweep.config.get("factors", [])}
    base, chal = t.name("preset", exp.get("baseline", "fragmented")), t.name("preset", exp.get("challenger", "networked"))

    def case_name(case: str) -> str:
        return t("case_any") if case == regimes.ANY else t("case_outcome", metric=t.metric(case))

    content: list[Block] = [
        ("h2", t("regimes", challenger=chal, baseline=base)),
        ("p", t("regimes_text", points=int(sweep.plan["sample"].nunique()), k=len(bounds), baseline=base, challenger=chal,
                reps=int(sweep.plan.replication.max()), outcomes="; ".join(t.metric(k) for k in keys),
                alpha=_share(t, settings["alpha"]), min_coverage=_share(t, settings["min_coverage"]),
                simplify=t.number(100 * settings["simplify"], 0), analysed=len(table))),
        ("p", t("regimes_overfit")), ("p", t("quasi_p_text"))]
    rows = []
    for case, f in found.items():
        row = {t("case_label"): case_name(case), t("cases"): f"{f.cases} / {f.points}"}
        if f.box is None:
            row.update({t("coverage"): "", t("density"): "", t("mass"): "", t("bounded_by"): t("no_points" if not f.points else "nowhere" if not f.cases else "everywhere")})
        else:
            row.update({t("coverage"): _share(t, f.box.coverage), t("density"): _share(t, f.box.density),
                        t("mass"): _share(t, f.box.mass),
                        t("bounded_by"): ", ".join(f"`{t.factor(n)}`" for n in f.box.restricted) or t("no_box")})
        rows.append(row)
    content.append(("table", pd.DataFrame(rows)))
    for case, f in found.items():
        if f.box is None or not f.box.restricted:
            continue
        limits = f.box.limits()
        quasi_p = f.prim.significance(f.box)
        content += [("h3", t("box_title", case=case_name(case))),
                    ("p", t("box_text", n=f.box.n, coverage=_share(t, f.box.coverage), density=_share(t, f.box.density),
                            base=_share(t, f.cases / f.points), mass=_share(t, f.box.mass))),
                    ("table", _limits_table(t, limits, bounds, {t("quasi_p"): quasi_p}))]
    for case, f in found.items():
        if f.screened is not None:
            content += _screen_blocks(t, case_name(case), f, bounds)
    fig(figures.prim_trajectory(found, t, out / "prim_trajectory.png", case_name), t("trajectory_caption"))
    for case, f in found.items():
        if f.box is None or not f.box.restricted:
            continue
        outcome = case if case != regimes.ANY else keys[0]
        fig(figures.prim_box(table, f, f"loses:{case}", outcome, bounds, t, out / f"prim_box_{case}.png",
                             t("box_fig_title", challenger=chal, case=case_name(case))), t("box_caption"))
    return content


def _screen_blocks(t: Texts, case: str, f: regimes.Found, bounds: dict[str, tuple[float, float]]) -> list[Block]:
    """Which parameters separate the cases on their own, and PRIM's box over those alone (or that none does)."""
    assert f.screened is not None
    top = f.screened.iloc[0]
    blocks: list[Block] = [("h3", t("screen_title", case=case))]
    if f.focused is None or f.focused_prim is None:
        return blocks + [("p", t("screen_none", k=len(f.screened), level=t.number(regimes.SCREEN_LEVEL, 2),
                                 parameter=f"`{t.factor(str(top.parameter))}`", p=_p_value(t, float(top.p)),
                                 p_holm=_p_value(t, float(top.p_holm))))]
    strong = f.screened[f.screened.p_holm < regimes.SCREEN_LEVEL]
    box = f.focused
    blocks.append(("p", t("screen_found", k=len(f.screened), level=t.number(regimes.SCREEN_LEVEL, 2),
                          parameters=", ".join(f"`{t.factor(str(n))}`" for n in strong.parameter), n=box.n,
                          coverage=_share(t, box.coverage), density=_share(t, box.density),
                          base=_share(t, f.cases / f.points), mass=_share(t, box.mass))))
    if not box.restricted:
        return blocks
    limits = box.limits()
    quasi_p = f.focused_prim.significance(box)
    p_holm = dict(zip(f.screened.parameter, f.screened.p_holm, strict=True))
    blocks.append(("table", _limits_table(t, limits, bounds, {t("p_holm"): p_holm, t("quasi_p"): quasi_p})))
    return blocks


def _limits_table(t: Texts, limits: pd.DataFrame, bounds: dict[str, tuple[float, float]],
                  p_values: dict[str, Any]) -> pd.DataFrame:
    """A box's limits per parameter with its declared range, and one column per named set of p-values."""
    names = list(limits.parameter)
    return pd.DataFrame({
        t("parameter"): [f"`{t.factor(n)}`" for n in names],
        t("lower"): [_parameter_value(t, v) for v in limits.lo],
        t("upper"): [_parameter_value(t, v) for v in limits.hi],
        t("declared_range"): [f"{_parameter_value(t, bounds[n][0])} - {_parameter_value(t, bounds[n][1])}" for n in names],
        **{column: [_p_value(t, float(p[n])) for n in names] for column, p in p_values.items()}})


def _md_table(df: pd.DataFrame) -> str:
    cols = [str(c) for c in df.columns]
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    lines += ["| " + " | ".join(str(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join(lines)


def render_markdown(content: list[Block]) -> str:
    """The report as Markdown (figures linked beside it)."""
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


_INLINE = ((re.compile(r"\*\*(.+?)\*\*"), r"<strong>\1</strong>"), (re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])"), r"<em>\1</em>"),
           (re.compile(r"`(.+?)`"), r"<code>\1</code>"))


def inline_html(text: str) -> str:
    """Escape ``text`` and turn its Markdown emphasis (``**strong**``, ``*em*``, backticks) into tags.

    Example:
        >>> inline_html("*mean [95 % CI]* of **all** runs, `python -m x`")
        '<em>mean [95 % CI]</em> of <strong>all</strong> runs, <code>python -m x</code>'
    """
    out = html.escape(text, quote=False)
    for pattern, repl in _INLINE:
        out = pattern.sub(repl, out)
    return out


def render_html(content: list[Block], title: str, folder: Path) -> str:
    """The report as one self-contained HTML page: the figures of ``folder`` embedded as base64 PNG."""
    body = []
    for kind, value in content:
        if kind in ("h1", "h2", "h3"):
            body.append(f"<{kind}>{inline_html(value)}</{kind}>")
        elif kind == "p":
            body.append(f"<p>{inline_html(value)}</p>")
        elif kind == "table":
            body.append(value.to_html(index=False, border=0, classes="t"))
        elif kind == "figure":
            name, caption = value
            data = base64.b64encode((folder / name).read_bytes()).decode("ascii")
            body.append(f'<figure><img src="data:image/png;base64,{data}" alt="{html.escape(name)}" style="max-width:100%">'
                        f"<figcaption>{inline_html(caption)}</figcaption></figure>")
    style = ("body{font-family:sans-serif;max-width:60rem;margin:auto}table.t td,table.t th{padding:2px 8px;text-align:left}"
             "figure{margin:1.5rem 0}figcaption{font-size:0.9em;color:#333}")
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title><style>{style}</style>"
            f"</head><body>{''.join(body)}</body></html>\n")


def build_report(folder: str | Path, lang: str = "en", fmt: str = "md") -> Path:
    """Write the report of a sweep folder (Markdown with PNGs, and self-contained HTML); return the ``fmt`` file."""
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
        tmp.chmod(0o755)  # mkdtemp makes it private (0700); a report is for others to read
        content = blocks(sweep, t, tmp)
        (tmp / "report.md").write_text(render_markdown(content), encoding="utf-8")
        (tmp / "report.html").write_text(render_html(content, content[0][1], tmp), encoding="utf-8")

    staging = folder / f".report-{lang}.new"
    # what an earlier build killed before it could clean up (SIGTERM, SIGKILL) left: its staging folder, its
    # temporary folder inside `write_folder` (``..report-<lang>.new.<random>``, figures drawn so far) or the old report
    for stale in [staging, folder / f".report-{lang}.old", *folder.glob(f"..report-{lang}.new.*")]:
        shutil.rmtree(stale, ignore_errors=True)
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
