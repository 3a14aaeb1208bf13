"""PRIM, the patient rule induction method: boxes in parameter space where a case of interest is common.

Scenario discovery (Bryant and Lempert 2010) asks in which region of the
uncertain parameters an outcome of interest occurs. PRIM (Friedman and Fisher
1999, "Bump hunting in high-dimensional data", Statistics and Computing 9,
123-143) answers with a box, a range per parameter, found in three steps:

- **peeling**: starting from the whole space, repeatedly cut off the share
  ``alpha`` of the points in the box at the low or high end of one parameter,
  choosing the cut that leaves the highest share of cases inside, until the box
  holds fewer than ``min_mass`` of all points. Each step is one box of the
  **peeling trajectory**, from wide and impure to narrow and pure;
- **choosing** a box on the trajectory: the user's pick (``index``), or the
  densest box that still covers a given share of the cases (``min_coverage``);
- **pasting**: widening the chosen box again by ``alpha`` of its points at one
  end of one restricted parameter, as long as that raises its density (the
  greedy peel may have cut too much).

Each box is reported with its **coverage** (share of all cases that lie in it),
**density** (share of the points in it that are cases), **mass** (share of all
points in it) and its **restricted dimensions**: parameters whose limits are
narrower than the full range, which name the region. ``simplify`` drops a
restriction whose removal costs less density than a tolerance, so that a box
names only the parameters that bound it, and ``significance`` gives each restriction a quasi-p-value.

This module implements PRIM itself with numpy and pandas (the EMA workbench is
not a dependency); `tests/test_prim.py` checks it against a planted box.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim import InputError


@dataclass(frozen=True)
class Box:
    """A box in parameter space with its statistics on the data it was found on.

    Attributes:
        lo: lower limit per parameter (the parameter's full-range lower bound when it is not restricted).
        hi: upper limit per parameter.
        coverage: share of all cases inside the box.
        density: share of the points inside the box that are cases.
        mass: share of all points inside the box.
        n: points inside.
        restricted: the parameters whose limits are narrower than their full range, in the order they were cut.
    """

    lo: pd.Series
    hi: pd.Series
    coverage: float
    density: float
    mass: float
    n: int
    restricted: tuple[str, ...]

    def limits(self) -> pd.DataFrame:
        """One row per restricted parameter: ``parameter``, ``lo``, ``hi``."""
        names = list(self.restricted)
        return pd.DataFrame({"parameter": names, "lo": self.lo[names].to_numpy(dtype=float),
                             "hi": self.hi[names].to_numpy(dtype=float)})


@dataclass
class Prim:
    """PRIM on a table of sampled parameters and a boolean case column.

    Args:
        x: one row per sample point, one numeric column per parameter.
        y: whether each point is a case of interest (boolean, aligned with ``x``).
        bounds: the full range per parameter as ``(lo, hi)`` (default: the sample's minimum and maximum); a box
            limit equal to its bound is not a restriction.
        alpha: share of the box's points removed per peel and added per paste (Friedman and Fisher: 0.05-0.10).
        min_mass: peeling stops before a box holds fewer than this share of all points.

    Raises:
        InputError: for an empty or non-numeric table, a case column of another length, or no case at all.

    Example:
        >>> rng = np.random.default_rng(1)
        >>> x = pd.DataFrame(rng.uniform(size=(400, 3)), columns=["a", "b", "c"])
        >>> p = Prim(x, x.a > 0.6)
        >>> box = p.paste(p.choose(min_coverage=0.8))
        >>> box.restricted, round(float(box.lo["a"]), 1)
        (('a',), 0.6)
    """

    x: pd.DataFrame
    y: pd.Series | np.ndarray
    bounds: dict[str, tuple[float, float]] | None = None
    alpha: float = 0.05
    min_mass: float = 0.05
    trajectory: list[Box] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        if not len(self.x) or not len(self.x.columns):
            raise InputError("prim.x", self.x.shape, "a table with at least one row and one parameter column")
        bad = [c for c in self.x.columns if not pd.api.types.is_numeric_dtype(self.x[c])]
        if bad:
            raise InputError("prim.x", bad, "numeric parameter columns only")
        y = np.asarray(self.y)
        if y.shape != (len(self.x),) or y.dtype != bool:
            raise InputError("prim.y", f"{y.dtype} of shape {y.shape}", f"a boolean column of {len(self.x)} values")
        if not y.any():
            raise InputError("prim.y", "no case", "at least one case of interest (PRIM looks for where cases are)")
        if not 0 < self.alpha < 0.5:
            raise InputError("prim.alpha", self.alpha, "a share between 0 and 0.5 (exclusive)")
        if not 0 < self.min_mass < 1:
            raise InputError("prim.min_mass", self.min_mass, "a share between 0 and 1 (exclusive)")
        self._names = [str(c) for c in self.x.columns]
        self._x = self.x.to_numpy(dtype=float)
        self._y = y
        full = {c: (float(np.nanmin(self._x[:, j])), float(np.nanmax(self._x[:, j]))) for j, c in enumerate(self._names)}
        full.update({str(k): (float(v[0]), float(v[1])) for k, v in (self.bounds or {}).items() if str(k) in full})
        self._lo0 = np.array([full[c][0] for c in self._names])
        self._hi0 = np.array([full[c][1] for c in self._names])
        self.trajectory = self._peel()

    # --- statistics ---------------------------------------------------------------------------------

    def _inside(self, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        return np.all((self._x >= lo) & (self._x <= hi), axis=1)

    def _box(self, lo: np.ndarray, hi: np.ndarray, order: list[str]) -> Box:
        inside = self._inside(lo, hi)
        n, cases = int(inside.sum()), int(self._y[inside].sum())
        restricted = [c for c in order if self._restricted(c, lo, hi)]
        return Box(pd.Series(lo, index=self._names), pd.Series(hi, index=self._names), cases / int(self._y.sum()),
                   cases / n if n else float("nan"), n / len(self._y), n, tuple(restricted))

    def _restricted(self, name: str, lo: np.ndarray, hi: np.ndarray) -> bool:
        j = self._names.index(name)
        return bool(lo[j] > self._lo0[j] or hi[j] < self._hi0[j])

    # --- peeling ------------------------------------------------------------------------------------

    def _peel(self) -> list[Box]:
        """The peeling trajectory, from the whole space to the last box above ``min_mass``."""
        lo, hi = self._lo0.copy(), self._hi0.copy()
        order: list[str] = []
        boxes = [self._box(lo, hi, order)]
        n_min = self.min_mass * len(self._y)
        while True:
            inside = self._inside(lo, hi)
            best: tuple[float, int, int, bool, float] | None = None  # (density, -removed, j, upper side, new limit)
            for j in range(len(self._names)):
                values = np.sort(self._x[inside, j])
                k = max(1, int(np.floor(self.alpha * len(values))))
                if len(values) <= k:
                    continue
                for upper, limit in ((False, values[k]), (True, values[len(values) - 1 - k])):
                    # points on the limit stay: with ties a peel may remove fewer (or no) points
                    keep = inside & ((self._x[:, j] <= limit) if upper else (self._x[:, j] >= limit))
                    n_keep = int(keep.sum())
                    if n_keep == int(inside.sum()) or n_keep < n_min:
                        continue
                    cand = (float(self._y[keep].mean()), -(int(inside.sum()) - n_keep), j, upper, float(limit))
                    if best is None or cand[:2] > best[:2]:  # highest density; then the smallest cut (patience)
                        best = cand
            if best is None:
                return boxes
            _, _, j, upper, limit = best
            if upper:
                hi[j] = limit
            else:
                lo[j] = limit
            if self._names[j] not in order:
                order.append(self._names[j])
            boxes.append(self._box(lo, hi, order))

    def table(self) -> pd.DataFrame:
        """The peeling trajectory: one row per box with ``box``, ``coverage``, ``density``, ``mass``, ``n``, ``restricted``."""
        return pd.DataFrame({"box": range(len(self.trajectory)), "coverage": [b.coverage for b in self.trajectory],
                             "density": [b.density for b in self.trajectory], "mass": [b.mass for b in self.trajectory],
                             "n": [b.n for b in self.trajectory],
                             "restricted": [len(b.restricted) for b in self.trajectory]})

    # --- choosing -----------------------------------------------------------------------------------

    def choose(self, index: int | None = None, min_coverage: float = 0.5, min_density: float | None = None) -> Box:
        """A box of the trajectory: number ``index``, or the densest box with at least ``min_coverage``.

        With ``min_density``, the box of highest coverage among those at least that dense is taken instead (the
        other common rule: as pure as required, then as wide as possible); if none is that dense, the densest box.

        Raises:
            InputError: for an index outside the trajectory or a share outside [0, 1].
        """
        if index is not None:
            if not 0 <= index < len(self.trajectory):
                raise InputError("prim.index", index, f"a box of the peeling trajectory, 0 to {len(self.trajectory) - 1}")
            return self.trajectory[index]
        for name, share in (("prim.min_coverage", min_coverage), ("prim.min_density", min_density)):
            if share is not None and not 0 <= share <= 1:
                raise InputError(name, share, "a share between 0 and 1")
        boxes = self.trajectory
        if min_density is not None:
            dense = [b for b in boxes if b.density >= min_density]
            return max(dense, key=lambda b: (b.coverage, b.density)) if dense else max(boxes, key=lambda b: (b.density, b.coverage))
        wide = [b for b in boxes if b.coverage >= min_coverage] or boxes[:1]
        return max(wide, key=lambda b: (b.density, b.coverage))

    # --- pasting ------------------------------------------------------------------------------------

    def paste(self, box: Box) -> Box:
        """Widen ``box`` at one end of one restricted parameter at a time while that raises its density.

        Each paste adds the ``alpha`` share of the box's points (at least one) that lie just outside that limit and
        inside every other limit; the paste that raises density most is taken, until none raises it.
        """
        lo, hi = box.lo.to_numpy(dtype=float).copy(), box.hi.to_numpy(dtype=float).copy()
        order = list(box.restricted)
        while True:
            inside = self._inside(lo, hi)
            density = float(self._y[inside].mean())
            k = max(1, int(np.floor(self.alpha * int(inside.sum()))))
            best: tuple[float, int, bool, float] | None = None
            for name in order:
                j = self._names.index(name)
                others = np.ones(len(self._y), dtype=bool)
                for i in range(len(self._names)):
                    if i != j:
                        others &= (self._x[:, i] >= lo[i]) & (self._x[:, i] <= hi[i])
                below = np.sort(self._x[others & (self._x[:, j] < lo[j]), j])[::-1]
                above = np.sort(self._x[others & (self._x[:, j] > hi[j]), j])
                for upper, outside in ((False, below), (True, above)):
                    if not len(outside):
                        continue
                    limit = float(outside[min(k, len(outside)) - 1])
                    new_lo, new_hi = lo.copy(), hi.copy()
                    if upper:
                        new_hi[j] = limit
                    else:
                        new_lo[j] = limit
                    d = float(self._y[self._inside(new_lo, new_hi)].mean())
                    if d > density and (best is None or d > best[0]):
                        best = (d, j, upper, limit)
            if best is None:
                return self._box(lo, hi, order)
            _, j, upper, limit = best
            if upper:
                hi[j] = limit if limit < self._hi0[j] else self._hi0[j]
            else:
                lo[j] = limit if limit > self._lo0[j] else self._lo0[j]

    # --- naming fewer parameters --------------------------------------------------------------------

    def simplify(self, box: Box, tolerance: float = 0.02) -> Box:
        """Drop restrictions, one at a time, whose removal lowers the box's density by at most ``tolerance``.

        A peel on one of many parameters can be chance; a restriction that barely changes density does not bound
        the region and only makes it harder to read. The restriction whose removal costs least goes first.
        """
        lo, hi = box.lo.to_numpy(dtype=float).copy(), box.hi.to_numpy(dtype=float).copy()
        order = list(box.restricted)
        density = box.density
        while len(order) > 1:
            costs = []
            for name in order:
                j = self._names.index(name)
                new_lo, new_hi = lo.copy(), hi.copy()
                new_lo[j], new_hi[j] = self._lo0[j], self._hi0[j]
                costs.append((density - float(self._y[self._inside(new_lo, new_hi)].mean()), name))
            cost, name = min(costs)
            if cost > tolerance:
                break
            j = self._names.index(name)
            lo[j], hi[j] = self._lo0[j], self._hi0[j]
            order.remove(name)
            density = float(self._y[self._inside(lo, hi)].mean())
        return self._box(lo, hi, order)

    # --- is a restriction more than chance? ---------------------------------------------------------

    def significance(self, box: Box) -> pd.Series:
        """A quasi-p-value per restricted parameter (Bryant and Lempert 2010, as in scenario-discovery practice).

        The one-sided binomial probability of at least as many cases among the box's points if they were drawn
        with the density of the box without that restriction. A small value says the restriction picks out cases;
        it is "quasi" because the box was fitted on the same points (it is not a calibrated test).
        """
        from scipy.stats import binom

        lo, hi = box.lo.to_numpy(dtype=float), box.hi.to_numpy(dtype=float)
        inside = self._inside(lo, hi)
        n, k = int(inside.sum()), int(self._y[inside].sum())
        out = {}
        for name in box.restricted:
            j = self._names.index(name)
            wide_lo, wide_hi = lo.copy(), hi.copy()
            wide_lo[j], wide_hi[j] = self._lo0[j], self._hi0[j]
            p0 = float(self._y[self._inside(wide_lo, wide_hi)].mean())
            out[name] = float(binom.sf(k - 1, n, p0))
        return pd.Series(out, dtype=float)
