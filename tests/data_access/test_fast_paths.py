"""The faster paths of the overview, /violence and /compare data calls (issue 7) give
what the code they replaced gave, on the shipped data, on SQLite and PostgreSQL.

The replaced code is copied below ("as it was") and is the reference:
- trends `_raw`, `_by_length`, `_years_from_quarters` and `_national`: rows built
  from SQLAlchemy Row objects, per-row period arithmetic, Python aggregation
  functions per group, and a loop over periods summing the force areas (now
  summed in SQL for quarters, vectorised for years);
- year_values.rate_measures: `_fy_values` once per rate measure (now one query);
- measures.get_measure: a lookup in list_measures, whose last_updated reads every
  current value (now the measure table plus one measure's latest period);
- headlines.measure_headline: the overview now reads the measure list once and each
  series once; its figures are checked against hand-worked published ones (the
  copy it was once compared with called today's area_series, _disclose and
  baseline_change, so it compared the code with itself).

Float columns are compared to 1e-12 relative: sums of fractional values (the
workstream percentages) may differ in the last bit because pandas' group sums
add in a different order than Series.sum did. Counts and populations are whole
numbers and come out identical.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select
from sqlalchemy.orm import aliased

from data_access import board_overview, db, measures, periods
from data_access.areas import ENGLAND_CODE, NATIONAL_CODE
from data_access.errors import NotFound
from data_access.models import (
    Area,
    Measure,
    MeasureValue,
    Source,
)
from data_access.outcomes import benchmarking, headlines, raw_series, year_values
from data_access.scope import SYSTEM, Scope

AVON = "E23000036"
MET = "E23000001"
BRISTOL = "E06000023"
VIEWER = Scope(role="viewer", area_codes=frozenset({AVON}))
PUBLIC = Scope(role="public")
AGES = ("all", "under25")
# The success measures, the share measure (a percentage with a Wilson interval),
# and a workstream count and percentage (no numerator or denominator).
MEASURES = [
    "knife_offences",
    "hospital_admissions_knife",
    "homicide_knife",
    "knife_offences_share",
    "ws_avon_and_somerset_01_datasets",
    "ws_bedfordshire_02_positive_pct",
]


def _same(new: pd.DataFrame, old: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(new, old, check_exact=False, rtol=1e-12, atol=0)


# --------------------------------------------------------------------- as it was


def _old_raw(measure_code, area_code, parent_code, age_band) -> pd.DataFrame:
    parent = aliased(Area)
    query = (
        # What is read of each value is the code's own list (_RAW_COLUMNS); the
        # joins, filters and order below are how the rows were found.
        select(*raw_series._raw_columns())
        .join(Measure, Measure.id == MeasureValue.measure_id)
        .join(Area, Area.id == MeasureValue.area_id)
        .join(Source, Source.id == MeasureValue.source_id)
        .where(
            Measure.code == measure_code,
            MeasureValue.age_band == age_band,
            MeasureValue.is_current,
        )
        .order_by(Area.code, MeasureValue.period_start, MeasureValue.period_end)
    )
    if area_code is not None:
        query = query.where(Area.code == area_code)
    if parent_code is not None:
        query = query.join(parent, parent.id == Area.parent_id).where(
            parent.code == parent_code
        )
    with db.session_scope() as session:
        rows = session.execute(query).all()
    frame = pd.DataFrame(rows, columns=raw_series._RAW_COLUMNS)
    frame["illustrative"] = frame["illustrative"].astype(bool)
    for col in ("value", "numerator", "denominator"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype(float)
    return frame


def _old_months(start: pd.Series, end: pd.Series) -> pd.Series:
    return pd.Series(
        [
            (e.year - s.year) * 12 + e.month - s.month + 1
            for s, e in zip(start, end, strict=True)
        ],
        index=start.index,
        dtype=int,
    )


def _old_by_length(frame: pd.DataFrame, length: str) -> pd.DataFrame:
    if frame.empty:
        out = frame.copy()
        out["period"] = pd.Series(dtype=object)
        return out
    months = _old_months(frame["period_start"], frame["period_end"])
    start_month = frame["period_start"].map(lambda d: d.month)
    quarters = frame[(months == 3) & start_month.isin([1, 4, 7, 10])]
    if length == "quarter":
        out = quarters.copy()
    else:
        annual = frame[(months == 12) & (start_month == 4)].copy()
        summed = _old_years_from_quarters(quarters)
        if not summed.empty:
            have = set(zip(annual["area_code"], annual["period_start"], strict=True))
            keep = [
                (a, s) not in have
                for a, s in zip(
                    summed["area_code"], summed["period_start"], strict=True
                )
            ]
            summed = summed[keep]
            annual = pd.concat([annual, summed], ignore_index=True)
        out = annual
    out = out.sort_values(["area_code", "period_start"]).reset_index(drop=True)
    out["period"] = [
        periods.period_label(s, e)
        for s, e in zip(out.period_start, out.period_end, strict=True)
    ]
    return out


def _old_years_from_quarters(quarters: pd.DataFrame) -> pd.DataFrame:
    if quarters.empty:
        return quarters.iloc[0:0].copy()
    q = quarters.sort_values(["area_code", "period_start"]).copy()
    q["fy"] = q["period_start"].map(periods.financial_year_of)
    q["provisional"] = q["status"] == "provisional"
    grouped = q.groupby(["area_code", "fy"], sort=True)
    years = grouped.agg(
        area_name=("area_name", "first"),
        n=("period_start", "size"),
        value=("value", lambda v: v.sum(min_count=4)),
        numerator=("numerator", lambda v: v.sum(min_count=4)),
        denominator=("denominator", "first"),
        provisional=("provisional", "any"),
        source_title=("source_title", lambda v: "; ".join(dict.fromkeys(v))),
        illustrative=("illustrative", "any"),
        # issue 18: as precise as the least precise quarter
        precision=("precision", lambda v: max(v, key=raw_series.PRECISION_RANK.get)),
    ).reset_index()
    years = years[years["n"] == 4]
    bounds = [periods.fy_bounds(int(fy)) for fy in years["fy"]]
    years["period_start"] = [b[0] for b in bounds]
    years["period_end"] = [b[1] for b in bounds]
    years["status"] = np.where(years["provisional"], "provisional", "final")
    years["illustrative"] = years["illustrative"].astype(bool)
    years["note"] = "Sum of the four quarters."
    return years[raw_series._RAW_COLUMNS].reset_index(drop=True)


def _old_forces(*, england_only: bool) -> dict[str, str]:
    """The force areas of England and Wales (of England only): code -> name."""
    parent = aliased(Area)
    with db.session_scope() as session:
        rows = session.execute(
            select(Area.code, Area.name)
            .join(parent, parent.id == Area.parent_id)
            .where(parent.code == NATIONAL_CODE, Area.level == "pfa")
        ).all()
    return {c: n for c, n in rows if not england_only or c.startswith("E")}


def _old_national(measure_code: str, length: str, age_band: str) -> pd.DataFrame:
    raw_columns = raw_series._RAW_COLUMNS
    published = _old_by_length(
        _old_raw(measure_code, NATIONAL_CODE, None, age_band), length
    )
    name = "England and Wales"
    if published.empty:
        england = _old_by_length(
            _old_raw(measure_code, ENGLAND_CODE, None, age_band), length
        )
        if not england.empty or measure_code == "hospital_admissions_knife":
            published, name = england, "England"
    forces = _old_by_length(
        _old_raw(measure_code, None, NATIONAL_CODE, age_band), length
    )
    if name == "England":
        forces = forces[forces["area_code"].str.startswith("E")]
    sums = pd.DataFrame(columns=[*raw_columns, "period"])
    if not forces.empty:
        usable = forces[forces["numerator"].notna() & forces["denominator"].notna()]
        grouped = usable.groupby(["period_start", "period_end"], sort=True)
        counts = grouped["area_code"].nunique()
        complete = counts[counts >= 0.9 * counts.max()]
        parts = []
        universe = _old_forces(england_only=name == "England")
        for (start, end), n in complete.items():
            part = grouped.get_group((start, end))
            missing = sorted(
                universe[c] for c in universe if c not in set(part["area_code"])
            )
            listed = ", ".join(missing[:-1]) + " and " * (len(missing) > 1)
            listed += "".join(missing[-1:])
            parts.append(
                {
                    "area_code": NATIONAL_CODE if name != "England" else ENGLAND_CODE,
                    "area_name": f"{name} (sum of {n} force areas"
                    + (f", excluding {listed})" if missing else ")"),
                    "period_start": start,
                    "period_end": end,
                    "value": part["value"].sum(),
                    "numerator": part["numerator"].sum(),
                    "denominator": part["denominator"].sum(),
                    "status": "provisional"
                    if (part["status"] == "provisional").any()
                    else "final",
                    "source_title": "Sum of force areas: "
                    + "; ".join(dict.fromkeys(part["source_title"])),
                    "illustrative": bool(part["illustrative"].any()),
                    "note": f"Sum of the {n} force areas that report this measure.",
                    "precision": max(
                        part["precision"], key=raw_series.PRECISION_RANK.get
                    ),
                    "period": periods.period_label(start, end),
                }
            )
        if parts:
            sums = pd.DataFrame(parts)
    if not published.empty:
        published = published.assign(area_name=name)
        have = set(published["period_start"])
        sums = sums[[s not in have for s in sums["period_start"]]]
    frames = [f for f in (published, sums) if not f.empty]
    if not frames:
        return pd.DataFrame(columns=[*raw_columns, "period"])
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values("period_start").reset_index(drop=True)


def _old_get_measure(
    code: str, scope: Scope | None = None, *, table: pd.DataFrame | None = None
) -> dict:
    """`table`: list_measures as read (the store does not change during a
    test, so one read serves every lookup)."""
    if table is None:
        table = measures.list_measures.uncached(include_private=True)
    match = table[table["code"] == code]
    if match.empty:
        raise NotFound(f"no measure has the code '{code}'")
    measure = match.iloc[0].to_dict()
    if not measure["is_public"] and (scope is None or scope.is_public):
        raise NotFound(f"no measure has the code '{code}'")
    return measure


def _equal(a, b) -> bool:
    """Deep equality where NaN equals NaN."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    return type(a) is type(b) and a == b


# ----------------------------------------------------------------------- trends


@pytest.mark.parametrize("length", ["quarter", "year"])
def test_national_benchmark_is_what_the_per_period_loop_gave(loaded_store, length):
    """The sum of force areas (and the published series it fills in) for every
    measure and age band, against the loop it replaced."""
    checked = 0
    for code in MEASURES:
        for age in AGES:
            england_only = code == "hospital_admissions_knife"
            new = benchmarking._national(code, length, age, england_only=england_only)
            _same(new, _old_national(code, length, age))
            checked += new["area_name"].str.contains("sum of").sum()
    # the force-area sums themselves were compared, not only published series
    # (fewer since NHS Digital's England totals to 2021/22 replaced some sums)
    assert checked >= 20


@pytest.mark.parametrize("england_only", [False, True])
def test_quarter_totals_summed_in_sql_equal_the_frame_totals(
    loaded_store, england_only
):
    for code in MEASURES:
        for age in AGES:
            forces = raw_series._by_length(
                raw_series._raw(code, None, NATIONAL_CODE, age), "quarter"
            )
            if england_only:
                forces = forces[forces["area_code"].str.startswith("E")]
            in_sql = benchmarking._force_quarter_totals(code, age, england_only)
            _same(in_sql, benchmarking._force_totals(forces))
    # Wales' force areas are left out of an England-only sum
    knife = benchmarking._force_quarter_totals("knife_offences", "all", england_only)
    assert knife["n"].max() == (38 if england_only else 42)


@pytest.mark.parametrize("length", ["quarter", "year"])
def test_series_by_length_are_what_the_row_by_row_version_gave(loaded_store, length):
    for code in MEASURES:
        for area_code, parent_code in (
            (None, NATIONAL_CODE),  # every force area
            (None, AVON),  # Avon's local authorities
            (NATIONAL_CODE, None),
            (AVON, None),
        ):
            raw = _old_raw(code, area_code, parent_code, "all")
            _same(raw_series._raw(code, area_code, parent_code, "all"), raw)
            _same(raw_series._by_length(raw, length), _old_by_length(raw, length))


def test_the_overview_headline_is_the_published_figure(loaded_store):
    """Hand-worked, not compared with the code: the Metropolitan Police's knife
    offences headline is its latest published financial year (issue 17: not the
    later illustrative years, which it names), whose figure is read here with
    plain SQL. Every caller gets the same (police recorded crime is shown in
    full), from the overview and from measure_headline alike."""
    with db.session_scope() as session:
        rows = session.execute(
            select(MeasureValue.period_start, MeasureValue.value)
            .join(Measure, Measure.id == MeasureValue.measure_id)
            .join(Area, Area.id == MeasureValue.area_id)
            .join(Source, Source.id == MeasureValue.source_id)
            .where(
                Measure.code == "knife_offences",
                Area.code == MET,
                MeasureValue.age_band == "all",
                MeasureValue.is_current,
                MeasureValue.period_months == 12,
                Source.illustrative.is_(False),
            )
        ).all()
    start, expected = max((s, v) for s, v in rows if s.month == 4)
    for scope in (SYSTEM, VIEWER, PUBLIC):
        summary = board_overview.overview_summary(scope=scope, area_code=MET)
        knife = next(
            row["all"]
            for row in summary["measures"]
            if row["all"]["code"] == "knife_offences"
        )
        assert knife["period"] == periods.fy_label(start.year)
        assert knife["value"] == expected
        assert not knife["suppressed"] and not knife["illustrative"]
        assert knife["illustrative_to"] > knife["period"]
        assert _equal(
            headlines.measure_headline(
                scope=scope, measure_code="knife_offences", area_code=MET
            ),
            knife,
        )


def test_overview_reads_the_measure_list_once(loaded_store, monkeypatch):
    """Not once per measure and series (24 reads before, each a query with the
    cache off): the success measures' rows once, and neither the whole measure
    table nor the list with last_updated, which reads every value."""
    reads = {"success": 0, "metadata": 0, "list": 0}

    def counting(name, fn):
        def wrapper(*args, **kwargs):
            reads[name] += 1
            return fn(*args, **kwargs)

        return wrapper

    success = counting("success", measures.success_measure_records)
    monkeypatch.setattr(measures, "success_measure_records", success)
    monkeypatch.setattr(board_overview, "success_measure_records", success)
    monkeypatch.setattr(
        measures, "measure_metadata", counting("metadata", measures.measure_metadata)
    )
    monkeypatch.setattr(
        measures, "list_measures", counting("list", measures.list_measures)
    )
    summary = board_overview.overview_summary(scope=SYSTEM, area_code=AVON)
    assert len(summary["measures"]) == 3
    assert reads == {"success": 1, "metadata": 0, "list": 0}


# ---------------------------------------------------------------------- measures


def _outcome(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except NotFound as error:
        return ("NotFound", str(error))


def test_get_measure_is_the_row_of_the_full_list(loaded_store):
    table = measures.list_measures(include_private=True)
    metadata = measures.measure_metadata(include_private=True)
    assert list(metadata.columns) == measures.MEASURE_COLUMNS[:-1]
    assert table["last_updated"].notna().sum() > 100
    private = 0
    # The old road's list, read once: the lookups are what is compared.
    as_read = measures.list_measures.uncached(include_private=True)
    for code in [*table["code"], "no_such_measure"]:
        for scope in (None, SYSTEM, VIEWER, PUBLIC):
            old = _outcome(_old_get_measure, code, scope, table=as_read)
            assert _equal(_outcome(measures.get_measure, code, scope=scope), old)
            assert _equal(
                _outcome(measures.get_measure, code, scope=scope, table=metadata), old
            )
            private += isinstance(old, tuple)
    # hidden measures were among those compared (NotFound for some scopes)
    assert private > 100


def test_success_measures_from_a_table_already_read(loaded_store):
    old = measures.success_measures()
    assert set(old["code"]) == {
        "homicide_knife",
        "knife_offences",
        "hospital_admissions_knife",
    }
    assert old["success_measure_rank"].is_monotonic_increasing
    for table in (
        measures.list_measures(include_private=True),
        measures.list_measures(),
    ):
        pd.testing.assert_frame_equal(measures.success_measures(table), old)
    metadata = measures.measure_metadata(include_private=True)
    pd.testing.assert_frame_equal(
        measures.success_measures(metadata), old.drop(columns="last_updated")
    )


# -------------------------------------------------------------------- comparison


def test_rate_measures_are_what_fy_values_per_measure_gave(loaded_store):
    for scope in (SYSTEM, VIEWER, PUBLIC):
        table = measures.list_measures(include_private=not scope.is_public)
        table = table[table["rate_multiplier"].notna() & table["is_public"]]
        table = table.drop(columns="last_updated")  # a list of measures needs none
        # financial years, else (a measure with none) stored rolling years
        keep = [
            code
            for code in table["code"]
            if not year_values._fy_values.uncached(code, "pfa", "all").empty
            or not year_values._rolling_values.uncached(code, "pfa", "all").empty
        ]
        expected = table[table["code"].isin(keep)].reset_index(drop=True)
        # typed from its own few rows (a rate multiplier with no NaN beside it
        # stays whole), as the list of measures needs no more
        pd.testing.assert_frame_equal(
            year_values.rate_measures(scope=scope), expected, check_dtype=False
        )


@pytest.mark.parametrize(
    "level, age_band", [("pfa", "all"), ("pfa", "under25"), ("lad", "all")]
)
def test_codes_with_years_are_the_measures_fy_values_finds(
    loaded_store, level, age_band
):
    codes = list(measures.list_measures(include_private=True)["code"])
    expected = sorted(
        code
        for code in codes
        if not year_values._fy_values.uncached(code, level, age_band).empty
    )
    found = year_values._codes_with_years(level, age_band)
    assert found == expected
    if (level, age_band) == ("pfa", "all"):
        # Workstream measures have quarterly values for force areas but no count,
        # so they have no financial years: "has values" would not be enough.
        with db.session_scope() as session:
            with_values = set(
                session.scalars(
                    select(Measure.code)
                    .join(MeasureValue, MeasureValue.measure_id == Measure.id)
                    .join(Area, Area.id == MeasureValue.area_id)
                    .where(Area.level == "pfa", MeasureValue.is_current)
                    .distinct()
                )
            )
        assert set(found) < with_values
        assert {"knife_offences", "homicide_knife"} <= set(found)
