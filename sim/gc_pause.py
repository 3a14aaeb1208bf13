"""Pause Python's cyclic garbage collector while a model is built, run and its tables collected.

A run allocates millions of long-lived objects (families, episodes, events) and
almost no cyclic garbage: reference counting frees everything else (a whole
default run leaves about a hundred cyclic objects for the collector). Automatic
cyclic collection then only walks live objects again and again, which cost
about 15 % of a run and half of the set-up (docs/performance.md). Pausing it
changes no result; the previous state is restored on exit, also on error.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Disable automatic cyclic collection inside the block; re-enable it after if it was on."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
