"""Commentary and "since the last board" where the measures are shown: the glue
between data_access.commentary / data_access.board and components.commentary,
shared by the overview, the violence page and the workstream pages (pages never
import each other).

Everything here reads under the caller's scope: a caller outside the VRU's area,
or an area that is no VRU, gets nothing (no error, no hint of what is there).
The parts never depend on who the caller is beyond their access (role, areas,
workstream), so the pages' cached answers stay right for everyone with the same
access; who may edit or sign off is decided on /commentary.
"""

from __future__ import annotations

from urllib.parse import urlencode

from dash import Input, Output, State, callback, html, no_update

from components import commentary as parts
from data_access import board, commentary
from data_access.areas import list_areas
from data_access.errors import (
    AccessDenied,
    InvalidParameter,
    NotFound,
    StoreUnavailable,
)
from web.access import current_scope
from web.view_cache import cached_callback

NOT_SHOWN = (AccessDenied, InvalidParameter, NotFound)


def commentary_href(area: str, measure: str, quarter: str | None = None) -> str:
    query = {"area": area, "measure": measure}
    if quarter:
        query["quarter"] = quarter
    return "/commentary?" + urlencode(query)


def notes_by_measure(
    scope, area_code: str, measure_codes: list[str] | None = None
) -> dict[str, dict]:
    """{measure_code: the latest commentary row} for a VRU's measures; {} when the
    area is no VRU or outside the scope."""
    try:
        frame = commentary.commentary_for(
            scope=scope, vru_code=area_code, measure_codes=measure_codes
        )
    except NOT_SHOWN:
        return {}
    if frame.empty:  # the common case; to_dict of no rows still costs ~1 ms
        return {}
    return {row["measure_code"]: row for row in frame.to_dict("records")}


WRITER_ROLES = ("admin", "analyst", "lead")


def note_for(
    scope,
    notes: dict[str, dict],
    area_code: str,
    code: str,
    name: str,
    level: int = 4,
) -> list:
    """The commentary beside one measure, or (for roles that write commentary) a
    link to write one."""
    row = notes.get(code)
    if row is None:
        if scope.role not in WRITER_ROLES:
            return []
        return [parts.write_link(name, commentary_href(area_code, code))]
    href = commentary_href(area_code, code, row["quarter_start"].strftime("%Y-%m"))
    return [parts.commentary_note(row, heading_level=level, edit_href=href)]


def vru_notes(
    scope, area_code: str, measure_codes: list[str] | None = None
) -> dict[str, dict] | None:
    """notes_by_measure (of `measure_codes` only, when given: the measures the
    page shows), or None when the area has no commentary at all (no VRU, or
    outside the scope): the pages then show no commentary parts."""
    try:
        commentary.require_vru(scope, area_code)
    except NOT_SHOWN:
        return None
    return notes_by_measure(scope, area_code, measure_codes)


def since_last_board(scope, area_code: str) -> html.Section | None:
    """The overview's short "Since the last board" list, or None (no VRU, or
    outside the scope)."""
    try:
        meeting = board.last_meeting(scope=scope, vru_code=area_code)
        changes = (
            []
            if meeting is None
            else board.changes_since(
                scope=scope, vru_code=area_code, since_date=meeting
            ).to_dict("records")
        )
    except NOT_SHOWN:
        return None
    return parts.since_last_board(
        changes,
        meeting=meeting,
        rule=board.CHANGE_RULE,
        href=f"/board?area={area_code}",
    )


def register_commentary_panel(page: str, measure_id: str, area_id: str) -> None:
    """A `{page}-commentary` panel showing the chosen measure's latest
    commentary for the chosen area (a VRU), read under the caller's scope."""

    @cached_callback(
        Output(f"{page}-commentary", "children"),
        Input(measure_id, "value"),
        Input(area_id, "value"),
    )
    def show_commentary(measure_code, area_code):
        scope = current_scope()
        if not measure_code or not area_code:
            return []
        try:
            notes = vru_notes(scope, str(area_code))
        except StoreUnavailable:
            return []
        if notes is None:
            return []
        row = notes.get(str(measure_code))
        name = row["measure_name"] if row else "this measure"
        return note_for(scope, notes, str(area_code), str(measure_code), name, 2)

    return show_commentary


def vru_area_options(scope, chosen: str | None) -> tuple[list[dict], str | None]:
    """(options, value) of a VRU area picker: the force areas with a VRU within
    the scope, and the chosen one if it is among them, else the first."""
    areas = list_areas(level="pfa")
    options = [
        {"label": r.name, "value": r.code}
        for r in areas[areas["is_vru"].astype(bool)].itertuples()
        if scope.can_read_area(r.code)
    ]
    codes = [o["value"] for o in options]
    return options, chosen if chosen in codes else (codes[0] if codes else None)


def register_vru_area_picker(page: str) -> None:
    """Fill `{page}-area` with the VRU areas within the caller's access."""

    @callback(
        Output(f"{page}-area", "options"),
        Output(f"{page}-area", "value"),
        Input(f"{page}-area", "id"),
        State(f"{page}-area", "value"),
    )
    def area_options(_id, chosen):
        try:
            return vru_area_options(current_scope(), chosen)
        except StoreUnavailable:
            return [], no_update


def commentary_panel(page: str) -> html.Div:
    return html.Div(id=f"{page}-commentary", className="commentary-panel")


__all__ = [
    "commentary_href",
    "commentary_panel",
    "note_for",
    "notes_by_measure",
    "register_commentary_panel",
    "register_vru_area_picker",
    "since_last_board",
    "vru_area_options",
    "vru_notes",
]
