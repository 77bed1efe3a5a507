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
- **One road per series**: `series_spc` decides, for one measure series, the
  chart (Laney u'/p' on the rate, else XmR), its step changes (funding start,
  marked breaks, published/illustrative switches) and the verdict; every page
  and the exception engine call it, so they cannot disagree.
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

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from data_access.statistics import POLARITIES, proportion_scale, rate_scale

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


FUNDING_STEP = "VRU funding began"
ILLUSTRATIVE_FROM_HERE = "Illustrative data from here"
PUBLISHED_FROM_HERE = "Published figures from here"


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
    # A segment with no events (or, for p', all successes) has no spread: its
    # z-scores are 0 / 0, its limits NaN, so no point is outside them.
    with np.errstate(divide="ignore", invalid="ignore"):
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
        # numpy reads None as NaN in a float array.
        num = np.asarray(numerators, dtype=float)
        den = np.asarray(denominators, dtype=float)
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
    return _chart(result, kind, step_changes, target)


def _chart(
    result: dict[str, Any],
    kind: str,
    step_changes: Sequence[StepChange],
    target: float | None,
) -> dict[str, Any]:
    """`spc_chart`'s result from an `_evaluate` result."""
    series, columns = result["series"], result["columns"]
    direction = result["direction"]
    point_types = _point_types(result)
    points = pd.DataFrame(
        {
            "value": series,
            **columns,
            "segment": result["segment_of"],
            "rules": ["; ".join(r) for r in result["fired"]],
            "point_type": point_types,
        }
    )
    return {
        "points": points,
        "segments": result["segments"],
        "variation": _result_variation(result, point_types),
        "assurance": _assurance(columns, point_types, direction, target),
        "method": _method_words(kind, step_changes),
    }


def _point_types(result: dict[str, Any]) -> list[str]:
    """Every point's type (`_point_type`) of an `_evaluate` result."""
    return [_point_type(result, i) for i in range(len(result["series"]))]


def _result_variation(result: dict[str, Any], point_types: list[str]) -> str:
    """The chart's variation of an `_evaluate` result and its `_point_types`:
    what `_chart` reports, and `series_spc(variation_only=True)` without the
    chart's frame of points."""
    return _variation(
        result["series"], result["columns"]["centre"], point_types, result["direction"]
    )


# The verdicts read the last point off the arrays the chart's frame is made of:
# filtering the frame and reading a row of it cost more than the verdicts
# (issue 19).


def _variation(
    values: np.ndarray, centres: np.ndarray, point_types: list[str], direction: int
) -> str:
    shown = [i for i, kind in enumerate(point_types) if kind != "no figure"]
    if not shown or point_types[shown[-1]] == "not assessed":
        return "not assessed"
    last = shown[-1]
    if point_types[last] == "common cause":
        return "common cause"
    high = "high" if values[last] > centres[last] else "low"
    if direction == 0:
        return f"special cause {high}"
    kind = (
        "improving" if point_types[last] == "special cause improving" else "concerning"
    )
    return f"{kind} {high}"


def _assurance(
    columns: dict[str, np.ndarray],
    point_types: list[str],
    direction: int,
    target: float | None,
) -> str | None:
    if target is None or direction == 0:
        return None
    shown = np.flatnonzero(~np.isnan(columns["upper"]))
    if not len(shown) or point_types[-1] == "not assessed":
        return None
    last = shown[-1]
    if target > columns["upper"][last]:
        return "consistently failing" if direction > 0 else "consistently passing"
    if target < columns["lower"][last]:
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


# ------------------------------------------------------- one series, one road

LANEY_KINDS = {"byar": "laney_u", "wilson": "laney_p"}


def series_steps(
    *,
    length: int,
    period_starts: Sequence[dt.date] | np.ndarray | None = None,
    illustrative: Sequence[bool] | np.ndarray | None = None,
    funding_start: dt.date | None = None,
    breaks: Sequence[tuple[dt.date, str]] = (),
) -> list[StepChange]:
    """The step changes of one series of `length` points in time order (its
    `period_starts` ascending), each named:

    - where VRU funding began (`funding_start`, 1 April of the first funded
      financial year): from the first period starting on or after it;
    - at each marked break of the series (`breaks`: (date, reason), e.g. a
      recording change): from the first period starting on or after the date;
    - wherever the figures switch between published and illustrative
      (`illustrative`, one flag per point): "Illustrative data from here" or
      "Published figures from here".

    A step at the first point would change nothing and is left out; reasons at
    one point are joined with "; " in the order above, each once."""
    reasons: dict[int, list[str]] = {}
    dated = [*([(funding_start, FUNDING_STEP)] if funding_start else []), *breaks]
    if dated and period_starts is not None:
        starts = np.asarray(period_starts, dtype="datetime64[D]")
        for date, text in dated:
            at = int(np.searchsorted(starts, np.datetime64(date, "D")))
            if 0 < at < length:
                reasons.setdefault(at, []).append(text)
    flags = None if illustrative is None else np.asarray(illustrative, dtype=bool)
    if flags is not None and length > 1 and flags.any() and not flags.all():
        for at in (np.flatnonzero(flags[1:] != flags[:-1]) + 1).tolist():
            text = ILLUSTRATIVE_FROM_HERE if flags[at] else PUBLISHED_FROM_HERE
            reasons.setdefault(at, []).append(text)
    return [
        StepChange(index=at, reason="; ".join(dict.fromkeys(texts)))
        for at, texts in sorted(reasons.items())
    ]


def series_spc(
    *,
    polarity: str,
    values: Sequence[float | None] | np.ndarray,
    numerators: Sequence[float | None] | np.ndarray | None = None,
    denominators: Sequence[float | None] | np.ndarray | None = None,
    ci_method: str = "none",
    rate_multiplier: float | None = None,
    period_starts: Sequence[dt.date] | np.ndarray | None = None,
    illustrative: Sequence[bool] | np.ndarray | None = None,
    funding_start: dt.date | None = None,
    breaks: Sequence[tuple[dt.date, str]] = (),
    target: float | None = None,
    latest_only: bool = False,
    variation_only: bool = False,
) -> dict[str, Any]:
    """The SPC verdict on one measure series: the one road every caller takes
    (the /violence SPC view and the public trend embed through
    data_access.trend_spc, the overview's "what changed" lines, workstream
    measures, and the exception engine for every stored series).

    Inputs, one per point in time order: `values` (the figures; None or NaN
    where there is none, or where it is hidden from the reader), and where the
    caller has them `numerators`, `denominators`, `period_starts` and the
    `illustrative` flags; the measure's `polarity`, `ci_method` and
    `rate_multiplier`; the area's `funding_start` (a date) and the series'
    marked `breaks` ((date, reason)).

    What it decides, and the fallback where an input is missing:
    - **the charted figure**: the measure's rate (numerator / denominator x
      `statistics.rate_scale`, as `statistics.rates_for` gives it) where the
      measure has one and some point with a figure has its numerator and a
      positive denominator; a point without them (or a proportion above 1, or a
      negative numerator) is then a gap. Otherwise, the values themselves
      (no numerators or denominators, or a count with no multiplier);
    - **the chart**: a Laney u' chart for a rate with a Byar interval, a Laney
      p' chart for a proportion with a Wilson interval (their denominators
      vary; Laney 2002), an XmR chart for any other charted figure;
    - **the step changes**: `series_steps` (funding start, marked breaks, every
      switch between published and illustrative figures); without
      `period_starts` no dated step is placed, without `illustrative` no
      source switch;
    - **the verdict**: the Making Data Count rules on that chart (`spc_chart`);
      fewer than SPC_MIN_POINTS charted figures in a segment give no signal.

    Returns {kind, column ("rate" or "value": what was charted), scale, steps
    (StepChange list; None on the `latest_only` path when too few points are
    charted for any signal), latest ((position, point_type, rules) of the last
    charted point, or None when nothing is charted)}, and unless
    `latest_only` (the exception engine's fast path: no DataFrame) also
    spc_chart's keys: points, segments, variation, assurance, method; with
    `variation_only` (the overview's sentences, which say only whether the
    latest figure is signal or noise) the chart's variation alone, the same
    word, without the frame of points that costs more than the rules (issue
    19)."""
    figures = np.asarray(values, dtype=float)
    length = len(figures)
    kind, column, scale = "xmr", "value", 1.0
    num = den = None
    measure = {"ci_method": ci_method, "rate_multiplier": rate_multiplier}
    per = (
        rate_scale(measure)
        if numerators is not None and denominators is not None
        else None
    )
    if per is not None:
        num = np.asarray(numerators, dtype=float)
        den = np.asarray(denominators, dtype=float)
        with np.errstate(invalid="ignore"):
            usable = ~np.isnan(figures) & (num >= 0) & (den > 0)
            if proportion_scale(measure) is not None:
                usable &= num <= den  # a share of at most the whole
        if usable.any():
            column, scale = "rate", per
            num = np.where(usable, num, math.nan)
            den = np.where(usable, den, math.nan)
            kind = LANEY_KINDS.get(ci_method, "xmr")
            figures = num / den * per
    out: dict[str, Any] = {"kind": kind, "column": column, "scale": scale}
    charted = np.flatnonzero(~np.isnan(figures))
    if latest_only and len(charted) < SPC_MIN_POINTS:
        # No segment can reach the minimum: the latest point is not assessed
        # (the exception engine's fast path: steps are not worked out).
        last = int(charted[-1]) if charted.size else None
        out["latest"] = None if last is None else (last, "not assessed", "")
        out["steps"] = None
        return out
    steps = out["steps"] = series_steps(
        length=length,
        period_starts=period_starts,
        illustrative=illustrative,
        funding_start=funding_start,
        breaks=breaks,
    )
    last = int(charted[-1]) if charted.size else None
    # Segments are judged each on its own, so the latest point's verdict needs
    # only its own segment: the fast path evaluates that one alone.
    begin = 0
    if latest_only and last is not None:
        begin = max([0, *(st.index for st in steps if st.index <= last)])
    part = slice(begin, None)
    chart_steps = [] if latest_only else steps
    if kind == "xmr":
        result = _evaluate(figures[part], polarity, kind, None, None, 1.0, chart_steps)
    else:
        result = _evaluate(
            None, polarity, kind, num[part], den[part], scale, chart_steps
        )
    out["latest"] = (
        None
        if last is None
        else (
            last,
            _point_type(result, last - begin),
            "; ".join(result["fired"][last - begin]),
        )
    )
    if variation_only and not latest_only:
        out["variation"] = _result_variation(result, _point_types(result))
    elif not latest_only:
        out.update(_chart(result, kind, steps, target))
    return out
