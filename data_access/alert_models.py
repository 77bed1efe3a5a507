"""Tables for exceptions (SPC signals, overdue returns, forecast underspends routed
to the owner of the measure) and the alerts users receive about them.

- `ExceptionItem`: one exception. `dedupe_key` is unique, so the same signal on
  the same point (or the same late quarter, or the same forecast) is raised once
  however many runs see it. No figure is stored: alert and page text reads the
  figure through the reader's scope when it is shown (data_access/alerts.py).
- `AlertPreference`: what one user receives and through which channels; the Atom
  feed token is stored only as its SHA-256; the webhook's signing secret is not
  stored at all (derived from SECRET_KEY and a per-user salt).
- `Alert`: one exception in one user's inbox (read or unread).
- `AlertDelivery`: the delivery log of e-mails and webhook calls, one row per
  attempt.

People appear only as user ids; no e-mail address is stored (DESIGN.md).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from data_access.models import Base, _one_of

EXCEPTION_KINDS = ("signal", "overdue_return", "underspend")
OWNER_ROLES = ("lead", "analyst", "admin")
EXCEPTION_STATUSES = ("open", "acknowledged")
DELIVERY_CHANNELS = ("email", "webhook")


class ExceptionItem(Base):
    """Something the owner of a measure must look at, until they acknowledge it."""

    __tablename__ = "exception_item"
    __table_args__ = (
        _one_of("kind", EXCEPTION_KINDS),
        _one_of("owner_role", OWNER_ROLES),
        _one_of("status", EXCEPTION_STATUSES),
        Index("ix_exception_item_vru_status", "vru_area_id", "status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    # Unique: what makes two sightings the same exception (kind, series, point).
    dedupe_key: Mapped[str] = mapped_column(String(300), unique=True)
    # The VRU (force area) whose board and owners see it.
    vru_area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    # The series' area (the VRU's force area or one of its local authorities).
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    measure_id: Mapped[int | None] = mapped_column(ForeignKey("measure.id"))
    workstream_id: Mapped[int | None] = mapped_column(ForeignKey("workstream.id"))
    age_band: Mapped[str | None] = mapped_column(String(12))
    period_months: Mapped[int | None] = mapped_column(Integer)
    # The signal's point, the late quarter, or the forecast's financial year start.
    period_start: Mapped[dt.date] = mapped_column(Date)
    # Signals: the point type and the rules that fired; others: a short reason.
    signal: Mapped[str | None] = mapped_column(String(40))
    rules: Mapped[str | None] = mapped_column(String(200))
    owner_role: Mapped[str] = mapped_column(String(10))
    trigger: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())
    status: Mapped[str] = mapped_column(String(12), default="open")
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    comment: Mapped[str | None] = mapped_column(Text)


class AlertPreference(Base):
    """What one user receives, by kind and channel (the preferences page)."""

    __tablename__ = "alert_preference"
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), primary_key=True)
    signals: Mapped[bool] = mapped_column(Boolean, default=True)
    overdue_returns: Mapped[bool] = mapped_column(Boolean, default=True)
    underspends: Mapped[bool] = mapped_column(Boolean, default=True)
    # True: only exceptions the user owns; False: every one in their scope.
    assigned_only: Mapped[bool] = mapped_column(Boolean, default=True)
    email: Mapped[bool] = mapped_column(Boolean, default=False)
    # SHA-256 of the Atom feed token (the token itself is shown once).
    feed_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    webhook_url: Mapped[str | None] = mapped_column(String(500))
    # The webhook secret is HMAC(SECRET_KEY, salt): nothing secret is stored.
    webhook_salt: Mapped[str | None] = mapped_column(String(64))


class Alert(Base):
    """One exception in one user's inbox."""

    __tablename__ = "alert"
    __table_args__ = (
        UniqueConstraint("user_id", "exception_id"),
        Index("ix_alert_user_read", "user_id", "read_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    exception_id: Mapped[int] = mapped_column(ForeignKey("exception_item.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())
    read_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class AlertDelivery(Base):
    """One attempt to deliver an alert by e-mail or webhook, and its outcome."""

    __tablename__ = "alert_delivery"
    __table_args__ = (_one_of("channel", DELIVERY_CHANNELS),)
    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alert.id"), index=True)
    channel: Mapped[str] = mapped_column(String(10))
    attempt: Mapped[int] = mapped_column(Integer)
    at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())
    ok: Mapped[bool] = mapped_column(Boolean)
    # HTTP status or SMTP reply, or the error's class and message (no secrets).
    outcome: Mapped[str] = mapped_column(String(300))
