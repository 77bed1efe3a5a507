"""The SPC view of a trend (data_access.trend_spc) on hand-made trend views: the
chart kind follows the measure, limits are those of an independent Laney u'
calculation written here, the funding start recalculates them (named), hidden
figures are gaps, and short segments give no signal."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from data_access import trend_spc

MEASURE = {"polarity": "lower_is_better", "ci_method": "byar", "rate_multiplier": 1e5}


def _view(counts, populations, *, suppressed=(), funding=None, breaks=()):
    n = len(counts)
    starts = [
        dt.date(2014 + (3 + 3 * i) // 12, (3 + 3 * i) % 12 + 1, 1) for i in range(n)
    ]
    labels = [
        f"{s.year if s.month >= 4 else s.year - 1}/xx Q{i}"
        for i, s in enumerate(starts)
    ]
    hidden = [i in suppressed for i in range(n)]
    shown = [None if h else float(c) for c, h in zip(counts, hidden, strict=True)]
    series = pd.DataFrame(
        {
            "role": "area",
            "period": labels,
            "period_start": starts,
            "period_end": starts,
            "value": shown,
            "numerator": shown,
            "denominator": [float(p) for p in populations],
            "rate": [
                None if h else c / p * 1e5
                for c, p, h in zip(counts, populations, hidden, strict=True)
            ],
            "suppressed": hidden,
            "illustrative": False,
        }
    )
    return {
        "measure": MEASURE,
        "series": series,
        "funding_start": funding,
        "breaks": list(breaks),
    }


def _laney_u(counts, populations):
    """Laney (2002) u' limits per point, independently: z-scores against the
    pooled rate, sigma_z = mean moving range of z / 1.128."""
    c, n = np.asarray(counts, float), np.asarray(populations, float)
    u = c.sum() / n.sum()
    sigma = np.sqrt(u / n)
    z = (c / n - u) / sigma
    sigma_z = np.abs(np.diff(z)).mean() / 1.128
    return u * 1e5, (u - 3 * sigma * sigma_z) * 1e5, (u + 3 * sigma * sigma_z) * 1e5


RNG = np.random.default_rng(7)
COUNTS = [int(v) for v in RNG.poisson(120, 30)]
POPS = [int(v) for v in RNG.integers(900_000, 1_100_000, 30)]


def test_laney_limits_and_a_named_step_at_the_funding_start():
    view = _view(COUNTS, POPS)
    funding = view["series"]["period"].iloc[14]
    view["funding_start"] = funding[:7] + " Q1"  # the label's year decides
    result = trend_spc.trend_spc(view)
    assert result["kind"] == "laney_u" and result["column"] == "rate"
    at = next(
        i for i, s in enumerate(view["series"]["period_start"])
        if s >= dt.date(int(funding[:4]), 4, 1)
    )  # fmt: skip
    assert result["steps"] == [(view["series"]["period"].iloc[at], "VRU funding began")]
    points = result["points"]
    for part in (slice(0, at), slice(at, 30)):
        centre, lower, upper = _laney_u(COUNTS[part], POPS[part])
        if len(COUNTS[part]) < 12:
            assert points["centre"].iloc[part].isna().all()
            continue
        np.testing.assert_allclose(points["centre"].iloc[part], centre)
        np.testing.assert_allclose(points["lower"].iloc[part], lower)
        np.testing.assert_allclose(points["upper"].iloc[part], upper)


def test_hidden_figures_are_gaps_not_values():
    view = _view(COUNTS[:14], POPS[:14], suppressed={3})
    result = trend_spc.trend_spc(view)
    points = result["points"]
    assert points["value"].iloc[3] is None or np.isnan(points["value"].iloc[3])
    assert points["point_type"].iloc[3] == "no figure"
    shown = [i for i in range(14) if i != 3]
    centre, lower, upper = _laney_u(
        [COUNTS[i] for i in shown], [POPS[i] for i in shown]
    )
    np.testing.assert_allclose(points["centre"].iloc[shown], centre)
    np.testing.assert_allclose(points["upper"].iloc[shown], upper)


def test_xmr_without_numerators_and_no_signal_from_11_points():
    """Without numerators there is no rate to put on a Laney chart: the shared
    road's fallback (spc.series_spc) is an XmR chart of the values."""
    view = _view(COUNTS[:11], POPS[:11])
    view["series"]["numerator"] = None
    result = trend_spc.trend_spc(view)
    assert result["kind"] == "xmr"
    assert result["variation"] == "not assessed" and not result["assessed"]
    assert result["min_points"] == 12
    # 12 points: assessed, XmR limits mean +/- 2.66 mean moving range
    view = _view(COUNTS[:12], POPS[:12])
    view["series"]["numerator"] = None
    result = trend_spc.trend_spc(view)
    assert result["column"] == "value"
    counts = np.asarray(COUNTS[:12], float)
    ranges = np.abs(np.diff(counts))
    ranges = ranges[ranges < 3.267 * ranges.mean()]
    assert result["points"]["upper"].iloc[0] == pytest.approx(
        counts.mean() + 2.66 * ranges.mean()
    )
    np.testing.assert_allclose(result["points"]["value"].astype(float), counts)


def test_a_point_outside_the_limits_is_a_signal_with_its_rule():
    counts = [100] * 6 + [104, 96] * 4 + [240]
    pops = [1_000_000] * len(counts)
    result = trend_spc.trend_spc(_view(counts, pops))
    last = result["points"].iloc[-1]
    assert last["point_type"] == "special cause concerning"  # lower is better
    assert "outside limits" in last["rules"]
    assert result["signals"][-1][0] == last["period"]
    assert result["variation"] == "concerning high"
