"""Comparator groups a user saves (a named set of force areas to benchmark against).
Read and written through data_access/comparator_groups.py."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from data_access.models import Base

NAME_MAX = 80


class ComparatorGroup(Base):
    """A user's own comparator group; only its owner sees it. Names are unique
    per owner."""

    __tablename__ = "comparator_group"
    __table_args__ = (UniqueConstraint("owner_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now())


class ComparatorGroupArea(Base):
    """One force area of a saved comparator group."""

    __tablename__ = "comparator_group_area"
    group_id: Mapped[int] = mapped_column(
        ForeignKey("comparator_group.id", ondelete="CASCADE"), primary_key=True
    )
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), primary_key=True)
