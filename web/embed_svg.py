"""The funding, reach and compare embeds' charts drawn on the server, so each
reads with JavaScript off (the trend's is web/embed_charts._trend_svg): from the
very rows the embed's figure, table and CSV show (web/embed_charts.py builds
them), on the phone canvas (web.pack_svg.PHONE), in the interactive figure's
colours, with the embed's title and text summary as the drawing's <title> and
<desc>, and "Illustrative data" across it where any figure is. A row withheld
under disclosure control (its `suppressed` flag, whatever figure is beside it)
is drawn as "*", never as a bar."""

from __future__ import annotations

import pandas as pd

from components.formatting import rate
from components.theme import PALETTE
from data_access.pack_slides import Chart
from web.pack_svg import PHONE, chart_svg
from web.ranked_svg import Bar, ranked_svg

TIERS = ["Primary", "Secondary", "Tertiary"]  # the figure's colour order


def shown(values, hidden) -> list[float | None]:
    """Figures to draw: None where withheld (disclosure control) or missing."""
    return [
        None if h or v is None or pd.isna(v) else float(v)
        for v, h in zip(values, hidden, strict=True)
    ]


def funding_svg(frame: pd.DataFrame, *, title: str, summary: str) -> str:
    """Allocated and spent side by side each year: the board pack's columns."""
    hidden = frame["suppressed"].astype(bool).tolist()
    chart = Chart(
        kind="bar",
        categories=frame["period"].tolist(),
        series=[
            (name, shown(frame[col], hidden))
            for name, col in (("Allocated", "allocated"), ("Spent", "spent"))
        ],
        value_title="£",
        alt=summary,
    )
    return chart_svg(
        chart,
        title=title,
        desc=summary,
        fluid=True,
        canvas=PHONE,
        hidden=[hidden, hidden],
        colours=list(PALETTE[:2]),
        watermark=bool(frame["illustrative"].any()),
    )


def reach_svg(frame: pd.DataFrame, *, title: str, summary: str) -> str:
    """The tiers stacked in a column a year, the years in order; a tier keeps
    its colour (its place in TIERS) whether or not the others have rows."""
    years = list(dict.fromkeys(frame.sort_values("financial_year")["period"]))
    cells = frame[frame["tier"].notna()]
    series, hidden, colours = [], [], []
    for i, tier in enumerate(TIERS):
        part = cells[cells["tier_label"] == tier].set_index("period")
        if part.empty:
            continue
        withheld = [bool(part["suppressed"].get(y, False)) for y in years]
        series.append(
            (tier, shown([part["young_people"].get(y) for y in years], withheld))
        )
        hidden.append(withheld)
        colours.append(PALETTE[i])
    chart = Chart(
        kind="bar",
        categories=years,
        series=series,
        value_title="Young people supported",
        alt=summary,
    )
    return chart_svg(
        chart,
        title=title,
        desc=summary,
        fluid=True,
        canvas=PHONE,
        stacked=True,
        hidden=hidden,
        colours=colours,
        watermark=bool(frame["illustrative"].any()),
    )


def compare_svg(
    pfa: pd.DataFrame,
    *,
    benchmark: tuple[float | None, str],
    value_title: str,
    axis_top: float | None,
    words: tuple[str, str],
    illustrative: bool,
) -> str:
    """The force areas ranked (web.ranked_svg); `benchmark`: (its rate or None,
    its name); `words`: (title, summary); a category only with a benchmark."""
    bench, bench_name = benchmark
    bars = [
        Bar(
            label=str(r.area_name),
            value=shown([r.rate], [r.suppressed])[0],
            lower=shown([r.rate_lower], [r.suppressed])[0],
            upper=shown([r.rate_upper], [r.suppressed])[0],
            category=r.comparison_95 if bench is not None else None,
            hidden=bool(r.suppressed),
        )
        for r in pfa.itertuples()
    ]
    return ranked_svg(
        bars,
        title=words[0],
        desc=words[1],
        value_title=value_title,
        formatter=rate,
        benchmark=bench,
        benchmark_label=bench_name,
        axis_top=axis_top,
        watermark=illustrative,
    )
