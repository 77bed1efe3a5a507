"""The /prevention page's callbacks as plain functions (and one over HTTP): the three
levels of the drill-down, figures that come from the store, the plan note, and
clear messages for invalid URL values and areas outside the user's access."""

from __future__ import annotations

import json
from urllib.parse import unquote

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
            page="7",
        )
    )
    for fragment in ('"E06000023"', '"secondary"', '"5"', '"under25"', '"7"'):
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
    # A tier that fits on one page has no pagination.
    assert "Showing" not in text and "prevention-interventions-pages" not in raw


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


# ------------------------------------------------ a tier of more than one page


def _find(component, match):
    """Every component in a rendered tree for which `match(component)` holds."""
    if isinstance(component, list | tuple):
        for child in component:
            yield from _find(child, match)
        return
    if component is None or isinstance(component, str | int | float):
        return
    if match(component):
        yield component
    yield from _find(getattr(component, "children", None), match)


def _by_id(tree, component_id):
    found = list(_find(tree, lambda c: getattr(c, "id", None) == component_id))
    assert len(found) <= 1
    return found[0] if found else None


def _links(tree) -> list:
    return list(_find(tree, lambda c: type(c).__name__ == "Link"))


def test_paging_maths():
    from pages.prevention import Paging, paginate

    assert paginate(0, 1) == Paging(page=1, pages=1, first=0, last=0)
    assert paginate(25, 1) == Paging(1, 1, 0, 25)
    assert paginate(26, 2) == Paging(2, 2, 25, 26)
    assert paginate(830, 2) == Paging(2, 34, 25, 50)
    assert paginate(830, 34) == Paging(34, 34, 825, 830)
    # Out of range: clamped to the first or the last page.
    assert paginate(830, 99) == paginate(830, 34)
    assert paginate(830, 0) == paginate(830, -5) == paginate(830, 1)
    assert paginate(25, 2) == Paging(1, 1, 0, 25)


def test_a_bad_page_value_means_the_first_page():
    from pages.prevention import requested_page

    assert requested_page("3") == 3 and requested_page(" 12 ") == 12
    assert requested_page(7) == 7
    for bad in (None, "", "abc", "2.5", "0", "-4", "1e3", "9" * 5000):
        assert requested_page(bad) == 1, bad


def test_page_window_keeps_the_first_last_and_neighbours():
    from pages.prevention import page_window

    assert page_window(1, 1) == [1]
    assert page_window(1, 3) == [1, 2, 3]
    assert page_window(1, 34) == [1, 2, None, 34]
    assert page_window(3, 34) == [1, 2, 3, 4, None, 34]  # no "…" for one page
    assert page_window(6, 34) == [1, None, 5, 6, 7, None, 34]
    assert page_window(34, 34) == [1, None, 33, 34]


PER_TIER = 28  # more than one page (25) and more than the chart's top 15


def build_store_with_big_tiers(monkeypatch) -> str:
    """Fill the current (empty, migrated) store with the synthetic national-scale
    set, 3 x PER_TIER interventions per VRU; returns the first VRU's code, whose
    interventions all have outputs. The generator sizes VRUs by output rows
    (300,000 rows for this many interventions); patching the size keeps the test
    to 16,800 rows."""
    from data_access import scale
    from data_access.areas import list_areas

    per_vru = 3 * PER_TIER
    monkeypatch.setattr(scale, "interventions_per_vru", lambda rows: per_vru)
    scale.generate_scale(rows=per_vru * scale.QUARTERS * 5)
    areas = list_areas(level="pfa")
    return sorted(areas[areas["is_vru"]]["code"])[0]


@pytest.fixture
def big_tiers(store, monkeypatch):
    """The page over a store whose tiers hold PER_TIER interventions (SQLite, and
    PostgreSQL when TEST_DATABASE_URL is set)."""
    import app  # noqa: F401 - registers the pages
    from pages import prevention

    monkeypatch.setattr(prevention, "current_scope", lambda: SYSTEM)
    return prevention, build_store_with_big_tiers(monkeypatch)


def test_a_big_tier_is_paged_and_its_chart_shows_the_top_15(big_tiers):
    from pages.prevention import ranked_interventions

    page, area = big_tiers
    items = activity.interventions(scope=SYSTEM, area_code=area, tier="secondary")
    assert len(items) == PER_TIER
    ranked = ranked_interventions(items)
    # The stated order: most young people supported first, then by name.
    assert list(ranked["young_people_supported"]) == sorted(
        items["young_people_supported"], reverse=True
    )
    for a, b in zip(ranked.itertuples(), ranked.iloc[1:].itertuples(), strict=False):
        if a.young_people_supported == b.young_people_supported:
            assert a.name.casefold() < b.name.casefold()

    def tier(page_value):
        drill = {"tier": "secondary", "page": page_value}
        return page.show_prevention(area, None, None, None, "all", drill)

    first = tier(None)
    text = _text(first)
    assert f"{PER_TIER} interventions" in text
    assert f"Showing 1–25 of {PER_TIER} secondary interventions" in text
    rows = [
        link.children for link in _links(_by_id(first, "prevention-interventions-list"))
    ]
    assert rows == list(ranked["name"][:25])

    nav = _by_id(first, "prevention-interventions-pages")
    assert nav is not None and nav.to_plotly_json()["props"]["aria-label"] == (
        "Pages of secondary interventions"
    )
    labels = [(_text(link), link.href) for link in _links(nav)]
    assert [label for label, _ in labels] == ["Page  1", "Page  2", "Next  page"]
    assert "page=" not in labels[0][1] and labels[2][1].endswith("&page=2")
    current = list(_find(nav, lambda c: "aria-current" in c.to_plotly_json()["props"]))
    assert [_text(c) for c in current] == ["Page  1"]

    # The chart, its table, CSV and summary: the top 15, and say so.
    chart = _json(_by_id(first, "prevention-interventions-graph").figure)
    top = list(ranked["name"][:15])
    assert json.loads(chart)["data"][0]["y"] == top
    title = _text(_by_id(first, "prevention-interventions-title"))
    assert title.startswith(f"The top 15 of {PER_TIER} secondary interventions")
    assert top[0] in title
    csv_href = _by_id(first, "prevention-interventions-csv").href
    csv_rows = unquote(csv_href.split(",", 1)[1]).strip().splitlines()[1:]
    assert [row.split(",")[0] for row in csv_rows] == top
    summary = _text(_by_id(first, "prevention-interventions-summary"))
    assert summary.startswith(f"Summary:  The top 15 of {PER_TIER} secondary")
    assert all(name in summary for name in top)
    assert ranked["name"][15] not in summary

    second = tier("2")
    text = _text(second)
    assert f"Showing 26–{PER_TIER} of {PER_TIER}" in text
    rows = _links(_by_id(second, "prevention-interventions-list"))
    assert [r.children for r in rows] == list(ranked["name"][25:])
    # An intervention keeps the page, so its breadcrumb leads back to it.
    assert all(r.href.endswith("&page=2") for r in rows)
    nav = _by_id(second, "prevention-interventions-pages")
    assert [_text(link) for link in _links(nav)] == [
        "Previous  page",
        "Page  1",
        "Page  2",
    ]
    assert "page=" not in _links(nav)[0].href

    # Out of range or not a number: the last or the first page, never an error.
    assert _text(tier("99")) == text
    assert _text(tier("abc")) == _text(first)

    iid = str(ranked["intervention_id"][26])
    detail = page.show_prevention(
        area,
        None,
        None,
        None,
        "all",
        {"tier": "secondary", "intervention": iid, "page": "2"},
    )
    crumbs = [link.href for link in _links(detail)]
    assert any(h.endswith("tier=secondary&page=2") for h in crumbs)
