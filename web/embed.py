"""Public embeddable charts: /embed (the gallery) and /embed/<chart>.

Plain Flask routes, not Dash pages: each embed is one server-rendered HTML page
(web/templates/embed.html) with the chart as a static plotly figure in a JSON data
island, drawn as plain SVG by web/static/embed.js (no plotly.js on the page: on a
phone its start-up and first draw were long main-thread tasks, see the comment
there). The plotly.js *basic* bundle is still served from here for the app
(web/plotly_bundle.py; web/static/vendor/VENDOR.md). No app shell, no sign-in, no
callback round trip; a table alternative, a text summary, caption, source, "data
as at", a CSV of exactly what is shown and the "Illustrative data" watermark inside
the plot. Figures come only from data_access.public (the published surface, with
disclosure control applied).

Caching: the rendered page is kept in the shared cache (data_access.cache, cleared
after an import or approval) and served with Cache-Control public,
max-age=CACHE_TIMEOUT and an ETag (If-None-Match answers 304). Framing is allowed
for /embed/* only (web/security.py).
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache as once
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

import pandas as pd
from flask import Blueprint, Response, abort, render_template, request, url_for

import settings
from components.bar_figures import bar_figure, ranked_bar_figure
from components.chart import DATA_STATUS_COLUMN, ILLUSTRATIVE_LABEL, watermark
from components.chart_tables import table_to_csv
from components.chart_text import summary_for_ranking, summary_for_series
from components.formatting import money, number, percent, rate
from components.trend_figure import trend_figure
from data_access import periods, public
from data_access.areas import get_area
from data_access.cache import shared_generation
from data_access.disclosure import MARKER, get_rule
from data_access.errors import InvalidParameter, NotFound, StoreUnavailable
from data_access.measures import disclosure_columns
from data_access.meta import area_picker_options, data_as_at
from data_access.outcomes import benchmarking, trend_views
from data_access.scope import PUBLIC
from web import response_cache
from web.shared_cache import cache

log = logging.getLogger(__name__)
blueprint = Blueprint("embed", __name__, template_folder="templates")

STATIC_DIR = Path(__file__).parent / "static"
# name -> (path under web/static, content type). Nothing else is served.
STATIC_FILES = {
    "plotly-basic.min.js": ("vendor/plotly-basic-4.1.1.min.js.gz", "text/javascript"),
    "embed.js": ("embed.js", "text/javascript"),
    "embed.css": ("embed.css", "text/css"),
}
STATIC_MAX_AGE = 365 * 24 * 3600  # URLs carry a content hash, so they never go stale
DEFAULT_AREA = "E23000036"
DEFAULT_MEASURE = "hospital_admissions_knife"
SOURCE_LINE = "VRU Outcomes Monitor"


class BadParameter(Exception):
    def __init__(self, parameter: str, message: str, status: int = 400):
        super().__init__(message)
        self.parameter = parameter
        self.status = status


@dataclass
class Built:
    """What one embed shows."""

    title: str
    caption: str
    source: str
    table: pd.DataFrame  # display strings, suppressed as "*"
    csv: pd.DataFrame  # the same figures for the CSV
    summary: str = ""
    figure: object | None = None
    illustrative: bool = False
    suppression_note: str | None = None
    message: str | None = None
    api_url: str | None = None
    numeric_columns: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class EmbedChart:
    name: str
    label: str
    description: str
    params: tuple[str, ...]
    build: Callable[[dict], Built]
    defaults: dict


# ------------------------------------------------------------------ parameters


def _area(value: str | None, *, vru_only: bool = False) -> str:
    code = (value or DEFAULT_AREA).strip()
    try:
        area = get_area(code)
    except NotFound:
        raise BadParameter(
            "area", f"There is no area with the code '{code}'.", 404
        ) from None
    if vru_only and not (area.level == "pfa" and area.is_vru):
        raise BadParameter("area", f"{area.name} is not a VRU area.", 404)
    return code


def _measure(value: str | None) -> dict:
    code = (value or DEFAULT_MEASURE).strip()
    try:
        return public.public_measure(code)
    except NotFound:
        raise BadParameter(
            "measure", f"There is no public measure with the code '{code}'.", 404
        ) from None


def _age(value: str | None) -> str:
    age = (value or "all").strip()
    if age not in public.AGE_BANDS:
        raise BadParameter("age", "age must be 'all' or 'under25'.")
    return age


def _period(value: str | None) -> int | None:
    if not value:
        return None
    try:
        return periods.parse_fy_label(value.strip())
    except (InvalidParameter, ValueError):
        raise BadParameter(
            "period", f"'{value}' is not a financial year like 2019/20."
        ) from None


def _months(params: dict) -> tuple[dt.date | None, dt.date | None]:
    out = []
    for name, end in (("from", False), ("to", True)):
        value = params.get(name)
        if not value:
            out.append(None)
            continue
        try:
            out.append(periods.parse_month(value, parameter=name, end=end))
        except InvalidParameter as error:
            raise BadParameter(name, str(error)) from None
    return out[0], out[1]


# ------------------------------------------------------------------ helpers


def _source_text(frame: pd.DataFrame) -> str:
    titles = [t for t in dict.fromkeys(frame.get("source_title", [])) if t]
    return "; ".join(titles) if titles else "VRU Outcomes Monitor store"


def _fmt(value, formatter) -> str:
    if isinstance(value, str):
        return value
    if value is None or pd.isna(value):
        return "–"
    return formatter(value)


def _display(frame: pd.DataFrame, columns: dict, formats: dict) -> pd.DataFrame:
    """Human columns as text, hidden figures as "*"."""
    hidden = frame["suppressed"].to_numpy(dtype=bool)
    out = {}
    for col, label in columns.items():
        fmt = formats.get(col)
        values = []
        for value, is_hidden in zip(frame[col], hidden, strict=True):
            if fmt is not None and is_hidden:
                values.append(MARKER)
            elif fmt is not None:
                values.append(_fmt(value, fmt))
            else:
                values.append("" if value is None or pd.isna(value) else str(value))
        out[label] = values
    return pd.DataFrame(out)


def _csv_frame(frame: pd.DataFrame, columns: dict, numeric: set[str]) -> pd.DataFrame:
    """The shown figures for the CSV: numbers stay numbers, hidden ones "*"."""
    hidden = frame["suppressed"].to_numpy(dtype=bool)
    out = {}
    for col, label in columns.items():
        values = frame[col].astype(object).where(frame[col].notna(), None).tolist()
        if col in numeric:
            values = [MARKER if h else v for v, h in zip(values, hidden, strict=True)]
        out[label] = values
    table = pd.DataFrame(out)
    if "illustrative" in frame and frame["illustrative"].any():
        table[DATA_STATUS_COLUMN] = [
            ILLUSTRATIVE_LABEL if i else "" for i in frame["illustrative"]
        ]
    return table


def _note(frame: pd.DataFrame, rule: str) -> str | None:
    if frame.empty or not frame["suppressed"].any():
        return None
    return get_rule(rule).text


def _empty(title: str, caption: str, message: str) -> Built:
    return Built(
        title=title,
        caption=caption,
        source="",
        table=pd.DataFrame(),
        csv=pd.DataFrame(),
        message=message,
    )


def _value_column(measure: dict) -> tuple[str, Callable[[object], str]]:
    """The table heading and format of a measure's `value`: a count ("Count",
    whole numbers), or a percentage of two counts ("Percentage", one decimal):
    as a count, 3.4% would read "3"."""
    count_cols, _ = disclosure_columns(measure)
    if "value" in count_cols:
        return "Count", number
    if measure["unit"] == "%":
        return "Percentage", percent
    return measure["unit"][:1].upper() + measure["unit"][1:], rate


def _unit_text(measure: dict) -> str:
    mult = measure.get("rate_multiplier")
    if mult and not pd.isna(mult):
        return f"per {int(mult):,} people"
    return measure["unit"]


# ------------------------------------------------------------------ charts


def _build_trend(params: dict) -> Built:
    measure = _measure(params.get("measure"))
    area_code = _area(params.get("area"))
    age = _age(params.get("age"))
    start, end = _months(params)
    length = "quarter" if measure["period_type"] == "quarter" else "year"
    # The signed-in /violence page's road, with the public scope.
    view = trend_views.trend_view(
        scope=PUBLIC,
        measure_code=measure["code"],
        area_code=area_code,
        length=length,
        age_band=age,
        start=start,
        end=end,
    )
    area, frame = view["area"], view["series"].copy()
    # The measure says whether it has rates, not the figures: a percentage with
    # some rows hidden has none, and its shown percentages are still drawn.
    multiplier = measure["rate_multiplier"]
    has_rate = bool(multiplier) and not pd.isna(multiplier)
    y_col = "rate" if has_rate else "value"
    unit = _unit_text(measure) if has_rate else measure["unit"]
    own = frame[frame["role"] == "area"]
    bench = frame[(frame["role"] == "benchmark") & frame[y_col].notna()]
    with_bench = f" with {view['benchmark_name']}" if not bench.empty else ""
    caption = (
        f"{measure['name']} ({unit}), {area.name}{with_bench}, "
        f"{'quarterly' if length == 'quarter' else 'by financial year'}"
        f"{', aged under 25' if age == 'under25' else ''}."
    )
    if own.empty or own[y_col].notna().sum() == 0:
        message = f"There are no published figures of this measure for {area.name}."
        if own["suppressed"].any():  # figures exist, but none may be shown
            rule = _note(own, measure["disclosure_rule"])
            message = (
                f"Every figure of this measure for {area.name} in this period is "
                f"hidden under disclosure control. {rule}"
            )
        return _empty(f"{measure['name']}: {area.name}", caption, message)
    frame = frame.sort_values(["role", "period_start"]).reset_index(drop=True)
    frame["series"] = frame["area_name"]
    order = list(dict.fromkeys([area.name, *frame["series"]]))
    fig = trend_figure(
        frame,
        x="period",
        y=y_col,
        lower="rate_lower" if has_rate else None,
        upper="rate_upper" if has_rate else None,
        series="series",
        series_order=order,
        y_title=unit[:1].upper() + unit[1:],
        height=400,
    )
    summary = summary_for_series(
        own.assign(shown=own[y_col].astype("Float64")),
        x="period",
        y="shown",
        label=f"{measure['name']} in {area.name}",
        unit=unit if has_rate else "",
    )
    value_heading, value_format = _value_column(measure)
    columns = {
        "area_name": "Area",
        "period": "Period",
        "value": value_heading,
        "rate": "Rate",
        "rate_lower": "95% CI lower",
        "rate_upper": "95% CI upper",
        "status": "Status",
    }
    formats = {
        "value": value_format,
        "rate": rate,
        "rate_lower": rate,
        "rate_upper": rate,
    }
    if not has_rate:
        for col in ("rate", "rate_lower", "rate_upper"):
            columns.pop(col)
    trend = view["recent_trend"]
    summary += " " + trend["text"]
    return Built(
        title=f"{measure['name']} in {area.name}: {_trend_title(trend)}",
        caption=caption,
        source=_source_text(frame),
        table=_display(frame, columns, formats),
        csv=_csv_frame(frame, columns, set(formats)),
        summary=summary,
        figure=fig,
        illustrative=bool(frame["illustrative"].any()),
        suppression_note=_note(frame, measure["disclosure_rule"]),
        api_url=url_for(
            "api.measure_values",
            code=measure["code"],
            area=area_code,
            length=length,
            age=age,
            format="csv",
        ),
        numeric_columns=set(formats),
    )


def _trend_title(trend: dict) -> str:
    """The title's finding: the one recent-trend verdict (trend_views.trend_view,
    the same verdict the /violence page shows; never across a series break),
    never a comparison of the first and last points shown."""
    if trend["direction"] == "not enough data":
        return "recent trend not tested"
    return (
        f"{trend['direction']} over {trend['first_period']} to "
        f"{trend['last_period']} ({trend['method']})"
    )


def _build_funding(params: dict) -> Built:
    area_code = _area(params.get("area"), vru_only=True)
    area = get_area(area_code)
    frame = public.funding_allocated_vs_spent(area_code=area_code)
    caption = (
        f"Home Office VRU grant allocated and spent by {area.name} VRU, "
        "by financial year. Underspend is repaid at the year end."
    )
    if frame.empty:
        return _empty(
            f"Funding: {area.name}", caption, "No funding has been published yet."
        )
    long = pd.concat(
        [
            frame.assign(kind="Allocated", amount=frame["allocated"]),
            frame.assign(kind="Spent", amount=frame["spent"]),
        ],
        ignore_index=True,
    )
    fig = bar_figure(
        long,
        x="period",
        y="amount",
        color="kind",
        barmode="group",
        y_title="£",
        value_formatter=money,
        color_order=["Allocated", "Spent"],
        x_title="Financial year",
        height=400,
    )
    complete = frame[frame["quarters_reported"] >= 4]
    latest = complete.iloc[-1] if not complete.empty else frame.iloc[-1]
    share = (
        f"{latest['spent'] / latest['allocated']:.0%}"
        if latest["allocated"] and not pd.isna(latest["spent"])
        else "not known"
    )
    title = f"{area.name} VRU spent {share} of its allocation in {latest['period']}"
    summary = " ".join(
        f"{r.period}: allocated {_fmt(r.allocated, money)}, spent "
        f"{_fmt(r.spent, money)} ({r.quarters_reported} of 4 quarters reported)."
        for r in frame.itertuples()
    )
    columns = {
        "period": "Financial year",
        "allocated": "Allocated",
        "spent": "Spent",
        "quarters_reported": "Quarters reported",
    }
    formats = {"allocated": money, "spent": money, "quarters_reported": number}
    return Built(
        title=title,
        caption=caption,
        source="Home Office VRU allocations as published; spend from VRU returns",
        table=_display(frame, columns, formats),
        csv=_csv_frame(frame, columns, set(formats)),
        summary=summary,
        figure=fig,
        illustrative=bool(frame["illustrative"].any()),
        numeric_columns=set(formats),
    )


def _build_reach(params: dict) -> Built:
    area_code = _area(params.get("area"), vru_only=True)
    area = get_area(area_code)
    frame = public.reach_by_tier(area_code=area_code)
    caption = (
        f"Young people supported by {area.name} VRU's interventions, by "
        "prevention tier (primary: universal; secondary: at risk; tertiary: "
        "already involved) and financial year."
    )
    if frame.empty:
        return _empty(
            f"Reach by prevention tier: {area.name}",
            caption,
            "No reach has been reported yet.",
        )
    frame = frame.copy()
    frame["tier_label"] = frame["tier"].map(
        lambda t: "All tiers" if t is None or pd.isna(t) else str(t).capitalize()
    )
    cells = frame[frame["tier"].notna()]
    totals = frame[frame["tier"].isna()]
    fig = bar_figure(
        cells.assign(young_people=cells["young_people"].astype("Float64")),
        x="period",
        y="young_people",
        color="tier_label",
        barmode="stack",
        y_title="Young people supported",
        value_formatter=number,
        color_order=["Primary", "Secondary", "Tertiary"],
        x_title="Financial year",
        height=400,
    )
    # Years in order: plotly's category order is order of appearance, and a tier
    # with no figures in the early years would otherwise push those years last.
    fig.update_xaxes(
        categoryorder="array",
        categoryarray=list(
            dict.fromkeys(frame.sort_values("financial_year")["period"].tolist())
        ),
    )
    shown = totals[~totals["suppressed"]]
    if not shown.empty:
        best = shown.loc[shown["young_people"].astype(float).idxmax()]
        title = (
            f"{area.name} VRU reached the most young people in {best['period']}: "
            f"{number(best['young_people'])}"
        )
    else:
        title = f"Young people reached by {area.name} VRU, by prevention tier"
    summary = " ".join(
        f"{r.period}: {_fmt(r.young_people, number) if not r.suppressed else MARKER}"
        f" young people in total."
        for r in totals.itertuples()
    )
    columns = {
        "period": "Financial year",
        "tier_label": "Prevention tier",
        "young_people": "Young people supported",
    }
    formats = {"young_people": number}
    return Built(
        title=title,
        caption=caption,
        source="VRU quarterly returns (outputs of funded interventions)",
        table=_display(frame, columns, formats),
        csv=_csv_frame(frame, columns, set(formats)),
        summary=summary,
        figure=fig,
        illustrative=bool(frame["illustrative"].any()),
        suppression_note=_note(frame, public.REACH_RULE),
        numeric_columns=set(formats),
    )


def _build_compare(params: dict) -> Built:
    measure = _measure(params.get("measure"))
    year = _period(params.get("period"))
    age = _age(params.get("age"))
    frame = public.force_area_comparison(
        measure_code=measure["code"], financial_year=year, age_band=age
    )
    year_label = frame["period"].iloc[0] if not frame.empty else "the latest year"
    unit = _unit_text(measure)
    bench_name = benchmarking.benchmark_name(measure)
    caption = (
        f"{measure['name']} ({unit}) by police force area, {year_label}, with 95% "
        f"confidence intervals; the dashed line is {bench_name}."
    )
    pfa = frame[frame["area_level"] == "pfa"].reset_index(drop=True)
    if pfa.empty or pfa["rate"].notna().sum() == 0:
        return _empty(
            f"{measure['name']}: force areas compared",
            caption,
            "There are no published force-area rates of this measure for this year.",
        )
    national = frame[frame["area_level"] == "country"]
    bench = (
        float(national["rate"].iloc[0])
        if not national.empty and pd.notna(national["rate"].iloc[0])
        else None
    )
    # compared on the trend road (trend_views.level_series), after disclosure
    pfa["comparison_95"] = pfa["comparison"].mask(pfa["suppressed"])
    fig = ranked_bar_figure(
        pfa.assign(rate=pfa["rate"].astype("Float64")),
        label="area_name",
        value="rate",
        lower="rate_lower",
        upper="rate_upper",
        category_col="comparison_95" if bench is not None else None,
        benchmark=bench,
        benchmark_label=bench_name,
        value_title=unit[:1].upper() + unit[1:],
        value_formatter=rate,
    )
    summary = summary_for_ranking(
        pfa.assign(rate=pfa["rate"].astype("Float64")),
        label="area_name",
        value="rate",
        measure=f"{measure['name']}, {year_label}",
        category_col="comparison_95" if bench is not None else None,
        unit=unit,
        benchmark=bench,
        benchmark_label=bench_name,
        noun="force areas",
    )
    top = pfa.dropna(subset=["rate"]).sort_values("rate").iloc[-1]
    columns = {
        "area_name": "Force area",
        "period": "Year",
        "value": "Count",
        "rate": "Rate",
        "rate_lower": "95% CI lower",
        "rate_upper": "95% CI upper",
        "comparison_95": f"Compared with {bench_name}",
    }
    formats = {"value": number, "rate": rate, "rate_lower": rate, "rate_upper": rate}
    pfa["comparison_95"] = pfa["comparison_95"].fillna(MARKER).astype(str)
    return Built(
        title=(
            f"{measure['name']}: {top['area_name']} had the highest rate of the "
            f"force areas in {year_label}"
        ),
        caption=caption,
        source=_source_text(frame),
        table=_display(pfa, columns, formats),
        csv=_csv_frame(pfa, columns, set(formats)),
        summary=summary,
        figure=fig,
        illustrative=bool(frame["illustrative"].any()),
        suppression_note=_note(pfa, measure["disclosure_rule"]),
        api_url=url_for(
            "api.measure_values",
            code=measure["code"],
            **{"from": f"{frame['period_start'].iloc[0]:%Y-%m}"},
            to=f"{frame['period_end'].iloc[0]:%Y-%m}",
            length="year",
            age=age,
            format="csv",
        ),
        numeric_columns=set(formats),
    )


CHARTS: dict[str, EmbedChart] = {
    c.name: c
    for c in (
        EmbedChart(
            "trend",
            "Success measure trend",
            "One success measure over time for an area, with England and Wales "
            "alongside and 95% confidence intervals.",
            ("measure", "area", "age", "from", "to"),
            _build_trend,
            {"measure": DEFAULT_MEASURE, "area": DEFAULT_AREA},
        ),
        EmbedChart(
            "funding",
            "Funding allocated and spent",
            "A VRU's Home Office grant allocated and spent, by financial year.",
            ("area",),
            _build_funding,
            {"area": DEFAULT_AREA},
        ),
        EmbedChart(
            "reach",
            "Reach by prevention tier",
            "Young people supported by a VRU's interventions, by prevention tier.",
            ("area",),
            _build_reach,
            {"area": DEFAULT_AREA},
        ),
        EmbedChart(
            "compare",
            "Force areas compared",
            "One success measure for every police force area in a year, ranked, "
            "against England and Wales.",
            ("measure", "period", "age"),
            _build_compare,
            {"measure": DEFAULT_MEASURE},
        ),
    )
}


# ------------------------------------------------------------------ responses


@once
def _static(name: str) -> tuple[bytes, bytes, str, str]:
    """(raw, gzipped, content type, short hash) of a served static file."""
    rel, content_type = STATIC_FILES[name]
    raw = (STATIC_DIR / rel).read_bytes()
    # The vendored plotly bundle is kept gzipped: smaller in the repository, and
    # the unused map code's default CDN URLs inside it are not plain text.
    if rel.endswith(".gz"):
        raw = gzip.decompress(raw)
    return raw, gzip.compress(raw, 9, mtime=0), content_type, _hash(raw)[:12]


def static_version(name: str) -> str:
    """The content hash that versions a static file's URL (`?v=`)."""
    return _static(name)[3]


def static_url(name: str) -> str:
    return url_for("embed.static_file", name=name, v=static_version(name))


def _hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _send(
    body: bytes,
    *,
    content_type: str,
    max_age: int,
    status: int = 200,
    gzipped: bytes | None = None,
    immutable: bool = False,
) -> Response:
    """A cacheable answer: gzip when the client takes it, ETag, If-None-Match."""
    use_gzip = "gzip" in request.headers.get("Accept-Encoding", "") and (
        gzipped is not None or len(body) > 1024
    )
    payload = body
    if use_gzip:
        payload = gzipped if gzipped is not None else gzip.compress(body, 6, mtime=0)
    response = Response(payload, status=status, content_type=content_type)
    if use_gzip:
        response.headers["Content-Encoding"] = "gzip"
    response.headers["Vary"] = "Accept-Encoding"
    if status == 200:
        response.set_etag(_hash(body)[:32] + ("-gz" if use_gzip else ""))
        cache_control = f"public, max-age={max_age}"
        response.headers["Cache-Control"] = cache_control + (
            ", immutable" if immutable else ""
        )
        response.make_conditional(request)
    else:
        response.headers["Cache-Control"] = "no-store"
    return response


def static_response(name: str, *, max_age: int, immutable: bool) -> Response:
    """One of STATIC_FILES, gzipped when the client takes it, with an ETag."""
    raw, gz, content_type, _ = _static(name)
    return _send(
        raw,
        content_type=content_type,
        max_age=max_age,
        gzipped=gz,
        immutable=immutable,
    )


@blueprint.route("/embed/static/<name>")
def static_file(name: str):
    if name not in STATIC_FILES:
        abort(404)
    return static_response(
        name, max_age=STATIC_MAX_AGE, immutable=bool(request.args.get("v"))
    )


def _figure_json(fig, illustrative: bool) -> str:
    if illustrative:
        watermark(fig)
    fig.update_layout(autosize=True, width=None)
    text = fig.to_json()
    # A JSON data island is not executed; these escapes stop "</script>" in a label
    # from ending it early.
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _as_of() -> str:
    facts = data_as_at()
    parts = []
    if facts.get("loaded_at"):
        parts.append(f"loaded {str(facts['loaded_at'])[:10]}")
    if facts.get("latest_period"):
        parts.append(f"latest period {facts['latest_period']}")
    return ", ".join(parts) or "not known"


def _keep_whole_answer(params: dict) -> None:
    """Let web.response_cache keep this answer, if the query string holds exactly
    the parameters the chart reads, as given: made-up or duplicated parameters
    would otherwise each fill the cache with a copy of the same page."""
    given = parse_qsl(request.query_string.decode("utf-8", "replace"), True)
    if len(given) == len(params) and dict(given) == params:
        request.environ[response_cache.CACHEABLE] = True


def _params(chart: EmbedChart) -> dict:
    return {
        p: request.args.get(p, "").strip()[:40]
        for p in chart.params
        if request.args.get(p, "").strip()
    }


def _render_embed(chart: EmbedChart, params: dict) -> tuple[str, int]:
    try:
        built = chart.build(params)
        status = 200
    except BadParameter as error:
        built = _empty(chart.label, "", str(error))
        status = error.status
    table_rows = built.table.values.tolist() if not built.table.empty else []
    numeric = {
        i
        for i, col in enumerate(built.table.columns)
        if col in {"Count", "Percentage", "Rate", "95% CI lower", "95% CI upper"}
        or col in {"Allocated", "Spent", "Quarters reported", "Young people supported"}
    }
    query = urlencode(params)
    html = render_template(
        "embed.html",
        chart=chart,
        built=built,
        figure_json=(
            _figure_json(built.figure, built.illustrative) if built.figure else None
        ),
        table_columns=list(built.table.columns),
        table_rows=table_rows,
        numeric=numeric,
        csv_url=url_for("embed.embed_csv", chart=chart.name)
        + (f"?{query}" * bool(query)),
        app_url=url_for("embed.gallery", _external=False),
        as_of=_as_of(),
        css_url=static_url("embed.css"),
        # The plot's box is sized before the script draws into it: no layout shift.
        plot_height=int(built.figure.layout.height or 400) if built.figure else 0,
        js_url=static_url("embed.js"),
        marker=MARKER,
        illustrative_label=ILLUSTRATIVE_LABEL,
    )
    return html, status


def _cached(key: str, make: Callable[[], tuple[str, int]]) -> tuple[str, int]:
    try:
        hit = cache.get(key)
    except Exception:  # noqa: BLE001 - a cache outage must not fail the page
        hit = None
    if hit is not None:
        return hit
    value = make()
    if value[1] == 200:
        try:
            cache.set(key, value, timeout=settings.cache_timeout())
        except Exception:  # noqa: BLE001
            log.warning("embed cache write failed")
    return value


@blueprint.route("/embed/<chart>")
def embed(chart: str):
    spec = CHARTS.get(chart)
    if spec is None:
        return _unavailable(f"There is no embeddable chart called '{chart[:40]}'.", 404)
    params = _params(spec)
    try:
        # The generation in the key: an import or an approval makes older pages old.
        key = f"embed:{shared_generation()}:{chart}:{urlencode(sorted(params.items()))}"
        html, status = _cached(key, lambda: _render_embed(spec, params))
    except StoreUnavailable:
        return _unavailable("Data temporarily unavailable. Please try again shortly.")
    if status == 200:
        _keep_whole_answer(params)
    return _send(
        html.encode("utf-8"),
        content_type="text/html; charset=utf-8",
        max_age=settings.cache_timeout(),
        status=status,
    )


@blueprint.route("/embed/<chart>/data.csv")
def embed_csv(chart: str):
    spec = CHARTS.get(chart)
    if spec is None:
        return _unavailable(f"There is no embeddable chart called '{chart[:40]}'.", 404)
    try:
        built = spec.build(_params(spec))
    except BadParameter as error:
        return _unavailable(str(error), error.status)
    except StoreUnavailable:
        return _unavailable("Data temporarily unavailable. Please try again shortly.")
    text = "\ufeff" + table_to_csv(built.csv)
    _keep_whole_answer(_params(spec))
    response = _send(
        text.encode("utf-8"),
        content_type="text/csv; charset=utf-8",
        max_age=settings.cache_timeout(),
    )
    response.headers["Content-Disposition"] = f'attachment; filename="{chart}.csv"'
    return response


def _unavailable(text: str, status: int = 503) -> Response:
    html = render_template(
        "embed_message.html", message=text, css_url=static_url("embed.css")
    )
    return _send(
        html.encode("utf-8"),
        content_type="text/html; charset=utf-8",
        max_age=0,
        status=status,
    )


# ------------------------------------------------------------------ gallery


def _choices() -> dict:
    options = area_picker_options()
    measures = public.public_measures()
    success = measures[measures["success_measure_rank"].notna()]
    vrus = public_vru_areas()
    return {
        "area": [(o["value"], o["label"]) for o in options if o["level"] != "lad"],
        "vru_area": vrus,
        "measure": [(r.code, r.name) for r in success.itertuples()],
        "age": [("all", "All ages"), ("under25", "Aged under 25")],
    }


def public_vru_areas() -> list[tuple[str, str]]:
    from data_access.areas import list_areas

    frame = list_areas(level="pfa")
    frame = frame[frame["is_vru"]]
    return [(r.code, r.name) for r in frame.itertuples()]


@blueprint.route("/embed")
@blueprint.route("/embed/")
def gallery():
    chosen = request.args.get("chart", "")
    items = []
    try:
        choices = _choices()
    except StoreUnavailable:
        return _unavailable("Data temporarily unavailable. Please try again shortly.")
    for spec in CHARTS.values():
        params = dict(spec.defaults)
        if chosen == spec.name:
            params.update(_params(spec))
        url = url_for("embed.embed", chart=spec.name) + "?" + urlencode(params)
        full = request.host_url.rstrip("/") + url
        snippet = (
            f'<iframe src="{full}" title="{spec.label} (VRU Outcomes Monitor)" '
            f'width="100%" height="{720 if spec.name == "compare" else 640}" '
            f'loading="lazy" style="border:0"></iframe>'
        )
        items.append({"spec": spec, "params": params, "url": url, "snippet": snippet})
    html = render_template(
        "embed_index.html",
        items=items,
        choices=choices,
        css_url=static_url("embed.css"),
        js_url=static_url("embed.js"),
    )
    return _send(
        html.encode("utf-8"),
        content_type="text/html; charset=utf-8",
        max_age=settings.cache_timeout(),
    )


@blueprint.route("/embed/<chart>/<path:rest>")
def embed_unknown(chart: str, rest: str):
    """Anything else under /embed is not found (never the app's page shell)."""
    return _unavailable("There is no such chart page.", 404)


def _is_embed_answer(path: str) -> bool:
    """An embed page or its CSV (not the gallery, not the static files)."""
    return (
        path.startswith("/embed/")
        and path != "/embed/"
        and not path.startswith("/embed/static/")
    )


def init_embed(server) -> None:
    server.register_blueprint(blueprint)
    server.wsgi_app = response_cache.ResponseCache(
        server.wsgi_app,
        applies=_is_embed_answer,
        backend=lambda: server.extensions["cache"][cache],
        timeout=settings.cache_timeout,
    )
