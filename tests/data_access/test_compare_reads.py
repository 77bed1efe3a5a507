"""How many statements each of /compare's view functions sends to the store,
read as a callback reads them (one request, the shared cache off, so only the
per-request memo: the benchmark's cache-off case). Issue 19: per-click reads.
A count that grows back fails here; one that falls should be written down."""

from __future__ import annotations

import uuid

import pytest
from flask import Flask
from sqlalchemy import event

from data_access import db
from data_access.outcomes import force_areas, funnels, vru_groups, year_values
from data_access.scope import SYSTEM
from web.shared_cache import cache


@pytest.fixture
def request_context(loaded_store):
    server = Flask(f"compare-reads-{uuid.uuid4().hex}")
    server.config.update(CACHE_TYPE="NullCache")
    cache.init_app(server)
    return server


def _statements(server, read) -> list[str]:
    statements: list[str] = []

    def note(_conn, _cursor, statement, *_args):
        statements.append(statement)

    with server.test_request_context():
        event.listen(db.get_engine(), "before_cursor_execute", note)
        try:
            read()
        finally:
            event.remove(db.get_engine(), "before_cursor_execute", note)
    return statements


def _comparison():
    force_areas.force_area_rates(
        scope=SYSTEM, measure_code="knife_offences", period_start="2018-04"
    )
    funnels.funnel(scope=SYSTEM, measure_code="knife_offences", period_start="2018-04")


def _page_content():
    """What /compare's content callback reads: the measure, the ranking, and the
    funnel from the ranking's own rows (funnels.funnel(rates=...))."""
    from data_access.measures import get_measure

    get_measure("knife_offences", scope=SYSTEM)
    ranked = force_areas.force_area_rates(
        scope=SYSTEM, measure_code="knife_offences", period_start="2018-04"
    )
    funnels.funnel(
        scope=SYSTEM,
        measure_code="knife_offences",
        period_start="2018-04",
        rates=ranked,
    )
    get_measure("knife_offences", scope=SYSTEM)


# (view function, statements): the measure list (one statement: the public
# rate measures' metadata with its EXISTS probes; three before), the measure
# (its one row with its last updated; two statements before: every measure's
# metadata, every measure's last updated), the financial years (one UNION of
# stored years and summed quarters). The cache generation is not read: with
# the cache off no query is keyed by it.
READS = {
    "measure options": (
        lambda: year_values.rate_measures(scope=SYSTEM),
        1,
    ),
    "period options": (
        lambda: year_values.available_periods(measure_code="knife_offences"),
        2,
    ),
    "VRU and non-VRU": (
        lambda: vru_groups.vru_comparison(scope=SYSTEM, measure_code="knife_offences"),
        2,
    ),
    # ranking and funnel: the same year's areas and the national figure, read
    # in one statement (year_values._READ_TOGETHER; two before issue 19)
    "ranking and funnel": (_comparison, 2),
    # the page's own asking for the measure again is a memo hit, not a read
    "compare page content": (_page_content, 2),
}


@pytest.mark.parametrize("name", list(READS))
def test_each_compare_view_function_is_a_few_statements(request_context, name):
    read, most = READS[name]
    statements = _statements(request_context, read)
    assert len(statements) == most, "\n\n".join(statements)


def test_financial_years_are_one_statement(request_context):
    """Stored April-March years and years summed from quarters, of the force
    areas and of the countries (their benchmark), come back in one round trip
    (a UNION), not one each."""
    statements = _statements(
        request_context,
        lambda: year_values._fy_levels.uncached(
            "knife_offences", ("country", "pfa"), "all"
        ),
    )
    assert len(statements) == 1


def _plan(read) -> str:
    """PostgreSQL's plan of the one statement `read` sends."""
    statements: list[tuple] = []

    def note(_conn, _cursor, statement, parameters, *_args):
        statements.append((statement, parameters))

    event.listen(db.get_engine(), "before_cursor_execute", note)
    try:
        read()
    finally:
        event.remove(db.get_engine(), "before_cursor_execute", note)
    assert len(statements) == 1
    statement, parameters = statements[0]
    with db.get_engine().connect() as connection:
        rows = connection.exec_driver_sql("EXPLAIN " + statement, parameters)
        return "\n".join(row[0] for row in rows)


@pytest.mark.parametrize(
    "read",
    [
        lambda: year_values._codes_with_rolling_years.uncached("pfa", "all"),
        lambda: year_values._codes_with_years.uncached("pfa", "all"),
        lambda: year_values.rate_measures(scope=SYSTEM),
    ],
    ids=["rolling years", "financial years", "rate measures"],
)
def test_which_measures_have_years_is_probed_per_measure(loaded_store, read):
    """The measure list asks, per measure, whether a force area has a year,
    through ix_measure_value_lookup: never by reading every 12-month value in
    the store (a DISTINCT over them took 0.7 s at 10 million output rows)."""
    if not loaded_store.startswith("postgresql"):
        pytest.skip("the plan checked is PostgreSQL's")
    plan = _plan(read)
    # a subplan run per measure, reading measure_value by an index on
    # (measure, area, ...) only
    assert "SubPlan" in plan, plan
    assert "Seq Scan on measure_value" not in plan, plan
    assert "Index Cond: ((measure_id = measure.id) AND (area_id = area.id)" in plan, (
        plan
    )
