"""Keyed random draws: common random numbers that survive coupling.

Every stochastic decision in the model is a *keyed* draw: a uniform number that
is a pure function of (run seed, stream name, key...), for example
``("signal", family_id, domain, attempt)``. No draw is "the next number of
stream X", so switching on a lever can change a family's draws only through the
states it changes (docs/design.md A22). The hash is SplitMix64 (Steele, Lea &
Flood 2014), written once for Python integers and once vectorised for numpy
arrays; both give bit-identical numbers, so bulk draws at set-up and single
draws during the run come from the same family of streams.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from scipy import stats

from sim.restore import RestoredInPlace

_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
_M1 = 0xBF58476D1CE4E5B9
_M2 = 0x94D049BB133111EB
_INV_2_53 = 1.0 / (1 << 53)


def _mix(z: int) -> int:
    """SplitMix64 finaliser of one 64-bit integer."""
    z = (z ^ (z >> 30)) * _M1 & _MASK
    z = (z ^ (z >> 27)) * _M2 & _MASK
    return z ^ (z >> 31)


def stream_id(name: str) -> int:
    """A stable 64-bit id for a stream name (Python's ``hash`` is salted per process)."""
    return _mix((zlib.crc32(name.encode()) + _GOLDEN) & _MASK)


class KeyedRandom(RestoredInPlace):
    """Uniform, exponential and quantile draws keyed by (seed, stream, keys).

    Args:
        seed: the run seed (any non-negative integer).

    Example:
        >>> r = KeyedRandom(7)
        >>> r.uniform("onset", 3, 1, 0) == KeyedRandom(7).uniform("onset", 3, 1, 0)
        True
    """

    def __init__(self, seed: int) -> None:
        self.seed = int(seed)
        self._base = _mix((self.seed * _GOLDEN + 1) & _MASK)
        self._streams: dict[str, int] = {}

    def _stream(self, name: str) -> int:
        sid = self._streams.get(name)
        if sid is None:
            sid = _mix(self._base ^ stream_id(name))
            self._streams[name] = sid
        return sid

    def uniform(self, stream: str, *keys: int) -> float:
        """A uniform number in the open interval (0, 1) for this stream and key."""
        z = self._streams.get(stream)
        if z is None:
            z = self._stream(stream)
        for k in keys:
            # _mix inlined: this is the hottest function of a run (several draws per event). Masking the sum
            # once equals masking k first (k and k & _MASK agree modulo 2**64, negative keys too).
            z = (z + _GOLDEN + k) & _MASK
            z = (z ^ (z >> 30)) * _M1 & _MASK
            z = (z ^ (z >> 27)) * _M2 & _MASK
            z ^= z >> 31
        return ((z >> 11) + 0.5) * _INV_2_53

    def exponential(self, stream: str, *keys: int) -> float:
        """A unit-mean exponential number (an integrated-hazard threshold): ``-log(uniform(stream, *keys))``."""
        z = self._streams.get(stream)
        if z is None:
            z = self._stream(stream)
        for k in keys:  # `uniform`'s loop again: one Python call less per draw on the hot path
            z = (z + _GOLDEN + k) & _MASK
            z = (z ^ (z >> 30)) * _M1 & _MASK
            z = (z ^ (z >> 27)) * _M2 & _MASK
            z ^= z >> 31
        return -math.log(((z >> 11) + 0.5) * _INV_2_53)

    def uniform_array(self, stream: str, *keys: np.ndarray | int) -> np.ndarray:
        """Vectorised `uniform`: each key may be an array (broadcast) or an integer."""
        arrays = np.broadcast_arrays(*[np.asarray(k, dtype=np.uint64) for k in keys])
        z = np.full(arrays[0].shape, self._stream(stream), dtype=np.uint64)
        with np.errstate(over="ignore"):
            for k in arrays:
                z = z + np.uint64(_GOLDEN) + k
                z = (z ^ (z >> np.uint64(30))) * np.uint64(_M1)
                z = (z ^ (z >> np.uint64(27))) * np.uint64(_M2)
                z = z ^ (z >> np.uint64(31))
        return ((z >> np.uint64(11)).astype(np.float64) + 0.5) * _INV_2_53


class QuantileTable(RestoredInPlace):
    """Fast inverse CDF of a continuous distribution for single keyed draws.

    scipy's ``ppf`` costs microseconds per scalar call; a run draws a severity
    and a help-effect factor per episode, so the quantile function is tabulated
    once on a fine grid and interpolated linearly (error well below 1e-3 in the
    body; the extreme 1/4096 tails are clamped to the grid ends).

    Args:
        dist: a frozen scipy.stats distribution.
        points: grid size.
    """

    def __init__(self, dist: stats.rv_continuous, points: int = 4097) -> None:
        grid = np.linspace(0.0, 1.0, points)
        q = dist.ppf(np.clip(grid, 0.5 / points, 1 - 0.5 / points))
        self._q: Sequence[float] = q.tolist()
        self._n = points - 1

    def __call__(self, u: float) -> float:
        """The quantile at probability ``u``."""
        x = u * self._n
        i = int(x)
        if i >= self._n:
            return self._q[self._n]
        f = x - i
        return self._q[i] + f * (self._q[i + 1] - self._q[i])


def beta_from_mean(mean: float, concentration: float) -> stats.rv_continuous:
    """A Beta distribution given its mean and concentration a + b."""
    return stats.beta(mean * concentration, (1 - mean) * concentration)


def gamma_mean_one(shape: float) -> stats.rv_continuous:
    """A Gamma distribution with mean 1 and the given shape (variance 1/shape)."""
    return stats.gamma(shape, scale=1.0 / shape)


@lru_cache(maxsize=128)
def beta_table(mean: float, concentration: float) -> QuantileTable:
    """The `QuantileTable` of `beta_from_mean`, built once per process and parameters (tables are read-only).

    Tabulating a Beta quantile function costs several milliseconds (scipy inverts the CDF numerically);
    a sweep or a viewer builds many models with the same scenario.
    """
    return QuantileTable(beta_from_mean(mean, concentration))


@lru_cache(maxsize=128)
def gamma_table(shape: float) -> QuantileTable:
    """The `QuantileTable` of `gamma_mean_one`, built once per process and shape."""
    return QuantileTable(gamma_mean_one(shape))
