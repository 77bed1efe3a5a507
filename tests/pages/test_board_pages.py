"""The commentary and board pages' callbacks, called as plain functions with a
signed-in user over a copy of the shipped store (they write)."""

from __future__ import annotations

import json
import shutil
from contextvars import copy_context

import flask_login
import pytest
from dash._callback_context import context_value
from dash._utils import AttributeDict

from data_access import board, commentary, db, users
from data_access.scope import SYSTEM

AVON, WEST_MIDLANDS = "E23000036", "E23000014"
KNIFE = "knife_offences"
HOSTILE = (
    '<script>alert("x")</script><a href="javascript:alert(1)">link</a> '
    "[md](javascript:alert(2)) <img src=x onerror=alert(3)>"
)


@pytest.fixture(scope="module")
def pages_store(_loaded_urls, tmp_path_factory):
    import app  # noqa: F401  (pages register themselves on the app)

    shipped = _loaded_urls("sqlite").removeprefix("sqlite:///")
    copy = tmp_path_factory.mktemp("board-pages") / "store.sqlite3"
    shutil.copyfile(shipped, copy)
    mp = pytest.MonkeyPatch()
    mp.setenv("DATABASE_URL", f"sqlite:///{copy}")
    db.reset_engine()
    made = {}
    for name, kwargs in {
        "bp-admin": dict(role="admin"),
        "bp-admin2": dict(role="admin"),
        "bp-analyst": dict(role="analyst"),
        "bp-avon": dict(role="viewer", area_codes=(AVON,)),
        "bp-wm": dict(role="viewer", area_codes=(WEST_MIDLANDS,)),
    }.items():
        record, _ = users.create_user(
            username=name, role_title=f"Role {name}", **kwargs
        )
        made[name] = record
    yield made
    mp.undo()
    db.reset_engine()


def call(username: str, fn, *args, clicked: str | None = None):
    """`fn(*args)` as `username`, as if the button `clicked` was pressed."""
    from app import app
    from web.auth import SignedInUser

    user = next(u for u in users.list_users() if u.username == username)

    def run():
        if clicked:
            context_value.set(
                AttributeDict(
                    triggered_inputs=[{"prop_id": f"{clicked}.n_clicks", "value": 1}]
                )
            )
        with app.server.test_request_context():
            flask_login.login_user(
                SignedInUser(users.signed_in_user(user.id, user.session_version))
            )
            return fn(*args)

    return copy_context().run(run)


def as_json(component) -> str:
    return json.dumps(component, default=lambda o: o.to_plotly_json())


def _types(component) -> set[str]:
    """Every component type in a rendered answer."""
    found: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            if "type" in node and "props" in node:
                found.add(node["type"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(json.loads(as_json(component)))
    return found


def test_write_sign_off_and_see_it_everywhere_as_plain_text(pages_store):
    from pages import commentary as page
    from pages import overview, violence, workstream

    quarter = "2025-04"
    # A board member may not write: refused on the server, nothing stored.
    save = {"clicked": "commentary-save"}
    refused, _ = call(
        "bp-avon", page.act, 1, None, AVON, KNIFE, quarter, "x", 0, 0, **save
    )
    assert "Not allowed" in as_json(refused)
    saved, refresh = call(
        "bp-analyst", page.act, 1, None, AVON, KNIFE, quarter, HOSTILE, 0, 0, **save
    )
    assert "Saved as version 1" in as_json(saved) and refresh == 1
    # The analyst cannot sign off; the admin who did not write it can.
    shown = call("bp-analyst", page.show, AVON, KNIFE, quarter, 1)
    assert shown[5] is True  # the sign-off button stays hidden
    shown = call("bp-admin", page.show, AVON, KNIFE, quarter, 1)
    assert shown[5] is False and shown[3] == 1
    done, _ = call(
        "bp-admin", page.act, None, 1, AVON, KNIFE, quarter, "", 1, 1,
        clicked="commentary-sign-off",
    )  # fmt: skip
    assert "Signed off" in as_json(done)

    # Shown beside the measure: overview, violence page; one road, same text.
    expected = commentary.commentary_for(
        scope=SYSTEM, vru_code=AVON, measure_codes=[KNIFE]
    ).iloc[0]["text"]
    assert expected == HOSTILE
    answers = {
        "overview": call("bp-avon", overview.show_overview, AVON),
        "violence": call("bp-avon", violence.show_commentary, KNIFE, AVON),
    }
    for name, answer in answers.items():
        text = as_json(answer)
        assert json.dumps(HOSTILE)[1:-1] in text, name
        assert "Signed off" in text, name
        # Plain text only: no link, script, image or Markdown built from it.
        assert not {"Script", "Img", "Markdown"} & _types(answer), name
        assert "javascript:" not in "".join(str(a) for a in _hrefs(json.loads(text))), (
            name
        )
    # The board member of another VRU sees none of it on the overview.
    other = as_json(call("bp-wm", overview.show_overview, AVON))
    assert "alert(" not in other and "Commentary," not in other
    assert workstream  # the workstream page is covered in test_workstream_note


def _hrefs(node) -> list:
    out = []
    if isinstance(node, dict):
        props = node.get("props", {}) if "props" in node else {}
        if "href" in props:
            out.append(props["href"])
        for value in node.values():
            out += _hrefs(value)
    elif isinstance(node, list):
        for item in node:
            out += _hrefs(item)
    return out


def test_workstream_note_and_lead_rules(pages_store):
    from pages import workstream

    scope = SYSTEM
    frame = commentary.vru_measures(scope=scope, vru_code=AVON)
    row = frame[frame["kind"] == "workstream"].iloc[0]
    lead, _ = users.create_user(
        username="bp-lead",
        role="lead",
        role_title="Role lead",
        workstream_id=int(row["workstream_id"]),
    )
    lead_scope = next(u for u in users.list_users() if u.id == lead.id).scope()
    commentary.write_commentary(
        scope=lead_scope,
        vru_code=AVON,
        measure_code=row["measure_code"],
        quarter_start="2025-07",
        text="Referrals rose; the new school term; keep going.",
    )
    title, _crumb, content = call(
        "bp-avon", workstream.show_workstream, int(row["workstream_id"])
    )
    text = as_json(content)
    assert "Referrals rose; the new school term; keep going." in text
    assert "Draft, not yet signed off" in text
    assert "Written by Role lead" in text


def test_board_page_forms_are_admin_only_and_overdue_is_flagged(pages_store):
    from pages import board as page
    from pages import overview

    args = (
        AVON, "2025-09-01", "action", KNIFE, "2025-04", "VRU Director",
        "2025-10-01", "2025-09-01", "Ask the police why", None, "done", 0,
    )  # fmt: skip
    for name in ("bp-analyst", "bp-avon", "bp-wm"):
        answer, refresh = call(
            name, page.act, None, 1, None, *args, clicked="board-record"
        )
        assert "Not allowed" in as_json(answer) and refresh is page.no_update, name
        content, hidden, *_ = call(name, page.show, AVON, 0)
        assert hidden is True, name
    assert board.actions_for(scope=SYSTEM, vru_code=AVON).empty
    meeting, _ = call(
        "bp-admin", page.act, 1, None, None, *args, clicked="board-add-meeting"
    )
    assert "Meeting of 1 September 2025 recorded" in as_json(meeting)
    recorded, _ = call(
        "bp-admin", page.act, None, 1, None, *args, clicked="board-record"
    )
    assert "Action recorded" in as_json(recorded)
    content, hidden, measures, actions = call("bp-avon", page.show, AVON, 1)
    text = as_json(content)
    assert hidden is True and actions  # the viewer reads but gets no forms
    assert "Ask the police why" in text and "overdue" in text
    assert "Since the last board (1 September 2025)" in text
    content, hidden, measures, actions = call("bp-admin", page.show, AVON, 1)
    assert hidden is False and KNIFE in {m["value"] for m in measures}
    # The overview lists what changed since that meeting, with its rule.
    text = as_json(call("bp-admin", overview.show_overview, AVON))
    assert "Since the last board (1 September 2025)" in text
    assert board.CHANGE_RULE in text
    # Another VRU's board member is refused on the board page.
    content, hidden, _, _ = call("bp-wm", page.show, AVON, 1)
    assert "Not allowed" in as_json(content) and "Ask the police" not in as_json(
        content
    )
