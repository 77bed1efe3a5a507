"""Helpers for tests that talk to the app over HTTP (Flask test client)."""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

AVON = "E23000036"
BOARD_MEMBER = {"role": "viewer", "role_title": "Board Member", "area_codes": (AVON,)}


@dataclass
class SmallApp:
    """The app's Flask server over a small store, the accounts' passwords by user
    name, and the overview data calls made (board_overview.overview_summary's
    keyword arguments, one entry a call)."""

    server: Any
    passwords: dict[str, str]
    calls: list[dict]


def count_calls(monkeypatch, owner: Any, name: str) -> list[dict]:
    """Count the calls of `owner.name` (a data function called with keywords),
    still calling it: the list grows by each call's keyword arguments."""
    calls: list[dict] = []
    original = getattr(owner, name)

    def counting(**kwargs):
        calls.append(kwargs)
        return original(**kwargs)

    monkeypatch.setattr(owner, name, counting)
    return calls


@contextlib.contextmanager
def app_over_small_store(
    monkeypatch, accounts: dict[str, dict], **config: Any
) -> Iterator[SmallApp]:
    """The app over the (empty, migrated) store at DATABASE_URL holding the rows
    of test_store._minimal_rows and `accounts` (user name -> create_user's other
    keywords), with `config` over TESTING=True and the shared cache bound to it
    and emptied (e.g. CACHE_TYPE="SimpleCache": a cache of the test's own).

    Afterwards, even when setting up failed, the cache is emptied and the app's
    whole configuration is what it was, the shared cache bound to it again: a
    value left behind (CACHE_TYPE above all) would reach every later test module
    of the process. Tests may set config directly; monkeypatch.setitem on the
    config would be undone only after this teardown, so it must not be used."""
    from app import app
    from data_access import board_overview, db, users
    from tests.data_access.test_store import _minimal_rows
    from web import shared_cache

    with db.session_scope() as session:
        _minimal_rows(session)
    passwords = {
        name: users.create_user(username=name, **fields)[1]
        for name, fields in accounts.items()
    }
    calls = count_calls(monkeypatch, board_overview, "overview_summary")
    server = app.server
    saved = dict(server.config)
    try:
        server.config.update(TESTING=True, **config)
        shared_cache.cache.init_app(server)
        with server.app_context():
            shared_cache.cache.clear()
        yield SmallApp(server, passwords, calls)
    finally:
        try:
            if shared_cache.cache in server.extensions.get("cache", {}):
                with server.app_context():  # (a test may have unbound it)
                    shared_cache.cache.clear()
        finally:
            server.config.clear()
            server.config.update(saved)
            shared_cache.cache.init_app(server)


def csrf_token(client, path: str = "/signin") -> str:
    page = client.get(path).get_data(as_text=True)
    match = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"', page
    ) or re.search(
        r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"', page
    )
    assert match, "no CSRF token on the sign-in page"
    return match.group(1)


def sign_in(client, username: str, password: str):
    token = csrf_token(client)
    return client.post(
        "/signin",
        data={
            "username": username,
            "password": password,
            "csrf_token": token,
            "next": "/",
        },
    )


def callback_request(
    output: str, inputs: list[dict], state: list[dict] | None = None
) -> dict:
    """A body for /_dash-update-component as the Dash renderer sends it."""
    outputs = []
    for part in output.strip(".").split("..."):
        ident, prop = part.rsplit(".", 1)
        # A wildcard output is the list of components it matches: none here.
        outputs.append([] if ident.startswith("{") else {"id": ident, "property": prop})
    return {
        "output": output,
        "outputs": outputs[0] if len(outputs) == 1 else outputs,
        "inputs": inputs,
        "state": state or [],
        "changedPropIds": [
            f"{i['id']}.{i['property']}" for i in inputs if isinstance(i, dict)
        ],
    }


def post_callback(client, body: dict):
    return client.post(
        "/_dash-update-component",
        data=json.dumps(body),
        content_type="application/json",
    )


def component_text(component) -> str:
    """All the text a rendered Dash component tree holds, as the browser shows it,
    including a StaticTable's (components.chart) caption and cells and a
    StaticHtml's content, which are props rather than children: text, link texts
    and badge words."""
    if component is None:
        return ""
    if isinstance(component, str | int | float):
        return str(component)
    if isinstance(component, list | tuple):
        return " ".join(component_text(c) for c in component)
    parts = [component_text(getattr(component, "caption", None))]
    for row in getattr(component, "rows", None) or []:
        parts += [_cell_text(cell) for cell in row]
    parts.append(component_text(getattr(component, "children", None)))
    parts += [_static_text(node) for node in getattr(component, "content", None) or []]
    return " ".join(p for p in parts if p)


def _static_text(node) -> str:
    """The text of one StaticHtml node (components.static_html): text, or an
    element's children."""
    if isinstance(node, str):
        return node
    return " ".join(_static_text(child) for child in node.get("children", []))


def _cell_text(cell) -> str:
    if isinstance(cell, dict) and "badges" in cell:
        return " ".join(badge["text"] for badge in cell["badges"])
    if isinstance(cell, dict):
        return cell["text"]
    return cell if isinstance(cell, str) else ""  # an int is a mark: not text


def dash_components(tree) -> int:
    """Dash components in an answer: each is a store subscriber that Dash's
    renderer re-checks on every update while the page loads."""
    from dash.development.base_component import Component

    if isinstance(tree, (list, tuple)):
        return sum(dash_components(child) for child in tree)
    if not isinstance(tree, Component):
        return 0
    children = getattr(tree, "children", None)
    return 1 + dash_components(children)
