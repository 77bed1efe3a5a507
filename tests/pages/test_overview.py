"""The overview callback, called as a plain function with a signed-in user."""

import json

import flask_login
import pytest

from data_access import users

AVON = "E23000036"


@pytest.fixture
def signed_in(loaded_sqlite_store):
    return signed_in_caller()


def signed_in_caller():
    """call(username, fn, *args): fn's result as JSON text, called as that user
    (board and admin are created when the store has none)."""
    from app import app
    from web.auth import SignedInUser

    existing = {u.username: u for u in users.list_users()}
    if "board" not in existing:
        users.create_user(
            username="board",
            role="viewer",
            role_title="Board Member",
            area_codes=(AVON,),
        )
        users.create_user(username="admin", role="admin", role_title="VRU Director")
        existing = {u.username: u for u in users.list_users()}

    def call(username, fn, *args):
        # Read afresh: another test may have reset this user's password, which
        # raises their session version.
        user = next(u for u in users.list_users() if u.username == username)
        with app.server.test_request_context():
            flask_login.login_user(
                SignedInUser(users.signed_in_user(user.id, user.session_version))
            )
            return _text(fn(*args))

    return call


def _text(component) -> str:
    return json.dumps(component, default=lambda o: o.to_plotly_json())


def test_board_sees_measures_money_reach_and_changes(signed_in):
    from pages import overview

    text = signed_in("board", overview.show_overview, AVON)
    assert "Success measures: Avon and Somerset" in text
    assert "2016/17 to 2018/19" in text
    assert "Forecast outturn" in text and "Spent to date" in text
    assert "Primary (universal)" in text
    assert "What changed since last quarter" in text
    assert "Knife offences rose" in text or "Knife offences fell" in text
    assert "Illustrative data" in text
    assert "/violence?measure=knife_offences" in text


def test_cards_show_the_latest_published_figure_and_say_so(signed_in):
    """Issue 17: a card shows the latest real figure with its period, and an
    illustrative one only where none is published, saying so in words."""
    from data_access.outcomes import headlines
    from data_access.scope import SYSTEM
    from pages import overview

    avon = headlines.measure_headline(
        scope=SYSTEM, measure_code="hospital_admissions_knife", area_code=AVON
    )
    met = headlines.measure_headline(
        scope=SYSTEM, measure_code="hospital_admissions_knife", area_code="E23000001"
    )
    assert not avon["illustrative"] and avon["illustrative_to"]
    assert met["illustrative"] and met["illustrative_to"] is None
    text = signed_in("admin", overview.show_overview, AVON)
    assert f"Latest published figure ({avon['period']})" in text
    text = signed_in("admin", overview.show_overview, "E23000001")
    assert (
        "Illustrative figure: no published figure exists for Metropolitan Police"
        in text
    )
    # ... beside its English region's published figure, named as such.
    london = headlines.region_headline(
        scope=SYSTEM, measure_code="hospital_admissions_knife", area_code="E23000001"
    )
    assert "Region: London, a coarser geography than the force area" in text
    assert f"{london['value']:,.0f} admissions in {london['period']}" in text
    assert "Metropolitan Police has no published figure for this measure" in text


def test_arrows_never_stand_alone():
    from pages.overview import baseline_sentence

    arrow, words = baseline_sentence(
        {
            "available": True,
            "percent_change": -12.2,
            "direction": "decrease",
            "current_period": "2024/25",
            "test_text": "95% confidence, quasi-Poisson rate ratio allowing for "
            "year-to-year variation, dispersion 3.2",
        },
        "lower_is_better",
    )
    assert arrow == "▼"
    assert "down 12%" in words and "significantly lower than the baseline" in words
    assert "quasi-Poisson rate ratio" in words and "dispersion 3.2" in words
    arrow, words = baseline_sentence(
        {"available": False, "reason": "no data"}, "lower_is_better"
    )
    assert arrow == "" and "no data" in words


def test_the_verdict_follows_the_measure_polarity():
    """A significant fall is an improvement only where lower is better: the
    sentence takes the measure row's polarity (the overview used to pass none
    and so judged every measure as lower-is-better)."""
    from pages.overview import baseline_sentence

    fall = {
        "available": True,
        "percent_change": -20.0,
        "direction": "decrease",
        "current_period": "2024/25",
        "test_text": "95% confidence",
    }
    rise = {**fall, "percent_change": 20.0, "direction": "increase"}
    assert "an improvement" in baseline_sentence(fall, "lower_is_better")[1]
    assert "a worsening" in baseline_sentence(fall, "higher_is_better")[1]
    assert "an improvement" in baseline_sentence(rise, "higher_is_better")[1]
    assert "a worsening" in baseline_sentence(rise, "lower_is_better")[1]
    neutral = baseline_sentence(rise, "no_judgement")[1]
    assert "improvement" not in neutral and "worsening" not in neutral


def test_overview_headlines_carry_the_measure_polarity(loaded_store):
    from data_access.outcomes.headlines import measure_headline
    from data_access.scope import SYSTEM

    head = measure_headline(
        scope=SYSTEM, measure_code="knife_offences", area_code="E23000036"
    )
    assert head["polarity"] == "lower_is_better"


def test_a_change_between_illustrative_figures_says_so_in_words():
    """The baseline road compares figures of one kind only; when both are
    illustrative the sentence itself says so (a badge elsewhere is not enough)."""
    from pages.overview import baseline_sentence

    given = {
        "available": True,
        "percent_change": -35.0,
        "direction": "no significant change",
        "current_period": "2025/26",
        "test_text": "95% confidence",
    }
    _, published = baseline_sentence(
        {**given, "illustrative": False}, "lower_is_better"
    )
    _, illustrative = baseline_sentence(
        {**given, "illustrative": True}, "lower_is_better"
    )
    assert "illustrative" not in published
    assert illustrative.endswith(
        "Both the baseline and this figure are illustrative, not official."
    )


def test_other_areas_money_is_outside_a_viewers_access(signed_in):
    from pages import overview

    text = signed_in("board", overview.show_overview, "E23000014")
    assert "outside your access" in text
    assert "Forecast outturn" not in text and "Spend was" not in text
    assert "Success measures: West Midlands" in text


def test_unknown_area_gets_a_message(signed_in):
    from pages import overview

    text = signed_in("admin", overview.show_overview, "E99999999")
    assert "no area with the code 'E99999999'" in text


def test_default_area_for_a_viewer_outside_avon():
    from data_access.scope import Scope
    from pages.overview import DEFAULT_AREA, default_area

    assert default_area(Scope(role="admin")) == DEFAULT_AREA
    viewer = Scope(role="viewer", area_codes=frozenset({"E23000014"}))
    assert default_area(viewer) == "E23000014"


def test_layout_never_touches_the_store(monkeypatch):
    from data_access import db
    from pages import overview

    def refuse(*_a, **_k):
        raise AssertionError("layout queried the store")

    monkeypatch.setattr(db, "session_scope", refuse)
    assert "overview-content" in _text(overview.layout(area=AVON))


def test_a_lead_lands_on_their_own_workstream(loaded_sqlite_store):
    """A lead's overview opens with their workstream: its RAG counts and returns
    in the same words as the workstream page, and links to it and to Returns."""
    from app import app
    from components.workstream_text import measures_summary
    from data_access import workstreams
    from data_access.scope import SYSTEM
    from pages import overview
    from web.auth import SignedInUser

    listing = workstreams.workstream_list(scope=SYSTEM, area_code="E23000003")
    ws_id = int(listing.iloc[0]["workstream_id"])
    existing = {u.username: u for u in users.list_users()}
    if "overview-lead" not in existing:
        users.create_user(
            username="overview-lead",
            role="lead",
            role_title="Workstream Lead",
            workstream_id=ws_id,
        )
        existing = {u.username: u for u in users.list_users()}
    lead = existing["overview-lead"]
    record = users.signed_in_user(lead.id, lead.session_version)
    with app.server.test_request_context():
        flask_login.login_user(SignedInUser(record))
        text = _text(overview.show_overview(None))
        detail = workstreams.workstream_detail(
            scope=record.scope(), workstream_id=ws_id
        )
    assert f"Your workstream: {detail['name']}" in text
    assert json.dumps(measures_summary(detail["measures"]))[1:-1] in text
    assert f'"/workstreams/{ws_id}"' in text and '"/returns"' in text
    assert text.index("Your workstream") < text.index("Success measures")


def test_the_illustrative_badge_sits_on_the_figure_it_labels(loaded_store):
    """A card whose all-ages headline is published (Avon and Somerset's hospital
    admissions, 2020/21) and whose under-25 one is illustrative carries the
    badge under 'Aged under 25', not above the published headline."""
    from app import app  # noqa: F401 - registers the pages
    from data_access.areas import get_area
    from data_access.board_overview import overview_summary
    from data_access.scope import SYSTEM
    from pages import overview

    summary = overview_summary(scope=SYSTEM, area_code=AVON)
    mixed = [
        row
        for row in summary["measures"]
        if row["all"]
        and row["under25"]
        and row["all"]["illustrative"] != row["under25"]["illustrative"]
    ]
    assert mixed  # the demo store has such a card (hospital admissions)
    for row in summary["measures"]:
        card = overview._measure_card(row, get_area(AVON))
        kinds = [
            "badge"
            if "illustrative-badge" in (getattr(c, "className", "") or "")
            else type(c).__name__
            for c in card.children
        ]
        under = kinds.index("H4") if "H4" in kinds else len(kinds)
        top, bottom = kinds[:under], kinds[under:]
        if row["all"]:
            assert ("badge" in top) == row["all"]["illustrative"], row["all"]["code"]
        if row["under25"] and row["all"]:
            assert ("badge" in bottom) == row["under25"]["illustrative"]
