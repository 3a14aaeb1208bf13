"""Prerequisites of an access decision: being judged "ready" takes a minimum time.

An organisation may declare ``ready_after_days``: its access decision on a
need is not taken before the need has been known to services for that many
days (since this episode's signal). This is the staircase model of
homelessness care: housing only after a shelter stay in which the person is
judged "housing ready" (docs/design.md A12 names the minimum stay T_ready). The
other half of the staircase are the organisation's ``exclusions`` (no start of
help while a listed co-occurring need is above its severity ceiling, checked
in `sim.pathway.Pathway.to_help_queue`); together they say what has to happen
before help. A need that crises and comes back starts again at the bottom: its
new episode has a new signal time. With ``ready_after_days = 0`` the decision
takes ``decision_days`` as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.episode import NeedEpisode
    from sim.scenario_spec import Organisation as OrgSpec


def decision_delay(ep: NeedEpisode, spec: OrgSpec, now: float) -> float:
    """Days from now until the access decision: the decision time, or longer until the need is 'ready'."""
    ready = spec.ready_after_days
    if ready <= 0.0 or ep.signal is None:
        return spec.decision_days
    return max(spec.decision_days, ready - (now - ep.signal))
