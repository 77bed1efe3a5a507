"""The /compare page's chart specs worked out in plain Python (issue 19) are the
ones the frame road they replaced gave: web.compare_charts.funnel_spec,
clip_top and sources_text, and pages.compare's ranking, table and map specs,
each against its old implementation (kept here) over every rate measure and
year of the shipped demo (against England and Wales, the VRU areas and a
region, City of London left out and included, for a system and a viewer scope,
whose hidden rows are "*") and over the same rows with random hidden rows,
positions and figures."""

from __future__ import annotations

import dataclasses
import json
import math
import random

import numpy as np
import pandas as pd

from components import theme
from components.area_map import MAP_SCALE_RATIO, area_map_figure
from components.axis_clip import furthest, robust_top
from components.bar_figures import RANKED_MIN_WIDTH, ranked_bar_figure
from components.benchmark_figures import funnel_figure
from components.chart import ChartSpec
from components.chart_tables import TableLink
from components.chart_text import summary_for_ranking
from components.figure_layout import Figure, axis, new_figure
from components.formatting import rate
from data_access.comparator_groups import NOT_COMPARABLE
from data_access.outcomes import force_areas, funnels, year_values
from data_access.outcomes.funnels import FUNNEL_POSITIONS
from data_access.scope import SYSTEM, Scope
from web import compare_charts
from web.compare_charts import (
    PAGE,
    chart_caption,
    funnel_method_text,
    overflow_note,
    per_label,
    rate_text_once,
    suppression_note_for,
)

VIEWER = Scope(role="viewer", area_codes=frozenset({"E23000036"}))


# ------------------------------------------------ the old road (main, 593311b)


def _old_clip_top(frame: pd.DataFrame, upper: str | None = "rate_upper"):
    shown = frame[~frame["suppressed"].astype(bool)]
    bench = shown["benchmark_rate"].iloc[0] if len(shown) else None
    return robust_top(
        furthest(shown["rate"], shown[upper] if upper else None),
        None if pd.isna(bench) else bench,
    )


def _old_sources_text(frame: pd.DataFrame) -> str:
    return "; ".join(dict.fromkeys(frame["source_title"].dropna().astype(str)))


def _old_funnel_spec(
    measure: dict, points: pd.DataFrame, limits: pd.DataFrame, overdispersion: dict
) -> ChartSpec:
    """The funnel plot: against limits adjusted for overdispersion where the areas
    are overdispersed (the unadjusted ones drawn too), else the PHE/OHID ones."""
    period = points["period"].iloc[0] if not points.empty else ""
    bench = float(points["benchmark_rate"].iloc[0]) if not points.empty else math.nan
    bench_label = points["benchmark_label"].iloc[0] if not points.empty else ""
    adjusted = bool(overdispersion["overdispersed"])
    position = "funnel_position_adjusted" if adjusted else "funnel_position"
    shown = points[points[position] != "not shown"] if not points.empty else points
    outside = shown[shown[position].str.contains("99.8")]
    above = outside[outside[position].str.startswith("above")]
    below = outside[outside[position].str.startswith("below")]
    which = (
        "control limits, adjusted for overdispersion," if adjusted else "control limits"
    )
    title = (
        f"{len(above)} force {'area was' if len(above) == 1 else 'areas were'} "
        f"above and {len(below)} below the 99.8% "
        f"{which} around {bench_label} in {period}."
    )
    drawn = overdispersion["limits"] if adjusted else limits
    # Each area's furthest figure is its rate or the 99.8% limit drawn at its own
    # population: a tiny population's limits squash the axis as a far-out rate
    # would.
    if not shown.empty and not drawn.empty:
        grid = drawn.sort_values("population")
        shown = shown.assign(
            own_limit=np.interp(
                shown["population"].astype(float),
                grid["population"].astype(float),
                grid["upper_998"].astype(float),
            )
        )
        top = _old_clip_top(shown, upper="own_limit")
    else:
        top = None
    figure = None
    if not shown.empty and not drawn.empty and math.isfinite(bench):
        figure = funnel_figure(
            shown,
            x="population",
            y="rate",
            label="name",
            limits_df=drawn,
            benchmark=bench,
            x_title="Population (log scale)",
            y_title=f"Rate {per_label(measure)}",
            benchmark_label=bench_label,
            value_formatter=rate_text_once(),
            reference_limits_df=limits if adjusted else None,
            reference_label="Unadjusted 99.8% limits (PHE/OHID)",
            limits_name=(
                "limits, adjusted for overdispersion" if adjusted else "control limits"
            ),
            polarity=measure["polarity"],
            y_top=top,
        )
        # Ticks at 1, 2 and 5 of each decade: plotly's default labels every digit
        # on a log axis spanning about one decade, and the labels overlap.
        axis(figure, "x").update(type="log", dtick="D2")
    hidden = points["suppressed"].astype(bool)

    def positions(column: str) -> pd.Series:
        return (
            points[column]
            .where(~hidden, "*")
            .map(lambda c: c if c == "*" else str(c).capitalize())
        )

    columns = {
        "Area": points["name"],
        "Population": points["population"].round(0),
        f"Rate {per_label(measure)}": points["rate"]
        .astype(object)
        .map(lambda v: v if pd.isna(v) else round(float(v), 1))
        .where(~hidden, "*"),
    }
    if adjusted:
        columns["Position, limits adjusted for overdispersion"] = positions(
            "funnel_position_adjusted"
        )
        columns["Position, unadjusted limits (PHE/OHID)"] = positions("funnel_position")
    else:
        columns["Position in the funnel"] = positions("funnel_position")
    table = pd.DataFrame(columns)
    summary = (
        f"Funnel plot of {measure['name'].lower()} against population, "
        f"{period}, with {which} around {bench_label} "
        f"({rate(bench, 1)} {per_label(measure)}). "
        + (f"Above the 99.8% limit: {', '.join(above['name'])}. " if len(above) else "")
        + (f"Below the 99.8% limit: {', '.join(below['name'])}. " if len(below) else "")
        + funnel_method_text(measure, overdispersion)
    )
    return ChartSpec(
        chart_id=f"{PAGE}-funnel",
        title=title,
        caption=chart_caption(
            measure,
            points,
            funnel_method_text(measure, overdispersion)
            + overflow_note(shown, top, "own_limit", "its 99.8% limit reaches"),
        ),
        figure=figure,
        table=table,
        summary=summary,
        illustrative=bool(points["illustrative"].any()),
        suppression_note=suppression_note_for(measure, points),
        csv_filename=f"{measure['code']}-{period.replace('/', '-')}-funnel.csv",
        source=_old_sources_text(points),
    )


def _old_table(measure: dict, frame: pd.DataFrame, level_text: str) -> pd.DataFrame:
    """Exactly what the ranking shows: one row per area, rates rounded."""
    per = per_label(measure)
    hidden = frame["suppressed"].astype(bool)
    any_hidden = bool(hidden.any())
    hidden_list = hidden.tolist()

    def shown(column: str, digits: int = 1) -> pd.Series:
        # Rounded in plain Python, once per cell, not a Series.map with a
        # pd.isna per cell; typed as that map typed it (floats, so float64)
        # and made objects, with "*", only where a row is hidden.
        values = [
            v if v is None or v != v else round(float(v), digits)
            for v in frame[column].tolist()
        ]
        if not any_hidden:
            return pd.Series(values, index=frame.index)
        return pd.Series(
            ["*" if h else v for v, h in zip(values, hidden_list, strict=True)],
            index=frame.index,
            dtype=object,
        )

    return pd.DataFrame(
        {
            # Each area opens its profile: every measure against the benchmark.
            "Area": [
                TableLink(name, f"/areas/{code}")
                for name, code in zip(frame["name"], frame["code"], strict=True)
            ],
            "Code": frame["code"],
            "VRU area": [
                f"Yes, from {int(y)}/{(int(y) + 1) % 100:02d}" if v else "No"
                for v, y in zip(frame["is_vru"], frame["vru_start_year"], strict=True)
            ],
            "Year": frame["period"],
            f"Count ({measure['unit']})": shown("count", 0),
            "Population": frame["population"].round(0),
            f"Rate {per}": shown("rate"),
            f"Lower {level_text} CI": shown("rate_lower"),
            f"Upper {level_text} CI": shown("rate_upper"),
            f"Benchmark: {frame['benchmark_label'].iloc[0]}": frame[
                "benchmark_rate"
            ].round(1),
            "Compared with benchmark": frame["comparison"]
            .astype(object)
            .where(~hidden, "*")
            .map(lambda c: c if c == "*" else str(c).capitalize()),
            "Source": frame["source_title"],
        }
    )


def _old_ranking_spec(
    measure: dict,
    frame: pd.DataFrame,
    level_text: str,
    table: pd.DataFrame,
    own: str | None = None,
) -> ChartSpec:
    bench = frame["benchmark_rate"].iloc[0]
    bench_label = frame["benchmark_label"].iloc[0]
    period = frame["period"].iloc[0]
    categories = frame.loc[~frame["suppressed"].astype(bool), "comparison"]
    counts = categories.value_counts()
    top = frame.dropna(subset=["rate"])
    top_name = top.iloc[0]["name"] if not top.empty else None
    words = [
        f"{counts[k]} {k}"
        for k in ("worse", "higher", "similar", "better", "lower")
        if counts.get(k)
    ]
    title = f"{measure['name']}, {period}"
    if top_name:
        title += f": {top_name} had the highest rate"
    if words and not pd.isna(bench):
        # "similar than" is not English: name the benchmark once, then the counts.
        title += f"; against {bench_label} at {level_text}: {', '.join(words)}"
    # VRU areas are marked in words on the bars' labels; the viewer's own force
    # is in bold and says so.
    labels = [
        ("▶ " if name == own else "") + name + (" (VRU)" if vru else "")
        for name, vru in zip(frame["name"], frame["is_vru"].astype(bool), strict=True)
    ]
    chart_frame = frame.assign(
        rate=frame["rate"].where(~frame["suppressed"].astype(bool)),
        name=labels,
    )
    highlight = next((label for label in labels if label.startswith("▶ ")), None)
    rate_text = rate_text_once()  # the bars and the summary write the same rates
    top = _old_clip_top(frame)
    figure = ranked_bar_figure(
        chart_frame,
        label="name",
        value="rate",
        lower="rate_lower",
        upper="rate_upper",
        category_col="comparison",
        benchmark=None if pd.isna(bench) else float(bench),
        benchmark_label=bench_label,
        value_title=f"Rate {per_label(measure)} population ({level_text} CI)",
        value_formatter=rate_text,
        highlight=highlight,
        axis_top=top,
    )
    summary = summary_for_ranking(
        chart_frame,
        label="name",
        value="rate",
        measure=f"{measure['name']}, {period}",
        category_col="comparison",
        unit=per_label(measure),
        benchmark=None if pd.isna(bench) else float(bench),
        benchmark_label=bench_label,
        value_formatter=rate_text,
        noun="force areas",
    )
    return ChartSpec(
        chart_id=f"{PAGE}-ranking",
        title=title + ".",
        caption=chart_caption(
            measure,
            frame,
            f"Bars show rates with {level_text} confidence intervals; colour, pattern "
            "and the word after each value give the comparison with the benchmark. "
            "(VRU) marks the force areas with a Violence Reduction Unit"
            + (f"; ▶ marks your own force area, {own}." if own else ".")
            + overflow_note(frame, top),
        ),
        figure=figure,
        table=table,
        summary=summary,
        illustrative=bool(frame["illustrative"].any()),
        suppression_note=suppression_note_for(measure, frame),
        csv_filename=f"{measure['code']}-{period.replace('/', '-')}-force-areas.csv",
        source=_old_sources_text(frame),
        # Long area names beside the bars: on a phone the chart keeps room for
        # the bars and scrolls sideways in its own box.
        min_width=RANKED_MIN_WIDTH,
    )


def _old_area_map_figure(
    geojson: dict,
    frame: pd.DataFrame,
    *,
    per: str,
    level_text: str,
    outlines_url: str,
) -> Figure:
    """Force areas filled by significance category, drawn from the boundaries
    (`geojson`: features with id = area code, properties.name, geometry) as filled
    shapes on plain axes: plotly's geo maps fetch a base map from cdn.plot.ly even
    when hidden, which the app's CSP (rightly) blocks, and the app's plotly.js
    basic bundle has no geo traces (so no choropleth with a `geojson` URL).
    `frame` has a row per area compared (code, name, rate, rate_lower,
    rate_upper, comparison, suppressed);
    `per` is the rate's unit ("per 100,000"), `level_text` the confidence level.

    The traces carry no coordinates: `layout.meta.outlines` names the URL that
    serves `outlines(geojson)`, and the browser fills each trace (meta.code) from
    it before the map is drawn (assets/vru.js `mapOutlines`)."""
    rows = {r["code"]: r for r in frame.to_dict("records")}
    fig = new_figure()
    legend_done: set[str] = set()
    for feature in geojson["features"]:
        code = feature["id"]
        row = rows.get(code)
        if row is None:
            key, name, colour = "none", "No figure", theme.WHITE
            hover = f"{feature['properties']['name']}<br>No figure"
        else:
            hidden = bool(row["suppressed"])
            key = (
                "not compared" if hidden else theme.significance_key(row["comparison"])
            )
            style = theme.SIGNIFICANCE[key]
            name, colour = style.label, style.colour

            def show(v, hidden=hidden):
                return "*" if hidden else rate(v, 1)

            hover = (
                f"{row['name']}<br>{show(row['rate'])} {per}<br>{level_text} CI: "
                f"{show(row['rate_lower'])} to {show(row['rate_upper'])}<br>{name}"
            )
        fig["data"].append(
            dict(
                type="scatter",
                mode="lines",
                fill="toself",
                fillcolor=colour,
                line=dict(color=theme.DARK_GREY, width=0.5),
                name=name,
                legendgroup=key,
                showlegend=key not in legend_done,
                hoveron="fills",
                text=hover,
                hoverinfo="text",
                meta={"role": "area", "code": code},
            )
        )
        legend_done.add(key)
    axis(fig, "x").update(visible=False, fixedrange=True)
    axis(fig, "y").update(
        visible=False, scaleanchor="x", scaleratio=MAP_SCALE_RATIO, fixedrange=True
    )
    fig["layout"].update(
        height=620,
        margin=dict(l=0, r=0, t=40, b=0),
        hovermode="closest",
        meta={"outlines": outlines_url},
        legend=dict(
            orientation="v",
            x=0,
            y=1,
            xanchor="left",
            yanchor="top",
            title={},  # none (what plotly made of title=None)
        ),
    )
    return fig


# ------------------------------------------------------------------ inputs


def _as_data(value):
    """A spec's field as comparable data: frames strictly (values, dtypes and
    index), figures as their JSON."""
    if isinstance(value, pd.DataFrame | pd.Series):
        return value
    return json.dumps(value, sort_keys=True, default=repr)


def assert_same_spec(new: ChartSpec, old: ChartSpec) -> None:
    for f in dataclasses.fields(ChartSpec):
        a, b = getattr(new, f.name), getattr(old, f.name)
        if isinstance(b, pd.DataFrame):
            pd.testing.assert_frame_equal(a, b, check_dtype=True, obj=f.name)
        else:
            assert _as_data(a) == _as_data(b), f.name


def _demo_cases():
    """(measure, ranked at the level, points, limits, overdispersion, level
    text) for every rate measure and year of the demo."""
    from data_access.measures import get_measure

    for scope in (SYSTEM, VIEWER):
        for code in year_values.rate_measures(scope=scope)["code"].tolist():
            measure = get_measure(code, scope=scope)
            years = year_values.available_periods(measure_code=code)["value"].tolist()
            for key in years[::4] + years[-1:]:
                # every benchmark and level on the latest year, England and
                # Wales at 95% on the others
                others = [("vru", 0.95), ("region:E12000007", 0.998)]
                for benchmark, confidence in [("national", 0.95)] + (
                    others if key == years[-1] else []
                ):
                    ranked = force_areas.force_area_rates(
                        scope=scope,
                        measure_code=code,
                        period_start=key,
                        benchmark=benchmark,
                        confidence=confidence,
                    )
                    if ranked.empty:
                        continue
                    for leave_out in (set(), set(NOT_COMPARABLE)):
                        funnel = funnels.funnel(
                            scope=scope,
                            measure_code=code,
                            period_start=key,
                            benchmark=benchmark,
                            leave_out=leave_out,
                            rates=ranked if confidence == 0.95 else None,
                        )
                        yield (
                            measure,
                            ranked,
                            *funnel,
                            "95%" if confidence == 0.95 else "99.8%",
                        )


def _jumbled(rng: random.Random, frame: pd.DataFrame) -> pd.DataFrame:
    """The same rows with random hidden ones (most with their figures and
    comparison gone, as disclosure control leaves them; some with them kept, so
    that what skips hidden rows is seen to), random funnel positions and some
    missing figures and sources."""
    out = frame.copy()
    n = len(out)
    hidden = [rng.random() < 0.2 for _ in range(n)]
    blanked = [h and rng.random() < 0.6 for h in hidden]
    out["suppressed"] = hidden
    for col in ("count", "rate", "rate_lower", "rate_upper"):
        values = out[col].astype(float).tolist()
        out[col] = [
            math.nan if b or rng.random() < 0.05 else v
            for v, b in zip(values, blanked, strict=True)
        ]
    out["comparison"] = [
        "not compared" if b else c
        for c, b in zip(out["comparison"].tolist(), blanked, strict=True)
    ]
    for col in ("funnel_position", "funnel_position_adjusted"):
        if col in out:
            out[col] = [rng.choice(FUNNEL_POSITIONS) for _ in range(n)]
    out["source_title"] = [
        rng.choice([t, t, None, "Another source"]) for t in out["source_title"]
    ]
    return out


_CASES: dict[str, list] = {}


def _cases(store_url: str) -> list:
    """`_demo_cases`, worked out once per store for the tests of this module."""
    if store_url not in _CASES:
        _CASES[store_url] = list(_demo_cases())
    return _CASES[store_url]


# ------------------------------------------------------------------- tests


def test_funnel_spec_is_the_frame_road(loaded_store):
    checked = 0
    rng = random.Random(19)
    for measure, _ranked, points, limits, overdispersion, _level in _cases(
        loaded_store
    ):
        assert_same_spec(
            compare_charts.funnel_spec(measure, points, limits, overdispersion),
            _old_funnel_spec(measure, points, limits, overdispersion),
        )
        jumbled = _jumbled(rng, points)
        for adjusted in (False, True):
            od = {**overdispersion, "overdispersed": adjusted}
            assert_same_spec(
                compare_charts.funnel_spec(measure, jumbled, limits, od),
                _old_funnel_spec(measure, jumbled, limits, od),
            )
        checked += 1
    assert checked > 100


def test_clip_top_and_sources_are_the_frame_road(loaded_store):
    rng = random.Random(7)
    checked = clipped = 0
    for _measure, ranked, _points, *_rest in _cases(loaded_store):
        for frame in (ranked, _jumbled(rng, ranked)):
            for upper in ("rate_upper", "rate_lower", None):
                assert compare_charts.clip_top(frame, upper) == _old_clip_top(
                    frame, upper
                )
            assert compare_charts.sources_text(frame) == _old_sources_text(frame)
            # far-out rates: something is clipped
            wild = frame.assign(
                rate=frame["rate"]
                * [rng.choice([1, 1, 1, 40]) for _ in range(len(frame))]
            )
            top = compare_charts.clip_top(wild)
            assert top == _old_clip_top(wild)
            clipped += top is not None
            checked += 1
    assert checked > 100
    assert clipped > 10


def test_ranking_and_its_table_are_the_frame_road(loaded_store):
    from app import app  # noqa: F401 - registers the pages
    from pages import compare

    rng = random.Random(3)
    checked = 0
    for measure, ranked, *_funnel, level_text in _cases(loaded_store):
        for frame in (ranked, _jumbled(rng, ranked)):
            table = compare._table(measure, frame, level_text)
            pd.testing.assert_frame_equal(
                table, _old_table(measure, frame, level_text), check_dtype=True
            )
            own = rng.choice([None, frame["name"].iloc[0], frame["name"].iloc[-1]])
            assert_same_spec(
                compare.ranking_spec(measure, frame, level_text, table, own=own),
                _old_ranking_spec(measure, frame, level_text, table, own=own),
            )
            checked += 1
    assert checked > 100


def test_map_figure_is_the_records_road(loaded_store):
    from data_access.geography import pfa_boundaries

    rng = random.Random(5)
    checked = 0
    for _measure, ranked, *_funnel, level_text in _cases(loaded_store):
        for frame in (ranked, _jumbled(rng, ranked)):
            args = dict(per="per 100,000", level_text=level_text, outlines_url="/o")
            new = area_map_figure(pfa_boundaries(), frame, **args)
            old = _old_area_map_figure(pfa_boundaries(), frame, **args)
            assert _as_data(new) == _as_data(old)
            checked += 1
    assert checked > 100
