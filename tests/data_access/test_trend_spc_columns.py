"""trend_spc (the SPC view of a trend) over the area's rows taken by position
into arrays gives what it gave over a filtered, sorted and re-indexed frame
(issue 19: CPU per uncached answer): the same points frame (values, dtypes,
index), steps, signals, segments and verdicts.

The replaced code is copied below ("as it was") and is the reference: both run
over 300 random trend views (benchmark rows around the area's, rows out of
order, hidden and missing figures, illustrative switches, breaks, funding
starts, rates and proportions) and over the shipped data's trend views.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from typing import Any

import numpy as np
import pandas as pd
import pytest

from data_access import periods, spc, trend_spc
from data_access.outcomes import trend_views
from data_access.scope import SYSTEM, Scope
from data_access.trend_spc import MIN_POINTS, SPC_COLUMNS, _label_start, _shown
from tests.one_request import one_request

AVON = "E23000036"

# --------------------------------------------------------------------- as it was


def _old_trend_spc(view: dict[str, Any]) -> dict[str, Any]:
    """The SPC chart of the area's series in `view` (a `trend_views.trend_view`
    result, already disclosed for its scope).

    Keys: points (SPC_COLUMNS, one row per period of the area's series: value is
    None where the figure is hidden or missing), steps [(period label, reason)],
    kind ("xmr", "laney_u", "laney_p"), column ("rate" or "value"), method (words
    for the caption), variation and variation_words (from the latest point),
    signals [(period label, point type, rules)] oldest first, assessed (bool:
    some segment has at least MIN_POINTS points), min_points."""
    own, result = _old_series_spc(view)
    column, kind, steps = result["column"], result["kind"], result["steps"]
    points = result["points"]
    frame = pd.DataFrame(
        {
            "period": own["period"],
            "period_start": own["period_start"],
            "period_end": own["period_end"],
            # the shown figure itself (the rate, or the value), so the chart and
            # table read as the trend; a gap where nothing was charted
            "value": [
                None if np.isnan(charted) else float(v)
                for v, charted in zip(own[column], points["value"], strict=True)
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


def _old_series_spc(view: dict[str, Any]) -> tuple[pd.DataFrame, dict[str, Any]]:
    """(the area's rows of the view's series, oldest first; `spc.series_spc` of
    them): the one adaptation of a trend view to the SPC road."""
    measure = view["measure"]
    series = view["series"]
    own = series[series["role"] == "area"].sort_values("period_start")
    own = own.reset_index(drop=True)
    hidden = own["suppressed"].astype(bool).to_numpy()
    labels = own["period"].tolist()
    starts = dict(zip(labels, own["period_start"], strict=True))
    funding = _label_start(view["funding_start"]) if view.get("funding_start") else None
    result = spc.series_spc(
        polarity=measure["polarity"],
        values=_shown(own["value"], hidden),
        numerators=_shown(own["numerator"], hidden),
        denominators=_shown(own["denominator"], hidden),
        ci_method=measure["ci_method"],
        rate_multiplier=measure["rate_multiplier"],
        period_starts=own["period_start"].tolist(),
        illustrative=own["illustrative"].astype(bool).to_numpy(),
        funding_start=funding,
        # a break is marked at its first period (area_trends.series_breaks)
        breaks=[
            (starts[label], text)
            for label, text in view.get("breaks") or []
            if label in starts
        ],
    )
    return own, result


def _same(new: dict, old: dict) -> None:
    assert new.keys() == old.keys()
    pd.testing.assert_frame_equal(new["points"], old["points"], check_exact=True)
    for key in new:
        if key != "points":
            assert new[key] == old[key] or (
                isinstance(new[key], float) and math.isnan(new[key])
            ), key


# ------------------------------------------------------------ random views

BYAR = {"polarity": "lower_is_better", "ci_method": "byar", "rate_multiplier": 1e5}
WILSON = {"polarity": "higher_is_better", "ci_method": "wilson", "rate_multiplier": 100}
COUNT = {"polarity": "no_judgement", "ci_method": "none", "rate_multiplier": None}


def _random_view(rng: random.Random) -> dict:
    measure = rng.choice([BYAR, WILSON, COUNT])
    n = rng.randint(0, 40)
    first = rng.randint(2010, 2018)
    starts = [dt.date(first + i // 4, (3 + 3 * i) % 12 + 1, 1) for i in range(n)]
    level = rng.uniform(20, 400)
    switch = rng.choice([None, None, rng.randint(0, max(n, 1))])
    rows = []
    for i, start in enumerate(starts):
        level *= rng.choice([1.0, 1.0, 1.0, 1.3, 0.7])
        count = float(round(level * rng.uniform(0.9, 1.1)))
        population = float(rng.randint(max(int(count), 1), 2_000_000))
        hidden = rng.random() < 0.08
        shown = None if hidden or rng.random() < 0.05 else count
        rows.append(
            {
                "role": "area",
                "period": periods.quarter_label(start),
                "period_start": start,
                "period_end": periods.quarter_end(start),
                "value": shown,
                "numerator": shown,
                "denominator": population,
                "rate": None if shown is None else shown / population * 1e5,
                "suppressed": hidden,
                "illustrative": switch is not None and i >= switch,
            }
        )
    bench = [
        row | {"role": "benchmark", "suppressed": False}
        for row in rows
        if rng.random() < 0.5
    ]
    rows = rows + bench if rng.random() < 0.5 else bench + rows
    if rng.random() < 0.3:
        rng.shuffle(rows)
    series = pd.DataFrame(
        rows,
        columns=[
            "role",
            "period",
            "period_start",
            "period_end",
            "value",
            "numerator",
            "denominator",
            "rate",
            "suppressed",
            "illustrative",
        ],
    )
    series["suppressed"] = series["suppressed"].astype(rng.choice([bool, object]))
    if rng.random() < 0.5:
        series["period"] = series["period"].astype("string")
    labels = [row["period"] for row in rows if row["role"] == "area"]
    breaks = [(rng.choice(labels), "a break")] if labels and rng.random() < 0.3 else []
    return {
        "measure": measure,
        "series": series,
        "funding_start": rng.choice([None, "2019/20 Q1", "2016/17"]),
        "breaks": breaks,
    }


@pytest.mark.parametrize("seed", range(3))
def test_the_spc_view_is_what_the_filtered_frame_gave(seed):
    """trend_spc against its frame form, 100 random trend views each."""
    rng = random.Random(seed)
    signalled = 0
    for _ in range(100):
        view = _random_view(rng)
        new = trend_spc.trend_spc(view)
        _same(new, _old_trend_spc(view))
        assert trend_spc.trend_variation(view) == new["variation"]
        signalled += bool(new["signals"])
    assert signalled > 10  # special causes come up, so the signals are compared


# ------------------------------------------------------------ shipped data


@pytest.mark.parametrize("scope", [SYSTEM, Scope(role="public")])
def test_the_shipped_spc_views_are_what_the_filtered_frame_gave(loaded_store, scope):
    """trend_spc against its frame form for every success measure in a force
    area with documented breaks, Avon and Somerset, and a region, both lengths."""
    compared = 0
    # one request (tests/one_request.py): the series the views share read once
    with one_request():
        for code in ("knife_offences", "hospital_admissions_knife", "homicide_knife"):
            for area_code in (AVON, "E23000005", "E23000029", "E12000009"):
                for length in ("quarter", "year"):
                    view = trend_views.trend_view(
                        scope=scope,
                        measure_code=code,
                        area_code=area_code,
                        length=length,
                    )
                    _same(trend_spc.trend_spc(view), _old_trend_spc(view))
                    compared += 1
    assert compared == 24
