"""The /measures page lists every visible measure with its disclosure rule."""

from __future__ import annotations

import json

import pytest

from data_access.disclosure import RULES
from data_access.measures import list_measures
from data_access.scope import SYSTEM, Scope

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
    # private workstream measures are not listed for a scoped viewer
    assert "measure-ws_" not in text


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
