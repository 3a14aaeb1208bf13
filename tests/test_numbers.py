"""Numbers per language (`sim.numbers`): separators, euros shortened, counts without ``.0``, shares in %, intervals."""

from __future__ import annotations

import math

import pytest

from sim import InputError
from sim.numbers import fmt_interval, fmt_number, fmt_value


@pytest.mark.parametrize(("x", "lang", "decimals", "text"), [
    (1234.5, "en", 1, "1,234.5"),
    (1234.5, "nl", 1, "1.234,5"),
    (1234567.891, "nl", 2, "1.234.567,89"),
    (3.0, "en", None, "3"),            # a count: no ".0"
    (12.34, "nl", None, "12,3"),
    (0.456, "nl", None, "0,46"),
    (-0.001, "en", None, "0.00"),      # no "-0.00"
    (-2.5, "nl", None, "-2,50"),
    (None, "en", None, "-"),
    (math.nan, "nl", None, "-"),
])
def test_fmt_number(x: float | None, lang: str, decimals: int | None, text: str) -> None:
    assert fmt_number(x, lang, decimals) == text


@pytest.mark.parametrize(("x", "unit", "en", "nl"), [
    (9392.55, "eur", "EUR 9.4k", "€ 9,4 k"),
    (1.2, "eur_m", "EUR 1.2 M", "€ 1,2 mln"),
    (1_234_000.0, "eur", "EUR 1.2 M", "€ 1,2 mln"),
    (452.4, "eur", "EUR 452", "€ 452"),
    (150_000.0, "eur", "EUR 150k", "€ 150 k"),
    (-0.004, "eur_m", "EUR -4.0k", "€ -4,0 k"),
    (45.25, "%", "45.2 %", "45,2 %"),
    (1.0, "count", "1", "1"),
    (12.25, "days", "12.2", "12,2"),
    (1500.0, "days", "1,500", "1.500"),
])
def test_fmt_value(x: float, unit: str, en: str, nl: str) -> None:
    assert fmt_value(x, unit, "en") == en
    assert fmt_value(x, unit, "nl") == nl


def test_fmt_interval_shares_decimals_and_scale() -> None:
    assert fmt_interval(12.34, 10.1, 14.56, "days", "nl") == "12,3 [10,1, 14,6]"
    assert fmt_interval(12.34, 10.1, 14.56, "days", "en") == "12.3 [10.1, 14.6]"
    assert fmt_interval(3.0, 2.0, 4.0, "count", "en") == "3 [2, 4]"
    assert fmt_interval(45.3, 40.1, 50.2, "%", "nl") == "45,3 % [40,1, 50,2]"
    # money: one shortening for the mean and both bounds, chosen by the largest
    assert fmt_interval(9400.0, 8100.0, 10200.0, "eur", "en") == "EUR 9.4k [8.1k, 10.2k]"
    assert fmt_interval(1.23, 1.1, 1.4, "eur_m", "nl") == "€ 1,2 mln [1,1 mln, 1,4 mln]"
    assert fmt_interval(math.nan, 1.0, 2.0, "days", "en") == "-"
    assert fmt_interval(5.0, math.nan, math.nan, "days", "en") == "5 [-, -]"


def test_unknown_language_is_an_input_error() -> None:
    for call in (lambda: fmt_number(1.0, "de"), lambda: fmt_value(1.0, "days", "fr"),
                 lambda: fmt_interval(1.0, 0.0, 2.0, "days", "xx")):
        with pytest.raises(InputError, match="lang"):
            call()
