"""comparator_groups.split_not_comparable looked through as a list (issue 19)
leaves out what the frame road it replaced (kept here) left out, with the same
notes, index and dtypes: a ranking with City of London, one without it, a
proportion (nothing left out), an empty frame, another code column, repeated
and missing codes; and the frame it hands back is the caller's own."""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.testing import assert_frame_equal

from data_access.comparator_groups import NOT_COMPARABLE, split_not_comparable

CITY = next(iter(NOT_COMPARABLE))
RATE = {"ci_method": "byars", "rate_multiplier": 100000}
SHARE = {"ci_method": "wilson", "rate_multiplier": 100}


def _old(frame, measure, *, code_column="code"):
    from data_access.comparator_groups import not_comparable

    notes = not_comparable(measure)
    present = set(frame[code_column])
    left_out = [code for code in notes if code in present]
    kept = frame[~frame[code_column].isin(left_out)].reset_index(drop=True)
    return kept, [notes[code] + "." for code in left_out]


def _frame(codes, column="code"):
    n = len(codes)
    return pd.DataFrame(
        {
            column: codes,
            "rate": np.linspace(1.0, 9.0, n),
            "is_vru": [i % 2 == 0 for i in range(n)],
            "vru_start_year": [2019 if i % 3 else None for i in range(n)],
        },
        index=[10 + 3 * i for i in range(n)],
    )


CASES = [
    (["E23000001", CITY, "E23000005"], RATE, "code"),
    (["E23000001", "E23000005"], RATE, "code"),
    ([CITY], RATE, "code"),
    ([CITY, "E23000001", CITY], RATE, "code"),
    (["E23000001", None, CITY, np.nan], RATE, "code"),
    (["E23000001", CITY, "E23000005"], SHARE, "code"),
    (["E23000001", CITY], RATE, "area_code"),
    ([], RATE, "code"),
]


def test_split_is_the_frame_road():
    for codes, measure, column in CASES:
        frame = _frame(codes, column)
        before = frame.copy()
        new, new_notes = split_not_comparable(frame, measure, code_column=column)
        old, old_notes = _old(frame, measure, code_column=column)
        assert_frame_equal(new, old, check_index_type=True)
        assert new_notes == old_notes, codes
        # the caller's own frame: changing it leaves the one passed in alone
        if len(new):
            new.loc[0, "rate"] = -1.0
        assert_frame_equal(frame, before)
