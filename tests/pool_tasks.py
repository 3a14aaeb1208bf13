"""Tiny tasks for the worker-pool tests (`test_pool`), in a module of their own.

A worker process imports the module of the function it runs; this one imports only numpy, so a worker starts in
about a second, where the test module (through `helpers`, which imports `sim`) takes 10 s on a loaded machine.
"""

from __future__ import annotations

import os
import time

import numpy as np


def draws(seed: int) -> float:
    """A value that depends only on its task: the sum of a few draws of the seed's generator."""
    return float(np.random.default_rng(seed).normal(size=5).sum())


def fails_on_three(n: int) -> int:
    """Raises for task 3, as a run with a bad parameter would."""
    if n == 3:
        raise ValueError("three is refused")
    return n * n


def dies_on_two(n: int) -> int:
    """Ends its worker process for task 2, as the kernel's out-of-memory killer would."""
    if n == 2:
        os._exit(1)
    time.sleep(0.2)
    return n
