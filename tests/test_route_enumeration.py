"""Every route and every Dash callback of the app, enumerated: anonymous requests
get 401 or a redirect to sign-in except on the public surface, and a viewer
scoped to Avon and Somerset (E23000036) cannot read another area's restricted
figures (West Midlands, E23000014) through any callback. Private measures,
workstreams, raw return files and the audit log, for every role, are checked by
tests/test_access_matrix.py."""

from __future__ import annotations

import json
import re

import pytest

from components.formatting import money
from data_access import public, users
from data_access.money.outturn import money_forecast
from data_access.scope import SYSTEM
from tests.web_helpers import callback_request, post_callback, sign_in

OTHER_AREA = "E23000014"  # West Midlands: not in the viewer's scope
EXPECTED_PUBLIC_PATHS = {
    "/signin",
    "/signout",
    "/healthz",
    "/readyz",
    "/accessibility",
    "/_dash-layout",
    "/_dash-dependencies",
    "/_favicon.ico",
    "/favicon.ico",
    "/_reload-hash",
}
EXPECTED_PUBLIC_PREFIXES = {
    "/assets/",
    "/_dash-component-suites/",
    "/embed",
    "/api/v1",
    # A user's alerts as Atom: the token in the address is the credential
    # (tests/data_access/test_exceptions.py checks that it is revocable).
    "/feeds/alerts/",
}
SAMPLE_ARGS = {
    "chart": "trend",
    "name": "embed.js",
    "code": "knife_offences",
    "rest": "x",
    "path": "x/y",
    "filename": "x.js",
    "package_name": "dash",
    "fingerprinted_path": "dash-renderer/build/dash_renderer.min.js",
}


@pytest.fixture
def app_and_board(loaded_sqlite_store, monkeypatch):
    from app import app

    # A callback that fails must answer like production (a plain 500), so the
    # test can check every other callback and that nothing leaks in the failure.
    monkeypatch.setitem(app.server.config, "PROPAGATE_EXCEPTIONS", False)
    existing = {u.username for u in users.list_users()}
    if "enum-board" in existing:
        password = users.set_password(username="enum-board")
    else:
        _, password = users.create_user(
            username="enum-board",
            role="viewer",
            role_title="Board Member",
            area_codes=("E23000036",),
        )
    app.server.config["TESTING"] = True
    # Dash fills app.callback_map at the app's first request (its before_request
    # setup). In a test process where no earlier test has asked the app for
    # anything (one of several pytest-xdist workers), the map would be empty.
    app.server.test_client().get("/signin")
    return app, password


def _url(rule) -> str:
    url = rule.rule
    for name in rule.arguments:
        url = re.sub(rf"<(?:[^:<>]+:)?{name}>", SAMPLE_ARGS.get(name, "x"), url)
    return url


def test_the_public_surface_is_exactly_what_is_intended():
    from web import auth

    assert set(auth.PUBLIC_PATHS) == EXPECTED_PUBLIC_PATHS
    assert set(auth.PUBLIC_PREFIXES) == EXPECTED_PUBLIC_PREFIXES


def test_every_route_refuses_anonymous_requests_outside_the_public_surface(
    app_and_board,
):
    from web.auth import is_public_path

    app, _ = app_and_board
    client = app.server.test_client()
    checked = 0
    for rule in app.server.url_map.iter_rules():
        url = _url(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            assert b"Traceback" not in response.get_data(), (method, url)
            assert response.status_code < 500 or response.status_code == 503, (
                method,
                url,
            )
            checked += 1
            if is_public_path(url):
                continue
            assert response.status_code in (302, 401), (method, url)
            if response.status_code == 302:
                assert response.headers["Location"].startswith("/signin"), url
    assert checked >= 15


def _callbacks(app):
    for output, spec in app.callback_map.items():
        # Clientside callbacks never reach the server.
        if "callback" not in spec:
            continue
        yield output, spec


def _body(output: str, spec: dict, area_value) -> dict:
    def value_for(dep):
        ident = dep["id"]
        text = json.dumps(ident) if isinstance(ident, dict) else ident
        if "area" in text and dep["property"] == "value":
            return area_value
        # What the browser sends for the URL parts (Dash's router needs them).
        return {
            "pathname": "/",
            "search": f"?area={area_value}",
            "href": f"http://localhost/?area={area_value}",
            "hash": "",
        }.get(dep["property"])

    def pack(deps):
        packed = []
        for dep in deps:
            ident = dep["id"]
            if isinstance(ident, str) and ident.startswith("{"):
                # A wildcard (ALL) dependency: the list of components it matches.
                packed.append([])
                continue
            packed.append(
                {"id": ident, "property": dep["property"], "value": value_for(dep)}
            )
        return packed

    return callback_request(
        output, pack(spec.get("inputs", [])), pack(spec.get("state", []))
    )


def test_every_callback_answers_401_to_anonymous_requests(app_and_board):
    from web.auth import PUBLIC_CALLBACK_OUTPUTS

    app, _ = app_and_board
    client = app.server.test_client()
    callbacks = list(_callbacks(app))
    assert callbacks, "the app has callbacks"
    for output, spec in callbacks:
        response = post_callback(client, _body(output, spec, OTHER_AREA))
        if output in PUBLIC_CALLBACK_OUTPUTS:
            continue
        assert response.status_code == 401, output
        assert OTHER_AREA not in response.get_data(as_text=True)


def _restricted_figures(area_code: str) -> set[str]:
    """Figures of `area_code` a viewer scoped elsewhere must never receive."""
    figures = set()
    # Spend is restricted; published figures (allocations, which /funding shows
    # every signed-in user for every area, and reach totals) are not, so only
    # the spend and unrounded reach figures of single tiers count.
    summary = money_forecast(scope=SYSTEM, area_code=area_code)
    if summary["spent_to_date"]:
        figures.add(money(summary["spent_to_date"]))
        figures.add(f"{summary['spent_to_date']:,.0f}")
    funding = public.funding_allocated_vs_spent(area_code=area_code)
    for value in funding["spent"].dropna():
        figures.add(money(value))
    # A spend that rounds to the words of a published allocation ("£4.19m" spent
    # in 2022/23, "£4.19m" allocated for 2025/26) cannot be told from it: the
    # page may say the allocation.
    published = {money(a) for a in funding["allocated"].dropna()}
    published |= {f"{a:,.0f}" for a in funding["allocated"].dropna()}
    figures -= published
    reach = public.reach_by_tier(area_code=area_code)
    del reach  # published on purpose (the public reach embed)
    return {f for f in figures if len(f) >= 5}


def _readable(response) -> str:
    """The answer's text as a reader sees it: a JSON answer parsed and written
    again without escapes, so that a figure is found however the answer was
    encoded ("\\u00a33.23m" is "£3.23m"; searching the raw body for "£" missed
    every money figure while answers were written ASCII-only)."""
    body = response.get_data(as_text=True)
    if response.is_json:
        return json.dumps(response.get_json(), ensure_ascii=False)
    return body


def test_a_scoped_viewer_cannot_read_another_area_through_any_callback(
    app_and_board,
):
    app, password = app_and_board
    client = app.server.test_client()
    assert sign_in(client, "enum-board", password).status_code == 302
    forbidden = _restricted_figures(OTHER_AREA)
    assert forbidden, "West Midlands has restricted figures to protect"
    for output, spec in _callbacks(app):
        response = post_callback(client, _body(output, spec, OTHER_AREA))
        body = _readable(response)
        assert "Traceback" not in body, output
        # A 500 is a failure, not an answer to pass over; any other answer
        # (a refusal included) must not carry the figures either.
        assert response.status_code != 500, output
        leaked = sorted(f for f in forbidden if f in body)
        assert not leaked, (output, leaked)
    # The same viewer does see their own area's money through the same callbacks.
    own = _restricted_figures("E23000036")
    seen = set()
    for output, spec in _callbacks(app):
        body = _readable(post_callback(client, _body(output, spec, "E23000036")))
        seen |= {f for f in own if f in body}
    assert seen or not own, "the check would notice a figure if it were there"
