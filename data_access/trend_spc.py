"""The SPC view of a trend: the area's series from `trend_views.trend_view` on an SPC
chart (data_access.spc, NHS England's Making Data Count rules).

One road: the /violence page's "SPC chart" view and the public trend embed's
variation icon both call `trend_spc` on what `trend_view` returned for their
scope, so the public one is worked out from the disclosed public series (a
figure hidden under disclosure control is a gap, never a value) and never from
raw counts.

Decisions a reader should know (also said in each chart's caption):
- The charted value is the one the trend chart draws: the rate (per the measure's
  multiplier, or a percentage), else the count.
- Chart: a Laney u' chart for rates with a Byar interval and a Laney p' chart for
  percentages with a Wilson interval, where every point shown has its numerator
  and denominator (their denominators vary, so limits allow for the populations;
  Laney 2002); otherwise an XmR chart of the values.
- Step changes: limits are recalculated, and the reason named, where VRU funding
  began for the area (or its force area) and at each marked break of the series
  (`area_trends.series_breaks`: recording changes, published figures giving way to
  illustrative ones, published annual figures giving way to sums of quarters).
- No signal from a segment of fewer than `spc.SPC_MIN_POINTS` points (12).
- No target, so no assurance icon: the success measures have none.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from data_access import spc

MIN_POINTS = spc.SPC_MIN_POINTS
FUNDING_REASON = "VRU funding began"
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


def _label_start(label: str) -> dt.date | None:
    """1 April of the financial year a period label ("2019/20 Q1") starts in."""
    return dt.date(int(label[:4]), 4, 1) if label[:4].isdigit() else None


def _kind(measure: dict, own: pd.DataFrame, column: str) -> str:
    if column != "rate":
        return "xmr"
    shown = own[own[column].notna()]
    whole = (
        shown["numerator"].notna().all()
        and shown["denominator"].notna().all()
        and bool((shown["denominator"] > 0).all())
    )
    if not whole or shown.empty:
        return "xmr"
    return {"byar": "laney_u", "wilson": "laney_p"}.get(measure["ci_method"], "xmr")


def _step_changes(
    own: pd.DataFrame, funding: str | None, breaks: list[tuple[str, str]]
) -> list[spc.StepChange]:
    """Step changes inside the series (never at its first point: a new segment
    there would change nothing), reasons at one point joined."""
    labels = own["period"].tolist()
    starts = own["period_start"].tolist()
    reasons: dict[int, list[str]] = {}
    if funding:
        begins = _label_start(funding)
        at = next((i for i, s in enumerate(starts) if begins and s >= begins), None)
        if at:
            reasons.setdefault(at, []).append(FUNDING_REASON)
    for label, text in breaks:
        if label in labels and labels.index(label) > 0:
            reasons.setdefault(labels.index(label), []).append(text)
    return [
        spc.StepChange(index=i, reason="; ".join(dict.fromkeys(texts)))
        for i, texts in sorted(reasons.items())
    ]


def trend_spc(view: dict[str, Any]) -> dict[str, Any]:
    """The SPC chart of the area's series in `view` (a `trend_views.trend_view`
    result, already disclosed for its scope).

    Keys: points (SPC_COLUMNS, one row per period of the area's series: value is
    None where the figure is hidden or missing), steps [(period label, reason)],
    kind ("xmr", "laney_u", "laney_p"), column ("rate" or "value"), method (words
    for the caption), variation and variation_words (from the latest point),
    signals [(period label, point type, rules)] oldest first, assessed (bool:
    some segment has at least MIN_POINTS points), min_points."""
    measure = view["measure"]
    series = view["series"]
    own = series[series["role"] == "area"].sort_values("period_start")
    own = own.reset_index(drop=True)
    column = "rate" if own["rate"].notna().any() else "value"
    kind = _kind(measure, own, column)
    steps = _step_changes(own, view.get("funding_start"), view.get("breaks") or [])
    hidden = own["suppressed"].astype(bool) | own[column].isna()
    if kind == "xmr":
        values = [
            None if h else float(v) for v, h in zip(own[column], hidden, strict=True)
        ]
        result = spc.spc_chart(
            values=values, polarity=measure["polarity"], step_changes=steps
        )
    else:
        scale = float(measure["rate_multiplier"]) if kind == "laney_u" else 100.0
        result = spc.spc_chart(
            kind=kind,
            numerators=[
                None if h else float(v)
                for v, h in zip(own["numerator"], hidden, strict=True)
            ],
            denominators=[
                None if h else float(v)
                for v, h in zip(own["denominator"], hidden, strict=True)
            ],
            scale=scale,
            polarity=measure["polarity"],
            step_changes=steps,
        )
    points = result["points"]
    frame = pd.DataFrame(
        {
            "period": own["period"],
            "period_start": own["period_start"],
            "period_end": own["period_end"],
            # the shown figure itself, so the chart and table read as the trend
            "value": [
                None if h else float(v)
                for v, h in zip(own[column], hidden, strict=True)
            ],
            "centre": points["centre"],
            "lower": points["lower"],
            "upper": points["upper"],
            "segment": points["segment"],
            "rules": points["rules"],
            "point_type": points["point_type"],
            "suppressed": own["suppressed"].astype(bool),
            "illustrative": own["illustrative"].astype(bool),
        }
    )
    labels = own["period"].tolist()
    signals = [
        (row.period, row.point_type, row.rules)
        for row in frame.itertuples()
        if row.point_type.startswith("special cause")
    ]
    return {
        "points": frame[SPC_COLUMNS],
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


def has_figures(view: dict[str, Any]) -> bool:
    """Whether the view's area series has any figure to chart."""
    series = view["series"]
    own = series[series["role"] == "area"]
    return bool(not own.empty and (own["rate"].notna() | own["value"].notna()).any())
