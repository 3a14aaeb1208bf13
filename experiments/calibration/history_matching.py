"""History matching: rule out the parameter sets whose outputs cannot match the targets, in waves.

The method of Craig, Goldstein, Seheult & Smith (1997), "Pressure matching for
hydrocarbon reservoirs: a case study in the use of Bayes linear strategies for
large computer experiments" (Case Studies in Bayesian Statistics III, pp.
37-93), and Vernon, Goldstein & Bower (2010), "Galaxy formation: a Bayesian
uncertainty analysis", Bayesian Analysis 5(4):619-669:

1. run the simulator on a Latin hypercube over the parameters' declared ranges
   (on the unit cube here; `experiments.calibration.ensemble` maps it to values);
2. fit an emulator per target (`experiments.calibration.emulator`);
3. the implausibility of a parameter set x for target i is
   ``I_i(x) = |z_i - E[f_i(x)]| / sqrt(Var_obs_i + Var_discrepancy_i + Var_emulator_i(x) + Var_run_i)``
   where z is the published value, Var_obs its observation uncertainty,
   Var_discrepancy the stated model discrepancy (both in `targets`), Var_emulator
   the emulator's variance of the mean output and Var_run the run-to-run
   variance of one stochastic run (the emulator's nugget: every candidate is
   judged by one run);
4. x is *not ruled out yet* when the largest ``I_i(x)`` is at most 3 (Pukelsheim's
   three-sigma rule: at least 95 % of any unimodal distribution lies within 3 sd);
   the largest, not the second largest, because the targets measure different
   things and there are few of them;
5. the next wave's design is drawn from the space not ruled out by any earlier
   wave (rejection sampling from the unit cube, then a spread-out subset), its
   runs refit the emulators, and the space shrinks. When little is left, more
   uniform candidates are drawn (up to ten times as many) until the space left
   holds five times the wave, so the wave samples inside it and not at the
   least implausible points of a too small sample. When even that finds too
   few (a space left far below a thousandth of the cube, as in jeugdhulp),
   the rest is searched around the points known to be in it (`sample_near`,
   hmer's importance sampling).

An output may also be a quantity that is no published target but decides one
that cannot be emulated (a switch): its ``z`` and ``var`` are then a window
learned from the runs so far, refitted before each wave (``refit``), and each
wave keeps the window it used (`Wave.z`, `Wave.var`). An output a run does not
have (NaN) leaves that run out of that output's emulator only.

Points the simulator refuses (a scenario's desk that cannot do one intake a
week at the population run) are never proposed, in the first Latin hypercube
(a larger hypercube, its feasible points, a spread-out subset) as in later waves.

Every run of every wave is also a candidate member: the ensemble keeps the runs
whose simulated outputs lie in every target's accepted band (`ensemble.accept`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy.stats import qmc

from experiments.calibration.emulator import Emulator, fit_emulator_task

CUTOFF = 3.0


def latin_hypercube(n: int, d: int, seed: int) -> np.ndarray:
    """``n`` points of a Latin hypercube on the unit cube of dimension ``d`` (deterministic in ``seed``)."""
    return qmc.LatinHypercube(d=d, seed=np.random.default_rng(seed)).random(n)


def implausibility(emulators: list[Emulator], z: np.ndarray, var: np.ndarray, xs: np.ndarray,
                   chunk: int = 2000) -> np.ndarray:
    """I_i(x) for every point of ``xs`` (rows) and target (columns).

    Args:
        emulators: one per target, in the order of ``z``.
        z: published value per target.
        var: Var_obs + Var_discrepancy per target.
        xs: points on the unit cube.
        chunk: points per prediction batch (bounds memory: the kernel is points x design x parameters).
    """
    out = np.empty((len(xs), len(emulators)))
    for a in range(0, len(xs), chunk):
        part = xs[a:a + chunk]
        for i, em in enumerate(emulators):
            mean, v_em, v_run = em.predict(part)
            out[a:a + chunk, i] = np.abs(z[i] - mean) / np.sqrt(var[i] + v_em + v_run)
    return out


def spread_subset(points: np.ndarray, n: int, seed: int) -> np.ndarray:
    """A greedy maximin subset of ``n`` rows of ``points``: each next point is the farthest from those chosen."""
    if len(points) <= n:
        return points
    rng = np.random.default_rng(seed)
    chosen = [int(rng.integers(len(points)))]
    dist = np.linalg.norm(points - points[chosen[0]], axis=1)
    while len(chosen) < n:
        i = int(np.argmax(dist))
        chosen.append(i)
        dist = np.minimum(dist, np.linalg.norm(points - points[i], axis=1))
    return points[chosen]


def _feasible_part(points: np.ndarray, feasible: Callable[[np.ndarray], bool], n: int, seed: int,
                   shuffle: bool = True) -> np.ndarray:
    """Up to ``n`` feasible rows of ``points`` (in random order, or in the given order with ``shuffle=False``)."""
    order = np.random.default_rng(seed).permutation(len(points)) if shuffle else np.arange(len(points))
    out = []
    for i in order:
        if feasible(points[i]):
            out.append(points[i])
            if len(out) >= n:
                break
    return np.array(out).reshape(-1, points.shape[1])


# Proposals around known points (`sample_near`): the spread of a proposal starts at this share of the known points'
# own covariance (an assumption: narrow enough that most proposals stay in a thin region); it doubles while more
# than half the proposals are kept (the region reaches further than the known points) and halves below a tenth.
NEAR_SCALE = 0.5


def sample_near(inside: np.ndarray, keep: Callable[[np.ndarray], np.ndarray], n: int, budget: int,
                rng: np.random.Generator, batch: int = 1000) -> np.ndarray:
    """A spread-out set of up to ``n`` new points that ``keep`` accepts, found around the points ``inside``.

    The importance-sampling proposal of the hmer package (Iskauskas et al. 2024, "Emulation and history matching
    using the hmer package", Journal of Statistical Software 109(10)): a mixture of normal distributions centred at
    the known points with their covariance, scaled; proposals outside the unit cube or not kept are dropped, and
    each kept point joins the centres. Where the space not ruled out is a small fraction of the cube, uniform
    candidates find a few points in it and this finds the rest at a far higher rate. The search goes on until it has
    ``n`` points and its proposals are no longer mostly kept (they have reached the region's edges), or the budget is
    spent; the points crowd where they started, so the result is a spread-out subset of them (`spread_subset`).

    Args:
        inside: points known to be accepted (none: nothing is found).
        keep: mask of the points of its argument that are accepted.
        n: points wanted.
        budget: most proposals made.
        rng: the wave's generator.
        batch: proposals judged at a time.
    """
    d = inside.shape[1]
    centres = inside.copy()
    found: list[np.ndarray] = []
    made = count = 0
    scale = NEAR_SCALE
    while made < budget and len(centres):
        # A covariance of a handful of points is singular; a ridge of (1 % of the cube)^2 keeps it usable.
        cov = (np.cov(centres, rowvar=False).reshape(d, d) if len(centres) > 1 else np.zeros((d, d))) + 1e-4 * np.eye(d)
        chol = np.linalg.cholesky(scale ** 2 * cov)
        prop = centres[rng.integers(len(centres), size=batch)] + rng.standard_normal((batch, d)) @ chol.T
        made += batch
        prop = prop[np.all((prop >= 0.0) & (prop <= 1.0), axis=1)]
        ok = prop[keep(prop)] if len(prop) else prop
        rate = len(ok) / batch
        if len(ok):
            found.append(ok)
            count += len(ok)
            centres = np.vstack([centres, ok])
        if count >= n and rate <= 0.5:
            break
        scale = scale * 2.0 if rate > 0.5 else scale / 2.0 if rate < 0.1 else scale
    if not found:
        return np.empty((0, d))
    return spread_subset(np.vstack(found), n, int(rng.integers(2 ** 31)))


# Fits a wave's emulators from (design, output, seed, analytic) tasks, in task order (e.g. `Pool.map` of
# `fit_emulator_task`).
FitAll = Callable[[list[tuple[np.ndarray, np.ndarray, int, bool]]], list[Emulator]]


@dataclass
class Wave:
    """One wave: its emulators and what it ruled out."""

    emulators: list[Emulator]
    nroy_fraction: float  # share of the uniform candidates (within the earlier waves' space) not ruled out
    design: np.ndarray = field(default_factory=lambda: np.empty((0, 0)))  # the next design drawn from the space left
    z: np.ndarray | None = None  # the values this wave judged against (None: those given to `not_ruled_out`)
    var: np.ndarray | None = None  # their Var_obs + Var_discrepancy (None: likewise)


def not_ruled_out(waves: list[Wave], z: np.ndarray, var: np.ndarray, xs: np.ndarray) -> np.ndarray:
    """Mask of the points of ``xs`` that no wave rules out (max over targets of I at most `CUTOFF`)."""
    keep = np.ones(len(xs), dtype=bool)
    for w in waves:
        idx = np.flatnonzero(keep)
        if len(idx):
            zw, vw = (w.z, w.var) if w.z is not None and w.var is not None else (z, var)
            keep[idx] = implausibility(w.emulators, zw, vw, xs[idx]).max(axis=1) <= CUTOFF
    return keep


def history_match(simulate: Callable[[np.ndarray], np.ndarray], d: int, z: np.ndarray, var: np.ndarray,
                  waves: int, wave_size: int, seed: int = 0, candidates: int = 20000, say: Callable[[str], None] = print,
                  feasible: Callable[[np.ndarray], bool] | None = None,
                  refit: Callable[[int], tuple[np.ndarray, np.ndarray]] | None = None,
                  fit_all: FitAll | None = None, analytic: bool = True,
                  ) -> tuple[np.ndarray, np.ndarray, list[Wave]]:
    """Run the waves; return every design point run (unit cube), its outputs, and the waves.

    Args:
        simulate: points (n x d) -> outputs (n x targets); NaN rows are runs that produced no value (kept out
            of the emulators).
        d: number of parameters.
        z: published value per target.
        var: Var_obs + Var_discrepancy per target.
        waves: number of emulator waves; each is followed by a design of ``wave_size`` runs in the space left.
        wave_size: runs per wave (the first wave is a Latin hypercube of this size).
        seed: seed of the designs (the whole procedure is deterministic given ``simulate``).
        candidates: uniform points per wave to estimate and sample the space not ruled out.
        say: progress.
        feasible: whether the simulator accepts a point at all (None: every point). Points it refuses produce no
            output, so the emulators know nothing there and would keep proposing them; a wave's design keeps only
            feasible points (checked in random order until there are enough, so a cheap check stays cheap).
        refit: runs so far (the first n points of the design, in order) -> (z, var) of this wave, for outputs whose
            window is learned from the runs (None: ``z`` and ``var`` throughout). It gets the count, not the
            outputs: the caller reads its own records of those runs, which may hold values that are not emulated.
        fit_all: fits a wave's emulators from ``(x, y, seed)`` tasks, in task order (None: one after another here).
            Each fit is deterministic in its task, so fitting them in a pool of workers gives the same emulators.
        analytic: fit the emulators with the likelihood's analytic gradient (`fit_emulator`); False reproduces
            the designs of matches made with finite differences.
    """
    fit_all = fit_all or (lambda tasks: [fit_emulator_task(t) for t in tasks])
    xs = latin_hypercube(wave_size, d, seed)
    if feasible is not None:
        # A refused run teaches the emulators nothing and is no member: the first design keeps feasible points only.
        # (A quarter more than needed, then a spread-out subset: a check loads a configuration, about a second.)
        xs = spread_subset(_feasible_part(latin_hypercube(3 * wave_size, d, seed), feasible, wave_size + wave_size // 4,
                                          seed), wave_size, seed)
    ys = simulate(xs)
    done: list[Wave] = []
    for k in range(1, waves + 1):
        # Each emulator learns from the runs that have its output (a run cached before an output was observed still
        # teaches the others).
        ok = np.isfinite(ys)
        ems = fit_all([(xs[ok[:, i]], ys[ok[:, i], i], seed + k, analytic) for i in range(len(z))])
        zk, vk = refit(len(xs)) if refit is not None else (z, var)
        wave = Wave(ems, 0.0, z=np.asarray(zk, dtype=float), var=np.asarray(vk, dtype=float))
        rng = np.random.default_rng(seed + 1000 * k)
        def judge(points: np.ndarray, wave: Wave = wave) -> tuple[np.ndarray, np.ndarray]:
            # (not ruled out by the earlier waves, and by this one as well): this wave judges only the survivors
            # of the earlier ones, so each emulator sees a point at most once.
            prev = not_ruled_out(done, z, var, points)
            keep = prev.copy()
            keep[prev] = not_ruled_out([wave], z, var, points[prev])
            return prev, keep

        cand = rng.random((candidates, d))
        prev, keep = judge(cand)
        while keep.sum() < 5 * wave_size and len(cand) < 10 * candidates:
            more = rng.random((candidates, d))
            p_more, k_more = judge(more)
            cand, prev, keep = np.vstack([cand, more]), np.r_[prev, p_more], np.r_[keep, k_more]
        wave.nroy_fraction = float(keep.sum() / max(1, prev.sum()))
        pool = cand[keep]
        if feasible is not None:
            pool = _feasible_part(pool, feasible, 2 * wave_size, seed + k)
        found_near = 0
        if keep.sum() < 5 * wave_size:
            # Too small a space for uniform candidates to fill: search around what is known to be in it and
            # accepted by the simulator (the feasible candidates kept, and the runs so far that no wave rules out:
            # every run was feasible). The space left may reach where the simulator refuses (the emulators know
            # nothing there), so a proposal must be feasible as well; the check runs only on the proposals kept.
            ran = xs[judge(xs)[1] & np.isfinite(ys).all(axis=1)]

            def accepted(points: np.ndarray, judge: Callable[..., tuple[np.ndarray, np.ndarray]] = judge) -> np.ndarray:
                mask = judge(points)[1]
                if feasible is not None:
                    idx = np.flatnonzero(mask)
                    mask[idx] = [feasible(q) for q in points[idx]]
                return mask

            near = sample_near(np.vstack([pool, ran]), accepted, 5 * wave_size - len(pool), 10 * candidates, rng)
            found_near = len(near)
            pool = np.vstack([pool, near])
        if len(pool) < wave_size:
            # Too little left to sample: add the least implausible candidates, so the wave still refines there
            # (reported: a tiny space left means the targets are close to incompatible with the model).
            imp = implausibility(ems, wave.z, wave.var, cand).max(axis=1)
            extra = cand[np.argsort(imp)]
            if feasible is not None:
                extra = _feasible_part(extra, feasible, wave_size, seed + k, shuffle=False)
            pool = np.vstack([pool, extra])[:max(wave_size, len(pool))]
        wave.design = spread_subset(pool, wave_size, seed + k)
        done.append(wave)
        say(f"  wave {k}: {keep.sum()} of {len(cand)} uniform candidates not ruled out "
            f"({100 * keep.mean():.2f} % of the cube; {100 * wave.nroy_fraction:.1f} % of the space the earlier waves left)"
            + (f"; {found_near} more found near the points known to be in it" if found_near else ""))
        xs = np.vstack([xs, wave.design])
        ys = np.vstack([ys, simulate(wave.design)])
    return xs, ys, done
