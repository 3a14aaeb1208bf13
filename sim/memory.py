"""Memory guard: a population whose run would not fit in the machine's memory is refused before it starts.

A run keeps every episode, ledger line and daily row in memory until it writes its tables, so its peak
memory grows with family-years. Measured on this model (sociaal_domein, fragmented, peak resident memory
above the interpreter with the model imported): about 1.9 kB per family-year over 4 years and 2.6 kB over
8 years (the status quo still builds up episodes); the estimate takes 4 kB per family-year as a margin for
busier scenarios and the output tables, plus the interpreter's own 250 MB. A run whose estimate exceeds
the memory available now (``MemAvailable`` of ``/proc/meminfo``, else physical memory) is refused with an
`InputError` on ``n_families``, instead of swapping for an hour or being killed.
"""

from __future__ import annotations

import os
from pathlib import Path

from sim.errors import InputError

BYTES_PER_FAMILY_YEAR = 4_000  # measured 1.9-2.6 kB (see above), with margin
BASE_BYTES = 250 * 2**20  # Python, numpy, pandas, Mesa and the model's code


def estimate_bytes(n_families: int, days: float) -> float:
    """Estimated peak memory of a run of ``n_families`` over ``days`` simulated days (warm-up included)."""
    return BASE_BYTES + BYTES_PER_FAMILY_YEAR * n_families * days / 365.0


def available_bytes() -> float | None:
    """Memory available to a new run now; None when the platform does not say."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return float(line.split()[1]) * 1024.0
    except OSError:
        pass
    try:
        return float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return None


def check_memory(n_families: int, days: float) -> None:
    """Refuse a run whose memory estimate exceeds the memory available (`InputError` on ``n_families``)."""
    need = estimate_bytes(n_families, days)
    have = available_bytes()
    if have is not None and need > have:
        most = int((have - BASE_BYTES) / (BYTES_PER_FAMILY_YEAR * days / 365.0)) if have > BASE_BYTES else 0
        raise InputError("n_families", n_families,
                         f"a population that fits in memory: this run needs about {need / 2**30:.1f} GB "
                         f"({BYTES_PER_FAMILY_YEAR / 1000:g} kB per family-year over {days / 365.0:.3g} years) and "
                         f"{have / 2**30:.1f} GB is available; at most about {max(most, 0):,} families for this horizon")
