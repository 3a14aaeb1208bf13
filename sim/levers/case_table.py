"""Case table ("whole system in the room") for families with several needs.

A family with at least ``k`` signalled open domains and a maximum severity of at
least ``s_table`` is referred with probability ``p_esc`` (hesitation to
escalate). The table meets every ``m`` days and admits at most ``n_new`` new
families per meeting, so it has a queue (docs/design.md A13). At a meeting, one
professional of every involved organisation plus the chair spend ``h`` hours
per family (booked as ``case_table`` and reserved from their weekly hours
until the next meeting). Effects: one joint decision replaces the decision
delays of the family's needs (a need that reaches a decision step waits for
the next meeting instead); listed exclusions are waived, so coupled needs are
helped in parallel (docs/design.md A12); every pair present gets a joint-case trust event.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from mesa.time import Schedule

from sim.episode import DECISION
from sim.levers.base import Lever, LeverParams

if TYPE_CHECKING:
    from sim.family import Family
    from sim.professional import Professional
    from sim.reader import Reader


@dataclass(frozen=True)
class CaseTableParams(LeverParams):
    """Eligibility, referral, rhythm and hours of the case table (keys ``case_table_*`` of the ``levers`` block).

    Attributes:
        min_domains: signalled open needs for eligibility (``k``).
        min_severity: maximum severity for eligibility (``s_table``).
        escalation: probability an eligible family is brought to the table (``p_esc``).
        every_days: days between meetings (``m``).
        max_new: new families a meeting can take (``n_new``).
        hours: hours per participant per family per meeting (``h``).
    """

    min_domains: int
    min_severity: float
    escalation: float
    every_days: float
    max_new: int
    hours: float

    @classmethod
    def read(cls, r: Reader) -> CaseTableParams:
        """Read the ``case_table_*`` keys."""
        return cls(
            min_domains=r.number("case_table_min_domains", 1, 20, integer=True),
            min_severity=r.probability("case_table_min_severity"),
            escalation=r.probability("case_table_escalation"),
            every_days=r.number("case_table_every_days", 1.0, 365.0),
            max_new=r.number("case_table_max_new", 0, 10000, integer=True),
            hours=r.number("case_table_hours", 0.0, 40.0),
        )


class CaseTable(Lever):
    """Referral, meetings and effects of the case table."""

    name = "case_table"
    Params = CaseTableParams
    label = ("case table", "casustafel")
    explanation = ("Stuck cases go to a table with every organisation involved, which decides together.",
                   "Vastgelopen casussen gaan naar een tafel met alle betrokken organisaties, die samen besluiten.")

    def attach(self) -> None:
        """Empty table."""
        self.referred: dict[int, Family] = {}
        self.at_table: dict[int, Family] = {}
        self.considered: set[int] = set()
        self.spells: dict[int, int] = {}
        self.reservations: list[tuple[Professional, float]] = []
        self.meetings = 0
        self._generator = None

    def on_activate(self) -> None:
        """Start the meeting cycle."""
        every = self.params.every_days
        self._generator = self.model.schedule_recurring(self.meet, Schedule(interval=every, start=self.model.time + every))

    def _eligible(self, family: Family) -> bool:
        lv = self.params
        if family.signalled_open() < lv.min_domains:
            return False
        now = self.model.time
        return max(ep.severity(now) for ep in family.open.values()) >= lv.min_severity

    def on_family_change(self, family: Family) -> None:
        """Refer a newly eligible family (once per eligibility spell, with p_esc)."""
        if not self.active or family.fid in self.at_table or family.fid in self.referred:
            return
        if not self._eligible(family):
            self.considered.discard(family.fid)
            return
        if family.fid in self.considered:
            return
        self.considered.add(family.fid)
        spell = self.spells.get(family.fid, 0) + 1
        self.spells[family.fid] = spell
        u = self.model.rand.uniform("escalate", family.fid, spell)
        if u < self.params.escalation:
            self.referred[family.fid] = family

    def on_family_left(self, family: Family, now: float) -> None:
        """A family that leaves is no longer referred to or discussed at the table."""
        self.referred.pop(family.fid, None)
        self.at_table.pop(family.fid, None)
        self.considered.discard(family.fid)

    def decides(self, family: Family) -> bool:
        """Whether the family's decisions are taken at the table (wait for the next meeting)."""
        return self.active and family.fid in self.at_table

    def waives(self, family: Family) -> bool:
        """Whether the joint plan waives exclusion criteria for this family."""
        return self.active and family.fid in self.at_table

    def meet(self) -> None:
        """One meeting: release last reservations, update the table, decide, book hours."""
        m = self.model
        now = m.time
        lv = self.params
        for p, h in self.reservations:
            p.release(h)
        self.reservations = []
        for fid in [fid for fid, fam in self.at_table.items() if fam.signalled_open() < lv.min_domains]:
            fam = self.at_table.pop(fid)
            # Its last joint decision: needs that were waiting for the table must not wait forever.
            for ep in list(fam.open.values()):
                if ep.state == DECISION:
                    m.pathway.decision_made(ep)
        admitted = 0
        for fid in list(self.referred):
            if admitted >= lv.max_new:
                break
            fam = self.referred.pop(fid)
            if self._eligible(fam):
                self.at_table[fid] = fam
                admitted += 1
        self.meetings += 1
        weekly = lv.hours / (lv.every_days / 7.0)
        for fam in list(self.at_table.values()):
            orgs = {ep.org.index: ep.org for ep in fam.open.values() if ep.org is not None and ep.is_signalled}
            chair = fam.coordinator.organisation if fam.coordinator is not None else m.entry_org
            orgs[chair.index] = chair
            for org in orgs.values():
                p = fam.coordinator if (fam.coordinator is not None and org is chair) else None
                if p is None:
                    p = next((ep.helper for ep in fam.open.values() if ep.helper is not None and ep.helper.organisation is org), None)
                if p is None and org.professionals:
                    p = max(org.professionals, key=lambda q: q.free_hours)
                if p is not None:
                    p.reserve(weekly)
                    self.reservations.append((p, weekly))
                m.ledger.book(now, org.payer, "case_table", org.name, lv.hours * org.hourly_cost, lv.hours)
            idx = sorted(orgs)
            for i, a in enumerate(idx):
                for b in idx[i + 1:]:
                    m.trust.joint_case(a, b, now)
            for ep in list(fam.open.values()):
                if ep.state == DECISION:
                    m.pathway.decision_made(ep)
