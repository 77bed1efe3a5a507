"""The SQL statements one uncached click of /workstreams, /prevention and
/funding sends (issue 19, "Per-click reads"): each page's content callback,
called as a web request calls it (the per-request memo on, the shared cache
off as in the benchmark's cache-off runs), by an admin on the shipped data.

Pinned exactly, not bounded: a read added back (an area read per chart, a
second read of the same figures) fails here, and one taken away should be
written down here. Each statement is a round trip and its own share of CPU.
With the shared cache off no query is keyed by the store's generation, so it is
not read here (in a web request it rides on the signed-in user's read anyway).
"""

from __future__ import annotations

import pytest
from sqlalchemy import event

from data_access import db
from data_access.scope import SYSTEM
from tests.data_access.statement_count import counted_in_request


@pytest.fixture
def pages_(loaded_store, monkeypatch):
    import app  # noqa: F401 - registers the pages
    from pages import funding, prevention, workstreams

    for page in (funding, prevention, workstreams):
        monkeypatch.setattr(page, "current_scope", lambda: SYSTEM)
    return workstreams, prevention, funding


def _count(call) -> list[str]:
    with counted_in_request() as statements:
        call()
    return statements


def test_workstreams_click_statements(pages_):
    """The workstreams, each measure's status in one read
    (latest value, target, first quarter, returns counted), and the latest
    quarter any workstream returned."""
    workstreams, _, _ = pages_
    statements = _count(lambda: workstreams.show_workstreams(None))
    assert len(statements) == 3, "\n\n".join(statements)


def _status_plan() -> str:
    """PostgreSQL's plan of the workstream status read, as the list sends it."""
    from data_access.workstream_queries import _status_rows

    sent: list[tuple] = []

    def note(_conn, _cursor, statement, parameters, *_args):
        sent.append((statement, parameters))

    import datetime as dt

    engine = db.get_engine()
    event.listen(engine, "before_cursor_execute", note)
    try:
        _status_rows.uncached(("E23000036", "E23000003"), None, dt.date(2026, 7, 1))
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert len(sent) == 1
    statement, parameters = sent[0]
    with engine.connect() as connection:
        rows = connection.exec_driver_sql("EXPLAIN " + statement, parameters)
        return "\n".join(row[0] for row in rows)


def test_workstream_status_reads_values_by_index(loaded_store):
    """Each measure's first, latest and returned quarters are read through the
    current-value index on (measure, area, period...), per workstream measure:
    never a scan of measure_value, which holds every figure of every area (ten
    million output rows in the largest benchmark store)."""
    if not loaded_store.startswith("postgresql"):
        pytest.skip("the plan checked is PostgreSQL's")
    plan = _status_plan()
    assert "Seq Scan on measure_value" not in plan, plan
    assert "uq_measure_value_current" in plan, plan


def test_funding_click_statements(pages_):
    """England and Wales in the latest year: the national area,
    the latest year with a grant, every figure of the year (the national
    figures among them: no read of their own) and the force areas' summary."""
    _, _, funding = pages_
    statements = _count(lambda: funding.show_funding(None, None, None, None))
    assert len(statements) == 4, "\n\n".join(statements)


def test_prevention_click_statements(pages_):
    """A force area's tier overview (Avon and Somerset, every quarter): the
    area, every output by quarter and tier (the reach chart
    and the tier table), the plan, the tier summary's counts and spend, the
    headline totals, the annotations over the reach chart (the areas containing
    the force area found in the same statement, not read one by one), and the
    breakdown by local authority."""
    _, prevention, _ = pages_
    statements = _count(
        lambda: prevention.show_prevention("E23000036", None, None, None, "all", None)
    )
    assert len(statements) == 7, "\n\n".join(statements)
