"""Statistical process control: is a change signal or noise?

Follows NHS England's *Making Data Count* ("Plot the Dots") method as implemented
by the NHS-R community's NHSRplotthedots R package (`ptd_spc_standard`,
`ptd_calculate_point_type`, `ptd_calculate_assurance_type`), so every series in the
app says whether a change is common-cause variation or a special cause, instead of
comparing two points:

- **XmR (individuals) chart**: centre line the mean; natural process limits
  mean +/- 2.66 x the mean moving range (2.66 = 3 / d2, d2 = 1.128 for ranges of two
  points). Moving ranges above 3.267 x their mean (the upper range limit, D4 for
  n = 2) are screened out and the mean moving range recalculated, as
  NHSRplotthedots does by default, so one outlier does not widen the limits.
- **Laney u' and p' charts** for rates and proportions whose denominators vary
  (Laney 2002, "Improved control charts for attributes", Quality Engineering
  14(4):531-537): each point's Poisson (u') or binomial (p') sigma is multiplied
  by sigma_z, the mean moving range of the points' z-scores divided by 1.128, so
  limits allow for the between-period variation that large denominators make
  the plain u and p charts flag as special cause.
- **Special-cause rules** (Making Data Count): a point outside the limits; a run
  of 7 or more points on one side of the centre line; a run of 7 or more points
  each higher (or each lower) than the one before; two of three consecutive points
  beyond 2 sigma (between the two-sigma line and the limit) with all three on the
  same side of the centre line. A point exactly on a limit is not outside it; a
  point exactly on the centre line breaks a run; equal neighbours break a trend.
- **Step changes** (e.g. VRU funding began) start a new segment whose centre line
  and limits are calculated afresh; they are always named in the result, never
  applied silently.
- **Minimum points**: a segment of fewer than `SPC_MIN_POINTS` (12, the
  short-group threshold in NHSRplotthedots) gets no limits and no signal: its
  points are "not assessed".
- **Variation icon** from the last point (common cause; special cause improving,
  concerning or, for measures with no polarity, neither; high or low), and
  **assurance icon** from where the target sits against the last point's limits
  (consistently passing, consistently failing, or hit and miss).

Polarity comes from the measure row (`higher_is_better`, `lower_is_better`,
`no_judgement`). As in NHSRplotthedots, a special-cause point is improving when it
lies on the better side of the centre line.

Pure functions on numpy and pandas: no SQL, no Dash.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from data_access.statistics import POLARITIES

SPC_MIN_POINTS = 12
RUN_LENGTH = 7
# d2 = 1.128, the bias constant for moving ranges of two points; Making Data Count
# uses 3 / d2 rounded to 2.66 for the XmR limits.
D2 = 1.128
XMR_LIMIT = 2.66
# Upper range limit for moving ranges of two points (D4).
MOVING_RANGE_SCREEN = 3.267

CHART_KINDS = ("xmr", "laney_u", "laney_p")
RULES = ("outside limits", "run of 7", "trend of 7", "2 of 3 near a limit")
POINT_TYPES = (
    "common cause",
    "special cause improving",
    "special cause concerning",
    "special cause high",
    "special cause low",
    "not assessed",
    "no figure",
)
VARIATIONS = (
    "common cause",
    "improving high",
    "improving low",
    "concerning high",
    "concerning low",
    "special cause high",
    "special cause low",
    "not assessed",
)
ASSURANCES = ("consistently passing", "consistently failing", "hit and miss")

VARIATION_WORDS = {
    "common cause": "Common cause variation: no signal of change",
    "improving high": "Special cause variation: improving (higher)",
    "improving low": "Special cause variation: improving (lower)",
    "concerning high": "Special cause variation: concerning (higher)",
    "concerning low": "Special cause variation: concerning (lower)",
    "special cause high": "Special cause variation: higher (no judgement)",
    "special cause low": "Special cause variation: lower (no judgement)",
    "not assessed": f"Not assessed: fewer than {SPC_MIN_POINTS} points",
}
ASSURANCE_WORDS = {
    "consistently passing": "The target will consistently be met",
    "consistently failing": "The target will consistently be missed",
    "hit and miss": "The target will be met and missed at random",
}


@dataclass(frozen=True)
class StepChange:
    """A known change of process from `index` (position in the series) on."""

    index: int
    reason: str


SOURCE_SWITCH = "the figures' source changes"


def source_step_changes(illustrative: Sequence[bool] | np.ndarray) -> list[StepChange]:
    """A step change wherever a series switches between published and
    illustrative figures (per point, in time order): the limits are recalculated
    from the first point of the new source, and the step is named."""
    flags = np.asarray(illustrative, dtype=bool)
    return [
        StepChange(index=int(i) + 1, reason=SOURCE_SWITCH)
        for i in np.flatnonzero(flags[1:] != flags[:-1])
    ]


def _improvement_sign(polarity: str) -> int:
    if polarity not in POLARITIES:
        raise ValueError(f"polarity must be one of {POLARITIES}, not {polarity!r}")
    return {"higher_is_better": 1, "lower_is_better": -1, "no_judgement": 0}[polarity]


def _xmr_limits(values: np.ndarray) -> tuple[float, float]:
    """Mean and screened mean moving range of one segment (NaN values skipped)."""
    present = values[~np.isnan(values)]
    centre = float(present.mean())
    ranges = np.abs(np.diff(present))
    mean_range = float(ranges.mean())
    kept = ranges[ranges < MOVING_RANGE_SCREEN * mean_range]
    if kept.size:
        mean_range = float(kept.mean())
    return centre, mean_range


def _segment_limits(
    kind: str,
    values: np.ndarray,
    numerators: np.ndarray | None,
    denominators: np.ndarray | None,
    scale: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Centre line, and per point the width that the limit multiplier scales:
    the mean moving range for XmR, sigma for the Laney charts."""
    n = len(values)
    if kind == "xmr":
        # Making Data Count states XmR limits in mean moving ranges (2.66 of them,
        # 3 sigma; 2 sigma is two thirds of that), so the width unit is the range.
        centre, mean_range = _xmr_limits(values)
        return np.full(n, centre), np.full(n, mean_range)
    present = ~np.isnan(values)
    num = numerators[present]
    den = denominators[present]
    rate = num.sum() / den.sum()
    if kind == "laney_u":
        point_sigma = np.sqrt(rate / denominators)
    else:
        point_sigma = np.sqrt(rate * (1 - rate) / denominators)
    z = (numerators / denominators - rate) / point_sigma
    sigma_z = float(np.abs(np.diff(z[present])).mean() / D2)
    return np.full(n, rate * scale), point_sigma * sigma_z * scale


def _runs(flags: np.ndarray, length: int) -> np.ndarray:
    """Mark every position inside a run of `length` or more consecutive Trues."""
    marked = np.zeros(len(flags), dtype=bool)
    start = None
    # A plain list: a loop over a few dozen Python booleans costs less than the
    # numpy calls that would find the run edges.
    for i, flag in enumerate([*np.asarray(flags, dtype=bool).tolist(), False]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            if i - start >= length:
                marked[start:i] = True
            start = None
    return marked


def _segment_rules(
    values: np.ndarray,
    centre: np.ndarray,
    sigma: np.ndarray,
    limit: float,
) -> dict[str, np.ndarray]:
    """Which rule each point of one segment fires (points without NaN only).

    The limits are centre +/- limit x sigma; "near a limit" is beyond two thirds
    of that (2 sigma)."""
    upper, lower = centre + limit * sigma, centre - limit * sigma
    near_upper = centre + (2 / 3) * limit * sigma
    near_lower = centre - (2 / 3) * limit * sigma
    outside = (values > upper) | (values < lower)
    side = np.sign(values - centre)
    run = _runs(side > 0, RUN_LENGTH) | _runs(side < 0, RUN_LENGTH)
    # A trend of 7 points is 6 successive rises (or falls) in a row.
    steps = np.sign(np.diff(values))
    rising = _runs(steps > 0, RUN_LENGTH - 1)
    falling = _runs(steps < 0, RUN_LENGTH - 1)
    trend = np.zeros(len(values), dtype=bool)
    for i in np.flatnonzero(rising | falling):
        trend[i : i + 2] = True
    near = ~outside & ((values > near_upper) | (values < near_lower))
    two_of_three = np.zeros(len(values), dtype=bool)
    # Windows of three consecutive points: at least two near a limit, all three
    # on the same side (summed over the window at once, not point by point).
    near_count = near[:-2].astype(int) + near[1:-1] + near[2:]
    side_sum = side[:-2] + side[1:-1] + side[2:]
    for i in np.flatnonzero((near_count >= 2) & (np.abs(side_sum) == 3)):
        two_of_three[i : i + 3] |= near[i : i + 3]
    return {
        "outside limits": outside,
        "run of 7": run,
        "trend of 7": trend,
        "2 of 3 near a limit": two_of_three,
        "upper": upper,
        "lower": lower,
        "near_upper": near_upper,
        "near_lower": near_lower,
    }


def _evaluate(
    values: Sequence[float | None] | np.ndarray | None,
    polarity: str,
    kind: str,
    numerators: Sequence[float | None] | np.ndarray | None,
    denominators: Sequence[float | None] | np.ndarray | None,
    scale: float,
    step_changes: Sequence[StepChange],
) -> dict[str, Any]:
    """The calculation behind `spc_chart` on plain numpy arrays (no DataFrame), so
    code that judges many series at once (data_access.exceptions) pays for the
    rules only: series, the limit columns, segment_of, fired (rules per point),
    assessed (per point), segments and direction; `_point_type` reads a point's
    type from it."""
    if kind not in CHART_KINDS:
        raise ValueError(f"kind must be one of {CHART_KINDS}, not {kind!r}")
    direction = _improvement_sign(polarity)
    num = den = None
    if kind == "xmr":
        if values is None:
            raise ValueError("an XmR chart needs values")
        # numpy reads None as NaN in a float array.
        series = np.asarray(values, dtype=float)
    else:
        if numerators is None or denominators is None:
            raise ValueError("a Laney chart needs numerators and denominators")
        num = np.asarray([math.nan if v is None else v for v in numerators], float)
        den = np.asarray([math.nan if v is None else v for v in denominators], float)
        if len(num) != len(den):
            raise ValueError("numerators and denominators differ in length")
        valid = ~np.isnan(num) & ~np.isnan(den)
        if np.any(den[valid] <= 0) or np.any(num[valid] < 0):
            raise ValueError("denominators must be positive and numerators >= 0")
        if kind == "laney_p" and np.any(num[valid] > den[valid]):
            raise ValueError("a proportion's numerator cannot exceed its denominator")
        num = np.where(valid, num, math.nan)
        den = np.where(valid, den, math.nan)
        series = num / den * scale
    if np.any(np.isinf(series)):
        raise ValueError("values must be finite")
    n = len(series)
    starts = sorted({0, *(s.index for s in step_changes)})
    if any(not 0 <= s < max(n, 1) for s in starts):
        raise ValueError("a step change lies outside the series")
    reasons = {s.index: s.reason for s in step_changes}
    bounds = [*starts, n]

    columns = {
        name: np.full(n, math.nan)
        for name in ("centre", "lower", "upper", "near_lower", "near_upper")
    }
    segment_of = np.zeros(n, dtype=int)
    fired: list[list[str]] = [[] for _ in range(n)]
    assessed_point = np.zeros(n, dtype=bool)
    segments = []
    for number, (start, end) in enumerate(zip(bounds[:-1], bounds[1:], strict=True)):
        part = slice(start, end)
        segment_of[part] = number
        present = np.flatnonzero(~np.isnan(series[part])) + start
        assessed = len(present) >= SPC_MIN_POINTS
        segment = {
            "start": start,
            "end": end - 1,
            "points": int(len(present)),
            "reason": reasons.get(start, "start of series" if start == 0 else ""),
            "assessed": assessed,
            "centre": math.nan,
        }
        segments.append(segment)
        if not assessed:
            continue
        centre, sigma = _segment_limits(
            kind,
            series[present],
            None if num is None else num[present],
            None if den is None else den[present],
            scale,
        )
        limit = XMR_LIMIT if kind == "xmr" else 3.0
        rules = _segment_rules(series[present], centre, sigma, limit)
        segment["centre"] = float(centre[0])
        columns["centre"][present] = centre
        for name in ("lower", "upper", "near_lower", "near_upper"):
            columns[name][present] = rules[name]
        for rule in RULES:
            for position in present[rules[rule]]:
                fired[position].append(rule)
        assessed_point[present] = True

    return {
        "series": series,
        "columns": columns,
        "segment_of": segment_of,
        "fired": fired,
        "assessed": assessed_point,
        "segments": segments,
        "direction": direction,
    }


def _point_type(result: dict[str, Any], i: int) -> str:
    """Point i's type (POINT_TYPES) from an `_evaluate` result: no figure, not
    assessed, common cause, else a special cause by its side of the centre line
    and the measure's polarity."""
    value = result["series"][i]
    if np.isnan(value):
        return "no figure"
    if not result["assessed"][i]:
        return "not assessed"
    if not result["fired"][i]:
        return "common cause"
    high = value > result["columns"]["centre"][i]
    direction = result["direction"]
    if direction == 0:
        return "special cause high" if high else "special cause low"
    if (1 if high else -1) == direction:
        return "special cause improving"
    return "special cause concerning"


def latest_point(
    *,
    values: Sequence[float | None] | np.ndarray,
    polarity: str,
    step_changes: Sequence[StepChange] = (),
) -> tuple[int, str, str] | None:
    """The last point with a figure of an XmR chart (`spc_chart` with the same
    arguments): (its position, its point_type, the rules it is part of joined by
    "; "), or None when the series has no figure. The same calculation as
    `spc_chart` without building its DataFrame: data_access.exceptions runs it on
    every measure series after each approval and import."""
    result = _evaluate(values, polarity, "xmr", None, None, 1.0, step_changes)
    present = np.flatnonzero(~np.isnan(result["series"]))
    if not present.size:
        return None
    last = int(present[-1])
    return last, _point_type(result, last), "; ".join(result["fired"][last])


def spc_chart(
    *,
    values: Sequence[float | None] | np.ndarray | None = None,
    polarity: str,
    kind: str = "xmr",
    numerators: Sequence[float | None] | np.ndarray | None = None,
    denominators: Sequence[float | None] | np.ndarray | None = None,
    scale: float = 1.0,
    step_changes: Sequence[StepChange] = (),
    target: float | None = None,
) -> dict[str, Any]:
    """An SPC chart of one series in time order, by the Making Data Count rules.

    `kind="xmr"` takes `values`. The Laney charts take `numerators` and
    `denominators` (events and population for `laney_u`, successes and trials
    for `laney_p`); their values are numerator / denominator x `scale` (e.g.
    100,000 for a rate per 100,000, 100 for a percentage). A missing value
    (None or NaN) is a "no figure" point, skipped by the calculation.

    Returns a dict:
    - `points`: DataFrame, one row per input position: value, centre, lower,
      upper (natural process limits), near_lower, near_upper (2 sigma), segment
      (0, 1, ...), rules (the special-cause rules the point is part of, joined
      by "; ", "" for none), point_type (one of POINT_TYPES);
    - `segments`: list of {start, end, points, reason, assessed, centre};
    - `variation`: one of VARIATIONS (from the last point with a figure);
    - `assurance`: one of ASSURANCES, or None without a target, for a measure
      with no polarity, or when the last segment is not assessed;
    - `method`: the method in words, for captions.
    """
    result = _evaluate(
        values, polarity, kind, numerators, denominators, scale, step_changes
    )
    series, columns = result["series"], result["columns"]
    direction = result["direction"]
    points = pd.DataFrame(
        {
            "value": series,
            **columns,
            "segment": result["segment_of"],
            "rules": ["; ".join(r) for r in result["fired"]],
            "point_type": [_point_type(result, i) for i in range(len(series))],
        }
    )
    return {
        "points": points,
        "segments": result["segments"],
        "variation": _variation(points, direction),
        "assurance": _assurance(points, direction, target),
        "method": _method_words(kind, step_changes),
    }


def _variation(points: pd.DataFrame, direction: int) -> str:
    shown = points[points["point_type"] != "no figure"]
    if shown.empty or shown["point_type"].iloc[-1] == "not assessed":
        return "not assessed"
    last = shown.iloc[-1]
    if last["point_type"] == "common cause":
        return "common cause"
    high = "high" if last["value"] > last["centre"] else "low"
    if direction == 0:
        return f"special cause {high}"
    kind = (
        "improving" if last["point_type"] == "special cause improving" else "concerning"
    )
    return f"{kind} {high}"


def _assurance(
    points: pd.DataFrame, direction: int, target: float | None
) -> str | None:
    if target is None or direction == 0:
        return None
    shown = points[~points["upper"].isna()]
    if shown.empty or points["point_type"].iloc[-1] == "not assessed":
        return None
    last = shown.iloc[-1]
    if target > last["upper"]:
        return "consistently failing" if direction > 0 else "consistently passing"
    if target < last["lower"]:
        return "consistently passing" if direction > 0 else "consistently failing"
    return "hit and miss"


def _method_words(kind: str, step_changes: Sequence[StepChange]) -> str:
    chart = {
        "xmr": "XmR chart: mean +/- 2.66 x mean moving range",
        "laney_u": "Laney u' chart (rates with varying populations)",
        "laney_p": "Laney p' chart (proportions with varying denominators)",
    }[kind]
    words = (
        f"{chart}; special causes by the NHS Making Data Count rules (outside the "
        "limits, 7 points on one side, 7 rising or falling, 2 of 3 beyond 2 sigma); "
        f"no signal from fewer than {SPC_MIN_POINTS} points"
    )
    if step_changes:
        named = "; ".join(s.reason for s in step_changes)
        words += f"; limits recalculated at: {named}"
    return words
