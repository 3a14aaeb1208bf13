"""A family's journey in one world: its needs, the doors it knocked on, waits, help and how each need ended.

Read from what the model records anyway: the episodes (onset, signal, start
of help, end, outcome and reason, handoffs, intakes), every stay on an intake
or help waiting list (``model.queue_log``, indexed by the world), and the
family's current state. Shown as a timeline (one lane per domain, an axis in
days since the family's first need began, a colour legend in `legend_html`)
and as a list of dated events. Event days count from day 0, the day the levers
switched on (negative: during warm-up).
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from sim.episode import INTAKE_QUEUE, WAITING, NeedEpisode
from viewer.i18n import label
from viewer.words import domain_name, fmt_number, org_name
from viewer.world import World

W = 470
LANE = 42  # a lane: the domain's name on its own line, its bars below (long names never cover the bars)
LEFT = 8
FONT = 17
COLOURS = {"latent": "#bbbbbb", "waiting": "#ff7f0e", "help": "#2ca02c", "resolved": "#2ca02c", "dropped_out": "#d62728",
           "crisis": "#000000"}


def legend_html(lang: str) -> str:
    """What the journey's colours mean, as HTML beside the timelines."""
    bars = [(COLOURS["latent"], 3, "journey_latent"), (COLOURS["waiting"], 12, "journey_waiting"), (COLOURS["help"], 12, "journey_help")]
    items = [f'<span class="lg"><svg width="24" height="14"><rect x="0" y="{7 - h / 2:.0f}" width="24" height="{h}" fill="{c}"/></svg>'
             f'{escape(label(key, lang))}</span>' for c, h, key in bars]
    items += [f'<span class="lg"><svg width="14" height="14"><circle cx="7" cy="7" r="6" fill="{COLOURS[o]}"/></svg>'
              f'{escape(label(f"out_{o}", lang))}</span>' for o in ("resolved", "dropped_out", "crisis")]
    return f'<div class="ontschot-legend" data-legend="journey">{"".join(items)}</div>'


@dataclass(frozen=True)
class Event:
    """One dated line of the story."""

    day: float
    text: str


def family_episodes(world: World, fid: int) -> list[NeedEpisode]:
    """The family's episodes that were open at day 0 or began later, in order of onset."""
    w0 = world.w0
    return sorted((ep for ep in world.model.episodes if ep.family.fid == fid and (ep.end is None or ep.end >= w0)),
                  key=lambda e: (e.onset, e.uid))


def notable_families(world: World, limit: int = 40) -> list[tuple[int, int]]:
    """(family, number of reported needs still open at day 0 or reported since), the families with most first.

    Needs reported during the warm-up and still open at day 0 count too, so families can be picked from the
    first frame on (at day 0 no need has been reported since day 0 yet).
    """
    w0 = world.w0
    # A need is a problem (its later attempts after a dropout are the same need), counted once.
    problems = {(ep.family.fid, ep.problem_id) for ep in world.model.episodes
                if ep.signal is not None and (ep.end is None or ep.end >= w0)}
    counts: dict[int, int] = {}
    for fid, _ in problems:
        counts[fid] = counts.get(fid, 0) + 1
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]


def _outcome_text(ep: NeedEpisode, lang: str) -> str:
    text = label(f"out_{ep.outcome}", lang)
    reason = label(f"reason_{ep.end_reason}", lang) if f"reason_{ep.end_reason}" in _REASONS else ep.end_reason or ""
    return f"{text} {reason}".strip()


_REASONS = {f"reason_{r}" for r in ("help", "remission", "wait", "handoff", "intake", "in_help", "refused", "no_mandate", "crisis",
                                    "moved", "aged_out")}


def events(world: World, fid: int, lang: str) -> list[Event]:
    """The family's story in ``world`` as dated events, oldest first."""
    w0 = world.w0
    now = world.model.time
    names = world.model.spec.domain_names
    out: list[Event] = []
    for ep in family_episodes(world, fid):
        dom = domain_name(world.model.spec, names[ep.domain], lang)
        if ep.attempt == 0 or ep.recurring_from is not None:
            out.append(Event(ep.onset - w0, label("ev_onset", lang, domain=dom)))
        if ep.signal is not None and not ep.priority:
            out.append(Event(ep.signal - w0, label("ev_signal", lang, domain=dom)))
        for org, kind, _uid, enter, leave, how in world.stays.get(ep.uid, ()):
            key = "ev_intake_queue" if kind == "intake" else "ev_help_queue"
            out.append(Event(enter - w0, label(key, lang, org=org_name(world.model.spec, org, lang), days=f"{leave - enter:.0f}")))
            if how != "served":
                out.append(Event(leave - w0, label("ev_left_queue", lang, org=org_name(world.model.spec, org, lang),
                                                   how=label(f"reason_{how}", lang) if f"reason_{how}" in _REASONS else how)))
        if ep.state in (INTAKE_QUEUE, WAITING) and ep.org is not None:
            out.append(Event(ep.queue_enter - w0, label("ev_waiting_now", lang, org=org_name(world.model.spec, ep.org.name, lang))))
        if ep.help_start is not None and ep.org is not None:
            out.append(Event(ep.help_start - w0, label("ev_help", lang, org=org_name(world.model.spec, ep.org.name, lang), domain=dom)))
        if ep.outcome is not None and ep.end is not None:
            if ep.handoffs or ep.intakes:
                out.append(Event(ep.end - w0, label("ev_handoffs", lang, n=ep.handoffs, k=ep.intakes)))
            out.append(Event(ep.end - w0, label("ev_end", lang, outcome=f"{dom}: {_outcome_text(ep, lang)}")))
        elif ep.is_open:
            out.append(Event(now - w0, label("ev_open", lang, state=f"{dom}: {label(f'state_{ep.state}', lang)}")))
    fam = world.model.family_index[fid]  # every family that ever lived here (one may have left and been replaced)
    if fam.coordinator is not None:
        out.append(Event(now - w0, label("ev_coordinator", lang, org=org_name(world.model.spec, fam.coordinator.organisation.name, lang))))
    return sorted(out, key=lambda e: e.day)


def timeline_svg(world: World, fid: int, lang: str, x_from: float, x_to: float, journey_id: str = "") -> str:
    """One lane per domain: latent (thin grey), waiting (orange), in help (green), and an end mark.

    The axis counts days since ``x_from`` (the day the family's first need began, in screen days); a dashed
    line marks day 0, when the levers switched on, if it lies inside.
    """
    w0 = world.w0
    now = world.model.time - w0
    names = world.model.spec.domain_names
    eps = family_episodes(world, fid)
    lanes = sorted({ep.domain for ep in eps})
    axis = 4 + LANE * max(1, len(lanes))
    height = axis + 48
    span = max(1.0, x_to - x_from)

    def sx(d: float) -> float:
        return LEFT + (min(max(d, x_from), x_to) - x_from) / span * (W - LEFT - 14)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {height}" data-journey="{escape(journey_id)}" '
             f'data-episodes="{len(eps)}" style="font-family:sans-serif;font-size:{FONT}px">',
             f'<line x1="{LEFT}" y1="{axis}" x2="{W - 14}" y2="{axis}" stroke="#777"/>']
    for frac, anchor in ((0.0, "start"), (0.5, "middle"), (1.0, "end")):
        d = x_from + frac * span
        parts.append(f'<text x="{sx(d):.0f}" y="{axis + 20}" text-anchor="{anchor}">{fmt_number(round(d - x_from), lang)}</text>')
    parts.append(f'<text x="{(LEFT + W - 14) / 2:.0f}" y="{height - 4}" text-anchor="middle" data-axis="x">'
                 f'{escape(label("journey_axis", lang))}</text>')
    if x_from < 0 < x_to:
        parts.append(f'<line x1="{sx(0):.1f}" y1="2" x2="{sx(0):.1f}" y2="{axis}" stroke="#555" stroke-dasharray="4,3"/>')
    for row, d in enumerate(lanes):
        parts.append(f'<text x="{LEFT}" y="{row * LANE + 16}">{escape(domain_name(world.model.spec, names[d], lang))}</text>')
        y = row * LANE + 22
        for ep in (e for e in eps if e.domain == d):
            end = now if ep.end is None else ep.end - w0
            sig = end if ep.signal is None else ep.signal - w0
            parts.append(f'<rect x="{sx(ep.onset - w0):.1f}" y="{y + 7}" width="{max(0.5, sx(sig) - sx(ep.onset - w0)):.1f}" '
                         f'height="3" fill="{COLOURS["latent"]}"/>')
            helped = end if ep.help_start is None else ep.help_start - w0
            parts.append(f'<rect x="{sx(sig):.1f}" y="{y + 2}" width="{max(0.5, sx(helped) - sx(sig)):.1f}" height="13" '
                         f'fill="{COLOURS["waiting"]}"/>')
            if ep.help_start is not None:
                parts.append(f'<rect x="{sx(helped):.1f}" y="{y + 2}" width="{max(0.5, sx(end) - sx(helped)):.1f}" height="13" '
                             f'fill="{COLOURS["help"]}"/>')
            if ep.outcome in ("resolved", "dropped_out", "crisis"):
                parts.append(f'<circle cx="{sx(end):.1f}" cy="{y + 8}" r="6" fill="{COLOURS[ep.outcome]}" stroke="#fff"/>')
    parts.append("</svg>")
    return "".join(parts)
