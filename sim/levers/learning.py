"""Learning network: organisations learn together, which builds trust.

While active, trust grows by ``learning_alpha`` per joint case instead of the
status-quo alpha; lower handoff friction follows through trust (DESIGN-NOTES
A15). It costs ``learning_hours`` per organisation every ``learning_every_days``
(booked as ``learning``, and reserved from the professionals' weekly hours).
The kwaliteitskompas learning cycle that keeps what works (C1) is not modelled
yet.
"""

from __future__ import annotations

from mesa.time import Schedule

from sim.levers.base import Lever


class LearningNetwork(Lever):
    """Raises the trust learning rate and books the learning cycle."""

    name = "learning_network"

    def attach(self) -> None:
        """Status quo learning rate."""
        self.model.trust.alpha = self.model.spec.trust.alpha_status_quo
        self.cycles = 0

    def on_activate(self) -> None:
        """Higher learning rate; reserve hours; start the cycle."""
        m = self.model
        lv = m.spec.levers
        m.trust.alpha = lv.learning_alpha
        weekly = lv.learning_hours / (lv.learning_every_days / 7.0)
        for org in m.organisations:
            if org.professionals:
                share = weekly / len(org.professionals)
                for p in org.professionals:
                    p.reserve(share)
        self._generator = m.schedule_recurring(self.cycle, Schedule(interval=lv.learning_every_days, start=m.time + lv.learning_every_days))

    def cycle(self) -> None:
        """One learning cycle: book each participating organisation's hours."""
        m = self.model
        lv = m.spec.levers
        self.cycles += 1
        for org in m.organisations:
            if org.professionals:
                m.ledger.book(m.time, org.payer, "learning", org.name, lv.learning_hours * org.hourly_cost, lv.learning_hours)
