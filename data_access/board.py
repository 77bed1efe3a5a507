"""A VRU board's meetings, what changed since the last one, and its decisions and
actions.

Access (applied here, on the server): reading needs the VRU's area in scope
(admins and analysts: every VRU; a board member: their areas; a lead: their
workstream's VRU; the public: none). Recording meeting dates and decisions or
actions, and changing an action's status, is for admins (DESIGN.md: the board's
record is kept by the VRU's admins). Every write is in the audit log in its own
transaction.

Meetings: `add_meeting` stores a date on which the VRU's board met or will meet;
`meetings` lists them; `previous_meeting(vru_code, meeting_date)` is the latest
stored meeting before that date.

Since the last board (`changes_since`): what changed for the VRU's success measures
and its workstreams' measures after the previous meeting. Moments are compared by
day: a change counts when it arrived after the end of the meeting day (the board
saw what was there on the day) and no later than the end of `as_at` (None: up to
now). What is listed, CHANGE_RULE in words:
- new figures: periods of a measure with no figure before and one now, one line
  per measure and age band (how many periods, which, and the latest figure);
- revisions: a figure that was there at the last meeting and was since replaced
  by a different one (the store keeps superseded figures: see
  data_access.figure_history), when the change is at least 1% of the old figure
  (REVISION_THRESHOLD), with old and new value, the source and the date;
- RAG changes: a workstream measure whose latest RAG rating (green / amber / red,
  statistics.rag_status against its target) differs from the rating of the
  latest quarter the board had at the last meeting;
- significance changes: a success measure whose recent trend verdict
  (headlines.recent_trend: direction and whether it is significant) differs from the
  verdict on the series as it ended at the last meeting (current figures up to
  the latest period then known);
- commentary: each commentary written or signed off since, latest version only.
Figures shown to a scope that needs disclosure control pass through the measure's
disclosure rule (a hidden count is "*", rounded counts rounded); a revision that
does not change the shown figure is not listed.

CHANGE_COLUMNS: kind ("new figures", "revised", "RAG", "significance",
"commentary"), measure_code, measure_name, period (label or ""), old, new (the
figures or ratings as shown, "" when not applicable), source, date (date of the
change), text (one sentence, the line shown).

Decisions and actions: `record_action` (admin) stores a decision or an action
tied to a measure and a quarter, with an owner (a role title, never a name), a
due date (required for an action) and a status (open, done, dropped);
`set_action_status` changes the status. `actions_for` lists them (ACTION_COLUMNS):
id, kind, text, measure_code, measure_name, quarter_start, quarter, owner_role,
due_date, status, decided_on, overdue (open and due before `as_at`), path (list of
{period, value} of the measure for the VRU from the quarter decided on, as the
measure's pages show it: outcomes.area_trends.own_series, disclosed), path_text (one
sentence), created_by_role. Open ones first, by due date.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import func, select, update

from data_access import clock, measures, periods, statistics
from data_access.areas import area_id_of
from data_access.audit import record_change, record_new
from data_access.board_models import (
    ACTION_KINDS,
    ACTION_STATUSES,
    BoardAction,
    BoardMeeting,
)
from data_access.commentary import (
    commentary_written,
    measure_label,
    measure_row,
    measures_frame,
    require_vru,
)
from data_access.db import session_scope
from data_access.disclosure import apply_disclosure
from data_access.errors import AccessDenied, InvalidParameter, NotFound
from data_access.figure_history import changes_between, figure_history, known_at
from data_access.outcomes import area_trends, headlines
from data_access.periods import long_date
from data_access.returns.spec import clean_text, parse_quarter
from data_access.scope import Scope
from data_access.workstreams import PERCENT_UNITS, measure_trends

REVISION_THRESHOLD = 0.01
CHANGE_RULE = (
    "periods with figures for the first time; figures revised by 1% or "
    "more since the last board (old and new value, source and date); workstream "
    "measures whose RAG rating moved; success measures whose recent trend verdict "
    "changed; commentary written or signed off. Changes on the day of the meeting "
    "count as seen at it."
)
MAX_ACTION_CHARS = 1000
MAX_ROLE_CHARS = 160
STATUS_LABELS = {"open": "Open", "done": "Done", "dropped": "Dropped"}

MEETING_COLUMNS = ["meeting_id", "meeting_date", "created_by_role"]
CHANGE_COLUMNS = [
    "kind",
    "measure_code",
    "measure_name",
    "period",
    "old",
    "new",
    "source",
    "date",
    "text",
]
ACTION_COLUMNS = [
    "id",
    "kind",
    "text",
    "measure_code",
    "measure_name",
    "quarter_start",
    "quarter",
    "owner_role",
    "due_date",
    "status",
    "decided_on",
    "overdue",
    "path",
    "path_text",
    "created_by_role",
]
AGE_WORDS = {"all": "", "under25": " (aged under 25)"}


def _parse_date(value, name: str) -> dt.date:  # noqa: ANN001
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip()[:10])
    except ValueError:
        raise InvalidParameter(
            name, f"'{str(value)[:20]}' is not a date like 2026-03-31"
        ) from None


# ------------------------------------------------------------------ meetings


def add_meeting(*, scope: Scope, vru_code: str, meeting_date) -> int:  # noqa: ANN001
    """Store a board meeting date (admins); returns its id. A date already stored
    is refused (InvalidParameter)."""
    scope.require_role("admin")
    area = require_vru(scope, vru_code)
    day = _parse_date(meeting_date, "meeting_date")
    with session_scope() as session:
        area_id = area_id_of(session, area.code)
        exists = session.scalar(
            select(BoardMeeting.id).where(
                BoardMeeting.vru_area_id == area_id, BoardMeeting.meeting_date == day
            )
        )
        if exists:
            raise InvalidParameter(
                "meeting_date", f"a meeting on {long_date(day)} is already stored"
            )
        row = BoardMeeting(
            vru_area_id=area_id,
            meeting_date=day,
            created_by_role=scope.actor,
            created_at=func.now(),
        )
        return record_new(
            session,
            scope,
            row,
            action="add_board_meeting",
            after={"vru": area.code, "meeting_date": day.isoformat()},
        )


def meetings(*, scope: Scope, vru_code: str) -> pd.DataFrame:
    """The VRU's stored meeting dates, latest first (MEETING_COLUMNS)."""
    area = require_vru(scope, vru_code)
    with session_scope() as session:
        rows = session.execute(
            select(
                BoardMeeting.id, BoardMeeting.meeting_date, BoardMeeting.created_by_role
            )
            .where(BoardMeeting.vru_area_id == area_id_of(session, area.code))
            .order_by(BoardMeeting.meeting_date.desc())
        ).all()
    return pd.DataFrame(rows, columns=MEETING_COLUMNS)


def previous_meeting(
    vru_code: str,
    meeting_date,
    *,
    scope: Scope | None = None,  # noqa: ANN001
) -> dt.date | None:
    """The latest stored meeting of the VRU before `meeting_date`, or None.
    With `scope`, the read is checked against it."""
    if scope is not None:
        require_vru(scope, vru_code)
    day = _parse_date(meeting_date, "meeting_date")
    with session_scope() as session:
        return session.scalar(
            select(func.max(BoardMeeting.meeting_date)).where(
                BoardMeeting.vru_area_id == area_id_of(session, str(vru_code)),
                BoardMeeting.meeting_date < day,
            )
        )


def last_meeting(*, scope: Scope, vru_code: str, as_at=None) -> dt.date | None:  # noqa: ANN001
    """The latest stored meeting on or before `as_at` (default: the app's
    clock), or None: the "last board" of the overview."""
    require_vru(scope, vru_code)
    day = _parse_date(as_at or clock.today(), "as_at")
    return previous_meeting(vru_code, day + dt.timedelta(days=1))


# ------------------------------------------------------------- what changed


def _end_of(day: dt.date) -> dt.datetime:
    """The last moment of `day` (a figure dated the next day is after it)."""
    return dt.datetime.combine(day, dt.time.max)


def _number(value) -> str:  # noqa: ANN001
    if value is None or pd.isna(value):
        return "no figure"
    value = float(value)
    return f"{value:,.0f}" if value == round(value) else f"{value:,.1f}"


def _shown(scope: Scope, measure: dict, value):  # noqa: ANN001
    """A figure as `scope` may see it: "*" when disclosure control hides it,
    rounded when the rule rounds (workstreams._hidden / disclosure engine)."""
    if value is None or pd.isna(value):
        return "no figure"
    rule = measure["disclosure_rule"]
    percent = str(measure["unit"]).strip().lower() in PERCENT_UNITS
    if not scope.needs_disclosure_control or rule == "none" or percent:
        return _number(value)
    cell = pd.DataFrame({"count": pd.array([round(float(value))], dtype="Int64")})
    disclosed = apply_disclosure(cell, rule=rule, count_cols=["count"])
    if bool(disclosed.suppressed_mask.iloc[0]):
        return "*"
    return _number(disclosed.frame["count"].iloc[0])


def _label(start: dt.date, end: dt.date) -> str:
    return periods.period_label(start, end)


def _span(labels: list[str]) -> str:
    """The first to the last of period labels in order: "2024/25 Q2 to 2025/26
    Q1"; when a label is itself a range ("Apr 2012 to Mar 2021") "to" would run
    the two together, so the first and last are named."""
    if len(labels) == 1:
        return labels[0]
    if " to " in labels[0] or " to " in labels[-1]:
        return f"first {labels[0]}, last {labels[-1]}"
    return f"{labels[0]} to {labels[-1]}"


def _new_and_revised(scope: Scope, info: dict, changes: pd.DataFrame) -> list[dict]:
    out: list[dict] = []
    for (code, band), part in changes.groupby(["measure_code", "age_band"], sort=False):
        measure = info[code]
        name = measure["name"] + AGE_WORDS.get(band, f" ({band})")
        new = part[part["kind"] == "new"].sort_values("period_start")
        if not new.empty:
            labels = [
                _label(s, e)
                for s, e in zip(new["period_start"], new["period_end"], strict=True)
            ]
            last = new.iloc[-1]
            which = _span(labels)
            count = "1 new period" if len(labels) == 1 else f"{len(labels)} new periods"
            out.append(
                {
                    "kind": "new figures",
                    "measure_code": code,
                    "measure_name": name,
                    "period": labels[-1],
                    "old": "",
                    "new": _shown(scope, measure, last["new_value"]),
                    "source": last["source_title"],
                    "date": last["changed_at"].date(),
                    "text": f"{name}: figures for {count} received ({which}); "
                    f"latest {_shown(scope, measure, last['new_value'])} in "
                    f"{labels[-1]}.",
                }
            )
        for row in part[part["kind"] == "revised"].itertuples():
            old, new_value = row.old_value, row.new_value
            if not (pd.isna(old) or pd.isna(new_value)) and abs(
                float(new_value) - float(old)
            ) < REVISION_THRESHOLD * abs(float(old)):
                continue
            old_text = _shown(scope, measure, old)
            new_text = _shown(scope, measure, new_value)
            if old_text == new_text:
                continue
            label = _label(row.period_start, row.period_end)
            day = row.changed_at.date()
            out.append(
                {
                    "kind": "revised",
                    "measure_code": code,
                    "measure_name": name,
                    "period": label,
                    "old": old_text,
                    "new": new_text,
                    "source": row.source_title,
                    "date": day,
                    "text": f"{name}, {label}: revised from {old_text} to "
                    f"{new_text} on {long_date(day)} (source: {row.source_title}).",
                }
            )
    return out


def _rag_changes(
    scope: Scope, info: dict, frame: pd.DataFrame, history: pd.DataFrame, since
) -> list[dict]:
    """RAG moves of the VRU's workstream measures (see the module docstring)."""
    out: list[dict] = []
    then = known_at(history[history["age_band"] == "all"], since)
    quarters = then[_kinds(then, periods.is_quarter)]
    moved = frame[frame["measure_code"].isin(list(info))]
    for ws_id in sorted({int(w) for w in moved["workstream_id"].dropna()}):
        trend = measure_trends(scope=scope, workstream_id=ws_id)
        for code, part in trend.groupby("measure_code", sort=False):
            if code not in info:
                continue
            rated = part[part["rag"].isin(("green", "amber", "red"))]
            if rated.empty:
                continue
            now = rated.iloc[-1]
            before = quarters[quarters["measure_code"] == code]
            if before.empty:
                continue
            last_then = before.sort_values("period_start").iloc[-1]
            target_row = part[part["period_start"] == last_then["period_start"]]
            if target_row.empty or _shown(scope, info[code], last_then["value"]) == "*":
                continue
            rag_then = statistics.rag_status(
                value=last_then["value"],
                target=target_row["target"].iloc[0],
                polarity=info[code]["polarity"],
            )
            if rag_then not in ("green", "amber", "red") or rag_then == now["rag"]:
                continue
            then_label = periods.quarter_label(last_then["period_start"])
            out.append(
                {
                    "kind": "RAG",
                    "measure_code": code,
                    "measure_name": info[code]["name"],
                    "period": now["period"],
                    "old": rag_then.title(),
                    "new": str(now["rag"]).title(),
                    "source": "",
                    "date": None,
                    "text": f"{info[code]['name']}: RAG rating moved from "
                    f"{rag_then.title()} ({then_label}) to {str(now['rag']).title()} "
                    f"({now['period']}).",
                }
            )
    return out


def _kinds(frame: pd.DataFrame, kind) -> pd.Series:  # noqa: ANN001
    """Which of the frame's periods are of a kind (periods.is_quarter or
    periods.is_financial_year, the rule of the trends' series), as a mask that
    also selects from an empty frame."""
    return pd.Series(
        [
            kind(start, end)
            for start, end in zip(
                frame["period_start"], frame["period_end"], strict=True
            )
        ],
        index=frame.index,
        dtype=bool,
    )


def _verdict(result: dict) -> str:
    """The recent trend's verdict in words: "increasing (significant)"."""
    if result.get("withheld"):
        return "not shown"
    direction = result["direction"]
    if direction in ("not enough data", "no significant change"):
        return direction
    return f"{direction} ({'' if result['significant'] else 'not '}significant)"


def _significance_changes(
    scope: Scope, info: dict, area_code: str, history: pd.DataFrame, since
) -> list[dict]:
    out: list[dict] = []
    then = known_at(history[history["age_band"] == "all"], since)
    for code, measure in info.items():
        if measure["kind"] != "success":
            continue
        length = measures.trend_length(measure["period_type"])
        seen = then[then["measure_code"] == code]
        # Quarters, or financial years as the trend's year series.
        kind = periods.is_quarter if length == "quarter" else periods.is_financial_year
        seen = seen[_kinds(seen, kind)]
        if seen.empty:
            continue
        end_then = seen["period_end"].max()
        try:
            now = headlines.recent_trend(
                scope=scope, measure_code=code, area_code=area_code, length=length
            )
            before = headlines.recent_trend(
                scope=scope,
                measure_code=code,
                area_code=area_code,
                length=length,
                end=end_then,
            )
        except (AccessDenied, NotFound):
            continue
        if now["last_period"] == before["last_period"]:
            continue
        old, new = _verdict(before), _verdict(now)
        if old == new:
            continue
        out.append(
            {
                "kind": "significance",
                "measure_code": code,
                "measure_name": measure["name"],
                "period": now["last_period"] or "",
                "old": old,
                "new": new,
                "source": "",
                "date": None,
                "text": f"{measure['name']}: recent trend was {old} at the last "
                f"board (to {before['last_period']}), now {new} (to "
                f"{now['last_period']}).",
            }
        )
    return out


def _commentary_changes(scope: Scope, vru_code: str, since, until) -> list[dict]:
    written = commentary_written(
        scope=scope, vru_code=vru_code, since=since, until=until
    )
    out = []
    for (_code, _quarter), part in written.groupby(
        ["measure_code", "quarter_start"], sort=False
    ):
        last = part.sort_values(["version", "at"]).iloc[-1]
        state = (
            f"signed off by {last['author_role']}"
            if last["event"] == "signed off"
            else f"version {last['version']} written by {last['author_role']}, "
            "not yet signed off"
        )
        out.append(
            {
                "kind": "commentary",
                "measure_code": last["measure_code"],
                "measure_name": last["measure_name"],
                "period": last["quarter"],
                "old": "",
                "new": "",
                "source": "",
                "date": last["at"].date(),
                "text": f"Commentary on {last['measure_name']} for "
                f"{last['quarter']}: {state}.",
            }
        )
    return out


def changes_since(
    *,
    scope: Scope,
    vru_code: str,
    since_date,  # noqa: ANN001
    as_at=None,  # noqa: ANN001
) -> pd.DataFrame:
    """What changed for the VRU after the meeting on `since_date` up to the end of
    `as_at` (None: now): CHANGE_COLUMNS, by kind in the order of CHANGE_RULE, each
    in time order. The rule is in the module docstring and CHANGE_RULE."""
    area = require_vru(scope, vru_code)
    since = _end_of(_parse_date(since_date, "since_date"))
    until = None if as_at is None else _end_of(_parse_date(as_at, "as_at"))
    with session_scope() as session:
        area_id = area_id_of(session, area.code)
        frame = measures_frame(session, area_id)
    table = measures.measure_metadata(include_private=True).set_index("code")
    info = {}
    for row in frame.itertuples():
        meta = table.loc[row.measure_code]
        info[row.measure_code] = {
            "name": measure_label(row),
            "kind": row.kind,
            "unit": row.unit,
            "polarity": row.polarity,
            "period_type": row.period_type,
            "disclosure_rule": meta["disclosure_rule"],
        }
    history = figure_history([area_id], list(info))
    changes = changes_between(history, since, until)
    rows = _new_and_revised(scope, info, changes)
    # RAG ratings and trends are judged on the current figures; only a measure
    # with a new or revised figure since can have moved.
    moved = {c: info[c] for c in set(changes["measure_code"])}
    rows += _rag_changes(scope, moved, frame, history, since)
    rows += _significance_changes(scope, moved, area.code, history, since)
    rows += _commentary_changes(scope, area.code, since, until)
    out = pd.DataFrame(rows, columns=CHANGE_COLUMNS)
    return out.reset_index(drop=True)


# ------------------------------------------------------- decisions, actions


def _check_status(status: str) -> None:
    if status not in ACTION_STATUSES:
        raise InvalidParameter(
            "status", f"status must be one of {', '.join(ACTION_STATUSES)}"
        )


def record_action(
    *,
    scope: Scope,
    vru_code: str,
    measure_code: str,
    quarter_start,  # noqa: ANN001
    kind: str,
    text: str,
    owner_role: str,
    due_date=None,  # noqa: ANN001
    status: str = "open",
    decided_on=None,  # noqa: ANN001
) -> int:
    """Record a decision or an action of the VRU's board (admins); returns its id.
    `decided_on` defaults to the app's clock; when a meeting is stored on that
    date the record is tied to it. An action needs a due date."""
    scope.require_role("admin")
    area = require_vru(scope, vru_code)
    if kind not in ACTION_KINDS:
        raise InvalidParameter("kind", f"kind must be one of {', '.join(ACTION_KINDS)}")
    _check_status(status)
    quarter = parse_quarter(quarter_start)
    body = clean_text(text, "text", MAX_ACTION_CHARS)
    owner = clean_text(owner_role, "owner", MAX_ROLE_CHARS)
    if not body:
        raise InvalidParameter("text", f"say what the {kind} is")
    if not owner:
        raise InvalidParameter("owner", "name the owner's role (a role title)")
    if "@" in owner:
        raise InvalidParameter(
            "owner", "give the owner's role title, not an e-mail address"
        )
    due = None if due_date in (None, "") else _parse_date(due_date, "due_date")
    if kind == "action" and due is None:
        raise InvalidParameter("due_date", "an action needs a due date")
    decided = _parse_date(decided_on or clock.today(), "decided_on")
    with session_scope() as session:
        area_id = area_id_of(session, area.code)
        measure = measure_row(session, area_id, measure_code)
        meeting_id = session.scalar(
            select(BoardMeeting.id).where(
                BoardMeeting.vru_area_id == area_id,
                BoardMeeting.meeting_date == decided,
            )
        )
        row = BoardAction(
            vru_area_id=area_id,
            measure_id=measure.measure_id,
            quarter_start=quarter,
            kind=kind,
            text=body,
            owner_role=owner,
            due_date=due,
            status=status,
            decided_on=decided,
            meeting_id=meeting_id,
            created_by_id=scope.user_id,
            created_by_role=scope.actor,
            created_at=func.now(),
        )
        return record_new(
            session,
            scope,
            row,
            action=f"record_{kind}",
            after={
                "vru": area.code,
                "measure": measure.measure_code,
                "quarter": quarter.isoformat(),
                "text": body,
                "owner_role": owner,
                "due_date": due.isoformat() if due else None,
                "status": status,
                "decided_on": decided.isoformat(),
            },
        )


def set_action_status(
    *, scope: Scope, vru_code: str, action_id: int, status: str
) -> None:
    """Change a decision's or action's status (admins)."""
    scope.require_role("admin")
    area = require_vru(scope, vru_code)
    _check_status(status)
    with session_scope() as session:
        area_id = area_id_of(session, area.code)
        row = session.get(BoardAction, int(action_id))
        if row is None or row.vru_area_id != area_id:
            raise NotFound("no such decision or action for this VRU")
        before = row.status
        if before == status:
            return
        session.execute(
            update(BoardAction)
            .where(BoardAction.id == row.id)
            .values(status=status, updated_by_role=scope.actor, updated_at=func.now())
        )
        record_change(
            session,
            scope,
            action="set_action_status",
            entity="board_action",
            entity_id=str(row.id),
            before={"status": before},
            after={"status": status},
        )


def _path(scope: Scope, measure_code: str, period_type: str, area_code: str, start):  # noqa: ANN001
    """The measure's figures for the VRU from `start` on, as its pages show them."""
    length = measures.trend_length(period_type)
    from_day = (
        start
        if length == "quarter"
        else periods.fy_bounds(periods.financial_year_of(start))[0]
    )
    try:
        # The measure's pages' road (financial years built from quarters, one
        # figure a period, disclosed), not the stored rows.
        series = area_trends.own_series(
            scope=scope,
            measure_code=measure_code,
            area_code=area_code,
            length=length,
            start=from_day,
        )
    except (AccessDenied, NotFound):
        return [], "Figures not available to you."
    points = []
    for row in series.itertuples():
        hidden = bool(getattr(row, "suppressed", False))
        points.append(
            {
                "period": periods.period_label(row.period_start, row.period_end),
                "value": None if hidden or pd.isna(row.value) else float(row.value),
                "suppressed": hidden,
            }
        )
    if not points:
        return [], "No figures since it was decided."
    shown = [p for p in points if p["value"] is not None]
    if not shown:
        return points, "Since then: figures too small to show."
    a, b = shown[0], shown[-1]
    if a is b:
        return points, f"Since then: {_number(b['value'])} in {b['period']}."
    return points, (
        f"Since then: {_number(a['value'])} in {a['period']} to "
        f"{_number(b['value'])} in {b['period']}."
    )


def actions_for(
    *,
    scope: Scope,
    vru_code: str,
    as_at=None,
    open_only: bool = False,  # noqa: ANN001
) -> pd.DataFrame:
    """The VRU's decisions and actions (ACTION_COLUMNS): open ones first by due
    date, overdue flagged against `as_at` (default: the app's clock), each with
    the measure's path since the quarter it was decided on."""
    area = require_vru(scope, vru_code)
    day = _parse_date(as_at or clock.today(), "as_at")
    with session_scope() as session:
        area_id = area_id_of(session, area.code)
        frame = measures_frame(session, area_id)
        query = select(
            BoardAction.id,
            BoardAction.kind,
            BoardAction.text,
            BoardAction.measure_id,
            BoardAction.quarter_start,
            BoardAction.owner_role,
            BoardAction.due_date,
            BoardAction.status,
            BoardAction.decided_on,
            BoardAction.created_by_role,
        ).where(BoardAction.vru_area_id == area_id)
        if open_only:
            query = query.where(BoardAction.status == "open")
        rows = session.execute(query).all()
    by_id = {r.measure_id: r for r in frame.itertuples()}
    out = []
    for r in rows:
        measure = by_id.get(r[3])
        if measure is None:
            continue
        path, path_text = _path(
            scope, measure.measure_code, measure.period_type, area.code, r[4]
        )
        overdue = r[7] == "open" and r[6] is not None and r[6] < day
        out.append(
            [
                r[0],
                r[1],
                r[2],
                measure.measure_code,
                measure_label(measure),
                r[4],
                periods.quarter_label(r[4]),
                r[5],
                r[6],
                r[7],
                r[8],
                overdue,
                path,
                path_text,
                r[9],
            ]
        )
    result = pd.DataFrame(out, columns=ACTION_COLUMNS)
    if result.empty:
        return result
    result["_open"] = result["status"] != "open"
    result["_due"] = result["due_date"].fillna(dt.date.max)
    result = result.sort_values(["_open", "_due", "id"]).drop(columns=["_open", "_due"])
    return result.reset_index(drop=True)


__all__ = [
    "ACTION_COLUMNS",
    "CHANGE_COLUMNS",
    "CHANGE_RULE",
    "MEETING_COLUMNS",
    "REVISION_THRESHOLD",
    "actions_for",
    "add_meeting",
    "changes_since",
    "last_meeting",
    "meetings",
    "previous_meeting",
    "record_action",
    "set_action_status",
]
