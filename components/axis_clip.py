"""No single area squashes an axis: the robust top of a value axis and the marks for
what runs past it. Pure presentation (no store).

The rule (OVERFLOW_RULE, said in each clipped chart's caption): a value axis reaches
the largest figure drawn, unless a figure lies beyond Tukey's "far out" fence of
the areas' furthest figures drawn (each area's rate, or its interval's upper end
where intervals are drawn), the upper quartile plus three times the interquartile range
(J. W. Tukey, Exploratory Data Analysis, Addison-Wesley 1977, section 2H; quartiles
by linear interpolation) and would stretch the axis to more than SQUASH (1.5) times
the furthest figure within the fence. Then the axis stops at the fence (never below the
benchmark), and a bar, interval or point that runs past it is drawn to the edge,
marked with OVERFLOW_MARK; tables give every figure in full.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

FENCE_IQR = 3.0
SQUASH = 1.5
MIN_VALUES = 4  # fewer areas than this: no quartiles worth the name, no clipping
OVERFLOW_MARK = "»"
OVERFLOW_RULE = (
    "The axis is scaled to the areas' usual range: it stops at the upper quartile "
    "plus three times the interquartile range of the areas' furthest figures "
    "drawn (Tukey's far-out fence), when a figure past it would stretch the axis "
    "to more than 1.5 times the furthest figure within it. A bar or point that "
    f"runs past it ends at the edge labelled {OVERFLOW_MARK} and its value; an "
    f"interval that runs past it ends at the edge with {OVERFLOW_MARK} after its "
    "label (the table gives every figure)."
)


def _finite(values: Iterable) -> list[float]:
    out = []
    for v in values:
        try:
            f = float(v)
        except (TypeError, ValueError):
            continue
        if math.isfinite(f):
            out.append(f)
    return out


def robust_top(ends: Iterable, benchmark: float | None = None) -> float | None:
    """The top of the value axis when something must be clipped, else None.

    `ends` holds each area's furthest figure drawn (its rate, or its interval's
    upper end where one is drawn); the fence is theirs, so an interval as wide as
    the others' is never clipped, only one far beyond them. The top is the fence,
    or the benchmark if that is higher, and only when some end lies beyond it."""
    shown = _finite(ends)
    if len(shown) < MIN_VALUES:
        return None
    q1, q3 = np.percentile(shown, [25, 75])
    fence = float(q3 + FENCE_IQR * (q3 - q1))
    bench = _finite([benchmark])
    top = max(fence, *bench) if bench else fence
    inside = [v for v in shown if v <= top]
    # Only an axis that would really be squashed: the furthest figure stretches
    # it to more than SQUASH times the furthest figure within the fence.
    if max(shown) <= top or not inside or max(shown) <= SQUASH * max(inside):
        return None
    return top


def furthest(values: Iterable, uppers: Iterable | None = None) -> list[float]:
    """Each area's furthest figure drawn: the larger of its value and its
    interval's upper end (missing ends ignored)."""
    vals = _finite_or_nan(values)
    highs = _finite_or_nan(uppers) if uppers is not None else [math.nan] * len(vals)
    return [
        max(v, h) if math.isfinite(h) else v for v, h in zip(vals, highs, strict=True)
    ]


def overflows(values: Iterable, top: float | None) -> list[bool]:
    """Which of `values` run past `top` (none when there is no top)."""
    return [top is not None and v > top for v in _finite_or_nan(values)]


def _finite_or_nan(values: Iterable) -> list[float]:
    out = []
    for v in values:
        try:
            out.append(float(v))
        except (TypeError, ValueError):
            out.append(math.nan)
    return out
