"""The disk cache of preludes (`experiments.warmup_cache`): key, files, bound, off switch, and the runs that share one.

The runs that share a warm-up are `make run`'s arms of one seed: the order they run in, and the same tables.

That a restored run equals the cold run is `test_prelude`'s; here a run through the cache is compared with
``sim.run`` once, from a prelude simulated and from the same prelude read back from disk.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from pathlib import Path

import pandas as pd
import pytest
from test_identical_outputs import digests

from experiments import warmup_cache
from experiments.warmup_cache import DIGEST_BYTES, SUFFIX, WarmupCache, cache_key, reuse_order, run_cached, shared
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
    stored = files[0].read_bytes()  # the prelude, then its SHA-256
    assert cache.get(cfgs["fragmented"]) == stored[:-DIGEST_BYTES]  # the other arm finds it
    assert stored[-DIGEST_BYTES:] == hashlib.sha256(stored[:-DIGEST_BYTES]).digest()
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
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ONTSCHOT_WARMUP_CACHE", "relative/cache")  # kept absolute: a SLURM job may start elsewhere
    assert WarmupCache.from_environment().folder == tmp_path / "relative" / "cache"


def test_tasks_sharing_a_warm_up_run_after_their_opener_and_others_keep_their_place() -> None:
    groups = [seed for seed in range(1, 7) for _ in ("fragmented", "networked", "one_door")] + [99]
    order = reuse_order(groups, lag=2)
    assert sorted(order) == list(range(len(groups)))
    pos = {task: k for k, task in enumerate(order)}
    for g in set(groups):
        members = [i for i, x in enumerate(groups) if x == g]
        assert [pos[i] for i in members] == sorted(pos[i] for i in members)  # opener first, the group's order kept
        if g <= 4:  # openers of two later groups (the lag) run between an opener and the rest of its group
            assert pos[members[1]] - pos[members[0]] > 2
    assert shared(groups) == [True] * 18 + [False]  # a task alone in its group does not store its warm-up


def test_a_run_nobody_shares_runs_cold_and_stores_nothing(cfgs: dict[str, RunConfig], tmp_path: Path) -> None:
    cache = WarmupCache(tmp_path)
    alone = run_cached(cfgs["networked"], False, cache)
    assert not list(tmp_path.glob("*" + SUFFIX))
    together = run_cached(cfgs["networked"], True, cache)
    assert len(list(tmp_path.glob("*" + SUFFIX))) == 1
    assert digests(alone) == digests(together)


def test_a_comparison_simulates_each_seeds_warm_up_once_and_gives_the_cold_table(tmp_path: Path,
                                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from experiments.compare import run_comparison

    args = ("sociaal_domein", ["fragmented", "networked"], 2, 1)  # 2 seeds, this process (1 worker)
    small = {"n_families": 3500, "horizon": 30.0, "progress": False}  # the default 5-year warm-up, as make run
    monkeypatch.setenv(warmup_cache.ENV, "off")
    cold = run_comparison(*args, **small)
    simulated: list[int] = []
    real_warm = warmup_cache.warm
    monkeypatch.setattr(warmup_cache, "warm", lambda cfg, progress=None: simulated.append(cfg.seed) or real_warm(cfg, progress))
    monkeypatch.setenv(warmup_cache.ENV, str(tmp_path))
    warm = run_comparison(*args, **small)
    assert simulated == [1, 2]  # one warm-up per seed, restored for its other arm
    assert len(list(tmp_path.glob("*" + SUFFIX))) == 2
    again = run_comparison(*args, **small)
    assert simulated == [1, 2]  # a second comparison restores every arm's
    for table in (warm, again):
        pd.testing.assert_frame_equal(cold, table)


def test_a_write_abandoned_long_ago_is_removed_and_one_under_way_is_kept(cfgs: dict[str, RunConfig], tmp_path: Path) -> None:
    old, fresh = tmp_path / f".abc{SUFFIX}.x1y2", tmp_path / f".def{SUFFIX}.z3w4"  # as sim.atomic names its temporary files
    for p in (old, fresh):
        p.write_bytes(b"half a prelude")
    long_ago = old.stat().st_mtime - warmup_cache.STALE_TEMP_SECONDS - 60
    os.utime(old, (long_ago, long_ago))
    WarmupCache(tmp_path).put(cfgs["fragmented"], b"a prelude")  # every write trims the folder
    assert not old.exists() and fresh.exists()


@pytest.mark.parametrize("damage", ["truncated", "overwritten"])
def test_a_damaged_file_is_simulated_again_and_replaced(cfgs: dict[str, RunConfig], tmp_path: Path, damage: str,
                                                        capsys: pytest.CaptureFixture) -> None:
    cache = WarmupCache(tmp_path)
    net = cfgs["networked"]
    cold = digests(cache.run(net))  # stores the prelude
    path = cache.path(net)
    good = path.read_bytes()
    path.write_bytes(good[: len(good) // 2] if damage == "truncated" else b"garbage\n")
    assert digests(cache.run(net)) == cold  # the run goes on, with the cold run's tables
    assert "is damaged and is simulated again" in capsys.readouterr().err
    assert len(path.read_bytes()) > len(good) // 2  # stored anew: the next run restores it, without a word
    assert digests(cache.run(net)) == cold and capsys.readouterr().err == ""


@pytest.mark.parametrize("where", ["a file", "not creatable"])
def test_a_cache_folder_that_cannot_be_used_leaves_the_run_as_it_is(cfgs: dict[str, RunConfig], tmp_path: Path, where: str,
                                                                    capsys: pytest.CaptureFixture) -> None:
    taken = tmp_path / "taken"
    taken.write_text("not a folder\n")
    cache = WarmupCache(taken if where == "a file" else taken / "cache")
    net = cfgs["networked"]
    assert digests(cache.run(net)) == digests(run(net))
    assert "not usable" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["taken"] and taken.read_text() == "not a folder\n"
