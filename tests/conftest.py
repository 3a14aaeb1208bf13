"""Session fixtures shared by several test modules (runs that more than one test inspects)."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

import pytest
from helpers import SMALL, config, run_model

from sim import RunResult, SocialDomainModel


def pytest_configure(config: pytest.Config) -> None:
    """Keep the warm-ups that runs sharing one store (`experiments.warmup_cache`) out of the checkout's outputs/.

    The first pytest process (the xdist controller, or the only one) makes a temporary folder and removes it when it
    ends; xdist's workers, started after this, inherit the variable.
    """
    if "ONTSCHOT_WARMUP_CACHE" not in os.environ:
        folder = tempfile.mkdtemp(prefix="ontschot-warmup-cache-")
        os.environ["ONTSCHOT_WARMUP_CACHE"] = folder
        atexit.register(shutil.rmtree, folder, ignore_errors=True)


@pytest.fixture(scope="session")
def default_runs() -> dict[str, tuple[SocialDomainModel, RunResult]]:
    """The default scenario under both presets, one small run each with the same seed (model kept for internals)."""
    return {w: run_model(config(w, seed=11, **SMALL)) for w in ("fragmented", "networked")}



# Modules whose tests share no fixture or cache: under pytest-xdist each of their tests may go to either worker.
# Every other module's tests stay together on one worker (see ModuleScheduling).
SPREAD_MODULES = frozenset({"tests/test_stationarity.py"})
# Modules whose test functions share nothing with each other (a function's parametrized cases do share a fixture):
# each function may go to either worker. test_balance_invariance: its two module fixtures were the two slowest
# set-ups of the suite (1397 s and 1017 s of a loaded run), one per function.
SPREAD_FUNCTIONS = frozenset({"tests/test_balance_invariance.py"})


try:
    from xdist.scheduler import LoadScopeScheduling
except ImportError:  # pytest-xdist is a dev dependency; without it the suite runs in one process as before
    LoadScopeScheduling = None

if LoadScopeScheduling is not None:

    class ModuleScheduling(LoadScopeScheduling):
        """``--dist loadscope`` except for SPREAD_MODULES (one test at a time) and SPREAD_FUNCTIONS (one function at a time).

        loadscope keeps a module's tests on one worker: many modules share an expensive run between their tests
        through a module-scoped fixture or a cache, which two workers would each compute. A module of independent
        long tests (the ten-year stationarity run of each scenario) would then hold one worker while the other
        idles at the end. (``--dist loadgroup`` with an ``xdist_group`` mark per module would say the same, but
        pytest-xdist 3.8 puts the group into a node id that pytest 9 no longer reads, so it groups nothing.)
        """

        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            if module in SPREAD_MODULES:
                return nodeid
            if module in SPREAD_FUNCTIONS:
                return nodeid.split("[", 1)[0]
            return super()._split_scope(nodeid)

    def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> LoadScopeScheduling | None:
        """The scheduler of ``--dist loadscope`` (as `make test` runs it); other modes keep pytest-xdist's own."""
        return ModuleScheduling(config, log) if config.getvalue("dist") == "loadscope" else None
