"""Session fixtures shared by several test modules (runs that more than one test inspects)."""

from __future__ import annotations

import pytest
from helpers import SMALL, config, run_model

from sim import RunResult, SocialDomainModel


@pytest.fixture(scope="session")
def default_runs() -> dict[str, tuple[SocialDomainModel, RunResult]]:
    """The default scenario under both presets, one small run each with the same seed (model kept for internals)."""
    return {w: run_model(config(w, seed=11, **SMALL)) for w in ("fragmented", "networked")}
