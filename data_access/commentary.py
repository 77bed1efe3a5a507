"""Commentary on a VRU's measures, quarter by quarter, and its sign-off.

What it is: for one VRU (a police force area with a VRU), one measure (a Home
Office success measure, or a measure of one of the VRU's workstreams) and one
quarter, a short plain-text note of what happened, why, and what next. Every save
is a new version (data_access.board_models.Commentary), kept with the author's
role title and the time; the latest version is the commentary shown. Every write
and sign-off is in the audit log, in the same transaction.

Who may do what (DESIGN.md "Access", applied on the server here):
- read: anyone whose scope includes the VRU's area (admins and analysts: all;
  a board member: their areas; a lead: their workstream's VRU). The public: none.
- write: an analyst (any VRU), an admin (any VRU), or a lead for the measures of
  their own workstream. Viewers never write.
- sign off: an admin, and never a version they wrote themselves: the same
  separation ("four eyes") as for returns, where an admin never approves a return
  they submitted (data_access.returns.may_approve). Only the latest version can be
  signed off; a new version after sign-off is a draft again until signed off.

Text is plain: stored as written (stripped, at most MAX_CHARS characters, no
control characters), never interpreted as HTML or Markdown. Pages show it as text
(Dash escapes it); exporters that build HTML or XML use `escaped_html`, which
escapes every markup character, so a link or script in the text stays inert text.

Revised figures: a commentary is flagged when a figure of its measure for the
VRU's area, in a period overlapping its quarter (a quarter, or the financial or
rolling year that contains it), was revised after the version was written
(data_access.figure_history: the store keeps superseded figures). `revised_after`
is the date of the latest such revision, and `revised_note` says "Written before
the figure was revised on 3 December 2026."

COMMENTARY_COLUMNS (commentary_for; one row per measure and quarter, the latest
version): measure_code, measure_name, kind ("success" or "workstream"),
quarter_start (date), quarter ("2025/26 Q2"), version, text, author_role,
written_at (datetime), status ("draft" or "signed_off"), signed_off_by_role,
signed_off_at, revised_after (date or None), revised_note ("" or the sentence),
yours (bool: the caller wrote this version), can_sign_off (bool: the caller may
sign it off now).
VERSION_COLUMNS (commentary_versions; newest first): version, text, author_role,
written_at, status, signed_off_by_role, signed_off_at.
VRU_MEASURE_COLUMNS (vru_measures): measure_code, name, unit, polarity,
period_type, kind, workstream_id, workstream_name, can_write.
"""

from __future__ import annotations

import datetime as dt
import html

import pandas as pd
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from data_access import periods
from data_access.areas import area_id_of, get_area
from data_access.audit import record_change
from data_access.board_models import Commentary
from data_access.db import read_connection, session_scope
from data_access.errors import AccessDenied, DataAccessError, InvalidParameter
from data_access.figure_history import changes_between, figure_history
from data_access.models import Area, Measure, Workstream, WorkstreamMeasure
from data_access.returns.spec import clean_text, parse_quarter
from data_access.scope import Scope

MAX_CHARS = 2000
STATUS_LABELS = {"draft": "Draft, not yet signed off", "signed_off": "Signed off"}

VERSION_COLUMNS = [
    "version",
    "text",
    "author_role",
    "written_at",
    "status",
    "signed_off_by_role",
    "signed_off_at",
]
COMMENTARY_COLUMNS = [
    "measure_code",
    "measure_name",
    "kind",
    "quarter_start",
    "quarter",
    *VERSION_COLUMNS,
    "revised_after",
    "revised_note",
    "yours",
    "can_sign_off",
]
_MEASURE_FRAME_COLUMNS = [
    "measure_id",
    "measure_code",
    "name",
    "unit",
    "polarity",
    "period_type",
    "kind",
    "workstream_id",
    "workstream_name",
]
VRU_MEASURE_COLUMNS = [*_MEASURE_FRAME_COLUMNS[1:], "can_write"]


class CommentaryChanged(DataAccessError):
    """Someone else saved or signed off the commentary since the caller read it."""


def revised_sentence(day: dt.date) -> str:
    return f"Written before the figure was revised on {periods.long_date(day)}."


def escaped_html(text: str) -> str:
    """The commentary as HTML text: every markup character escaped (quotes
    included), line breaks kept as <br>. For exporters that build HTML or XML."""
    return "<br>".join(html.escape(line, quote=True) for line in text.split("\n"))


# ------------------------------------------------------------------ access


def require_vru(scope: Scope, vru_code: str):
    """The VRU's AreaInfo after the read check; InvalidParameter when the code is
    not a VRU's force area, NotFound when it is no area at all."""
    code = str(vru_code or "").strip()[:20]
    area = get_area(code)
    if scope.is_public:
        raise AccessDenied("sign in to see commentary")
    scope.require_area(area.code, area.parent_code)
    if area.level != "pfa" or not area.is_vru:
        raise InvalidParameter(
            "area", f"{area.name} is not a police force area with a VRU"
        )
    return area


def measures_frame(session, area_id: int) -> pd.DataFrame:  # noqa: ANN001
    """Success measures and the VRU's workstream measures (no access rules)."""
    fields = (
        Measure.id,
        Measure.code,
        Measure.name,
        Measure.unit,
        Measure.polarity,
        Measure.period_type,
    )
    success = session.execute(
        select(*fields)
        .where(Measure.success_measure_rank.is_not(None), Measure.is_public)
        .order_by(Measure.success_measure_rank)
    ).all()
    work = session.execute(
        select(*fields, Workstream.id, Workstream.name)
        .join(WorkstreamMeasure, WorkstreamMeasure.measure_id == Measure.id)
        .join(Workstream, Workstream.id == WorkstreamMeasure.workstream_id)
        .where(Workstream.vru_area_id == area_id)
        .order_by(Workstream.id, Measure.code)
    ).all()
    rows = [(*r, "success", None, None) for r in success]
    seen = {r[1] for r in rows}
    for r in work:
        if r[1] not in seen:
            seen.add(r[1])
            rows.append((*r[:6], "workstream", r[6], r[7]))
    return pd.DataFrame(rows, columns=_MEASURE_FRAME_COLUMNS)


def measure_label(row) -> str:  # noqa: ANN001
    """A measure as a VRU's lists name it (a measures_frame / vru_measures row).
    Workstream measures of different workstreams share names (each spoke has
    "Referrals into local initiatives"), so they carry their workstream's name."""
    if row.kind == "success" or not row.workstream_name:
        return row.name
    return f"{row.name} ({row.workstream_name})"


def _can_write(scope: Scope, row) -> bool:  # noqa: ANN001
    if scope.role in ("admin", "analyst"):
        return True
    return (
        scope.role == "lead"
        and scope.workstream_id is not None
        and row.workstream_id == scope.workstream_id
    )


def vru_measures(*, scope: Scope, vru_code: str) -> pd.DataFrame:
    """The measures a VRU's commentary and actions are about (VRU_MEASURE_COLUMNS):
    the success measures, then each workstream's measures; `can_write` says
    whether `scope` may write commentary on each."""
    area = require_vru(scope, vru_code)
    with read_connection() as session:
        frame = measures_frame(session, area_id_of(session, area.code))
    frame["can_write"] = [_can_write(scope, r) for r in frame.itertuples()]
    frame["workstream_id"] = frame["workstream_id"].astype("Int64")
    return frame[VRU_MEASURE_COLUMNS]


def measure_row(session, area_id: int, measure_code: str):  # noqa: ANN001
    frame = measures_frame(session, area_id)
    match = frame[frame["measure_code"] == str(measure_code)]
    if match.empty:
        raise InvalidParameter(
            "measure",
            f"'{str(measure_code)[:60]}' is not a success measure or a measure of "
            "this VRU's workstreams",
        )
    return next(match.itertuples())


def may_sign_off(scope: Scope, author_id: int | None) -> str | None:
    """Why `scope` may not sign off a version written by `author_id`, or None
    when it may: admins only, never their own writing (four eyes)."""
    if scope.role != "admin":
        return "only a VRU admin can sign off commentary"
    if scope.user_id is not None and scope.user_id == author_id:
        return "you wrote this version, so another admin must sign it off (four eyes)"
    return None


# ------------------------------------------------------------------ writes


def _latest(session, area_id: int, measure_id: int, quarter: dt.date):  # noqa: ANN001
    return session.scalars(
        select(Commentary)
        .where(
            Commentary.vru_area_id == area_id,
            Commentary.measure_id == measure_id,
            Commentary.quarter_start == quarter,
        )
        .order_by(Commentary.version.desc())
        .limit(1)
    ).first()


def _entity_id(area_code: str, measure_code: str, quarter: dt.date) -> str:
    return f"{area_code}/{measure_code}/{quarter.isoformat()}"[:60]


def write_commentary(
    *,
    scope: Scope,
    vru_code: str,
    measure_code: str,
    quarter_start: str | dt.date,
    text: str,
    seen_version: int | None = None,
) -> int:
    """Save a new version of the commentary; returns its version number.

    `seen_version` is the version the writer started from (None or 0 when there
    was none): if another version was saved meanwhile, CommentaryChanged and
    nothing is written. InvalidParameter for empty, over-long or control-character
    text, an unknown quarter or a measure that is not the VRU's; AccessDenied
    outside the rules in the module docstring."""
    area = require_vru(scope, vru_code)
    if scope.role not in ("admin", "analyst", "lead"):
        raise AccessDenied("your role does not include writing commentary")
    quarter = parse_quarter(quarter_start)
    body = clean_text(text, "commentary", MAX_CHARS)
    if not body:
        raise InvalidParameter("commentary", "write the commentary before saving it")
    try:
        with session_scope() as session:
            area_id = area_id_of(session, area.code)
            measure = measure_row(session, area_id, measure_code)
            if not _can_write(scope, measure):
                raise AccessDenied(
                    "a workstream lead writes commentary on their own workstream's "
                    "measures only"
                )
            latest = _latest(session, area_id, measure.measure_id, quarter)
            current = latest.version if latest else 0
            if int(seen_version or 0) != current:
                raise CommentaryChanged(
                    "someone saved a newer version of this commentary meanwhile; "
                    "reload it and make your change again"
                )
            if latest is not None and latest.text == body:
                raise InvalidParameter(
                    "commentary", "the text is the same as the latest version"
                )
            row = Commentary(
                vru_area_id=area_id,
                measure_id=measure.measure_id,
                quarter_start=quarter,
                version=current + 1,
                text=body,
                author_id=scope.user_id,
                author_role=scope.actor,
                written_at=func.now(),
                status="draft",
            )
            session.add(row)
            session.flush()
            record_change(
                session,
                scope,
                action="write_commentary",
                entity="commentary",
                entity_id=_entity_id(area.code, measure.measure_code, quarter),
                before=None if latest is None else {
                    "version": latest.version, "text": latest.text,
                    "status": latest.status,
                },
                after={"version": row.version, "text": body, "status": "draft"},
            )  # fmt: skip
            return current + 1
    except IntegrityError as error:
        # Two saves of the same version at once: the unique key lets one win.
        raise CommentaryChanged(
            "someone saved a newer version of this commentary meanwhile; reload it "
            "and make your change again"
        ) from error


def sign_off(
    *,
    scope: Scope,
    vru_code: str,
    measure_code: str,
    quarter_start: str | dt.date,
    version: int,
) -> None:
    """Sign off `version`, which must be the latest and a draft (CommentaryChanged
    otherwise); admins only, never their own version (may_sign_off)."""
    if scope.role != "admin":
        raise AccessDenied(may_sign_off(scope, None))
    area = require_vru(scope, vru_code)
    quarter = parse_quarter(quarter_start)
    with session_scope() as session:
        area_id = area_id_of(session, area.code)
        measure = measure_row(session, area_id, measure_code)
        latest = _latest(session, area_id, measure.measure_id, quarter)
        if latest is None:
            raise InvalidParameter("version", "there is no commentary to sign off")
        if latest.version != int(version) or latest.status != "draft":
            raise CommentaryChanged(
                "the commentary changed since you read it (a newer version, or "
                "already signed off); reload it"
            )
        refusal = may_sign_off(scope, latest.author_id)
        if refusal:
            raise AccessDenied(refusal)
        # Only a draft becomes signed off: of two admins at once, one wins.
        done = session.execute(
            update(Commentary)
            .where(Commentary.id == latest.id, Commentary.status == "draft")
            .values(
                status="signed_off",
                signed_off_by_id=scope.user_id,
                signed_off_by_role=scope.actor,
                signed_off_at=func.now(),
            )
            .execution_options(synchronize_session=False)
        ).rowcount
        if done != 1:
            raise CommentaryChanged("the commentary was signed off meanwhile")
        record_change(
            session,
            scope,
            action="sign_off_commentary",
            entity="commentary",
            entity_id=_entity_id(area.code, measure.measure_code, quarter),
            before={"version": latest.version, "status": "draft"},
            after={"version": latest.version, "status": "signed_off"},
        )


# ------------------------------------------------------------------ reads


def _revisions_after(
    area_id: int, rows: pd.DataFrame
) -> dict[tuple[str, dt.date], dt.date]:
    """{(measure_code, quarter_start): date of the latest revision after the
    version was written} for the commentary rows given."""
    if rows.empty:
        return {}
    history = figure_history([area_id], sorted(set(rows["measure_code"])))
    if history.empty:
        return {}
    found = {}
    for row in rows.itertuples():
        q_start = row.quarter_start
        q_end = periods.quarter_end(q_start)
        # Revisions after this version was written, by its own moment.
        mine = changes_between(
            history[history["measure_code"] == row.measure_code], row.written_at
        )
        mine = mine[
            (mine["kind"] == "revised")
            & (mine["period_start"] <= q_end)
            & (mine["period_end"] >= q_start)
        ]
        if not mine.empty:
            found[(row.measure_code, q_start)] = mine["changed_at"].max().date()
    return found


_COMMENTARY_FIELDS = (
    Commentary.measure_id,
    Commentary.quarter_start,
    Commentary.version,
    Commentary.text,
    Commentary.author_id,
    Commentary.author_role,
    Commentary.written_at,
    Commentary.status,
    Commentary.signed_off_by_role,
    Commentary.signed_off_at,
)


def commentary_for(
    *,
    scope: Scope,
    vru_code: str,
    quarter_start: str | dt.date | None = None,
    measure_codes: list[str] | None = None,
    signed_off_only: bool = False,
) -> pd.DataFrame:
    """The latest commentary of a VRU's measures (COMMENTARY_COLUMNS), in the
    order of vru_measures. `quarter_start` None: for each measure its latest
    quarter with commentary; else that quarter only. `signed_off_only`: the latest
    signed-off version of each instead of the latest version (for packs that
    carry only signed-off words). Measures without commentary have no row."""
    area = require_vru(scope, vru_code)
    quarter = None if quarter_start is None else parse_quarter(quarter_start)
    # The commentary is read first, by the area's code (and the measures'
    # codes): a VRU with none, the common case on a page, costs that one
    # statement. Its area's id and its measures (which of them the VRU's
    # commentary is about, in order) are read only when there is some.
    query = (
        select(Commentary.vru_area_id, *_COMMENTARY_FIELDS)
        .join(Area, Area.id == Commentary.vru_area_id)
        .where(Area.code == area.code)
    )
    if measure_codes is not None:
        query = query.join(Measure, Measure.id == Commentary.measure_id).where(
            Measure.code.in_([str(code) for code in measure_codes])
        )
    if quarter is not None:
        query = query.where(Commentary.quarter_start == quarter)
    if signed_off_only:
        query = query.where(Commentary.status == "signed_off")
    with read_connection() as session:
        read = session.execute(query).all()
        if not read:
            return pd.DataFrame(columns=COMMENTARY_COLUMNS)
        area_id = read[0][0]
        measures = measures_frame(session, area_id)
    if measure_codes is not None:
        measures = measures[measures["measure_code"].isin(list(measure_codes))]
    ids = set(measures["measure_id"].tolist())
    rows = [row[1:] for row in read if row[1] in ids]
    frame = pd.DataFrame(
        rows,
        columns=[
            "measure_id",
            "quarter_start",
            "version",
            "text",
            "author_id",
            "author_role",
            "written_at",
            "status",
            "signed_off_by_role",
            "signed_off_at",
        ],
    )
    if frame.empty:
        return pd.DataFrame(columns=COMMENTARY_COLUMNS)
    frame = frame.sort_values(["quarter_start", "version"])
    latest = frame.groupby("measure_id").tail(1) if quarter is None else frame
    latest = latest.groupby(["measure_id", "quarter_start"]).tail(1)
    order = {m: i for i, m in enumerate(measures["measure_id"])}
    latest = latest.merge(
        measures[["measure_id", "measure_code", "name", "kind"]], on="measure_id"
    ).rename(columns={"name": "measure_name"})
    latest["order"] = latest["measure_id"].map(order)
    latest = latest.sort_values(["order", "quarter_start"]).reset_index(drop=True)
    latest["quarter"] = [periods.quarter_label(d) for d in latest["quarter_start"]]
    revised = _revisions_after(area_id, latest)
    latest["revised_after"] = [
        revised.get((c, q)) for c, q in zip(
            latest["measure_code"], latest["quarter_start"], strict=True
        )
    ]  # fmt: skip
    latest["revised_note"] = [
        revised_sentence(d) if d else "" for d in latest["revised_after"]
    ]
    latest["yours"] = [
        scope.user_id is not None and a == scope.user_id for a in latest["author_id"]
    ]
    latest["can_sign_off"] = [
        s == "draft" and may_sign_off(scope, a) is None
        for s, a in zip(latest["status"], latest["author_id"], strict=True)
    ]
    latest["revised_after"] = latest["revised_after"].astype(object)
    return latest[COMMENTARY_COLUMNS]


def commentary_versions(
    *, scope: Scope, vru_code: str, measure_code: str, quarter_start: str | dt.date
) -> pd.DataFrame:
    """Every version of one commentary, newest first (VERSION_COLUMNS)."""
    area = require_vru(scope, vru_code)
    quarter = parse_quarter(quarter_start)
    with read_connection() as session:
        area_id = area_id_of(session, area.code)
        measure = measure_row(session, area_id, measure_code)
        rows = session.execute(
            select(
                Commentary.version,
                Commentary.text,
                Commentary.author_role,
                Commentary.written_at,
                Commentary.status,
                Commentary.signed_off_by_role,
                Commentary.signed_off_at,
            )
            .where(
                Commentary.vru_area_id == area_id,
                Commentary.measure_id == measure.measure_id,
                Commentary.quarter_start == quarter,
            )
            .order_by(Commentary.version.desc())
        ).all()
    return pd.DataFrame(rows, columns=VERSION_COLUMNS)


def commentary_written(
    *, scope: Scope, vru_code: str, since: dt.datetime, until: dt.datetime | None
) -> pd.DataFrame:
    """Commentary versions written or signed off in (since, until]: measure_code,
    measure_name, quarter_start, quarter, version, status, author_role, at (the
    moment), event ("written" or "signed off"). For "since the last board"."""
    area = require_vru(scope, vru_code)
    with read_connection() as session:
        area_id = area_id_of(session, area.code)
        measures = measures_frame(session, area_id)
        rows = session.execute(
            select(
                Commentary.measure_id,
                Commentary.quarter_start,
                Commentary.version,
                Commentary.status,
                Commentary.author_role,
                Commentary.written_at,
                Commentary.signed_off_by_role,
                Commentary.signed_off_at,
            ).where(Commentary.vru_area_id == area_id)
        ).all()
    names = {r.measure_id: measure_label(r) for r in measures.itertuples()}
    codes = dict(zip(measures["measure_id"], measures["measure_code"], strict=True))
    out = []

    def inside(at) -> bool:  # noqa: ANN001
        return at is not None and at > since and (until is None or at <= until)

    for r in rows:
        if r[0] not in codes:
            continue
        base = [codes[r[0]], names[r[0]], r[1], periods.quarter_label(r[1]), r[2]]
        if inside(r[5]):
            out.append([*base, r[3], r[4], r[5], "written"])
        if inside(r[7]):
            out.append([*base, r[3], r[6], r[7], "signed off"])
    columns = [
        "measure_code",
        "measure_name",
        "quarter_start",
        "quarter",
        "version",
        "status",
        "author_role",
        "at",
        "event",
    ]
    return pd.DataFrame(out, columns=columns).sort_values("at").reset_index(drop=True)


__all__ = [
    "COMMENTARY_COLUMNS",
    "MAX_CHARS",
    "STATUS_LABELS",
    "VERSION_COLUMNS",
    "VRU_MEASURE_COLUMNS",
    "CommentaryChanged",
    "commentary_for",
    "commentary_versions",
    "commentary_written",
    "escaped_html",
    "may_sign_off",
    "revised_sentence",
    "sign_off",
    "vru_measures",
    "write_commentary",
]
