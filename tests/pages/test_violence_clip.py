"""/violence's ranking of the areas within an area clips its axis as /compare
and the compare embed do (web.compare_charts.clip_top: Tukey's far-out fence),
naming what runs past the edge in its caption (overflow_note), so one area with
a wide interval no longer squashes every other bar.

Catches: the ranking drawn to the outlier's interval end (it was: /violence
called ranked_bar_figure without an axis top), a clip worked out its own way,
or a clipped axis with no word in the caption."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from data_access.areas import NATIONAL_CODE
from data_access.scope import SYSTEM
from tests.pages.test_violence import _by_id

OUTLIER = "Avon and Somerset"


@pytest.fixture
def violence(loaded_store, monkeypatch):
    from app import app  # noqa: F401 - registers the pages
    from pages import violence

    monkeypatch.setattr(violence, "current_scope", lambda: SYSTEM)
    return violence


def _figure(tree) -> dict:
    graph = _by_id(tree, "violence-children-graph")
    return graph["props"]["figure"]


def _with_outlier(monkeypatch, violence) -> dict:
    """children_of as the page reads it, with one force area's interval
    stretched to 30 times the furthest interval end of the others."""
    real = violence.area_trends.children_of
    seen = {}

    def stretched(*args, **kwargs):
        kids = real(*args, **kwargs).copy()
        at = kids.index[kids["area_name"] == OUTLIER][0]
        far = 30 * float(kids["rate_upper"].max())
        kids.loc[at, "rate_upper"] = far
        seen["far"], seen["kids"] = far, kids
        return kids

    monkeypatch.setattr(violence.area_trends, "children_of", stretched)
    return seen


def _content(violence, measure="knife_offences") -> dict:
    content = violence.show_trend(measure, NATIONAL_CODE, "year", "all", "", "")
    return json.loads(json.dumps(content, default=lambda o: o.to_plotly_json()))


@pytest.mark.parametrize("measure", ["knife_offences", "knife_offences_share"])
def test_the_force_area_ranking_clips_as_compare_does(violence, monkeypatch, measure):
    from components.bar_figures import ranked_bar_figure
    from web.compare_charts import OVERFLOW_RULE, clip_top

    seen = _with_outlier(monkeypatch, violence)
    tree = _content(violence, measure)
    axis_end = _figure(tree)["layout"]["xaxis"]["range"][1]
    # the fence by hand (Tukey 1977: Q3 + 3 IQR of each area's furthest
    # figure drawn), from the figures the chart draws (its CSV's)
    kids = seen["kids"]
    ranked = kids[kids["area_name"].isin(_csv_areas(tree))]
    shown = ranked[~ranked["suppressed"].astype(bool)]
    ends = pd.concat([shown["rate"], shown["rate_upper"]], axis=1).max(axis=1)
    q1, q3 = ends.quantile(0.25), ends.quantile(0.75)
    fence = q3 + 3 * (q3 - q1)
    assert axis_end < seen["far"] / 5, "the outlier still sets the axis"
    assert axis_end == pytest.approx(1.03 * fence, rel=0.01)
    # ... and exactly /compare's clip of the same figures
    frame = ranked.assign(
        rate=ranked["rate"].where(~ranked["suppressed"].astype(bool)),
        rate_upper=ranked["rate_upper"],
        benchmark_rate=float("nan"),
        name=ranked["area_name"],
    )
    top = clip_top(frame)
    assert top is not None
    expected = ranked_bar_figure(
        frame,
        label="name",
        value="rate",
        upper="rate_upper",
        lower="rate_upper",
        axis_top=top,
        value_title="x",
    )["layout"]["xaxis"]["range"][1]
    assert axis_end == pytest.approx(expected)
    # the caption says so, in /compare's words (overflow_note)
    text = json.dumps(tree, ensure_ascii=False)
    assert OVERFLOW_RULE in text
    assert f"Past the edge: {OUTLIER} (interval to" in text


def test_an_unsquashed_ranking_is_not_clipped(violence):
    """The shipped knife offences: no force area is that far out (City of London
    is left out of the ranking): the axis reaches the furthest figure, and the
    caption says nothing of an edge."""
    tree = _content(violence)
    assert "Past the edge" not in json.dumps(tree)
    csv_rows = _csv(tree)
    furthest = csv_rows[["Rate per 100,000 residents", "Upper 95% CI"]].max().max()
    axis_end = _figure(tree)["layout"]["xaxis"]["range"][1]
    assert axis_end == pytest.approx(1.03 * furthest, rel=0.01)


def _csv(tree) -> pd.DataFrame:
    import io
    from urllib.parse import unquote

    href = _by_id(tree, "violence-children-csv")["props"]["href"]
    text = unquote(href.split(",", 1)[1]).lstrip("\ufeff")
    return pd.read_csv(io.StringIO(text))


def _csv_areas(tree) -> set[str]:
    return set(_csv(tree)["Area"])
