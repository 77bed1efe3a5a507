"""The main menu offers each role the pages it can use: a board member (viewer)
is not offered Returns, which they can neither submit nor approve; admins,
analysts and leads are. (Access itself is decided on the server: this is about
not showing controls a role cannot use.)"""

from __future__ import annotations

import json

import pytest

from tests.web_helpers import sign_in


def _menu(client) -> list[str]:
    layout = json.loads(client.get("/_dash-layout").get_data(as_text=True))
    names = []

    def walk(node):
        if isinstance(node, list):
            for child in node:
                walk(child)
        elif isinstance(node, dict):
            props = node.get("props", {})
            if "nav-link" in str(props.get("className", "")):
                names.append(props.get("children"))
            walk(props.get("children"))

    walk(layout)
    return names


@pytest.mark.parametrize(
    ("role", "areas", "offered"),
    [
        ("viewer", ("E23000036",), False),
        ("analyst", (), True),
        ("admin", (), True),
    ],
)
def test_returns_is_offered_only_to_roles_that_use_it(
    loaded_store, role, areas, offered
):
    from app import app
    from data_access import users

    name = f"menu-{role}"
    if name in {u.username for u in users.list_users()}:
        password = users.set_password(username=name)
    else:
        _, password = users.create_user(
            username=name, role=role, role_title="Menu Tester", area_codes=areas
        )
    app.server.config["TESTING"] = True
    client = app.server.test_client()
    assert sign_in(client, name, password).status_code == 302
    menu = _menu(client)
    assert "Overview" in menu and "Measures" in menu
    assert ("Returns" in menu) is offered
    # Data coverage names every source behind the store: analysts and admins.
    assert ("Data coverage" in menu) is (role in ("analyst", "admin"))
