"""Facts about the store for the shell: when data was loaded, the latest period."""

from __future__ import annotations

from sqlalchemy import func, select

from data_access import periods
from data_access.cache import memoized
from data_access.db import session_scope
from data_access.models import Measure, MeasureValue, StoreMeta


def _latest_of_measure(column):  # noqa: ANN001, ANN202 - SQLAlchemy column and subquery
    """SQL: `column` of the outer Measure's latest current figure (latest end,
    then latest start): one backward probe of ix_measure_value_current_latest."""
    return (
        select(column)
        .where(MeasureValue.measure_id == Measure.id, MeasureValue.is_current)
        .order_by(MeasureValue.period_end.desc(), MeasureValue.period_start.desc())
        .limit(1)
        .correlate(Measure)
        .scalar_subquery()
    )


@memoized
def data_as_at() -> dict:
    """{'loaded_at': ISO text or None, 'latest_period': label or None}.

    The latest period is that of the current figure ending last; of periods
    ending that day (a year and its fourth quarter) the shortest, the one that
    started last. Read per measure, two index probes each (its latest end and
    start), so the cost does not grow with the values stored: the whole-table
    sort it replaces read every current value (218 ms on PostgreSQL at 10
    million output rows, on every page a browser loaded with the cache off)."""
    end = _latest_of_measure(MeasureValue.period_end)
    start = _latest_of_measure(MeasureValue.period_start)
    latest = (
        select(start, end)
        .select_from(Measure)
        .where(end.is_not(None))
        .order_by(end.desc(), start.desc())
        .limit(1)
    )
    with session_scope() as session:
        loaded = session.scalar(
            select(StoreMeta.value).where(StoreMeta.key == "loaded_at")
        )
        row = session.execute(latest).first()
    return {
        "loaded_at": loaded,
        "latest_period": periods.period_label(*row) if row else None,
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
