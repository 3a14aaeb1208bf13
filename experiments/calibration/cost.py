"""The hourly cost of specialist youth care, solved per run instead of searched.

In the fragmented preset the hourly cost of an organisation is read only where
cost is booked (`sim.pathway`: intake, help, flex and crisis-care bookings,
``hours x hourly_cost``); no event, queue or decision reads it. So one run at
any hourly cost ``c0`` gives every other target exactly, and its cost per
client (help, intake and flex of the specialist youth-care organisation, a sum
of ``hours x c0``; `observe.youth_cost_per_client`) is exactly proportional to
``c0``. The hourly cost that puts a run's cost per client on the published
value is therefore ``c0 x published / observed``, clipped into the declared
range; this is the point fit's "exact rescaling afterwards" done for each run,
so history matching does not spend a dimension of its space (and runs) on it.
`tests/test_ensemble.py` checks both premises on a short run: the other
targets do not move with the hourly cost and the cost per client scales with it.

Only a cost scale with one path is solved this way (sociaal_domein): with two
organisations at different rates, rounding each written value would break the
exact proportionality the members' recorded targets rely on, so such a scale
stays a searched dimension (`Space.of`).
"""

from __future__ import annotations

import math

from experiments.calibration.fit import COST_SCALES, COST_TARGET, Prior, Scale, rounded
from experiments.calibration.targets import TARGETS


def solvable(scenario: str) -> bool:
    """Whether the scenario's cost scale is solved per run (one path) rather than searched."""
    return len(COST_SCALES[scenario].paths) == 1


def solve_cost(obs: dict[str, float], scale: Scale, prior: Prior) -> tuple[dict[str, float | int], dict[str, float]]:
    """The hourly cost that puts one run's cost per client on the published value, and the run's targets at it.

    Args:
        obs: the run's target values, run at the prior hourly cost (``prior.values``).
        scale: the cost scale (one path).
        prior: its prior value (the rate the run used) and declared range.

    Returns:
        The override of the hourly cost (rounded as written to the file, inside its declared range) and the run's
        targets with the cost per client rescaled to that rate (every other target unchanged). A run without a
        cost figure keeps the prior rate and its NaN.
    """
    (path,), (c0,), ((lo, hi),), (integer,) = scale.paths, prior.values, prior.ranges, prior.integer
    observed = obs.get(COST_TARGET, math.nan)
    point = next(t.point for t in TARGETS if t.key == COST_TARGET)
    if not (isinstance(observed, float | int) and math.isfinite(observed) and observed > 0):
        return {path: rounded(c0, integer)}, dict(obs)
    rate = rounded(min(hi, max(lo, c0 * point / observed)), integer)
    return {path: rate}, {**obs, COST_TARGET: observed * rate / c0}
