"""The board overview's cheaper paths (issue 19, "speed without the cache") give
what the code they replaced gave, on the shipped data, on SQLite and PostgreSQL.

The replaced code is copied below ("as it was") and is the reference.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from data_access import areas
from data_access.areas import NATIONAL_CODE, funding_start_of, get_area, list_areas

# --------------------------------------------------------------------- as it was


def _old_funding_starts() -> dict[str, dt.date]:
    """areas.funding_starts before issue 19: every area read to find one."""
    frame = list_areas()
    codes = frame["code"].tolist()
    own = dict(zip(codes, frame["vru_start_year"].tolist(), strict=True))
    years = {}
    for code, parent in zip(codes, frame["parent_code"].tolist(), strict=True):
        year = own.get(code)
        if (year is None or pd.isna(year)) and parent is not None:
            year = own.get(parent)
        if (year is None or pd.isna(year)) and code == NATIONAL_CODE:
            year = areas.NATIONAL_FUNDING_YEAR
        if not (year is None or pd.isna(year)):
            years[code] = dt.date(int(year), 4, 1)
    return years


# ------------------------------------------------------------- funding starts


def test_one_areas_funding_start_is_what_reading_every_area_gave(loaded_store):
    """Every area of the shipped store: its own VRU's year, its force area's,
    England and Wales's 2019/20, or none."""
    old = _old_funding_starts()
    assert areas.funding_starts() == old
    kinds = set()
    for code in list_areas()["code"]:
        area = get_area(code)
        assert funding_start_of(area) == old.get(code), code
        own = area.vru_start_year is not None
        kinds.add("own" if own else "parent" if code in old else "none")
    # the comparison covered each branch of the rule
    assert {"own", "parent", "none"} <= kinds
    assert funding_start_of(get_area(NATIONAL_CODE)) == dt.date(2019, 4, 1)
