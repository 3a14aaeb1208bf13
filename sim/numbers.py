"""Numbers as a reader expects them in English or Dutch: separators, euros, shares, intervals.

English writes ``1,234.5`` and Dutch ``1.234,5`` (decimal comma, dot for
thousands). Money is shortened the way a memo writes it: ``EUR 9.4k`` and
``EUR 1.2 M`` in English, ``€ 9,4 k`` and ``€ 1,2 mln`` in Dutch. Every
function here is pure: a value and a language in, text out.

The value given to `fmt_value` and `fmt_interval` is a *display* value, already
multiplied by its metric's scale (`sim.metrics.Metric.scale`): a share shown in
% arrives as 45.3, a cost in ``eur_m`` as millions of euros.
"""

from __future__ import annotations

import math

from sim.errors import InputError

LANGS = ("en", "nl")
MISSING = "-"  # an undefined value (no helped episode, no run): a dash, never "nan"

# units whose symbol belongs to the number ("EUR 9.4k", "45.3 %"); other units are named beside the number
_MONEY = ("eur", "eur_m")


def _check(lang: str) -> None:
    if lang not in LANGS:
        raise InputError("lang", lang, "en or nl")


def _missing(x: float | None) -> bool:
    return x is None or not math.isfinite(float(x))


def auto_decimals(x: float) -> int:
    """Decimals a reader needs: none for a whole number or from 1000 on, two below 10, one otherwise."""
    a = abs(float(x))
    if float(x).is_integer() or a >= 1000:
        return 0
    return 2 if a < 10 else 1


def fmt_number(x: float | None, lang: str, decimals: int | None = None) -> str:
    """A plain number with the language's separators.

    Args:
        x: the number (None or NaN gives ``-``).
        lang: ``en`` or ``nl``.
        decimals: fixed decimals; None chooses them (`auto_decimals`), so a count shows no ``.0``.

    Example:
        >>> fmt_number(1234.56, "nl"), fmt_number(1234.5, "en", 1), fmt_number(3.0, "en")
        ('1.235', '1,234.5', '3')
    """
    _check(lang)
    if _missing(x):
        return MISSING
    x = float(x)
    d = auto_decimals(x) if decimals is None else decimals
    text = f"{x:,.{d}f}"
    if text.lstrip("-").strip("0.,") == "":  # -0.00 reads as a sign without a value
        text = text.lstrip("-")
    if lang == "nl":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def _money(x: float, lang: str, decimals: int | None = None) -> str:
    """Euros, shortened to thousands or millions."""
    a = abs(x)
    if a >= 1e6:
        v, suffix = x / 1e6, (" M" if lang == "en" else " mln")
    elif a >= 1e3:
        v, suffix = x / 1e3, ("k" if lang == "en" else " k")
    else:
        v, suffix = x, ""
    if decimals is None:
        decimals = 1 if suffix and abs(v) < 100 else (2 if not suffix and a < 10 and not float(x).is_integer() else 0)
    prefix = "EUR " if lang == "en" else "€ "
    return f"{prefix}{fmt_number(v, lang, decimals)}{suffix}"


def fmt_value(x: float | None, unit: str, lang: str, decimals: int | None = None) -> str:
    """A display value in its unit: euros shortened with their sign, shares with ``%``, other units as a bare number.

    Days, counts, hours and rates are written without their unit: a table column or an axis names it
    (`sim.metrics.unit_label`).

    Args:
        x: the display value (already scaled); None or NaN gives ``-``.
        unit: a unit key of `sim.metrics` (``days``, ``%``, ``eur``, ``eur_m`` (millions), ``count``, ...).
        lang: ``en`` or ``nl``.
        decimals: fixed decimals (None: chosen from the size).

    Example:
        >>> fmt_value(9392.55, "eur", "en"), fmt_value(1.2, "eur_m", "nl"), fmt_value(45.25, "%", "nl")
        ('EUR 9.4k', '€ 1,2 mln', '45,2 %')
    """
    _check(lang)
    if _missing(x):
        return MISSING
    x = float(x)
    if unit in _MONEY:
        return _money(x * (1e6 if unit == "eur_m" else 1.0), lang, decimals)
    if unit == "%":
        return f"{fmt_number(x, lang, 1 if decimals is None else decimals)} %"
    return fmt_number(x, lang, decimals)


def fmt_interval(m: float | None, lo: float | None, hi: float | None, unit: str, lang: str) -> str:
    """A mean with its interval, all three with the same decimals: ``12.3 [10.1, 14.5]``.

    Money keeps one shortening for all three (``EUR 9.4k [8.1k, 10.2k]``), so bounds read on the mean's
    scale; a share puts its ``%`` after the mean (``45.3 % [40.1, 50.2]``).

    Example:
        >>> fmt_interval(12.34, 10.1, 14.56, "days", "nl")
        '12,3 [10,1, 14,6]'
    """
    _check(lang)
    if _missing(m):
        return MISSING
    vals = [float(v) for v in (m, lo, hi) if not _missing(v)]
    big = max(abs(v) for v in vals)
    if unit in _MONEY:
        f = 1e6 if unit == "eur_m" else 1.0
        ref = max(abs(v) * f for v in vals)
        div, suffix = (1e6, " M" if lang == "en" else " mln") if ref >= 1e6 else (1e3, "k" if lang == "en" else " k") \
            if ref >= 1e3 else (1.0, "")
        sc = [None if _missing(v) else float(v) * f / div for v in (m, lo, hi)]
        d = 1 if suffix and max(abs(v) for v in sc if v is not None) < 100 else (2 if not suffix and ref < 10 else 0)
        prefix = "EUR " if lang == "en" else "€ "
        mm, ll, hh = (fmt_number(v, lang, d) for v in sc)
        return f"{prefix}{mm}{suffix} [{ll}{suffix}, {hh}{suffix}]"
    if unit == "%":
        d = 1
    elif all(v.is_integer() for v in vals) or big >= 1000:
        d = 0
    else:  # the widest of the three decides, so the bounds line up with the mean
        d = 2 if big < 10 else 1
    mm, ll, hh = (fmt_number(v, lang, d) for v in (m, lo, hi))
    return f"{mm} % [{ll}, {hh}]" if unit == "%" else f"{mm} [{ll}, {hh}]"
