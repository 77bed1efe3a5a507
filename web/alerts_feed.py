"""A user's alerts as an Atom feed (RFC 4287): /feeds/alerts/<token>.atom.

The token in the address is the credential (feed readers cannot sign in); only
its SHA-256 is stored, revoking it ends the feed at once, and an unknown, revoked
or disabled user's token gets the same 404. Entries are the user's inbox, written
now through the user's current scope (data_access.alerts.inbox), so the feed
carries no figure its reader could not see in the app.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from flask import Blueprint, Flask, Response, abort

import settings
from data_access import alerts, users

blueprint = Blueprint("alerts_feed", __name__)
ATOM = "http://www.w3.org/2005/Atom"


def _stamp(moment: dt.datetime | None) -> str:
    moment = moment or dt.datetime(2000, 1, 1)
    return moment.replace(microsecond=0).isoformat() + "Z"


def atom_feed(*, user_id: int, role_title: str, entries) -> bytes:  # noqa: ANN001
    """The Atom document for one user's inbox frame (alerts.INBOX_COLUMNS)."""
    ET.register_namespace("", ATOM)
    base = settings.app_base_url()

    def sub(parent, tag: str, text: str | None = None, **attrs) -> ET.Element:  # noqa: ANN001, ANN003
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        if text is not None:
            element.text = text
        return element

    feed = ET.Element(f"{{{ATOM}}}feed")
    sub(feed, "id", f"{base}/feeds/alerts/user-{user_id}")
    sub(feed, "title", f"VRU Outcomes Monitor alerts: {role_title}")
    newest = max(entries["created_at"], default=None) if len(entries) else None
    sub(feed, "updated", _stamp(newest))
    author = sub(feed, "author")
    sub(author, "name", "VRU Outcomes Monitor")
    sub(feed, "link", rel="alternate", href=f"{base}/alerts")
    for row in entries.itertuples():
        entry = sub(feed, "entry")
        sub(entry, "id", f"{base}/alerts#alert-{row.alert_id}")
        sub(entry, "title", row.kind)
        sub(entry, "updated", _stamp(row.created_at))
        sub(entry, "link", rel="alternate", href=f"{base}/alerts")
        sub(entry, "content", row.text, type="text")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


@blueprint.route("/feeds/alerts/<token>.atom")
def alerts_feed(token: str):
    user_id = alerts.feed_user(token)
    user = next((u for u in users.list_users() if u.id == user_id), None)
    if user is None or not user.active:
        abort(404)
    entries = alerts.inbox(scope=user.scope())
    body = atom_feed(user_id=user.id, role_title=user.role_title, entries=entries)
    return Response(
        body,
        content_type="application/atom+xml; charset=utf-8",
        headers={
            "Cache-Control": "private, no-store",
            "Referrer-Policy": "no-referrer",
        },
    )


def init_alerts_feed(server: Flask) -> None:
    server.register_blueprint(blueprint)
