"""The board packs made: who made which pack, when, with what parameters, its
SHA-256 and the file itself, so a pack can be downloaded again exactly as it was
(data_access/pack_records.py reads and writes them)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Date,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from data_access.models import Base, _one_of

PACK_AUDIENCES = ("internal", "publication")
PACK_FORMATS = ("pptx", "pdf")


class BoardPack(Base):
    """One board pack made (DESIGN.md "Board meetings")."""

    __tablename__ = "board_pack"
    __table_args__ = (
        _one_of("audience", PACK_AUDIENCES),
        _one_of("format", PACK_FORMATS),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    made_at: Mapped[dt.datetime] = mapped_column(DateTime)
    made_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    made_by: Mapped[str] = mapped_column(String(120))  # role title or "system"
    vru_code: Mapped[str] = mapped_column(String(12), index=True)
    quarter_start: Mapped[dt.date] = mapped_column(Date)
    meeting_date: Mapped[dt.date | None] = mapped_column(Date)
    audience: Mapped[str] = mapped_column(String(12))
    format: Mapped[str] = mapped_column(String(4))
    sections: Mapped[str] = mapped_column(Text)  # JSON list of section keys
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
