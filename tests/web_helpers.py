"""Helpers for tests that talk to the app over HTTP (Flask test client)."""

from __future__ import annotations

import json
import re


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
    including a StaticTable's (components.chart) caption and cells, which are props
    rather than children: text, link texts and badge words."""
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
    return " ".join(p for p in parts if p)


def _cell_text(cell) -> str:
    if isinstance(cell, dict) and "badges" in cell:
        return " ".join(badge["text"] for badge in cell["badges"])
    if isinstance(cell, dict):
        return cell["text"]
    return cell if isinstance(cell, str) else ""  # an int is a mark: not text
