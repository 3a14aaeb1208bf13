"""Live line charts drawn as inline SVG: no chart library and no browser asset to load.

A chart is a string of SVG built on the server each tick; a few hundred points
per line at most (longer series are thinned to every k-th day), so building
one costs well under a millisecond. The two worlds' charts of one kind share
their y-axis range, so the room compares heights directly.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")
MAX_POINTS = 120
W, H = 460, 190
LEFT, RIGHT, TOP, BOTTOM = 52, 150, 26, 24


def nice_max(value: float) -> float:
    """A round upper bound for an axis (1, 2 or 5 times a power of ten)."""
    if value <= 0:
        return 1.0
    scale = 10.0 ** math.floor(math.log10(value))
    for m in (1, 2, 5, 10):
        if m * scale >= value * (1 - 1e-12):
            return m * scale
    return 10 * scale


def series_max(lines: dict[str, Sequence[float | None]]) -> float:
    """Largest value over all lines (None ignored)."""
    vals = [v for ys in lines.values() for v in ys if v is not None]
    return max(vals) if vals else 0.0


def _fmt(v: float, percent: bool) -> str:
    if percent:
        return f"{v * 100:.0f}%"
    if v >= 1_000_000:
        return f"{v / 1_000_000:.1f}M"
    if v >= 10_000:
        return f"{v / 1000:.0f}k"
    return f"{v:g}"


def line_chart(title: str, days: Sequence[int], lines: dict[str, Sequence[float | None]], y_max: float,
               percent: bool = False, chart_id: str = "") -> str:
    """An SVG line chart of several series over days, legend on the right.

    Args:
        title: shown above the plot.
        days: x values.
        lines: label -> y values (None where undefined yet).
        y_max: top of the y-axis (shared with the other world's chart).
        percent: label the axis as percentages of 1.
        chart_id: ``data-chart`` attribute, for tests and styling.
    """
    top = nice_max(y_max)
    n = len(days)
    step = max(1, -(-n // MAX_POINTS))
    idx = list(range(0, n, step))
    if n and idx[-1] != n - 1:
        idx.append(n - 1)
    x0, x1 = days[0] if n else 0, max(days[-1] if n else 1, (days[0] if n else 0) + 7)
    pw, ph = W - LEFT - RIGHT, H - TOP - BOTTOM

    def sx(d: float) -> float:
        return LEFT + (d - x0) / (x1 - x0) * pw

    def sy(v: float) -> float:
        return TOP + ph - min(v, top) / top * ph

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="100%" data-chart="{escape(chart_id)}" '
             f'data-points="{n}" style="font-family:sans-serif;font-size:11px;background:#fff">',
             f'<text x="{LEFT}" y="15" font-size="13" font-weight="bold">{escape(title)}</text>',
             f'<line x1="{LEFT}" y1="{TOP + ph}" x2="{LEFT + pw}" y2="{TOP + ph}" stroke="#888"/>',
             f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + ph}" stroke="#888"/>']
    for frac in (0.0, 0.5, 1.0):
        y = TOP + ph - frac * ph
        parts.append(f'<text x="{LEFT - 4}" y="{y + 4:.1f}" text-anchor="end">{_fmt(top * frac, percent)}</text>')
        if frac:
            parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + pw}" y2="{y:.1f}" stroke="#eee"/>')
    parts.append(f'<text x="{LEFT}" y="{H - 6}">{x0}</text><text x="{LEFT + pw}" y="{H - 6}" text-anchor="end">{x1}</text>')
    for k, (name, ys) in enumerate(lines.items()):
        colour = PALETTE[k % len(PALETTE)]
        pts = [f"{sx(days[i]):.1f},{sy(ys[i]):.1f}" for i in idx if ys[i] is not None]
        if pts:
            # The plotted values themselves, not only their scaled positions: the y-axis is shared with the other
            # world, so positions move when only the other world changes (tests compare these values).
            values = " ".join(f"{ys[i]:.6g}" for i in idx if ys[i] is not None)
            parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" data-values="{values}" '
                         f'points="{" ".join(pts)}"/>')
        ly = TOP + 6 + k * 14
        last = next((ys[i] for i in reversed(range(n)) if ys[i] is not None), None)
        value = "" if last is None else f" {_fmt(last, percent) if percent or last >= 10 else f'{last:.1f}'}"
        parts.append(f'<rect x="{LEFT + pw + 8}" y="{ly - 8}" width="10" height="3" fill="{colour}"/>'
                     f'<text x="{LEFT + pw + 22}" y="{ly - 4}">{escape(name)}{escape(value)}</text>')
    parts.append("</svg>")
    return "".join(parts)
