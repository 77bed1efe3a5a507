"""How an amount of money is written in words: the one rule, used by
components.formatting.money (tables, charts, tiles) and by the sentences that
data_access writes itself (trends' "what changed since last quarter").

Pure: no store, no web. components may import this module (and only this one from
data_access: .importlinter), because the rule has to be the same on both sides of
the layer boundary.

- £1 million and over: millions to 2 decimals, trailing zeros trimmed
  (1_160_000 -> "£1.16m", 1_500_000 -> "£1.5m", 1_000_000 -> "£1m");
- under £1 million: whole pounds with thousands separators ("£880,000"); with
  pence=True, amounts under £1,000 show pence ("£12.50"), for unit costs;
- negative amounts: "-£1.16m", "-£5,000"; rounding is half-up on the decimal
  value, as published statistics are, never Python's half-even on floats.
"""

from __future__ import annotations

import numbers
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

MINUS = "-"


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


def rounded_half_up(x: Any, decimals: int) -> Decimal:
    """`x` rounded half-up to `decimals` places; never "-0"."""
    quantum = Decimal(1).scaleb(-decimals)
    value = to_decimal(x).quantize(quantum, rounding=ROUND_HALF_UP)
    if value == 0:
        value = abs(value)
    return value


def money_text(amount: Any, *, pence: bool = False) -> str:
    """An amount of pounds written by the rule above (a number, not a missing
    value: components.formatting.money handles those)."""
    value = to_decimal(amount)
    sign = MINUS if value < 0 else ""
    value = abs(value)
    # Decide the band after rounding to pounds, so 999,999.60 becomes "£1m".
    if rounded_half_up(value, 0) >= 1_000_000:
        millions = rounded_half_up(value / Decimal(1_000_000), 2)
        text = f"{millions:,.2f}".rstrip("0").rstrip(".")
        body = f"£{text}m"
    else:
        decimals = 2 if pence and rounded_half_up(value, 2) < 1000 else 0
        rounded = rounded_half_up(value, decimals)
        body = f"£{rounded:,.{decimals}f}"
        if rounded == 0:
            sign = ""
    return sign + body
