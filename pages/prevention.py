"""Prevention activity by tier: what do the VRU's primary, secondary and tertiary
interventions deliver (young people supported, referrals, sessions, completions,
staff trained), how has their reach changed quarter by quarter, and where has the
money gone, against the VRU's plan where one is recorded?

Drill down: tier -> its interventions -> one intervention's quarterly outputs and
spend. Every level is a URL, reached from the links in the tier cards and the
interventions table, and left through the breadcrumbs:
/prevention?area=E23000036&tier=secondary&intervention=187
A tier may hold hundreds of interventions (a national-scale store has ~800), so its
table is paged (`page`, 25 rows, most young people supported first) and its chart
shows the top 15. Choosing another page moves keyboard focus to the list's caption
and announces the new range ("Showing interventions 26 to 50 of 833") in a polite
status region; changing a filter that drives the list (area, local authority,
period) goes back to its first page; "Download all N ... interventions (CSV)"
gives the whole tier, every page, in the table's order.
Filters, all in the URL: area (VRU force area), lad (delivering local authority),
from / to (months, YYYY-MM, snapped to whole quarters), age (reach chart: all or
under25).
"""

from __future__ import annotations

from urllib.parse import urlencode

import dash
import pandas as pd
from dash import (
    ALL,
    ClientsideFunction,
    Input,
    Output,
    State,
    callback,
    clientside_callback,
    dcc,
    html,
    no_update,
)

from components import filters, part_periods
from components.chart import ChartSpec, chart_card, shown_table
from components.chart_tables import table_to_csv
from components.formatting import money, number
from components.intervention_list import (
    _LIST_COLUMNS,
    _delivered_by_detail,
    _runs,
    intervention_rows,
    paginate,
    ranked_interventions,
    requested_page,
)
from components.prevention_charts import (
    PAGE,
    TIER_NAMES,
    _breakdown_chart,
    _headline,
    _intervention_outputs_chart,
    _intervention_spend_chart,
    _interventions_chart,
    _outputs_chart,
    _reach_chart,
    _spend_chart,
)
from components.prevention_parts import (
    list_row,
    pagination,
    plan_note,
    tier_card,
    tier_rows,
)
from components.shell import illustrative_badge, message
from data_access import periods
from data_access.activity import intervention_activity, prevention_views
from data_access.areas import get_area, list_areas
from data_access.errors import (
    AccessDenied,
    DataAccessError,
    NotFound,
    StoreUnavailable,
)
from web.access import current_scope
from web.view_cache import cached_callback

dash.register_page(
    __name__,
    path="/prevention",
    title="Prevention activity – VRU Outcomes Monitor",
    name="Prevention",
    order=2,
)
DEFAULT_AREA = "E23000036"  # Avon and Somerset: the hub-and-spoke seed paper
TIERS = ("primary", "secondary", "tertiary")
URL_PARAMS = ["area", "lad", "from", "to", "age", "tier", "intervention", "page"]
LIST_FILTERS = ("area", "lad", "from", "to")  # the filters that change a tier's list
LIST_CAPTION = f"{PAGE}-interventions-caption"  # where focus goes on a new page
CSV_BOM = "\ufeff"  # lets Excel read the CSV as UTF-8, as the chart CSV links do


def _default_area() -> str:
    """The caller's own area when their access is limited; cheap (no query)."""
    try:
        scope = current_scope()
    except Exception:  # noqa: BLE001 - outside a request (Dash's first layout call)
        return DEFAULT_AREA
    if not scope.unrestricted and scope.area_codes:
        return sorted(scope.area_codes)[0]
    return DEFAULT_AREA


def layout(
    area: str | None = None,
    lad: str | None = None,
    tier: str | None = None,
    intervention: str | None = None,
    age: str | None = None,
    page: str | None = None,
    **query,
):
    area = area or _default_area()
    heading, lead, url_params, url_sync, list_status, content, download = _CONSTANT
    return html.Div(
        [
            heading,
            lead,
            filters.filter_bar(
                [
                    _picker(
                        f"{PAGE}-area",
                        "VRU area",
                        area,
                        clearable=False,
                        placeholder="Choose a VRU area",
                    ),
                    _picker(
                        f"{PAGE}-lad",
                        "Local authority",
                        lad or None,
                        clearable=True,
                        placeholder="All local authorities",
                    ),
                    filters.month_picker(
                        PAGE, "from", label="From (month)", value=query.get("from")
                    ),
                    filters.month_picker(
                        PAGE, "to", label="To (month)", value=query.get("to")
                    ),
                    filters.select(
                        PAGE,
                        "age",
                        label="Reach: age",
                        options=filters.AGE_OPTIONS,
                        value=age if age in ("all", "under25") else "all",
                    ),
                ]
            ),
            # The render key changes with the URL, so that options are filled in
            # again when a link re-renders this page (see _picker).
            filters.area_levels(PAGE, ("pfa", _render_key(area, lad, tier, query))),
            dcc.Store(id=f"{PAGE}-render", data=_render_key(area, lad, tier, query)),
            dcc.Store(
                id=f"{PAGE}-drill",
                data={
                    "tier": tier or None,
                    "intervention": intervention or None,
                    "page": page or None,
                },
            ),
            # The drill level as plain values for the URL sync; "" for none (the
            # sync drops it from the URL), as a Store holding None sets its data
            # again when it mounts, which the sync would take for a change.
            dcc.Store(id=f"{PAGE}-drill-tier", data=tier or ""),
            dcc.Store(id=f"{PAGE}-drill-intervention", data=intervention or ""),
            dcc.Store(id=f"{PAGE}-drill-page", data=page or ""),
            # The filters the URL's page number belongs to: a control set to the
            # value it already had (its options filled in again) is not a change.
            dcc.Store(
                id=f"{PAGE}-list-filters",
                data=_list_filters(area, lad, query.get("from"), query.get("to")),
            ),
            url_params,
            url_sync,
            list_status,
            content,
            download,
        ]
    )


# The layout's parts that no query changes, made once: constant components, never
# changed once made (the layout is drawn on every visit).
_CONSTANT = (
    html.H1("Prevention activity by tier"),
    html.P(
        "What the VRU's primary (universal), secondary (targeted) and "
        "tertiary (indicated) prevention delivers and costs. Choose a tier "
        "to see its interventions, and an intervention to see its quarterly "
        "outputs and spend.",
        className="lead",
    ),
    filters.url_params(PAGE, URL_PARAMS),
    filters.url_sync(PAGE),
    # Says which interventions a new page of the list shows. Outside the
    # content and empty until then: a live region must exist before its
    # text changes to be read out.
    html.Div(
        id=f"{PAGE}-list-status",
        role="status",
        className="visually-hidden",
        **{"aria-live": "polite", "aria-atomic": "true"},
    ),
    html.Div(id=f"{PAGE}-content", **{"aria-live": "polite"}),
    dcc.Download(id=f"{PAGE}-download-all-file"),
)


def _list_filters(area, lad, month_from, month_to) -> dict:
    values = (area, lad, month_from, month_to)
    return {
        name: value or None for name, value in zip(LIST_FILTERS, values, strict=True)
    }


def _render_key(*parts) -> str:
    return "render:" + repr(parts)


def _picker(component_id, label, value, *, clearable, placeholder):
    """A labelled dropdown whose options start as just its value.

    A link to this same page re-renders the layout and React keeps the dropdown,
    giving it this layout's options; a value missing from them would be cleared.
    The full options arrive from a callback straight after."""
    return html.Div(
        [
            html.Label(label, htmlFor=component_id, className="form-label"),
            dcc.Dropdown(
                id=component_id,
                value=value,
                options=[{"label": value, "value": value}] if value else [],
                clearable=clearable,
                searchable=True,
                placeholder=placeholder,
            ),
        ],
        className="filter",
    )


filters.link_area_options(PAGE, levels=("pfa",))

# The filters and the drill-down level, written to the URL (pushState) when they
# change. Not when the page is drawn: it is drawn from the URL, and writing it
# again (e.g. adding "age=all") would push a second history entry for every link
# followed, so that Back seemed to do nothing.
clientside_callback(
    ClientsideFunction("vru", "syncUrl"),
    Output(f"{PAGE}-url-sync", "data"),
    Input(f"{PAGE}-area", "value"),
    Input(f"{PAGE}-lad", "value"),
    Input(f"{PAGE}-from", "value"),
    Input(f"{PAGE}-to", "value"),
    Input(f"{PAGE}-age", "value"),
    Input(f"{PAGE}-drill-tier", "data"),
    Input(f"{PAGE}-drill-intervention", "data"),
    Input(f"{PAGE}-drill-page", "data"),
    State(f"{PAGE}-url-sync", "id"),
    State(f"{PAGE}-url-params", "data"),
    prevent_initial_call=True,
)


# When another page of a tier's list is drawn (a pagination link, or back and
# forward between pages), move focus to the list's caption and say which
# interventions it now shows; when the filters change the list, only say so
# (focus stays on the control being used). A first visit does neither. The
# caption carries the list's key, page and sentence (_View.tier_level).
# assets/vru.js `announceList`.
clientside_callback(
    ClientsideFunction("vru", "announceList"),
    Output(f"{PAGE}-list-status", "children"),
    Input(f"{PAGE}-content", "children"),
)


@cached_callback(
    Output(f"{PAGE}-lad", "options"),
    Output(f"{PAGE}-lad", "value"),
    Input(f"{PAGE}-area", "value"),
    Input(f"{PAGE}-render", "data"),
    State(f"{PAGE}-lad", "value"),
)
def local_authority_options(area_code, _render, lad_code):
    """The force area's local authorities (public names: no scope needed).

    An unchanged value is left alone: setting it would count as a change of
    filter (the URL written again, a history entry that Back returns to the same
    view from, the list drawn twice)."""
    try:
        lads = list_areas(level="lad", parent_code=area_code) if area_code else None
    except StoreUnavailable:
        lads = None
    if lads is None or lads.empty:
        return [], None if lad_code else no_update
    codes = lads["code"].tolist()  # columns as lists: no row tuples to make
    options = [
        {"label": name, "value": code}
        for name, code in zip(lads["name"].tolist(), codes, strict=True)
    ]
    keep = lad_code if lad_code in codes else None
    return options, no_update if keep == lad_code else keep


@cached_callback(
    Output(f"{PAGE}-drill", "data"),
    # The plain values for the URL sync, set here too so that it waits for this
    # answer and writes one history entry per change, not two.
    Output(f"{PAGE}-drill-tier", "data"),
    Output(f"{PAGE}-drill-intervention", "data"),
    Output(f"{PAGE}-drill-page", "data"),
    Output(f"{PAGE}-list-filters", "data"),
    Input(f"{PAGE}-area", "value"),
    Input(f"{PAGE}-lad", "value"),
    Input(f"{PAGE}-from", "value"),
    Input(f"{PAGE}-to", "value"),
    State(f"{PAGE}-list-filters", "data"),
    State(f"{PAGE}-drill", "data"),
    prevent_initial_call=True,
)
def reset_drill_on_filter_change(area_code, lad_code, month_from, month_to, was, drill):
    """Another area goes back to the tiers (an intervention belongs to one area);
    another local authority or period goes back to the first page of the list,
    which is a different list (age only changes the reach chart, so it keeps the
    page). Paging itself is a link that keeps every filter (`_View.href`)."""
    now = _list_filters(area_code, lad_code, month_from, month_to)
    was = was or {}
    if all(now[name] == was.get(name) for name in LIST_FILTERS):
        # e.g. the local authority options filled in again after a re-render
        return no_update, no_update, no_update, no_update, no_update
    drill = dict(drill or {})
    if now["area"] != was.get("area"):
        drill.update(tier=None, intervention=None)
    drill["page"] = None
    return drill, drill.get("tier") or "", drill.get("intervention") or "", "", now


@cached_callback(
    Output(f"{PAGE}-content", "children"),
    Input(f"{PAGE}-area", "value"),
    Input(f"{PAGE}-lad", "value"),
    Input(f"{PAGE}-from", "value"),
    Input(f"{PAGE}-to", "value"),
    Input(f"{PAGE}-age", "value"),
    Input(f"{PAGE}-drill", "data"),
)
def show_prevention(area_code, lad_code, month_from, month_to, age, drill):
    drill = drill or {}
    tier, intervention = drill.get("tier"), drill.get("intervention")
    page = requested_page(drill.get("page"))
    try:
        view = _view(area_code, lad_code, month_from, month_to, age)
        if intervention:
            return view.intervention_level(intervention, page)
        if tier:
            if tier not in TIERS:
                return _not_a_tier(tier)
            return view.tier_level(tier, page)
        return view.area_level()
    except DataAccessError as error:
        return _problem(error, area_code)


@callback(
    Output(f"{PAGE}-download-all-file", "data"),
    Output({"type": f"{PAGE}-download-all-message", "tier": ALL}, "children"),
    Input({"type": f"{PAGE}-download-all", "tier": ALL}, "n_clicks"),
    State(f"{PAGE}-area", "value"),
    State(f"{PAGE}-lad", "value"),
    State(f"{PAGE}-from", "value"),
    State(f"{PAGE}-to", "value"),
    State(f"{PAGE}-drill", "data"),
    prevent_initial_call=True,
)
def download_all_interventions(
    clicks, area_code, lad_code, month_from, month_to, drill
):
    """Every intervention of the tier in the current filters as CSV, in the
    table's order and with its figures (`intervention_rows`). Built here, on the
    server, from the caller's scope like every answer of this page: a tier
    outside their access gets the page's refusal, not a file. Not cached: the
    file is made on demand."""
    clicks = clicks or []
    if not any(clicks):  # a new list drawn, not a click
        return no_update, [no_update] * len(clicks)
    tier = (drill or {}).get("tier")
    try:
        if tier not in TIERS:
            return no_update, [_not_a_tier(tier)] * len(clicks)
        view = _view(area_code, lad_code, month_from, month_to, "all")
        ranked = ranked_interventions(view.interventions(tier))
    except DataAccessError as error:
        return no_update, [_problem(error, area_code)] * len(clicks)
    if ranked.empty:
        text = f"No {tier} interventions are recorded for {view.where}."
        return no_update, [message(text)] * len(clicks)
    spec = ChartSpec(  # for shown_table: "Data status" as on every CSV
        chart_id=f"{PAGE}-download-all",
        title=f"{TIER_NAMES[tier]} interventions in {view.where}",
        caption="",
        table=intervention_rows(ranked, view.area),
        illustrative=bool(ranked["illustrative"].any()),
    )
    content = CSV_BOM + table_to_csv(shown_table(spec))
    return (
        dcc.send_string(content, view.csv_filename(tier), type="text/csv"),
        [""] * len(clicks),
    )


def _view(area_code, lad_code, month_from, month_to, age) -> _View:
    """The page's filters read for the caller; the store decides access."""
    start = periods.parse_month(month_from, parameter="from") if month_from else None
    end = periods.parse_month(month_to, parameter="to", end=True) if month_to else None
    return _View(
        scope=current_scope(),
        area=get_area(area_code or DEFAULT_AREA),
        lad_code=lad_code or None,
        start=start,
        end=end,
        month_from=month_from or None,
        month_to=month_to or None,
        age=age if age in ("all", "under25") else "all",
    )


def _not_a_tier(tier) -> html.Div:
    return message(
        f"'{tier}' is not a prevention tier. Choose primary, secondary or tertiary.",
        kind="warning",
    )


def _problem(error: DataAccessError, area_code) -> html.Div:
    """What the page says instead of figures it cannot or may not show."""
    if isinstance(error, NotFound):
        return message(f"{error}. Choose one from the list.", kind="warning")
    if isinstance(error, AccessDenied):
        name = area_code or "this area"
        try:
            name = get_area(area_code).name
        except Exception:  # noqa: BLE001 - the message must not fail
            pass
        return message(
            f"Prevention activity for {name} is outside your access. Choose an "
            "area you can see.",
            kind="info",
        )
    if isinstance(error, StoreUnavailable):
        return message(
            "Data temporarily unavailable. Please try again shortly.", kind="warning"
        )
    return message(f"{error}.", kind="warning")  # InvalidParameter


# ------------------------------------------------------------------------ views


class _View:
    def __init__(self, *, scope, area, lad_code, start, end, month_from, month_to, age):
        self.scope = scope
        self.area = area
        self.lad_code = lad_code
        self.start = start
        self.end = end
        self.month_from = month_from
        self.month_to = month_to
        self.age = age
        self.where = area.name
        if lad_code:
            self.where = f"{get_area(lad_code).name} ({area.name})"

    # -- links

    def href(self, *, tier=None, intervention=None, page: int = 1) -> str:
        params = {
            "area": self.area.code,
            "lad": self.lad_code,
            "from": self.month_from,
            "to": self.month_to,
            "age": None if self.age == "all" else self.age,
            "tier": tier,
            "intervention": intervention,
            "page": str(page) if page > 1 else None,
        }
        query = urlencode({k: v for k, v in params.items() if v})
        return f"/{PAGE}?{query}"

    def breadcrumbs(self, trail: list[tuple[str, str | None]]) -> html.Nav:
        items = []
        for i, (label, href) in enumerate(trail):
            last = i == len(trail) - 1
            items.append(
                html.Li(
                    label if last or href is None else dcc.Link(label, href=href),
                    className="breadcrumb-item" + (" active" if last else ""),
                    **({"aria-current": "page"} if last else {}),
                )
            )
        return html.Nav(
            html.Ol(items, className="breadcrumb"),
            **{"aria-label": "Breadcrumb"},
            className="prevention-breadcrumbs",
        )

    def period_text(self, frame_starts) -> str:
        starts = sorted(d for d in frame_starts if d is not None)
        if not starts:
            return "no quarters with returns"
        first, last = starts[0], starts[-1]
        # "(part quarter)" when the period ends in a quarter still running
        to = part_periods.quarter_label(
            periods.quarter_label(last),
            periods.is_complete(periods.quarter_end(last)),
        )
        if periods.quarter_label(first) == periods.quarter_label(last):
            return to
        return f"{periods.quarter_label(first)} to {to}"

    # -- level 0: the three tiers side by side

    def area_level(self):
        view = prevention_views.area_view(
            scope=self.scope,
            area_code=self.area.code,
            lad_code=self.lad_code,
            start=self.start,
            end=self.end,
            age_band=self.age,
        )
        # summary and reach are columns of plain lists (area_view)
        summary, reach, totals = view["summary"], view["reach"], view["totals"]
        period = self.period_text(reach["period_start"])
        illustrative = any(summary["illustrative"]) or totals["illustrative"]
        where = self.where
        children = [
            self.breadcrumbs([(f"All tiers: {where}", None)]),
            _headline(where, totals, period, illustrative),
            html.H2(f"The three tiers side by side, {period}"),
            html.Div(
                [tier_card(row, self.href) for row in tier_rows(summary)],
                className="prevention-tiers",
            ),
            chart_card(_outputs_chart(summary, where, period, illustrative)),
            chart_card(_reach_chart(reach, where, period, self.age, view["events"])),
            chart_card(_spend_chart(summary, where, period, illustrative)),
            plan_note(view["plan_summary"], where),
        ]
        if view["breakdown"] is not None:
            children.append(
                chart_card(
                    _breakdown_chart(
                        view["breakdown"], totals, self.area, period, view["reconciles"]
                    )
                )
            )
        return children

    # -- level 1: one tier's interventions

    def interventions(self, tier: str) -> pd.DataFrame:
        """The tier's interventions in the filters (the store checks access)."""
        return intervention_activity.interventions(
            scope=self.scope,
            area_code=self.area.code,
            tier=tier,
            lad_code=self.lad_code,
            start=self.start,
            end=self.end,
        )

    def list_key(self, tier: str) -> str:
        """Which list a page belongs to: the tier and the filters that change it
        (LIST_FILTERS, not age). The browser compares it to tell paging from
        filtering."""
        values = (self.area.code, self.lad_code, self.month_from, self.month_to)
        key = dict(zip(LIST_FILTERS, values, strict=True)) | {"tier": tier}
        return urlencode({name: value for name, value in key.items() if value})

    def csv_filename(self, tier: str) -> str:
        parts = [PAGE, self.area.code, self.lad_code, tier, "interventions"]
        if self.month_from or self.month_to:
            parts.append(f"{self.month_from or 'start'}-to-{self.month_to or 'latest'}")
        return "-".join(p for p in parts if p) + ".csv"

    def tier_level(self, tier: str, page: int = 1):
        items = self.interventions(tier)
        name = TIER_NAMES[tier]
        crumbs = self.breadcrumbs(
            [
                (f"All tiers: {self.where}", self.href()),
                (f"{name} prevention", None),
            ]
        )
        if items.empty:
            return [
                crumbs,
                html.H2(f"{name} prevention in {self.where}"),
                message(f"No {tier} interventions are recorded for {self.where}."),
            ]
        illustrative = bool(items["illustrative"].any())
        ranked = ranked_interventions(items)
        paging = paginate(len(ranked), page)
        # Components only for the rows on this page: a tier can hold hundreds.
        shown = ranked.iloc[paging.first : paging.last]
        rows = intervention_rows(shown, self.area)
        total = number(len(ranked))
        caption = (
            f"{name} interventions in {self.where}: young people supported and "
            "spend in the period, most young people supported first"
            + (f" (page {paging.page} of {paging.pages})" if paging.pages > 1 else "")
        )
        table = html.Div(
            html.Table(
                [
                    # Focus moves here when another page is chosen (the link that
                    # was chosen is gone), so that reading and tabbing go on
                    # from the start of the new rows; the list's state for the
                    # browser rides on it (assets/vru.js announceList).
                    html.Caption(
                        caption,
                        id=LIST_CAPTION,
                        tabIndex=-1,
                        className="caption-top",
                        **{
                            "data-list": self.list_key(tier),
                            "data-page": str(paging.page),
                            "data-announce": (
                                f"Showing interventions {number(paging.first + 1)} "
                                f"to {number(paging.last)} of {total}"
                            ),
                        },
                    ),
                    html.Thead(
                        html.Tr(
                            [
                                html.Th(
                                    column,
                                    scope="col",
                                    className="text-end" if numeric else None,
                                )
                                for column, numeric in _LIST_COLUMNS.items()
                            ]
                        )
                    ),
                    html.Tbody(
                        [
                            list_row(self.href, tier, paging.page, iid, row)
                            for iid, row in zip(
                                shown["intervention_id"],
                                rows.itertuples(index=False, name=None),
                                strict=True,
                            )
                        ]
                    ),
                ],
                className="table table-sm",
                # Not "-interventions-table": the chart card below uses that id.
                id=f"{PAGE}-interventions-list",
            ),
            className="table-responsive",
            role="region",
            tabIndex=0,
            **{"aria-label": f"{name} interventions"},
        )
        download_id = {"type": f"{PAGE}-download-all", "tier": tier}
        download = html.Div(
            [
                html.Button(
                    f"Download all {total} {tier} interventions (CSV)",
                    id=download_id,
                    type="button",
                    className="btn btn-outline-secondary btn-sm",
                    **{"aria-describedby": f"{PAGE}-download-all-hint"},
                ),
                html.P(
                    "Every page of this list, in the same order and with the same "
                    "figures, for the filters chosen above.",
                    id=f"{PAGE}-download-all-hint",
                    className="form-text mb-0",
                ),
                html.Div(
                    id={"type": f"{PAGE}-download-all-message", "tier": tier},
                    **{"aria-live": "polite"},
                ),
            ],
            className="prevention-download-all my-3",
        )
        return [
            crumbs,
            html.H2(f"{name} prevention in {self.where}: {total} interventions"),
            *([illustrative_badge()] if illustrative else []),
            html.P(
                "Choose an intervention to see its quarterly outputs, spend, "
                "delivering local authority and evidence rating."
            ),
            *(
                [
                    html.P(
                        f"Showing {number(paging.first + 1)}–{number(paging.last)} "
                        f"of {total} {tier} interventions, most young people "
                        "supported first, then by name.",
                        id=f"{PAGE}-interventions-range",
                    )
                ]
                if paging.pages > 1
                else []
            ),
            table,
            *([pagination(self.href, tier, paging, name)] if paging.pages > 1 else []),
            download,
            chart_card(_interventions_chart(ranked, name, self.where, illustrative)),
        ]

    # -- level 2: one intervention

    def intervention_level(self, intervention_id: str, page: int = 1):
        try:
            detail = prevention_views.intervention_view(
                scope=self.scope,
                intervention_id=intervention_id,
                start=self.start,
                end=self.end,
            )
        except NotFound:
            return message(
                f"There is no intervention with the id '{intervention_id}'. "
                "Choose one from the list of a tier's interventions.",
                kind="warning",
            )
        if detail["vru_code"] != self.area.code:
            return message(
                f"That intervention belongs to {detail['vru_name']}, not "
                f"{self.area.name}. Choose an intervention from the list.",
                kind="warning",
            )
        tier = detail["tier"]
        name = TIER_NAMES[tier]
        quarters = detail["quarters"]
        period = self.period_text(quarters["period_start"])
        facts = [
            ("Tier", detail["tier_label"]),
            ("Delivered by", _delivered_by_detail(detail)),
            (
                "Workstream",
                dcc.Link(
                    detail["workstream_name"],
                    href=f"/workstreams/{detail['workstream_id']}",
                )
                if detail["workstream_id"]
                else "Not part of a workstream",
            ),
            ("Provider", detail["provider"] or "Not recorded"),
            ("Evidence rating", detail["evidence_rating"] or "Not rated"),
            ("Runs", _runs(detail["start_date"], detail["end_date"])),
            (
                "Young people supported",
                f"{number(quarters['young_people_supported'].sum())} in {period}",
            ),
            ("Spend", f"{money(quarters['spend'].sum())} in {period}"),
            ("Source", detail["source_title"]),
        ]
        return [
            self.breadcrumbs(
                [
                    (f"All tiers: {self.where}", self.href()),
                    (f"{name} prevention", self.href(tier=tier, page=page)),
                    (detail["name"], None),
                ]
            ),
            html.H2(detail["name"], id=f"{PAGE}-intervention-name"),
            *([illustrative_badge()] if detail["illustrative"] else []),
            html.P(detail["description"] or ""),
            html.Dl(
                [part for k, v in facts for part in (html.Dt(k), html.Dd(v))],
                className="prevention-facts prevention-facts--wide",
            ),
            chart_card(_intervention_outputs_chart(detail, period)),
            chart_card(_intervention_spend_chart(detail, period)),
        ]
