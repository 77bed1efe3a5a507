"""Force areas compared (data_access.outcomes.force_areas, funnels, vru_groups,
profiles) stand on these: a measure's financial-year values for every area of a
level, the periods available, the checks of a comparison's parameters and the
national benchmark.

Every comparison is by financial year. A measure's financial-year figure for an area
is its stored 12-month April-March value where one exists, otherwise its four stored
quarters of that year combined in SQL: a count's year sums their counts and keeps
the population of the year's first quarter (the mid-year estimate the annual figures
use); a proportion's (a measure with a Wilson interval, statistics.proportion_scale)
sums the numerators and the denominators, so its value is pooled, never four
percentages added or a year's numerators over one quarter's denominator, and needs
all four quarters' denominators. Knife offences therefore have real ONS financial
years 2010/11 to 2018/19 and illustrative years, summed from illustrative quarters,
from 2019/20.

Groups of areas or of years (benchmarks, VRU against non-VRU) are pooled: summed
counts over summed populations, or summed numerators over summed denominators.

Benchmarks: "national" is England and Wales where the store holds that year, else
England (hospital admissions cover England only), else the pooled rate of the areas
compared (labelled so). "vru" / "non_vru" are the pooled rates of the areas that
have ever had a VRU (20) / never have (23). "region:<code>" pools a region's force
areas; "saved:<id>" pools the areas of one of the caller's saved groups
(data_access.comparator_groups; `resolve_benchmark` reads it with their access).

Rolling years: a measure with no financial-year figure for areas of a level (the
ONS Table P1 offence groups, published for the year ending June 2025 only) is
compared over its stored 12-month periods that start in another month
(`_rolling_values`): the period key is the start month ("2024-07", labelled "year
ending Jun 2025" by periods.period_label), and the same benchmark (England and
Wales where published, else the areas pooled), intervals and profile rows apply.
A financial year's key is its April ("2018-04").

Columns
- PERIOD_COLUMNS (`available_periods`): year (2018 = 2018/19; a rolling year's
  start year), value ("2018-04", the URL form: the period's first month), label
  ("2018/19", or "year ending Jun 2025"), n_areas, illustrative.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from sqlalchemy import (
    BigInteger,
    Date,
    Integer,
    and_,
    bindparam,
    case,
    cast,
    extract,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.functions import FunctionElement

from data_access import periods, statistics
from data_access.areas import ENGLAND_CODE, NATIONAL_CODE
from data_access.cache import memoized
from data_access.comparator_groups import get_group, region_groups
from data_access.db import read_connection
from data_access.errors import InvalidParameter
from data_access.measures import (
    MEASURE_COLUMNS,
    _measure_query,
    current_rows,
    get_measure,
)
from data_access.models import (
    Area,
    Measure,
    MeasureValue,
    Source,
    covered_area_name,
)
from data_access.outcomes.raw_series import BASELINE_YEARS
from data_access.scope import Scope

BENCHMARKS = {
    "national": "England and Wales",
    "vru": "VRU areas (pooled)",
    "non_vru": "Non-VRU areas (pooled)",
}
CONFIDENCE_LEVELS = (0.95, 0.998)
FIRST_VRU_YEAR = 2019  # the 18 areas funded from 2019/20
LATEST_WINDOW = len(BASELINE_YEARS)  # years in the "latest" window
PERIOD_COLUMNS = ["year", "value", "label", "n_areas", "illustrative"]
_FY_COLUMNS = [
    "code",
    "name",
    "is_vru",
    "vru_start_year",
    "year",
    "count",
    "population",
    "illustrative",
    "source_title",
]


# --------------------------------------------------------------------- checks


def _rate_measure(measure_code: str, scope: Scope) -> dict:
    measure = get_measure(measure_code, scope=scope)
    if not measure["rate_multiplier"] or pd.isna(measure["rate_multiplier"]):
        raise InvalidParameter(
            "measure", f"'{measure['name']}' is not a rate, so it cannot be ranked"
        )
    return measure


def can_rank(measure: dict) -> bool:
    """Whether force areas can be ranked by `measure`: its figure is a rate
    (statistics.rate_scale): a rate per so many people (rate_multiplier), or a
    proportion (a share in per cent, with Wilson limits), whose figure is its
    percentage. The one rule for what is ranked by force area: /compare's menu
    (`ranked_measure_names`, through its SQL form `_has_rate`) and checks
    (`_ranked_measure`), and the public compare embed, whose figures are
    `statistics.rates_for`'s, which gives a rate exactly where rate_scale does
    (web/embed_charts `_has_interval`). A count with no multiplier (people
    reached) has no rate to rank."""
    return statistics.rate_scale(measure) is not None


def _has_rate():
    """SQL: `can_rank` of the outer Measure (statistics.rate_scale: a proportion,
    or a rate_multiplier that is not 0)."""
    return or_(
        _is_proportion(),
        and_(Measure.rate_multiplier.is_not(None), Measure.rate_multiplier != 0),
    )


def _ranked_measure(measure_code: str, scope: Scope) -> dict:
    """The measure, if force areas can be ranked by it (`can_rank`: a rate or a
    share); InvalidParameter else."""
    measure = get_measure(measure_code, scope=scope)
    if not can_rank(measure):
        raise InvalidParameter(
            "measure",
            f"'{measure['name']}' is neither a rate nor a percentage, so it cannot "
            "be ranked",
        )
    return measure


def _check_confidence(confidence: float) -> float:
    if confidence not in CONFIDENCE_LEVELS:
        raise InvalidParameter("level", "the confidence level must be 95% or 99.8%")
    return confidence


def _check_benchmark(benchmark: str) -> str:
    if benchmark not in BENCHMARKS and benchmark not in region_groups():
        raise InvalidParameter(
            "benchmark",
            f"benchmark must be one of {', '.join(BENCHMARKS)}, a region "
            "(region:<code>) or one of your saved groups (saved:<id>)",
        )
    return benchmark


def resolve_benchmark(benchmark: str, *, scope: Scope) -> str | tuple:
    """The benchmark as the shared (memoized) computations take it: a published
    group's key as it is, a user's saved group as ("saved", name, area codes),
    read with the caller's access here, so a cached result is never keyed by a
    group id another user could ask for (InvalidParameter for a group that is
    not the caller's, as for any unknown benchmark)."""
    if isinstance(benchmark, str) and benchmark.startswith("saved:"):
        group = get_group(benchmark, scope=scope)
        return ("saved", str(group["label"]), tuple(group["area_codes"]))
    return _check_benchmark(benchmark)


def benchmark_label(benchmark: str | tuple) -> str:
    """A pooled benchmark's name: the VRU groups, a region's force areas
    (data_access.comparator_groups, from ONS's PFA tables) or a saved group."""
    if isinstance(benchmark, tuple):
        return f"{benchmark[1]} (your saved group, pooled)"
    if benchmark in BENCHMARKS:
        return BENCHMARKS[benchmark]
    return f"{region_groups()[benchmark][0]} force areas (pooled)"


def rate_measures(*, scope: Scope) -> pd.DataFrame:
    """Public rate measures that have financial-year figures for force areas, or
    (a measure with none) rolling years (MEASURE_COLUMNS of data_access.measures
    but last_updated), success measures first. Public ones only, whoever asks
    (`scope` is kept for the callers): a comparison ranks published measures.

    One statement: the measure table's rows of the public rate measures, each
    tested for years as `_codes_with_years` and `_codes_with_rolling_years` test
    every measure (not the whole measure table read, then both tests run over
    every measure, workstream measures' quarters grouped among them: 20 ms of
    SQLite for six rows)."""
    return pd.DataFrame(_rate_measure_rows(), columns=MEASURE_COLUMNS[:-1])


def _rate_measure_rows() -> list[tuple]:
    """`rate_measures`' rows (MEASURE_COLUMNS but last_updated) as tuples."""
    with read_connection() as connection:
        return [
            tuple(row)
            for row in connection.execute(_rate_measures_statement("pfa", "all"))
        ]


@functools.cache
def _rate_measures_statement(level: str, age_band: str):
    """`rate_measures`' statement for areas of `level`, built once per process."""
    return _measure_query(include_private=False).where(
        Measure.rate_multiplier.is_not(None),
        _has_years(level, age_band, rolling=True),
    )


def ranked_measures(*, scope: Scope) -> pd.DataFrame:
    """Public measures that force areas can be ranked by (`can_rank`: rates and
    shares) with financial-year figures for force areas, or rolling years
    (columns as `rate_measures`), success measures first: what /compare offers,
    `rate_measures` and the shares among the public measures."""
    return pd.DataFrame(_ranked_measure_rows(), columns=MEASURE_COLUMNS[:-1])


def ranked_measure_names(*, scope: Scope) -> list[tuple[str, str]]:
    """(code, name) of each of `ranked_measures`' rows, in its order: the same
    statement's rows, for /compare's menu, without a frame of every column
    (issue 19: building the frame and iterating it as named tuples cost about
    as much as the read)."""
    return [(row[0], row[1]) for row in _ranked_measure_rows()]


def _ranked_measure_rows() -> list[tuple]:
    """`ranked_measures`' rows (MEASURE_COLUMNS but last_updated) as tuples."""
    with read_connection() as connection:
        return [
            tuple(row)
            for row in connection.execute(_ranked_measures_statement("pfa", "all"))
        ]


@functools.cache
def _ranked_measures_statement(level: str, age_band: str):
    """`ranked_measures`' statement (`_rate_measures_statement` with shares
    too), built once per process."""
    return _measure_query(include_private=False).where(
        _has_rate(), _has_years(level, age_band, rolling=True)
    )


# ------------------------------------------------------ financial-year values


def _start():
    """SQL: the year and month a value's period starts, and the financial year
    it starts in (periods.financial_year_of). How many months a value spans is
    its stored period_months (models.months_spanned, set on insert)."""
    return _start_of(MeasureValue.period_start)


def _start_of(period_start):  # noqa: ANN001, ANN202 - a column; SQL
    """`_start` of an alias's period_start (the probes of `_has_years`)."""
    start_y = _StartYear(period_start)
    start_m = _StartMonth(period_start)
    return start_y, start_m, case((start_m >= 4, start_y), else_=start_y - 1)


class _StartYear(FunctionElement):
    """SQL: a date's year: EXTRACT, but on SQLite the first four characters of
    the stored ISO date (SQLAlchemy's Date) rather than EXTRACT's STRFTIME,
    which parses the date for each row and each use: grouping quarters into
    financial years spent most of a read in it."""

    type = Integer()
    inherit_cache = True


class _StartMonth(FunctionElement):
    """SQL: a date's month (as `_StartYear`: characters 6-7 on SQLite)."""

    type = Integer()
    inherit_cache = True


@compiles(_StartYear)
def _year_by_extract(element, compiler, **kw) -> str:  # noqa: ANN001
    return compiler.process(extract("year", *element.clauses), **kw)


@compiles(_StartMonth)
def _month_by_extract(element, compiler, **kw) -> str:  # noqa: ANN001
    return compiler.process(extract("month", *element.clauses), **kw)


@compiles(_StartYear, "postgresql")
def _year_by_date_part(element, compiler, **kw) -> str:  # noqa: ANN001
    # date_part's double precision rather than EXTRACT's numeric (PostgreSQL
    # 14 on): the same whole numbers, cheaper to compare, sort and group (the
    # years of quarters read for /compare, issue 19: about a tenth of them)
    return f"date_part('year', {compiler.process(element.clauses, **kw)})"


@compiles(_StartMonth, "postgresql")
def _month_by_date_part(element, compiler, **kw) -> str:  # noqa: ANN001
    return f"date_part('month', {compiler.process(element.clauses, **kw)})"


@compiles(_StartYear, "sqlite")
def _year_of_iso_text(element, compiler, **kw) -> str:  # noqa: ANN001
    return f"CAST(substr({compiler.process(element.clauses, **kw)}, 1, 4) AS INTEGER)"


@compiles(_StartMonth, "sqlite")
def _month_of_iso_text(element, compiler, **kw) -> str:  # noqa: ANN001
    return f"CAST(substr({compiler.process(element.clauses, **kw)}, 6, 2) AS INTEGER)"


class _AprilFirst(FunctionElement):
    """SQL: the 1st of April of a year (an integer expression): where the
    financial year that starts that year begins, compared with period_start
    as a range of an index (`_year_of_quarters`)."""

    type = Date()
    inherit_cache = True


@compiles(_AprilFirst)
def _april_by_make_date(element, compiler, **kw) -> str:  # noqa: ANN001
    year = compiler.process(element.clauses, **kw)
    return f"make_date(CAST({year} AS INTEGER), 4, 1)"


@compiles(_AprilFirst, "sqlite")
def _april_as_iso_text(element, compiler, **kw) -> str:  # noqa: ANN001
    # SQLAlchemy's Date is stored on SQLite as ISO text (YYYY-MM-DD), which
    # sorts as the dates do
    return f"printf('%04d-04-01', {compiler.process(element.clauses, **kw)})"


def _fy_base(level: str, age_band: str):
    """The current values of areas of `level` that financial years come from."""
    return current_rows([]).where(
        Area.level == level, MeasureValue.age_band == age_band
    )


def _is_proportion():
    """SQL: the measure is a proportion (as statistics.proportion_scale says)."""
    return Measure.ci_method.in_(statistics.PROPORTION_CI_METHODS)


def _four_quarters(start_m, values=MeasureValue):  # noqa: ANN001
    """HAVING for a group of quarters that makes a financial year: all four, each
    with a count, and a proportion's each with its denominator (they are pooled).
    `Measure` is grouped on, or the outer row of a correlated subquery;
    `values`: MeasureValue or an alias of it."""
    return and_(
        func.count() == 4,
        func.count(values.numerator) == 4,
        _months_differ(start_m),
        or_(~_is_proportion(), func.count(values.denominator) == 4),
    )


# Bits 1 and 2 of each month's octal digit (months 1 to 12): `_months_differ`.
_MONTH_DIGITS_OVER_ONE = sum(6 << (3 * month) for month in range(1, 13))


def _months_differ(start_m):  # noqa: ANN001, ANN202 - SQL
    """HAVING: the group's rows start in different months, for a group of four
    (what COUNT(DISTINCT start month) = 4 said beside COUNT(*) = 4). Each row
    adds 1 to its month's octal digit of a sum; with four rows no digit passes
    4, so the months differ exactly when no digit is over 1. A plain SUM,
    where the DISTINCT had PostgreSQL sort each group's rows again (issue 19:
    grouping a measure's quarters into years, about a sixth of the read)."""
    digits = func.sum(
        literal(1, BigInteger).op("<<")((3 * cast(start_m, Integer)).self_group())
    )
    return cast(digits, BigInteger).op("&")(_MONTH_DIGITS_OVER_ONE) == 0


def _measure_values(level: str, age_band: str, months: int):
    """The current `months`-month values of the outer query's Measure for areas
    of `level`: the body of an EXISTS probed through ix_measure_value_lookup
    (measure, area, period_months, ...)."""
    return (
        select(MeasureValue.area_id)
        .join(Area, Area.id == MeasureValue.area_id)
        .join(Source, Source.id == MeasureValue.source_id)
        .where(
            MeasureValue.measure_id == Measure.id,
            Area.level == level,
            MeasureValue.age_band == age_band,
            MeasureValue.is_current,
            MeasureValue.period_months == months,
        )
    )


@memoized
def _codes_with_years(level: str, age_band: str) -> list[str]:
    """Codes of the measures for which `_fy_values` finds any figure: a stored
    April-March row, or four quarters of one year, for an area of `level`.

    One query for every measure (not `_fy_values` once per measure). Each test is
    an EXISTS on the measure's values through ix_measure_value_lookup
    (measure, area, period_months, ...), so it stops at the first year found
    instead of reading every value. period_months is the number of months
    the dates span (set from them on insert)."""
    # One statement, read outside a transaction (no BEGIN and COMMIT round
    # trips), as every read of this module is.
    with read_connection() as connection:
        return list(connection.scalars(_codes_statement(level, age_band)))


@functools.cache
def _codes_statement(level: str, age_band: str):
    """`_codes_with_years`' statement, built once per process (as `_fy_statement`)."""
    return (
        select(Measure.code).where(_has_years(level, age_band)).order_by(Measure.code)
    )


def _has_years(level: str, age_band: str, *, rolling: bool = False):
    """SQL: the outer Measure has a financial year for an area of `level` (what
    `_fy_values` finds): a stored April-March value, or four quarters of a year;
    with `rolling`, or a rolling-year value (`_has_rolling_years`), so one
    12-month value of any start month.

    Probes, each stopping at its first hit (issue 19): for each area of
    `level`, its 12-month values, then its quarters, through
    ix_measure_value_lookup (measure, area, period_months, age_band, ...); a
    quarter makes a year when the quarters of its financial year, read as a
    range of period_start, pass `_four_quarters` (`_year_of_quarters`). It was
    one EXISTS over every area's values of each kind, PostgreSQL reading every
    current value of the measure, and grouping all its quarters by area and
    year, to find one (100k output rows: 5.2 ms for three measures; 10M: 30 ms
    for 71). Exists distributes over or, so "some area has a 12-month value or
    a year of quarters" is "some 12-month value, or some year of quarters".

    The old tests joined each value to its source too: measure_value.source_id
    is NOT NULL and a foreign key (enforced on SQLite as on PostgreSQL, db.py),
    so the join dropped no row. tests/data_access/test_year_probes.py checks
    the probes against the old tests."""
    # Aliases of measure_value, so that nothing here correlates with a
    # caller's own (its callers select measures, with no area).
    annual = aliased(MeasureValue)
    twelve = _area_values(age_band, 12, annual)
    if not rolling:
        twelve = twelve.where(_start_of(annual.period_start)[1] == 4)
    per_area = or_(twelve.offset(0).exists(), _year_of_quarters(age_band).exists())
    # OFFSET 0 keeps PostgreSQL probing each area, and each area's values, as
    # a correlated subplan: a plain EXISTS would be made a semi join or a
    # hashed subplan, which reads every value of the measure.
    return select(Area.id).where(Area.level == level, per_area).offset(0).exists()


def _area_values(age_band: str, months: int, values):  # noqa: ANN001
    """The current `months`-month values (`values`: an alias of MeasureValue)
    of the outer query's Measure and Area: an index probe of
    ix_measure_value_lookup (measure, area, period_months, age_band)."""
    return (
        select(values.area_id)
        .where(
            values.measure_id == Measure.id,
            values.area_id == Area.id,
            values.period_months == months,
            values.age_band == age_band,
            values.is_current,
        )
        # correlated with the Measure two or three queries out, not only with
        # the query around it (SQLAlchemy's automatic correlation)
        .correlate(Measure, Area)
    )


def _year_of_quarters(age_band: str):
    """SELECT of the outer Area's quarters (of the outer Measure) that are in a
    financial year of four (`_four_quarters`): for each quarter, the quarters
    of its financial year (period_start from its April to the next, a range of
    ix_measure_value_lookup's last column) grouped and tested. The groups are
    those of grouping every quarter by area and financial year (a value's
    financial year is a function of its start date), so it finds one exactly
    when that grouping does."""
    quarter = aliased(MeasureValue)
    year = aliased(MeasureValue)
    _, _, fy = _start_of(quarter.period_start)
    _, year_m, _ = _start_of(year.period_start)
    same_year = (
        select(year.area_id)
        .where(
            year.measure_id == Measure.id,
            year.area_id == quarter.area_id,
            year.period_months == 3,
            year.age_band == age_band,
            year.is_current,
            year.period_start >= _AprilFirst(fy),
            year.period_start < _AprilFirst(fy + 1),
        )
        .correlate(Measure, quarter)
        # one group (one area): an aggregate with a HAVING
        .group_by(year.area_id)
        .having(_four_quarters(year_m, year))
    )
    return _area_values(age_band, 3, quarter).where(same_year.exists()).offset(0)


@functools.cache
def _fy_statement(
    levels: tuple[str, ...],
    age_band: str,
    one_year: bool = False,
    years_only: bool = False,
    since: bool = False,
):
    """`_fy_levels`' statement for areas of `levels` (each row's level first),
    the measure's code a bound parameter ("measure_code"): built once per
    process, as building it (a few milliseconds of SQLAlchemy coercions) cost
    more than running it. `one_year`: only the values that start from April
    "year_start" to before April "year_end" (bound parameters, a year apart):
    those are exactly the rows of the financial year that starts in that April,
    a stored April-March value or the quarters summed into it (a value's
    financial year is a function of its start date), read as a range of
    ix_measure_value_lookup's last column (`_fy_levels_in`). `since`: only the
    values that start in or after April "year_start", so exactly the rows of
    the financial years from that one on, by the same argument
    (`_fy_levels_since`). `years_only`: the
    same rows, chosen by the same WHERE and HAVING, with only (level, code,
    year, usable, illustrative, pref), usable 1 where the row has a count and a
    positive population (`_fy_years`)."""
    start_y, start_m, fy = _start()
    # period_months (set from the dates on insert) rather than the months worked
    # out per row: it lets the planner read the measure's force areas' quarters
    # or years through ix_measure_value_lookup instead of every value of the
    # measure, and the years and the quarters come back in one round trip.
    # The measure's id and the level's areas as subqueries too, though the joins
    # already say so: with them PostgreSQL reads each area's values through
    # ix_measure_value_lookup (measure, area, period_months, ...) instead of
    # every value of the measure, most of them local authorities' (0.8 ms
    # instead of 8 on 100k output rows).
    measure_id = (
        select(Measure.id)
        .where(Measure.code == bindparam("measure_code"))
        .scalar_subquery()
    )
    base = (
        current_rows([Area.level])
        .where(Area.level.in_(levels), MeasureValue.age_band == age_band)
        .where(
            Measure.code == bindparam("measure_code"),
            MeasureValue.measure_id == measure_id,
            MeasureValue.area_id.in_(select(Area.id).where(Area.level.in_(levels))),
        )
    )
    if one_year or since:
        base = base.where(
            MeasureValue.period_start >= bindparam("year_start", type_=Date)
        )
    if one_year:
        base = base.where(MeasureValue.period_start < bindparam("year_end", type_=Date))
    illustrative = func.max(cast(Source.illustrative, Integer))
    quarters_population = case(
        # summed numerators over one quarter's denominator would be four
        # times the proportion
        (_is_proportion(), func.sum(MeasureValue.denominator)),
        # a count's population: the mid-year in which the year starts
        else_=func.max(case((start_m == 4, MeasureValue.denominator), else_=None)),
    )
    if years_only:
        annual_usable = and_(
            MeasureValue.numerator.is_not(None), MeasureValue.denominator > 0
        )
        annual = base.add_columns(
            Area.code,
            cast(start_y, Integer).label("year"),
            case((annual_usable, 1), else_=0).label("usable"),
            cast(Source.illustrative, Integer).label("illustrative"),
            literal(0, Integer).label("pref"),
        ).where(start_m == 4, MeasureValue.period_months == 12)
        # the HAVING asks for four counts, so a year of quarters has a count
        quarters = (
            base.add_columns(
                Area.code,
                cast(fy, Integer).label("year"),
                case((quarters_population > 0, 1), else_=0),
                illustrative,
                literal(1, Integer).label("pref"),
            )
            .where(MeasureValue.period_months == 3)
            # by the area's and the measure's ids, as the figures' read below
            # (grouping on the code's text cost about as much, issue 19)
            .group_by(Area.id, fy, Measure.id)
            .having(_four_quarters(start_m))
        )
        return union_all(annual, quarters)
    annual = base.add_columns(
        Area.code,
        covered_area_name(),
        Area.is_vru,
        Area.vru_start_year,
        cast(start_y, Integer).label("year"),
        MeasureValue.numerator,
        MeasureValue.denominator,
        cast(Source.illustrative, Integer).label("illustrative"),
        Source.title,
        literal(0, Integer).label("pref"),
    ).where(start_m == 4, MeasureValue.period_months == 12)
    quarters = (
        base.add_columns(
            Area.code,
            Area.name,
            Area.is_vru,
            Area.vru_start_year,
            cast(fy, Integer).label("year"),
            func.sum(MeasureValue.numerator),
            quarters_population,
            illustrative,
            func.min(Source.title),
            literal(1, Integer).label("pref"),
        )
        .where(MeasureValue.period_months == 3)
        # by the area's and the measure's ids (their other columns follow
        # from them, primary keys): comparing the five area columns and the
        # method for each row cost (knife offences, issue 19: SQLite ~1 of
        # ~12 ms CPU, PostgreSQL at 100k 18.8 -> 16.2 ms median)
        .group_by(Area.id, fy, Measure.id)
        .having(_four_quarters(start_m))
    )
    return union_all(annual, quarters)


# Levels whose financial years are read in one statement: a comparison of
# force areas wants the national figure of the same years as its benchmark, so
# the two come back in one round trip (issue 19: one read per view).
_READ_TOGETHER = {"pfa": ("country", "pfa"), "country": ("country", "pfa")}


@memoized
def _fy_values(measure_code: str, level: str, age_band: str) -> pd.DataFrame:
    """Financial-year figures (_FY_COLUMNS) of every area of `level`: stored
    April-March rows, else four stored quarters combined in SQL (see the module
    docstring: a count's year keeps Q1's population, a proportion's pools its
    denominators)."""
    levels = _READ_TOGETHER.get(level, (level,))
    return _fy_levels(measure_code, levels, age_band)[level]


@memoized
def _fy_levels(
    measure_code: str, levels: tuple[str, ...], age_band: str
) -> dict[str, pd.DataFrame]:
    """`_fy_values` of each of `levels`, read in one statement."""
    with read_connection() as connection:
        rows = connection.execute(
            _fy_statement(levels, age_band), {"measure_code": measure_code}
        ).all()
    return _frames_by_level(rows, levels)


@memoized
def _fy_levels_in(
    measure_code: str, levels: tuple[str, ...], age_band: str, year: int
) -> dict[str, pd.DataFrame]:
    """`_fy_levels` of the one financial year starting in April `year`, read in
    one statement for that year alone: a comparison of one year (/compare's
    ranking and its benchmark) read every year of the measure, about 13 times
    the rows, to keep one (issue 19: 12.8 -> 2.2 ms CPU on the demo, 3.4 ->
    1.9 ms on PostgreSQL at 100k output rows).
    The same statement (`_fy_statement(one_year=True)`) and frame, so the same
    rows (tests/data_access/test_fy_one_year.py)."""
    with read_connection() as connection:
        rows = connection.execute(
            _fy_statement(levels, age_band, one_year=True),
            {
                "measure_code": measure_code,
                "year_start": dt.date(year, 4, 1),
                "year_end": dt.date(year + 1, 4, 1),
            },
        ).all()
    return _frames_by_level(rows, levels)


@memoized
def _fy_levels_since(
    measure_code: str, levels: tuple[str, ...], age_band: str, year: int
) -> dict[str, dict[str, list | np.ndarray] | None]:
    """`_fy_levels` of the financial years from the one starting in April `year`
    on, read in one statement for those years alone (`_fy_statement(since=True)`,
    a range of ix_measure_value_lookup's last column): a view that starts at a
    fixed year (the VRU comparison's 2016/17 baseline) need not read and sum
    every earlier year's quarters (knife offences on the demo store: 3,108
    quarters from 2008, 1,763 of them from April 2016). Each level's frame as
    its columns (`_fy_columns`; None: no rows), which its one reader takes
    apart at once: the same frames as `_fy_levels`' rows of those years, made
    by `_fy_frame` (tests/data_access/test_fy_one_year.py)."""
    with read_connection() as connection:
        rows = connection.execute(
            _fy_statement(levels, age_band, since=True),
            {"measure_code": measure_code, "year_start": dt.date(year, 4, 1)},
        ).all()
    by_level: dict[str, list] = {level: [] for level in levels}
    for row in rows:
        by_level[row[0]].append(row[1:])
    return {level: _fy_columns(got) for level, got in by_level.items()}


@memoized
def _fy_years(measure_code: str, level: str, age_band: str) -> list[tuple]:
    """Which financial years `_fy_values` has for areas of `level`, without the
    figures: (code, year, usable, illustrative) per area and year, the row
    `_fy_frame` keeps (the stored year preferred), usable where it has a count
    and a positive population. Read by `_fy_statement(years_only=True)`: the
    same rows as `_fy_values`, five columns of each and no frame (issue 19: the
    period list read every figure of the measure, its names and sources, to
    know which years exist; tests/data_access/test_fy_years.py)."""
    with read_connection() as connection:
        rows = connection.execute(
            _fy_statement((level,), age_band, years_only=True),
            {"measure_code": measure_code},
        ).all()
    # as `_fy_frame` chooses: a stored year before a year of summed quarters,
    # else the first row read
    chosen: dict[tuple, tuple] = {}
    for _, code, year, usable, illustrative, pref in rows:
        kept = chosen.get((code, year))
        if kept is None or pref < kept[1]:
            chosen[(code, year)] = (
                (code, int(year), bool(usable), bool(illustrative)),
                pref,
            )
    return [row for row, _ in chosen.values()]


def _frames_by_level(
    rows: Sequence[Sequence], levels: tuple[str, ...]
) -> dict[str, pd.DataFrame]:
    """`_fy_statement`'s rows (each row's level first) as a `_fy_frame` per level."""
    by_level: dict[str, list] = {level: [] for level in levels}
    for row in rows:
        by_level[row[0]].append(row[1:])
    return {level: _fy_frame(got) for level, got in by_level.items()}


def _fy_frame(rows: Sequence[Sequence]) -> pd.DataFrame:
    """`_fy_statement`'s rows (_FY_COLUMNS then pref: 0 a stored April-March
    row, 1 a year of summed quarters) as _FY_COLUMNS, one row per area and
    year, the stored year preferred, by year then area code.

    Chosen and typed in plain Python and made a DataFrame once: a few hundred
    area-years, for which two frames concatenated, sorted and de-duplicated
    took most of this read's time (tests/data_access/test_fy_frame.py checks
    it against that pandas road over random rows)."""
    columns = _fy_columns(rows)
    if columns is None:
        return pd.DataFrame(columns=_FY_COLUMNS)
    return pd.DataFrame(columns)


def _fy_columns(rows: Sequence[Sequence]) -> dict[str, list | np.ndarray] | None:
    """`_fy_frame`'s columns before they are made a frame (each a list, or an
    array typed as the frame's column), None when there are no rows: for a
    reader that takes the columns apart again at once (the VRU comparison's
    few hundred area-years, whose frame cost more than the arithmetic)."""
    # stored years first, then summed quarters, each in the order read
    rows = [r for r in rows if r[-1] == 0] + [r for r in rows if r[-1] != 0]
    chosen: dict[tuple, int] = {}
    for i, row in enumerate(rows):
        key = (row[0], row[4])
        kept = chosen.get(key)
        # the first row of the lowest pref, as a stable sort then keep="first"
        if kept is None or row[-1] < rows[kept][-1]:
            chosen[key] = i
    if not chosen:
        return None
    at = sorted(chosen.values(), key=lambda i: (int(rows[i][4]), rows[i][0]))
    ordered = [rows[i] for i in at]
    nan = math.nan
    return {
        "code": [r[0] for r in ordered],
        "name": [r[1] for r in ordered],
        "is_vru": [False if r[2] is None else bool(r[2]) for r in ordered],
        "vru_start_year": _as_concatenated(rows, 3, at),
        "year": np.array([int(r[4]) for r in ordered], dtype=np.int64),
        "count": [nan if r[5] is None else float(r[5]) for r in ordered],
        "population": [nan if r[6] is None else float(r[6]) for r in ordered],
        "illustrative": [False if r[7] is None else bool(r[7]) for r in ordered],
        "source_title": [r[8] for r in ordered],
    }


def _as_concatenated(rows: Sequence[Sequence], column: int, at: list[int]):
    """Column `column` of `rows[at]` (`rows`: stored years first) typed as the
    stored years' and the summed quarters' frames concatenated would type it
    (the year a VRU began: whole years, or floats with NaN where a group has an
    area with none, or objects where a group has none at all), so the frame is
    the one it always was.

    pandas' rules, worked out in plain Python (building two Series and
    concatenating them cost more than the rest of the frame): a group's column
    is int64 with no value missing, float64 with some, object (None) with all;
    int64 with int64 stays int64, with float64 becomes float64, and anything
    with an object column becomes object, each group's values boxed as its own
    dtype had them (a Python int, a float or NaN, None). tests/data_access/
    test_fy_frame.py checks it against pandas over random rows."""
    n_stored = sum(1 for r in rows if r[-1] == 0)
    kinds = []  # (first row, kind) of each group that has rows
    for first, part in ((0, rows[:n_stored]), (n_stored, rows[n_stored:])):
        if part:
            missing = sum(1 for r in part if r[column] is None)
            kind = "object" if missing == len(part) else "float" if missing else "int"
            kinds.append((first, kind))
    values = [rows[i][column] for i in at]
    names = {kind for _, kind in kinds}
    if "object" in names:
        # the quarters' kind from their first row on, else the stored years'
        quarters_kind = kinds[-1][1]
        stored_kind = kinds[0][1] if kinds[0][0] == 0 else quarters_kind
        boxed = np.empty(len(at), dtype=object)
        for j, (i, value) in enumerate(zip(at, values, strict=True)):
            kind = stored_kind if i < n_stored else quarters_kind
            if kind == "float":
                boxed[j] = math.nan if value is None else float(value)
            else:  # an int group has no None; an object group holds only None
                boxed[j] = None if value is None else int(value)
        return boxed
    if "float" in names:
        return np.array(
            [math.nan if v is None else float(v) for v in values], dtype=np.float64
        )
    return np.array([int(v) for v in values], dtype=np.int64)


def _rolling_base(level: str, age_band: str):
    """Stored 12-month values of areas of `level` that start in a month other
    than April (an April one is a financial year, `_fy_values`)."""
    _, start_m, _ = _start()
    return _fy_base(level, age_band).where(
        MeasureValue.period_months == 12, start_m != 4
    )


@memoized
def _codes_with_rolling_years(level: str, age_band: str) -> list[str]:
    """Codes of the measures with any rolling-year value for areas of `level`:
    an EXISTS per measure through ix_measure_value_lookup (as `_codes_with_years`),
    not a DISTINCT over every 12-month value in the store (0.7 s at 10 million
    output rows)."""
    with read_connection() as connection:
        return list(connection.scalars(_rolling_codes_statement(level, age_band)))


@functools.cache
def _rolling_codes_statement(level: str, age_band: str):
    """`_codes_with_rolling_years`' statement, built once per process."""
    return (
        select(Measure.code)
        .where(_has_rolling_years(level, age_band))
        .order_by(Measure.code)
    )


def _has_rolling_years(level: str, age_band: str):
    """SQL: the outer Measure has a rolling-year value for an area of `level`."""
    _, start_m, _ = _start()
    return _measure_values(level, age_band, 12).where(start_m != 4).offset(0).exists()


@memoized
def _rolling_values(measure_code: str, level: str, age_band: str) -> pd.DataFrame:
    """Stored rolling-year figures (_FY_COLUMNS plus start, the key "2024-07") of
    every area of `level`, for a measure with no financial-year figure there
    (empty otherwise: a financial year is compared as one)."""
    columns = [*_FY_COLUMNS, "start"]
    if not _fy_values(measure_code, level, age_band).empty:
        return pd.DataFrame(columns=columns)
    query = (
        _rolling_base(level, age_band)
        .where(Measure.code == measure_code)
        .add_columns(
            Area.code,
            covered_area_name(),
            Area.is_vru,
            Area.vru_start_year,
            MeasureValue.period_start,
            MeasureValue.numerator,
            MeasureValue.denominator,
            cast(Source.illustrative, Integer),
            Source.title,
        )
    )
    with read_connection() as connection:
        rows = connection.execute(query).all()
    frame = pd.DataFrame(rows, columns=_FY_COLUMNS)
    if frame.empty:
        return pd.DataFrame(columns=columns)
    starts = pd.to_datetime(frame["year"])
    frame["start"] = starts.dt.strftime("%Y-%m")
    frame["year"] = starts.dt.year.astype(int)
    for col in ("count", "population"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype(float)
    frame["illustrative"] = frame["illustrative"].fillna(0).astype(int).astype(bool)
    frame["is_vru"] = frame["is_vru"].fillna(False).astype(bool)
    return frame.sort_values(["start", "code"]).reset_index(drop=True)[columns]


def year_label(key: str) -> str:
    """A year's label from its key: "2018-04" -> "2018/19", a rolling year's
    "2024-07" -> "year ending Jun 2025" (periods.period_label)."""
    start = periods.parse_month(key, parameter="period")
    end = periods.parse_month(
        f"{start.year + (start.month > 1):04d}-{(start.month - 2) % 12 + 1:02d}",
        parameter="period",
        end=True,
    )
    return periods.period_label(start, end)


def _values_at(measure_code: str, level: str, age_band: str, key: str):
    """Every area's figures (_FY_COLUMNS) for the year `key`: the financial year
    starting in that April, else the stored rolling year starting that month."""
    start = periods.parse_month(key, parameter="period")
    if start.month == 4:
        frame = _fy_values(measure_code, level, age_band)
        return frame[frame["year"] == start.year][_FY_COLUMNS]
    frame = _rolling_values(measure_code, level, age_band)
    return frame[frame["start"] == key][_FY_COLUMNS]


def _values_in_year(measure_code: str, level: str, age_band: str, key: str):
    """`_values_at`, a financial year read for that year alone (`_fy_levels_in`)
    rather than taken from every year's figures: for a view of one year that
    reads no other (/compare's ranking and funnel). Its rows are `_values_at`'s,
    with a fresh index; its columns are _FY_COLUMNS (`_fy_frame`'s), and the
    memo's copy is the caller's own, so it is handed over as it is."""
    start = periods.parse_month(key, parameter="period")
    if start.month != 4:
        return _values_at(measure_code, level, age_band, key)
    levels = _READ_TOGETHER.get(level, (level,))
    return _fy_levels_in(measure_code, levels, age_band, start.year)[level]


def available_periods(
    *, measure_code: str, level: str = "pfa", age_band: str = "all"
) -> pd.DataFrame:
    """Financial years with figures for areas of `level` (PERIOD_COLUMNS), oldest
    first; a measure with none has its stored rolling years instead. Raises
    NotFound for an unknown or non-public measure."""
    rows = period_rows(measure_code=measure_code, level=level, age_band=age_band)
    if not rows:
        return pd.DataFrame(columns=PERIOD_COLUMNS)
    return pd.DataFrame(rows, columns=PERIOD_COLUMNS)


def period_rows(
    *, measure_code: str, level: str = "pfa", age_band: str = "all"
) -> list[tuple]:
    """`available_periods`' rows as tuples of PERIOD_COLUMNS (year, value, label,
    n_areas, illustrative), oldest first: for a list of a few dozen years (the
    /compare menu), not made a frame to be iterated again (issue 19)."""
    get_measure(measure_code)
    # which years exist, not their figures (`_fy_years`)
    area_years = _fy_years(measure_code, level, age_band)
    years = [
        (code, year, illustrative, f"{year:04d}-04")
        for code, year, usable, illustrative in area_years
        if usable
    ]
    if not area_years:
        frame = _rolling_values(measure_code, level, age_band)
        years = [
            (code, year, illustrative, start)
            for code, year, count, population, illustrative, start in zip(
                frame["code"].tolist(),
                frame["year"].tolist(),
                frame["count"].tolist(),
                frame["population"].tolist(),
                frame["illustrative"].tolist(),
                frame["start"].tolist(),
                strict=True,
            )
            if not pd.isna(count) and population > 0
        ]
    # A few hundred area-years: grouped in plain Python, not by a DataFrame
    # groupby (most of this read's time before).
    by_value: dict[str, list] = {}
    for code, year, illustrative, value in years:
        got = by_value.setdefault(value, [year, set(), False])
        got[1].add(code)
        got[2] = got[2] or bool(illustrative)
    return [
        (year, value, year_label(value), len(codes), illustrative)
        for value, (year, codes, illustrative) in sorted(by_value.items())
    ]


def default_year_position(illustrative: Sequence[bool]) -> int:
    """Which of a measure's years (oldest first; True where any force area's
    figure that year is illustrative) a comparison opens on: the latest year
    whose figures are all published, so a first view never rests on made-up
    figures (issue 17), else the latest year. The one rule for /compare and
    the public comparison embed and API."""
    flags = [bool(f) for f in illustrative]
    published = [i for i, f in enumerate(flags) if not f]
    return published[-1] if published else len(flags) - 1


def parse_period(value: str | None, *, parameter: str = "period") -> int:
    """'2018-04' (the URL form of a financial year) -> 2018; InvalidParameter else."""
    if value is None:
        raise InvalidParameter(parameter, "no period given")
    start = periods.parse_month(value, parameter=parameter)
    if start.month != 4:
        raise InvalidParameter(
            parameter, f"'{value}' is not the start of a financial year (April)"
        )
    return start.year


def parse_year_key(
    value: str | None,
    *,
    measure_code: str,
    level: str = "pfa",
    age_band: str = "all",
    parameter: str = "period",
) -> str:
    """A year's key ("2018-04", or a stored rolling year's first month such as
    "2024-07" for a measure with no financial years); InvalidParameter else."""
    if value is None:
        raise InvalidParameter(parameter, "no period given")
    start = periods.parse_month(value, parameter=parameter)
    key = f"{start.year:04d}-{start.month:02d}"
    if start.month == 4:
        return key
    if key in set(_rolling_values(measure_code, level, age_band)["start"]):
        return key
    raise InvalidParameter(
        parameter,
        f"'{value}' is not the start of a financial year (April) or of a stored "
        "rolling year of this measure",
    )


# ------------------------------------------------------------------ benchmark


def _national(measure_code: str, year: int, age_band: str) -> tuple | None:
    """(count, population, label) of England and Wales, else England, for a
    financial year."""
    return _national_at(measure_code, f"{year:04d}-04", age_band)


@memoized
def _national_at(measure_code: str, key: str, age_band: str) -> tuple | None:
    """(count, population, label) of England and Wales, else England, for the
    year `key` (a financial or a rolling year, `_values_at`)."""
    return _national_of(_values_at(measure_code, "country", age_band, key))


def _national_in_year(measure_code: str, key: str, age_band: str) -> tuple | None:
    """`_national_at` from the one year's read (`_values_in_year`), for a view of
    one year: read with its force areas in one statement."""
    return _national_of(_values_in_year(measure_code, "country", age_band, key))


def _in_year_with_national(
    measure_code: str, level: str, age_band: str, key: str, national: bool
) -> tuple[pd.DataFrame, tuple | None]:
    """(`_values_in_year`, `_national_in_year` if `national`, else None) of the
    year `key`: for force areas' financial year both from the one read's frames
    (the countries come with them, _READ_TOGETHER), taken from the request memo
    once, not a second time for the countries (a second asking hands over a
    copy of both frames: about 0.4 ms of /compare's ranking, issue 19)."""
    start = periods.parse_month(key, parameter="period")
    levels = _READ_TOGETHER.get(level, (level,))
    if start.month != 4 or "country" not in levels:
        frame = _values_in_year(measure_code, level, age_band, key)
        if not national:
            return frame, None
        return frame, _national_in_year(measure_code, key, age_band)
    frames = _fy_levels_in(measure_code, levels, age_band, start.year)
    return frames[level], _national_of(frames["country"]) if national else None


def _national_of(frame: pd.DataFrame) -> tuple | None:
    """(count, population, label) of England and Wales, else England, from the
    countries' figures of one year (_FY_COLUMNS)."""
    # A handful of countries: looked through in plain Python, not filtered
    # frame by frame. Each code's first row with a count decides.
    first: dict[str, tuple] = {}
    for code, count, population, name in zip(
        frame["code"].tolist(),
        frame["count"].tolist(),
        frame["population"].tolist(),
        frame["name"].tolist(),
        strict=True,
    ):
        if code not in first and not math.isnan(count):
            first[code] = (count, population, name)
    for code in (NATIONAL_CODE, ENGLAND_CODE):
        row = first.get(code)
        if row is not None and row[1] > 0:
            return float(row[0]), float(row[1]), str(row[2])
    return None


def pooled_national_label(measure: dict, n_areas: int) -> str:
    """The name of a national benchmark made by pooling the force areas (no
    published national figure that year): what they cover (England and Wales, or
    England for an England-only measure) and how it was made."""
    return f"{measure['coverage']} (the {n_areas} force areas pooled)"


def _pooled_rate(frame: pd.DataFrame, multiplier: float) -> float:
    usable = frame[frame["count"].notna() & (frame["population"] > 0)]
    if usable.empty:
        return math.nan
    return usable["count"].sum() / usable["population"].sum() * multiplier


def _in_group(frame: pd.DataFrame, benchmark: str | tuple) -> pd.Series:
    if isinstance(benchmark, tuple):
        return frame["code"].isin(benchmark[2])
    if benchmark == "vru":
        return frame["is_vru"]
    if benchmark == "non_vru":
        return ~frame["is_vru"]
    regions = region_groups()
    if benchmark in regions:
        return frame["code"].isin(regions[benchmark][1])
    return pd.Series(True, index=frame.index)
