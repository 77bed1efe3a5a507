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

import math
import numbers
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

DASH = "–"  # shown for a missing value; an en dash, as GOV.UK tables use
SUPPRESSED = "*"  # shown for a value withheld by disclosure control
MINUS = "-"

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


def to_decimal(x: Any) -> Decimal:
    """The exact decimal a value was written as (0.1 -> Decimal("0.1"))."""
    if isinstance(x, bool):
        raise TypeError(f"not a number: {x!r}")
    if isinstance(x, Decimal):
        return x
    if isinstance(x, numbers.Integral):
        return Decimal(int(x))
    if isinstance(x, numbers.Real):
        # repr gives the shortest string that round-trips, so 2.675 stays 2.675
        return Decimal(repr(float(x)))
    if isinstance(x, str):
        cleaned = x.strip().replace(",", "").replace("\u2212", "-")
        try:
            return Decimal(cleaned)
        except InvalidOperation:
            raise ValueError(f"not a number: {x!r}") from None
    raise TypeError(f"not a number: {x!r}")


def _rounded(x: Any, decimals: int) -> Decimal:
    quantum = Decimal(1).scaleb(-decimals)
    value = to_decimal(x).quantize(quantum, rounding=ROUND_HALF_UP)
    if value == 0:
        value = abs(value)  # never "-0.0"
    return value


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
    placeholder = _placeholder(x)
    if placeholder is not None:
        return placeholder
    return _grouped(_rounded(x, decimals), decimals)


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
    rounded = _rounded(value, decimals)
    sign = "+" if rounded > 0 else ""
    return sign + _grouped(rounded, decimals) + "%"


def money(amount: Any, *, pence: bool = False) -> str:
    """Pounds sterling, GOV.UK style.

    - £1 million and over: millions to 2 decimals, trailing zeros trimmed
      (1_160_000 -> "£1.16m", 3_370_000 -> "£3.37m", 1_000_000 -> "£1m");
    - under £1 million: whole pounds with thousands separators
      (880_000 -> "£880,000", 524 -> "£524"); with pence=True, amounts under
      £1,000 show pence ("£12.50"), for unit costs;
    - negative amounts: "-£1.16m", "-£5,000".
    """
    placeholder = _placeholder(amount)
    if placeholder is not None:
        return placeholder
    value = to_decimal(amount)
    sign = MINUS if value < 0 else ""
    value = abs(value)
    # Decide the band after rounding to pounds, so 999,999.60 becomes "£1m".
    if _rounded(value, 0) >= 1_000_000:
        millions = _rounded(value / Decimal(1_000_000), 2)
        text = f"{millions:,.2f}".rstrip("0").rstrip(".")
        body = f"£{text}m"
    else:
        decimals = 2 if pence and _rounded(value, 2) < 1000 else 0
        rounded = _rounded(value, decimals)
        body = f"£{rounded:,.{decimals}f}"
        if rounded == 0:
            sign = ""
    return sign + body
