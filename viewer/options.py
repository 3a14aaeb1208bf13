"""Server options the launcher hands to every page through environment variables.

``python -m viewer`` sets them from its command line before it starts the
Solara server; a page reads them when its session starts. Bad values stop the
launcher with a clear message before any server starts.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from sim.reader import Reader

ENV_FAMILIES = "ONTSCHOT_VIEWER_FAMILIES"
ENV_SEED = "ONTSCHOT_VIEWER_SEED"
ENV_SCENARIO = "ONTSCHOT_VIEWER_SCENARIO"


@dataclass(frozen=True)
class Options:
    """What every new session starts with.

    Attributes:
        families: population per world (None: the scenario's own, at most 5,000, `viewer.session.default_families`).
        seed: run seed shared by both worlds.
        scenario: scenario shown first.
    """

    families: int | None = None
    seed: int = 1
    scenario: str = "sociaal_domein"


def from_env(env: dict[str, str] | None = None) -> Options:
    """Read the options from the environment (missing: defaults); a bad value is an `InputError` (`sim.reader.Reader`)."""
    env = dict(os.environ) if env is None else env
    given = {"families": env.get(ENV_FAMILIES) or "null", "seed": env.get(ENV_SEED, "1")}
    r = Reader.from_text(given)
    return Options(families=r.number("families", 10, 1_000_000, integer=True, nullable=True),
                   seed=r.number("seed", 0, 2**63 - 1, integer=True),
                   scenario=env.get(ENV_SCENARIO) or "sociaal_domein")
