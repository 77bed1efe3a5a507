"""Facts about the store for the shell: when data was loaded, the latest period."""

from __future__ import annotations

from sqlalchemy import func, select

from data_access import periods
from data_access.cache import memoized
from data_access.db import session_scope
from data_access.models import MeasureValue, StoreMeta


@memoized
def data_as_at() -> dict:
    """{'loaded_at': ISO text or None, 'latest_period': label or None}."""
    with session_scope() as session:
        loaded = session.scalar(
            select(StoreMeta.value).where(StoreMeta.key == "loaded_at")
        )
        latest = session.execute(
            select(MeasureValue.period_start, MeasureValue.period_end)
            .where(MeasureValue.is_current)
            .order_by(MeasureValue.period_end.desc())
            .limit(1)
        ).first()
    return {
        "loaded_at": loaded,
        "latest_period": periods.period_label(*latest) if latest else None,
    }


@memoized
def area_picker_options() -> list[dict]:
    """Areas for pickers: England and Wales, force areas (VRUs marked) and LADs."""
    from data_access.areas import list_areas

    frame = list_areas()
    order = {"country": 0, "pfa": 1, "lad": 2}
    frame = frame[frame["level"].isin(order)].copy()
    frame["order"] = frame["level"].map(order)
    frame = frame.sort_values(["order", "name"])
    return [
        {
            "value": row.code,
            "label": f"{row.name} (VRU)" if row.is_vru else row.name,
            "level": row.level,
        }
        for row in frame.itertuples()
    ]


def store_has_data() -> bool:
    with session_scope() as session:
        return bool(session.scalar(select(func.count(MeasureValue.id))))
