"""The board's own record in a pack: what changed since the last board, the
commentary, the open decisions and actions, and the open exceptions. Each reads
the one function that keeps it (data_access/board.py, data_access/commentary.py,
data_access/exceptions.py) with the pack's reader scope; nothing is worked out
here but the words around it.

- since: board.changes_since after the previous stored meeting before the pack's
  meeting (board.previous_meeting), or the last meeting before today when the pack
  names none, up to the meeting day; the rule is board.CHANGE_RULE, stated on the
  slide.
- commentary: commentary.commentary_for the pack's quarter (latest version, its
  sign-off status and any "written before the figure was revised" note).
- actions: board.actions_for, open ones, overdue flagged against the meeting date
  (or today), each with the measure's path since it was decided.
- exceptions: exceptions.open_exceptions (SPC signals, overdue returns, forecast
  underspends), each in words with the figure the reader may see.
All are restricted: a pack for publication leaves them out (board_pack.py).
"""

from __future__ import annotations

import datetime as dt

from data_access import board, clock, commentary, exceptions, periods
from data_access.pack_slides import Slide, Table, note_slide
from data_access.periods import long_date, short_date

POINTS_SHOWN = 6  # lines read out on a slide; the table holds them all


def _more(points: list[str], total: int, what: str) -> list[str]:
    if total > len(points):
        points = points + [f"… and {total - len(points)} more {what}: see the table."]
    return points


def since_slides(reader, area, start: dt.date, meeting: dt.date | None) -> list[Slide]:
    today = clock.today()
    if meeting is not None:
        since = board.previous_meeting(area.code, meeting, scope=reader)
    else:
        since = board.last_meeting(scope=reader, vru_code=area.code, as_at=today)
    rule = f"What is listed: {board.CHANGE_RULE}"
    link = f"/board?area={area.code}"
    if since is None:
        words = (
            f"No earlier board meeting of {area.name} is stored"
            + (f" before {long_date(meeting)}" if meeting else "")
            + ", so there is nothing to compare with."
        )
        return [
            note_slide(
                "since",
                "Since the last board: no earlier meeting stored",
                words,
                link,
            )
        ]
    changes = board.changes_since(
        scope=reader, vru_code=area.code, since_date=since, as_at=meeting
    )
    up_to = long_date(meeting) if meeting else "today"
    counts = changes["kind"].value_counts()
    head = (
        f"Since the board of {long_date(since)} up to {up_to}: "
        + (
            ", ".join(f"{n} {kind}" for kind, n in counts.items())
            if len(changes)
            else "no changes that meet the rule"
        )
        + "."
    )
    points = _more(changes["text"].head(POINTS_SHOWN).tolist(), len(changes), "changes")
    return [
        Slide(
            section="since",
            title=f"Since the last board ({long_date(since)}): {len(changes)} changes",
            summary=f"{head} {rule} " + " ".join(changes["text"]),
            table=Table(
                caption=f"Changes since the board of {long_date(since)}, {area.name}",
                columns=[
                    ("Change", "text"),
                    ("Measure", "text"),
                    ("Period", "text"),
                    ("Was", "text"),
                    ("Now", "text"),
                    ("Date", "text"),
                ],
                rows=[
                    [
                        r.kind,
                        r.measure_name,
                        r.period,
                        r.old,
                        r.new,
                        short_date(r.date) if r.date else "",
                    ]
                    for r in changes.itertuples()
                ],
            )
            if len(changes)
            else None,
            points=[head, *points, rule],
            sources=["The store's revision history (superseded figures are kept)"],
            link=link,
        )
    ]


def commentary_words(row) -> str:  # noqa: ANN001
    """A commentary_for row in words: its text, who wrote it, whether it is
    signed off, and the revision note if a figure was revised since."""
    status = (
        f"signed off by {row.signed_off_by_role}"
        if row.status == "signed_off"
        else "draft, not yet signed off"
    )
    note = f" {row.revised_note}" if row.revised_note else ""
    return f"{row.text} ({row.quarter}, {row.author_role}; {status}).{note}"


def commentary_slides(reader, area, start: dt.date, _meeting=None) -> list[Slide]:
    frame = commentary.commentary_for(
        scope=reader, vru_code=area.code, quarter_start=start
    )
    quarter = periods.quarter_label(start)
    link = f"/commentary?area={area.code}"
    if frame.empty:
        words = f"No commentary written for {area.name} for {quarter}."
        return [
            note_slide(
                "commentary",
                f"Commentary, {quarter}: none written",
                words,
                link,
            )
        ]
    lines = [f"{r.measure_name}: {commentary_words(r)}" for r in frame.itertuples()]
    signed = int((frame["status"] == "signed_off").sum())
    return [
        Slide(
            section="commentary",
            title=f"Commentary, {quarter}: {len(frame)} measures, {signed} signed off",
            summary=" ".join(lines),
            table=Table(
                caption=f"Commentary for {quarter}, {area.name} (latest versions)",
                columns=[
                    ("Measure", "text"),
                    ("Commentary", "text"),
                    ("Written by", "text"),
                    ("Status", "text"),
                    ("Note", "text"),
                ],
                rows=[
                    [
                        r.measure_name,
                        r.text,
                        f"{r.author_role}, {short_date(r.written_at)}",
                        commentary.STATUS_LABELS.get(r.status, r.status),
                        r.revised_note,
                    ]
                    for r in frame.itertuples()
                ],
            ),
            points=_more(lines[:POINTS_SHOWN], len(lines), "commentaries"),
            sources=[
                "Commentary by the VRU's leads and analysts, signed off by an admin"
            ],
            link=link,
        )
    ]


def action_slides(reader, area, start: dt.date, meeting: dt.date | None) -> list[Slide]:
    as_at = meeting or clock.today()
    frame = board.actions_for(
        scope=reader, vru_code=area.code, as_at=as_at, open_only=True
    )
    link = f"/board?area={area.code}"
    if frame.empty:
        words = f"No open decisions or actions for {area.name}."
        return [note_slide("actions", "Decisions and actions: none open", words, link)]
    overdue = int(frame["overdue"].sum())
    lines = [
        ("OVERDUE: " if r.overdue else "")
        + f"{r.kind.capitalize()} on {r.measure_name} ({r.quarter}): {r.text} "
        f"Owner: {r.owner_role}"
        + (f"; due {long_date(r.due_date)}" if r.due_date else "")
        + f". {r.path_text}"
        for r in frame.itertuples()
    ]
    return [
        Slide(
            section="actions",
            title=f"Decisions and actions: {len(frame)} open, {overdue} overdue",
            summary=f"As at {long_date(as_at)}. " + " ".join(lines),
            table=Table(
                caption=f"Open decisions and actions, {area.name}, "
                f"as at {long_date(as_at)}",
                columns=[
                    ("Kind", "text"),
                    ("Decision or action", "text"),
                    ("Measure", "text"),
                    ("Owner", "text"),
                    ("Due", "text"),
                    ("Overdue", "text"),
                    ("Since it was decided", "text"),
                ],
                rows=[
                    [
                        r.kind,
                        r.text,
                        f"{r.measure_name} ({r.quarter})",
                        r.owner_role,
                        short_date(r.due_date) if r.due_date else "",
                        "Overdue" if r.overdue else "No",
                        r.path_text,
                    ]
                    for r in frame.itertuples()
                ],
            ),
            points=_more(lines[:POINTS_SHOWN], len(lines), "actions"),
            sources=["Decisions and actions recorded by the VRU's admins"],
            link=link,
        )
    ]


def exception_slides(reader, area, start: dt.date, _meeting=None) -> list[Slide]:
    frame = exceptions.open_exceptions(reader, area.code)
    link = "/alerts"
    if frame.empty:
        words = f"No open exceptions for {area.name}."
        return [note_slide("exceptions", "Exceptions: none open", words, link)]
    lines = frame["summary"].tolist()
    return [
        Slide(
            section="exceptions",
            title=f"Exceptions: {len(frame)} open",
            summary=" ".join(lines),
            table=Table(
                caption=f"Open exceptions, {area.name}",
                columns=[
                    ("Kind", "text"),
                    ("About", "text"),
                    ("Period", "text"),
                    ("Owner", "text"),
                    ("In words", "text"),
                ],
                rows=[
                    [
                        r.kind_label,
                        next(
                            (
                                name
                                for name in (r.measure_name, r.workstream_name)
                                if isinstance(name, str) and name
                            ),
                            area.name,
                        ),
                        r.period,
                        r.owner,
                        r.summary,
                    ]
                    for r in frame.itertuples()
                ],
            ),
            points=_more(lines[:POINTS_SHOWN], len(lines), "exceptions"),
            sources=[
                "Exception rules: SPC signals, overdue returns, forecast underspends"
            ],
            link=link,
        )
    ]


__all__ = [
    "action_slides",
    "commentary_slides",
    "commentary_words",
    "exception_slides",
    "since_slides",
]
