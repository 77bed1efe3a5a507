"""Annotations on the charts, in a copy of the shipped store: an annotation shows
on the /violence trend (confidence-interval and SPC views) as a marker in the
figure, in the table and in the CSV, escaped; a reader outside the area and the
public embed see only the public one; the /annotations page's add callback
refuses a viewer on the server."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from urllib.parse import unquote

import flask_login
import pytest

from data_access import annotations, db, users
from data_access.scope import Scope
from tests.web_helpers import callback_request, post_callback, sign_in

AVON, WEST_MIDLANDS = "E23000036", "E23000014"
PUBLIC_LABEL = "Operation Sceptre <b>week</b> of action"
PRIVATE_LABEL = "Knife bin campaign (board only)"
PASSWORDS: dict[str, str] = {}


@pytest.fixture(scope="module")
def annotated(_loaded_urls, tmp_path_factory):
    from app import app  # noqa: F401 - pages register after the app exists

    shipped = _loaded_urls("sqlite").removeprefix("sqlite:///")
    copy = tmp_path_factory.mktemp("annotated") / "store.sqlite3"
    shutil.copyfile(shipped, copy)
    mp = pytest.MonkeyPatch()
    mp.setenv("DATABASE_URL", f"sqlite:///{copy}")
    db.reset_engine()
    admin = Scope(role="admin", actor="VRU Director")
    for label, date, public in (
        (PUBLIC_LABEL, dt.date(2021, 3, 14), True),
        (PRIVATE_LABEL, dt.date(2023, 6, 1), False),
    ):
        annotations.add_annotation(
            scope=admin,
            area_code=AVON,
            event_date=date,
            label=label,
            kind="operation" if public else "campaign",
            measure_code="knife_offences",
            is_public=public,
        )
    for name, kwargs in {
        "ann-admin": dict(role="admin"),
        "ann-wm-viewer": dict(role="viewer", area_codes=(WEST_MIDLANDS,)),
    }.items():
        _, PASSWORDS[name] = users.create_user(username=name, role_title=name, **kwargs)
    yield
    mp.undo()
    db.reset_engine()


def _call(username, fn, *args):
    from app import app
    from web.auth import SignedInUser

    user = next(u for u in users.list_users() if u.username == username)
    with app.server.test_request_context():
        flask_login.login_user(
            SignedInUser(users.signed_in_user(user.id, user.session_version))
        )
        return json.dumps(fn(*args), default=lambda o: o.to_plotly_json())


def _csv(text: str, chart_id: str) -> str:
    start = text.index("data:text/csv;charset=utf-8,", text.index(chart_id))
    href = text[start : text.index('"', start)]
    return unquote(href.split(",", 1)[1]).lstrip("\ufeff")


@pytest.mark.parametrize("chart", ["ci", "spc"])
def test_an_annotation_is_in_the_figure_table_and_csv(annotated, chart):
    from pages import violence

    text = _call(
        "ann-admin", violence.show_trend, "knife_offences", AVON, "quarter", "all",
        "", "", chart,
    )  # fmt: skip
    chart_id = f"violence-{'trend' if chart == 'ci' else 'spc'}"
    assert f'"id": "{chart_id}-title"' in text or chart_id in text
    # the figure: a marker at the quarter holding the date, label escaped
    escaped = "Operation Sceptre &lt;b&gt;week&lt;/b&gt; of action"
    assert f"Operation: {escaped[:40]}" in text
    assert '"x0": "2020/21 Q4"' in text  # 14 March 2021
    assert "event: Campaign: Knife bin campaign (board only)" in text
    # the table and the CSV name both events by date
    csv = _csv(text, chart_id)
    assert csv.splitlines()[0].endswith("Marked events")
    assert f"14 March 2021: {PUBLIC_LABEL} (operation)" in csv
    assert f"1 June 2023: {PRIVATE_LABEL} (campaign)" in csv
    # ... and the HTML table and the text summary
    assert text.count(f"1 June 2023: {PRIVATE_LABEL} (campaign)") >= 2
    if chart == "spc":
        assert "Limits recalculated: VRU funding began" in text
        assert "No signal is given" in text or "special-cause point" in text


def test_readers_outside_the_area_see_only_the_public_annotation(annotated):
    from pages import violence

    text = _call(
        "ann-wm-viewer", violence.show_trend, "knife_offences", AVON, "quarter",
        "all", "", "", "spc",
    )  # fmt: skip
    assert "14 March 2021: Operation Sceptre" in text
    assert "Knife bin campaign" not in text


def test_the_add_callback_checks_rights_on_the_server(annotated):
    """A viewer's add request (as the browser would send it) is refused and
    writes nothing; an admin's is stored."""
    from app import app

    def add(username, label):
        client = app.server.test_client()
        assert sign_in(client, username, PASSWORDS[username]).status_code == 302
        states = {
            "annotations-area": WEST_MIDLANDS,
            "annotations-measure": "__all__",
            "annotations-date": "2024-01-01",
            "annotations-kind": "campaign",
            "annotations-label": label,
            "annotations-public": "private",
            "annotations-refresh": 0,
        }
        body = callback_request(
            "..annotations-message.children...annotations-refresh.data..",
            [
                {"id": "annotations-add", "property": "n_clicks", "value": 1},
                [],
            ],
            [
                {"id": k, "property": "data" if k.endswith("refresh") else "value",
                 "value": v}
                for k, v in states.items()
            ],
        )  # fmt: skip
        body["changedPropIds"] = ["annotations-add.n_clicks"]
        response = post_callback(client, body)
        assert response.status_code == 200
        return response.get_data(as_text=True)

    every = Scope(role="admin")
    before = len(annotations.list_annotations(scope=every))
    assert "Not allowed" in add("ann-wm-viewer", "viewer's event")
    assert len(annotations.list_annotations(scope=every)) == before
    assert "Annotation added" in add("ann-admin", "admin's event")
    assert (
        "admin's event" in annotations.list_annotations(scope=every)["label"].tolist()
    )


def test_a_workstream_chart_shows_its_areas_annotation(annotated):
    from sqlalchemy import select

    from data_access.models import Area, Workstream
    from pages import workstream

    with db.session_scope() as session:
        workstream_id, area_code = session.execute(
            select(Workstream.id, Area.code)
            .join(Area, Area.id == Workstream.vru_area_id)
            .order_by(Workstream.id)
        ).first()
    annotations.add_annotation(
        scope=Scope(role="admin", actor="VRU Director"),
        area_code=area_code,
        event_date=dt.date(2024, 5, 1),
        label="Schools summer programme launch",
        kind="campaign",
    )
    text = _call("ann-admin", workstream.show_workstream, workstream_id)
    assert "event: Campaign: Schools summer programme launch" in text
    assert "1 May 2024: Schools summer programme launch (campaign)" in text
    assert "Marked events" in text
    # an annotation tied to no measure is on the area's spend chart of that year
    from pages import funding

    text = _call("ann-admin", funding.show_funding, area_code, "2024", None, None)
    assert "event: Campaign: Schools summer programme launch" in text
    assert "Marked events" in _csv(text, "funding-quarters")
    # ... and on its reach by quarter (prevention)
    from pages import prevention

    text = _call(
        "ann-admin", prevention.show_prevention, area_code, None, None, None, "all", {}
    )
    assert "event: Campaign: Schools summer programme launch" in text
    assert "Schools summer programme launch" in _csv(text, "prevention-reach")


def test_the_public_embed_shows_only_the_public_annotation_and_its_verdict(annotated):
    """The trend embed and its CSV carry the public annotation and never the
    private one; its variation words are trend_spc's over the public trend view
    (the disclosed public series), the road /violence uses."""
    from app import app
    from data_access import trend_spc
    from data_access.outcomes import trend_views
    from data_access.scope import PUBLIC

    client = app.server.test_client()
    query = f"area={AVON}&measure=knife_offences"
    page = client.get(f"/embed/trend?{query}").get_data(as_text=True)
    csv = client.get(f"/embed/trend/data.csv?{query}").get_data(as_text=True)
    assert "Operation Sceptre" in page and "Knife bin campaign" not in page
    # the server-drawn chart (seen with JavaScript off) marks it too
    drawn = page[page.index('<div id="embed-plot"') : page.index("</svg>")]
    # drawn as text (figure_svg wraps a long label in <tspan>s), not only <desc>
    assert re.search(r"<text[^>]*>(<tspan[^>]*>)?[^<]*Operation Sceptre", drawn)
    assert f"14 March 2021: {PUBLIC_LABEL} (operation)" in csv
    assert "Knife bin campaign" not in csv
    assert "Marked events" in csv.splitlines()[0]
    view = trend_views.trend_view(
        scope=PUBLIC, measure_code="knife_offences", area_code=AVON, length="quarter"
    )
    words = trend_spc.trend_spc(view)["variation_words"]
    shown = page[page.index('id="embed-variation"') :]
    assert words in shown[: shown.index("</p>")]
