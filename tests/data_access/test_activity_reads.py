"""Per-click reads of /workstreams, /prevention and /funding: each view function
is a fixed number of statements, however many workstreams, interventions or
quarters the store holds (issue 19, "Per-click reads"). Counted outside the app,
where nothing is memoized, so every read the function makes is counted."""

from __future__ import annotations

import datetime as dt

from data_access import workstreams
from data_access.activity import prevention_views
from data_access.money import funding_allocations, funding_views
from data_access.scope import SYSTEM
from tests.data_access.statement_count import counted_in_request, counted_statements

AS_AT = dt.date(2026, 12, 4)
AVON = "E23000036"
BRISTOL = "E06000023"


def test_workstream_list_is_two_reads(loaded_store):
    """The workstreams and, in one aggregated read, each measure's latest value,
    target, first quarter and returns received (not every return listed)."""
    with counted_statements() as statements:
        table = workstreams.workstream_list(scope=SYSTEM, as_at=AS_AT)
    assert len(table) > 20
    assert len(statements) == 2, statements


def test_workstream_list_counts_returns_as_the_workstream_page_does(loaded_store):
    """The list's returns received and expected are the sums of the workstream
    page's per-measure counts (measure_status), and its late returns likewise."""
    table = workstreams.workstream_list(scope=SYSTEM, as_at=AS_AT)
    for row in table.head(8).itertuples():
        status = workstreams.measure_status(
            scope=SYSTEM, workstream_id=row.workstream_id, as_at=AS_AT
        )
        assert row.received_returns == status["received"].sum()
        assert row.expected_returns == status["expected"].sum()
        assert row.late_returns == status["late"].sum()
        per_quarter = workstreams.completeness(
            scope=SYSTEM, workstream_id=row.workstream_id, as_at=AS_AT
        )
        due = per_quarter.iloc[:-1]  # the last row is the next quarter due
        assert row.received_returns == due["measures_received"].sum()


def test_prevention_area_view_is_a_fixed_number_of_reads(loaded_store):
    """/prevention's tier overview, as a click makes it (per-request memo on):
    the store generation, the area, every output by quarter and tier (the reach
    rule's one read: the reach chart and the tier summary's outputs), the plan,
    the tier summary's counts and spend (one statement), the headline totals
    (one statement), the annotations' area and annotations, and the breakdown
    by local authority (counts, outputs, spend and names in one statement). The
    plan and the area are read once though three parts use them; a local
    authority has no breakdown but is an area read of its own."""
    with counted_in_request() as statements:
        prevention_views.area_view(scope=SYSTEM, area_code=AVON)
    assert len(statements) <= 9, statements
    with counted_in_request() as statements:
        prevention_views.area_view(scope=SYSTEM, area_code=AVON, lad_code=BRISTOL)
    assert len(statements) <= 9, statements


def test_funding_national_view_is_a_fixed_number_of_reads(loaded_store):
    """/funding's national level: the store generation, the year's figures, the
    force areas' summary, and the national area with its figures."""
    year = funding_allocations.default_year()
    with counted_in_request() as statements:
        funding_views.national_view(financial_year=year)
    assert len(statements) <= 5, statements
