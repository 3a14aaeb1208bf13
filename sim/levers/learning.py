"""Learning network: organisations learn together, which builds trust.

While active, trust grows by ``learning_alpha`` per joint case instead of the
status-quo alpha; lower handoff friction follows through trust (docs/design.md
A15): handoff delay and handoff dropout scale with ``1 - omega * tau``. Every
``learning_every_days`` a learning cycle (the kwaliteitskompas: monitor,
reflect, learn, improve together) costs ``learning_hours`` per organisation
(booked as ``learning``, and reserved from the professionals' weekly hours). In
the cycle every pair of organisations that shared a case since the last cycle
reflects on it: their trust gains ``learning_cycle_trust * (1 - tau)``. With
``learning_cycle_trust`` 0 the cycle only costs. The part of the kwaliteitskompas
that keeps the better of two practice variants and shifts referrals toward
routes that work (docs/design.md C1) is not modelled yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from mesa.time import Schedule

from sim.levers.base import Lever, LeverParams

if TYPE_CHECKING:
    from sim.reader import Reader


@dataclass(frozen=True)
class LearningParams(LeverParams):
    """Learning rate, cycle and cycle trust of the learning network (keys ``learning_*`` of the ``levers`` block).

    Attributes:
        alpha: trust gained per joint case while the network is active.
        hours: hours per organisation per learning cycle.
        every_days: days between learning cycles.
        cycle_trust: trust gained in a cycle by each pair that shared a case since the last (0: the cycle only costs).
    """

    alpha: float
    hours: float
    every_days: float
    cycle_trust: float = 0.0

    @classmethod
    def read(cls, r: Reader) -> LearningParams:
        """Read the ``learning_*`` keys."""
        return cls(
            alpha=r.probability("learning_alpha"),
            hours=r.number("learning_hours", 0.0, 100.0),
            every_days=r.number("learning_every_days", 1.0, 365.0),
            cycle_trust=r.probability("learning_cycle_trust", 0.0),
        )


class LearningNetwork(Lever):
    """Raises the trust learning rate and books the learning cycle."""

    name = "learning_network"
    Params = LearningParams
    label = ("learning network", "lerend netwerk")
    explanation = ("Organisations that shared cases reflect together and come to trust each other sooner.",
                   "Organisaties die casussen deelden reflecteren samen en gaan elkaar sneller vertrouwen.")

    def attach(self) -> None:
        """Status quo learning rate."""
        self.model.trust.alpha = self.model.spec.trust.alpha_status_quo
        self.cycles = 0
        self.pairs_reflected = 0

    def on_activate(self) -> None:
        """Higher learning rate; reserve hours; start the cycle."""
        m = self.model
        lv = self.params
        m.trust.alpha = lv.alpha
        m.trust.shared_since_cycle.clear()  # the first cycle reflects on cases shared after the network started
        weekly = lv.hours / (lv.every_days / 7.0)
        for org in m.organisations:
            if org.professionals:
                share = weekly / len(org.professionals)
                for p in org.professionals:
                    p.reserve(share)
        self._generator = m.schedule_recurring(self.cycle, Schedule(interval=lv.every_days, start=m.time + lv.every_days))

    def cycle(self) -> None:
        """One learning cycle: book each participating organisation's hours."""
        m = self.model
        lv = self.params
        self.cycles += 1
        if lv.cycle_trust > 0.0:
            self.pairs_reflected += m.trust.reflect(lv.cycle_trust, m.time)
        for org in m.organisations:
            if org.professionals:
                m.ledger.book(m.time, org.payer, "learning", org.name, lv.hours * org.hourly_cost, lv.hours)
