"""The network picture of one world as inline SVG: organisations, the families they see, handoffs and coordination.

Organisations sit on a circle, sized by their staff. Each family known to a
service is a dot beside the organisation where its furthest-along need is
(at intake, waiting for a decision, on a waiting list, in help), coloured by
that state; a family whose need is being handed over sits between the two
organisations. Edges: a grey line between two organisations for handoffs in
progress (thicker with more), a dashed blue line from a family to the
organisation of its coordinator, a ring around a family at the case table.
Families whose needs are not yet known to anyone are not drawn.
"""

from __future__ import annotations

import math
from collections import defaultdict
from html import escape

from sim.episode import DECISION, HANDOFF, IN_HELP, INTAKE, INTAKE_QUEUE, WAITING
from viewer.i18n import code, label
from viewer.world import World

W, H = 460, 380
CX, CY, R = 230, 195, 130
MAX_DOTS = 700
# Furthest-along state first: a family is drawn where its most advanced need is.
STATE_RANK = {IN_HELP: 5, WAITING: 4, DECISION: 3, INTAKE: 2, INTAKE_QUEUE: 1, HANDOFF: 0}
STATE_COLOUR = {IN_HELP: "#2ca02c", WAITING: "#ff7f0e", DECISION: "#9467bd", INTAKE: "#e6b800", INTAKE_QUEUE: "#e6b800",
                HANDOFF: "#7f7f7f"}
LEGEND = (("legend_intake", INTAKE), ("legend_decision", DECISION), ("legend_waiting", WAITING), ("legend_help", IN_HELP),
          ("legend_handoff", HANDOFF))
GOLDEN = math.pi * (3.0 - math.sqrt(5.0))


def _org_positions(n: int) -> list[tuple[float, float]]:
    return [(CX + R * math.cos(2 * math.pi * k / n - math.pi / 2), CY + R * math.sin(2 * math.pi * k / n - math.pi / 2))
            for k in range(n)]


def network_svg(world: World, lang: str, selected: int | None = None, picture_id: str = "") -> str:
    """The picture of ``world`` now, labels in ``lang``; ``selected`` family drawn larger and outlined."""
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

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="100%" data-picture="{escape(picture_id)}" '
             f'data-families="{len(families)}" style="font-family:sans-serif;font-size:11px;background:#fff">',
             f'<text x="8" y="16" font-size="13" font-weight="bold">{escape(label("picture", lang))}</text>']
    top = max(handoffs.values(), default=1)
    for (a, b), count in handoffs.items():
        (x1, y1), (x2, y2) = pos[a], pos[b]
        parts.append(f'<line x1="{x1:.0f}" y1="{y1:.0f}" x2="{x2:.0f}" y2="{y2:.0f}" stroke="#999" stroke-opacity="0.7" '
                     f'stroke-width="{1.5 + 6.0 * count / top:.1f}" data-edge="handoff"><title>{count}</title></line>')
    per_org: dict[int, int] = defaultdict(int)
    dots = []
    for fid in sorted(families)[:MAX_DOTS]:
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
        if fam.coordinator is not None:
            cx, cy = pos[fam.coordinator.organisation.index]
            parts.append(f'<line x1="{x:.1f}" y1="{y:.1f}" x2="{cx:.0f}" y2="{cy:.0f}" stroke="#1f77b4" stroke-opacity="0.35" '
                         f'stroke-dasharray="2,2" data-edge="coordination"/>')
        big = fid == selected
        ring = ' stroke="#000" stroke-width="1.2"' if fid in at_table else ""
        if big:
            ring = ' stroke="#d62728" stroke-width="2.5"'
        dots.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{6 if big else 3}" fill="{STATE_COLOUR[ep.state]}"{ring} '
                    f'data-family="{fid}"><title>{escape(label("family_n", lang, fid=fid))}</title></circle>')
    parts.extend(dots)
    for org, (x, y) in zip(orgs, pos, strict=True):
        size = 9 + 2.0 * math.sqrt(len(org.professionals))
        waiting = org.intake_list.length + org.waiting()
        parts.append(f'<circle cx="{x:.0f}" cy="{y:.0f}" r="{size:.0f}" fill="#dbe9f6" stroke="#1f4e79" data-org="{escape(org.name)}"/>'
                     f'<text x="{x:.0f}" y="{y + 4:.0f}" text-anchor="middle" font-weight="bold">{waiting}</text>'
                     f'<text x="{x:.0f}" y="{y - size - 3:.0f}" text-anchor="middle">{escape(code(org.name, lang))}</text>')
    for k, (key, state) in enumerate(LEGEND):
        y = H - 12 - 13 * (len(LEGEND) - k)
        parts.append(f'<circle cx="12" cy="{y - 4}" r="4" fill="{STATE_COLOUR[state]}"/>'
                     f'<text x="20" y="{y}">{escape(label(key, lang))}</text>')
    parts.append(f'<line x1="6" y1="{H - 12}" x2="18" y2="{H - 12}" stroke="#1f77b4" stroke-dasharray="2,2"/>'
                 f'<text x="20" y="{H - 8}">{escape(label("legend_coordination", lang))}</text>')
    if len(families) > MAX_DOTS:
        parts.append(f'<text x="{W - 8}" y="{H - 8}" text-anchor="end">+{len(families) - MAX_DOTS}</text>')
    parts.append("</svg>")
    return "".join(parts)
