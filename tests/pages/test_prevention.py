"""The /prevention page's callbacks as plain functions (and one over HTTP): the three
levels of the drill-down, figures that come from the store, the plan note, and
clear messages for invalid URL values and areas outside the user's access."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from urllib.parse import unquote

import dash
import plotly
import pytest

from components.formatting import money, number
from data_access import users
from data_access.activity import area_activity, intervention_activity, tier_activity
from data_access.scope import SYSTEM, Scope
from tests.web_helpers import callback_request, post_callback, sign_in
from tests.web_helpers import component_text as _text

AVON = "E23000036"
HAMPSHIRE = "E23000030"
BOARD = Scope(role="viewer", area_codes=frozenset({AVON}))


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
    summary = tier_activity.tier_summary(scope=SYSTEM, area_code=AVON)
    totals = area_activity.area_totals(scope=SYSTEM, area_code=AVON)
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
    items = intervention_activity.interventions(
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
    item = intervention_activity.interventions(
        scope=SYSTEM, area_code=AVON, tier="secondary"
    ).iloc[0]
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
    west_midlands = intervention_activity.interventions(
        scope=SYSTEM, area_code="E23000014"
    )
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
    # An unchanged value is left alone, so that it is not taken for a change.
    options, value = page.local_authority_options(AVON, None, "E06000023")
    assert len(options) == 5 and value is dash.no_update
    _, value = page.local_authority_options("E23000003", None, "E06000023")
    assert value is None
    assert page.local_authority_options(AVON, None, None)[1] is dash.no_update


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
    from components.intervention_list import Paging, paginate

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
    from components.intervention_list import requested_page

    assert requested_page("3") == 3 and requested_page(" 12 ") == 12
    assert requested_page(7) == 7
    for bad in (None, "", "abc", "2.5", "0", "-4", "1e3", "9" * 5000):
        assert requested_page(bad) == 1, bad


def test_page_window_keeps_the_first_last_and_neighbours():
    from components.intervention_list import page_window

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

    per_vru = 3 * PER_TIER
    monkeypatch.setattr(scale, "interventions_per_vru", lambda rows: per_vru)
    scale.generate_scale(rows=per_vru * scale.QUARTERS * 5)
    return _first_vru()


def _first_vru() -> str:
    from data_access.areas import list_areas

    areas = list_areas(level="pfa")
    return sorted(areas[areas["is_vru"]]["code"])[0]


def _fill_big_tiers() -> None:
    with pytest.MonkeyPatch.context() as patch:
        build_store_with_big_tiers(patch)


@pytest.fixture
def big_tiers(engine_kind, filled_store, monkeypatch):
    """The page over a store whose tiers hold PER_TIER interventions (SQLite, and
    PostgreSQL when TEST_DATABASE_URL is set), built once per engine for the
    tests here, which only read it (tests/conftest.py `filled_store`)."""
    import app  # noqa: F401 - registers the pages
    from pages import prevention

    monkeypatch.setattr(prevention, "current_scope", lambda: SYSTEM)
    filled_store(engine_kind, "big_tiers", _fill_big_tiers)
    return prevention, _first_vru()


def test_a_big_tier_is_paged_and_its_chart_shows_the_top_15(big_tiers):
    from components.intervention_list import ranked_interventions

    page, area = big_tiers
    items = intervention_activity.interventions(
        scope=SYSTEM, area_code=area, tier="secondary"
    )
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


# ------------------------------------- filters reset the page; the full-list CSV


def _csv(download: dict) -> list[dict]:
    """The rows of a dcc.Download answer holding CSV text."""
    assert download["filename"].endswith(".csv") and download["type"] == "text/csv"
    assert not download["base64"]
    text = download["content"]
    assert text.startswith("\ufeff")  # Excel reads it as UTF-8
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def test_a_filter_change_goes_back_to_the_first_page_keeping_the_tier(page):
    filters = {"area": AVON, "lad": None, "from": None, "to": None}
    drill = {"tier": "secondary", "intervention": None, "page": "3"}

    def change(area=AVON, lad=None, month_from=None, month_to=None):
        return page.reset_drill_on_filter_change(
            area, lad, month_from, month_to, filters, drill
        )

    for changed in (
        change(lad="E06000023"),
        change(month_from="2020-04"),
        change(month_to="2022-03"),
    ):
        new_drill, tier, intervention, page_value, now = changed
        assert new_drill == {"tier": "secondary", "intervention": None, "page": None}
        assert (tier, intervention, page_value) == ("secondary", "", "")
        assert now != filters  # the new filters are what the page now belongs to
    _, _, _, _, now = change(month_from="2020-04")
    assert now == {"area": AVON, "lad": None, "from": "2020-04", "to": None}

    # Another area goes back to the tiers: an intervention belongs to one area.
    new_drill, tier, intervention, page_value, _ = change(area=HAMPSHIRE)
    assert new_drill == {"tier": None, "intervention": None, "page": None}
    assert (tier, intervention, page_value) == ("", "", "")  # "": not in the URL

    # A control set to the value it had (the local authority options filled in
    # again after a link re-rendered the page) changes nothing: the URL's page
    # stays, so paging and back/forward keep working.
    assert change() == (dash.no_update,) * 5
    assert (
        page.reset_drill_on_filter_change(AVON, "", "", None, filters, drill)
        == (dash.no_update,) * 5
    )


def test_layout_records_the_filters_its_page_belongs_to(page):
    tree = page.layout(
        area=AVON, lad="E06000023", tier="secondary", page="2", **{"from": "2020-04"}
    )
    store = _by_id(tree, "prevention-list-filters")
    assert store.data == {
        "area": AVON,
        "lad": "E06000023",
        "from": "2020-04",
        "to": None,
    }
    status = _by_id(tree, "prevention-list-status").to_plotly_json()["props"]
    assert status["role"] == "status" and status["aria-live"] == "polite"
    assert not status.get("children")  # empty until a page is chosen


def test_tier_links_start_at_the_first_page(page):
    out = page.show_prevention(AVON, None, None, None, "all", {"page": "3"})
    hrefs = [link.href for link in _links(out) if "tier=" in link.href]
    assert len(hrefs) == 3 and not any("page=" in h for h in hrefs)


def test_the_full_list_csv_needs_a_click_and_access(page):
    drill = {"tier": "secondary"}
    # A list drawn again (no click yet) or no list at all: nothing.
    assert page.download_all_interventions([None], AVON, None, None, None, drill) == (
        dash.no_update,
        [dash.no_update],
    )
    assert page.download_all_interventions([], AVON, None, None, None, drill) == (
        dash.no_update,
        [],
    )

    # A viewer of Avon and Somerset asking for Lancashire's list gets the
    # page's refusal and no file.
    page.as_user(BOARD)
    file, messages = page.download_all_interventions(
        [1], "E23000003", None, None, None, drill
    )
    assert file is dash.no_update
    text = _text(messages)
    assert "Prevention activity for Lancashire is outside your access" in text
    lancashire = intervention_activity.interventions(
        scope=SYSTEM, area_code="E23000003"
    )
    assert not any(name in text for name in lancashire["name"])
    # Their own area's list downloads.
    file, messages = page.download_all_interventions([1], AVON, None, None, None, drill)
    assert messages == [""] and len(_csv(file)) == len(
        intervention_activity.interventions(
            scope=BOARD, area_code=AVON, tier="secondary"
        )
    )


def test_the_full_list_csv_has_every_intervention_in_the_tables_order(big_tiers):
    from components.intervention_list import ranked_interventions

    page, area = big_tiers
    ranked = ranked_interventions(
        intervention_activity.interventions(
            scope=SYSTEM, area_code=area, tier="secondary"
        )
    )
    drill = {"tier": "secondary", "page": "2"}  # on page 2: still every row
    file, messages = page.download_all_interventions([1], area, None, None, None, drill)
    assert messages == [""]
    rows = _csv(file)
    assert file["filename"] == f"prevention-{area}-secondary-interventions.csv"
    assert len(rows) == PER_TIER
    assert [r["Intervention"] for r in rows] == list(ranked["name"])
    assert list(rows[0]) == [
        "Intervention",
        "Delivered by",
        "Evidence rating",
        "Young people supported",
        "Aged under 25",
        "Spend",
        "Data status",  # the synthetic store is illustrative, as every CSV says
    ]
    for row, item in zip(rows, ranked.itertuples(), strict=True):
        assert int(row["Young people supported"]) == item.young_people_supported
        assert int(row["Aged under 25"]) == item.young_people_under25
        assert float(row["Spend"]) == pytest.approx(item.spend, abs=0.005)
        assert row["Data status"] == "Illustrative data"

    # The same cells as the table's two pages, in the same order.
    cells = []
    for page_value in (None, "2"):
        out = page.show_prevention(
            area, None, None, None, "all", {"tier": "secondary", "page": page_value}
        )
        table = _by_id(out, "prevention-interventions-list")
        cells += [
            [_text(cell) for cell in tr.children]
            for tr in _find(table, lambda c: type(c).__name__ == "Tr")
            if type(tr.children[0]).__name__ == "Th"
            and getattr(tr.children[0], "scope", None) == "row"
        ]
    assert cells == [
        [
            r["Intervention"],
            r["Delivered by"],
            r["Evidence rating"],
            number(int(r["Young people supported"])),
            number(int(r["Aged under 25"])),
            money(float(r["Spend"])),
        ]
        for r in rows
    ]

    # The period goes into the file name, and the figures follow it.
    file, _ = page.download_all_interventions(
        [2], area, None, "2020-04", "2021-03", drill
    )
    assert file["filename"].endswith("-secondary-interventions-2020-04-to-2021-03.csv")
    in_period = intervention_activity.interventions(
        scope=SYSTEM,
        area_code=area,
        tier="secondary",
        start=dt.date(2020, 4, 1),
        end=dt.date(2021, 3, 31),
    )
    assert sum(int(r["Young people supported"]) for r in _csv(file)) == int(
        in_period["young_people_supported"].sum()
    )


def test_the_list_says_where_focus_goes_and_what_to_announce(big_tiers):
    page, area = big_tiers

    def caption(page_value, **filters):
        out = page.show_prevention(
            area,
            filters.get("lad"),
            filters.get("month_from"),
            None,
            filters.get("age", "all"),
            {"tier": "secondary", "page": page_value},
        )
        found = _by_id(out, "prevention-interventions-caption")
        return out, found.to_plotly_json()["props"]

    first, props = caption(None)
    assert props["tabIndex"] == -1  # focusable from script, not in the tab order
    assert props["data-page"] == "1"
    assert props["data-announce"] == f"Showing interventions 1 to 25 of {PER_TIER}"
    button = _by_id(first, {"type": "prevention-download-all", "tier": "secondary"})
    assert _text(button) == f"Download all {PER_TIER} secondary interventions (CSV)"

    _, second = caption("2")
    assert second["data-page"] == "2" and second["data-list"] == props["data-list"]
    assert (
        second["data-announce"]
        == f"Showing interventions 26 to {PER_TIER} of {PER_TIER}"
    )
    # Another period is another list; another age is the same list.
    assert caption("2", month_from="2020-04")[1]["data-list"] != props["data-list"]
    assert caption("2", age="under25")[1]["data-list"] == props["data-list"]


def test_over_http_the_full_list_csv_is_refused_outside_the_viewers_area(
    loaded_sqlite_store,
):
    """The download is a callback like any other: the sign-in gate, then the
    caller's scope in the store."""
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

    button = {"tier": "secondary", "type": "prevention-download-all"}
    note = {"tier": "secondary", "type": "prevention-download-all-message"}

    def ask(area_code):
        body = {
            "output": "..prevention-download-all-file.data..."
            + json.dumps({"tier": ["ALL"], "type": note["type"]}, separators=(",", ":"))
            + ".children..",
            "outputs": [
                {"id": "prevention-download-all-file", "property": "data"},
                [{"id": note, "property": "children"}],
            ],
            "inputs": [[{"id": button, "property": "n_clicks", "value": 1}]],
            "state": [
                {"id": "prevention-area", "property": "value", "value": area_code},
                {"id": "prevention-lad", "property": "value", "value": None},
                {"id": "prevention-from", "property": "value", "value": None},
                {"id": "prevention-to", "property": "value", "value": None},
                {
                    "id": "prevention-drill",
                    "property": "data",
                    "value": {"tier": "secondary"},
                },
            ],
            "changedPropIds": [json.dumps(button, separators=(",", ":")) + ".n_clicks"],
        }
        return post_callback(client, body)

    # Signed out: the gate refuses before any callback runs.
    assert ask(AVON).status_code in (302, 401, 403)
    assert sign_in(client, name, "correct-horse-battery").status_code == 302
    refused = ask("E23000003")
    assert refused.status_code == 200
    answer = refused.get_json()["response"]
    assert "prevention-download-all-file" not in answer  # no file at all
    assert "outside your access" in json.dumps(answer)
    allowed = ask(AVON).get_json()["response"]["prevention-download-all-file"]["data"]
    rows = list(csv.DictReader(io.StringIO(allowed["content"].lstrip("\ufeff"))))
    names = intervention_activity.interventions(
        scope=SYSTEM, area_code=AVON, tier="secondary"
    )
    assert sorted(r["Intervention"] for r in rows) == sorted(names["name"])


def _figures(tree) -> dict:
    """Every dcc.Graph figure in a component tree (as JSON), by graph id."""
    found = {}

    def walk(node):
        if isinstance(node, dict):
            if str(node.get("props", {}).get("id", "")).endswith("-graph"):
                found[node["props"]["id"]] = node["props"]["figure"]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(_json(tree)))
    return found


def _tier_colours(figure) -> dict:
    colours = {}
    for trace in figure["data"]:
        if trace.get("name") not in ("Primary", "Secondary", "Tertiary"):
            continue
        colour = trace.get("marker", {}).get("color") or trace["line"]["color"]
        colours[trace["name"]] = colour
    return colours


def test_each_tier_has_one_colour_on_every_chart(page):
    """Issue 14 item 4: outputs, reach, spend by tier (with and without a plan)
    and a tier's interventions all draw a tier in the same colour."""
    figures = _figures(page.show_prevention(AVON, None, None, None, "all", {}))
    hampshire = _figures(
        page.show_prevention(HAMPSHIRE, None, "2019-04", "2020-03", "all", {})
    )
    secondary = _figures(
        page.show_prevention(AVON, None, None, None, "all", {"tier": "secondary"})
    )
    charts = [
        figures["prevention-outputs-graph"],
        figures["prevention-reach-graph"],
        figures["prevention-spend-graph"],  # no plan: spend by tier
        hampshire["prevention-spend-graph"],  # shares of spend and of plan
        secondary["prevention-interventions-graph"],
    ]
    seen: dict = {}
    for figure in charts:
        colours = _tier_colours(figure)
        assert colours, figure["layout"].get("title")
        for tier, colour in colours.items():
            assert seen.setdefault(tier, colour) == colour, tier
    assert set(seen) == {"Primary", "Secondary", "Tertiary"}
    assert len(set(seen.values())) == 3
