"""The three layers of uncertainty under `make run`: member choice and the labelled text (no simulation)."""

from __future__ import annotations

import pandas as pd

from experiments.layers import chosen_members, layer_jobs, render_layers
from sim.scenario import SINGLE_ENTRY_FORMS


def test_chosen_members_spread_over_the_ensemble() -> None:
    frame = pd.DataFrame({"member": range(1, 101)})
    assert list(chosen_members(frame, 5).member) == [1, 26, 51, 75, 100]
    assert len(chosen_members(frame.head(3), 10)) == 3


def _runs() -> pd.DataFrame:
    rows = []
    # Layer 2: member k at seed k; the networked arm is k days faster, so the differences are -1..-20.
    for k in range(1, 21):
        rows += [{"tag": f"member {k}", "arm": "fragmented", "seed": k, "tth_signal_mean": 100.0},
                 {"tag": f"member {k}", "arm": "networked", "seed": k, "tth_signal_mean": 100.0 - k}]
    # Layer 3: no wrong door 10 days faster, step 5 days slower, exactly, over 3 seeds.
    for form, d in zip(SINGLE_ENTRY_FORMS, (-10.0, 5.0), strict=True):
        for s in (1, 2, 3):
            rows += [{"tag": f"form {form}", "arm": "fragmented", "seed": s, "tth_signal_mean": 50.0 + s},
                     {"tag": f"form {form}", "arm": "networked", "seed": s, "tth_signal_mean": 50.0 + s + d}]
    return pd.DataFrame(rows)


def test_layers_are_labelled_and_computed_separately() -> None:
    text = render_layers(_runs(), ["tth_signal_mean", "not_a_column"], "fragmented", "networked", "sociaal_domein",
                         10, 100, 3)
    lines = text.splitlines()
    assert any(line.startswith("(1) Monte Carlo") for line in lines)
    two = next(i for i, line in enumerate(lines) if line.startswith("(2) Parameters"))
    three = next(i for i, line in enumerate(lines) if line.startswith("(3) Structure"))
    assert "20 of 100 members" in lines[two]
    row2 = next(line for line in lines[two:three] if "days" in line or "signal" in line.lower())
    # median of -1..-20 is -10.5; the 5th and 95th percentiles (linear) are -19.05 and -1.95
    assert "-10.5" in row2 and "-19.1 to -1.95" in row2
    row3 = next(line for line in lines[three + 2:] if line.strip())
    assert "-10" in row3 and "5" in row3  # each form's own exact difference (a zero-width interval)


def test_layer_jobs_pair_the_arms_of_every_member_and_form() -> None:
    members = pd.DataFrame({"member": [4, 9], "behaviour.help_dropout_per_year": [0.5, 0.6]})
    jobs = layer_jobs("sociaal_domein", ["fragmented", "networked"], members, 2, 3500, 365.0)
    tags = [j[7] for j in jobs]
    assert all(j[8] for j in jobs)  # every run shares its warm-up with its other arm (restored from the cache)
    assert tags.count("member 4") == 2 and tags.count("member 9") == 2
    assert {j[2] for j in jobs if j[7] == "member 9"} == {2}  # member k at seed k, both arms
    assert [j[5] for j in jobs if j[7] == "member 4"] == [{"behaviour.help_dropout_per_year": 0.5}] * 2
    for form in SINGLE_ENTRY_FORMS:
        assert sorted((j[1], j[2]) for j in jobs if j[6] == form) == [
            ("fragmented", 1), ("fragmented", 2), ("networked", 1), ("networked", 2)]
