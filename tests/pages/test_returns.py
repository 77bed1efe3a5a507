"""The Returns page's callbacks called as plain functions: a cheap layout, the
workstream choices per role, completeness, templates, uploads with a problem table
(uploaded text shown as text, never HTML), the problem report, and the actions
(submit, approve, send back, download the raw file)."""

from __future__ import annotations

import base64
import datetime as dt
import json
from contextvars import copy_context

import dash
import pytest
from dash import html
from dash._callback_context import context_value
from dash._utils import AttributeDict

import app  # noqa: F401 - pages register themselves with the app
from data_access import users
from data_access.returns import submissions, workflow
from data_access.scope import Scope
from pages import returns as page
from tests.data_access.test_returns import LABEL, PERIOD, as_csv, filled, world  # noqa: F401


def _data_url(content: bytes) -> str:
    return "data:text/csv;base64," + base64.b64encode(content).decode()


def _texts(component) -> list[str]:
    """Every string in a component tree."""
    out = []
    if isinstance(component, str):
        return [component]
    if isinstance(component, (list, tuple)):
        for child in component:
            out += _texts(child)
        return out
    children = getattr(component, "children", None)
    if children is not None:
        out += _texts(children)
    # A StaticTable (components.chart) holds its cells as props, not children;
    # the browser draws them as text (React escapes them).
    for row in getattr(component, "rows", None) or []:
        out += [cell for cell in row if isinstance(cell, str)]
    return out


def _walk(component):
    yield component
    children = getattr(component, "children", None)
    if isinstance(children, (list, tuple)):
        for child in children:
            yield from _walk(child)
    elif children is not None and not isinstance(children, str):
        yield from _walk(children)


def _state(submission_id) -> str:
    listing = submissions.list_submissions(scope=Scope(role="admin"))
    return listing.set_index("submission_id").loc[submission_id, "state"]


def _click(action: str, submission_id: int, seen: str, comment: str = ""):
    prop = json.dumps(
        {"action": action, "id": submission_id, "seen": seen, "type": "returns-action"},
        separators=(",", ":"),
        sort_keys=True,
    )
    return _triggered(f"{prop}.n_clicks", page.act, [1], comment, 0)


def _labels(component) -> list:
    return [getattr(c, "children", None) for c in _walk(component)]


def _triggered(prop_id: str, fn, *args):
    def run():
        context_value.set(
            AttributeDict(triggered_inputs=[{"prop_id": prop_id, "value": 1}])
        )
        return fn(*args)

    return copy_context().run(run)


@pytest.fixture
def as_user(monkeypatch):
    def use(scope):
        monkeypatch.setattr(page, "current_scope", lambda: scope)

    return use


def test_layout_is_cheap_and_has_one_h1(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "sqlite:////nonexistent/dir/store.sqlite3")
    tree = page.layout(workstream="abc", period="not-a-quarter")
    headings = [c for c in _walk(tree) if isinstance(c, html.H1)]
    assert len(headings) == 1
    tree = page.layout(period="2025-07")
    assert any(getattr(c, "value", None) == "2025-07" for c in _walk(tree))


def test_workstream_choices_follow_the_role(world, as_user):  # noqa: F811
    as_user(world["lead"])
    options, value, ons_hidden = page.load_workstreams(None)
    assert [o["value"] for o in options] == [world["ws"]] and value == world["ws"]
    assert ons_hidden
    as_user(world["admin"])
    options, value, ons_hidden = page.load_workstreams(str(world["ws2"]))
    assert len(options) == 2 and value == world["ws2"] and not ons_hidden
    as_user(world["viewer"])
    options, value, _ = page.load_workstreams(None)
    assert options == [] and value is None
    assert "your access does not include" in " ".join(
        _texts(page.show_completeness(0, 0))
    )


def test_upload_with_problems_shows_a_table_and_offers_the_report(world, as_user):  # noqa: F811
    as_user(world["lead"])
    frame = filled(world)
    frame.loc[frame.index[0], "value"] = "<script>alert(1)</script>"
    result, problems, hidden, refresh = page.upload(
        _data_url(as_csv(frame)), "bad.csv", world["ws"], "2025-07", 0
    )
    texts = _texts(result)
    assert "<script>alert(1)</script>" in texts  # as text, escaped by React
    assert not any(type(c).__name__ in ("Markdown", "Iframe") for c in _walk(result))
    assert not hidden and refresh == 0 and problems[0]["column"] == "value"
    download = page.download_problems(1, problems)
    assert download["filename"] == "return-problems.csv"
    report = base64.b64decode(download["content"]).decode("utf-8-sig")
    assert "<script>" in report and "value" in report


def test_upload_refuses_a_non_spreadsheet_clearly(world, as_user):  # noqa: F811
    as_user(world["lead"])
    result, *_ = page.upload(
        _data_url(b"\x89PNG\r\n\x1a\n\x00\x00"), "cat.png", world["ws"], "2025-07", 0
    )
    assert "not a spreadsheet" in " ".join(_texts(result))


def test_upload_submit_approve_through_the_callbacks(world, as_user):  # noqa: F811
    as_user(world["lead"])
    result, problems, hidden, refresh = page.upload(
        _data_url(as_csv(filled(world))), "good.csv", world["ws"], "2025-07", 0
    )
    assert "saved as draft return" in " ".join(_texts(result)) and refresh == 1
    [submission_id] = submissions.list_submissions(scope=world["lead"])["submission_id"]
    table = page.show_submissions(1, 0, world["ws"])
    labels = [getattr(c, "children", None) for c in _walk(table)]
    assert "Submit" in labels and "Approve" not in labels

    def action(name):
        prop = json.dumps(
            {
                "action": name,
                "id": int(submission_id),
                "seen": _state(submission_id),
                "type": "returns-action",
            },
            separators=(",", ":"),
            sort_keys=True,
        )
        return _triggered(f"{prop}.n_clicks", page.act, [1], "", 0)

    message, refresh, _ = action("submit")
    assert "submitted" in " ".join(_texts(message)) and refresh == 1
    message, refresh, _ = action("approve")
    assert "Not allowed" in " ".join(_texts(message))
    as_user(world["admin"])
    message, refresh, _ = action("approve")
    assert "approved" in " ".join(_texts(message))
    _, _, download = action("file")
    assert base64.b64decode(download["content"]) == as_csv(filled(world))
    listing = submissions.list_submissions(scope=world["admin"])
    assert list(listing["status"]) == ["approved"]


def test_template_download_by_role(world, as_user):  # noqa: F811
    as_user(world["lead"])
    data, note = _triggered(
        "returns-template-csv.n_clicks",
        page.download_template,
        None,
        1,
        world["ws"],
        PERIOD.strftime("%Y-%m"),
    )
    assert data["filename"].endswith(".csv") and note == ""
    assert LABEL in base64.b64decode(data["content"]).decode("utf-8-sig")
    data, note = _triggered(
        "returns-template-xlsx.n_clicks",
        page.download_template,
        1,
        None,
        world["ws2"],
        "2025-07",
    )
    assert "Not allowed" in " ".join(_texts(note))
    assert dt.date.today()  # the page's quarters come from the clock, not the store


def _user(name: str, role: str, **extra) -> Scope:
    record, _ = users.create_user(
        username=name, role=role, role_title=f"{name} role", **extra
    )
    return record.scope()


def test_approve_is_offered_only_to_an_admin_who_did_not_submit(world, as_user):  # noqa: F811
    director, deputy = _user("director", "admin"), _user("deputy", "admin")
    analyst = _user("analyst1", "analyst")
    as_user(director)
    page.upload(_data_url(as_csv(filled(world))), "own.csv", world["ws"], "2025-07", 0)
    [submission_id] = submissions.list_submissions(scope=director)["submission_id"]
    workflow.submit_return(scope=director, submission_id=int(submission_id))
    labels = _labels(page.show_submissions(1, 0, world["ws"]))
    assert "Send back" in labels and "Approve" not in labels
    as_user(analyst)
    labels = _labels(page.show_submissions(1, 0, world["ws"]))
    assert "Send back" in labels and "Approve" not in labels
    as_user(deputy)
    assert "Approve" in _labels(page.show_submissions(1, 0, world["ws"]))
    # A forged click by the submitter is refused by data_access all the same.
    as_user(director)
    text, refresh, _ = _click("approve", int(submission_id), _state(submission_id))
    assert "four eyes" in " ".join(_texts(text)) and refresh is dash.no_update


def test_a_click_on_a_return_that_changed_says_reload(world, as_user):  # noqa: F811
    deputy = _user("deputy", "admin")
    as_user(world["lead"])
    page.upload(_data_url(as_csv(filled(world))), "r.csv", world["ws"], "2025-07", 0)
    [submission_id] = submissions.list_submissions(scope=deputy)["submission_id"]
    submission_id = int(submission_id)
    workflow.submit_return(scope=world["lead"], submission_id=submission_id)
    seen = _state(submission_id)
    workflow.return_submission(
        scope=world["admin"], submission_id=submission_id, comment="fix", seen=seen
    )
    as_user(deputy)
    text, refresh, _ = _click("approve", submission_id, seen)
    assert "changed while you were looking" in " ".join(_texts(text))
    assert refresh == 1  # the list is drawn again, as it is now
    listing = submissions.list_submissions(scope=deputy)
    assert list(listing["status"]) == ["returned"]
