"""Number formatting for charts, tables and summaries, in GOV.UK style.

Every formatter accepts a number, a numeric string, a missing value (None, NaN,
pandas NA/NaT) or the suppression marker, and returns a string:

- missing values become `DASH` (an en dash), never "nan" or "None";
- suppressed values (`SUPPRESSED`, "*") stay "*", so a formatter can be mapped over
  a column that disclosure control has already been applied to;
- rounding is half-up on the decimal value (2.25 -> 2.3), as published statistics
  are, not Python's round-half-even on binary floats;
- negative values carry a leading hyphen-minus ("-£5,000", "-1.5%"), and a value
  that rounds to zero never shows as "-0".
"""

from __future__ import annotations

import functools
import math
from decimal import Decimal
from typing import Any

# The money rule and half-up rounding are shared with data_access's own sentences.
from data_access.number_format import MINUS, money_text, rounded_half_up, to_decimal

DASH = "–"  # shown for a missing value; an en dash, as GOV.UK tables use
SUPPRESSED = "*"  # shown for a value withheld by disclosure control

__all__ = [
    "DASH",
    "MINUS",
    "SUPPRESSED",
    "is_missing",
    "is_suppressed",
    "money",
    "number",
    "percent",
    "rate",
    "signed_percent",
    "to_decimal",
]


def is_missing(x: Any) -> bool:
    """True for None, NaN, pandas NA / NaT and empty strings."""
    kind = type(x)
    if kind is int:  # most cells: skip pandas' check
        return False
    if x is None:
        return True
    if isinstance(x, str):
        return x.strip() == ""
    if isinstance(x, float):
        return math.isnan(x)
    import pandas as pd

    return bool(pd.api.types.is_scalar(x) and pd.isna(x))


def is_suppressed(x: Any) -> bool:
    """True for the disclosure-control marker "*"."""
    return isinstance(x, str) and x.strip() == SUPPRESSED


def _placeholder(x: Any) -> str | None:
    if is_suppressed(x):
        return SUPPRESSED
    if is_missing(x):
        return DASH
    return None


def _grouped(value: Decimal, decimals: int) -> str:
    text = f"{abs(value):,.{decimals}f}"
    return f"{MINUS}{text}" if value < 0 else text


def number(x: Any, decimals: int = 0) -> str:
    """A count or value with thousands separators: 1234.5 -> "1,235" (decimals=0)."""
    kind = type(x)
    if (kind is float and x == x) or kind is int:
        # a plain number (most calls: table cells, labels): no placeholder to
        # look for, and its digits rounded as text, not through a Decimal
        if type(decimals) is int and 0 <= decimals <= _MOST_PLACES:
            text = _plain_number(x, decimals)
            if text is not None:
                return text
        value = Decimal(repr(x)) if kind is float else Decimal(x)
        return _grouped(rounded_half_up(value, decimals), decimals)
    placeholder = _placeholder(x)
    if placeholder is not None:
        return placeholder
    return _grouped(rounded_half_up(x, decimals), decimals)


_MOST_PLACES = 6
_POWERS = [10**k for k in range(_MOST_PLACES + 1)]


def _plain_number(x: float | int, decimals: int) -> str | None:
    """`number(x, decimals)` for a finite float or an int, read off the digits
    of repr(x) (the decimal it was written as, which to_decimal reads) in
    two-thirds of the Decimal road's time: half-up is "the first digit
    dropped is 5 or more". None for what it leaves to the Decimal road: an
    exponent ("1e+16"), an infinity, 16 or more whole digits."""
    text = repr(x)
    if "e" in text or "n" in text:
        return None
    whole, _, fraction = text.partition(".")
    negative = whole[0] == "-"
    if negative:
        whole = whole[1:]
    if len(whole) > 15:
        return None
    if len(fraction) > decimals:
        if fraction[decimals] >= "5":  # a carry: worked out on the whole number
            digits = int(whole + fraction[:decimals]) + 1
            if decimals:
                units, rest = divmod(digits, _POWERS[decimals])
                text = f"{units:,}.{str(rest).zfill(decimals)}"
            else:
                text = f"{digits:,}"
            return MINUS + text if negative else text  # never zero: carried
        fraction = fraction[:decimals]
    else:
        fraction = fraction.ljust(decimals, "0")
    # no carry: the digits as they are, grouped when there are thousands
    text = whole if len(whole) < 4 else f"{int(whole):,}"
    if decimals:
        text = f"{text}.{fraction}"
    # a value that rounds to zero never shows as "-0"
    if negative and (whole != "0" or fraction.strip("0")):
        return MINUS + text
    return text


def count_text(x: Any, precision: str = "exact") -> str:
    """A count as published: "about 47,000" for an approximate figure (quoted as
    "nearly 47,000"), else the count with thousands separators."""
    text = number(x)
    if precision == "approx" and _placeholder(x) is None:
        return f"about {text}"
    return text


def rate(x: Any, decimals: int = 1) -> str:
    """A rate (per 100,000 etc.) to one decimal place by default: 52.06 -> "52.1"."""
    return number(x, decimals)


def percent(x: Any, decimals: int = 1, *, fraction: bool = False) -> str:
    """A percentage: 19 -> "19.0%"; with fraction=True, 0.19 -> "19.0%"."""
    placeholder = _placeholder(x)
    if placeholder is not None:
        return placeholder
    value = to_decimal(x) * 100 if fraction else to_decimal(x)
    return number(value, decimals) + "%"


def signed_percent(x: Any, decimals: int = 1, *, fraction: bool = False) -> str:
    """A change as a percentage with its sign: 19 -> "+19.0%", -5 -> "-5.0%".

    A change that rounds to zero is shown unsigned ("0.0%").
    """
    placeholder = _placeholder(x)
    if placeholder is not None:
        return placeholder
    value = to_decimal(x) * 100 if fraction else to_decimal(x)
    rounded = rounded_half_up(value, decimals)
    sign = "+" if rounded > 0 else ""
    return sign + _grouped(rounded, decimals) + "%"


def money(amount: Any, *, pence: bool = False) -> str:
    """Pounds sterling, GOV.UK style, by the one rule that data_access's own
    sentences use too (data_access.number_format.money_text): "£1.16m", "£1m",
    "£880,000", "£12.50" with pence=True under £1,000, "-£5,000"."""
    if type(amount) is float and amount == amount:
        # A page writes the same amounts several times (bar, label, hover text,
        # table, summary): a plain float's text is worked out once per process.
        return _money_of_float(amount, pence)
    placeholder = _placeholder(amount)
    if placeholder is not None:
        return placeholder
    return money_text(amount, pence=pence)


@functools.lru_cache(maxsize=8192)
def _money_of_float(amount: float, pence: bool) -> str:
    # keyed by the float itself (and -0.0 is 0.0 here, as money_text treats it)
    return money_text(amount, pence=pence)
