"""The SPC view of a trend: the area's series from `trend_views.trend_view` on an SPC
chart (data_access.spc, NHS England's Making Data Count rules).

One road: the /violence page's "SPC chart" view and the public trend embed's
variation icon both call `trend_spc` on what `trend_view` returned for their
scope, so the public one is worked out from the disclosed public series (a
figure hidden under disclosure control is a gap, never a value) and never from
raw counts.

Every decision is `spc.series_spc`'s (the one SPC road, shared with the
overview, the workstream measures and the exception engine); this module adapts
a trend view to it and its result to the page. Also said in each chart's caption:
- The charted value is the one the trend chart draws: the rate (per the measure's
  multiplier, or a percentage), else the count.
- Chart: a Laney u' chart for rates with a Byar interval and a Laney p' chart for
  proportions with a Wilson interval, on the points with a numerator and
  denominator (their denominators vary, so limits allow for the populations;
  Laney 2002); otherwise an XmR chart of the values.
- Step changes: limits are recalculated, and the reason named, where VRU funding
  began for the area (or its force area), at each marked break of the series
  (`area_trends.series_breaks`: recording changes, published annual figures
  giving way to sums of quarters) and wherever published figures give way to
  illustrative ones (or back).
- No signal from a segment of fewer than `spc.SPC_MIN_POINTS` points (12).
- No target, so no assurance icon: the success measures have none.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from data_access import spc

MIN_POINTS = spc.SPC_MIN_POINTS
FUNDING_REASON = spc.FUNDING_STEP
SPC_COLUMNS = [
    "period",
    "period_start",
    "period_end",
    "value",
    "centre",
    "lower",
    "upper",
    "segment",
    "rules",
    "point_type",
    "suppressed",
    "illustrative",
]


def _shown(column, hidden) -> np.ndarray:  # noqa: ANN001
    """The column as floats, NaN where the figure is hidden from the reader."""
    return np.where(hidden, np.nan, pd.to_numeric(column, errors="coerce"))


def _label_start(label: str) -> dt.date | None:
    """1 April of the financial year a period label ("2019/20 Q1") starts in."""
    return dt.date(int(label[:4]), 4, 1) if label[:4].isdigit() else None


def trend_spc(view: dict[str, Any]) -> dict[str, Any]:
    """The SPC chart of the area's series in `view` (a `trend_views.trend_view`
    result, already disclosed for its scope).

    Keys: points (SPC_COLUMNS, one row per period of the area's series: value is
    None where the figure is hidden or missing), steps [(period label, reason)],
    kind ("xmr", "laney_u", "laney_p"), column ("rate" or "value"), method (words
    for the caption), variation and variation_words (from the latest point),
    signals [(period label, point type, rules)] oldest first, assessed (bool:
    some segment has at least MIN_POINTS points), min_points."""
    own, result = _series_spc(view)
    column, kind, steps = result["column"], result["kind"], result["steps"]
    points = result["points"]
    labels = own["period"].tolist()
    point_types = points["point_type"].tolist()
    rules = points["rules"].tolist()
    frame = pd.DataFrame(
        {
            "period": own["period"],
            "period_start": own["period_start"],
            "period_end": own["period_end"],
            # the shown figure itself (the rate, or the value), so the chart and
            # table read as the trend; a gap where nothing was charted
            "value": [
                None if np.isnan(charted) else float(v)
                for v, charted in zip(
                    own[column], points["value"].tolist(), strict=True
                )
            ],
            # the chart's arrays, not its columns: no index to align (issue 19)
            **{
                name: points[name].to_numpy()
                for name in ("centre", "lower", "upper", "segment")
            },
            "rules": rules,
            "point_type": point_types,
            "suppressed": own["suppressed"],
            "illustrative": own["illustrative"],
        },
        columns=SPC_COLUMNS,
    )
    signals = [
        (label, point_type, rule)
        for label, point_type, rule in zip(labels, point_types, rules, strict=True)
        if point_type.startswith("special cause")
    ]
    return {
        "points": frame,
        "steps": [(labels[s.index], s.reason) for s in steps],
        "kind": kind,
        "column": column,
        "method": result["method"],
        "variation": result["variation"],
        "variation_words": spc.VARIATION_WORDS[result["variation"]],
        "signals": signals,
        "assessed": any(s["assessed"] for s in result["segments"]),
        "min_points": MIN_POINTS,
        "segments": [
            {
                "first": labels[s["start"]] if len(labels) > s["start"] else None,
                "last": labels[s["end"]] if len(labels) > s["end"] >= 0 else None,
                "points": s["points"],
                "assessed": s["assessed"],
                "centre": s["centre"],
                "reason": s["reason"],
            }
            for s in result["segments"]
        ],
    }


def trend_variation(view: dict[str, Any]) -> str:
    """`trend_spc(view)["variation"]` alone (data_access.spc.VARIATIONS): the
    overview's sentences need the latest point's variation, not the chart's
    table of points (issue 19)."""
    return _series_spc(view, variation_only=True)[1]["variation"]


def _series_spc(
    view: dict[str, Any], *, variation_only: bool = False
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the area's rows of the view's series, oldest first, as columns of
    arrays; `spc.series_spc` of them): the one adaptation of a trend view to
    the SPC road."""
    measure = view["measure"]
    own = _area_columns(view["series"])
    hidden = own["suppressed"]
    labels = own["period"].tolist()
    starts = dict(zip(labels, own["period_start"].tolist(), strict=True))
    funding = _label_start(view["funding_start"]) if view.get("funding_start") else None
    result = spc.series_spc(
        polarity=measure["polarity"],
        values=_shown(own["value"], hidden),
        numerators=_shown(own["numerator"], hidden),
        denominators=_shown(own["denominator"], hidden),
        ci_method=measure["ci_method"],
        rate_multiplier=measure["rate_multiplier"],
        period_starts=own["period_start"].tolist(),
        illustrative=own["illustrative"],
        funding_start=funding,
        # a break is marked at its first period (area_trends.series_breaks)
        breaks=[
            (starts[label], text)
            for label, text in view.get("breaks") or []
            if label in starts
        ],
        variation_only=variation_only,
    )
    return own, result


_AREA_COLUMNS = ("period", "period_start", "period_end", "value", "numerator")
_AREA_COLUMNS += ("denominator", "rate")


def _area_columns(series: pd.DataFrame) -> dict[str, Any]:
    """The area's rows of a trend view's series, oldest first: each column as
    an array of its own type (suppressed and illustrative as bools). Positions
    taken from plain lists: a filtered, sorted and re-indexed frame cost more
    than the chart's arithmetic (issue 19)."""
    starts = series["period_start"].tolist()
    rows = [i for i, role in enumerate(series["role"].tolist()) if role == "area"]
    if any(starts[a] > starts[b] for a, b in zip(rows, rows[1:], strict=False)):
        rows = sorted(rows, key=starts.__getitem__)
    at = np.array(rows, dtype=np.intp)
    own = {
        name: series[name].array.take(at) for name in _AREA_COLUMNS if name in series
    }
    for name in ("suppressed", "illustrative"):
        own[name] = series[name].astype(bool).to_numpy()[at]
    return own


def has_figures(view: dict[str, Any]) -> bool:
    """Whether the view's area series has any figure to chart."""
    series = view["series"]
    own = series[series["role"] == "area"]
    return bool(not own.empty and (own["rate"].notna() | own["value"].notna()).any())
