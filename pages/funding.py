"""Funding and spend: how much each VRU was allocated (every published figure, with
its precision and source), who funded it and for which programme, how fast it is
being spent against the 31 March deadline, where it goes (tier, local authority,
intervention) and what it costs per young person reached.

Drill down: England and Wales (allocations by force area) -> a force area
(allocations by funder and programme, spend, burn rate, forecast) -> a local
authority (spend on the interventions it delivers) -> an intervention. Use the
filters, or the links in the tables; every level is a URL:
/funding?area=E23000036&year=2019&lad=E06000023&intervention=12

Allocations are published figures, shown to everyone signed in. Spend,
interventions and cost per person are restricted to the user's areas; for other
areas the page says so and still shows the published allocations.
"""

from __future__ import annotations

import dash
from dash import Input, Output, State, dcc, html

from components import filters
from components.funding_spend import intervention_level, lad_parts, spend_parts
from components.funding_tables import (
    PAGE,
    allocation_parts,
    breadcrumbs,
    national_parts,
    outside_access,
)
from components.shell import message
from data_access import periods
from data_access.areas import NATIONAL_CODE, get_area, list_areas
from data_access.errors import (
    AccessDenied,
    InvalidParameter,
    NotFound,
    StoreUnavailable,
)
from data_access.money import funded_interventions, funding_allocations, funding_views
from web.access import current_scope
from web.view_cache import cached_callback

dash.register_page(
    __name__,
    path="/funding",
    title="Funding and spend – VRU Outcomes Monitor",
    name="Funding and spend",
    order=3,
)

PARAMS = {
    "area": f"{PAGE}-area",
    "year": f"{PAGE}-year",
    "lad": f"{PAGE}-lad",
    "intervention": f"{PAGE}-intervention",
}


def layout(
    area: str | None = None,
    year: str | None = None,
    lad: str | None = None,
    intervention: str | None = None,
    **_query,
):
    year_options = []
    if year:
        year_options = [{"label": _year_label(year), "value": year}]
    heading, lead, url_params, url_sync, content = _CONSTANT
    return html.Div(
        [
            heading,
            lead,
            filters.filter_bar(
                [
                    filters.area_picker(PAGE, value=area or NATIONAL_CODE),
                    _dropdown(
                        "year",
                        "Financial year",
                        year_options,
                        year,
                        placeholder="Latest year",
                        clearable=False,
                    ),
                    _dropdown(
                        "lad",
                        "Local authority",
                        [{"label": lad, "value": lad}] if lad else [],
                        lad,
                        placeholder="All local authorities",
                    ),
                    _dropdown(
                        "intervention",
                        "Intervention",
                        [{"label": intervention, "value": intervention}]
                        if intervention
                        else [],
                        intervention,
                        placeholder="All interventions",
                    ),
                ]
            ),
            filters.area_levels(PAGE, key=repr((area, year, lad, intervention))),
            url_params,
            url_sync,
            content,
        ]
    )


# The layout's parts that no query changes, made once: constant components, never
# changed once made (the layout is drawn on every visit).
_CONSTANT = (
    html.H1("Funding and spend"),
    html.P(
        "What each Violence Reduction Unit was allocated, by whom and for "
        "what; how fast it is being spent before the 31 March deadline; "
        "and what it costs per young person reached.",
        className="lead",
    ),
    filters.url_params(PAGE, PARAMS),
    filters.url_sync(PAGE),
    html.Div(id=f"{PAGE}-content", **{"aria-live": "polite"}),
)


def _dropdown(name, label, options, value, *, placeholder, clearable=True):
    return html.Div(
        [
            html.Label(label, htmlFor=f"{PAGE}-{name}", className="form-label"),
            dcc.Dropdown(
                id=f"{PAGE}-{name}",
                options=options,
                value=value,
                clearable=clearable,
                placeholder=placeholder,
            ),
        ],
        className="filter",
    )


filters.link_area_options(PAGE)
filters.link_url_sync(PAGE, PARAMS)


# ------------------------------------------------------------------ options


@cached_callback(Output(f"{PAGE}-year", "options"), Input(f"{PAGE}-area", "value"))
def year_options(area_code):
    try:
        code = area_code if area_code and area_code != NATIONAL_CODE else None
        years = funding_allocations.financial_years(area_code=code)
    except (NotFound, StoreUnavailable):
        years = []
    # "2025/26 (part year: Q1–Q2)" for a year still running.
    return [
        {"label": funding_views.year_view(y)["long_label"], "value": str(y)}
        for y in reversed(years)
    ]


@cached_callback(
    Output(f"{PAGE}-lad", "options"),
    Output(f"{PAGE}-lad", "value"),
    Input(f"{PAGE}-area", "value"),
    State(f"{PAGE}-lad", "value"),
)
def lad_options(area_code, lad_code):
    if not area_code or area_code == NATIONAL_CODE:
        return [], None if lad_code else dash.no_update
    try:
        lads = list_areas(level="lad", parent_code=area_code)
    except StoreUnavailable:
        return [], lad_code
    options = [{"label": r.name, "value": r.code} for r in lads.itertuples()]
    keep = lad_code if lad_code in set(lads["code"]) else None
    # Leave an unchanged value alone so the content is not drawn twice.
    return options, dash.no_update if keep == lad_code else keep


@cached_callback(
    Output(f"{PAGE}-intervention", "options"),
    Output(f"{PAGE}-intervention", "value"),
    Input(f"{PAGE}-area", "value"),
    Input(f"{PAGE}-lad", "value"),
    State(f"{PAGE}-intervention", "value"),
)
def intervention_options(area_code, lad_code, intervention_id):
    if not area_code or area_code == NATIONAL_CODE:
        return [], None if intervention_id else dash.no_update
    try:
        frame = funded_interventions.interventions(
            scope=current_scope(), area_code=lad_code or area_code
        )
    except (AccessDenied, NotFound, InvalidParameter, StoreUnavailable):
        return [], None
    options = [
        {"label": f"{r.intervention} ({r.tier})", "value": str(r.intervention_id)}
        for r in frame.itertuples()
    ]
    wanted = str(intervention_id) if intervention_id else None
    keep = wanted if wanted in {o["value"] for o in options} else None
    return options, dash.no_update if keep == intervention_id else keep


# ------------------------------------------------------------------ content


@cached_callback(
    Output(f"{PAGE}-content", "children"),
    Input(f"{PAGE}-area", "value"),
    Input(f"{PAGE}-year", "value"),
    Input(f"{PAGE}-lad", "value"),
    Input(f"{PAGE}-intervention", "value"),
)
def show_funding(area_code, year, lad_code, intervention_id):
    try:
        scope = current_scope()
        return _content(
            scope, area_code or NATIONAL_CODE, year, lad_code, intervention_id
        )
    except StoreUnavailable:
        return message(
            "Data temporarily unavailable. Please try again shortly.", kind="warning"
        )
    except AccessDenied as error:
        return message(f"This is outside your access: {error}.", kind="info")


def _content(scope, area_code, year, lad_code, intervention_id):
    try:
        area = get_area(area_code)
    except NotFound:
        return message(
            f"There is no area with the code '{area_code}'. Choose one from the list.",
            kind="warning",
        )
    if area.level not in ("country", "pfa"):
        return message(
            f"{area.name} is not a force area. Choose England and Wales or a force "
            "area; local authorities are under 'Local authority'.",
            kind="warning",
        )
    try:
        fy = _parse_year(year)
        if fy is None:
            fy = funding_allocations.default_year(area_code=area.code)
    except InvalidParameter:
        return message(
            f"'{year}' is not a financial year. Choose one like 2019/20 from the list.",
            kind="warning",
        )
    if fy is None:
        return message("No funding has been recorded yet.")
    if area.code == NATIONAL_CODE:
        return [
            breadcrumbs(None, None, None, fy, national_code=NATIONAL_CODE),
            *national_parts(funding_views.national_view(financial_year=fy)),
        ]

    lad = None
    if lad_code:
        try:
            lad = get_area(lad_code)
        except NotFound:
            lad = None
        if lad is None or lad.parent_code != area.code:
            return message(
                f"'{lad_code}' is not a local authority in {area.name}. Choose one "
                "from the list.",
                kind="warning",
            )
    info = None
    if intervention_id:
        try:
            info = funded_interventions.get_intervention(
                scope=scope, intervention_id=int(intervention_id)
            )
        except (ValueError, NotFound):
            info = None
        except AccessDenied:
            return [
                breadcrumbs(area, lad, None, fy, national_code=NATIONAL_CODE),
                outside_access(area),
            ]
        if info is None or info["vru_area_code"] != area.code:
            return message(
                f"There is no intervention '{intervention_id}' in {area.name}. "
                "Choose one from the list.",
                kind="warning",
            )
    crumbs = breadcrumbs(area, lad, info, fy, national_code=NATIONAL_CODE)
    if info is not None:
        view = funding_views.intervention_view(
            scope=scope, area=area, info=info, financial_year=fy
        )
        return [crumbs, *intervention_level(info, view)]
    if lad is not None:
        view = funding_views.lad_view(scope=scope, lad=lad, financial_year=fy)
        return [crumbs, *lad_parts(area, lad, view)]
    return [crumbs, *_force(scope, area, fy)]


def _parse_year(value) -> int | None:
    if value in (None, ""):
        return None
    text = str(value).strip()
    if "/" in text:
        return periods.parse_fy_label(text)
    if not text.isdigit() or not 1990 <= int(text) <= 2100:
        raise InvalidParameter("financial_year", f"'{value}' is not a financial year")
    return int(text)


def _year_label(value) -> str:
    try:
        year = _parse_year(value)
    except InvalidParameter:
        return str(value)
    return funding_views.year_view(year)["long_label"] if year else str(value)


# ---------------------------------------------------------------- force area


def _force(scope, area, fy: int) -> list:
    view = funding_views.force_view(scope=scope, area=area, financial_year=fy)
    return [
        html.H2(f"{area.name}: allocations, {view['year']['label']}"),
        *allocation_parts(area, view["allocations"], view["year"]),
        *spend_parts(area, view),
    ]
