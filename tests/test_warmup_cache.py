"""The disk cache of preludes (`experiments.warmup_cache`): its key, atomic files, its bound and its off switch.

That a restored run equals the cold run is `test_prelude`'s; here a run through the cache is compared with
``sim.run`` once, from a prelude simulated and from the same prelude read back from disk.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest
from test_identical_outputs import digests

from experiments import warmup_cache
from experiments.warmup_cache import SUFFIX, WarmupCache, cache_key
from sim import RunConfig, load_run_config, run

SMALL = {"n_families": 3500, "warm_up_days": 30.0, "horizon_days": 20.0, "seed": 2}


@pytest.fixture(scope="module")
def cfgs() -> dict[str, RunConfig]:
    return {p: load_run_config("sociaal_domein", p, **SMALL) for p in ("fragmented", "networked")}


def test_the_key_ignores_the_levers_and_nothing_else(cfgs: dict[str, RunConfig], monkeypatch: pytest.MonkeyPatch) -> None:
    frag, net = cfgs["fragmented"], cfgs["networked"]
    assert cache_key(frag) == cache_key(net)  # the lever settings and the preset's name only
    others = [dataclasses.replace(frag, seed=3), dataclasses.replace(frag, warm_up_days=31.0),
              dataclasses.replace(frag, horizon_days=21.0), dataclasses.replace(frag, n_families=3600), frag.with_lead(10.0),
              load_run_config("sociaal_domein", "fragmented", **SMALL, scenario_overrides={"behaviour.wait_dropout_per_year": 1.1})]
    keys = {cache_key(c) for c in others}
    assert len(keys) == len(others) and cache_key(frag) not in keys
    before = cache_key(frag)
    monkeypatch.setattr(warmup_cache, "code_fingerprint", lambda: "another version of sim/")  # the model's code changed
    assert cache_key(frag) != before


def test_a_run_through_the_cache_equals_the_cold_run(cfgs: dict[str, RunConfig], tmp_path: Path) -> None:
    cache = WarmupCache(tmp_path / "cache")
    net = cfgs["networked"]
    cold = digests(run(net))
    assert digests(cache.run(net)) == cold  # simulated and stored
    files = list((tmp_path / "cache").iterdir())
    assert [f.name for f in files] == [cache_key(net) + SUFFIX]  # one file, no temporary left
    assert cache.get(cfgs["fragmented"]) == files[0].read_bytes()  # the other arm finds it
    assert digests(cache.run(net)) == cold  # read back from disk


def test_least_recently_used_files_go_above_the_bound(cfgs: dict[str, RunConfig], tmp_path: Path) -> None:
    a, b, c = (dataclasses.replace(cfgs["fragmented"], seed=s) for s in (11, 12, 13))
    cache = WarmupCache(tmp_path, max_bytes=2500)
    cache.put(a, b"a" * 1000)
    cache.put(b, b"b" * 1000)
    os.utime(cache.path(a), ns=(1_000_000_000, 1_000_000_000))  # a written first ...
    os.utime(cache.path(b), ns=(2_000_000_000, 2_000_000_000))
    assert cache.get(a) == b"a" * 1000  # ... but read last
    cache.put(c, b"c" * 1000)
    assert cache.get(b) is None and cache.get(a) is not None and cache.get(c) is not None
    cache.put(b, b"b" * 3000)  # larger than the bound alone: not stored, nothing dropped for it
    assert cache.get(b) is None and cache.get(a) is not None


def test_the_cache_switched_off_reads_and_writes_nothing(cfgs: dict[str, RunConfig], tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ONTSCHOT_WARMUP_CACHE", "off")
    off = WarmupCache.from_environment(tmp_path)
    assert not off.enabled
    off.put(cfgs["fragmented"], b"x")
    assert off.get(cfgs["fragmented"]) is None and not any(tmp_path.iterdir())
    monkeypatch.setenv("ONTSCHOT_WARMUP_CACHE", str(tmp_path / "elsewhere"))
    assert WarmupCache.from_environment().folder == tmp_path / "elsewhere"
