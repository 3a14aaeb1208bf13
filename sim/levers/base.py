"""The life cycle every lever shares.

A lever is built with the model (``attach``), is off during warm-up (every arm
lives the same status quo with the same draws, docs/design.md A19), and switches
on at ``start_day`` (``activate``) if its setting enables it. While inactive it
answers every hook with the fragmented behaviour. A lever may change only
routing, who acts, delays, information flow and bookings: never an onset rate,
an escalation rate, a help rate or an outcome directly (docs/design.md B3).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.family import Family
    from sim.model import SocialDomainModel


class Lever:
    """Base class: one mechanism of networked working with its own costs.

    Args:
        model: the model it acts in.
        enabled: whether the run's lever settings switch it on.
    """

    name = "lever"

    def __init__(self, model: SocialDomainModel, enabled: bool) -> None:
        self.model = model
        self.enabled = enabled
        self.active = False

    def attach(self) -> None:
        """Set up at model creation (status quo); override when needed."""

    def activate(self) -> None:
        """Switch on at the start day if enabled."""
        if self.enabled:
            self.active = True
            self.on_activate()

    def on_activate(self) -> None:
        """What switching on does beyond setting ``active``; override when needed."""

    def on_family_left(self, family: Family, now: float) -> None:
        """The family left the population (`sim.population`): drop what the lever holds for it; override when needed."""

    def finish(self, now: float) -> None:
        """Book what is still running at the end of the run; override when needed."""
