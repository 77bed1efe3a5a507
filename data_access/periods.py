"""Financial years and quarters as the UK public sector counts them.

A financial year runs 1 April to 31 March and is named by its first year
(2019 is "2019/20"); Q1 is April-June. These helpers are the one place that turns
dates into labels and URL values into dates.
"""

from __future__ import annotations

import datetime as dt
import re

from data_access.errors import InvalidParameter

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_FY = re.compile(r"^(\d{4})/(\d{2})$")
_YEAR_ENDING = re.compile(r"^YE ([A-Z][a-z]{2}) (\d{4})$")
_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def financial_year_of(day: dt.date) -> int:
    """The financial year (by its first calendar year) containing `day`."""
    return day.year if day.month >= 4 else day.year - 1


def fy_label(year: int) -> str:
    """2019 -> '2019/20'."""
    return f"{year}/{(year + 1) % 100:02d}"


def fy_range_label(first: int, last: int) -> str:
    """2016, 2018 -> '2016/17 to 2018/19': a window of financial years."""
    return f"{fy_label(first)} to {fy_label(last)}"


def parse_fy_label(label: str) -> int:
    """'2019/20' -> 2019; raises InvalidParameter otherwise."""
    match = _FY.match(label.strip())
    if not match or (int(match[1]) + 1) % 100 != int(match[2]):
        raise InvalidParameter(
            "financial_year", f"'{label}' is not a financial year like 2019/20"
        )
    return int(match[1])


def fy_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 4, 1), dt.date(year + 1, 3, 31)


def is_complete(end: dt.date, *, as_at: dt.date | None = None) -> bool:
    """Whether a period ending on `end` is over by the app's clock (clock.today,
    or `as_at`): the one rule for "is this period complete". A period still
    running on that day, like the financial year the clock is in, is a part
    period: charts mark it and period-on-period comparisons leave it out."""
    from data_access import clock  # the clock reads settings; imported late

    return end < (as_at or clock.today())


def part_year_words(year: int, *, as_at: dt.date | None = None) -> str | None:
    """None for a financial year that is over (`is_complete`); for one still
    running, which of its quarters are over: "part year: Q1-Q2" (an en dash),
    "part year: Q1", or "part year: no quarter complete yet"."""
    if is_complete(fy_bounds(year)[1], as_at=as_at):
        return None
    done = [
        q for q in (1, 2, 3) if is_complete(quarter_bounds(year, q)[1], as_at=as_at)
    ]
    if not done:
        return "part year: no quarter complete yet"
    return "part year: Q1" + (f"\u2013Q{done[-1]}" if len(done) > 1 else "")


def quarter_of(day: dt.date) -> int:
    """Financial quarter 1-4 (Q1 = April-June)."""
    return (day.month - 4) % 12 // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    """First and last day of quarter `quarter` of financial year `year`."""
    if quarter not in (1, 2, 3, 4):
        raise InvalidParameter("quarter", f"quarter must be 1-4, not {quarter}")
    start_month = 4 + 3 * (quarter - 1)
    start_year = year + (start_month - 1) // 12
    start_month = (start_month - 1) % 12 + 1
    start = dt.date(start_year, start_month, 1)
    end = _month_end(start.year, start.month + 2)
    return start, end


def quarter_start(day: dt.date) -> dt.date:
    """The first day of the financial quarter containing `day`."""
    return quarter_bounds(financial_year_of(day), quarter_of(day))[0]


# The financial years a quarter given by a user (a return, a template, an upload,
# a board pack) may fall in.
EARLIEST_FINANCIAL_YEAR = 1990
LATEST_FINANCIAL_YEAR = 2098
_QUARTER_LABEL = re.compile(
    r"^\s*(\d{4})\s*/\s*(\d{2})\s*Q\s*([0-9]+)\s*$", re.IGNORECASE
)
_ISO_DAY = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")


def parse_quarter(
    value: str | dt.date, *, parameter: str = "period", any_day: bool = False
) -> dt.date:
    """The first day of the quarter that `value` names: "2025/26 Q2", "2025-07",
    "2025-07-01" or a date. The one parser of a quarter a user gives.

    A return names its quarter by its first day, so by default a date that is
    not one is refused; `any_day` accepts any day (or month) of the quarter, as
    a board pack's "the quarter of 2026-09" does. Raises InvalidParameter naming
    `parameter` for anything else, or a year outside 1990/91 to 2098/99."""

    def refuse(reason: str):
        if any_day:
            return InvalidParameter(
                parameter,
                f"{reason}; give the quarter as YYYY-MM (e.g. 2025-07) or 2025/26 Q2",
            )
        return InvalidParameter(parameter, f"{reason}; give a quarter like 2025/26 Q2")

    def in_range(year: int, shown) -> None:
        if not EARLIEST_FINANCIAL_YEAR <= year <= LATEST_FINANCIAL_YEAR:
            raise InvalidParameter(
                parameter,
                f"'{str(shown)[:40]}' is not a quarter from "
                f"{fy_label(EARLIEST_FINANCIAL_YEAR)} to "
                f"{fy_label(LATEST_FINANCIAL_YEAR)}",
            )

    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        in_range(financial_year_of(value), value)
        start = quarter_start(value)
        if start != value and not any_day:
            raise InvalidParameter(
                parameter, f"{value} is not the first day of a quarter"
            )
        return start
    text = str(value if value is not None else "").strip()
    match = _QUARTER_LABEL.match(text)
    if match:
        year, following, quarter = int(match[1]), int(match[2]), int(match[3])
        if (year + 1) % 100 != following or not 1 <= quarter <= 4:
            raise refuse(f"'{text[:40]}' is not a quarter")
        in_range(year, text)
        return quarter_bounds(year, quarter)[0]
    iso = _ISO_DAY.match(text)
    if iso:
        try:
            day = dt.date(int(iso[1]), int(iso[2]), int(iso[3] or 1))
        except ValueError:
            raise refuse(f"'{text[:40]}' is not a date") from None
        return parse_quarter(day, parameter=parameter, any_day=any_day)
    raise refuse(f"'{text[:40]}' is not a quarter")


def quarter_end(day: dt.date) -> dt.date:
    """The last day of the financial quarter containing `day`."""
    return quarter_bounds(financial_year_of(day), quarter_of(day))[1]


def quarter_label(day: dt.date) -> str:
    """The quarter containing `day`, e.g. '2019/20 Q3'."""
    return f"{fy_label(financial_year_of(day))} Q{quarter_of(day)}"


def long_date(day: dt.date | dt.datetime) -> str:
    """'3 December 2026': the date of a date or timestamp in words, as text and
    the board pack give it."""
    return f"{day.day} {day:%B %Y}"


def short_date(day: dt.date | dt.datetime) -> str:
    """'3 Dec 2026': long_date shortened, for table cells."""
    return f"{day.day} {day:%b %Y}"


def months_spanned(start: dt.date, end: dt.date) -> int:
    """Whole calendar months from `start` to `end` inclusive (3 = a quarter)."""
    return (end.year - start.year) * 12 + end.month - start.month + 1


def is_quarter(start: dt.date, end: dt.date) -> bool:
    """Whether a stored period is a quarter: three months from 1 January, April,
    July or October."""
    return months_spanned(start, end) == 3 and start.month in (1, 4, 7, 10)


def is_financial_year(start: dt.date, end: dt.date) -> bool:
    """Whether a stored period is a financial year (April to March)."""
    return months_spanned(start, end) == 12 and start.month == 4


def period_label(start: dt.date, end: dt.date) -> str:
    """A label for a period: a quarter, a financial year or 'Jan 2019 to Dec 2019'."""
    if is_quarter(start, end):
        return quarter_label(start)
    if is_financial_year(start, end):
        return fy_label(start.year)
    if months_spanned(start, end) == 12:
        return f"year ending {end.strftime('%b %Y')}"
    return f"{start.strftime('%b %Y')} to {end.strftime('%b %Y')}"


def year_ending_bounds(label: str) -> tuple[dt.date, dt.date] | None:
    """'YE Jun 2021' -> (1 Jul 2020, 30 Jun 2021): the 12 months to the end of
    that month; None for any other label."""
    match = _YEAR_ENDING.match(label.strip()) if label else None
    if not match or match[1] not in _MONTHS:
        return None
    month, year = _MONTHS.index(match[1]) + 1, int(match[2])
    end = _month_end(year, month)
    return dt.date(year - 1 + (month == 12), month % 12 + 1, 1), end


def edition_reference_date(edition: str | None) -> dt.date | None:
    """The reference date of an edition named like 'YE Dec 2019' (its last day);
    None for editions named otherwise (they are not ordered by date)."""
    bounds = year_ending_bounds(edition or "")
    return None if bounds is None else bounds[1]


def parse_month(value: str, *, parameter: str, end: bool = False) -> dt.date:
    """'2018-04' -> 1 Apr 2018 (or 30 Apr 2018 when `end`). Raises InvalidParameter."""
    match = _MONTH.match(value.strip()) if isinstance(value, str) else None
    if not match or not 1 <= int(match[2]) <= 12 or not 1990 <= int(match[1]) <= 2100:
        raise InvalidParameter(parameter, f"'{value}' is not a month like 2018-04")
    year, month = int(match[1]), int(match[2])
    return _month_end(year, month) if end else dt.date(year, month, 1)


def _month_end(year: int, month: int) -> dt.date:
    year += (month - 1) // 12
    month = (month - 1) % 12 + 1
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def every_period(starts, length: str) -> list[str]:
    """Every financial year (length "year"), calendar year ("calendar", labelled
    "2019") or quarter ("quarter") from the
    earliest to the latest of `starts` (period start dates), as labels, in order:
    the time axis of a trend, on which a period with no figure is a gap."""
    starts = [s for s in starts if s is not None]
    if not starts:
        return []
    if length == "year":
        first, last = financial_year_of(min(starts)), financial_year_of(max(starts))
        return [fy_label(year) for year in range(first, last + 1)]
    if length == "calendar":
        return [str(year) for year in range(min(starts).year, max(starts).year + 1)]
    if length != "quarter":
        raise ValueError("length must be 'year', 'calendar' or 'quarter'")

    def index(day: dt.date) -> int:
        return financial_year_of(day) * 4 + quarter_of(day) - 1

    return [
        f"{fy_label(i // 4)} Q{i % 4 + 1}"
        for i in range(index(min(starts)), index(max(starts)) + 1)
    ]
