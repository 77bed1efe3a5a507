"""Board packs made and kept: record one (who, when, parameters, SHA-256, the file),
list them and fetch one again, access-checked like the pack itself.

A pack is recorded as it was made, with its bytes, so a download months later is
the same file the board saw (its SHA-256 says so). Only someone who may read the
pack's VRU can list or download it (`Scope.require_area`); the public none. Every
pack made is also in the audit log.

- record_pack(*, scope, pack, fmt, content) -> PackRecord
- list_packs(*, scope, vru_code=None, limit=50) -> list[PackRecord] (newest first,
  without the file)
- get_pack(*, scope, pack_id) -> (PackRecord, bytes)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, fields

from sqlalchemy import select
from sqlalchemy.orm import defer

from data_access import audit
from data_access.areas import get_area
from data_access.board_pack import FORMATS, Pack
from data_access.db import session_scope
from data_access.errors import AccessDenied, InvalidParameter, NotFound
from data_access.pack_models import BoardPack
from data_access.scope import Scope


@dataclass(frozen=True)
class PackRecord:
    id: int
    made_at: dt.datetime
    made_by: str
    vru_code: str
    quarter_start: dt.date
    meeting_date: dt.date | None
    audience: str
    format: str
    sections: list[str]
    filename: str
    sha256: str
    size: int


def _record(row: BoardPack) -> PackRecord:
    """A board_pack row (or a row of its columns) as a PackRecord: its columns of
    the same names but the file, the sections decoded from JSON."""
    values = {field.name: getattr(row, field.name) for field in fields(PackRecord)}
    return PackRecord(**{**values, "sections": json.loads(row.sections)})


def pack_filename(pack: Pack, fmt: str) -> str:
    """e.g. board-pack-E23000036-2026-27-Q2-20261204-1718.pptx (safe characters)."""
    quarter = pack.quarter_label.replace("/", "-").replace(" ", "-")
    audience = "-public" if pack.audience == "publication" else ""
    return (
        f"board-pack-{pack.vru_code}-{quarter}{audience}-"
        f"{pack.made_at:%Y%m%d-%H%M}.{fmt}"
    )


def _require_reader(scope: Scope, vru_code: str) -> None:
    if scope.is_public:
        raise AccessDenied("sign in to see board packs")
    area = get_area(vru_code)
    scope.require_area(area.code, area.parent_code)


def record_pack(*, scope: Scope, pack: Pack, fmt: str, content: bytes) -> PackRecord:
    """Keep a pack just made by `scope`, with its SHA-256, and audit it."""
    if fmt not in FORMATS:
        raise InvalidParameter("format", "choose pptx or pdf")
    _require_reader(scope, pack.vru_code)
    digest = hashlib.sha256(content).hexdigest()
    with session_scope() as session:
        row = BoardPack(
            made_at=pack.made_at,
            made_by_id=scope.user_id,
            made_by=scope.actor,
            vru_code=pack.vru_code,
            quarter_start=pack.quarter_start,
            meeting_date=pack.meeting_date,
            audience=pack.audience,
            format=fmt,
            sections=json.dumps(pack.sections),
            filename=pack_filename(pack, fmt),
            sha256=digest,
            size=len(content),
            content=content,
        )
        # A pack changes no figure: nothing cached goes stale.
        audit.record_new(
            session,
            scope,
            row,
            invalidate=False,
            action="make_board_pack",
            after={
                "vru_code": pack.vru_code,
                "quarter": pack.quarter_label,
                "meeting_date": pack.meeting_date,
                "audience": pack.audience,
                "format": fmt,
                "sections": pack.sections,
                "sha256": digest,
            },
        )
        return _record(row)


def list_packs(
    *, scope: Scope, vru_code: str | None = None, limit: int = 50
) -> list[PackRecord]:
    """Packs the caller may read (their VRUs), newest first."""
    if scope.is_public:
        raise AccessDenied("sign in to see board packs")
    if vru_code is not None:
        _require_reader(scope, vru_code)
    columns = [c for c in BoardPack.__table__.columns if c.name != "content"]
    query = select(*columns).order_by(BoardPack.id.desc())
    if vru_code is not None:
        query = query.where(BoardPack.vru_code == vru_code)
    elif not scope.unrestricted:
        query = query.where(BoardPack.vru_code.in_(sorted(scope.area_codes)))
    with session_scope() as session:
        rows = session.execute(query.limit(limit)).all()
    return [_record(row) for row in rows]


def get_pack(*, scope: Scope, pack_id: int) -> tuple[PackRecord, bytes]:
    """One kept pack and its file; NotFound, or AccessDenied outside the caller's
    VRUs (checked before the file is read)."""
    with session_scope() as session:
        row = session.get(BoardPack, int(pack_id), options=[defer(BoardPack.content)])
        if row is None:
            raise NotFound(f"no board pack {pack_id}")
        _require_reader(scope, row.vru_code)
        return _record(row), bytes(row.content)


__all__ = ["PackRecord", "get_pack", "list_packs", "pack_filename", "record_pack"]
