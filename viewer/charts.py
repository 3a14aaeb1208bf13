"""Live line charts drawn as inline SVG: one measure per chart, both worlds as two lines on one axis.

A chart is a string of SVG built on the server each tick; a few hundred points
per line at most (longer series are thinned to every k-th day), so building
one costs well under a millisecond. Sizes are for a projector: the viewBox is
about as wide as the chart is drawn on a 1920-pixel screen, so its 18-20 unit
text shows at about 18-20 pixels there. Each chart has a title naming the
measure, a y-axis title with the unit, an x-axis title, and a legend line with
each world's latest value in the world's own colour.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from html import escape

MAX_POINTS = 120
W, H = 470, 370
LEFT, RIGHT, TOP, BOTTOM = 84, 18, 92, 60
FONT, TITLE_FONT = 18, 20


def nice_max(value: float) -> float:
    """A round upper bound for an axis (1, 2 or 5 times a power of ten)."""
    if value <= 0:
        return 1.0
    scale = 10.0 ** math.floor(math.log10(value))
    for m in (1, 2, 5, 10):
        if m * scale >= value * (1 - 1e-12):
            return m * scale
    return 10 * scale


def series_max(lines: Sequence[Sequence[float | None]]) -> float:
    """Largest value over all lines (None ignored)."""
    vals = [v for ys in lines for v in ys if v is not None]
    return max(vals) if vals else 0.0


def pair_chart(title: str, y_title: str, x_title: str, days: Sequence[int], lines: Sequence[Sequence[float | None]],
               names: Sequence[str], colours: Sequence[str], tick: Callable[[float], str], value: Callable[[float | None], str],
               chart_id: str = "") -> str:
    """An SVG line chart of one measure in both worlds over days.

    Args:
        title: what is measured (shown above the plot).
        y_title: the y-axis title with its unit.
        x_title: the x-axis title.
        days: x values (shared by both lines).
        lines: one series per world (None where undefined yet).
        names: the worlds' names for the legend.
        colours: the worlds' colours.
        tick: formats an axis tick.
        value: formats a world's latest value in the legend.
        chart_id: ``data-chart`` attribute, for tests and styling.
    """
    top = nice_max(series_max(lines))
    n = len(days)
    step = max(1, -(-n // MAX_POINTS))
    idx = list(range(0, n, step))
    if n and idx[-1] != n - 1:
        idx.append(n - 1)
    x0 = days[0] if n else 0
    x1 = max(days[-1] if n else 1, x0 + 7)
    pw, ph = W - LEFT - RIGHT, H - TOP - BOTTOM

    def sx(d: float) -> float:
        return LEFT + (d - x0) / (x1 - x0) * pw

    def sy(v: float) -> float:
        return TOP + ph - min(v, top) / top * ph

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" data-chart="{escape(chart_id)}" '
             f'data-points="{n}" style="font-family:sans-serif;font-size:{FONT}px">',
             f'<text x="6" y="24" font-size="{TITLE_FONT}" font-weight="bold">{escape(title)}</text>',
             f'<line x1="{LEFT}" y1="{TOP + ph}" x2="{LEFT + pw}" y2="{TOP + ph}" stroke="#777"/>',
             f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + ph}" stroke="#777"/>',
             f'<text transform="translate(20,{TOP + ph / 2:.0f}) rotate(-90)" text-anchor="middle" data-axis="y">'
             f'{escape(y_title)}</text>',
             f'<text x="{LEFT + pw / 2:.0f}" y="{H - 8}" text-anchor="middle" data-axis="x">{escape(x_title)}</text>']
    for frac in (0.0, 0.5, 1.0):
        y = TOP + ph - frac * ph
        parts.append(f'<text x="{LEFT - 6}" y="{y + 6:.1f}" text-anchor="end">{escape(tick(top * frac))}</text>')
        if frac:
            parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + pw}" y2="{y:.1f}" stroke="#e4e4e4"/>')
    mid = (x0 + x1) // 2
    parts.append(f'<text x="{LEFT}" y="{TOP + ph + 24}" text-anchor="start">{escape(tick(x0))}</text>'
                 f'<text x="{sx(mid):.0f}" y="{TOP + ph + 24}" text-anchor="middle">{escape(tick(mid))}</text>'
                 f'<text x="{LEFT + pw}" y="{TOP + ph + 24}" text-anchor="end">{escape(tick(x1))}</text>')
    for side, (ys, name, colour) in enumerate(zip(lines, names, colours, strict=True)):
        pts = [f"{sx(days[i]):.1f},{sy(ys[i]):.1f}" for i in idx if ys[i] is not None]
        if pts:
            # The plotted values themselves, not only their positions: tests compare them across redraws.
            values = " ".join(f"{ys[i]:.6g}" for i in idx if ys[i] is not None)
            parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="3.5" stroke-linejoin="round" '
                         f'data-world="{side}" data-values="{values}" points="{" ".join(pts)}"/>')
        last = next((ys[i] for i in reversed(range(n)) if ys[i] is not None), None)
        text = f"{name}: {value(last)}"
        y = 48 + 23 * side  # one legend row per world, above the plot (never over the lines)
        parts.append(f'<rect x="{LEFT}" y="{y - 9}" width="22" height="6" fill="{colour}"/>'
                     f'<text x="{LEFT + 28}" y="{y}" fill="{colour}" font-weight="bold">{escape(text)}</text>')
    parts.append("</svg>")
    return "".join(parts)
