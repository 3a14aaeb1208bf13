"""Trust between organisations, and how a learning network changes it.

tau_ab is symmetric, starts at tau0 and between events relaxes toward tau_min,
``tau_min + (tau - tau_min) * exp(-decay * dt)``, evaluated when used. A joint
case (a completed handoff a->b) adds ``alpha * (1 - tau)``; alpha is the
status-quo value unless the learning-network lever is on (docs/design.md A15).
The pairs that shared a case are remembered until the learning network's next
cycle, which reflects on them (`reflect`, the kwaliteitskompas cycle of
`sim.levers.learning`). Trust changes only handoff delay, handoff dropout and
acceptance of a shared assessment.
"""

from __future__ import annotations

import math

from sim.restore import RestoredInPlace


class TrustNetwork(RestoredInPlace):
    """Pairwise trust between n organisations."""

    def __init__(self, n: int, tau0: float, tau_min: float, decay: float, alpha: float) -> None:
        self.n = n
        self.tau = [[tau0] * n for _ in range(n)]
        self.t = [[0.0] * n for _ in range(n)]
        self.tau_min = tau_min
        self.decay = decay
        self.alpha = alpha
        self.joint_cases = 0
        self.shared_since_cycle: set[tuple[int, int]] = set()

    def get(self, a: int, b: int, now: float) -> float:
        """Current trust between a and b (1 within one organisation)."""
        if a == b:
            return 1.0
        tau = self.tau[a][b]
        dt = now - self.t[a][b]
        if dt > 0 and self.decay > 0:
            tau = self.tau_min + (tau - self.tau_min) * math.exp(-self.decay * dt)
            self.tau[a][b] = self.tau[b][a] = tau
            self.t[a][b] = self.t[b][a] = now
        return tau

    def joint_case(self, a: int, b: int, now: float) -> None:
        """A completed handoff or joint meeting between a and b."""
        if a == b:
            return
        tau = self.get(a, b, now)
        tau += self.alpha * (1.0 - tau)
        self.tau[a][b] = self.tau[b][a] = tau
        self.joint_cases += 1
        self.shared_since_cycle.add((a, b) if a < b else (b, a))

    def reflect(self, gain: float, now: float) -> int:
        """A learning cycle: every pair that shared a case since the last cycle gains ``gain * (1 - tau)``.

        Returns the number of pairs that reflected; the memory of shared cases starts afresh.
        """
        pairs = sorted(self.shared_since_cycle)
        self.shared_since_cycle.clear()
        for a, b in pairs:
            tau = self.get(a, b, now)
            tau += gain * (1.0 - tau)
            self.tau[a][b] = self.tau[b][a] = tau
        return len(pairs)

    def mean(self, now: float) -> float:
        """Mean trust over all pairs (for the daily series)."""
        if self.n < 2:
            return 1.0
        vals = [self.get(a, b, now) for a in range(self.n) for b in range(a + 1, self.n)]
        return sum(vals) / len(vals)
