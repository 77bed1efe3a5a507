"""Wide tables scroll sideways in their own box on a phone (WCAG 1.4.10 reflow):
at 390 px /board's actions table (583 px) and /board-pack's packs table (733 px)
pushed the whole page sideways. The box is bootstrap's table-responsive
(overflow-x: auto), a named region reachable by keyboard, as chart tables are."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from dash import html

from components.commentary import actions_table


def _region(node) -> None:
    assert isinstance(node, html.Div)
    assert "table-responsive" in node.className.split()
    assert node.role == "region" and str(node.tabIndex) == "0"
    assert isinstance(node.children, html.Table)


def test_actions_table_scrolls_in_its_own_box():
    row = {
        "kind": "action", "text": "Report back", "measure_name": "Knife offences",
        "quarter": "2026/27 Q2", "owner_role": "Head of Commissioning",
        "due_date": dt.date(2026, 11, 30), "status": "open", "overdue": True,
        "path_text": "No figures since it was decided.", "measure_path": "/violence",
    }  # fmt: skip
    _region(actions_table([row], caption="Decisions and actions"))


def test_board_pack_list_scrolls_in_its_own_box(monkeypatch):
    from app import app  # noqa: F401 - registers the pages
    from pages import board_pack

    pack = SimpleNamespace(
        id=1, made_at=dt.datetime(2026, 12, 4, 18, 15), made_by="VRU Director",
        quarter_start=dt.date(2026, 7, 1), meeting_date=None, audience="internal",
        format="pdf", sha256="c" * 64, filename="pack.pdf",
    )  # fmt: skip
    monkeypatch.setattr(board_pack, "current_scope", lambda: None)
    monkeypatch.setattr(board_pack.pack_records, "list_packs", lambda **_: [pack])
    _region(board_pack.history("E23000036", None))
