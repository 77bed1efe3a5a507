"""The quarters whose returns are due (workstreams): walked forward from a
workstream's first quarter and back from the as-at date with the one quarter
calendar (data_access.periods), they meet at the same quarter every day."""

from __future__ import annotations

import datetime as dt

from data_access import periods, workstreams
from data_access.returns_due import due_date

FIRST = dt.date(2023, 4, 1)


def test_the_expected_quarters_run_on_from_the_first_to_the_last_due():
    day = dt.date(2024, 1, 1)
    while day < dt.date(2027, 1, 1):
        expected = workstreams._expected_quarters(FIRST, day)
        assert expected[0] == FIRST
        for before, after in zip(expected, expected[1:], strict=False):
            assert after == periods.quarter_end(before) + dt.timedelta(days=1)
        last = workstreams._last_due_quarter(day)
        assert expected[-1] == last, day
        assert due_date(last) < day
        following = periods.quarter_end(last) + dt.timedelta(days=1)
        assert due_date(following) >= day, day
        day += dt.timedelta(days=1)
