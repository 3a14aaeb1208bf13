"""One run of a sweep: its specification, its key, and how it is run (instantiate, run, extract).

A `RunSpec` is everything that decides a run's outcome: scenario, lever
values, scenario overrides, population, horizon, warm-up and seed. Its `key`
is a hash of exactly that, so the same configuration and replication always
get the same key (resume finds it) and two arms that happen to be identical
share one run. Arm labels live in the sweep's plan, not in the key.

`RunConfiguration` is the shape Mesa's batch-run replacement takes: three
replaceable steps. ``instantiate`` builds the model, ``run`` runs it and
``extract`` turns it into small tidy tables that the store appends as Parquet.
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from experiments.warmup_cache import WarmupCache
from sim import RunConfig, SocialDomainModel, collect, load_run_config
from sim.headline import helped_problems

# Daily series are thinned to one row per this many days: waiting lists change slowly, and a sweep of
# thousands of runs should not store a row per organisation per day.
SERIES_EVERY_DAYS = 7


@dataclass(frozen=True)
class RunSpec:
    """The configuration of one run (hashable, JSON-friendly)."""

    scenario: str
    working: str
    levers: dict[str, Any]
    seed: int
    scenario_overrides: dict[str, Any] = field(default_factory=dict)
    n_families: int | None = None
    horizon_days: float = 1095.0
    warm_up_days: float = 1825.0

    @property
    def key(self) -> str:
        """A short stable hash of the configuration (the run's name in the store)."""
        text = json.dumps(asdict(self), sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def run_config(self) -> RunConfig:
        """The validated model configuration (raises `sim.InputError` on a bad value)."""
        extra: dict[str, Any] = {"n_families": self.n_families} if self.n_families is not None else {}
        return load_run_config(scenario=self.scenario, working=self.working, levers=dict(self.levers), seed=self.seed,
                               scenario_overrides=dict(self.scenario_overrides), horizon_days=self.horizon_days,
                               warm_up_days=self.warm_up_days, **extra)

    @property
    def warm_up_group(self) -> str:
        """What its warm-up depends on: everything but the arm and its levers (which are off until the warm-up ends)."""
        data = {k: v for k, v in asdict(self).items() if k not in ("working", "levers")}
        return json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunSpec:
        """Inverse of `dataclasses.asdict`."""
        return cls(**data)


def flatten_summary(summary: dict[str, Any]) -> dict[str, Any]:
    """One flat row of a run's summary: headline numbers, time-to-help statistics, costs by payer and category."""
    row: dict[str, Any] = {k: v for k, v in summary.items() if isinstance(v, (int, float)) or v is None}
    for name, key in (("tth_onset", "time_to_help_from_onset_among_helped"), ("tth_signal", "time_to_help_from_signal_among_helped")):
        for stat in ("mean", "median", "p90"):
            row[f"{name}_{stat}"] = summary[key][stat]
    for payer, amount in summary["cost_by_payer"].items():
        row[f"cost_payer_{payer}"] = amount
    for cat, amount in summary["cost_by_category"].items():
        row[f"cost_category_{cat}"] = amount
    return {k: (float("nan") if v is None else float(v)) for k, v in row.items()}


def episode_events(ep: pd.DataFrame, w0: float, t_end: float) -> pd.DataFrame:
    """Episodes signalled in the window as time-to-event data from the signal.

    ``event`` is ``helped`` (help started), a competing end before help (``dropped_out``, ``crisis``,
    ``resolved`` for remission) or ``censored``: still waiting at the horizon, or the family left the population
    (outcome ``moved``, censored at the day it left).
    """
    sig = ep[(ep.signal_day >= w0) & (ep.signal_day <= t_end)]
    helped = sig.help_start_day.notna().to_numpy()
    ended = sig.end_day.notna().to_numpy()
    stop = np.where(helped, sig.help_start_day, np.where(ended, sig.end_day, t_end))
    outcome = sig.outcome.astype(str).to_numpy()
    event = np.where(helped, "helped", np.where(ended & (outcome != "moved"), outcome, "censored"))
    return pd.DataFrame({"domain": sig.domain.astype(str).to_numpy(),
                         "days": (stop - sig.signal_day.to_numpy()).astype("float32"),
                         "event": pd.Categorical(event, categories=["helped", "dropped_out", "crisis", "resolved", "censored"])})


class RunConfiguration:
    """Instantiate, run and extract one model run; subclass to replace any step.

    Args:
        keep_episodes: store per-episode time-to-event rows (needed for the time-to-help figure) and the
            helped needs (key and days from onset, for the matched contrast); off for large sensitivity
            designs, where only summaries are analysed.
        warmup_cache: where the runs whose warm-up another run of the sweep shares (``shared_keys``, see
            `with_shared`) keep and find it (`experiments.warmup_cache`); None: every run simulates its own.
        shared_keys: the keys of those runs; the others are built cold.

    Example:
        >>> spec = RunSpec("sociaal_domein", "fragmented", {}, seed=1, n_families=3500, horizon_days=30, warm_up_days=0)
        >>> sorted(RunConfiguration().execute(spec))
        ['cost', 'episodes', 'helped', 'summary', 'waiting']
    """

    def __init__(self, keep_episodes: bool = True, warmup_cache: WarmupCache | None = None,
                 shared_keys: frozenset[str] = frozenset()) -> None:
        self.keep_episodes = keep_episodes
        self.warmup_cache = warmup_cache
        self.shared_keys = shared_keys

    def with_shared(self, keys: frozenset[str]) -> RunConfiguration:
        """A copy whose runs with these keys restore their warm-up from (or first store it in) the warm-up cache."""
        other = copy.copy(self)
        other.shared_keys = frozenset(keys)
        return other

    def instantiate(self, spec: RunSpec) -> SocialDomainModel:
        """Build the model: cold, or restored at the levers' switch-on from a warm-up another run shares."""
        config = spec.run_config()
        cache = self.warmup_cache
        if cache is not None and cache.enabled and spec.key in self.shared_keys:
            return cache.model(config)
        return SocialDomainModel(config)

    def run(self, model: SocialDomainModel) -> SocialDomainModel:
        """Run it to the horizon."""
        model.run()
        return model

    def extract(self, model: SocialDomainModel) -> dict[str, pd.DataFrame]:
        """Small tidy tables: summary (one row), cost by payer x category, waiting lists over time, episodes, helped needs."""
        result = collect(model)
        cost = result.ledger.groupby(["payer", "category"], as_index=False)[["amount", "hours"]].sum()
        d = result.daily_org
        w0 = model.warm_up
        keep = d[(d.day >= w0) & (((d.day - w0) % SERIES_EVERY_DAYS) == 0)]
        waiting = pd.DataFrame({"day": (keep.day - w0).astype("float32"), "organisation": keep.organisation.astype(str),
                                "waiting": keep.waiting.astype("float32"), "intake_queue": keep.intake_queue.astype("float32"),
                                "utilisation": keep.utilisation.astype("float32")})
        tables = {"summary": pd.DataFrame([flatten_summary(result.summary)]), "cost": cost, "waiting": waiting.reset_index(drop=True)}
        tables["episodes"] = episode_events(result.episodes, w0, model.end_time) if self.keep_episodes else \
            episode_events(result.episodes.iloc[:0], w0, model.end_time)
        keys, days = helped_problems(result.episodes if self.keep_episodes else result.episodes.iloc[:0], w0, model.end_time)
        tables["helped"] = pd.DataFrame({"problem_key": keys, "days": days})  # 12 bytes a helped need (matched contrast)
        return tables

    def execute(self, spec: RunSpec) -> dict[str, pd.DataFrame]:
        """The three steps in order."""
        return self.extract(self.run(self.instantiate(spec)))
