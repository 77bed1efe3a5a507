"""The /measures page lists every visible measure with its disclosure rule."""

from __future__ import annotations

import json

import pytest

from data_access.disclosure import RULES
from data_access.measures import list_measures
from data_access.scope import SYSTEM, Scope
from tests.web_helpers import dash_components

VIEWER = Scope(role="viewer", area_codes=frozenset({"E23000036"}))


@pytest.fixture
def page(loaded_store, monkeypatch):
    from app import app  # noqa: F401 - registers the pages
    from pages import measures

    monkeypatch.setattr(measures, "current_scope", lambda: VIEWER)
    return measures


def _text(tree) -> str:
    return json.dumps(
        tree,
        default=lambda o: (
            o.to_plotly_json() if hasattr(o, "to_plotly_json") else str(o)
        ),
    )


def test_every_public_measure_is_listed_with_its_disclosure_rule(page):
    text = _text(page.show_measures(""))
    table = list_measures()
    for row in table.itertuples():
        assert f"measure-{row.code}" in text
        assert f"#measure-{row.code}" in text  # the in-page index
        assert RULES[row.disclosure_rule].description in text
    assert "Byar's method; exact Poisson limits for counts below 10" in text
    assert "Lower is better" in text
    # private workstream measures are not written out for a scoped viewer
    assert "measure-ws_" not in text


def _workstream_codes(area_code: str) -> set[str]:
    """Workstream measure codes of one VRU, read here straight from the tables."""
    from sqlalchemy import select

    from data_access import db
    from data_access.models import Area, Measure, Workstream, WorkstreamMeasure

    with db.session_scope() as session:
        return set(
            session.scalars(
                select(Measure.code)
                .join(WorkstreamMeasure, WorkstreamMeasure.measure_id == Measure.id)
                .join(Workstream, Workstream.id == WorkstreamMeasure.workstream_id)
                .join(Area, Area.id == Workstream.vru_area_id)
                .where(Area.code == area_code, ~Measure.is_public)
            )
        )


def test_readers_see_the_workstream_measures_within_their_access(page, monkeypatch):
    """A board member sees their VRU's workstream measures and no other VRU's; a
    lead sees their own workstream's (they report against them)."""
    avon, lancs = _workstream_codes("E23000036"), _workstream_codes("E23000003")
    assert avon and lancs and not (avon & lancs)
    text = _text(page.show_measures(""))
    assert all(f"/measures?measure={code}" in text for code in avon)
    assert not any(f"/measures?measure={code}" in text for code in lancs)

    from sqlalchemy import select

    from data_access import db
    from data_access.models import Area, Workstream

    with db.session_scope() as session:
        ws_id = session.scalar(
            select(Workstream.id)
            .join(Area, Area.id == Workstream.vru_area_id)
            .where(Area.code == "E23000003")
            .order_by(Workstream.id)
        )
    lead = Scope(role="lead", area_codes=frozenset(), workstream_id=ws_id)
    monkeypatch.setattr(page, "current_scope", lambda: lead)
    text = _text(page.show_measures(""))
    shown = {code for code in lancs if f"/measures?measure={code}" in text}
    assert shown, "a lead sees their own workstream's measures"
    assert not any(f"/measures?measure={code}" in text for code in avon)


def test_admin_sees_private_measures_too(page, monkeypatch):
    monkeypatch.setattr(page, "current_scope", lambda: SYSTEM)
    text = _text(page.show_measures(""))
    private = list_measures(include_private=True)
    private = private[~private["is_public"]]
    assert len(private)
    # one table of workstream measures, each name opening its definition
    assert f"Workstream measures ({len(private)})" in text
    for row in private.itertuples():
        assert f"/measures?measure={row.code}" in text
        assert f'"id": "measure-{row.code}"' not in text  # not written out here
    code = private.iloc[0]["code"]
    one = _text(page.show_measures(code))
    assert f"measure-{code}" in one and "Definition" in one


def test_one_measure_and_an_unknown_code(page):
    text = _text(page.show_measures("homicide_knife"))
    assert "measure-homicide_knife" in text and "measure-knife_offences" not in text
    text = _text(page.show_measures("nope"))
    assert "No measure has the code 'nope'" in text
    assert "measure-knife_offences" in text


def test_the_definitions_are_a_handful_ofdash_components(page, monkeypatch):
    """Every definition of the shipped data written out (an admin sees them all)
    is one StaticHtml, not ~320 Dash components that kept the browser busy for a
    second while /measures loaded (issue 19: Lighthouse total blocking time)."""
    monkeypatch.setattr(page, "current_scope", lambda: SYSTEM)
    answer = page.show_measures("")
    assert len(list_measures()) >= 9  # all of them are in the answer
    assert dash_components(answer) <= 10
    assert dash_components(page.show_measures("knife_offences")) == 1
