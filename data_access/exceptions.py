"""Exceptions routed to owners: SPC signals, overdue returns and forecast
underspends, each assigned to the owner of what it is about (docs/alerts.md).

When the rules run
- after every return approval and ONS import, once the write has committed, in a
  background thread of the same process (`after_commit`; the request does not
  wait; ALERT_RULES_AFTER_COMMIT=off leaves it to the scheduled run);
- on a schedule: `flask --app app run-rules` (cron or a platform scheduler).
A run repeats nothing: every exception has a unique `dedupe_key`, so a signal on
the same point, a late quarter or a forecast is raised once however many runs see
it (two runs at once included: the second insert of a key is refused).

The rules
- **SPC signals**: every current measure series (measure, area, age band;
  quarters and financial years as stored) is judged by `spc.series_spc`, the one
  SPC road the /violence SPC view, the overview and the workstream pages take
  (chart kind, step changes and verdict decided there: `evaluate_signals`).
  The latest point being a special cause is a signal; its key is the series, the
  point and the point type.
- **Overdue returns**: the quarters data_access/workstreams.completeness reports
  late (the due rule of data_access/returns_due.py), one per workstream and quarter.
- **Forecast underspends**: data_access/outturn.money_forecast for each VRU; a
  projected underspend above ALERT_UNDERSPEND_SHARE of the grant (5%), one per VRU,
  year and last reported quarter.

Owners (`owner_role`)
- a workstream's measures and its overdue returns: that workstream's lead
  ("lead", with `workstream_id`);
- every other measure of a VRU's force area or of one of its local authorities
  (the success measures): the analysts ("analyst"; admins may act too);
- a VRU's forecast underspend: the VRU's admin (the director who holds the grant).
Series of areas outside every VRU (non-VRU forces, England and Wales) are judged
but raise no exception: no VRU owns them.

No figure is stored with an exception: text shown to a reader (data_access/alerts.py)
reads the figure through the reader's scope, so it is the figure that reader sees.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import extract, or_, select
from sqlalchemy.exc import IntegrityError

import settings
from data_access import clock, periods, spc, workstreams
from data_access.alert_models import ExceptionItem
from data_access.areas import area_id_of, funding_starts, get_area
from data_access.audit import record_change
from data_access.db import read_connection, session_scope
from data_access.errors import AccessDenied, InvalidParameter, NotFound
from data_access.models import (
    Area,
    Measure,
    MeasureValue,
    Source,
    User,
    Workstream,
    WorkstreamMeasure,
)
from data_access.money import outturn
from data_access.outcomes.raw_series import SERIES_BREAKS
from data_access.scope import SYSTEM, Scope

log = logging.getLogger(__name__)

KIND_LABELS = {
    "signal": "SPC signal",
    "overdue_return": "Overdue return",
    "underspend": "Forecast underspend",
}
OWNER_LABELS = {
    "lead": "Workstream lead",
    "analyst": "VRU analyst",
    "admin": "VRU director (admin)",
}
SPECIAL_CAUSES = (
    "special cause improving",
    "special cause concerning",
    "special cause high",
    "special cause low",
)
COMMENT_LIMIT = 2000

EXCEPTION_COLUMNS = [
    "exception_id",
    "kind",
    "kind_label",
    "vru_code",
    "vru_name",
    "area_code",
    "area_name",
    "measure_code",
    "measure_name",
    "workstream_id",
    "workstream_name",
    "age_band",
    "length",
    "period_start",
    "period",
    "signal",
    "rules",
    "owner_role",
    "owner",
    "status",
    "created_at",
    "acknowledged_at",
    "comment",
]
# Columns read_exceptions adds for describing an exception (not for display).
_INTERNAL = ["is_public", "unit"]


# ------------------------------------------------------------------ evaluation


@dataclass
class Series:
    """One measure series as stored: its key and, one per period in time order,
    the period's first day, its value, numerator and denominator (NaN where
    there is none) and whether it is illustrative: what `spc.series_spc` takes."""

    measure_id: int
    area_id: int
    age_band: str
    months: int
    starts: np.ndarray  # datetime64[D]
    values: np.ndarray
    numerators: np.ndarray
    denominators: np.ndarray
    illustrative: np.ndarray


def _in_series():
    """Current quarterly and financial-year values (the periods the trend pages
    chart as quarters and years)."""
    month = extract("month", MeasureValue.period_start)
    return (
        MeasureValue.is_current,
        or_(
            (MeasureValue.period_months == 3) & month.in_((1, 4, 7, 10)),
            (MeasureValue.period_months == 12) & (month == 4),
        ),
    )


_KEY = (
    MeasureValue.measure_id,
    MeasureValue.area_id,
    MeasureValue.age_band,
    MeasureValue.period_months,
)
_FIGURES = (MeasureValue.value, MeasureValue.numerator, MeasureValue.denominator)


def series_query_postgresql():
    """Every current series value in series order, for PostgreSQL's COPY: the
    index order of ix_measure_value_lookup, the source as its id (a million
    values: no join)."""
    return (
        select(
            MeasureValue.measure_id,
            MeasureValue.area_id,
            MeasureValue.period_months,
            MeasureValue.age_band,
            MeasureValue.period_start,
            *_FIGURES,
            MeasureValue.source_id,
        )
        .where(*_in_series())
        .order_by(
            MeasureValue.measure_id,
            MeasureValue.area_id,
            MeasureValue.period_months,
            MeasureValue.age_band,
            MeasureValue.period_start,
        )
    )


def _read_series_postgresql(session) -> Iterator[Series]:  # noqa: ANN001
    """PostgreSQL sends the values as CSV through COPY, read by pandas' C parser:
    a million rows as Python objects would cost seconds."""
    import io

    connection = session.connection()
    sql = series_query_postgresql().compile(
        dialect=connection.dialect, compile_kwargs={"literal_binds": True}
    )
    buffer = io.BytesIO()
    cursor = connection.connection.dbapi_connection.cursor()
    with cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)") as copy:
        for data in copy:
            buffer.write(data)
    buffer.seek(0)
    if not buffer.getbuffer().nbytes:
        return
    figures = ["value", "numerator", "denominator"]
    frame = pd.read_csv(
        buffer,
        header=None,
        names=["m", "a", "n", "b", "start", *figures, "source"],
        dtype={"m": "int64", "a": "int64", "n": "int64", "b": str, "start": str},
        keep_default_na=False,
        na_values={f: [""] for f in figures},
    )
    illustrative = dict(session.execute(select(Source.id, Source.illustrative)).all())
    flags = frame["source"].map(illustrative).fillna(False).to_numpy(bool)
    starts = frame["start"].to_numpy(str).astype("datetime64[D]")
    values, numerators, denominators = (frame[f].to_numpy(float) for f in figures)
    band = pd.factorize(frame["b"])[0]
    keys = np.column_stack([frame["m"], frame["a"], frame["n"], band])
    change = np.flatnonzero((np.diff(keys, axis=0) != 0).any(axis=1)) + 1
    cuts = [0, *change.tolist(), len(frame)]
    m, a, n, b = (frame[c].tolist() for c in ("m", "a", "n", "b"))
    for lo, hi in zip(cuts[:-1], cuts[1:], strict=True):
        yield Series(
            measure_id=m[lo],
            area_id=a[lo],
            age_band=b[lo],
            months=n[lo],
            starts=starts[lo:hi],
            values=values[lo:hi],
            numerators=numerators[lo:hi],
            denominators=denominators[lo:hi],
            illustrative=flags[lo:hi],
        )


def _read_series_rows(session) -> Iterator[Series]:  # noqa: ANN001
    rows = session.execute(
        select(*_KEY, MeasureValue.period_start, *_FIGURES, Source.illustrative)
        .join(Source, Source.id == MeasureValue.source_id)
        .where(*_in_series())
        .order_by(*_KEY, MeasureValue.period_start)
    ).all()
    if not rows:
        return
    measure, area, band, months, start, value, num, den, illustrative = zip(
        *rows, strict=True
    )
    starts = np.array(start, dtype="datetime64[D]")
    values, numerators, denominators = (
        np.array(column, dtype=float) for column in (value, num, den)
    )
    flags = np.array(illustrative, dtype=bool)
    keys = list(zip(measure, area, band, months, strict=True))
    # Boundaries where the series key changes.
    cuts = [0, *(i for i in range(1, len(keys)) if keys[i] != keys[i - 1]), len(keys)]
    for lo, hi in zip(cuts[:-1], cuts[1:], strict=True):
        m, a, b, n = keys[lo]
        yield Series(
            measure_id=m,
            area_id=a,
            age_band=b,
            months=n,
            starts=starts[lo:hi],
            values=values[lo:hi],
            numerators=numerators[lo:hi],
            denominators=denominators[lo:hi],
            illustrative=flags[lo:hi],
        )


def read_series() -> list[Series]:
    """Every current measure series of the store, in series order."""
    with session_scope() as session:
        if session.get_bind().dialect.name == "postgresql":
            return list(_read_series_postgresql(session))
        return list(_read_series_rows(session))


def _series_facts() -> tuple[dict[int, dict], dict[int, str]]:
    """(measure id -> {code, polarity, ci_method, rate_multiplier}, area id ->
    area code): what `spc.series_spc` needs besides the figures."""
    with session_scope() as session:
        measures = {
            row.id: row._asdict()
            for row in session.execute(
                select(
                    Measure.id,
                    Measure.code,
                    Measure.polarity,
                    Measure.ci_method,
                    Measure.rate_multiplier,
                )
            )
        }
        areas = dict(session.execute(select(Area.id, Area.code)).all())
    return measures, areas


def evaluate_signals() -> dict[str, Any]:
    """Judge every current measure series by the one SPC road
    (`spc.series_spc`, as the /violence SPC view, the overview and the
    workstream pages judge theirs): the rate on a Laney chart where the measure
    has one and the values carry numerators and denominators, else an XmR chart;
    limits recalculated where VRU funding began for the area, at the series'
    marked breaks (`raw_series.SERIES_BREAKS`) and where published figures give
    way to illustrative ones.

    Returns {"series": number judged, "assessed": number whose latest point was
    assessed (enough points), "signals": [one dict per series whose latest
    point is a special cause: measure_id, area_id, age_band, months,
    period_start, signal, rules]}."""
    measures, area_codes = _series_facts()
    funding = funding_starts()
    judged = assessed = 0
    signals = []
    for series in read_series():
        judged += 1
        measure = measures[series.measure_id]
        area_code = area_codes[series.area_id]
        latest = spc.series_spc(
            polarity=measure["polarity"],
            values=series.values,
            numerators=series.numerators,
            denominators=series.denominators,
            ci_method=measure["ci_method"],
            rate_multiplier=measure["rate_multiplier"],
            period_starts=series.starts,
            illustrative=series.illustrative,
            funding_start=funding.get(area_code),
            breaks=SERIES_BREAKS.get((measure["code"], area_code), ()),
            latest_only=True,
        )["latest"]
        if latest is None or latest[1] == "not assessed":
            continue
        assessed += 1
        position, point_type, rules = latest
        if point_type not in SPECIAL_CAUSES:
            continue
        signals.append(
            {
                "measure_id": series.measure_id,
                "area_id": series.area_id,
                "age_band": series.age_band,
                "months": series.months,
                # The latest charted point, which series_spc judged.
                "period_start": series.starts[position].astype(dt.date),
                "signal": point_type,
                "rules": rules,
            }
        )
    return {"series": judged, "assessed": assessed, "signals": signals}


# --------------------------------------------------------------------- routing


def _owners_map(session) -> tuple[dict, dict]:  # noqa: ANN001
    """(area id -> VRU force area id for areas a VRU owns,
    (measure id, area id) -> workstream ids reporting that measure there)."""
    vru_of: dict[int, int] = {}
    areas = session.execute(select(Area.id, Area.parent_id, Area.is_vru)).all()
    is_vru = {a: bool(v) for a, _p, v in areas}
    for area_id, parent_id, vru in areas:
        if vru:
            vru_of[area_id] = area_id
        elif parent_id is not None and is_vru.get(parent_id):
            vru_of[area_id] = parent_id
    by_measure: dict[tuple[int, int], list[int]] = {}
    for ws_id, vru_id, measure_id in session.execute(
        select(Workstream.id, Workstream.vru_area_id, WorkstreamMeasure.measure_id)
        .join(WorkstreamMeasure, WorkstreamMeasure.workstream_id == Workstream.id)
        .order_by(Workstream.id)
    ):
        by_measure.setdefault((measure_id, vru_id), []).append(ws_id)
    return vru_of, by_measure


def _signal_items(signals: list[dict], vru_of: dict, by_measure: dict) -> list[dict]:
    items = []
    for s in signals:
        vru = vru_of.get(s["area_id"])
        if vru is None:
            continue
        base = {
            "kind": "signal",
            "vru_area_id": vru,
            "area_id": s["area_id"],
            "measure_id": s["measure_id"],
            "age_band": s["age_band"],
            "period_months": s["months"],
            "period_start": s["period_start"],
            "signal": s["signal"],
            "rules": s["rules"][:200],
        }
        key = (
            f"signal:{s['measure_id']}:{s['area_id']}:{s['age_band']}:{s['months']}:"
            f"{s['period_start']}:{s['signal']}"
        )
        owners = by_measure.get((s["measure_id"], s["area_id"]))
        if owners:
            items.extend(
                base
                | {
                    "owner_role": "lead",
                    "workstream_id": ws,
                    "dedupe_key": f"{key}:{ws}",
                }
                for ws in owners
            )
        else:
            items.append(base | {"owner_role": "analyst", "dedupe_key": key})
    return items


def _overdue_items(session, as_at: dt.date) -> list[dict]:  # noqa: ANN001
    items = []
    listed = workstreams.workstream_list(scope=SYSTEM, as_at=as_at)
    vru_ids = dict(session.execute(select(Area.code, Area.id)).all())
    for row in listed[listed["late_returns"] > 0].itertuples():
        quarters = workstreams.completeness(
            scope=SYSTEM, workstream_id=int(row.workstream_id), as_at=as_at
        )
        for q in quarters[
            quarters["status"].str.startswith(("Late", "Partly"))
        ].itertuples():
            vru = vru_ids[row.vru_code]
            items.append(
                {
                    "kind": "overdue_return",
                    "vru_area_id": vru,
                    "area_id": vru,
                    "workstream_id": int(row.workstream_id),
                    "period_start": q.period_start,
                    "signal": q.status[:40],
                    "rules": f"due {q.due_date:%d %B %Y}",
                    "owner_role": "lead",
                    "dedupe_key": f"overdue:{int(row.workstream_id)}:{q.period_start}",
                }
            )
    return items


def _underspend_items(session) -> list[dict]:  # noqa: ANN001
    share = settings.alert_underspend_share()
    items = []
    vrus = session.execute(
        select(Area.id, Area.code).where(Area.is_vru, Area.level == "pfa")
    ).all()
    for area_id, code in vrus:
        forecast = outturn.money_forecast(scope=SYSTEM, area_code=code)
        under, grant = forecast["projected_underspend"], forecast["allocation"]
        if under is None or not grant or under <= share * grant:
            continue
        year, last = forecast["financial_year"], forecast["last_quarter"]
        items.append(
            {
                "kind": "underspend",
                "vru_area_id": area_id,
                "area_id": area_id,
                "period_start": dt.date(year, 4, 1),
                "signal": f"Q{last} forecast",
                "rules": f"more than {share:.0%} of the grant",
                "owner_role": "admin",
                "dedupe_key": f"underspend:{area_id}:{year}:Q{last}",
            }
        )
    return items


def _insert_new(items: list[dict], trigger: str) -> list[int]:
    """Insert the exceptions whose key is new; returns their ids."""
    if not items:
        return []
    keys = [i["dedupe_key"] for i in items]
    with session_scope() as session:
        known = set()
        for lo in range(0, len(keys), 500):
            known.update(
                session.scalars(
                    select(ExceptionItem.dedupe_key).where(
                        ExceptionItem.dedupe_key.in_(keys[lo : lo + 500])
                    )
                )
            )
    fresh = []
    for item in items:
        if item["dedupe_key"] not in known:
            known.add(item["dedupe_key"])
            fresh.append(item)
    try:
        # One transaction for all of them (one commit, not one per exception).
        with session_scope() as session:
            rows = [
                ExceptionItem(**i, trigger=trigger[:60], status="open") for i in fresh
            ]
            session.add_all(rows)
            session.flush()
            return [row.id for row in rows]
    except IntegrityError:
        pass  # a run at the same time raised some of them first: one by one
    new_ids = []
    for item in fresh:
        try:
            with session_scope() as session:
                row = ExceptionItem(**item, trigger=trigger[:60], status="open")
                session.add(row)
                session.flush()
                new_ids.append(row.id)
        except IntegrityError:
            continue  # the other run raised this key first: not raised twice
    return new_ids


# ------------------------------------------------------------------- running

_run_lock = threading.Lock()
_threads: list[threading.Thread] = []


def run_rules(*, trigger: str, as_at: dt.date | None = None) -> dict[str, Any]:
    """Run every rule, raise the new exceptions and send their alerts.

    Returns counts: series, assessed, signals, new (by kind), seconds (the
    evaluation of the SPC rules alone: `evaluate_seconds`)."""
    from data_access import alerts  # the alerts fan-out reads this module

    as_at = as_at or clock.today()
    with _run_lock:
        started = time.perf_counter()
        judged = evaluate_signals()
        evaluate_seconds = time.perf_counter() - started
        with session_scope() as session:
            vru_of, by_measure = _owners_map(session)
            items = _signal_items(judged["signals"], vru_of, by_measure)
            items += _overdue_items(session, as_at)
            items += _underspend_items(session)
        new_ids = _insert_new(items, trigger)
        alerts.dispatch(new_ids)
    by_kind = {k: 0 for k in KIND_LABELS}
    new_keys = set(new_ids)
    with session_scope() as session:
        if new_keys:
            for (kind,) in session.execute(
                select(ExceptionItem.kind).where(ExceptionItem.id.in_(new_keys))
            ):
                by_kind[kind] += 1
    return {
        "series": judged["series"],
        "assessed": judged["assessed"],
        "signals": len(judged["signals"]),
        "new": by_kind,
        "evaluate_seconds": evaluate_seconds,
        "seconds": time.perf_counter() - started,
    }


def after_commit(trigger: str) -> threading.Thread | None:
    """Run the rules after a write has committed, without the request waiting: in
    a background thread of this process (ALERT_RULES_AFTER_COMMIT=thread, the
    default). A failure is logged; the next scheduled run catches up."""
    if settings.alert_rules_after_commit() == "off":
        return None

    def work() -> None:
        try:
            run_rules(trigger=trigger)
        except Exception:  # noqa: BLE001 - a background run must not die silently
            log.exception("exception rules after %s failed", trigger)

    thread = threading.Thread(target=work, name=f"rules-{trigger}", daemon=False)
    _threads.append(thread)
    thread.start()
    return thread


def wait_for_background(timeout: float = 60.0) -> None:
    """Join the background runs started so far (tests, and the CLI at exit)."""
    while _threads:
        _threads.pop().join(timeout)


# -------------------------------------------------------------------- readers


def _columns_query():
    vru, area = Area.__table__.alias("vru"), Area.__table__.alias("series_area")
    return (
        select(
            ExceptionItem.id,
            ExceptionItem.kind,
            vru.c.code,
            vru.c.name,
            area.c.code,
            area.c.name,
            Measure.code,
            Measure.name,
            ExceptionItem.workstream_id,
            Workstream.name,
            ExceptionItem.age_band,
            ExceptionItem.period_months,
            ExceptionItem.period_start,
            ExceptionItem.signal,
            ExceptionItem.rules,
            ExceptionItem.owner_role,
            ExceptionItem.status,
            ExceptionItem.created_at,
            ExceptionItem.acknowledged_at,
            ExceptionItem.comment,
            Measure.is_public,
            Measure.unit,
        )
        .join(vru, vru.c.id == ExceptionItem.vru_area_id)
        .join(area, area.c.id == ExceptionItem.area_id)
        .outerjoin(Measure, Measure.id == ExceptionItem.measure_id)
        .outerjoin(Workstream, Workstream.id == ExceptionItem.workstream_id)
    )


def _frame(rows) -> pd.DataFrame:  # noqa: ANN001
    records = []
    for r in rows:
        months = r[11]
        length = {3: "quarter", 12: "year"}.get(months)
        if r[1] == "underspend":
            period = periods.fy_label(r[12].year)
        elif length == "year":
            period = periods.fy_label(periods.financial_year_of(r[12]))
        else:
            period = periods.quarter_label(r[12])
        owner = OWNER_LABELS[r[15]]
        if r[15] == "lead" and r[9]:
            owner = f"{owner}, {r[9]}"
        records.append(
            {
                "exception_id": r[0],
                "kind": r[1],
                "kind_label": KIND_LABELS[r[1]],
                "vru_code": r[2],
                "vru_name": r[3],
                "area_code": r[4],
                "area_name": r[5],
                "measure_code": r[6],
                "measure_name": r[7],
                "workstream_id": r[8],
                "workstream_name": r[9],
                "age_band": r[10],
                "length": length,
                "period_start": r[12],
                "period": period,
                "signal": r[13],
                "rules": r[14],
                "owner_role": r[15],
                "owner": owner,
                "status": r[16],
                "created_at": r[17],
                "acknowledged_at": r[18],
                "comment": r[19],
                "is_public": r[20],
                "unit": r[21],
            }
        )
    frame = pd.DataFrame(records, columns=[*EXCEPTION_COLUMNS, *_INTERNAL])
    # Whole numbers or None (not NaN, which equals nothing and is not None).
    frame["workstream_id"] = pd.Series(
        [None if pd.isna(v) else int(v) for v in frame["workstream_id"]],
        index=frame.index,
        dtype=object,
    )
    return frame


def read_exceptions(
    *, scope: Scope, vru_code: str | None = None, ids=None, status: str | None = None
) -> pd.DataFrame:
    """Exceptions the caller may read (EXCEPTION_COLUMNS), newest first: those of
    the VRUs in their scope (admins and analysts: all). A workstream's exceptions
    are read by whoever may read that VRU, as its measures are."""
    if scope.is_public:
        raise AccessDenied("sign in to see exceptions")
    query = _columns_query().order_by(ExceptionItem.id.desc())
    if vru_code is not None:
        area = get_area(vru_code)
        scope.require_area(area.code, area.parent_code)
        with read_connection() as connection:
            vru_id = area_id_of(connection, area.code)
        query = query.where(ExceptionItem.vru_area_id == vru_id)
    elif not scope.unrestricted:
        query = query.where(
            ExceptionItem.vru_area_id.in_(
                select(Area.id).where(Area.code.in_(sorted(scope.area_codes)))
            )
        )
    if ids is not None:
        query = query.where(ExceptionItem.id.in_(list(ids)))
    if status is not None:
        query = query.where(ExceptionItem.status == status)
    with session_scope() as session:
        rows = session.execute(query).all()
    return _frame(rows)


def open_exceptions(scope: Scope, vru_code: str) -> pd.DataFrame:
    """The open exceptions of one VRU for its board pack (EXCEPTION_COLUMNS plus
    `summary`: the exception in words, with the figure the caller sees, from
    data_access.alerts.describe), newest first. Signals on a figure the caller
    cannot see (hidden by disclosure control) are left out. AccessDenied outside
    the caller's scope."""
    from data_access import alerts

    frame = read_exceptions(scope=scope, vru_code=vru_code, status="open")
    summaries = alerts.describe_many(scope, frame)
    keep = pd.Series([s is not None for s in summaries], index=frame.index, dtype=bool)
    frame = frame[keep].copy()
    frame["summary"] = [s for s in summaries if s is not None]
    return frame[[*EXCEPTION_COLUMNS, "summary"]].reset_index(drop=True)


def is_owner(scope: Scope, owner_role: str, workstream_id: int | None) -> bool:
    """Whether the caller owns an exception: the lead of its workstream; for the
    analysts' exceptions any analyst or admin; for the director's, an admin.
    Admins may act on every exception."""
    if scope.role == "admin":
        return True
    if owner_role == "lead":
        return scope.role == "lead" and scope.workstream_id == workstream_id
    return owner_role == "analyst" and scope.role == "analyst"


def acknowledge(*, scope: Scope, exception_id: int, comment: str) -> None:
    """The owner acknowledges an open exception with a comment (audited)."""
    text = (comment or "").strip()
    if not text:
        raise InvalidParameter("comment", "say what was done or decided (a comment)")
    if len(text) > COMMENT_LIMIT or "\x00" in text:
        raise InvalidParameter(
            "comment", f"a comment is at most {COMMENT_LIMIT:,} characters"
        )
    with session_scope() as session:
        item = session.get(ExceptionItem, int(exception_id), with_for_update=True)
        if item is None:
            raise NotFound("no such exception")
        vru = session.get(Area, item.vru_area_id)
        if not scope.can_read_area(vru.code) or not is_owner(
            scope, item.owner_role, item.workstream_id
        ):
            raise AccessDenied("only the owner of this exception may acknowledge it")
        if item.status != "open":
            raise InvalidParameter(
                "exception", "this exception is acknowledged already"
            )
        item.status = "acknowledged"
        item.acknowledged_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        item.acknowledged_by_id = scope.user_id
        item.comment = text
        # Exceptions are read live (pages/alerts.py's callbacks are not cached, a
        # pack is built on demand): no cached answer goes stale.
        record_change(
            session,
            scope,
            action="acknowledge_exception",
            entity="exception_item",
            entity_id=str(item.id),
            after={"comment": text},
            invalidate=False,
        )


def owners_of(session, item: ExceptionItem) -> list[int]:  # noqa: ANN001
    """Active users an exception is assigned to, by id: the lead(s) of its
    workstream, the analysts, or the admins (admins may act on any exception,
    but are assigned only the director's)."""
    query = select(User.id).where(User.active, User.role == item.owner_role)
    if item.owner_role == "lead":
        query = query.where(User.workstream_id == item.workstream_id)
    return list(session.scalars(query))
