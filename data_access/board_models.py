"""The board meeting cycle's tables: commentary (versioned, signed off), the
board's meeting dates, and its decisions and actions.

Conventions as in data_access/models.py: people appear only as role titles (plus
the user id, kept for the four-eyes rule and never shown); every change is also in
the audit log (data_access/audit.py). Dates of business events (a meeting, a due
date, the quarter a commentary is about) are dates on the app's clock; the moments
things were written or signed off are real timestamps (UTC, naive as elsewhere).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from data_access.models import Base, _one_of

COMMENTARY_STATUSES = ("draft", "signed_off")
ACTION_KINDS = ("decision", "action")
ACTION_STATUSES = ("open", "done", "dropped")


class Commentary(Base):
    """One version of the commentary on a VRU's measure for a quarter: what
    happened, why, and what next, in plain text.

    A new version is a new row (version 1, 2, ...); the highest version is the
    commentary shown. A version is a draft until an admin who did not write it
    signs it off; editing after sign-off makes a new draft version."""

    __tablename__ = "commentary"
    __table_args__ = (
        # Two people saving at once cannot both write version n.
        UniqueConstraint(
            "vru_area_id",
            "measure_id",
            "quarter_start",
            "version",
            name="uq_commentary_version",
        ),
        _one_of("status", COMMENTARY_STATUSES),
        Index("ix_commentary_vru_quarter", "vru_area_id", "quarter_start"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    vru_area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    measure_id: Mapped[int] = mapped_column(ForeignKey("measure.id"))
    quarter_start: Mapped[dt.date] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    author_role: Mapped[str] = mapped_column(String(160))
    written_at: Mapped[dt.datetime] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(12), default="draft")
    signed_off_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    signed_off_by_role: Mapped[str | None] = mapped_column(String(160))
    signed_off_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class BoardMeeting(Base):
    """A date on which a VRU's board met (or will meet)."""

    __tablename__ = "board_meeting"
    __table_args__ = (
        UniqueConstraint("vru_area_id", "meeting_date", name="uq_board_meeting"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    vru_area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    meeting_date: Mapped[dt.date] = mapped_column(Date)
    created_by_role: Mapped[str] = mapped_column(String(160))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class BoardAction(Base):
    """A decision or action of a VRU's board, tied to a measure and a quarter, with
    an owner (a role title), a due date and a status."""

    __tablename__ = "board_action"
    __table_args__ = (
        _one_of("kind", ACTION_KINDS),
        _one_of("status", ACTION_STATUSES),
        Index("ix_board_action_vru", "vru_area_id", "status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    vru_area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    measure_id: Mapped[int] = mapped_column(ForeignKey("measure.id"))
    quarter_start: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(Text)
    owner_role: Mapped[str] = mapped_column(String(160))
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="open")
    # The date it was decided: the meeting's date when recorded against one.
    decided_on: Mapped[dt.date] = mapped_column(Date)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("board_meeting.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_by_role: Mapped[str] = mapped_column(String(160))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_by_role: Mapped[str | None] = mapped_column(String(160))
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
