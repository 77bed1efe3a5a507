"""Quarterly returns: which returns are due, received and late; download a
workstream's template for a quarter; upload a return and see every problem with its
row and column; submit it; approve or send it back (VRU admins and analysts); look
at, download and restore earlier submissions; import an ONS force area workbook
(admins).

State in the URL: ?workstream=5&period=2025-07
"""

from __future__ import annotations

import base64
import binascii

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
    ctx,
    dcc,
    html,
    no_update,
)

from components import filters
from components.chart_tables import accessible_table
from components.shell import message
from data_access import ons_import, published_import
from data_access.errors import (
    AccessDenied,
    DataAccessError,
    InvalidParameter,
    NotFound,
    StoreUnavailable,
)
from data_access.returns import spec, submissions, templates, uploads, workflow
from web.access import current_scope

dash.register_page(
    __name__,
    path="/returns",
    title="Quarterly returns – VRU Outcomes Monitor",
    name="Returns",
    order=80,
    # Board members (viewers) cannot submit or approve: the menu leaves it out.
    roles=("admin", "analyst", "lead"),
)

PAGE = "returns"
UPLOAD_STYLE = {
    "border": "2px dashed #505a5f",
    "borderRadius": "4px",
    "padding": "1.25rem",
    "textAlign": "center",
    "cursor": "pointer",
}
STATUS_TEXT = {
    "draft": "Draft (not yet submitted)",
    "submitted": "Submitted, awaiting approval",
    "approved": "Approved: counts on the dashboard",
    "returned": "Returned to the lead",
    "superseded": "Superseded by a later return",
    "loaded": "Received: figures in the store (no return file)",
    "due": "Due",
    "late": "Late: not received",
}


def layout(workstream: str | None = None, period: str | None = None, **_query):
    quarters = spec.recent_quarters()
    values = [q["value"] for q in quarters]
    period_value = period if period in values else values[1]
    limit_mb = spec.upload_limit() / 1_048_576
    return html.Div(
        [
            html.H1("Quarterly returns"),
            html.P(
                "Download the template for a workstream and quarter, fill it in and "
                "upload it here. The whole file is checked before anything is saved; "
                "a return counts on the dashboard only once the VRU approves it.",
                className="lead",
            ),
            dcc.Store(id=f"{PAGE}-url-workstream", data=workstream),
            dcc.Store(id=f"{PAGE}-refresh-upload", data=0),
            dcc.Store(id=f"{PAGE}-refresh-action", data=0),
            dcc.Store(id=f"{PAGE}-problems"),
            html.Section(
                [
                    html.H2("Returns due"),
                    dcc.Loading(
                        html.Div(id=f"{PAGE}-completeness", **{"aria-live": "polite"}),
                        type="dot",
                    ),
                ]
            ),
            html.Section(
                [
                    html.H2("Template and upload"),
                    filters.filter_bar(
                        [
                            filters.select(
                                PAGE,
                                "workstream",
                                label="Workstream",
                                options=[],
                                value=None,
                            ),
                            filters.select(
                                PAGE,
                                "period",
                                label="Quarter",
                                options=quarters,
                                value=period_value,
                            ),
                        ]
                    ),
                    filters.url_params(
                        PAGE,
                        {
                            "workstream": f"{PAGE}-workstream",
                            "period": f"{PAGE}-period",
                        },
                    ),
                    filters.url_sync(PAGE),
                    html.Div(
                        [
                            html.Button(
                                "Download template (Excel)",
                                id=f"{PAGE}-template-xlsx",
                                className="btn btn-outline-primary me-2",
                            ),
                            html.Button(
                                "Download template (CSV)",
                                id=f"{PAGE}-template-csv",
                                className="btn btn-outline-primary",
                            ),
                            dcc.Download(id=f"{PAGE}-template-download"),
                        ],
                        className="my-3",
                    ),
                    html.Div(id=f"{PAGE}-template-message", **{"aria-live": "polite"}),
                    html.H3("Upload a return"),
                    html.P(
                        f"An .xlsx or .csv file of at most {limit_mb:.0f} MB, for the "
                        "workstream and quarter chosen above.",
                        id=f"{PAGE}-upload-hint",
                    ),
                    html.Label(
                        dcc.Upload(
                            id=f"{PAGE}-upload",
                            children=html.Div(
                                [
                                    "Drag and drop the file here, or ",
                                    html.Span("choose a file", className="upload-link"),
                                ]
                            ),
                            accept=".xlsx,.csv,text/csv",
                            max_size=-1,
                            multiple=False,
                            className="upload-zone",
                            style=UPLOAD_STYLE,
                        ),
                        className="d-block w-100",
                    ),
                    # The file passes through these stores once its size is
                    # checked in the browser (assets/vru-returns.js); a file over
                    # the limit is refused there, with this message.
                    dcc.Store(id=f"{PAGE}-upload-limit", data=spec.upload_limit()),
                    dcc.Store(id=f"{PAGE}-upload-contents"),
                    dcc.Store(id=f"{PAGE}-upload-filename"),
                    html.Div(
                        id=f"{PAGE}-size-refusal",
                        className="alert alert-danger mt-2",
                        role="alert",
                        hidden=True,
                    ),
                    dcc.Loading(
                        html.Div(id=f"{PAGE}-upload-result", **{"aria-live": "polite"}),
                        type="circle",
                    ),
                    html.Button(
                        "Download the problems (CSV)",
                        id=f"{PAGE}-problems-button",
                        className="btn btn-outline-secondary mt-2",
                        hidden=True,
                    ),
                    dcc.Download(id=f"{PAGE}-problems-download"),
                ],
                className="mb-4",
            ),
            html.Section(
                [
                    html.H2("Submissions"),
                    html.Label(
                        "Comment (needed to send a return back)",
                        htmlFor=f"{PAGE}-comment",
                        className="form-label",
                    ),
                    dcc.Textarea(
                        id=f"{PAGE}-comment",
                        className="form-control mb-2",
                        style={"height": "4rem"},
                    ),
                    html.Div(id=f"{PAGE}-action-message", **{"aria-live": "polite"}),
                    dcc.Loading(html.Div(id=f"{PAGE}-submissions"), type="dot"),
                    dcc.Download(id=f"{PAGE}-file-download"),
                ]
            ),
            html.Section(
                [
                    html.H2("Import published tables"),
                    html.P(
                        "The ONS 'Police Force Area data tables' workbook (.xlsx) or "
                        "one of its sheets saved as CSV: its knife or sharp "
                        "instrument offences table, Table P1 (offence groups by "
                        "force area) and Table C2 (by Community Safety Partnership) "
                        "become a new edition. An NHS Digital table of hospital "
                        "admissions for assault by a sharp object (X99) by region, "
                        "force area or local authority (CSV or .xlsx) is imported "
                        "with its suppressed counts kept unknown. The result lists "
                        "the tables found, the sheets skipped and the rows not "
                        "placed. Admins only."
                    ),
                    html.Label(
                        dcc.Upload(
                            id=f"{PAGE}-ons-upload",
                            children=html.Div(
                                [
                                    "Drag and drop the file here, or ",
                                    html.Span("choose a file", className="upload-link"),
                                ]
                            ),
                            accept=".xlsx,.csv",
                            multiple=False,
                            className="upload-zone",
                            style=UPLOAD_STYLE,
                        ),
                        className="d-block w-100",
                    ),
                    # As for returns: the size is checked in the browser first.
                    dcc.Store(id=f"{PAGE}-ons-contents"),
                    dcc.Store(id=f"{PAGE}-ons-filename"),
                    html.Div(
                        id=f"{PAGE}-ons-size-refusal",
                        className="alert alert-danger mt-2",
                        role="alert",
                        hidden=True,
                    ),
                    dcc.Loading(
                        html.Div(id=f"{PAGE}-ons-result", **{"aria-live": "polite"}),
                        type="circle",
                    ),
                ],
                id=f"{PAGE}-ons-section",
                hidden=True,
            ),
        ]
    )


filters.link_url_sync(
    PAGE, {"workstream": f"{PAGE}-workstream", "period": f"{PAGE}-period"}
)


def _unavailable():
    return message(
        "Data temporarily unavailable. Please try again shortly.", kind="warning"
    )


def _decode(contents: str | None) -> bytes | None:
    """The bytes of a dcc.Upload data URL; None when it is not one."""
    if not contents or "," not in contents:
        return None
    encoded = contents.split(",", 1)[1]
    # Refuse before decoding anything far beyond the limit.
    if len(encoded) * 3 // 4 > spec.upload_limit() + 4:
        raise spec.FileRefused(
            f"The file is larger than the {spec.upload_limit() / 1_048_576:.0f} MB "
            "limit."
        )
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        return None


@callback(
    Output(f"{PAGE}-workstream", "options"),
    Output(f"{PAGE}-workstream", "value"),
    Output(f"{PAGE}-ons-section", "hidden"),
    Input(f"{PAGE}-url-workstream", "data"),
)
def load_workstreams(url_workstream):
    scope = current_scope()
    try:
        frame = templates.workstreams_for(scope=scope)
    except StoreUnavailable:
        return [], None, True
    options = [
        {"label": f"{r.area_name}: {r.workstream}", "value": int(r.workstream_id)}
        for r in frame.itertuples()
    ]
    ids = {o["value"] for o in options}
    try:
        wanted = int(url_workstream) if url_workstream not in (None, "") else None
    except (TypeError, ValueError):
        wanted = None
    value = wanted if wanted in ids else (options[0]["value"] if options else None)
    return options, value, scope.role != "admin"


@callback(
    Output(f"{PAGE}-completeness", "children"),
    Input(f"{PAGE}-refresh-upload", "data"),
    Input(f"{PAGE}-refresh-action", "data"),
)
def show_completeness(_upload, _action):
    scope = current_scope()
    if not (scope.unrestricted or scope.role == "lead"):
        return message(
            "Returns are for workstream leads and VRU staff; your access does not "
            "include them.",
            kind="info",
        )
    try:
        frame = submissions.completeness(scope=scope)
    except StoreUnavailable:
        return _unavailable()
    if frame.empty:
        return message("No workstreams to report on.", kind="info")
    due = frame[~frame["received"]]
    late = frame["late"] & ~frame["received"]
    summary = html.P(
        f"{int(frame['received'].sum())} of {len(frame)} returns received for the "
        f"last {frame['period'].nunique()} quarters; {int(late.sum())} late, "
        f"{len(due) - int(late.sum())} due."
    )
    table = pd.DataFrame(
        {
            "Workstream": frame["area_name"] + ": " + frame["workstream"],
            "Quarter": frame["period"],
            "Due by": frame["due_date"].map(lambda d: f"{d:%d %b %Y}"),
            "Status": frame["status"].map(STATUS_TEXT).fillna(frame["status"]),
            "Received late": frame.apply(
                lambda r: "yes" if r["late"] and r["received"] else "no", axis=1
            ),
        }
    )
    if frame["workstream_id"].nunique() > 1:
        # Many workstreams (VRU staff): one row per quarter keeps it scannable.
        frame = frame.assign(
            awaiting=frame["status"] == "submitted",
            overdue=frame["late"] & ~frame["received"],
            pending=(frame["status"] == "due"),
        )
        table = (
            frame.groupby(["period_start", "period", "due_date"], as_index=False)
            .agg(
                workstreams=("workstream_id", "size"),
                received=("received", "sum"),
                awaiting=("awaiting", "sum"),
                overdue=("overdue", "sum"),
                pending=("pending", "sum"),
            )
            .sort_values("period_start", ascending=False)
        )
        table = pd.DataFrame(
            {
                "Quarter": table["period"],
                "Due by": table["due_date"].map(lambda d: f"{d:%d %b %Y}"),
                "Workstreams": table["workstreams"],
                "Received": table["received"],
                "Awaiting approval": table["awaiting"],
                "Late (not received)": table["overdue"],
                "Not yet due": table["pending"],
            }
        )
    return [
        summary,
        accessible_table(
            table,
            caption="Returns due, received and late",
            row_headers=True,
            table_id=f"{PAGE}-completeness-table",
        ),
    ]


@callback(
    Output(f"{PAGE}-template-download", "data"),
    Output(f"{PAGE}-template-message", "children"),
    Input(f"{PAGE}-template-xlsx", "n_clicks"),
    Input(f"{PAGE}-template-csv", "n_clicks"),
    State(f"{PAGE}-workstream", "value"),
    State(f"{PAGE}-period", "value"),
    prevent_initial_call=True,
)
def download_template(_xlsx, _csv, workstream_id, period):
    scope = current_scope()
    if workstream_id is None:
        return no_update, message("Choose a workstream first.", kind="warning")
    as_csv = ctx.triggered_id == f"{PAGE}-template-csv"
    try:
        quarter = spec.parse_quarter(period)
        args = dict(scope=scope, workstream_id=int(workstream_id), period_start=quarter)
        content = (
            templates.template_csv(**args)
            if as_csv
            else templates.template_xlsx(**args)
        )
    except AccessDenied as error:
        return no_update, message(f"Not allowed: {error}.", kind="warning")
    except (InvalidParameter, NotFound) as error:
        return no_update, message(str(error), kind="warning")
    except StoreUnavailable:
        return no_update, _unavailable()
    name = f"return-workstream-{workstream_id}-{quarter:%Y-%m}." + (
        "csv" if as_csv else "xlsx"
    )
    return dcc.send_bytes(content, name), ""


def _problem_table(problems: list[dict]):
    frame = pd.DataFrame(
        problems, columns=["sheet", "row", "column", "value", "expected"]
    )
    frame.columns = ["Sheet", "Row", "Column", "Value found", "Expected"]
    frame["Row"] = frame["Row"].map(
        lambda r: "" if r is None or r != r else str(int(r))
    )
    return accessible_table(
        frame.head(200),
        caption=f"{len(problems)} problem(s) in the file",
        row_headers=False,
        table_id=f"{PAGE}-problems-table",
    )


def _check_size_in_the_browser(
    upload: str, contents: str, filename: str, refusal: str, result: str
) -> None:
    """Pass an upload on to the `contents`/`filename` stores only when it is within
    the limit (assets/vru-returns.js); otherwise show the refusal in `refusal`. A
    file far over the limit would meet the server's HTTP 413, which no page shows."""
    clientside_callback(
        ClientsideFunction("vruReturns", "checkSize"),
        Output(contents, "data"),
        Output(filename, "data"),
        Output(refusal, "children"),
        Output(refusal, "hidden"),
        Output(result, "children", allow_duplicate=True),
        Input(upload, "contents"),
        State(upload, "filename"),
        State(f"{PAGE}-upload-limit", "data"),
        prevent_initial_call=True,
    )


_check_size_in_the_browser(
    f"{PAGE}-upload",
    f"{PAGE}-upload-contents",
    f"{PAGE}-upload-filename",
    f"{PAGE}-size-refusal",
    f"{PAGE}-upload-result",
)


@callback(
    Output(f"{PAGE}-upload-result", "children"),
    Output(f"{PAGE}-problems", "data"),
    Output(f"{PAGE}-problems-button", "hidden"),
    Output(f"{PAGE}-refresh-upload", "data"),
    Input(f"{PAGE}-upload-contents", "data"),
    State(f"{PAGE}-upload-filename", "data"),
    State(f"{PAGE}-workstream", "value"),
    State(f"{PAGE}-period", "value"),
    State(f"{PAGE}-refresh-upload", "data"),
    prevent_initial_call=True,
)
def upload(contents, filename, workstream_id, period, refresh):
    scope = current_scope()
    if workstream_id is None:
        return (
            message("Choose a workstream first.", kind="warning"),
            None,
            True,
            refresh,
        )
    try:
        content = _decode(contents)
        if content is None:
            raise spec.FileRefused("The upload could not be read. Try again.")
        result = uploads.upload_return(
            scope=scope,
            workstream_id=int(workstream_id),
            period_start=period,
            content=content,
            filename=filename or "return",
        )
    except AccessDenied as error:
        return message(f"Not allowed: {error}.", kind="danger"), None, True, refresh
    except (InvalidParameter, NotFound) as error:
        return (
            message(f"{filename}: not saved. {error}", kind="danger"),
            None,
            True,
            refresh,
        )
    except StoreUnavailable:
        return _unavailable(), None, True, refresh
    if not result.accepted:
        problems = [p.__dict__ for p in result.problems]
        return (
            [
                message(
                    f"{filename}: not saved. Nothing was changed. Fix the problems "
                    "below and upload the file again.",
                    kind="danger",
                ),
                _problem_table(problems),
            ],
            problems,
            False,
            refresh,
        )
    superseded = (
        f" It replaces return {', '.join(map(str, result.superseded))}."
        if result.superseded
        else ""
    )
    return (
        message(
            f"{filename}: no problems found; {result.rows:,} rows saved as draft "
            f"return {result.submission_id}.{superseded} Submit it for approval "
            "below.",
            kind="success",
        ),
        None,
        True,
        (refresh or 0) + 1,
    )


@callback(
    Output(f"{PAGE}-problems-download", "data"),
    Input(f"{PAGE}-problems-button", "n_clicks"),
    State(f"{PAGE}-problems", "data"),
    prevent_initial_call=True,
)
def download_problems(_clicks, problems):
    current_scope()
    if not problems:
        return no_update
    return dcc.send_bytes(spec.problems_csv(problems), "return-problems.csv")


ACTION_TEXT = {
    "submit": "Submit",
    "approve": "Approve",
    "return": "Send back",
    "restore": "Restore",
    "file": "Download file",
}


def _actions(scope, row) -> list:
    """The buttons for what this user may do with the return (only those)."""
    return [
        html.Button(
            ACTION_TEXT[action],
            id={
                "type": f"{PAGE}-action",
                "action": action,
                "id": row.submission_id,
                # What the user saw: the action is refused if the quarter's
                # returns changed since (spec.ReturnChanged).
                "seen": row.state,
            },
            className="btn btn-sm btn-outline-primary me-1 mb-1",
            **{"aria-label": f"{ACTION_TEXT[action]}: return {row.submission_id}"},
        )
        for action in workflow.actions_for(scope, row)
    ]


@callback(
    Output(f"{PAGE}-submissions", "children"),
    Input(f"{PAGE}-refresh-upload", "data"),
    Input(f"{PAGE}-refresh-action", "data"),
    Input(f"{PAGE}-workstream", "value"),
)
def show_submissions(_upload, _action, workstream_id):
    scope = current_scope()
    try:
        frame = submissions.list_submissions(
            scope=scope,
            workstream_id=int(workstream_id) if workstream_id is not None else None,
        )
    except AccessDenied:
        return message("Your access does not include returns.", kind="info")
    except StoreUnavailable:
        return _unavailable()
    if frame.empty:
        return message("No returns have been uploaded for this workstream yet.")
    head = ["Return", "Quarter", "File", "Status", "Uploaded", "By", "Comment"]
    head.append("Actions")
    body = [
        html.Tr(
            [
                html.Th(str(r.submission_id), scope="row"),
                html.Td(r.period),
                html.Td(r.download_name),
                html.Td(STATUS_TEXT.get(r.status, r.status)),
                html.Td(f"{r.created_at:%d %b %Y %H:%M}" if r.created_at else ""),
                html.Td(r.submitted_by or ""),
                html.Td(r.comment or ""),
                html.Td(_actions(scope, r)),
            ]
        )
        for r in frame.head(50).itertuples()
    ]
    return html.Div(
        html.Table(
            [
                html.Caption(
                    "Returns uploaded for this workstream, newest first",
                    className="caption-top",
                ),
                html.Thead(html.Tr([html.Th(h, scope="col") for h in head])),
                html.Tbody(body),
            ],
            className="table table-sm",
            id=f"{PAGE}-submissions-table",
        ),
        # scrolls sideways in its own box on a phone, not the whole page
        className="table-responsive chart-table-wrapper",
        tabIndex="0",
        role="region",
        **{"aria-label": "Submissions"},
    )


@callback(
    Output(f"{PAGE}-action-message", "children"),
    Output(f"{PAGE}-refresh-action", "data"),
    Output(f"{PAGE}-file-download", "data"),
    Input(
        {"type": f"{PAGE}-action", "action": ALL, "id": ALL, "seen": ALL}, "n_clicks"
    ),
    State(f"{PAGE}-comment", "value"),
    State(f"{PAGE}-refresh-action", "data"),
    prevent_initial_call=True,
)
def act(clicks, comment, refresh):
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not any(c for c in clicks or [] if c):
        return no_update, no_update, no_update
    if not (ctx.triggered and ctx.triggered[0].get("value")):
        return no_update, no_update, no_update
    scope = current_scope()
    action, submission_id = trigger["action"], int(trigger["id"])
    seen = str(trigger.get("seen") or "") or None
    try:
        if action == "file":
            name, content = submissions.submission_file(
                scope=scope, submission_id=submission_id
            )
            return no_update, no_update, dcc.send_bytes(content, name)
        if action == "submit":
            workflow.submit_return(scope=scope, submission_id=submission_id, seen=seen)
            text = f"Return {submission_id} submitted for approval."
        elif action == "approve":
            workflow.approve_return(scope=scope, submission_id=submission_id, seen=seen)
            text = f"Return {submission_id} approved: its figures now count."
        elif action == "return":
            workflow.return_submission(
                scope=scope,
                submission_id=submission_id,
                comment=comment or "",
                seen=seen,
            )
            text = f"Return {submission_id} sent back with your comment."
        elif action == "restore":
            workflow.restore_submission(
                scope=scope, submission_id=submission_id, seen=seen
            )
            text = f"Return {submission_id} restored: its figures count again."
        else:
            return no_update, no_update, no_update
    except AccessDenied as error:
        return message(f"Not allowed: {error}.", kind="warning"), no_update, no_update
    except spec.ReturnChanged as error:
        # Show the returns as they are now, under the message.
        return message(str(error), kind="warning"), (refresh or 0) + 1, no_update
    except StoreUnavailable:
        return _unavailable(), no_update, no_update
    except DataAccessError as error:
        return message(str(error), kind="warning"), no_update, no_update
    return message(text, kind="success"), (refresh or 0) + 1, no_update


_check_size_in_the_browser(
    f"{PAGE}-ons-upload",
    f"{PAGE}-ons-contents",
    f"{PAGE}-ons-filename",
    f"{PAGE}-ons-size-refusal",
    f"{PAGE}-ons-result",
)


@callback(
    Output(f"{PAGE}-ons-result", "children"),
    Input(f"{PAGE}-ons-contents", "data"),
    State(f"{PAGE}-ons-filename", "data"),
    prevent_initial_call=True,
)
def upload_ons(contents, filename):
    scope = current_scope()
    try:
        content = _decode(contents)
        if content is None:
            raise ons_import.OnsWorkbookError("The upload could not be read.")
        result = published_import.import_published(
            scope=scope, content=content, filename=filename or "workbook.xlsx"
        )
    except AccessDenied:
        return message("Only admins can import published tables.", kind="warning")
    except StoreUnavailable:
        return _unavailable()
    except DataAccessError as error:
        return message(f"{filename}: not imported. {error}", kind="danger")
    return message(
        " ".join(published_import.describe(result, filename or "the file")),
        kind="success",
    )
