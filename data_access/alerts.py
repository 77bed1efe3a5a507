"""Alerts: each user chooses which exceptions reach them and how (an in-app inbox
with an unread count, e-mail, an Atom feed, a webhook); docs/alerts.md.

Who receives an exception: every active user whose preferences take its kind and
who either owns it (`assigned_only`, the default) or may read its VRU, and who can
see the figure it is about (below). Each gets one inbox entry (`Alert`, unique per
user and exception); e-mail and webhook deliveries follow when switched on.

No alert carries a figure its recipient could not see in the app: the words of
an alert are never stored. `describe(scope, row)` writes them when they are shown
or sent, reading the figure through the recipient's scope by the same roads the
pages use: data_access/outcomes/area_trends.py (public and area measures, disclosure
control for scoped users), data_access/workstreams.measure_trends (workstream measures)
and data_access.money.outturn.money_forecast (the forecast underspend). A signal whose
point the recipient cannot see (hidden by disclosure control, or outside their
scope) is not described at all, so it is not sent to them: the signal itself
would say something about the hidden figure.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import math
import secrets
from typing import Any

import pandas as pd
from sqlalchemy import func, select, update

import settings
from data_access import alert_delivery, workstreams
from data_access.alert_models import Alert, AlertPreference, ExceptionItem
from data_access.db import session_scope
from data_access.errors import AccessDenied, DataAccessError, InvalidParameter
from data_access.models import Area, MeasureValue, Source, User
from data_access.money import outturn
from data_access.number_format import money_text
from data_access.outcomes import area_trends
from data_access.scope import Scope

log = logging.getLogger(__name__)

KIND_PREFERENCE = {
    "signal": "signals",
    "overdue_return": "overdue_returns",
    "underspend": "underspends",
}
DEFAULT_PREFERENCES = {
    "signals": True,
    "overdue_returns": True,
    "underspends": True,
    "assigned_only": True,
    "email": False,
    "webhook_url": None,
    "has_feed": False,
}
INBOX_COLUMNS = ["alert_id", "exception_id", "created_at", "read", "kind", "text"]


# ------------------------------------------------------------------ the words


def _number(value: float) -> str:
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


class _Figures:
    """Figures as one reader sees them, read once per series in one call."""

    def __init__(self, scope: Scope):
        self.scope = scope
        self._series: dict[tuple, dict] = {}

    def preload(self, frame: pd.DataFrame) -> None:
        """Admins and analysts see every stored figure undisclosed: the points of
        all the signals in `frame` are read in one query (the figures the trend
        pages show them, which are these stored current values)."""
        if self.scope.needs_disclosure_control:
            return
        signals = frame[frame["kind"] == "signal"]
        if signals.empty:
            return
        found = stored_points(signals["exception_id"].tolist())
        for row in signals.itertuples():
            key = self._key(row)
            self._series.setdefault(key, {})
            if row.exception_id in found:
                self._series[key][row.period_start] = found[row.exception_id]

    @staticmethod
    def _key(row) -> tuple:  # noqa: ANN001
        return (
            row.measure_code,
            row.area_code,
            row.length,
            row.age_band,
            row.workstream_id,
        )

    def point(self, row) -> tuple[float, bool] | None:  # noqa: ANN001
        """(the point's figure, whether it is illustrative) as the reader sees
        it, or None when the reader may not see it."""
        key = self._key(row)
        if key not in self._series:
            self._series[key] = self._read(row)
        return self._series[key].get(row.period_start)

    def _read(self, row) -> dict:  # noqa: ANN001
        try:
            if row.workstream_id is not None and not row.is_public:
                frame = workstreams.measure_trends(
                    scope=self.scope, workstream_id=int(row.workstream_id)
                )
                frame = frame[frame["measure_code"] == row.measure_code]
            else:
                frame = area_trends.trend_with_benchmark(
                    scope=self.scope,
                    measure_code=row.measure_code,
                    area_code=row.area_code,
                    length=row.length,
                    age_band=row.age_band,
                )
                frame = frame[frame["role"] == "area"]
        except DataAccessError:
            return {}
        figures = {}
        for start, value, hidden, illustrative in zip(
            frame["period_start"],
            frame["value"],
            frame["suppressed"],
            frame["illustrative"],
            strict=True,
        ):
            if bool(hidden) or value is None or math.isnan(float(value)):
                continue  # hidden from this reader: the point is not theirs to see
            figures[start] = (float(value), bool(illustrative))
        return figures


def _describe(scope: Scope, row, figures: _Figures) -> str | None:  # noqa: ANN001
    owner = f"Owner: {row.owner}."
    if row.kind == "signal":
        point = figures.point(row)
        if point is None:
            return None
        value, illustrative = point
        band = " (aged under 25)" if row.age_band == "under25" else ""
        rules = f" ({row.rules})" if row.rules else ""
        unit = f" {row.unit}" if row.unit and row.unit != "%" else (row.unit or "")
        label = " (Illustrative data)" if illustrative else ""
        return (
            f"SPC signal: {row.measure_name}{band}, {row.area_name}, {row.period}: "
            f"{row.signal}{rules}. Figure: {_number(value)}{unit}{label}. {owner}"
        )
    if row.kind == "overdue_return":
        return (
            f"Overdue return: {row.workstream_name} ({row.vru_name}), {row.period} "
            f"return: {row.signal}, {row.rules}. {owner}"
        )
    try:
        forecast = outturn.money_forecast(
            scope=scope,
            area_code=row.vru_code,
            financial_year=int(row.period_start.year),
        )
    except DataAccessError:
        return None
    under, grant = forecast["projected_underspend"], forecast["allocation"]
    if under is None or not grant:
        return None
    approx = "about " if forecast["approximate"] else ""
    label = " (Illustrative data)" if forecast["illustrative"] else ""
    return (
        f"Forecast underspend: {row.vru_name} {row.period} ({row.signal}, "
        f"{row.rules}): projected underspend now {approx}{money_text(under)}, "
        f"against a grant of {approx}{money_text(grant)}{label}. {owner}"
    )


def stored_points(exception_ids: list[int]) -> dict[int, tuple[float, bool]]:
    """The current stored figure at each signal's point, undisclosed, with
    whether it is illustrative: {exception id: (value, illustrative)}; only for
    readers who see figures undisclosed (admins and analysts)."""
    found = {}
    with session_scope() as session:
        for lo in range(0, len(exception_ids), 500):
            rows = session.execute(
                select(ExceptionItem.id, MeasureValue.value, Source.illustrative)
                .join(
                    MeasureValue,
                    (MeasureValue.measure_id == ExceptionItem.measure_id)
                    & (MeasureValue.area_id == ExceptionItem.area_id)
                    & (MeasureValue.age_band == ExceptionItem.age_band)
                    & (MeasureValue.period_months == ExceptionItem.period_months)
                    & (MeasureValue.period_start == ExceptionItem.period_start)
                    & MeasureValue.is_current,
                )
                .join(Source, Source.id == MeasureValue.source_id)
                .where(ExceptionItem.id.in_(exception_ids[lo : lo + 500]))
            ).all()
            for exception_id, value, illustrative in rows:
                if value is not None:
                    found[exception_id] = (float(value), bool(illustrative))
    return found


def describe_many(scope: Scope, frame: pd.DataFrame) -> list[str | None]:
    """Each exception of a read_exceptions frame in words for `scope`, or None
    where the reader may not see what it is about."""
    figures = _Figures(scope)
    figures.preload(frame)
    return [_describe(scope, row, figures) for row in frame.itertuples()]


def describe(scope: Scope, exception_id: int) -> str | None:
    """One exception in words for `scope` (None: not for this reader)."""
    from data_access.exceptions import read_exceptions

    try:
        frame = read_exceptions(scope=scope, ids=[int(exception_id)])
    except AccessDenied:
        return None
    if frame.empty:
        return None
    return describe_many(scope, frame)[0]


# ----------------------------------------------------------------- preferences


def preferences(user_id: int) -> dict[str, Any]:
    """A user's choices (DEFAULT_PREFERENCES until they save their own)."""
    with session_scope() as session:
        row = session.get(AlertPreference, int(user_id))
        if row is None:
            return dict(DEFAULT_PREFERENCES)
        return {
            "signals": row.signals,
            "overdue_returns": row.overdue_returns,
            "underspends": row.underspends,
            "assigned_only": row.assigned_only,
            "email": row.email,
            "webhook_url": row.webhook_url,
            "has_feed": row.feed_token_hash is not None,
        }


def _preference_row(session, user_id: int) -> AlertPreference:  # noqa: ANN001
    row = session.get(AlertPreference, user_id, with_for_update=True)
    if row is None:
        row = AlertPreference(user_id=user_id, **_stored_defaults())
        session.add(row)
    return row


def _stored_defaults() -> dict:
    return {k: v for k, v in DEFAULT_PREFERENCES.items() if k not in ("has_feed",)}


def check_webhook_url(url: str) -> str:
    """A webhook address the app may call: http(s) to a host listed in
    ALERT_WEBHOOK_HOSTS (none listed: webhooks are off)."""
    from urllib.parse import urlsplit

    url = (url or "").strip()
    allowed = settings.alert_webhook_hosts()
    if not allowed:
        raise InvalidParameter("webhook", "webhooks are not enabled on this service")
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    netloc = f"{host}:{parts.port}" if parts.port else host
    if (
        parts.scheme not in ("http", "https")
        or len(url) > 500
        or not host
        or parts.username
        or parts.password
        or (host not in allowed and netloc not in allowed)
    ):
        raise InvalidParameter(
            "webhook",
            "the webhook must be an http(s) address on a host this service allows: "
            + ", ".join(sorted(allowed)),
        )
    return url


def save_preferences(*, scope: Scope, choices: dict[str, Any]) -> dict[str, Any]:
    """Save the caller's own choices (kinds, assigned only, e-mail, webhook URL;
    an empty URL removes the webhook). Returns the saved preferences."""
    if scope.user_id is None or scope.is_public:
        raise AccessDenied("sign in to choose your alerts")
    url = choices.get("webhook_url")
    url = check_webhook_url(url) if url else None
    with session_scope() as session:
        row = _preference_row(session, scope.user_id)
        for key in (
            "signals",
            "overdue_returns",
            "underspends",
            "assigned_only",
            "email",
        ):
            if key in choices:
                setattr(row, key, bool(choices[key]))
        if url != row.webhook_url:
            row.webhook_url = url
            row.webhook_salt = secrets.token_hex(16) if url else None
    return preferences(scope.user_id)


def webhook_secret(salt: str) -> str:
    """The signing secret of one webhook: HMAC-SHA256(SECRET_KEY, salt), so the
    store holds no secret; changing the URL (a new salt) changes the secret."""
    return hmac.new(
        settings.secret_key().encode(), salt.encode(), hashlib.sha256
    ).hexdigest()


def webhook_secret_for(scope: Scope) -> str | None:
    """The caller's own webhook secret, to configure their receiver."""
    with session_scope() as session:
        row = session.get(AlertPreference, scope.user_id)
        salt = None if row is None else row.webhook_salt
    return None if salt is None else webhook_secret(salt)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_feed_token(*, scope: Scope) -> str:
    """A new Atom feed token for the caller (shown once; only its hash is kept);
    any earlier token stops working."""
    if scope.user_id is None or scope.is_public:
        raise AccessDenied("sign in to get a feed address")
    token = secrets.token_urlsafe(32)
    with session_scope() as session:
        _preference_row(session, scope.user_id).feed_token_hash = _token_hash(token)
    return token


def revoke_feed_token(*, scope: Scope) -> None:
    if scope.user_id is None:
        raise AccessDenied("sign in to revoke your feed address")
    with session_scope() as session:
        row = session.get(AlertPreference, scope.user_id)
        if row is not None:
            row.feed_token_hash = None


def feed_user(token: str) -> int | None:
    """The active user a feed token belongs to, or None (unknown or revoked)."""
    if not token or len(token) > 100:
        return None
    with session_scope() as session:
        return session.scalar(
            select(User.id)
            .join(AlertPreference, AlertPreference.user_id == User.id)
            .where(AlertPreference.feed_token_hash == _token_hash(token), User.active)
        )


# ----------------------------------------------------------------- the inbox


def inbox(*, scope: Scope, limit: int = 100) -> pd.DataFrame:
    """The caller's alerts, newest first (INBOX_COLUMNS), each in words written
    now through the caller's current scope; an alert whose subject the caller
    can no longer see is left out."""
    from data_access.exceptions import read_exceptions

    if scope.user_id is None or scope.is_public:
        raise AccessDenied("sign in to see your alerts")
    with session_scope() as session:
        rows = session.execute(
            select(Alert.id, Alert.exception_id, Alert.created_at, Alert.read_at)
            .where(Alert.user_id == scope.user_id)
            .order_by(Alert.id.desc())
            .limit(limit)
        ).all()
    if not rows:
        return pd.DataFrame(columns=INBOX_COLUMNS)
    frame = read_exceptions(scope=scope, ids=[r[1] for r in rows])
    texts = dict(zip(frame["exception_id"], describe_many(scope, frame), strict=True))
    kinds = dict(zip(frame["exception_id"], frame["kind_label"], strict=True))
    records = [
        {
            "alert_id": alert_id,
            "exception_id": exception_id,
            "created_at": created,
            "read": read_at is not None,
            "kind": kinds[exception_id],
            "text": texts[exception_id],
        }
        for alert_id, exception_id, created, read_at in rows
        if texts.get(exception_id)
    ]
    return pd.DataFrame(records, columns=INBOX_COLUMNS)


def unread_count(*, scope: Scope) -> int:
    """How many of the caller's alerts are unread (the shell header's badge)."""
    if scope.user_id is None or scope.is_public:
        return 0
    with session_scope() as session:
        return int(
            session.scalar(
                select(func.count(Alert.id)).where(
                    Alert.user_id == scope.user_id, Alert.read_at.is_(None)
                )
            )
        )


def mark_read(*, scope: Scope, alert_ids: list[int] | None = None) -> int:
    """Mark the caller's own alerts read (all of them when `alert_ids` is None)."""
    if scope.user_id is None or scope.is_public:
        raise AccessDenied("sign in to see your alerts")
    query = update(Alert).where(Alert.user_id == scope.user_id, Alert.read_at.is_(None))
    if alert_ids is not None:
        query = query.where(Alert.id.in_([int(a) for a in alert_ids]))
    with session_scope() as session:
        result = session.execute(query.values(read_at=_now()))
        return int(result.rowcount or 0)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


# ----------------------------------------------------------------- dispatch


def _wants(prefs: AlertPreference | None) -> dict[str, bool]:
    if prefs is None:
        return DEFAULT_PREFERENCES
    return {
        "signals": prefs.signals,
        "overdue_returns": prefs.overdue_returns,
        "underspends": prefs.underspends,
        "assigned_only": prefs.assigned_only,
    }


def _recipients(exception_ids: list[int]) -> list[dict]:
    """For each active user, the new exceptions they receive: those of a kind
    they chose that they own, or (not assigned_only) whose VRU they may read;
    with their preferences."""
    from data_access import users
    from data_access.exceptions import owners_of

    with session_scope() as session:
        items = []
        for lo in range(0, len(exception_ids), 500):
            items += session.execute(
                select(ExceptionItem, Area.code)
                .join(Area, Area.id == ExceptionItem.vru_area_id)
                .where(ExceptionItem.id.in_(exception_ids[lo : lo + 500]))
            ).all()
        owners = {}
        for item, _code in items:
            key = (item.owner_role, item.workstream_id)
            if key not in owners:
                owners[key] = set(owners_of(session, item))
        stored = {row.user_id: row for row in session.scalars(select(AlertPreference))}
    chosen = []
    for user in users.list_users():
        if not user.active:
            continue
        prefs = stored.get(user.id)
        wants = _wants(prefs)
        scope = user.scope()
        ids = [
            item.id
            for item, vru_code in items
            if wants[KIND_PREFERENCE[item.kind]]
            and (
                user.id in owners[(item.owner_role, item.workstream_id)]
                or (not wants["assigned_only"] and scope.can_read_area(vru_code))
            )
        ]
        if ids:
            chosen.append({"user": user, "scope": scope, "prefs": prefs, "ids": ids})
    return chosen


def dispatch(exception_ids: list[int]) -> int:
    """Give each new exception to its recipients: an inbox entry each, then the
    e-mails and webhook calls they chose. Returns the number of inbox entries.
    Each recipient's exceptions are read and worded through their own scope; one
    they cannot see (or whose figure is hidden from them) is not given to them."""
    from data_access.exceptions import read_exceptions

    made = 0
    for recipient in _recipients(list(exception_ids)):
        scope = recipient["scope"]
        frame = read_exceptions(scope=scope, ids=recipient["ids"])
        frame = frame.sort_values("exception_id")
        for (_, row), text in zip(
            frame.iterrows(), describe_many(scope, frame), strict=True
        ):
            if text is None:
                continue  # the recipient cannot see what it is about
            alert_id = _add_alert(recipient["user"].id, int(row["exception_id"]))
            if alert_id is None:
                continue
            made += 1
            _deliver(recipient, alert_id, row, text)
    return made


def _add_alert(user_id: int, exception_id: int) -> int | None:
    from sqlalchemy.exc import IntegrityError

    try:
        with session_scope() as session:
            alert = Alert(user_id=user_id, exception_id=exception_id)
            session.add(alert)
            session.flush()
            return alert.id
    except IntegrityError:
        return None  # already in their inbox


def _deliver(recipient: dict, alert_id: int, row: pd.Series, text: str) -> None:
    prefs = recipient["prefs"]
    user = recipient["user"]
    link = f"{settings.app_base_url()}/alerts"
    if prefs is not None and prefs.email:
        alert_delivery.send_email(
            alert_id=alert_id,
            username=user.username,
            subject=f"{row['kind_label']}: {row['vru_name']}, {row['period']}",
            body=f"{text}\n\nSee and acknowledge it at {link}\n",
        )
    if prefs is not None and prefs.webhook_url and prefs.webhook_salt:
        alert_delivery.post_webhook(
            alert_id=alert_id,
            url=prefs.webhook_url,
            secret=webhook_secret(prefs.webhook_salt),
            payload={
                "alert_id": alert_id,
                "exception_id": int(row["exception_id"]),
                "kind": row["kind"],
                "vru": row["vru_name"],
                "period": row["period"],
                "text": text,
                "link": link,
            },
        )
