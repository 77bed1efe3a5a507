"""Exceptions routed to owners, and the alerts sent about them (issue 16, items 4
and 5), on SQLite and PostgreSQL.

The store: Lancashire and Avon and Somerset (VRUs), Surrey (not a VRU) and
Burnley (a Lancashire local authority). Thirteen quarters, 2022/23 Q2 to 2025/26
Q2, of
- knife offences (public, lower is better, HES disclosure: counts rounded to 5
  for scoped readers): 100, 120, 110, 130 three times, then 203 in Lancashire and
  Surrey, ten times that (2,030 last) in Avon, and 115 last in Burnley;
- a Lancashire workstream measure (higher is better): 2, 3 six times, then 7.

Hand-worked (Making Data Count XmR): for 100..130 x3 then 203 the mean is
1,583 / 13 = 121.77, the moving ranges 20, 10, 20, 30 (x3, less the first) and 73
sum to 283 over 12 = 23.58 (none above 3.267 x 23.58 = 77.0, so none screened);
the upper limit is 121.77 + 2.66 x 23.58 = 184.5 < 203: outside the limits,
concerning (lower is better). With 115 last the mean is 1,495 / 13 = 115.0, the
ranges sum to 225, mean 18.75, limits 115.0 +/- 49.9: 115 is common cause. For
2, 3 x6 then 7: mean 37 / 13 = 2.846, ranges eleven 1s and 4, mean 1.25 (4 < 4.08
kept), upper limit 2.846 + 3.325 = 6.17 < 7: outside, improving.
"""

from __future__ import annotations

import datetime as dt
import email
import hashlib
import hmac
import http.server
import json
import socket
import threading

import pytest
from sqlalchemy import func, select

from data_access import alert_delivery, alerts, cache, exceptions, users
from data_access.alert_models import (
    Alert,
    AlertDelivery,
    AlertPreference,
    ExceptionItem,
)
from data_access.db import session_scope
from data_access.errors import AccessDenied, InvalidParameter
from data_access.models import (
    Area,
    AuditLog,
    Measure,
    MeasureValue,
    Source,
    Workstream,
    WorkstreamMeasure,
)

LANCS, AVON, SURREY, BURNLEY, EW = (
    "E23000003",
    "E23000036",
    "E23000031",
    "E07000117",
    "K04000001",
)
QUARTERS = [
    dt.date(2022 + (7 + 3 * i - 1) // 12, (7 + 3 * i - 1) % 12 + 1, 1)
    for i in range(13)
]
BASE = [100, 120, 110, 130] * 3


def _quarter_end(start: dt.date) -> dt.date:
    month = start.month + 3
    year = start.year + (month > 12)
    return dt.date(year, (month - 1) % 12 + 1, 1) - dt.timedelta(days=1)


@pytest.fixture
def world(store, monkeypatch):
    monkeypatch.setenv("ALERT_RULES_AFTER_COMMIT", "off")
    with session_scope() as session:
        source = Source(key="t", publisher="t", title="Test source", licence="OGL")
        session.add(source)
        session.flush()
        ew = Area(code=EW, name="England and Wales", level="country")
        session.add(ew)
        session.flush()
        areas = {
            LANCS: Area(code=LANCS, name="Lancashire", level="pfa", parent_id=ew.id,
                        is_vru=True, vru_start_year=2019),
            AVON: Area(code=AVON, name="Avon and Somerset", level="pfa",
                       parent_id=ew.id, is_vru=True, vru_start_year=2019),
            SURREY: Area(code=SURREY, name="Surrey", level="pfa", parent_id=ew.id),
        }  # fmt: skip
        session.add_all(areas.values())
        session.flush()
        areas[BURNLEY] = Area(
            code=BURNLEY, name="Burnley", level="lad", parent_id=areas[LANCS].id
        )
        session.add(areas[BURNLEY])
        common = dict(definition="d", category="outcome", period_type="quarter",
                      ci_method="none", source_id=source.id)  # fmt: skip
        knife = Measure(
            code="knife",
            name="Knife offences",
            unit="offences",
            polarity="lower_is_better",
            disclosure_rule="hes",
            **common,
        )
        diverted = Measure(code="ws_diverted", name="Diverted", unit="people",
                           polarity="higher_is_better", is_public=False,
                           **common)  # fmt: skip
        session.add_all([knife, diverted])
        session.flush()
        divert = Workstream(
            vru_area_id=areas[LANCS].id,
            name="Divert",
            purpose="p",
            lead_role="Lead",
            source_id=source.id,
        )
        schools = Workstream(vru_area_id=areas[AVON].id, name="Schools", purpose="p",
                             lead_role="Lead", source_id=source.id)  # fmt: skip
        session.add_all([divert, schools])
        session.flush()
        session.add(WorkstreamMeasure(workstream_id=divert.id, measure_id=diverted.id))
        series = {
            (knife.id, LANCS): [*BASE, 203],
            (knife.id, SURREY): [*BASE, 203],
            (knife.id, AVON): [*(10 * v for v in BASE), 2030],
            (knife.id, BURNLEY): [*BASE, 115],
            (diverted.id, LANCS): [2, 3] * 6 + [7],
        }
        for (measure_id, code), values in series.items():
            session.add_all(
                MeasureValue(measure_id=measure_id, area_id=areas[code].id,
                             period_start=q, period_end=_quarter_end(q), value=v,
                             source_id=source.id)
                for q, v in zip(QUARTERS, values, strict=True)
            )  # fmt: skip
        ids = {"divert": divert.id, "schools": schools.id}
    scopes = {}
    for name, role, extra in (
        ("admin", "admin", {}),
        ("analyst", "analyst", {}),
        ("lancs-lead", "lead", {"workstream_id": ids["divert"]}),
        ("avon-lead", "lead", {"workstream_id": ids["schools"]}),
        ("lancs-board", "viewer", {"area_codes": (LANCS,)}),
        ("avon-board", "viewer", {"area_codes": (AVON,)}),
    ):
        # scrypt costs a second a user; these users never sign in.
        monkeypatch.setattr(users, "generate_password_hash", lambda _p: "!")
        record, _ = users.create_user(
            username=name, role=role, role_title=f"{name} title", **extra
        )
        scopes[name] = record.scope()
    return {**ids, "scopes": scopes}


def _signals() -> set[tuple]:
    with session_scope() as session:
        rows = session.execute(
            select(
                Measure.code, Area.code, ExceptionItem.owner_role,
                ExceptionItem.workstream_id, ExceptionItem.signal,
                ExceptionItem.rules, ExceptionItem.period_start,
            )
            .join(Measure, Measure.id == ExceptionItem.measure_id)
            .join(Area, Area.id == ExceptionItem.area_id)
            .where(ExceptionItem.kind == "signal")
        ).all()  # fmt: skip
    return {tuple(r) for r in rows}


def _inbox_texts(scope) -> list[str]:
    return list(alerts.inbox(scope=scope)["text"])


def test_each_new_signal_is_one_exception_for_its_owner_and_never_raised_twice(world):
    first = exceptions.run_rules(trigger="test")
    last = QUARTERS[-1]
    assert _signals() == {
        ("knife", LANCS, "analyst", None, "special cause concerning",
         "outside limits", last),
        ("knife", AVON, "analyst", None, "special cause concerning",
         "outside limits", last),
        ("ws_diverted", LANCS, "lead", world["divert"], "special cause improving",
         "outside limits", last),
    }  # fmt: skip
    # Surrey (no VRU) is judged and signals, Burnley is common cause: neither
    # raises anything; England and Wales has no series here.
    assert first["series"] == 5 and first["signals"] == 4
    assert first["new"]["signal"] == 3
    again = exceptions.run_rules(trigger="test again")
    assert again["new"] == {"signal": 0, "overdue_return": 0, "underspend": 0}
    with session_scope() as session:
        assert session.scalar(select(func.count(ExceptionItem.id))) == sum(
            first["new"].values()
        )
        # One inbox entry per owner and exception, however many runs.
        assert session.scalar(
            select(func.count(Alert.id)).group_by(Alert.user_id, Alert.exception_id)
            .order_by(func.count(Alert.id).desc()).limit(1)
        ) == 1  # fmt: skip

    s = world["scopes"]
    lead_texts = _inbox_texts(s["lancs-lead"])
    assert [t for t in lead_texts if t.startswith("SPC")] == [
        "SPC signal: Diverted, Lancashire, 2025/26 Q2: special cause improving "
        "(outside limits). Figure: 7 people. Owner: Workstream lead, Divert."
    ]
    assert _inbox_texts(s["avon-lead"]) == []
    analyst = [t for t in _inbox_texts(s["analyst"]) if t.startswith("SPC")]
    assert len(analyst) == 2 and all("Owner: VRU analyst" in t for t in analyst)
    # Not owners, and by default only what is assigned to them.
    assert _inbox_texts(s["lancs-board"]) == _inbox_texts(s["avon-board"]) == []


def test_alerts_only_carry_figures_the_recipient_sees(world):
    s = world["scopes"]
    for name in ("lancs-board", "avon-board"):
        alerts.save_preferences(scope=s[name], choices={"assigned_only": False})
    exceptions.run_rules(trigger="test")
    lancs = " ".join(_inbox_texts(s["lancs-board"]))
    # The board member sees knife offences rounded to 5 (HES rule): 203 is 205.
    assert "Knife offences, Lancashire, 2025/26 Q2" in lancs and "Figure: 205 " in lancs
    assert "203" not in lancs
    # Avon's signal is outside their scope: not sent, not described.
    assert "Avon" not in lancs and "2,030" not in lancs
    avon_item = _exception_id("knife", AVON)
    assert alerts.describe(s["lancs-board"], avon_item) is None
    assert "Figure: 2,030 " in alerts.describe(s["avon-board"], avon_item)
    avon = " ".join(_inbox_texts(s["avon-board"]))
    assert "Lancashire" not in avon and "Diverted" not in avon
    # The analyst reads the unrounded figure.
    assert "Figure: 203 " in alerts.describe(
        s["analyst"], _exception_id("knife", LANCS)
    )


def _exception_id(code: str, area: str) -> int:
    with session_scope() as session:
        return session.scalar(
            select(ExceptionItem.id)
            .join(Measure, Measure.id == ExceptionItem.measure_id)
            .join(Area, Area.id == ExceptionItem.area_id)
            .where(Measure.code == code, Area.code == area)
        )


def test_owner_acknowledges_with_a_comment_and_the_board_pack_reads_open_ones(world):
    s = world["scopes"]
    empty = exceptions.open_exceptions(s["lancs-board"], LANCS)
    assert empty.empty and list(empty.columns) == [
        *exceptions.EXCEPTION_COLUMNS,
        "summary",
    ]
    exceptions.run_rules(trigger="test")
    item = _exception_id("ws_diverted", LANCS)
    for other in ("avon-lead", "lancs-board", "analyst"):
        with pytest.raises(AccessDenied):
            exceptions.acknowledge(scope=s[other], exception_id=item, comment="seen")
    with pytest.raises(InvalidParameter):
        exceptions.acknowledge(scope=s["lancs-lead"], exception_id=item, comment=" ")
    board = exceptions.open_exceptions(s["lancs-board"], LANCS)
    assert item in set(board["exception_id"])
    assert set(board["vru_code"]) == {LANCS}
    assert all(board["summary"].str.len() > 0)
    with session_scope() as session:
        generation = session.scalar(cache.generation_select())
    exceptions.acknowledge(
        scope=s["lancs-lead"], exception_id=item, comment="New referral route"
    )
    with session_scope() as session:
        audited = [
            (a.actor, a.user_id, a.action, a.entity, a.entity_id, a.before, a.after)
            for a in session.scalars(
                select(AuditLog).where(AuditLog.action == "acknowledge_exception")
            )
        ]
        # Exceptions are read live: acknowledging one makes no cached answer old.
        assert session.scalar(cache.generation_select()) == generation
    lead = s["lancs-lead"]
    assert audited == [
        (
            lead.actor,
            lead.user_id,
            "acknowledge_exception",
            "exception_item",
            str(item),
            None,
            '{"comment": "New referral route"}',
        )
    ]
    with pytest.raises(InvalidParameter):
        exceptions.acknowledge(scope=s["lancs-lead"], exception_id=item, comment="x")
    assert item not in set(
        exceptions.open_exceptions(s["lancs-board"], LANCS)["exception_id"]
    )
    done = exceptions.read_exceptions(scope=s["analyst"], ids=[item]).iloc[0]
    assert (done["status"], done["comment"]) == ("acknowledged", "New referral route")
    with pytest.raises(AccessDenied):
        exceptions.open_exceptions(s["avon-board"], LANCS)


# ----------------------------------------------------------------- e-mail


@pytest.fixture
def smtp_server(monkeypatch):
    """A real SMTP server on a free local port (aiosmtpd); yields the messages."""
    from aiosmtpd.controller import Controller

    received = []

    class Keep:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802, ANN001, ANN201
            received.append((envelope.rcpt_tos, envelope.content))
            return "250 OK"

    with socket.socket() as probe:  # a free port (aiosmtpd checks it can connect)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Keep(), hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(port))
    monkeypatch.setenv("ALERT_EMAIL_ADDRESS", "{username}@vru.example.org")
    yield received
    controller.stop()


def test_email_reaches_the_smtp_server_with_only_the_recipients_figures(
    world, smtp_server
):
    s = world["scopes"]
    alerts.save_preferences(
        scope=s["lancs-board"], choices={"assigned_only": False, "email": True}
    )
    alerts.save_preferences(scope=s["analyst"], choices={"email": True})
    exceptions.run_rules(trigger="test")
    by_recipient: dict[str, list] = {}
    for rcpt, content in smtp_server:
        message = email.message_from_bytes(content)
        by_recipient.setdefault(rcpt[0], []).append(message)
    board = by_recipient["lancs-board@vru.example.org"]
    bodies = " ".join(m.get_payload(decode=True).decode() for m in board)
    assert "Figure: 205 offences" in bodies and "Figure: 7 people" in bodies
    assert "203" not in bodies and "2,030" not in bodies and "Avon" not in bodies
    assert all(m["Subject"].endswith("Lancashire, 2025/26 Q2") for m in board)
    analyst = " ".join(
        m.get_payload(decode=True).decode()
        for m in by_recipient["analyst@vru.example.org"]
    )
    assert "Figure: 203 offences" in analyst and "Figure: 2,030 offences" in analyst
    # Nobody who left e-mail off got one.
    assert set(by_recipient) == {
        "lancs-board@vru.example.org",
        "analyst@vru.example.org",
    }
    with session_scope() as session:
        logged = session.execute(select(AlertDelivery.channel, AlertDelivery.ok)).all()
    assert logged and all(row == ("email", True) for row in logged)


def test_email_is_off_by_default(world, monkeypatch):
    monkeypatch.delenv("SMTP_HOST", raising=False)
    alerts.save_preferences(scope=world["scopes"]["analyst"], choices={"email": True})
    exceptions.run_rules(trigger="test")
    with session_scope() as session:
        assert session.scalar(select(func.count(AlertDelivery.id))) == 0


# ----------------------------------------------------------------- webhooks


@pytest.fixture
def receiver():
    """A local HTTP receiver answering from a script of status codes."""
    state = {"script": [], "requests": []}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802, ANN201
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state["requests"].append((self.headers, body))
            code = state["script"].pop(0) if state["script"] else 200
            self.send_response(code)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):  # noqa: ANN002, ANN201
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state["url"] = f"http://127.0.0.1:{server.server_port}/hook"
    state["host"] = f"127.0.0.1:{server.server_port}"
    yield state
    server.shutdown()


def test_webhook_is_signed_retried_with_backoff_and_logged(
    world, receiver, monkeypatch
):
    s = world["scopes"]
    waits = []
    monkeypatch.setattr(alert_delivery, "sleep", waits.append)
    monkeypatch.setenv("ALERT_WEBHOOK_BACKOFF_SECONDS", "2")
    with pytest.raises(InvalidParameter, match="not enabled"):
        alerts.save_preferences(
            scope=s["lancs-lead"], choices={"webhook_url": receiver["url"]}
        )
    monkeypatch.setenv("ALERT_WEBHOOK_HOSTS", receiver["host"])
    with pytest.raises(InvalidParameter, match="allows"):
        alerts.save_preferences(
            scope=s["lancs-lead"], choices={"webhook_url": "http://example.org/hook"}
        )
    alerts.save_preferences(
        scope=s["lancs-lead"], choices={"webhook_url": receiver["url"]}
    )
    secret = alerts.webhook_secret_for(s["lancs-lead"])
    with session_scope() as session:
        stored = session.get(AlertPreference, s["lancs-lead"].user_id)
        assert secret not in (stored.webhook_salt, stored.webhook_url)
    receiver["script"] = [503, 500]  # two failures, then accepted
    exceptions.run_rules(trigger="test")
    ws_alerts = [r for r in receiver["requests"] if b"Diverted" in r[1]]
    assert len(ws_alerts) == 3 and waits[:2] == [2.0, 4.0]
    headers, body = ws_alerts[-1]
    expected = hmac.new(
        secret.encode(), headers["X-VRU-Timestamp"].encode() + b"." + body,
        hashlib.sha256,
    ).hexdigest()  # fmt: skip
    assert headers["X-VRU-Signature"] == f"sha256={expected}"
    assert headers["Content-Type"] == "application/json"
    payload = json.loads(body)
    assert payload["kind"] == "signal" and "Figure: 7 people" in payload["text"]
    with session_scope() as session:
        log = session.execute(
            select(AlertDelivery.attempt, AlertDelivery.ok, AlertDelivery.outcome)
            .where(AlertDelivery.channel == "webhook")
            .order_by(AlertDelivery.id)
        ).all()
    assert [tuple(r) for r in log][:3] == [
        (1, False, "HTTP 503"), (2, False, "HTTP 500"), (3, True, "HTTP 200"),
    ]  # fmt: skip


def test_webhook_client_error_is_not_retried(world, receiver, monkeypatch):
    monkeypatch.setattr(alert_delivery, "sleep", lambda _s: None)
    monkeypatch.setenv("ALERT_WEBHOOK_HOSTS", receiver["host"])
    receiver["script"] = [410]
    ok = alert_delivery.post_webhook(
        alert_id=_an_alert(world), url=receiver["url"], secret="s", payload={"a": 1}
    )
    assert not ok and len(receiver["requests"]) == 1


def _an_alert(world) -> int:
    exceptions.run_rules(trigger="test")
    with session_scope() as session:
        return session.scalar(select(Alert.id).limit(1))


# --------------------------------------------------------------- Atom feed


def test_atom_feed_is_valid_and_its_token_can_be_revoked(world):
    import xml.etree.ElementTree as ET

    from app import app

    s = world["scopes"]
    exceptions.run_rules(trigger="test")
    client = app.server.test_client()
    token = alerts.new_feed_token(scope=s["lancs-lead"])
    with session_scope() as session:
        stored = session.get(AlertPreference, s["lancs-lead"].user_id).feed_token_hash
    assert stored == hashlib.sha256(token.encode()).hexdigest() and token not in stored
    answer = client.get(f"/feeds/alerts/{token}.atom")
    assert answer.status_code == 200
    assert answer.content_type.startswith("application/atom+xml")
    _check_atom(ET.fromstring(answer.data))
    assert b"Figure: 7 people" in answer.data and b"Avon" not in answer.data
    # A new token replaces the old; revoking ends the feed; unknown tokens 404.
    newer = alerts.new_feed_token(scope=s["lancs-lead"])
    assert client.get(f"/feeds/alerts/{token}.atom").status_code == 404
    assert client.get(f"/feeds/alerts/{newer}.atom").status_code == 200
    alerts.revoke_feed_token(scope=s["lancs-lead"])
    assert client.get(f"/feeds/alerts/{newer}.atom").status_code == 404
    assert client.get("/feeds/alerts/guess.atom").status_code == 404


def _check_atom(feed) -> None:
    """RFC 4287: the feed and each entry have exactly one id (an IRI), title and
    updated (an RFC 3339 date-time); the feed has an author; content is text."""
    ns = "{http://www.w3.org/2005/Atom}"
    assert feed.tag == f"{ns}feed"

    def one(parent, tag):
        found = parent.findall(f"{ns}{tag}")
        assert len(found) == 1, tag
        return found[0]

    for element in [feed, *feed.findall(f"{ns}entry")]:
        assert one(element, "id").text.startswith("http")
        assert one(element, "title").text
        dt.datetime.fromisoformat(one(element, "updated").text.replace("Z", "+00:00"))
    assert one(one(feed, "author"), "name").text
    entries = feed.findall(f"{ns}entry")
    assert entries and len({one(e, "id").text for e in entries}) == len(entries)
    for entry in entries:
        assert one(entry, "content").get("type") == "text"


# ----------------------------------------------------------------- the hook


def test_a_signal_after_an_approval_is_raised_in_the_background(world, monkeypatch):
    """The approval hook runs the rules after the commit, in a thread."""
    monkeypatch.setenv("ALERT_RULES_AFTER_COMMIT", "thread")
    thread = exceptions.after_commit("approval of return 1")
    assert thread is not None
    exceptions.wait_for_background()
    with session_scope() as session:
        triggers = set(session.scalars(select(ExceptionItem.trigger)))
    assert triggers == {"approval of return 1"} and len(_signals()) == 3
    monkeypatch.setenv("ALERT_RULES_AFTER_COMMIT", "off")
    assert exceptions.after_commit("approval of return 2") is None
