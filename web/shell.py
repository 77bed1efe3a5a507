"""The app layout: the shared shell around Dash's page container.

Called by Dash for every page load, inside the request, so it can show the signed-in
role and build navigation from the page registry; it reads only cached facts from
the store and survives the store being down.
"""

from __future__ import annotations

import logging

import dash
from flask import has_request_context
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from components.shell import NavLink, page_shell
from data_access import meta
from data_access.errors import StoreUnavailable

log = logging.getLogger(__name__)


def _order(page: dict) -> int:
    # `or` would send the overview's order 0 to the end.
    order = page.get("order")
    return 99 if order is None else order


def _shown_to(page: dict, role: str | None) -> bool:
    """Whether the menu offers a page: public pages to everyone, the others to
    signed-in users whose role the page names in `roles` (all roles if it names
    none). The menu is a convenience: access is decided on the server."""
    if role is None:
        return bool(page.get("public"))
    roles = page.get("roles")
    return roles is None or role in roles


def serve_layout():
    signed_in = has_request_context() and current_user.is_authenticated
    role = current_user.record.role if signed_in else None
    nav = [
        NavLink(page["name"], page["relative_path"])
        for page in sorted(dash.page_registry.values(), key=_order)
        if page.get("nav", True) and _shown_to(page, role) and "<" not in page["path"]
    ]
    try:
        facts = meta.data_as_at()
        options = meta.area_picker_options() if signed_in else []
        as_at = "Data as at " + (facts["latest_period"] or "no figures loaded")
        if facts["loaded_at"]:
            as_at += f" · store loaded {facts['loaded_at'][:10]}"
    except StoreUnavailable:
        options = []
        as_at = "Data temporarily unavailable"
    except Exception as error:  # noqa: BLE001 - the shell renders even if the store fails
        log.warning("shell facts unavailable: %s", type(error).__name__)
        options = []
        as_at = "Data temporarily unavailable"
    return page_shell(
        nav_links=nav,
        role_title=current_user.record.role_title if signed_in else None,
        csrf_token=generate_csrf() if has_request_context() else None,
        data_as_at=as_at,
        area_options=options,
        content=dash.page_container,
    )
