"""Every experiment in configs/experiment is accepted as shipped, with its own parameter list (no narrowing).

Each file is composed and validated at a tiny size (which checks every arm's model configuration for the
arms, ablation and capacity designs). For the sensitivity design every one of its sample points (the shipped
trajectories over every uncertain parameter, 3240 points in sociaal_domein) must lie inside the declared ranges
and keep warm_dropout <= p_cold_dropout, and the model must accept the points that touch the edges of the most
ranges (where SALib's float scaling once gave 0.45000000000000007 for [0.15, 0.45]). compare_working and
capacity_sweep then run whole, with two replications, in this process; lever_ablation (36 runs) and sensitivity
(6480 runs) are only validated here: running them takes minutes on two cores; regimes runs end to end in
tests/test_regimes.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from experiments.sensitivity import AT_MOST, uncertain_parameters
from experiments.sweep import compose, execute, validate
from sim import CONFIG_DIR

# Validation at the scenario's own population (staff in proportion refuses a population too small for the sampled
# desks and staff; building a configuration costs no run); the end-to-end runs at 3,500 families, above the smallest
# population sociaal_domein's scaled staff allows.
TINY = ["horizon_days=20", "warm_up_days=5", "progress=false", "launcher=inprocess", "replications=2"]
RUN_SIZE = "n_families=3500"
# Validation keeps each experiment's own horizon: the regimes design refuses a window shorter than its outcomes'
# follow-up (a year after onset), and validating builds configurations only, so the shipped horizon costs nothing.
VALIDATE = [s for s in TINY if not s.startswith("horizon_days=")]
SHIPPED = sorted(p.stem for p in (CONFIG_DIR / "experiment").glob("*.yaml"))


def test_every_shipped_experiment_is_found() -> None:
    assert {"compare_working", "lever_ablation", "capacity_sweep", "sensitivity", "regimes"} <= set(SHIPPED)


@pytest.mark.parametrize("name", SHIPPED)
def test_a_shipped_experiment_validates_as_shipped(name: str, tmp_path: Path) -> None:
    experiment = validate(compose([f"+experiment={name}", *VALIDATE, f"out={tmp_path / 's'}"]))
    assert experiment.arms
    if experiment.exp.get("design") != "sensitivity":
        return
    bounds = {f.name: (f.lo, f.hi) for f in uncertain_parameters(experiment.config["scenario"]["name"])}
    edges = []
    for arm in experiment.arms:
        values = arm["overrides"]
        for path, value in values.items():
            lo, hi = bounds[path]
            assert lo <= value <= hi, (arm["arm"], path, value)
        for value, bound in AT_MOST.items():
            if value in values and bound in values:
                assert values[value] <= values[bound]
        edges.append((sum(v in bounds[p] for p, v in values.items()), arm["arm"]))
    assert len(experiment.arms) > 1000  # the shipped design, not a narrowed one
    worst = {a for _, a in sorted(edges, reverse=True)[:3]}
    for arm in experiment.arms:
        if arm["arm"] in worst:
            experiment.spec(arm, 1).run_config()  # the model accepts the points at the edges of most ranges


@pytest.mark.parametrize("name", ["compare_working", "capacity_sweep"])
def test_a_shipped_design_runs_end_to_end(name: str, tmp_path: Path) -> None:
    counts = execute(validate(compose([f"+experiment={name}", *TINY, RUN_SIZE, f"out={tmp_path / 's'}"])))
    assert counts["failed"] == 0 and counts["succeeded"] == counts["runs"] > 0
