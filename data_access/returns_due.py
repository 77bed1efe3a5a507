"""The one rule for when a quarterly return is due and whether it is late, used by
/returns (returns.completeness), /workstreams and /workstreams/<id>
(workstreams.measure_status, workstream_list, completeness).

A quarter's return is due by the last day of the month after the quarter ends
(2025/26 Q2, July to September, is due by 31 October 2025). It is late when it has
not been received by the end of its due date, or was received after it: on the due
date itself it is not yet late. "Today" is data_access.clock.today().
"""

from __future__ import annotations

import datetime as dt

from data_access import periods

DUE_RULE = (
    "Each quarter's return is due by the last day of the month after the quarter "
    "ends (July to September by 31 October) and is late from the day after."
)


def due_date(period_start: dt.date) -> dt.date:
    """The last day a return for the quarter starting `period_start` is on time."""
    year = periods.financial_year_of(period_start)
    end = periods.quarter_bounds(year, periods.quarter_of(period_start))[1]
    # The first of the month after next, less a day: the following month's end.
    after_next = (end + dt.timedelta(days=32)).replace(day=1)
    return after_next - dt.timedelta(days=1)


def has_passed(period_start: dt.date, *, as_at: dt.date) -> bool:
    """Whether the due date is over by `as_at`: a return not received by then is
    late."""
    return as_at > due_date(period_start)


def is_late(
    period_start: dt.date, *, as_at: dt.date, received_on: dt.date | None = None
) -> bool:
    """Late: not received and `as_at` is after the due date, or received after it."""
    if received_on is not None:
        return received_on > due_date(period_start)
    return has_passed(period_start, as_at=as_at)
