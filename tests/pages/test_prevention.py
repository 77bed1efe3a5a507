"""The /prevention page's callbacks as plain functions (and one over HTTP): the three
levels of the drill-down, figures that come from the store, the plan note, and
clear messages for invalid URL values and areas outside the user's access."""

from __future__ import annotations

import json

import plotly
import pytest

from components.formatting import money, number
from data_access import activity, users
from data_access.scope import SYSTEM, Scope
from tests.web_helpers import callback_request, post_callback, sign_in

AVON = "E23000036"
HAMPSHIRE = "E23000030"
BOARD = Scope(role="viewer", area_codes=frozenset({AVON}))


def _text(component) -> str:
    """All the text a rendered component tree holds."""
    if component is None:
        return ""
    if isinstance(component, str | int | float):
        return str(component)
    if isinstance(component, list | tuple):
        return " ".join(_text(c) for c in component)
    return _text(getattr(component, "children", None))


def _json(component) -> str:
    return json.dumps(component, cls=plotly.utils.PlotlyJSONEncoder)


@pytest.fixture
def page(loaded_sqlite_store, monkeypatch):
    import app  # noqa: F401 - registers the pages
    from pages import prevention

    def as_user(scope):
        monkeypatch.setattr(prevention, "current_scope", lambda: scope)

    as_user(SYSTEM)
    prevention.as_user = as_user
    return prevention


def test_layout_is_cheap_and_keeps_the_url_state(page):
    tree = _json(
        page.layout(
            area=AVON,
            lad="E06000023",
            tier="secondary",
            intervention="5",
            age="under25",
        )
    )
    for fragment in ('"E06000023"', '"secondary"', '"5"', '"under25"'):
        assert fragment in tree
    assert page.layout() is not None


def test_area_level_shows_three_tiers_with_store_figures(page):
    out = page.show_prevention(AVON, None, None, None, "all", {})
    text = _text(out)
    summary = activity.tier_summary(scope=SYSTEM, area_code=AVON)
    totals = activity.area_totals(scope=SYSTEM, area_code=AVON)
    for row in summary.itertuples():
        assert row.tier_label in text
        assert money(row.spend) in text
    assert number(totals["young_people_supported"]) in text
    assert "No spending plan by tier is recorded for Avon and Somerset" in text
    assert f"These add up to the force total of {money(totals['spend'])}" in text
    assert "/prevention?area=E23000036&tier=secondary" in _json(out)


def test_plan_is_compared_where_one_is_recorded(page):
    text = _text(page.show_prevention(HAMPSHIRE, None, "2019-04", "2020-03", "all", {}))
    assert "Plan recorded:" in text and "£231,172" in text
    assert "Share of plan" in text


def test_tier_level_lists_interventions_with_links(page):
    out = page.show_prevention(
        AVON, "E06000023", "2020-04", "2022-03", "all", {"tier": "tertiary"}
    )
    text, raw = _text(out), _json(out)
    items = activity.interventions(
        scope=SYSTEM, area_code=AVON, tier="tertiary", lad_code="E06000023"
    )
    for item in items.itertuples():
        assert item.name in text
        assert (
            f"intervention={item.intervention_id}" in raw
            and "lad=E06000023" in raw
            and "from=2020-04" in raw
        )
    assert "All tiers: Bristol, City of (Avon and Somerset)" in text


def test_intervention_level_shows_facts_outputs_and_spend(page):
    item = activity.interventions(scope=SYSTEM, area_code=AVON, tier="secondary").iloc[
        0
    ]
    out = page.show_prevention(
        AVON,
        None,
        None,
        None,
        "all",
        {"tier": "secondary", "intervention": str(item.intervention_id)},
    )
    text = _text(out)
    assert item["name"] in text
    assert item.delivering_name in text
    assert "Not rated" in text  # evidence rating
    assert money(item.spend) in text
    assert f"/workstreams/{item.workstream_id}" in _json(out)


def test_invalid_url_values_give_clear_messages(page):
    def say(*args):
        return _text(page.show_prevention(*args))

    assert "is not a month like 2018-04" in say(AVON, None, "2019-13", None, "all", {})
    assert "no area has the code" in say("E99999999", None, None, None, "all", {})
    assert "not a prevention tier" in say(AVON, None, None, None, "all", {"tier": "x"})
    assert "There is no intervention with the id 'zzz'" in say(
        AVON, None, None, None, "all", {"intervention": "zzz"}
    )
    west_midlands = activity.interventions(scope=SYSTEM, area_code="E23000014")
    iid = str(west_midlands.iloc[0].intervention_id)
    assert "belongs to West Midlands, not Avon and Somerset" in say(
        AVON, None, None, None, "all", {"intervention": iid}
    )
    assert "is not a local authority in Avon and Somerset" in say(
        AVON, "E08000025", None, None, "all", {}
    )


def test_a_viewer_of_another_area_is_told_it_is_outside_their_access(page):
    page.as_user(BOARD)
    text = _text(page.show_prevention("E23000003", None, None, None, "all", {}))
    assert "Prevention activity for Lancashire is outside your access" in text
    assert "£" not in text
    assert "Avon and Somerset" in _text(
        page.show_prevention(AVON, None, None, None, "all", {})
    )


def test_local_authority_options_follow_the_area(page):
    options, value = page.local_authority_options(AVON, None, "E06000023")
    assert len(options) == 5 and value == "E06000023"
    _, value = page.local_authority_options("E23000003", None, "E06000023")
    assert value is None


def test_over_http_a_viewer_cannot_read_another_areas_activity(loaded_sqlite_store):
    from app import app

    name = "prevention-board"
    if name not in {u.username for u in users.list_users()}:
        users.create_user(
            username=name,
            role="viewer",
            role_title="Board Member",
            area_codes=(AVON,),
            password="correct-horse-battery",
        )
    app.server.config["TESTING"] = True
    client = app.server.test_client()
    assert sign_in(client, name, "correct-horse-battery").status_code == 302
    inputs = [
        {"id": "prevention-area", "property": "value", "value": "E23000003"},
        {"id": "prevention-lad", "property": "value", "value": None},
        {"id": "prevention-from", "property": "value", "value": None},
        {"id": "prevention-to", "property": "value", "value": None},
        {"id": "prevention-age", "property": "value", "value": "all"},
        {"id": "prevention-drill", "property": "data", "value": {}},
    ]
    body = callback_request("prevention-content.children", inputs)
    response = post_callback(client, body)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "outside your access" in text and "£" not in text
    inputs[0]["value"] = AVON
    text = post_callback(
        client, callback_request("prevention-content.children", inputs)
    ).get_data(as_text=True)
    assert "Primary (universal)" in text
