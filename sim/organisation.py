"""Organisation: mandate, access rule, intake desk, waiting lists, staff and payer.

The intake desk has ``desk_hours`` of intake time a week (the scenario's
``intake_hours_per_week`` scaled with the population, `sim.staffing`), reserved
from the professionals' time: as many parallel servers of the file's desk as the
population holds (equal servers). An intake takes ``intake_hours`` of one
server (a light intake under a shared assessment takes fewer). Staff come from `plan_staff`: the
file's head counts scaled to the run's population, the last one part-time. Help has one waiting list per domain in the mandate. When a
professional's hours free up she takes the first waiting episode she has fit
for, depth before breadth (docs/design.md A7); a new episode goes to a free
depth professional, else to a free breadth professional if it is light.
"""

from __future__ import annotations

import heapq
from functools import partial
from typing import TYPE_CHECKING

import mesa

from sim.episode import INTAKE
from sim.professional import Professional
from sim.restore import RestoredInPlace
from sim.staffing import desk_shares, plan_staff
from sim.waiting_list import WaitingList

if TYPE_CHECKING:
    from sim.episode import NeedEpisode
    from sim.scenario_spec import Organisation as OrgSpec


class Organisation(RestoredInPlace, mesa.Agent):
    """One organisation of the scenario.

    Attributes:
        spec: its scenario record (mandate, access rule, payer...).
        mandate: domain indices it may serve.
        professionals: its staff.
        intake_list: the intake desk's queue.
        help_lists: a waiting list per domain of the mandate.
        capacity: productive hours per week of its staff for help and overhead.
        desk_hours: weekly hours of its intake desk (its professionals' time, or its own desk staff if it has none).
        cases: episodes in help with its staff now.
    """

    def __init__(self, model: mesa.Model, spec: OrgSpec, index: int, domain_index: dict[str, int], log: list[tuple]) -> None:
        super().__init__(model)
        self.spec = spec
        self.name = spec.name
        self.index = index
        self.payer = spec.payer
        self.hourly_cost = spec.hourly_cost
        self.mandate = frozenset(domain_index[d] for d in spec.mandate)
        self.exclusions = {domain_index[d]: s for d, s in spec.exclusions.items()}
        self.intake_list = WaitingList(spec.name, "intake", False, log)
        self.help_lists = {d: WaitingList(spec.name, f"help:{model.spec.domain_names[d]}", spec.triage, log, model.spec.light_threshold)
                           for d in sorted(self.mandate)}
        self.professionals: list[Professional] = []
        plan = plan_staff(spec, model.spec, model.config.families)
        for dom_name, hours in plan.professionals:
            self.professionals.append(Professional(model, self, domain_index[dom_name], hours, len(self.professionals)))
        self.by_depth: dict[int, list[Professional]] = {}
        for p in self.professionals:
            p.pos = len(self.by_depth.setdefault(p.depth, []))
            self.by_depth[p.depth].append(p)
        # Positions (in ``by_depth[d]``) of depth professionals who may have a case's hours free, as a heap: the
        # first free one in list order is found without walking a region's hundreds of busy colleagues. Entries
        # go stale when hours are taken and are dropped when met; `pull_work`, which runs whenever hours free
        # up, puts a professional back (``p.listed`` keeps her in the heap once).
        self._free_depth: dict[int, list[int]] = {d: list(range(len(ps))) for d, ps in self.by_depth.items()}
        self.breadth_staff: dict[int, list[Professional]] = {}
        self.capacity = sum([p.capacity for p in self.professionals])  # weekly hours; staff never change in a run
        self.cases = 0  # the sum of its staff's ``cases``, kept as they change
        self.desk_hours = 0.0
        self.desk_servers: list[float] = []  # weekly hours of each desk server
        self.desk_slots: list[NeedEpisode | None] = []  # the intake each server holds (None: free)
        self._desk_since: list[float] = []
        self.set_desk(plan.desk_hours)
        # Desk hours used (hours of desk time), to report the desk's load in the daily utilisation.
        self._desk_used = 0.0
        self._desk_mark = (0.0, 0.0)  # (time, desk hours used) at the last daily sample

    def set_desk(self, hours: float) -> None:
        """Give the intake desk ``hours`` a week, reserved from the professionals' time in proportion to their hours.

        The desk is ``c = max(1, round(hours / intake_hours_per_week))`` equal parallel servers sharing the
        hours (`sim.staffing`): an intake takes about as long at every population size and a larger population
        gets more parallel desks. Equal servers, not a part-time last one: a server of a few minutes a week
        would hold an intake for years. An intake running on a server that goes away finishes first.
        """
        self.desk_hours = hours
        c = max(1, round(hours / self.spec.intake_hours_per_week))
        self.desk_servers = [hours / c] * c
        while len(self.desk_slots) < len(self.desk_servers):
            self.desk_slots.append(None)
            self._desk_since.append(0.0)
        for p, share in zip(self.professionals, desk_shares([p.capacity for p in self.professionals], hours), strict=True):
            p.desk = share

    @property
    def weekly_hours(self) -> float:
        """All staff hours a week: help and overhead, and the desk."""
        return self.capacity + self.desk_hours

    def covers(self, domain: int, severity: float) -> bool:
        """Whether the mandate covers this need (domain and severity ceiling)."""
        return domain in self.mandate and severity <= self.spec.max_severity and domain in self.help_lists

    def can_help(self, domain: int, severity: float) -> bool:
        """Whether someone here has fit: depth in the domain, or breadth and a light need (docs/design.md A7).

        A need nobody here could take is referred instead of joining a list that no one serves.
        """
        if domain in self.by_depth:
            return True
        return severity <= self.model.spec.light_threshold and domain in self.breadth_staff

    def breadth_changed(self) -> None:
        """Rebuild who has breadth in each domain (staff order), after the T-shaped lever set it."""
        self.breadth_staff = {}
        for p in self.professionals:
            for d in p.breadth:
                self.breadth_staff.setdefault(d, []).append(p)

    # --- intake desk -------------------------------------------------------------
    def start_next_intake(self) -> None:
        """Start queued intakes on free desk servers, first server first (an event at each intake's end)."""
        servers = self.desk_servers
        slots = self.desk_slots
        for i in range(len(servers)):
            if slots[i] is not None:
                continue
            ep = self.intake_list.head()
            if ep is None:
                return
            now = self.model.time
            self.intake_list.pop(now)
            slots[i] = ep
            self._desk_since[i] = now
            self.model.pathway.intake_started(ep, self)
            days = self.model.pathway.intake_hours(ep, self) / (servers[i] / 7.0)
            self.model.schedule_at(partial(self.finish_intake, i), now + days)

    def finish_intake(self, slot: int) -> None:
        """A desk server finished an intake: pass the episode on and take the next."""
        ep = self.desk_slots[slot]
        self.desk_slots[slot] = None
        now = self.model.time
        hours = self.desk_servers[slot] if slot < len(self.desk_servers) else 0.0
        self._desk_used += (now - self._desk_since[slot]) * hours / 7.0
        if ep.state == INTAKE:  # not if the family left the population during its intake
            self.model.pathway.intake_done(ep, self)
        self.start_next_intake()

    # --- help --------------------------------------------------------------------
    def free_professional(self, ep: NeedEpisode, severity: float) -> tuple[Professional | None, float]:
        """A professional with fit and free hours for ``ep`` now (depth first), and her fit."""
        sc = self.model.spec
        d = ep.domain
        hours = self.model.help_hours[d]
        free = self._free_depth.get(d)
        if free:
            staff = self.by_depth[d]
            while free:
                p = staff[free[0]]
                if p.can_take(hours):
                    return p, p.depth_fit
                heapq.heappop(free)
                p.listed = False
        if severity <= sc.light_threshold:
            for p in self.breadth_staff.get(d, ()):
                if p.can_take(hours):
                    return p, sc.levers.t_shaped.breadth_fit
        return None, 0.0

    def pull_work(self, p: Professional) -> None:
        """Let ``p`` take waiting episodes while her hours allow (depth first, then light breadth)."""
        model = self.model
        now = model.time
        if not p.listed and p.can_take(model.help_hours[p.depth]):
            heapq.heappush(self._free_depth[p.depth], p.pos)
            p.listed = True
        while True:
            depth_list = self.help_lists.get(p.depth)
            if depth_list is not None and p.can_take(model.help_hours[p.depth]):
                ep = depth_list.head()
                if ep is not None:
                    depth_list.pop(now)
                    model.pathway.start_help(ep, p, p.depth_fit)
                    continue
            best = None
            for d in p.breadth:
                lst = self.help_lists.get(d)
                if lst is None or not p.can_take(model.help_hours[d]):
                    continue
                # Light at queue entry, not now: a need that grew while waiting on a list only breadth staff
                # serve would otherwise wait until dropout or crisis (it is helped at breadth fit instead).
                ep = lst.first_light()
                if ep is not None and (best is None or (ep.queue_band, ep.queue_token) < (best.queue_band, best.queue_token)):
                    best = ep
            if best is None:
                return
            self.help_lists[best.domain].take(best, now)
            model.pathway.start_help(best, p, model.spec.levers.t_shaped.breadth_fit)

    def waiting(self) -> int:
        """Episodes on all help waiting lists."""
        return sum(lst.length for lst in self.help_lists.values())

    def utilisation(self) -> float:
        """Share of all staff hours (desk included) held by cases, reservations and intakes since the last sample.

        The desk counts with its busy share of the time since the previous call (the daily sample), so a
        saturated desk shows as a bottleneck next to idle helpers. Called once a day by the model.
        """
        now = self.model.time
        used_desk = self._desk_used
        for i, ep in enumerate(self.desk_slots):  # intakes running now count up to now
            if ep is not None and i < len(self.desk_servers):
                used_desk += (now - self._desk_since[i]) * self.desk_servers[i] / 7.0
        t0, u0 = self._desk_mark
        self._desk_mark = (now, used_desk)
        desk_load = (used_desk - u0) / (self.desk_hours * (now - t0) / 7.0) if now > t0 and self.desk_hours > 0 else 0.0
        # A list comprehension: the same additions in the same order as a generator, faster (a region samples
        # hundreds of professionals a day).
        total = self.capacity + self.desk_hours
        used = sum([p.committed + p.reserved for p in self.professionals]) + desk_load * self.desk_hours
        return used / total if total else 0.0
