"""Dates in words have one rule each (issue 13): periods.long_date ('3 December
2026') and periods.short_date ('3 Dec 2026'), for dates and timestamps alike, and
no module writes either format itself."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from components import commentary
from data_access.periods import long_date, short_date

ROOT = Path(__file__).resolve().parents[2]
# '%-d %b %Y' and '{x.day} {x:%B %Y}' and their variants: a date in words.
OWN_FORMAT = re.compile(r"%-d %[bB] %Y|\.day\} \{[\w.]+:%[bB] %Y")


@pytest.mark.parametrize(
    "day", [dt.date(2026, 12, 3), dt.datetime(2026, 12, 3, 23, 59)]
)
def test_the_day_is_not_padded_and_the_month_is_a_word(day):
    assert long_date(day) == "3 December 2026"
    assert short_date(day) == "3 Dec 2026"


def test_the_commentary_parts_say_a_stored_timestamp_as_the_rule_does():
    assert commentary.long_date("2026-12-03T09:30:00") == "3 December 2026"
    assert commentary.long_date(None) == ""


def test_no_module_writes_a_date_in_words_itself():
    own = [
        f"{path.relative_to(ROOT)}:{n}"
        for folder in ("data_access", "components", "pages", "web")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path != ROOT / "data_access" / "periods.py"
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if OWN_FORMAT.search(line)
    ]
    assert own == []
