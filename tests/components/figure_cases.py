"""Representative inputs for every figure builder, for test_plain_figures: each
case builds one figure (plain data since the builders stopped going through
plotly's validators) and figure_golden.json holds what the go.Figure builders
(main at b3f069e) produced for the same case, template aside."""

from __future__ import annotations

import pandas as pd

from components import part_periods
from components.annotation_marks import add_marks, mark_events
from components.area_map import area_map_figure
from components.bar_figures import bar_figure, ranked_bar_figure
from components.benchmark_figures import funnel_figure, spine_figure
from components.chart import watermark
from components.formatting import money
from components.spc_chart import spc_figure
from components.trend_figure import trend_figure
from data_access.trend_spc import SPC_COLUMNS

_YEARS = [f"{y}/{(y + 1) % 100:02d}" for y in range(2014, 2022)]


def _trend_series() -> pd.DataFrame:
    rows = []
    for area, base in (("Avon", 50.0), ("England", 40.0)):
        for i, period in enumerate(_YEARS):
            if area == "Avon" and period == "2017/18":
                continue  # a gap inside the span
            value: object = base + i * 1.5
            if area == "Avon" and period == "2019/20":
                value = "*"
            rows.append(
                dict(
                    period=period,
                    area=area,
                    rate=value,
                    lo=None if value == "*" else float(value) - 3,
                    hi=None if value == "*" else float(value) + 3,
                )
            )
    return pd.DataFrame(rows)


def trend_periods():
    return trend_figure(
        _trend_series(),
        x="period",
        y="rate",
        lower="lo",
        upper="hi",
        series="area",
        y_title="Rate per 100,000",
        x_title="Financial year",
        vlines=[("2019/20", "VRU funding began")],
        breaks=[("2016/17", "A break in the series with a long label to wrap")],
        periods=_YEARS,
    )


def trend_bars_no_periods():
    frame = _trend_series()
    frame.loc[frame["area"] == "England", "area"] = "England (illustrative)"
    return trend_figure(
        frame,
        x="period",
        y="rate",
        lower="lo",
        upper="hi",
        series="area",
        y_title="Rate",
        ci="bars",
        markers=False,
        series_order=["England (illustrative)", "Nowhere", "Avon"],
    )


def trend_calendar_years():
    frame = pd.DataFrame(
        {"year": [str(y) for y in range(2015, 2022)], "count": range(7)}
    )
    return trend_figure(
        frame,
        x="year",
        y="count",
        y_title="Count",
        vlines=[("2019", "Funding began")],
        height=None,
    )


def trend_dates():
    frame = pd.DataFrame(
        {
            "start": pd.to_datetime(["2020-01-01", "2020-04-01", "2020-07-01"]),
            "value": [1.5, 2.25, 3.0],
        }
    )
    return trend_figure(frame, x="start", y="value", y_title="Value")


def trend_empty():
    frame = pd.DataFrame({"period": [], "rate": [], "area": []})
    return trend_figure(frame, x="period", y="rate", series="area", y_title="Rate")


def trend_marked():
    fig = trend_figure(
        pd.DataFrame({"q": ["2024/25 Q1", "2024/25 Q2", "2024/25 Q3"], "n": [3, 4, 5]}),
        x="q",
        y="n",
        y_title="Young people",
    )
    part_periods.mark_points(fig, ["2024/25 Q3"])
    add_marks(
        fig, [("2024/25 Q2", "Event: <b>a & b</b>", "full"), ("2024/25 Q3", "x", "y")]
    )
    return watermark(fig)


def trend_events():
    fig = trend_figure(
        pd.DataFrame({"q": ["2024/25 Q1", "2024/25 Q2"], "n": [3, 4]}),
        x="q",
        y="n",
        y_title="Young people",
    )
    periods = pd.DataFrame(
        {
            "q": ["2024/25 Q1", "2024/25 Q2"],
            "period_start": pd.to_datetime(["2024-04-01", "2024-07-01"]).date,
            "period_end": pd.to_datetime(["2024-06-30", "2024-09-30"]).date,
        }
    )
    events = pd.DataFrame(
        {
            "event_date": pd.to_datetime(["2024-08-01"]).date,
            "label": ["Launch"],
            "kind_label": ["Event"],
            "text": ["Event: Launch (1 August 2024)"],
        }
    )
    mark_events(fig, pd.DataFrame({"a": [1, 2]}), "Summary.", events, periods, "q")
    return fig


def _areas() -> pd.DataFrame:
    rates = [10.0, 12.0, 14.0, None, 16.0, 18.0, 100.0]
    return pd.DataFrame(
        {
            "Area": [f"Area {i}" for i in range(len(rates))],
            "Rate": rates,
            "Lower": [None if r is None else r - 2 for r in rates],
            "Upper": [None if r is None else r + 2 for r in rates],
            "Compared": ["worse", "similar", "better", None, "similar", "x", "worse"],
        }
    ).assign(Compared=lambda f: f["Compared"].replace("x", "not compared"))


def ranked_categories():
    return ranked_bar_figure(
        _areas(),
        label="Area",
        value="Rate",
        lower="Lower",
        upper="Upper",
        category_col="Compared",
        benchmark=15.0,
        benchmark_label="England and Wales",
        value_title="Rate per 100,000",
        highlight="Area 2",
        axis_top=32.5,
    )


def ranked_plain():
    frame = _areas().drop(columns=["Compared"])
    return ranked_bar_figure(frame, label="Area", value="Rate", height=300)


def ranked_complete():
    frame = _areas().dropna(subset=["Rate"])
    return ranked_bar_figure(frame, label="Area", value="Rate", category_col="Compared")


def ranked_partial_ci():
    frame = _areas()
    frame.loc[1, ["Lower", "Upper"]] = None  # a figure without its interval
    frame.loc[4, "Rate"] = 14.0  # a tie, kept in the given order
    return ranked_bar_figure(
        frame,
        label="Area",
        value="Rate",
        lower="Lower",
        upper="Upper",
        category_col="Compared",
        value_formatter=lambda v: f"{v:.2f}" if v == v and v is not None else "-",
    )


def bars_stacked_money():
    frame = pd.DataFrame(
        {
            "Year": ["2019/20", "2019/20", "2020/21", "2020/21", "2021/22"],
            "Funder": ["Home Office", "Other", "Home Office", "Other", "Home Office"],
            "Amount": [1_000_000, 250_000, 1_500_000, -50_000, 2_000_000],
        }
    )
    fig = bar_figure(
        frame,
        x="Year",
        y="Amount",
        color="Funder",
        value_formatter=money,
        y_title="Amount",
        category_order=["2019/20", "2020/21", "2021/22"],
    )
    part_periods.mark_bars(fig, ["2021/22"])
    return fig


def bars_horizontal_grouped():
    frame = pd.DataFrame(
        {"Tier": ["Primary", "Secondary", "Tertiary"], "Reach": [120, 45.5, None]}
    )
    return bar_figure(
        frame,
        x="Reach",
        y="Tier",
        orientation="h",
        barmode="group",
        x_title=None,
        y_title="",
    )


def bars_grouped_money():
    frame = pd.DataFrame(
        {
            "Year": ["2019/20", "2019/20", "2020/21", "2020/21"],
            "Kind": ["Allocated", "Spent", "Allocated", "Spent"],
            "Amount": [1_200_000.5, None, 900_000, 1_100_000],
        }
    )
    return bar_figure(
        frame,
        x="Year",
        y="Amount",
        color="Kind",
        barmode="group",
        value_formatter=money,
    )


def _limits(step: float = 1.0) -> pd.DataFrame:
    xs = [1000.0, 5000.0, 20000.0, 100000.0]
    return pd.DataFrame(
        {
            "population": xs,
            "lower_95": [20 - 10 / (x / 1000) ** 0.5 * step for x in xs],
            "upper_95": [20 + 10 / (x / 1000) ** 0.5 * step for x in xs],
            "lower_998": [20 - 16 / (x / 1000) ** 0.5 * step for x in xs],
            "upper_998": [20 + 16 / (x / 1000) ** 0.5 * step for x in xs],
        }
    )


def funnel_full():
    frame = pd.DataFrame(
        {
            "Area": ["A", "B", "C", "D", "E", "F"],
            "population": [2000, 8000, 30000, 50000, 90000, 4000],
            "rate": [20.0, 31.0, 24.0, 14.0, 18.0, 80.0],
        }
    )
    return funnel_figure(
        frame,
        x="population",
        y="rate",
        label="Area",
        limits_df=_limits(),
        benchmark=20.0,
        x_title="Population",
        y_title="Rate",
        reference_limits_df=_limits(0.5),
        polarity="lower_is_better",
        y_top=40.0,
    )


def funnel_plain():
    frame = pd.DataFrame(
        {"Area": ["A", "B"], "population": [2000, 8000], "rate": [20.0, 21.0]}
    )
    limits = _limits().rename(columns={"population": "x"})
    return funnel_figure(
        frame, x="population", y="rate", label="Area", limits_df=limits, benchmark=20
    )


def spine():
    rows = [
        dict(
            measure="Knife offences",
            value=60.0,
            benchmark=50.0,
            min=20.0,
            q25=40.0,
            q75=55.0,
            max=90.0,
            category="worse",
            polarity="lower_is_better",
            unit="per 100,000",
        ),
        dict(
            measure="Hospital admissions<br>under 25",
            value=None,
            benchmark=10.0,
            min=5.0,
            q25=8.0,
            q75=12.0,
            max=15.0,
        ),
        dict(
            measure="No benchmark",
            value=3.0,
            benchmark=None,
            min=None,
            q25=None,
            q75=None,
            max=None,
        ),
        dict(
            measure="Reach",
            value=70.0,
            benchmark=60.0,
            min=50.0,
            q25=55.0,
            q75=65.0,
            max=70.0,
            category="better",
            polarity="higher_is_better",
        ),
    ]
    return spine_figure(rows)


def spc():
    periods = [f"{y}/{(y + 1) % 100:02d}" for y in range(2008, 2016)]
    points = pd.DataFrame(
        {c: [None] * len(periods) for c in SPC_COLUMNS}, columns=SPC_COLUMNS
    )
    points["period"] = periods
    points["value"] = [60.0, 50.0, 35.0, None, 75.0, 74.0, 90.0, 20.0]
    points["centre"] = [None, None, 40.0, 40.0, 70.0, 70.0, 70.0, 70.0]
    points["lower"] = [None, None, 30.0, 30.0, 60.0, 60.0, 60.0, 60.0]
    points["upper"] = [None, None, 50.0, 50.0, 80.0, 80.0, 80.0, 80.0]
    points["segment"] = [0, 0, 1, 1, 2, 2, 2, 2]
    points["point_type"] = [
        "common",
        "common",
        "common",
        "common",
        "common",
        "common",
        "special cause concerning",
        "special cause improving",
    ]
    points["rules"] = ["", "", "", "", "", "", "outside limits", "outside limits"]
    steps = [
        ("2010/11", "Published annual figures from here (years before: sums)"),
        ("2012/13", "VRU funding began"),
    ]
    return spc_figure(
        points,
        y_title="Rate",
        x_title="Year",
        steps=steps,
        marks=[("2013/14", "Event: <i>x</i>", "t")],
    )


# The URL the map case names for its outlines (any string: the browser would fetch
# area_map.outlines(_map_geojson()) from it; test_plain_figures fills it in).
MAP_OUTLINES_URL = "/embed/static/pfa-outlines.json?v=case"


def _map_geojson() -> dict:
    return {
        "features": [
            {
                "id": "E1",
                "properties": {"name": "One"},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]],
                },
            },
            {
                "id": "E2",
                "properties": {"name": "Two"},
                "geometry": {
                    "type": "MultiPolygon",
                    "coordinates": [
                        [[[2, 0], [3, 0], [3, 1], [2, 0]]],
                        [[[4, 0], [5, 0], [5, 1], [4, 0]]],
                    ],
                },
            },
            {
                "id": "E3",
                "properties": {"name": "Three"},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[6, 0], [7, 0], [7, 1], [6, 0]]],
                },
            },
            {
                "id": "E4",
                "properties": {"name": "Four"},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[8, 0], [9, 0], [9, 1], [8, 0]]],
                },
            },
        ]
    }


def area_map():
    frame = pd.DataFrame(
        {
            "code": ["E1", "E2", "E3"],
            "name": ["One", "Two", "Three"],
            "rate": [10.0, 20.0, 30.0],
            "rate_lower": [8.0, 18.0, 28.0],
            "rate_upper": [12.0, 22.0, 32.0],
            "comparison": ["better", "worse", "worse"],
            "suppressed": [False, False, True],
        }
    )
    return area_map_figure(
        _map_geojson(),
        frame,
        per="per 100,000",
        level_text="95%",
        outlines_url=MAP_OUTLINES_URL,
    )


CASES = {
    name: fn
    for name, fn in list(globals().items())
    if callable(fn)
    and not name.startswith("_")
    and getattr(fn, "__module__", None) == __name__
}
