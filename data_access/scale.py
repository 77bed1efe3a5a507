"""A national-scale synthetic dataset for benchmarks, separate from the demo data.

`generate_scale(rows=N)` fills an EMPTY store with: England and Wales, the 43 force
areas and their local authorities (codes and names from the shipped ONS lookup),
the 20 VRUs, the shipped measure definitions plus as many synthetic quarterly
measures as needed for about N/10 measure values, mid-year populations, 5
workstreams per VRU, interventions delivered by the VRU's local authorities, exactly
N quarterly intervention-output rows over the 10 financial years 2016/17-2025/26,
quarterly spend for every intervention and a grant allocation per VRU and year,
then the activity summary tables built from them (data_access/activity/summaries.py).

Every row points at ONE Source, key "synthetic-scale", `illustrative=True`. The
output is deterministic (a fixed seed; no clock). PostgreSQL is filled with COPY
(psycopg `cursor.copy`), SQLite with executemany. The generator refuses a store that
already holds data unless `force=True`, so it is never run over the demo store by
accident.

Sizes: interventions per VRU = max(5, ceil(N / (20 * 40 quarters * 5 outputs))),
so 100,000 rows give 25 per VRU, 1 million 250 and 10 million 2,500.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Iterator
from decimal import Decimal

import numpy as np
from sqlalchemy import func, insert, select
from sqlalchemy.engine import Connection, Engine

from data_access import periods
from data_access.activity.summaries import refresh_activity_summaries
from data_access.areas import ENGLAND_CODE, NATIONAL_CODE
from data_access.db import get_engine
from data_access.models import (
    COVERAGE_ENGLAND_AND_WALES,
    OUTPUT_TYPES,
    TIERS,
    Area,
    FundingAllocation,
    Intervention,
    InterventionOutput,
    Measure,
    MeasureValue,
    OutputSummary,
    Population,
    Source,
    Spend,
    SpendSummary,
    StoreMeta,
    Workstream,
)
from data_access.shipped.common import read_reference, vru_start_years

SOURCE_KEY = "synthetic-scale"
SEED = 20161001
FIRST_FY = 2016  # 2016/17
YEARS = 10  # 2016/17 .. 2025/26
QUARTERS = YEARS * 4
VRUS = 20
WORKSTREAMS_PER_VRU = 5
_CHUNK = 20_000


class StoreNotEmpty(RuntimeError):
    """The store already holds data; pass force=True to add the synthetic set."""


def quarter_bounds(index: int) -> tuple[dt.date, dt.date]:
    """First and last day of financial quarter `index` (0 = 2016/17 Q1)."""
    return periods.quarter_bounds(FIRST_FY + index // 4, index % 4 + 1)


def interventions_per_vru(rows: int) -> int:
    return max(5, math.ceil(rows / (VRUS * QUARTERS * len(OUTPUT_TYPES))))


def store_has_data(conn: Connection) -> bool:
    return any(
        conn.scalar(select(func.count()).select_from(model.__table__)) > 0
        for model in (Source, Area, Measure)
    )


def _copy_rows(conn: Connection, table, columns: list[str], rows: Iterable[tuple]):
    """COPY on PostgreSQL, executemany elsewhere; returns the number of rows."""
    count = 0
    if conn.dialect.name == "postgresql":
        raw = conn.connection.driver_connection
        cols = ", ".join(columns)
        with raw.cursor() as cur:
            with cur.copy(f"COPY {table.name} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        return count
    statement = insert(table)
    batch: list[dict] = []
    for row in rows:
        batch.append(dict(zip(columns, row, strict=True)))
        if len(batch) >= _CHUNK:
            conn.execute(statement, batch)
            count += len(batch)
            batch = []
    if batch:
        conn.execute(statement, batch)
        count += len(batch)
    return count


def _ids(conn: Connection, table, key: str) -> dict:
    return dict(conn.execute(select(table.c[key], table.c.id)).all())


def generate_scale(*, rows: int, force: bool = False) -> dict[str, int]:
    """Fill the store with the synthetic set; returns rows written per table."""
    if rows < 1:
        raise ValueError("rows must be at least 1")
    engine = get_engine()
    counts: dict[str, int] = {}
    with engine.begin() as conn:
        if store_has_data(conn) and not force:
            raise StoreNotEmpty(
                "the store already holds data; refusing to add the synthetic "
                "scale set (use --force to add it anyway)"
            )
        if conn.scalar(select(Source.id).where(Source.key == SOURCE_KEY)):
            raise StoreNotEmpty("the synthetic scale set is already in this store")
        source_id = conn.execute(
            insert(Source.__table__).returning(Source.__table__.c.id),
            {
                "key": SOURCE_KEY,
                "publisher": "VRU Outcomes Monitor (generated)",
                "title": f"Synthetic national-scale benchmark data ({rows:,} rows)",
                "url": None,
                "licence": "Generated; not official statistics",
                "retrieved": None,
                "edition": str(rows),
                "illustrative": True,
                "precedence": 90,
                "notes": "Generated by data_access.scale for benchmarks only.",
            },
        ).scalar_one()
        counts.update(_areas(conn, source_id))
        counts.update(_measures_and_values(conn, source_id, rows))
        counts.update(_activity(conn, source_id, rows))
        # The pre-aggregated tables the activity readers use, in the same
        # transaction (COPY went through this connection too).
        counts.update(refresh_activity_summaries(conn))
        for key, value in (
            ("loaded_at", "2026-01-01T00:00:00"),
            ("data_version", f"scale-{rows}"),
        ):
            conn.execute(
                StoreMeta.__table__.delete().where(StoreMeta.__table__.c.key == key)
            )
            conn.execute(insert(StoreMeta.__table__), {"key": key, "value": value})
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
        vacuum_summaries(engine)
    return counts


def vacuum_summaries(engine: Engine) -> None:
    """VACUUM (ANALYZE) the two summary tables on PostgreSQL, so that their
    visibility maps are set and the activity readers' index only scans (0018)
    need not visit the table. Freshly written pages are not all-visible until a
    VACUUM, and autovacuum may come late to a table filled in one go. VACUUM
    cannot run in a transaction: an autocommit connection. Nothing on SQLite."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in (OutputSummary.__tablename__, SpendSummary.__tablename__):
            conn.exec_driver_sql(f"VACUUM (ANALYZE) {table}")


def _areas(conn: Connection, source_id: int) -> dict[str, int]:
    lookup = read_reference("lookup_lad24_csp24_pfa24_ons.csv")
    # the shipped store's start years, so the VRU-from-2019/20 group is the same
    vru_start = vru_start_years()
    table = Area.__table__
    base = {"parent_id": None, "is_vru": False, "vru_start_year": None}
    conn.execute(
        insert(table),
        [
            {
                **base,
                "code": NATIONAL_CODE,
                "name": "England and Wales",
                "level": "country",
            }
            | {"source_id": source_id},
            {**base, "code": ENGLAND_CODE, "name": "England", "level": "country"}
            | {"source_id": source_id},
        ],
    )
    ew_id = _ids(conn, table, "code")[NATIONAL_CODE]
    pfas: dict[str, str] = {}
    lads: dict[str, tuple[str, str]] = {}
    for row in lookup:
        pfas[row["pfa24_code"]] = row["pfa24_name"]
        lads.setdefault(row["ltla24_code"], (row["ltla24_name"], row["pfa24_code"]))
    conn.execute(
        insert(table),
        [
            {
                "code": code,
                "name": pfas[code],
                "level": "pfa",
                "parent_id": ew_id,
                "is_vru": code in vru_start,
                "vru_start_year": vru_start.get(code),
                "source_id": source_id,
            }
            for code in sorted(pfas)
        ],
    )
    ids = _ids(conn, table, "code")
    conn.execute(
        insert(table),
        [
            {
                **base,
                "code": code,
                "name": name,
                "level": "lad",
                "parent_id": ids[pfa],
                "source_id": source_id,
            }
            for code, (name, pfa) in sorted(lads.items())
        ],
    )
    rng = np.random.default_rng(SEED)
    areas = conn.execute(select(table.c.id, table.c.level)).all()
    pop_rows = []
    for area_id, level in sorted(areas):
        size = {"country": 59_000_000, "pfa": 1_400_000, "lad": 180_000}[level]
        base_pop = int(size * rng.uniform(0.6, 1.4))
        for year in range(FIRST_FY - 1, FIRST_FY + YEARS):
            pop_rows.append((area_id, year, "all", base_pop + 1000 * year, source_id))
    n_pop = _copy_rows(
        conn,
        Population.__table__,
        ["area_id", "mid_year", "age_band", "value", "source_id"],
        pop_rows,
    )
    return {"area": 2 + len(pfas) + len(lads), "population": n_pop}


def _measures_and_values(conn: Connection, source_id: int, rows: int) -> dict:
    from data_access.shipped.real import MEASURES

    table = Measure.__table__
    specs = [{k: v for k, v in spec.items() if k != "source"} for spec in MEASURES]
    areas = conn.execute(
        select(Area.__table__.c.id, Area.__table__.c.level).order_by(
            Area.__table__.c.id
        )
    ).all()
    area_ids = [a for a, _level in areas]
    # Base grid: the shipped measures. Extra synthetic quarterly measures bring the
    # total to about rows / 10 measure values (1 million at 10 million rows).
    per_quarter_measure = len(area_ids) * QUARTERS
    base = len(area_ids) * (QUARTERS + 3 * YEARS)
    extra = max(0, math.ceil((rows // 10 - base) / per_quarter_measure))
    for i in range(extra):
        specs.append(
            {
                "code": f"synthetic_measure_{i + 1:03d}",
                "name": f"Synthetic measure {i + 1}",
                "definition": "Generated for benchmarks; not a real measure.",
                "unit": "offences",
                "polarity": "lower_is_better",
                "category": "outcome",
                "rate_multiplier": 100000,
                "ci_method": "byar",
                "disclosure_rule": "none",
                "period_type": "quarter",
                "success_measure_rank": None,
                "caveats": "Synthetic benchmark data.",
            }
        )
    conn.execute(
        insert(table),
        [
            {
                "coverage": COVERAGE_ENGLAND_AND_WALES,
                "short_name": None,  # the synthetic measures have none
                **spec,
                "tier": None,
                "is_public": True,
                "source_id": source_id,
            }
            for spec in specs
        ],
    )
    measure_ids = _ids(conn, table, "code")
    pop = {
        (a, y): v
        for a, y, v in conn.execute(
            select(
                Population.__table__.c.area_id,
                Population.__table__.c.mid_year,
                Population.__table__.c.value,
            )
        ).all()
    }
    quarters = [quarter_bounds(i) for i in range(QUARTERS)]
    years = [
        (dt.date(FIRST_FY + y, 4, 1), dt.date(FIRST_FY + y + 1, 3, 31))
        for y in range(YEARS)
    ]

    def values() -> Iterator[tuple]:
        rng = np.random.default_rng(SEED + 1)
        for spec in specs:
            mid = measure_ids[spec["code"]]
            if spec["period_type"] == "quarter":
                periods, months = quarters, 3
            elif spec["period_type"] == "financial_year":
                periods, months = years, 12
            else:  # rolling year, stepping by year
                periods, months = years, 12
            for area_id in area_ids:
                level_rate = rng.uniform(5, 60) * months / 12
                noise = rng.normal(1.0, 0.08, len(periods))
                for (start, end), factor in zip(periods, noise, strict=True):
                    denominator = pop[(area_id, start.year - 1)]
                    if spec["rate_multiplier"] is None:
                        numerator = None
                        value = round(float(rng.uniform(1, 5)), 2)
                        denominator = None
                    else:
                        numerator = max(
                            0,
                            round(
                                level_rate
                                * factor
                                * denominator
                                / spec["rate_multiplier"]
                            ),
                        )
                        value = float(numerator)
                    yield (
                        mid,
                        area_id,
                        start,
                        end,
                        months,
                        "all",
                        value,
                        numerator,
                        denominator,
                        "final",
                        source_id,
                        True,
                    )

    n = _copy_rows(
        conn,
        MeasureValue.__table__,
        [
            "measure_id",
            "area_id",
            "period_start",
            "period_end",
            "period_months",
            "age_band",
            "value",
            "numerator",
            "denominator",
            "status",
            "source_id",
            "is_current",
        ],
        values(),
    )
    return {"measure": len(specs), "measure_value": n}


def _activity(conn: Connection, source_id: int, rows: int) -> dict[str, int]:
    area = Area.__table__
    vrus = conn.execute(
        select(area.c.id, area.c.code).where(area.c.is_vru).order_by(area.c.code)
    ).all()[:VRUS]
    lads_of: dict[int, list[int]] = {}
    for lad_id, parent in conn.execute(
        select(area.c.id, area.c.parent_id)
        .where(area.c.level == "lad")
        .order_by(area.c.id)
    ).all():
        lads_of.setdefault(parent, []).append(lad_id)
    conn.execute(
        insert(Workstream.__table__),
        [
            {
                "vru_area_id": vru_id,
                "name": f"Synthetic workstream {w + 1}",
                "purpose": "Generated for benchmarks.",
                "lead_role": "Workstream Lead",
                "outcomes": None,
                "source_id": source_id,
            }
            for vru_id, _code in vrus
            for w in range(WORKSTREAMS_PER_VRU)
        ],
    )
    ws = Workstream.__table__
    workstreams: dict[int, list[int]] = {}
    for ws_id, vru_id in conn.execute(
        select(ws.c.id, ws.c.vru_area_id).order_by(ws.c.id)
    ).all():
        workstreams.setdefault(vru_id, []).append(ws_id)
    per_vru = interventions_per_vru(rows)
    interventions = (
        (
            vru_id,
            f"Synthetic intervention {i + 1:05d}",
            TIERS[i % 3],
            workstreams[vru_id][i % WORKSTREAMS_PER_VRU],
            (lads_of.get(vru_id) or [vru_id])[i % len(lads_of.get(vru_id) or [1])],
            "Synthetic provider",
            dt.date(FIRST_FY, 4, 1),
            None,
            source_id,
        )
        for vru_id, _code in vrus
        for i in range(per_vru)
    )
    n_int = _copy_rows(
        conn,
        Intervention.__table__,
        [
            "vru_area_id",
            "name",
            "tier",
            "workstream_id",
            "delivering_area_id",
            "provider",
            "start_date",
            "end_date",
            "source_id",
        ],
        interventions,
    )
    it = Intervention.__table__
    items = conn.execute(
        select(it.c.id, it.c.vru_area_id)
        .where(it.c.source_id == source_id)
        .order_by(it.c.id)
    ).all()
    quarters = [quarter_bounds(i) for i in range(QUARTERS)]

    def outputs() -> Iterator[tuple]:
        rng = np.random.default_rng(SEED + 2)
        left = rows
        # Quarter-major so a smaller N still covers every quarter for early items.
        for item_id, _vru in items:
            base = rng.integers(5, 120, len(OUTPUT_TYPES))
            for start, end in quarters:
                for k, output_type in enumerate(OUTPUT_TYPES):
                    if left <= 0:
                        return
                    left -= 1
                    yield (
                        item_id,
                        start,
                        end,
                        output_type,
                        "all",
                        int(base[k]),
                        source_id,
                        True,
                    )

    n_out = _copy_rows(
        conn,
        InterventionOutput.__table__,
        [
            "intervention_id",
            "period_start",
            "period_end",
            "output_type",
            "age_band",
            "value",
            "source_id",
            "is_current",
        ],
        outputs(),
    )

    def spend() -> Iterator[tuple]:
        rng = np.random.default_rng(SEED + 3)
        for item_id, vru_id in items:
            amount = int(rng.integers(2_000, 40_000))
            for q in range(QUARTERS):
                yield (
                    vru_id,
                    item_id,
                    FIRST_FY + q // 4,
                    q % 4 + 1,
                    Decimal(amount),
                    source_id,
                    True,
                )

    n_spend = _copy_rows(
        conn,
        Spend.__table__,
        [
            "area_id",
            "intervention_id",
            "financial_year",
            "quarter",
            "amount",
            "source_id",
            "is_current",
        ],
        spend(),
    )
    allocations = [
        {
            "area_id": vru_id,
            "financial_year": FIRST_FY + y,
            "funder": "Home Office",
            "programme": "VRU",
            "intervention_id": None,
            "amount": Decimal(per_vru * 4 * 25_000),
            "amount_as_published": None,
            "precision": "exact",
            "is_preferred": True,
            "note": None,
            "source_id": source_id,
        }
        for vru_id, _code in vrus
        for y in range(YEARS)
    ]
    conn.execute(insert(FundingAllocation.__table__), allocations)
    return {
        "workstream": len(vrus) * WORKSTREAMS_PER_VRU,
        "intervention": n_int,
        "intervention_output": n_out,
        "spend": n_spend,
        "funding_allocation": len(allocations),
    }
