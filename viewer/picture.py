"""The network picture of one world as inline SVG: organisations, the families they see, handoffs and coordination.

Organisations sit on a circle, sized by their staff. Each family known to a
service is a dot beside the organisation where its furthest-along need is
(at intake, waiting for a decision, on a waiting list, in help), coloured by
that state; a family whose need is being handed over sits between the two
organisations. Edges: a grey line between two organisations for handoffs in
progress (thicker with more), a dashed blue line from a family to the
organisation of its coordinator, a ring around a family at the case table.
Families whose needs are not yet known to anyone are not drawn. When more
families are known than `MAX_DOTS`, a fair sample is drawn: the families
whose hashed number is smallest, so every family has the same chance whatever
its number, and a family stays in the sample from tick to tick; the caption
says how many of how many are shown. Organisation names sit above their dots
with a white halo; the legend is HTML beside the drawing (`legend_html`);
coordinator lines can be hidden.
"""

from __future__ import annotations

import math
from collections import defaultdict
from html import escape

from sim.episode import DECISION, HANDOFF, IN_HELP, INTAKE, INTAKE_QUEUE, WAITING
from viewer.i18n import label
from viewer.words import fmt_number, org_name
from viewer.world import World

W, H = 480, 440
CX, CY, R = 240, 228, 160
MAX_DOTS = 400
FONT = 19
# Furthest-along state first: a family is drawn where its most advanced need is.
STATE_RANK = {IN_HELP: 5, WAITING: 4, DECISION: 3, INTAKE: 2, INTAKE_QUEUE: 1, HANDOFF: 0}
STATE_COLOUR = {IN_HELP: "#2ca02c", WAITING: "#ff7f0e", DECISION: "#9467bd", INTAKE: "#e6b800", INTAKE_QUEUE: "#e6b800",
                HANDOFF: "#7f7f7f"}
LEGEND = (("legend_intake", INTAKE), ("legend_decision", DECISION), ("legend_waiting", WAITING), ("legend_help", IN_HELP),
          ("legend_handoff", HANDOFF))
GOLDEN = math.pi * (3.0 - math.sqrt(5.0))
COORDINATION = "#444444"


def _sample_key(fid: int) -> int:
    """A fixed pseudo-random rank of a family (Knuth's multiplicative hash): the fair sample takes the smallest."""
    return (fid * 2654435761) % 2**32


def _wrap(name: str, width: int = 18) -> list[str]:
    """A long name on two lines, split at the space nearest its middle (short names stay on one line)."""
    if len(name) <= width or " " not in name:
        return [name]
    mid = len(name) / 2
    cut = min((i for i, c in enumerate(name) if c == " "), key=lambda i: abs(i - mid))
    return [name[:cut], name[cut + 1:]]


def legend_html(lang: str, coordinators: bool = True) -> str:
    """The picture's legend as HTML, shown beside the drawings (never over the dots)."""
    items = [f'<span class="lg"><svg width="16" height="16"><circle cx="8" cy="8" r="6" fill="{STATE_COLOUR[state]}"/></svg>'
             f'{escape(label(key, lang))}</span>' for key, state in LEGEND]
    if coordinators:
        items.append(f'<span class="lg"><svg width="26" height="16"><line x1="1" y1="8" x2="25" y2="8" stroke="{COORDINATION}" '
                     f'stroke-width="2" stroke-dasharray="4,3"/></svg>{escape(label("legend_coordination", lang))}</span>')
    items.append(f'<span class="lg"><svg width="26" height="16"><line x1="1" y1="8" x2="25" y2="8" stroke="#999" stroke-width="5"/>'
                 f'</svg>{escape(label("legend_handoffs_edge", lang))}</span>')
    items.append(f'<span class="lg"><svg width="22" height="22"><circle cx="11" cy="11" r="9" fill="#dbe9f6" stroke="#1f4e79"/></svg>'
                 f'{escape(label("legend_org", lang))}</span>')
    return f'<div class="ontschot-legend" data-legend="picture">{"".join(items)}</div>'


def _org_positions(n: int) -> list[tuple[float, float]]:
    return [(CX + R * math.cos(2 * math.pi * k / n - math.pi / 2), CY + R * math.sin(2 * math.pi * k / n - math.pi / 2))
            for k in range(n)]


def network_svg(world: World, lang: str, selected: int | None = None, picture_id: str = "", coordinators: bool = True) -> str:
    """The picture of ``world`` now, labels in ``lang`` (see `network_picture`)."""
    return network_picture(world, lang, selected, picture_id, coordinators)[0]


def network_picture(world: World, lang: str, selected: int | None = None, picture_id: str = "",
                    coordinators: bool = True) -> tuple[str, int, int]:
    """The picture of ``world`` now and how many families are known to a service and drawn.

    ``selected`` is the family drawn larger and outlined; ``coordinators`` False leaves out the lines from
    families to their coordinator's organisation.
    """
    m = world.model
    orgs = m.organisations
    pos = _org_positions(len(orgs))
    families: dict[int, tuple[int, object]] = {}
    handoffs: dict[tuple[int, int], int] = defaultdict(int)
    for ep in world.open_episodes.values():
        rank = STATE_RANK.get(ep.state)
        if rank is None or ep.org is None:
            continue
        if ep.state == HANDOFF and ep.prev_org is not None and ep.prev_org is not ep.org:
            a, b = sorted((ep.prev_org.index, ep.org.index))
            handoffs[(a, b)] += 1
        best = families.get(ep.family.fid)
        if best is None or rank > best[0]:
            families[ep.family.fid] = (rank, ep)
    at_table = m.levers.case_table.at_table if m.levers.case_table.active else {}

    shown = sorted(families, key=_sample_key)[:MAX_DOTS] if len(families) > MAX_DOTS else sorted(families)
    if selected in families and selected not in shown:
        shown.append(selected)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" data-picture="{escape(picture_id)}" '
             f'data-families="{len(families)}" data-dots="{len(shown)}" style="font-family:sans-serif;font-size:{FONT}px">']
    top = max(handoffs.values(), default=1)
    for (a, b), count in handoffs.items():
        (x1, y1), (x2, y2) = pos[a], pos[b]
        parts.append(f'<line x1="{x1:.0f}" y1="{y1:.0f}" x2="{x2:.0f}" y2="{y2:.0f}" stroke="#999" stroke-opacity="0.7" '
                     f'stroke-width="{1.5 + 6.0 * count / top:.1f}" data-edge="handoff"><title>{count}</title></line>')
    per_org: dict[int, int] = defaultdict(int)
    dots = []
    for fid in sorted(shown):
        ep = families[fid][1]
        if ep.state == HANDOFF and ep.prev_org is not None:
            (xa, ya), (xb, yb) = pos[ep.prev_org.index], pos[ep.org.index]
            x, y = (xa + xb) / 2, (ya + yb) / 2
            k = per_org[-1 - ep.org.index]
            per_org[-1 - ep.org.index] += 1
        else:
            x, y = pos[ep.org.index]
            k = per_org[ep.org.index]
            per_org[ep.org.index] += 1
        # Dots spiral out from the organisation (sunflower layout), so a long list shows as a big cloud.
        r = 16 + 4.2 * math.sqrt(k)
        x += r * math.cos(k * GOLDEN)
        y += r * math.sin(k * GOLDEN)
        fam = ep.family
        if coordinators and fam.coordinator is not None:
            cx, cy = pos[fam.coordinator.organisation.index]
            parts.append(f'<line x1="{x:.1f}" y1="{y:.1f}" x2="{cx:.0f}" y2="{cy:.0f}" stroke="{COORDINATION}" stroke-opacity="0.35" '
                         f'stroke-dasharray="3,3" data-edge="coordination"/>')
        big = fid == selected
        ring = ' stroke="#000" stroke-width="1.2"' if fid in at_table else ""
        if big:
            ring = ' stroke="#d62728" stroke-width="2.5"'
        dots.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{7 if big else 3.5}" fill="{STATE_COLOUR[ep.state]}"{ring} '
                    f'data-family="{fid}"><title>{escape(label("family_n", lang, fid=fid))}</title></circle>')
    parts.extend(dots)
    names = []
    for org, (x, y) in zip(orgs, pos, strict=True):
        size = 10 + 2.0 * math.sqrt(len(org.professionals))
        waiting = org.intake_list.length + org.waiting()
        parts.append(f'<circle cx="{x:.0f}" cy="{y:.0f}" r="{size:.0f}" fill="#dbe9f6" stroke="#1f4e79" data-org="{escape(org.name)}"/>'
                     f'<text x="{x:.0f}" y="{y + 6:.0f}" text-anchor="middle" font-weight="bold">{fmt_number(waiting, lang)}</text>')
        # Names last, above everything, with a white halo: dots never cover them.
        lines = _wrap(org_name(m.spec, org.name, lang))
        half = 0.29 * FONT * max(len(t) for t in lines)  # about half the drawn width: the name stays inside the picture
        nx = min(max(x, half + 2), W - half - 2)
        above = y <= CY + R * 0.5
        ny = y - size - 6 - (len(lines) - 1) * FONT if above else y + size + FONT
        spans = "".join(f'<tspan x="{nx:.0f}" dy="{0 if k == 0 else FONT}">{escape(t)}</tspan>' for k, t in enumerate(lines))
        names.append(f'<text x="{nx:.0f}" y="{ny:.0f}" text-anchor="middle" paint-order="stroke" stroke="#fff" stroke-width="5" '
                     f'stroke-linejoin="round" data-org-name="{escape(org.name)}">{spans}</text>')
    parts.extend(names)
    parts.append("</svg>")
    return "".join(parts), len(families), len(shown)


def sample_note(families: int, dots: int, lang: str) -> str:
    """What the picture shows: every family known to a service, or a fair sample of them."""
    if dots >= families:
        return label("picture_all", lang, n=fmt_number(families, lang))
    return label("picture_sample", lang, k=fmt_number(dots, lang), n=fmt_number(families, lang))
