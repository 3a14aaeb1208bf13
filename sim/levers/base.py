"""The life cycle every lever shares.

A lever is built with the model (``attach``), is off during warm-up (every arm
lives the same status quo with the same draws, docs/design.md A19), and switches
on at ``start_day`` (``activate``) if its setting enables it. While inactive it
answers every hook with the fragmented behaviour. A lever may change only
routing, who acts, delays, information flow and bookings: never an onset rate,
an escalation rate, a help rate or an outcome directly (docs/design.md B3).

Each lever also owns its parameters: a frozen dataclass (a subclass of
`LeverParams`) with a ``read`` classmethod that reads its keys from the
scenario's ``levers`` block, as `sim.breakdown` reads a ``breakdown`` block.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.restore import RestoredInPlace

if TYPE_CHECKING:
    from sim.family import Family
    from sim.model import SocialDomainModel
    from sim.reader import Reader
    from sim.scenario_spec import Scenario


@dataclass(frozen=True)
class LeverParams:
    """Base of a lever's parameters (a lever without parameters uses it as it is)."""

    @classmethod
    def read(cls, r: Reader) -> LeverParams:
        """Read this lever's keys from the scenario's ``levers`` block.

        The block is one flat mapping shared by every lever (its keys carry the lever's prefix, as users write
        them), so ``read`` does not call ``r.finish()``: the scenario loader does, once all levers have read.
        """
        return cls()

    def check(self, scenario: Scenario, where: str | None) -> None:
        """Refuse values that disagree with the rest of the scenario (`InputError`); override when needed."""


# The levers switch on no earlier than this many days into a run, whatever the lead: the status quo keeps at least
# the year before the switch, the window single entry measures the desk hours it moves on (an assumption, see
# `sim.levers.single_entry.MEASURE_DAYS` and docs/design.md F9). A warm-up of a year or less has no lead.
STATUS_QUO_DAYS = 365.0


class Lever(RestoredInPlace):
    """Base class: one mechanism of networked working with its own costs.

    A subclass declares what the registry (`sim.levers.registry`) needs: its key, parameters class, switch
    type and names.

    Args:
        model: the model it acts in.
        setting: its value in the run's lever settings (`setting_name`): on/off for a flag, a share or None
            (off) for a share.
    """

    name = "lever"  # the lever's key: its entry in the registry, in the model's ``levers`` and in the viewer
    Params: type[LeverParams] = LeverParams  # its parameters in the scenario's ``levers`` block
    switch = "flag"  # "flag": switched on or off; "share": on with a share in [0, 1], off with None
    label: tuple[str, str] = ("", "")  # its name (English, Dutch), as `sim.labels` shows it
    explanation: tuple[str, str] = ("", "")  # what it does, in one line (English, Dutch), as the viewer shows it

    def __init__(self, model: SocialDomainModel, setting: bool | float | None) -> None:
        self.model = model
        self.active = False
        self.configure(setting)
        self.params = model.spec.levers.of(self.name)  # this lever's `LeverParams`, read from the scenario

    @classmethod
    def setting_name(cls) -> str:
        """Its field in the lever settings and the presets: the key for a flag, ``<key>_share`` for a share."""
        return cls.name if cls.switch == "flag" else f"{cls.name}_share"

    def configure(self, setting: bool | float | None) -> None:
        """Take the run's setting (before it switches on; the viewer sets it again on a copied model)."""
        self.enabled = bool(setting)

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
