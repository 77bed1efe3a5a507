"""A VRU board's record: its meeting dates, what changed since the last meeting,
and its decisions and actions (open ones first, overdue ones flagged, each with
the measure's path since it was decided).

Everyone whose access includes the VRU reads it; admins record meetings,
decisions and actions and change an action's status. The rules are applied on
the server by data_access.board in every callback. Not cached: the forms answer
writes.
State in the URL: ?area=E23000036
"""

from __future__ import annotations

import dash
from dash import Input, Output, State, callback, ctx, dcc, html, no_update

from components import filters
from components.commentary import actions_table, long_date
from components.shell import message
from data_access import board, commentary
from data_access.board_models import ACTION_STATUSES
from data_access.errors import AccessDenied, DataAccessError, StoreUnavailable
from data_access.returns.spec import recent_quarters
from web import board_parts
from web.access import current_scope

dash.register_page(
    __name__,
    path="/board",
    title="Board meetings, decisions and actions – VRU Outcomes Monitor",
    name="Board record",
    order=73,
)

PAGE = "board"
PARAMS = {"area": f"{PAGE}-area"}


def _field(name: str, label: str, control) -> html.Div:  # noqa: ANN001
    return html.Div(
        [html.Label(label, htmlFor=f"{PAGE}-{name}", className="form-label"), control],
        className="filter",
    )


def _dropdown(name: str, label: str, options: list, value=None) -> html.Div:  # noqa: ANN001
    return _field(
        name,
        label,
        dcc.Dropdown(
            id=f"{PAGE}-{name}", options=options, value=value, clearable=False
        ),
    )


def _input(name: str, label: str, kind: str = "text", **kwargs) -> html.Div:
    return _field(
        name,
        label,
        dcc.Input(id=f"{PAGE}-{name}", type=kind, className="form-control", **kwargs),
    )


def layout(area=None, **_query):
    quarters = recent_quarters(count=12)
    return html.Div(
        [
            html.H1("Board meetings, decisions and actions"),
            html.P(
                "What changed since the board last met, and what the board decided "
                "and asked for, with the owner, the due date and how each measure "
                "has moved since.",
                className="lead",
            ),
            filters.filter_bar(
                [
                    _dropdown(
                        "area",
                        "VRU area",
                        [{"label": area, "value": area}] if area else [],
                        area,
                    )
                ]
            ),
            filters.url_params(PAGE, PARAMS),
            filters.url_sync(PAGE),
            dcc.Store(id=f"{PAGE}-refresh", data=0),
            html.Div(id=f"{PAGE}-message", **{"aria-live": "polite"}),
            dcc.Loading(html.Div(id=f"{PAGE}-content"), type="dot"),
            html.Section(
                [
                    html.H2("Record a board meeting"),
                    html.Div(
                        [_input("meeting-date", "Meeting date", "date")],
                        className="filter-bar",
                    ),
                    html.Button(
                        "Record the meeting",
                        id=f"{PAGE}-add-meeting",
                        className="btn btn-primary mb-4",
                    ),
                    html.H2("Record a decision or action"),
                    html.Div(
                        [
                            _dropdown(
                                "kind",
                                "Decision or action",
                                [
                                    {"label": "Action", "value": "action"},
                                    {"label": "Decision", "value": "decision"},
                                ],
                                "action",
                            ),
                            _dropdown("measure", "Measure", []),
                            _dropdown(
                                "quarter",
                                "Quarter it is about",
                                quarters,
                                quarters[1]["value"],
                            ),
                            _input(
                                "owner",
                                "Owner (a role title, not a name)",
                                maxLength=board.MAX_ROLE_CHARS,
                            ),
                            _input("due", "Due date (needed for an action)", "date"),
                            _input("decided", "Decided on (blank: today)", "date"),
                        ],
                        className="filter-bar",
                    ),
                    html.Label(
                        "What was decided or asked for (plain text)",
                        htmlFor=f"{PAGE}-text",
                        className="form-label",
                    ),
                    dcc.Textarea(
                        id=f"{PAGE}-text",
                        className="form-control mb-2",
                        maxLength=board.MAX_ACTION_CHARS,
                        style={"height": "5rem"},
                    ),
                    html.Button(
                        "Record it",
                        id=f"{PAGE}-record",
                        className="btn btn-primary mb-4",
                    ),
                    html.H2("Change a status"),
                    html.Div(
                        [
                            _dropdown("action", "Decision or action", []),
                            _dropdown(
                                "status",
                                "New status",
                                [
                                    {"label": s.title(), "value": s}
                                    for s in ACTION_STATUSES
                                ],
                                "done",
                            ),
                        ],
                        className="filter-bar",
                    ),
                    html.Button(
                        "Change the status",
                        id=f"{PAGE}-set-status",
                        className="btn btn-primary",
                    ),
                ],
                id=f"{PAGE}-forms",
                hidden=True,
                className="board-forms",
            ),
        ]
    )


filters.link_url_sync(PAGE, PARAMS)


board_parts.register_vru_area_picker(PAGE)


@callback(
    Output(f"{PAGE}-content", "children"),
    Output(f"{PAGE}-forms", "hidden"),
    Output(f"{PAGE}-measure", "options"),
    Output(f"{PAGE}-action", "options"),
    Input(f"{PAGE}-area", "value"),
    Input(f"{PAGE}-refresh", "data"),
)
def show(area_code, _refresh):
    scope = current_scope()
    if not area_code:
        return message("Choose a VRU area."), True, [], []
    try:
        meetings = board.meetings(scope=scope, vru_code=area_code)
        last = board.last_meeting(scope=scope, vru_code=area_code)
        changes = (
            board.changes_since(scope=scope, vru_code=area_code, since_date=last)
            if last
            else None
        )
        actions = board.actions_for(scope=scope, vru_code=area_code)
        measures = commentary.vru_measures(scope=scope, vru_code=area_code)
    except AccessDenied as error:
        return message(f"Not allowed: {error}.", kind="warning"), True, [], []
    except StoreUnavailable:
        return (
            message("Data temporarily unavailable. Please try again.", kind="warning"),
            True,
            [],
            [],
        )
    except DataAccessError as error:
        return message(str(error), kind="warning"), True, [], []
    content = [
        html.H2("Meetings"),
        html.P(
            "Board meetings recorded: "
            + ", ".join(long_date(d) for d in meetings["meeting_date"])
            + "."
            if not meetings.empty
            else "No board meetings are recorded yet."
        ),
        html.H2(
            f"Since the last board ({long_date(last)})"
            if last
            else "Since the last board"
        ),
    ]
    if changes is None:
        content.append(html.P("No earlier meeting to compare with."))
    elif changes.empty:
        content.append(html.P("Nothing that meets the rule below has changed."))
    else:
        content.append(html.Ul([html.Li(t) for t in changes["text"]]))
    content += [
        html.P(f"What is listed: {board.CHANGE_RULE}", className="small"),
        html.H2("Decisions and actions"),
        actions_table(
            actions.to_dict("records"),
            caption="Decisions and actions: open ones first, by due date",
        ),
    ]
    measure_options = [
        {"label": commentary.measure_label(r), "value": r.measure_code}
        for r in measures.itertuples()
    ]
    action_options = [
        {"label": f"{r.kind.title()} {r.id}: {r.text[:60]}", "value": int(r.id)}
        for r in actions.itertuples()
    ]
    return content, scope.role != "admin", measure_options, action_options


@callback(
    Output(f"{PAGE}-message", "children"),
    Output(f"{PAGE}-refresh", "data"),
    Input(f"{PAGE}-add-meeting", "n_clicks"),
    Input(f"{PAGE}-record", "n_clicks"),
    Input(f"{PAGE}-set-status", "n_clicks"),
    State(f"{PAGE}-area", "value"),
    State(f"{PAGE}-meeting-date", "value"),
    State(f"{PAGE}-kind", "value"),
    State(f"{PAGE}-measure", "value"),
    State(f"{PAGE}-quarter", "value"),
    State(f"{PAGE}-owner", "value"),
    State(f"{PAGE}-due", "value"),
    State(f"{PAGE}-decided", "value"),
    State(f"{PAGE}-text", "value"),
    State(f"{PAGE}-action", "value"),
    State(f"{PAGE}-status", "value"),
    State(f"{PAGE}-refresh", "data"),
    prevent_initial_call=True,
)
def act(
    add, record, set_status, area_code, meeting_date, kind, measure_code, quarter,
    owner, due, decided, text, action_id, status, refresh,
):  # fmt: skip
    scope = current_scope()
    if not (add or record or set_status):
        return no_update, no_update
    trigger = ctx.triggered_id
    try:
        if trigger == f"{PAGE}-add-meeting":
            if not meeting_date:
                return message("Give the meeting's date.", kind="warning"), no_update
            board.add_meeting(
                scope=scope, vru_code=area_code, meeting_date=meeting_date
            )
            done = f"Meeting of {long_date(meeting_date)} recorded."
        elif trigger == f"{PAGE}-record":
            if not measure_code:
                return message("Choose the measure.", kind="warning"), no_update
            board.record_action(
                scope=scope,
                vru_code=area_code,
                measure_code=measure_code,
                quarter_start=quarter or "",
                kind=kind or "",
                text=text or "",
                owner_role=owner or "",
                due_date=due or None,
                decided_on=decided or None,
            )
            done = f"{(kind or 'record').title()} recorded."
        else:
            if action_id is None:
                return message(
                    "Choose the decision or action.", kind="warning"
                ), no_update
            board.set_action_status(
                scope=scope,
                vru_code=area_code,
                action_id=int(action_id),
                status=status or "",
            )
            done = "Status changed."
    except AccessDenied as error:
        return message(f"Not allowed: {error}.", kind="warning"), no_update
    except StoreUnavailable:
        return message(
            "Data temporarily unavailable. Please try again.", kind="warning"
        ), no_update
    except (DataAccessError, ValueError, TypeError) as error:
        return message(str(error), kind="warning"), no_update
    return message(done, kind="success"), (refresh or 0) + 1
