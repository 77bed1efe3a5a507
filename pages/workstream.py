"""One workstream: its purpose, lead role and outcomes; each measure's latest value
against target with a RAG rating (polarity respected, in words as well as colour),
a trend sparkline with a table alternative, data completeness (quarters expected
since the workstream began against quarters received), late returns and the next
return due.

Reached from /workstreams (and from an intervention on /prevention); the
breadcrumbs lead back. URL: /workstreams/<workstream_id>. An unknown id, or one
outside the caller's access, gets a plain message.
"""

from __future__ import annotations

import dash
import pandas as pd
from dash import Input, Output, dcc, html

from components.annotation_marks import (
    EVENTS_COLUMN,
    add_marks,
    chart_marks,
    events_column,
    events_sentence,
)
from components.chart import ChartSpec, chart_card
from components.chart_text import summary_for_series
from components.formatting import number, percent
from components.shell import illustrative_badge, message
from components.spc_icons import spc_summary
from components.static_html import static_html
from components.trend_figure import trend_figure
from components.workstream_text import (
    measures_summary,
    rag_badge,
    rag_explainer,
    returns_note,
)
from data_access import workstreams
from data_access.annotations import annotations_for
from data_access.errors import AccessDenied, NotFound, StoreUnavailable
from data_access.periods import financial_year_of, long_date, quarter_bounds, quarter_of
from data_access.returns_due import DUE_RULE
from data_access.statistics import RAG_RULE_TEXT
from web import board_parts
from web.access import current_scope
from web.view_cache import cached_callback

dash.register_page(
    __name__,
    path_template="/workstreams/<workstream_id>",
    title="Workstream – VRU Outcomes Monitor",
    name="Workstream",
    nav=False,
)

PAGE = "workstream"
RECENT_RETURNS = 8


def layout(workstream_id: str | None = None, **_query):
    return html.Div(
        [
            html.Nav(
                html.Ol(
                    [
                        html.Li(
                            dcc.Link("Workstreams", href="/workstreams"),
                            className="breadcrumb-item",
                        ),
                        html.Li(
                            "This workstream",
                            id=f"{PAGE}-crumb",
                            className="breadcrumb-item active",
                            **{"aria-current": "page"},
                        ),
                    ],
                    className="breadcrumb",
                ),
                **{"aria-label": "Breadcrumb"},
            ),
            html.H1("Workstream", id=f"{PAGE}-title"),
            dcc.Store(id=f"{PAGE}-id", data=workstream_id),
            html.Div(id=f"{PAGE}-content", **{"aria-live": "polite"}),
        ]
    )


@cached_callback(
    Output(f"{PAGE}-title", "children"),
    Output(f"{PAGE}-crumb", "children"),
    Output(f"{PAGE}-content", "children"),
    Input(f"{PAGE}-id", "data"),
)
def show_workstream(workstream_id):
    try:
        scope = current_scope()
        detail = workstreams.workstream_detail(scope=scope, workstream_id=workstream_id)
        trends = workstreams.measure_trends(scope=scope, workstream_id=workstream_id)
        returns = workstreams.completeness(scope=scope, workstream_id=workstream_id)
        verdicts = workstreams.measure_spc(scope=scope, workstream_id=workstream_id)
        trends = _with_period_ends(trends)
        events = {
            code: annotations_for(
                scope,
                detail["vru_code"],
                code,
                part["period_start"].min(),
                part["period_end"].max(),
            )
            for code, part in trends.groupby("measure_code")
        }
        notes = board_parts.vru_notes(scope, detail["vru_code"])
    except NotFound:
        return (
            "Workstream not found",
            "Not found",
            message(
                f"There is no workstream with the id '{workstream_id}'. Choose one "
                "from the list of workstreams.",
                kind="warning",
            ),
        )
    except AccessDenied:
        return (
            "Workstream outside your access",
            "Outside your access",
            message(
                "This workstream is outside your access. You can see the "
                "workstreams listed on the Workstreams page.",
                kind="info",
            ),
        )
    except StoreUnavailable:
        return (
            "Workstream",
            "This workstream",
            message(
                "Data temporarily unavailable. Please try again shortly.",
                kind="warning",
            ),
        )
    return (
        detail["name"],
        detail["name"],
        _content(detail, trends, returns, verdicts, events, (scope, notes)),
    )


def _with_period_ends(trends: pd.DataFrame) -> pd.DataFrame:
    """The quarterly trends with each quarter's last day (for annotations)."""
    return trends.assign(
        period_end=[
            quarter_bounds(financial_year_of(d), quarter_of(d))[1]
            for d in trends["period_start"]
        ]
    )


def _content(detail, trends, returns, verdicts, events, notes=(None, None)):
    measures = detail["measures"]
    # Read-only parts go through static_html: one Dash component each instead of
    # hundreds that Dash's renderer re-checks on every store update while the
    # page loads (see components/static_html.py).
    children = [static_html(_head(detail))]
    if measures.empty:
        children.append(message("No measures are recorded for this workstream yet."))
    for i, row in enumerate(measures.itertuples()):
        part = trends[trends["measure_code"] == row.measure_code]
        section = _measure_section(
            i,
            row,
            part,
            verdicts.get(row.measure_code),
            events.get(row.measure_code),
        )
        scope, found = notes
        if found is not None:  # the commentary beside the measure
            note = board_parts.note_for(
                scope, found, detail["vru_code"], row.measure_code, row.name
            )
            if note:
                section.children.append(static_html(note))
        children.append(section)
    children.append(static_html(_returns(detail, returns)))
    return children


def _head(detail) -> list:
    """The facts, the summary and the explainers above the measures."""
    facts = [
        ("VRU area", detail["vru_name"]),
        ("Lead role", detail["lead_role"]),
        ("Purpose", detail["purpose"]),
        ("Outcomes", detail["outcomes"] or "Not recorded"),
        ("Source", detail["source_title"]),
    ]
    return [
        *([illustrative_badge()] if detail["illustrative"] else []),
        *([html.P(html.Strong("This is your workstream."))] if detail["own"] else []),
        html.Dl(
            [part for k, v in facts for part in (html.Dt(k), html.Dd(v))],
            className="ws-facts",
        ),
        _summary(detail["measures"]),
        html.H2("Measures against targets"),
        rag_explainer(RAG_RULE_TEXT),
        _spc_explainer(),
    ]


def _returns(detail, returns: pd.DataFrame) -> list:
    return [
        html.H2("Quarterly returns"),
        returns_note(detail["reporting_quarter"], detail["as_at"], DUE_RULE),
        _returns_table(returns),
    ]


def _summary(measures: pd.DataFrame) -> html.P:
    return html.P(
        measures_summary(measures), className="ws-summary", id=f"{PAGE}-summary"
    )


def _value_text(value, unit: str) -> str:
    if value is None or value != value:
        return "–"
    if unit.strip() == "%":
        return f"{number(value, 1)}%"
    decimals = 0 if float(value).is_integer() else 1
    return f"{number(value, decimals)} {unit}"


def _spc_explainer() -> html.Details:
    return html.Details(
        [
            html.Summary("How change is judged against normal variation"),
            html.P(
                "Each measure's quarterly values are plotted on a statistical process "
                "control (SPC) chart, following NHS England's Making Data Count: the "
                "mean and natural process limits (the mean plus or minus 2.66 times "
                "the average change from one quarter to the next) show the range "
                "that normal variation covers. A change is a signal only when a "
                "quarter falls outside the limits, 7 quarters in a row sit on one "
                "side of the mean, 7 quarters in a row rise or fall, or 2 of 3 "
                "quarters sit close to a limit. With fewer than 12 quarters no "
                "signal is given."
            ),
            html.P(
                "Assurance compares the target with the limits: a target outside "
                "them will consistently be met or missed unless the process "
                "changes; a target inside them will be met in some quarters and "
                "missed in others. The RAG rating compares only the latest quarter "
                "with its target."
            ),
        ],
        className="ws-rag-rule",
    )


def _measure_section(
    i: int, row, trend: pd.DataFrame, verdict, events=None
) -> html.Section:
    return html.Section(
        [
            static_html(_measure_words(row, verdict)),
            chart_card(_sparkline(i, row, trend, verdict, events), heading_level=4),
        ],
        className="ws-measure",
    )


def _measure_words(row, verdict) -> list:
    """A measure's name, SPC verdict, RAG, latest return and completeness."""
    if row.suppressed:
        latest = (
            f"Latest return {row.latest_period}: * (a small number, hidden under "
            "disclosure control)"
        )
    elif row.latest_period:
        latest = (
            f"Latest return {row.latest_period} ({row.latest_status}): "
            f"{_value_text(row.latest_value, row.unit)}"
        )
    else:
        latest = "No return received yet"
    if row.target == row.target and row.target is not None:
        latest += f"; target {_value_text(row.target, row.unit)}."
    else:
        latest += "; no target set."
    completeness = (
        f"{row.received} of {row.expected} quarterly returns received "
        f"({percent(row.completeness, 0, fraction=True)}); {row.late} late."
        if row.expected
        else "No returns expected yet."
    )
    return [
        html.H3(row.name),
        *(
            [
                spc_summary(
                    variation=verdict["variation"],
                    variation_words=verdict["variation_words"],
                    assurance=verdict["assurance"],
                    assurance_words=verdict["assurance_words"],
                )
            ]
            if verdict
            else []
        ),
        html.P(
            ["Latest quarter against target: ", rag_badge(row.rag, row.rag_label)],
            className="ws-rag",
        ),
        html.P(latest),
        html.P(row.rag_rule, className="small ws-rule"),
        html.P(completeness, className="small"),
    ]


def _finding(row, latest, verdict) -> str:
    """The chart's title: the latest quarter's figure and, where there are
    enough points, whether the series shows a signal against normal variation
    (Making Data Count), never a first-to-last comparison of two points, which
    an SPC verdict of "no signal of change" beside it would contradict."""
    title = f"{row.name}, {latest['period']}: {_value_text(latest['value'], row.unit)}"
    if verdict and verdict["variation"] != "not assessed":
        words = verdict["variation_words"]
        title += f"; {words[:1].lower()}{words[1:]}"
    return title


def _sparkline(i: int, row, trend: pd.DataFrame, verdict, events=None) -> ChartSpec:
    table = pd.DataFrame(
        {
            "Quarter": trend["period"],
            "Value": [
                "*" if s else v
                for v, s in zip(trend["value"], trend["suppressed"], strict=True)
            ],
            "Target": trend["target"],
            "RAG": trend["rag"].map(workstreams.RAG_LABELS),
        }
    )
    lines = {"Returned": trend["value"], "Target": trend["target"]}
    if verdict:
        points = verdict["points"].set_index("period").reindex(trend["period"])
        table["Mean"] = points["centre"].round(2).to_list()
        table["Lower process limit"] = points["lower"].round(2).to_list()
        table["Upper process limit"] = points["upper"].round(2).to_list()
        table["Variation"] = [
            f"{kind} ({rules})" if rules else kind
            for kind, rules in zip(points["point_type"], points["rules"], strict=True)
        ]
        lines.update(
            {
                "Mean": points["centre"],
                "Upper process limit": points["upper"],
                "Lower process limit": points["lower"],
            }
        )
        # Special-cause quarters get their own marked series, named in the legend.
        for kind in ("improving", "concerning", "high", "low"):
            flagged = points["point_type"] == f"special cause {kind}"
            if flagged.any():
                lines[f"Special cause: {kind}"] = points["value"].where(flagged)
    long = pd.concat(
        [
            pd.DataFrame(
                {"Quarter": trend["period"], "Series": name, "v": list(values)}
            )
            for name, values in lines.items()
        ],
        ignore_index=True,
    )
    shown = trend.dropna(subset=["value"])
    if shown.empty:
        title = f"{row.name}: no values can be shown"
        summary = ""
    else:
        summary = summary_for_series(
            shown.rename(columns={"period": "Quarter", "value": "v"}),
            x="Quarter",
            y="v",
            label=row.name,
            unit="" if row.unit.strip() == "%" else row.unit,
            percentage=row.unit.strip() == "%",
        )
        title = _finding(row, shown.iloc[-1], verdict)
    figure = trend_figure(
        long,
        x="Quarter",
        y="v",
        series="Series",
        y_title=row.unit,
        height=240,
    )
    if events is not None and not events.empty:
        add_marks(figure, chart_marks(events, trend, "period"))
        table[EVENTS_COLUMN] = events_column(events, trend)
        summary += " " + events_sentence(events)
    return ChartSpec(
        chart_id=f"{PAGE}-trend-{i}",
        title=title,
        caption=f"{row.name} ({row.unit}) by quarter, with the target for each "
        "financial year"
        + (
            f" and the SPC mean and process limits ({verdict['method']})."
            if verdict
            else "."
        ),
        source="Workstream quarterly returns",
        figure=figure,
        table=table,
        summary=summary,
        illustrative=bool(trend["illustrative"].any()) if not trend.empty else False,
        empty_message=None if not shown.empty else "No values can be shown yet.",
        csv_filename=f"{row.measure_code}.csv",
    )


def _returns_table(returns: pd.DataFrame):
    if returns.empty:
        return message("No returns are expected yet.")

    def table(frame, caption, table_id):
        return html.Div(
            html.Table(
                [
                    html.Caption(caption, className="caption-top"),
                    html.Thead(
                        html.Tr(
                            [
                                html.Th(h, scope="col")
                                for h in (
                                    "Quarter",
                                    "Due",
                                    "Measures returned",
                                    "Status",
                                )
                            ]
                        )
                    ),
                    html.Tbody(
                        [
                            html.Tr(
                                [
                                    html.Th(r.period, scope="row"),
                                    html.Td(long_date(r.due_date)),
                                    html.Td(
                                        f"{r.measures_received} of "
                                        f"{r.measures_expected}"
                                    ),
                                    html.Td(
                                        r.status,
                                        className="ws-status ws-status--"
                                        + r.status.split()[0].lower(),
                                    ),
                                ]
                            )
                            for r in frame.iloc[::-1].itertuples()
                        ]
                    ),
                ],
                className="table table-sm",
                **({"id": table_id} if table_id else {}),
            ),
            className="table-responsive",
            role="region",
            tabIndex=0,
            **{"aria-label": caption},
        )

    recent = returns.tail(RECENT_RETURNS)
    parts = [table(recent, "Latest quarterly returns, newest first", f"{PAGE}-returns")]
    if len(returns) > RECENT_RETURNS:
        parts.append(
            html.Details(
                [
                    html.Summary(f"All {len(returns)} quarters"),
                    table(returns, "Every quarterly return, newest first", None),
                ]
            )
        )
    return html.Div(parts)
