"""The honesty rule (docs/design.md D§2): networked working can lose, and can win, only through its mechanisms.

Two constructed regimes, both inside every declared parameter range:

* ``tests/data/honesty_lose.yaml``: light, single-domain needs that often remit, each with one correct direct
  door. The single entry point then only adds an intake and a handoff for debt needs, a coordinator from one
  signalled need on reserves heavy hours from the entry team's FTE (less help capacity there), and the
  learning network reserves hours everywhere. Networked working must cost more AND help later.
* ``tests/data/honesty_win.yaml``: coupled heavy needs in three domains, frequent wrong doors (GP without
  mandate, cold referrals), long access decisions and exclusions. One door with warm handoffs, coordination,
  the case table (joint decision, waived exclusions) and the flex budget must help sooner and lose fewer
  families, while still paying for coordination, meetings and learning.

Neither result is written anywhere in the model: the same presets and the same code produce both. The
assertions are on the paired mean over a few seeds (same seed in both arms).
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
import pytest
import yaml
from helpers import DATA, config, paired_t

from sim import RunResult, load_scenario, run

SEEDS = (1, 2, 3, 4)
RUN = {"n_families": 3000, "horizon_days": 730.0, "warm_up_days": 365.0}
FIXTURES = ("honesty_lose.yaml", "honesty_win.yaml")


@cache
def arms(fixture: str) -> dict[str, list[RunResult]]:
    sc = load_scenario(DATA / fixture)
    return {w: [run(config(w, sc, seed=s, **RUN)) for s in SEEDS] for w in ("fragmented", "networked")}


def paired_diff(fixture: str, metric: str, sub: str | None = None) -> np.ndarray:
    """Networked minus fragmented per seed for a summary metric (``sub`` picks a key of a nested metric)."""
    def get(r: RunResult) -> float:
        v = r.summary[metric]
        return float(v[sub] if sub else v)
    a = arms(fixture)
    return np.array([get(n) - get(f) for n, f in zip(a["networked"], a["fragmented"], strict=True)])


def _leaves(node: Any, path: str = "") -> dict[str, Any]:
    """Dotted path -> value of every provenance wrapper in a raw scenario mapping."""
    if isinstance(node, dict) and "value" in node and ({"source", "assumption", "calibrated"} & set(node)):
        return {path: node["value"]}
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for k, v in node.items():
            out.update(_leaves(v, f"{path}.{k}" if path else str(k)))
        return out
    return {}


@pytest.mark.parametrize("fixture", FIXTURES)
def test_regimes_stay_inside_declared_ranges(fixture: str) -> None:
    """Every value is inside its own declared range (the loader checks) and the default's range for that field."""
    load_scenario(DATA / fixture)  # raises on a value outside its own declared range
    default_ranges = {p.path: p.range for p in load_scenario("sociaal_domein").provenance if p.range is not None}
    values = _leaves(yaml.safe_load((DATA / fixture).read_text()))
    shared = [p for p in values if p in default_ranges and isinstance(values[p], (int, float))]
    assert len(shared) > 40, "the fixture should share most fields with the default scenario"
    outside = {p: (values[p], default_ranges[p]) for p in shared
               if not default_ranges[p][0] <= values[p] <= default_ranges[p][1]}
    assert not outside, f"outside the default scenario's declared ranges: {outside}"


def test_networked_loses_on_light_single_domain_needs() -> None:
    fixture = "honesty_lose.yaml"
    frag = arms(fixture)["fragmented"]
    assert all(r.summary["handoffs_per_episode"] == 0 for r in frag), "fragmented: every need has its correct door"
    cost = paired_diff(fixture, "cost_total")
    tth = paired_diff(fixture, "time_to_help_from_signal_among_helped", "mean")
    within = paired_diff(fixture, "share_helped_within_98_days")
    assert cost.mean() > 0 and paired_t(cost) > 3, f"networked should cost more: {cost}"
    assert tth.mean() > 0 and paired_t(tth) > 3, f"networked should help later: {tth}"
    assert within.mean() < 0, f"networked should help fewer within 98 days: {within}"
    # The loss comes from the mechanisms named above, visible in the ledger and the counts.
    net = arms(fixture)["networked"]
    assert all(r.summary["cost_by_category"].get("coordination", 0) > 0 for r in net)
    assert paired_diff(fixture, "intakes_per_episode").mean() > 0


def test_networked_wins_on_coupled_heavy_needs() -> None:
    fixture = "honesty_win.yaml"
    tth = paired_diff(fixture, "time_to_help_from_signal_among_helped", "mean")
    within = paired_diff(fixture, "share_helped_within_98_days")
    dropout = paired_diff(fixture, "dropout_share_episodes")
    crises = paired_diff(fixture, "crises")
    assert tth.mean() < 0 and paired_t(tth) < -3, f"networked should help sooner: {tth}"
    assert within.mean() > 0 and paired_t(within) > 3, f"networked should help more within 98 days: {within}"
    assert dropout.mean() < 0 and paired_t(dropout) < -3, f"networked should lose fewer families: {dropout}"
    assert crises.mean() < 0, f"networked should prevent crises: {crises}"
    # It still pays for its overhead.
    net = arms(fixture)["networked"]
    overhead = ("coordination", "case_table", "learning")
    assert all(r.summary["cost_by_category"].get(c, 0) > 0 for r in net for c in overhead)
