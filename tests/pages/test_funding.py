"""The /funding page's callbacks as plain functions (and one over HTTP): every
level of the drill-down, the scope refusal for another area's spend, and clear
messages for invalid URL values."""

from __future__ import annotations

import pytest

from data_access.scope import SYSTEM, Scope
from tests.web_helpers import component_text as _text

BOARD = Scope(role="viewer", area_codes=frozenset({"E23000036"}))


def _ids(component, found=None) -> set:
    found = set() if found is None else found
    if isinstance(component, list | tuple):
        for c in component:
            _ids(c, found)
    elif hasattr(component, "to_plotly_json"):
        if getattr(component, "id", None):
            found.add(component.id)
        _ids(getattr(component, "children", None), found)
    return found


@pytest.fixture
def page(loaded_sqlite_store):
    import app  # noqa: F401 - registers the pages
    from pages import funding

    return funding


def test_layout_is_cheap_and_keeps_the_url_state(page):
    tree = page.layout(area="E23000036", year="2019", lad="E06000023", intervention="3")
    ids = _ids(tree)
    assert {
        "funding-area",
        "funding-year",
        "funding-lad",
        "funding-intervention",
    } <= ids
    assert "funding-content" in ids
    assert page.layout() is not None


def test_national_level_ranks_force_areas_and_states_the_rule(page):
    out = _text(page._content(SYSTEM, "K04000001", "2019", None, None))
    assert "Metropolitan Police had the largest Home Office VRU allocation: £7m" in out
    assert "Drill down to a force area" in out
    assert "Home Office transparency data first" in out  # the precedence rule


def test_force_area_shows_every_funder_and_the_figures_not_chosen(page):
    out = _text(page._content(SYSTEM, "E23000014", "2019", None, None))
    assert "West Midlands was allocated £4.03m in 2019/20 from 3 funders" in out
    assert "Also published" in out and "Shown (chosen)" in out
    assert "Burn rate" in out and "Underspend to repay" in out
    assert "Illustrative data" in out


def test_hampshire_allocations_by_intervention_note_the_envelope(page):
    out = _text(page._content(SYSTEM, "E23000030", "2019", None, None))
    assert "7 interventions with a published allocation, £231,172 in all" in out
    assert "envelope for interventions is £233,000" in out


def test_current_year_has_a_forecast_against_31_march(page):
    out = _text(page._content(SYSTEM, "E23000036", "2025", None, None))
    assert "Forecast outturn at 31 March" in out
    assert "Projected underspend to repay" in out
    assert "not counts of unique individuals" in out


def test_local_authority_and_intervention_levels(page):
    lad = _text(page._content(SYSTEM, "E23000036", "2023", "E06000023", None))
    assert "Bristol, City of: spend, 2023/24" in lad
    hampshire = page.funding_allocations.allocations(
        area_code="E23000030", financial_year=2019
    )
    iid = str(int(hampshire["intervention_id"].dropna().iloc[0]))
    out = _text(page._content(SYSTEM, "E23000030", "2019", None, iid))
    assert "Published allocation, 2019/20" in out
    assert "per young person" in out


def test_viewer_sees_published_allocations_but_not_other_areas_spend(page):
    out = _text(page._content(BOARD, "E23000014", "2019", None, None))
    assert "£3.37m" in out
    assert "Spend for West Midlands is outside your access" in out
    assert "Burn rate" not in out and "Spend by intervention" not in out
    own = _text(page._content(BOARD, "E23000036", "2023", None, None))
    assert "Burn rate" in own


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("E99999999", None, None, None), "There is no area with the code"),
        (("E23000036", "2019-20", None, None), "is not a financial year"),
        (("E23000036", "2023", "E06000001", None), "is not a local authority in"),
        (("E23000036", "2023", None, "abc"), "There is no intervention 'abc'"),
        (("E06000023", "2023", None, None), "is not a force area"),
    ],
)
def test_invalid_url_values_get_a_clear_message(page, args, words):
    assert words in _text(page._content(SYSTEM, *args))


def test_spend_refused_over_http_for_another_area(page):
    from app import app
    from data_access import users
    from tests.web_helpers import callback_request, post_callback, sign_in

    existing = {u.username for u in users.list_users()}
    if "funding-board" in existing:
        password = users.set_password(username="funding-board")
    else:
        _, password = users.create_user(
            username="funding-board",
            role="viewer",
            role_title="Board Member",
            area_codes=("E23000036",),
        )
    app.server.config["TESTING"] = True
    client = app.server.test_client()
    sign_in(client, "funding-board", password)
    body = callback_request(
        "funding-content.children",
        [
            {"id": "funding-area", "property": "value", "value": "E23000014"},
            {"id": "funding-year", "property": "value", "value": "2019"},
            {"id": "funding-lad", "property": "value", "value": None},
            {"id": "funding-intervention", "property": "value", "value": None},
        ],
    )
    text = post_callback(client, body).get_data(as_text=True)
    assert "Spend for West Midlands is outside your access" in text
    assert "Burn rate" not in text


def _graph(component, graph_id):
    """The figure of the dcc.Graph with this id in a component tree."""
    if isinstance(component, list | tuple):
        for c in component:
            found = _graph(c, graph_id)
            if found is not None:
                return found
    elif hasattr(component, "to_plotly_json"):
        if getattr(component, "id", None) == graph_id:
            return component.figure
        return _graph(getattr(component, "children", None), graph_id)
    return None


def test_the_running_year_is_marked_as_a_part_year(page):
    """The test clock is 22 November 2025: 2025/26 is a part year (Q1-Q2 over)
    and its spend by tier is drawn lighter and dotted, with the words on the
    axis, the heading and a Period status column; 2023/24 is not marked."""
    tree = page._content(SYSTEM, "E23000036", "2025", None, None)
    out = _text(tree)
    assert "Avon and Somerset: spend, 2025/26 (part year: Q1\u2013Q2)" in out
    assert "Part year (Q1\u2013Q2)" in out  # the tier table's Period status
    figure = _graph(tree, "funding-tiers-graph")
    assert "part year: Q1\u2013Q2" in figure["layout"]["xaxis"]["title"]["text"]
    for trace in figure["data"]:
        assert set(trace["marker"]["opacity"]) == {0.45}
    whole = page._content(SYSTEM, "E23000036", "2023", None, None)
    assert "part year" not in _text(whole)
    assert "opacity" not in _graph(whole, "funding-tiers-graph")["data"][0]["marker"]
    labels = {o["value"]: o["label"] for o in page.year_options("E23000036")}
    assert labels["2025"] == "2025/26 (part year: Q1\u2013Q2)"
    assert labels["2023"] == "2023/24"
