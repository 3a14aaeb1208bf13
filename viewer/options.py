"""Server options the launcher hands to every page through environment variables.

``python -m viewer`` sets them from its command line before it starts the
Solara server; a page reads them when its session starts. Bad values stop the
launcher with a clear message before any server starts.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from sim import InputError

ENV_FAMILIES = "ONTSCHOT_VIEWER_FAMILIES"
ENV_SEED = "ONTSCHOT_VIEWER_SEED"
ENV_SCENARIO = "ONTSCHOT_VIEWER_SCENARIO"


@dataclass(frozen=True)
class Options:
    """What every new session starts with.

    Attributes:
        families: population per world (None: the scenario's own, which its staff numbers are sized for).
        seed: run seed shared by both worlds.
        scenario: scenario shown first.
    """

    families: int | None = None
    seed: int = 1
    scenario: str = "sociaal_domein"


def _int(name: str, raw: str, lo: int, hi: int) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise InputError(name, raw, f"an integer in [{lo}, {hi}]") from None
    if not lo <= value <= hi:
        raise InputError(name, raw, f"an integer in [{lo}, {hi}]")
    return value


def from_env(env: dict[str, str] | None = None) -> Options:
    """Read the options from the environment (missing: defaults)."""
    env = dict(os.environ) if env is None else env
    fam = env.get(ENV_FAMILIES)
    return Options(families=None if not fam else _int("families", fam, 10, 1_000_000),
                   seed=_int("seed", env.get(ENV_SEED, "1"), 0, 2**63 - 1),
                   scenario=env.get(ENV_SCENARIO) or "sociaal_domein")
