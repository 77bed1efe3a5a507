"""/coverage says, per measure and level, where figures are real, illustrative or
missing; a board member gets a plain note instead."""

from __future__ import annotations

from data_access.scope import SYSTEM, Scope
from tests.web_helpers import component_text


def test_sentences_and_tables_for_an_analyst(loaded_sqlite_store, monkeypatch):
    import app  # noqa: F401 - registers the pages
    from pages import coverage

    monkeypatch.setattr(coverage, "current_scope", lambda: SYSTEM)
    text = component_text(coverage.show_coverage(True))
    assert "Knife or sharp instrument offences" in text
    assert "Force areas: real (published) " in text
    assert "Year by year, with sources" in text


def test_runs_are_joined_into_one_sentence():
    import pandas as pd

    from pages.coverage import runs_sentence

    part = pd.DataFrame(
        {
            "status": ["real", "real", "missing", "illustrative", "illustrative"],
            "fy_label": ["2017/18", "2018/19", "2019/20", "2020/21", "2021/22"],
        }
    )
    assert runs_sentence(part) == (
        "real (published) 2017/18 to 2018/19; no figures 2019/20; "
        "illustrative 2020/21 to 2021/22"
    )


def test_a_board_member_gets_a_note(loaded_sqlite_store, monkeypatch):
    import app  # noqa: F401 - registers the pages
    from pages import coverage

    board = Scope(role="viewer", area_codes=frozenset({"E23000036"}))
    monkeypatch.setattr(coverage, "current_scope", lambda: board)
    text = component_text(coverage.show_coverage(True))
    assert "for analysts and admins" in text
