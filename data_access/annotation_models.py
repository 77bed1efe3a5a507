"""Annotations: dated local events (a campaign, an operation, a recording change)
marked on an area's time charts. Read and written through data_access/annotations.py.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    String,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from data_access.models import Base

ANNOTATION_KINDS = ("campaign", "operation", "recording_change", "other")
LABEL_MAX = 120


class Annotation(Base):
    """One dated event on an area (and optionally one measure). `is_public` lets it
    show on the public embeds; otherwise only signed-in readers of the area see it.
    The author is kept as a user id (shown as a role title), never a name."""

    __tablename__ = "annotation"
    __table_args__ = (
        CheckConstraint(
            "kind IN (" + ", ".join(f"'{k}'" for k in ANNOTATION_KINDS) + ")",
            name="kind",
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    measure_id: Mapped[int | None] = mapped_column(ForeignKey("measure.id"))
    event_date: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(20))
    label: Mapped[str] = mapped_column(String(LABEL_MAX))
    is_public: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())
