"""When each figure arrived in the store, and what a reader could have known at a
given moment: the ground for "since the last board" and for flagging commentary
written before a figure was revised.

The store keeps every edition of a figure (models.py: superseded rows stay with
`is_current` false). A figure *arrived* when it first counted:
- a figure from a quarterly return: when the return was approved (the audit log's
  `approve_return`, and `restore_submission` when a superseded return was made the
  approved one again: each such moment is an arrival); a return never approved
  never arrived;
- a figure from an imported ONS workbook: when the workbook was imported (its
  submission's `created_at`, written in the import's transaction);
- a figure loaded with the shipped data (no submission): its source's `retrieved`
  date, else the store's load time (`store_meta.loaded_at`).

The figure *known at* moment T, for one key (measure, area, period, age band), is
the one that was current at T, worked out from the arrivals up to T by the same
rules that make figures current: a figure from a return replaces whatever was
there before it (the latest approval wins, data_access.returns._flip); among
published editions the one ranked first by ons_import.edition_rank (latest
reference date, then precedence). At T = now that is exactly the current row.

A *revision* between T0 and T1 is a key whose known figure at T1 is a different
row from the one known at T0 and whose value differs; its date is the arrival of
the T1 figure. A key with no figure known at T0 and one at T1 is a *new figure*.

HISTORY_COLUMNS (figure_history): value_id, measure_id, measure_code, area_id,
period_start, period_end, age_band, value, is_current, from_return (bool),
source_title, reference_date, precedence, arrived_at (datetime; one row per
arrival, so a restored figure has two).
CHANGE_COLUMNS (changes_between): measure_code, area_id, period_start, period_end,
age_band, kind ("new" or "revised"), old_value, new_value, source_title,
changed_at (datetime of the new figure's arrival).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import select

from data_access.db import session_scope
from data_access.models import AuditLog, Measure, MeasureValue, Source, StoreMeta
from data_access.models import Submission as SubmissionRow

KEY = ["measure_code", "area_id", "period_start", "period_end", "age_band"]
HISTORY_COLUMNS = [
    "value_id",
    "measure_id",
    "measure_code",
    "area_id",
    "period_start",
    "period_end",
    "age_band",
    "value",
    "is_current",
    "from_return",
    "source_title",
    "reference_date",
    "precedence",
    "arrived_at",
]
CHANGE_COLUMNS = [
    "measure_code",
    "area_id",
    "period_start",
    "period_end",
    "age_band",
    "kind",
    "old_value",
    "new_value",
    "source_title",
    "changed_at",
]
ARRIVAL_ACTIONS = ("approve_return", "restore_submission")


def _at_midnight(day: dt.date | None) -> dt.datetime | None:
    return None if day is None else dt.datetime.combine(day, dt.time())


def figure_history(
    area_ids: list[int], measure_codes: list[str] | None = None
) -> pd.DataFrame:
    """Every published figure of these areas (and measures), one row per arrival
    (HISTORY_COLUMNS). Unscoped: callers check access first."""
    if not area_ids:
        return pd.DataFrame(columns=HISTORY_COLUMNS)
    query = (
        select(
            MeasureValue.id,
            Measure.id,
            Measure.code,
            MeasureValue.area_id,
            MeasureValue.period_start,
            MeasureValue.period_end,
            MeasureValue.age_band,
            MeasureValue.value,
            MeasureValue.is_current,
            MeasureValue.submission_id,
            SubmissionRow.kind,
            SubmissionRow.created_at,
            Source.title,
            Source.reference_date,
            Source.precedence,
            Source.retrieved,
        )
        .join(Measure, Measure.id == MeasureValue.measure_id)
        .join(Source, Source.id == MeasureValue.source_id)
        .outerjoin(SubmissionRow, SubmissionRow.id == MeasureValue.submission_id)
        .where(MeasureValue.area_id.in_(area_ids))
    )
    if measure_codes is not None:
        query = query.where(Measure.code.in_(list(measure_codes)))
    with session_scope() as session:
        rows = session.execute(query).all()
        return_ids = {str(r[9]) for r in rows if r[9] is not None and r[10] == "return"}
        approvals: dict[int, list[dt.datetime]] = {}
        if return_ids:
            for entity_id, at in session.execute(
                select(AuditLog.entity_id, AuditLog.at).where(
                    AuditLog.entity == "submission",
                    AuditLog.action.in_(ARRIVAL_ACTIONS),
                    AuditLog.entity_id.in_(sorted(return_ids)),
                )
            ):
                approvals.setdefault(int(entity_id), []).append(at)
        loaded = session.scalar(
            select(StoreMeta.value).where(StoreMeta.key == "loaded_at")
        )
    loaded_at = dt.datetime.fromisoformat(loaded) if loaded else dt.datetime.min
    out = []
    for r in rows:
        (value_id, measure_id, code, area_id, start, end, band, value, current) = r[:9]
        submission_id, kind, created = r[9], r[10], r[11]
        base = [
            value_id,
            measure_id,
            code,
            area_id,
            start,
            end,
            band,
            value,
            bool(current),
            kind == "return",
            r[12],
            r[13],
            r[14],
        ]
        if kind == "return":
            times = approvals.get(submission_id, [])
            if not times and current:
                # Made current outside the approval path (e.g. a direct load):
                # counts from when its return was created.
                times = [created or loaded_at]
        elif submission_id is not None:
            times = [created or loaded_at]
        else:
            times = [_at_midnight(r[15]) or loaded_at]
        out += [[*base, at] for at in times]
    frame = pd.DataFrame(out, columns=HISTORY_COLUMNS)
    frame["arrived_at"] = pd.to_datetime(frame["arrived_at"])
    return frame


def known_at(history: pd.DataFrame, at: dt.datetime | None) -> pd.DataFrame:
    """The figure of each key that was current at `at` (None: now, the current
    rows), one history row per key, with its latest arrival up to `at` as
    arrived_at. Keys with no figure by then are left out.

    Among the figures arrived by then: where a return's figure is among them, the
    latest approved one (a return replaces what was there); otherwise the edition
    ranked first by ons_import.edition_rank (a published figure before a missing
    one, then the latest reference date, then the lower precedence, then the
    later row)."""
    if history.empty:
        return history
    if at is None:
        current = history[history["is_current"]]
        return current.sort_values("arrived_at").groupby(KEY, sort=False).tail(1)
    seen = history[history["arrived_at"] <= pd.Timestamp(at)]
    if seen.empty:
        return seen
    returns = seen[seen["from_return"]]
    chosen_returns = (
        returns.sort_values(["arrived_at", "value_id"]).groupby(KEY, sort=False).tail(1)
    )
    others = seen[~seen["from_return"]]
    if not chosen_returns.empty:
        taken = chosen_returns[KEY].assign(_taken=True)
        others = others.merge(taken, on=KEY, how="left")
        others = others[others["_taken"].isna()].drop(columns="_taken")
    reference = others["reference_date"]
    ranked = others.assign(
        _has_value=others["value"].notna(),
        _has_reference=reference.notna(),
        # ISO dates sort as the dates do; "" (none) before any.
        _reference=[
            "" if d is None or pd.isna(d) else d.isoformat() for d in reference
        ],
        _precedence=-others["precedence"].fillna(0),
    )
    chosen_others = (
        ranked.sort_values(
            [
                "_has_value",
                "_has_reference",
                "_reference",
                "_precedence",
                "value_id",
                "arrived_at",
            ]
        )
        .groupby(KEY, sort=False)
        .tail(1)[list(history.columns)]
    )
    return pd.concat([chosen_returns, chosen_others], ignore_index=True)


def _differs(old, new) -> bool:  # noqa: ANN001
    old_missing = old is None or pd.isna(old)
    new_missing = new is None or pd.isna(new)
    if old_missing or new_missing:
        return old_missing != new_missing
    return float(old) != float(new)


def changes_between(
    history: pd.DataFrame, since: dt.datetime, until: dt.datetime | None = None
) -> pd.DataFrame:
    """New and revised figures between `since` (exclusive) and `until` (inclusive;
    None: now) as CHANGE_COLUMNS, oldest change first."""
    if history.empty:
        return pd.DataFrame(columns=CHANGE_COLUMNS)
    moved = history[history["arrived_at"] > pd.Timestamp(since)]
    if until is not None:
        moved = moved[moved["arrived_at"] <= pd.Timestamp(until)]
    if moved.empty:
        return pd.DataFrame(columns=CHANGE_COLUMNS)
    touched = moved[KEY].drop_duplicates()
    part = history.merge(touched, on=KEY)
    before = known_at(part, since)
    after = known_at(part, until)
    merged = after.merge(before, on=KEY, how="left", suffixes=("", "_old"))
    out = []
    for row in merged.itertuples(index=False):
        old_id = row.value_id_old
        if pd.isna(old_id):
            kind = "new"
        elif int(old_id) == int(row.value_id) or not _differs(row.value_old, row.value):
            continue
        else:
            kind = "revised"
        if row.arrived_at <= pd.Timestamp(since):
            continue
        out.append(
            [
                row.measure_code,
                row.area_id,
                row.period_start,
                row.period_end,
                row.age_band,
                kind,
                None if kind == "new" else row.value_old,
                row.value,
                row.source_title,
                row.arrived_at.to_pydatetime(),
            ]
        )
    frame = pd.DataFrame(out, columns=CHANGE_COLUMNS)
    return frame.sort_values("changed_at", kind="stable").reset_index(drop=True)


__all__ = [
    "CHANGE_COLUMNS",
    "HISTORY_COLUMNS",
    "changes_between",
    "figure_history",
    "known_at",
]
