"""The one catalogue of metrics (`sim.metrics`): every summary column has names in both languages, a unit, a direction."""

from __future__ import annotations

import pytest

from experiments.runspec import flatten_summary
from sim import InputError, load_run_config, run
from sim.ledger import CATEGORIES
from sim.metrics import CATALOGUE, DIRECTIONS, FROM_ONSET, HEADLINE, UNITS, label, metric, unit_label
from sim.scenario_spec import PAYERS


def test_every_column_of_a_runs_summary_row_is_catalogued() -> None:
    cfg = load_run_config(scenario="sociaal_domein", working="networked", n_families=3500, horizon_days=30, warm_up_days=0)
    row = flatten_summary(run(cfg).summary)
    assert [k for k in row if k not in CATALOGUE] == []
    assert all(k in CATALOGUE for k in HEADLINE)


def test_costs_per_payer_and_category_are_catalogued() -> None:
    for p in PAYERS:
        assert metric(f"cost_payer_{p}").unit == "eur_m"
    for c in CATEGORIES:
        assert metric(f"cost_category_{c}").scale == pytest.approx(1e-6)


def test_fields_are_consistent() -> None:
    for key, m in CATALOGUE.items():
        assert m.key == key
        assert m.unit in UNITS, key
        assert m.better in DIRECTIONS, key
        assert m.scale > 0, key
        assert m.en and m.nl and m.en != m.nl, key
        assert all(m.what), key
        assert "_" not in m.en + m.nl, key  # a label is words, never a key


def test_no_english_label_hides_inside_a_dutch_text() -> None:
    """A scan of Dutch output for English labels must not hit a Dutch label by accident."""
    dutch = [m.nl for m in CATALOGUE.values()] + [m.what[1] for m in CATALOGUE.values()]
    for m in CATALOGUE.values():
        assert not any(m.en in text for text in dutch), m.en


def test_units_and_directions_that_matter() -> None:
    # the catalogue settles the crises unit that two tables once disagreed on
    assert metric("crises_per_1000_families_per_year").unit == "per_1000_yr"
    assert metric("cost_total").unit == "eur_m"
    assert metric("dropout_share_episodes").scale == 100.0 and metric("dropout_share_episodes").better == "lower"
    assert metric("share_helped_within_98_days").better == "higher"
    assert unit_label("eur_m", "en") == "EUR million" and unit_label("eur_m", "nl") == "miljoen euro"
    assert unit_label("days", "nl") == "dagen"
    assert label("tth_signal_mean", "nl") == "tijd tot hulp vanaf signaal, gemiddeld"
    # the headline from onset leads the report; other experiments refer to these exact keys
    assert HEADLINE[:len(FROM_ONSET)] == FROM_ONSET
    for key in ("cif_help_30", "cif_help_90", "cif_help_180", "cif_help_365", "families_helped_within_365_days"):
        assert metric(key).unit == "%" and metric(key).scale == 100.0 and metric(key).better == "higher"
    for key in ("rmst_help_365_problem", "rmst_help_365_family", "tth_onset_matched"):
        assert metric(key).unit == "days" and metric(key).better == "lower"
    for key in ("families_helped_per_1000_per_year", "problems_helped_per_1000_per_year"):
        assert metric(key).unit == "per_1000_yr" and metric(key).better == "higher"


def test_formatting_through_a_metric() -> None:
    m = metric("dropout_share_episodes")
    assert m.format(0.4525, "nl") == "45,2 %"
    assert metric("cost_total").format(1.23e6, "nl") == "€ 1,2 mln"
    assert metric("tth_signal_mean").format_interval(12.34, 10.1, 14.56, "en") == "12.3 [10.1, 14.6]"
    assert metric("cost_per_family_served").format(None, "en") == "-"


def test_unknown_metric_unit_or_language() -> None:
    with pytest.raises(InputError, match="metric"):
        metric("happiness")
    with pytest.raises(InputError, match="unit"):
        unit_label("furlongs", "en")
    with pytest.raises(InputError, match="lang"):
        label("cost_total", "de")
