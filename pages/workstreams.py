"""Workstreams: is each strand of a VRU's work on target, and are its quarterly
returns coming in?

For each workstream the caller may see: its lead role, how many of its measures
are green, amber or red against target (RAG that respects each measure's polarity,
always in words as well as colour), how many quarterly returns have been received
of those expected since it began, late returns and the next return due. A
workstream lead sees their own workstream first; a viewer sees their VRU's; admins
and analysts see all, with a VRU area filter.

Drill down: each workstream's name links to /workstreams/<id>, its measures with
trend sparklines and its returns quarter by quarter.
State in the URL: ?area=E23000003
"""

from __future__ import annotations

import functools

import dash
from dash import Input, Output, dcc, html

from components import filters
from components.chart_tables import (
    TableBadges,
    TableLink,
    accessible_table,
    columns_table,
)
from components.formatting import percent
from components.shell import illustrative_badge, message
from components.workstream_text import rag_explainer, returns_note
from data_access import clock, workstreams
from data_access.areas import get_area
from data_access.errors import AccessDenied, NotFound, StoreUnavailable
from data_access.periods import long_date, quarter_label
from data_access.returns_due import DUE_RULE
from data_access.statistics import RAG_RULE_TEXT
from web.access import current_scope
from web.view_cache import cached_callback

dash.register_page(
    __name__,
    path="/workstreams",
    title="Workstreams – VRU Outcomes Monitor",
    name="Workstreams",
    order=6,
)

PAGE = "workstreams"
RAG_WORDS = {"green": "Green", "amber": "Amber", "red": "Red"}


def layout(area: str | None = None, **_query):
    heading, lead, url_params, url_sync, content = _CONSTANT
    return html.Div(
        [
            heading,
            lead,
            filters.filter_bar(
                [
                    html.Div(
                        [
                            html.Label(
                                "VRU area",
                                htmlFor=f"{PAGE}-area",
                                className="form-label",
                            ),
                            dcc.Dropdown(
                                id=f"{PAGE}-area",
                                value=area or None,
                                # Kept when back/forward re-render this page; the
                                # full options follow from the shell's store.
                                options=[{"label": area, "value": area}]
                                if area
                                else [],
                                clearable=True,
                                searchable=True,
                                placeholder="All the areas you can see",
                            ),
                        ],
                        className="filter",
                    )
                ]
            ),
            filters.area_levels(PAGE, ("pfa", f"render:{area}")),
            url_params,
            url_sync,
            content,
        ]
    )


# The layout's parts that no query changes, made once: constant components, never
# changed once made (the layout is drawn on every visit).
_CONSTANT = (
    html.H1("Workstreams"),
    html.P(
        "Each workstream's measures against their targets, and whether its "
        "quarterly returns are in. Choose a workstream to see its measures, "
        "trends and returns.",
        className="lead",
    ),
    filters.url_params(PAGE, {"area": f"{PAGE}-area"}),
    filters.url_sync(PAGE),
    html.Div(id=f"{PAGE}-content", **{"aria-live": "polite"}),
)


filters.link_area_options(PAGE, levels=("pfa",))
filters.link_url_sync(PAGE, {"area": f"{PAGE}-area"})


@cached_callback(Output(f"{PAGE}-content", "children"), Input(f"{PAGE}-area", "value"))
def show_workstreams(area_code):
    try:
        scope = current_scope()
        # columns of plain lists: the list's frame only to be taken apart again
        # cost more than drawing it
        table = workstreams.workstream_columns(scope=scope, area_code=area_code or None)
        latest = workstreams.reporting_quarter()
    except NotFound:
        return message(
            f"There is no area with the code '{area_code}'. Choose one from the list.",
            kind="warning",
        )
    except AccessDenied:
        return message(
            f"Workstreams in {_area_name(area_code)} are outside your access. "
            "Choose an area you can see, or clear the filter.",
            kind="info",
        )
    except StoreUnavailable:
        return message(
            "Data temporarily unavailable. Please try again shortly.", kind="warning"
        )
    where = _area_name(area_code) if area_code else "the areas you can see"
    if not area_code and not scope.unrestricted and len(scope.area_codes) == 1:
        where = _area_name(next(iter(scope.area_codes)))
    if not table["workstream_id"]:
        return message(f"No workstreams are recorded for {where}.")
    children = [
        rag_explainer(RAG_RULE_TEXT),
        returns_note(
            None if latest is None else quarter_label(latest), clock.today(), DUE_RULE
        ),
    ]
    own = _rows(table, table["own"])
    if own["workstream_id"]:
        children += [
            html.H2("Your workstream"),
            *([illustrative_badge()] if any(own["illustrative"]) else []),
            workstream_table(own, caption="Your workstream", table_id=f"{PAGE}-own"),
        ]
        table = _rows(table, [not mine for mine in table["own"]])
    if table["workstream_id"]:
        heading = (
            f"Other workstreams in {where}"
            if own["workstream_id"]
            else f"Workstreams in {where}"
        )
        children += [
            html.H2(f"{heading} ({len(table['workstream_id'])})"),
            *([illustrative_badge()] if any(table["illustrative"]) else []),
            workstream_table(table, caption=heading, table_id=f"{PAGE}-table"),
        ]
    return children


def _rows(columns: dict[str, list], keep: list[bool]) -> dict[str, list]:
    """The rows of a table of columns that `keep` says to keep, in order."""
    return {
        name: [value for value, kept in zip(values, keep, strict=True) if kept]
        for name, values in columns.items()
    }


def _area_name(area_code: str | None) -> str:
    try:
        return get_area(area_code).name if area_code else "this area"
    except Exception:  # noqa: BLE001 - a message must not fail
        return str(area_code)


# Pure functions of a few counts that many workstreams share (TableBadges is
# frozen): each cell's text is worked out once per process, not once a row.
@functools.lru_cache(maxsize=1024)
def _rag_counts(green: int, amber: int, red: int, other: int) -> TableBadges:
    """The workstream's measures by RAG rating, as badges in a table cell (the same
    markup as `rag_badge`, drawn without a Dash component per badge)."""
    counts = [
        (key, f"{count} {RAG_WORDS[key]}")
        for key, count in (("green", green), ("amber", amber), ("red", red))
    ]
    if other:
        counts.append(("none", f"{other} not rated"))
    return TableBadges(
        tuple(
            (text, f"rag rag--{key}", f"rag-dot rag-dot--{key}") for key, text in counts
        ),
        class_name="rag-counts",
    )


def _date(day) -> str:
    return long_date(day) if day is not None and day == day else "–"


def _dates(days: list) -> list[str]:
    """`_date` of each day, each date written once: most workstreams share a
    due date, and a month's name costs a locale lookup (strftime) each time."""
    written: dict = {}
    out = []
    for day in days:
        text = written.get(day)
        if text is None:
            text = written[day] = _date(day)
        out.append(text)
    return out


@functools.lru_cache(maxsize=1024)
def _returns_received(received: int, expected: int, completeness: float) -> str:
    if not expected:
        return "None expected yet"
    return f"{received} of {expected} ({percent(completeness, 0, fraction=True)})"


def workstream_table(c: dict[str, list], *, caption: str, table_id: str) -> html.Div:
    """One row per workstream (`c`: workstream_columns' lists). An
    accessible_table (one component for the whole table): as Dash components per
    cell and badge, the list of 85 workstreams cost the browser 5.9 s of
    main-thread work to draw. Made column by column, not row by row through a
    second frame."""
    return accessible_table(
        columns_table(
            {
                "Workstream": [
                    TableLink(name, f"/workstreams/{ws}")
                    for name, ws in zip(c["name"], c["workstream_id"], strict=True)
                ],
                "VRU area": c["vru_name"],
                "Lead role": c["lead_role"],
                "Measures by RAG rating": [
                    _rag_counts(*counts)
                    for counts in zip(
                        c["green"], c["amber"], c["red"], c["other"], strict=True
                    )
                ],
                "Returns received": [
                    _returns_received(*returns)
                    for returns in zip(
                        c["received_returns"],
                        c["expected_returns"],
                        c["completeness"],
                        strict=True,
                    )
                ],
                "Late returns": [int(n) for n in c["late_returns"]],
                "Next return due": _dates(c["next_due"]),
            }
        ),
        caption=caption,
        table_id=table_id,
        class_name="ws-table",  # its caption repeats the heading: shown to readers only
    )
