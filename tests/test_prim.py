"""PRIM (experiments/prim.py) finds a planted box, with coverage, density and edges within stated bounds.

Synthetic data: 2,000 points uniform on [0, 1]^5; the cases are the points inside the 2-d box
a in [0.2, 0.6] x b in [0.5, 0.9] (mass 0.16), and 5 % of all labels are flipped at random (noise). Then about
0.95 x 320 = 304 cases lie in the box and 0.05 x 1,680 = 84 outside: the planted box itself has density 0.95 and
coverage 304 / 388 = 0.78, and the base rate is 0.19. Stated bounds: density >= 0.85, coverage >= 0.70, every edge
within 0.05 of the truth, and only a and b restricted after `Prim.simplify`; they leave room for the sampling
error of 2,000 points and the patience of alpha = 0.05 peels. Three seeds of the data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from experiments.prim import Prim
from sim import InputError

TRUTH = {"a": (0.2, 0.6), "b": (0.5, 0.9)}
EDGE_TOLERANCE = 0.05  # each box edge within this of the planted one (2.5 % of the points per side at n = 2,000)


def _planted(seed: int = 7, n: int = 2000, noise: float = 0.05) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.uniform(size=(n, 5)), columns=["a", "b", "c", "d", "e"])
    inside = np.ones(n, dtype=bool)
    for name, (lo, hi) in TRUTH.items():
        inside &= (x[name] >= lo) & (x[name] <= hi)
    flip = rng.uniform(size=n) < noise
    return x, inside ^ flip


@pytest.mark.parametrize("seed", [7, 8, 9])
def test_prim_finds_the_planted_box(seed: int) -> None:
    x, y = _planted(seed)
    prim = Prim(x, y, bounds={c: (0.0, 1.0) for c in x.columns})
    box = prim.simplify(prim.paste(prim.choose(min_coverage=0.7)))
    assert set(box.restricted) == {"a", "b"}
    assert box.density >= 0.85 and box.coverage >= 0.70
    for name, (lo, hi) in TRUTH.items():
        assert abs(box.lo[name] - lo) <= EDGE_TOLERANCE and abs(box.hi[name] - hi) <= EDGE_TOLERANCE, (name, box.limits())
    # the base rate of cases is about 0.19: the box is four to five times as dense
    assert box.density > 4 * y.mean()
    # each planted restriction is far beyond chance (dropping one halves to quarters the density of ~300 points)
    assert (prim.significance(box) < 1e-6).all()


def test_peeling_trajectory_goes_from_everything_to_pure_and_narrow() -> None:
    x, y = _planted()
    prim = Prim(x, y, alpha=0.05, min_mass=0.05)
    t = prim.table()
    first = prim.trajectory[0]
    assert first.coverage == 1.0 and first.mass == 1.0 and first.restricted == ()
    assert first.density == pytest.approx(y.mean())
    assert (np.diff(t.mass) < 0).all() and (np.diff(t.coverage) <= 0).all()  # every peel removes points, never adds
    assert t.mass.iloc[-1] >= 0.05 and t.mass.iloc[-1] * 0.95 < 0.05 + 1 / len(y)  # stopped at min_mass
    assert t.density.max() >= 0.9
    # each peel removes about alpha of the box's points (at least one; ties aside)
    n = t.n.to_numpy()
    assert (n[1:] >= np.floor(n[:-1] * 0.95) - 1).all()


def test_choosing_a_box_by_index_coverage_or_density() -> None:
    x, y = _planted()
    prim = Prim(x, y)
    assert prim.choose(index=3) is prim.trajectory[3]
    wide = prim.choose(min_coverage=0.9)
    assert wide.coverage >= 0.9
    assert all(b.density <= wide.density for b in prim.trajectory if b.coverage >= 0.9)
    pure = prim.choose(min_density=0.9)
    assert pure.density >= 0.9
    assert all(b.coverage <= pure.coverage for b in prim.trajectory if b.density >= 0.9)


def test_pasting_never_lowers_density_and_limits_name_the_restricted_parameters() -> None:
    x, y = _planted()
    prim = Prim(x, y, bounds={c: (0.0, 1.0) for c in x.columns})
    for i in (5, 15, len(prim.trajectory) - 1):
        peeled = prim.trajectory[i]
        pasted = prim.paste(peeled)
        assert pasted.density >= peeled.density and pasted.mass >= peeled.mass
    limits = prim.paste(prim.choose(min_coverage=0.7)).limits()
    assert list(limits.columns) == ["parameter", "lo", "hi"] and {"a", "b"} <= set(limits.parameter)
    assert (limits.lo <= limits.hi).all()


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"y": np.zeros(10, dtype=bool)}, "prim.y"),
    ({"y": np.ones(9, dtype=bool)}, "prim.y"),
    ({"y": np.arange(10)}, "prim.y"),
    ({"y": np.ones(10, dtype=bool), "alpha": 0.6}, "prim.alpha"),
    ({"y": np.ones(10, dtype=bool), "min_mass": 0.0}, "prim.min_mass"),
])
def test_bad_input_names_the_field(kwargs: dict, field: str) -> None:
    x = pd.DataFrame({"a": np.linspace(0, 1, 10), "b": np.linspace(1, 0, 10)})
    with pytest.raises(InputError, match=field):
        Prim(x, **kwargs)
