"""A Gaussian-process emulator of one simulator output over the unit cube of the calibrated parameters.

History matching (`experiments.calibration.history_matching`) needs, for every
candidate parameter set, an expectation of the simulator's output and an honest
variance of that expectation, without running the simulator. This module gives
both with numpy and scipy only:

- a linear regression mean (constant + one slope per parameter), fitted by
  least squares, carries the large trends;
- a zero-mean Gaussian process on the residuals, squared-exponential kernel with
  one length scale per parameter, a signal variance and a *nugget*; the
  hyperparameters maximise the log marginal likelihood (L-BFGS-B, a few starts).

The nugget is the variance of one run around the simulator's mean at the same
parameters (the model is stochastic and each design point is run once, with its
own seed), so `predict` returns it separately: the emulator variance is the
posterior variance of the *mean* output, the nugget belongs to the run. The
uncertainty of the regression coefficients is not propagated (an understatement
of the variance far from the design, stated here; the GP term grows there).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.linalg import cho_factor, cho_solve
from scipy.optimize import minimize


def _basis(x: np.ndarray) -> np.ndarray:
    return np.column_stack([np.ones(len(x)), x])


def _kernel(a: np.ndarray, b: np.ndarray, length: np.ndarray, signal: float) -> np.ndarray:
    d = (a[:, None, :] - b[None, :, :]) / length
    return signal * np.exp(-0.5 * np.sum(d * d, axis=2))


@dataclass
class Emulator:
    """A fitted emulator of one output (construct with `fit_emulator`).

    Attributes:
        x: design points (n x d) on the unit cube.
        beta: regression coefficients (constant, slopes) on the standardised output.
        length: GP length scale per parameter (unit-cube units).
        signal: GP signal variance (standardised output).
        nugget: run-to-run variance (standardised output).
        y_mean, y_sd: the standardisation of the output.
        alpha: K^-1 (residuals), cached for prediction.
        chol: Cholesky factor of K (signal kernel + nugget), cached.
    """

    x: np.ndarray
    beta: np.ndarray
    length: np.ndarray
    signal: float
    nugget: float
    y_mean: float
    y_sd: float
    alpha: np.ndarray
    chol: tuple[np.ndarray, bool]

    def predict(self, xs: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
        """Expectation and variance of the mean output at ``xs`` (m x d), and the run-to-run variance.

        All three are in the output's own unit (variances in its square).
        """
        xs = np.atleast_2d(xs)
        ks = _kernel(xs, self.x, self.length, self.signal)
        mean = _basis(xs) @ self.beta + ks @ self.alpha
        v = cho_solve(self.chol, ks.T)
        var = np.maximum(self.signal - np.sum(ks * v.T, axis=1), 0.0)
        return self.y_mean + self.y_sd * mean, var * self.y_sd ** 2, self.nugget * self.y_sd ** 2


def _factored(theta: np.ndarray, x: np.ndarray, r: np.ndarray,
              ) -> tuple[float, np.ndarray, tuple[np.ndarray, bool], np.ndarray] | None:
    """The negative log marginal likelihood at ``theta`` and what its gradient reuses.

    Returns (likelihood, the signal kernel S, the Cholesky factor of K = S + nugget I, alpha = K^-1 r), or None
    where K is not positive definite.
    """
    length, signal, nugget = np.exp(theta[:-2]), np.exp(theta[-2]), np.exp(theta[-1])
    s = _kernel(x, x, length, signal)
    try:
        c = cho_factor(s + (nugget + 1e-8) * np.eye(len(x)), lower=True)
    except np.linalg.LinAlgError:
        return None
    a = cho_solve(c, r)
    return float(0.5 * r @ a + np.sum(np.log(np.diag(c[0])))), s, c, a


def _neg_log_likelihood(theta: np.ndarray, x: np.ndarray, r: np.ndarray) -> float:
    parts = _factored(theta, x, r)
    return 1e10 if parts is None else parts[0]


def _neg_log_likelihood_and_gradient(theta: np.ndarray, x: np.ndarray, r: np.ndarray) -> tuple[float, np.ndarray]:
    """The negative log marginal likelihood (as `_neg_log_likelihood`) and its gradient in ``theta``.

    With K the kernel plus nugget, alpha = K^-1 r and W = K^-1 - alpha alpha^T, the derivative along a
    hyperparameter whose kernel derivative is dK is 0.5 sum(W * dK) (Rasmussen & Williams 2006, Gaussian Processes
    for Machine Learning, eq. 5.9). On the log scale: dK/dlog(length_j) = S * (x_ij - x_kj)^2 / length_j^2 (S the
    signal kernel), dK/dlog(signal) = S, dK/dlog(nugget) = nugget * I. One gradient costs about one likelihood,
    where finite differences cost one per parameter (d + 2).
    """
    parts = _factored(theta, x, r)
    if parts is None:
        return 1e10, np.zeros_like(theta)
    f, s, c, a = parts
    length, nugget = np.exp(theta[:-2]), np.exp(theta[-1])
    w = cho_solve(c, np.eye(len(x))) - np.outer(a, a)
    m = w * s
    # sum_ik m_ik (x_ij - x_kj)^2 = 2 (sum_i m_i. x_ij^2 - x_j^T m x_j) for symmetric m
    g_len = (m.sum(axis=1) @ (x * x) - np.sum(x * (m @ x), axis=0)) / length ** 2
    grad = np.r_[g_len, 0.5 * m.sum(), 0.5 * nugget * np.trace(w)]
    return f, grad


def fit_emulator(x: np.ndarray, y: np.ndarray, starts: int = 3, seed: int = 0, analytic: bool = True) -> Emulator:
    """Fit the regression mean and the GP hyperparameters to design ``x`` (n x d, unit cube) and outputs ``y``.

    Args:
        x: design points on the unit cube.
        y: one output per point (finite).
        starts: random starts of the likelihood maximisation (the first is a fixed, central start).
        seed: seed of the random starts (the fit is deterministic).
        analytic: maximise with the likelihood's analytic gradient (about ten times faster at a few hundred design
            points in 20 dimensions); False: with L-BFGS-B's finite differences, as the calibrations made before
            2026-11-29 did (`experiments.calibrate.SHIPPED_GRADIENT`), so that a stored ensemble can be reproduced.
            The two reach the same kind of optimum along different paths, so their emulators differ in the last
            digits or more, and so do the designs that follow.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    n, d = x.shape
    y_mean, y_sd = float(np.mean(y)), float(np.std(y)) or 1.0
    ys = (y - y_mean) / y_sd
    h = _basis(x)
    beta = np.linalg.lstsq(h, ys, rcond=None)[0]
    r = ys - h @ beta
    rng = np.random.default_rng(seed)
    # Bounds on log scale: length 0.05-10 unit-cube widths, signal and nugget 1e-4-10 of the output's variance.
    bounds = [(np.log(0.05), np.log(10.0))] * d + [(np.log(1e-4), np.log(10.0))] * 2
    inits = [np.r_[np.full(d, np.log(0.5)), np.log(0.5), np.log(0.1)]]
    inits += [np.array([rng.uniform(lo, hi) for lo, hi in bounds]) for _ in range(max(0, starts - 1))]
    nll, jac = (_neg_log_likelihood_and_gradient, True) if analytic else (_neg_log_likelihood, None)
    best = min((minimize(nll, t0, args=(x, r), method="L-BFGS-B", jac=jac, bounds=bounds) for t0 in inits),
               key=lambda res: res.fun)
    length, signal, nugget = np.exp(best.x[:-2]), float(np.exp(best.x[-2])), float(np.exp(best.x[-1]))
    chol = cho_factor(_kernel(x, x, length, signal) + (nugget + 1e-8) * np.eye(n), lower=True)
    return Emulator(x, beta, length, signal, nugget, y_mean, y_sd, cho_solve(chol, r), chol)


def fit_emulator_task(task: tuple[np.ndarray, np.ndarray, int, bool]) -> Emulator:
    """`fit_emulator` of one ``(x, y, seed, analytic)`` task: a picklable function for a pool of worker processes."""
    x, y, seed, analytic = task
    return fit_emulator(x, y, seed=seed, analytic=analytic)
