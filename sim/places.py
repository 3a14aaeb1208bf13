"""Waiting places: a place a family holds while a need waits for help (a shelter bed).

Some needs come with a place that someone pays for while the need is known but
not yet helped: a homeless person stays in the shelter (maatschappelijke opvang,
paid by the central municipality) until housing with support starts. A domain
may declare such a ``waiting_place``; the place is held from the episode's
signal until its help starts or the episode ends (dropout, crisis, remission,
horizon), and booked per day as category ``place`` on the episode and in the
ledger. A need that is latent again after a dropout holds no place (the person
left the shelter); a crisis continues as a new signalled episode, which holds a
new place. Places have no capacity limit (an assumption, as for crisis
services), so they cost money but never make anyone wait.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.reader import Reader
from sim.restore import RestoredInPlace

if TYPE_CHECKING:
    from sim.episode import NeedEpisode
    from sim.model import SocialDomainModel


@dataclass(frozen=True)
class WaitingPlace:
    """The place held while a need of one domain waits for help."""

    organisation: str
    cost_per_day: float
    payer: str


def read_waiting_place(r: Reader, payers: tuple[str, ...]) -> WaitingPlace:
    """Read a domain's ``waiting_place`` block (organisation label, cost per day, payer)."""
    place = WaitingPlace(
        organisation=r.string("organisation"),
        cost_per_day=r.number("cost_per_day", 0.0, 1e5),
        payer=r.string("payer", payers),
    )
    r.finish()
    return place


class WaitingPlaces(RestoredInPlace):
    """Books the waiting places of one model."""

    def __init__(self, model: SocialDomainModel) -> None:
        self.ledger = model.ledger
        self.by_domain = [d.waiting_place for d in model.domain_specs]

    def release(self, ep: NeedEpisode, now: float) -> None:
        """The need's wait ends (help starts, the episode ends, or the horizon): book the stay.

        Called before ``help_start`` is set; an episode helped earlier released its place then.
        """
        place = self.by_domain[ep.domain]
        if place is None or ep.signal is None or ep.help_start is not None:
            return
        ep.cost += self.ledger.book_segment(ep.signal, now, place.payer, "place", place.organisation, place.cost_per_day)
