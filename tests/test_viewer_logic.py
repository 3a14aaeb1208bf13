"""The viewer's logic without a browser: worlds match the model, a lever touches one world, labels, bad options.

Small worlds (300 families, short warm-up), so these run in seconds.
"""

from __future__ import annotations

import pytest

from sim import SocialDomainModel
from viewer import __main__ as launcher
from viewer.i18n import LABELS, LANGS
from viewer.journey import events, notable_families
from viewer.session import WorldPair, preset_levers, presets, scenarios
from viewer.views import build

SMALL = {"families": 2500, "warm_up_days": 60, "horizon_days": 400}


@pytest.fixture(scope="module")
def pair() -> WorldPair:
    p = WorldPair(**SMALL)
    p.advance(120)
    return p


def test_world_is_the_model_advanced(pair: WorldPair) -> None:
    """Stepping a world a day at a time gives the same run as the model run on its own (nothing drawn from a stream)."""
    for world in pair.worlds:
        alone = SocialDomainModel(world.config)
        alone.run_until(world.model.time)
        assert alone.daily == world.model.daily
        assert [(e.uid, e.family.fid, e.domain, e.onset, e.signal, e.help_start, e.end, e.outcome) for e in alone.episodes] == \
               [(e.uid, e.family.fid, e.domain, e.onset, e.signal, e.help_start, e.end, e.outcome) for e in world.model.episodes]
        assert world.history.day == list(range(0, 121))


def test_same_families_same_warm_up(pair: WorldPair) -> None:
    """Common random numbers: both worlds start day 0 with the same families and the same needs."""
    a, b = (w.model for w in pair.worlds)
    assert [f.vulnerability for f in a.families] == [f.vulnerability for f in b.families]
    w0 = pair.worlds[0].w0
    first = [(e.family.fid, e.domain, e.onset) for e in a.episodes if e.onset <= w0]
    assert first == [(e.family.fid, e.domain, e.onset) for e in b.episodes if e.onset <= w0]


def test_lever_changes_one_world_only() -> None:
    p = WorldPair(**{**SMALL, "families": 3000})
    p.advance(60)
    right = p.worlds[1]
    right_daily = list(right.model.daily)
    left_before = [(e.uid, e.help_start, e.end, e.org and e.org.name) for e in p.worlds[0].model.episodes]
    p.set_lever(0, "single_entry", True)
    assert p.worlds[1] is right and right.model.daily == right_daily
    assert p.day == 60 and p.worlds[0].day == 60
    assert p.worlds[0].config.levers.single_entry and p.worlds[0].config.working == "custom"
    assert [(e.uid, e.help_start, e.end, e.org and e.org.name) for e in p.worlds[0].model.episodes] != left_before
    # Replay equals building the world with that setting from the start.
    fresh = SocialDomainModel(p.worlds[0].config)
    fresh.run_until(p.worlds[0].model.time)
    assert fresh.daily == p.worlds[0].model.daily
    p.set_preset(0, "networked")
    assert p.levers[0] == preset_levers("networked") == p.levers[1]
    assert p.worlds[0].model.daily == p.worlds[1].model.daily  # same levers, same seed: the same world


def test_every_label_in_both_languages(pair: WorldPair) -> None:
    for key, texts in LABELS.items():
        assert len(texts) == len(LANGS), key
        if key != "reason_crisis":
            assert all(texts), key
    fid = notable_families(pair.worlds[0], limit=1)[0][0]
    views = {lang: build(pair, lang, fid) for lang in LANGS}
    for side in (0, 1):
        en, nl = views["en"].worlds[side], views["nl"].worlds[side]
        assert en.picture != nl.picture and en.charts != nl.charts
        assert en.journey_events and [e.day for e in en.journey_events] == [e.day for e in nl.journey_events]
    assert any("need arises" in e.text for e in events(pair.worlds[0], fid, "en"))


def test_lists_follow_the_folders() -> None:
    assert "sociaal_domein" in scenarios()
    assert {"fragmented", "networked"} <= set(presets())


@pytest.mark.parametrize(("args", "field"), [(["--port", "abc"], "--port"), (["--families", "3"], "families"),
                                              (["--scenario", "nowhere"], "scenario"), (["--seed", "-1"], "seed")])
def test_bad_options(args: list[str], field: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Bad launcher options: one message naming the option, status 2, no server started (main returns)."""
    assert launcher.main(args) == 2
    out, err = capsys.readouterr()
    assert field in err and out == "" and len(err.strip().splitlines()) == 1
