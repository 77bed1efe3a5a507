"""Meeting mode opens on the quarter before the one under way (or before the
meeting's): the previous quarter from returns.spec.started_quarters (issue 13)."""

from __future__ import annotations

import datetime as dt

import pytest

from data_access import periods


@pytest.fixture(scope="module")
def present():
    from app import app  # noqa: F401 - pages register after the app exists
    from pages import present

    return present


@pytest.mark.parametrize(
    ("day", "quarter"),
    [
        (dt.date(2026, 4, 1), dt.date(2026, 1, 1)),  # a year's first day
        (dt.date(2026, 3, 31), dt.date(2025, 10, 1)),
        (dt.date(2026, 1, 1), dt.date(2025, 10, 1)),  # across the calendar year
        (dt.date(2026, 8, 15), dt.date(2026, 4, 1)),
    ],
)
def test_the_quarter_shown_is_the_last_complete_one(present, day, quarter):
    assert present.last_complete_quarter(day) == quarter


def test_every_day_of_two_years_gives_the_quarter_just_ended(present):
    day = dt.date(2025, 1, 1)
    while day < dt.date(2027, 1, 1):
        shown = present.last_complete_quarter(day)
        assert shown == periods.quarter_start(shown)
        assert periods.quarter_end(shown) + dt.timedelta(days=1) == (
            periods.quarter_start(day)
        ), day
        day += dt.timedelta(days=1)


def test_the_slides_are_one_dash_component(present, loaded_sqlite_store, monkeypatch):
    """The slides (titles, points, SPC icons, chart images, stamps) are one
    StaticHtml, not ~320 Dash components that Dash's renderer re-checked on every
    store update while the deck loaded (issue 19); the buttons stay Dash's."""
    from data_access.scope import SYSTEM
    from tests.web_helpers import component_text, dash_components

    monkeypatch.setattr(present, "current_scope", lambda: SYSTEM)
    deck = present.show({"vru": "E23000036", "meeting": "2025-12-10"})
    assert "Slide 1 of" in component_text(deck)
    assert "Open the live page" in component_text(deck)
    assert dash_components(deck) <= 10
