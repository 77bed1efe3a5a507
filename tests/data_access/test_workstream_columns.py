"""/workstreams' list as columns of plain lists (issue 19:
workstreams.workstream_columns, read from the workstreams' memoized rows rather
than a frame of them) holds what workstream_list's frame hands out, value for
value and type for type, and workstream_list is the frame it was before
(`_workstream_list_before`, the code at cfc37c4), for every role, area filter and
a spread of dates over the shipped data."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pandas as pd

from data_access import workstreams as ws
from data_access.areas import list_areas
from data_access.scope import SYSTEM, Scope
from data_access.workstream_queries import _area_filter, _workstreams

DATES = [dt.date(2020, 1, 15), dt.date(2024, 4, 1), dt.date(2026, 12, 4)]


def _workstream_list_before(*, scope, area_code=None, as_at=None) -> pd.DataFrame:
    """workstreams.workstream_list before issue 19's columns: from the frame of
    the workstreams (its start years taken from the frame's columns)."""
    codes = _area_filter(scope, area_code)
    as_at = ws._resolve_as_at(as_at)
    workstreams = _workstreams(codes, None)
    if workstreams.empty:
        return pd.DataFrame(columns=ws.WORKSTREAM_COLUMNS)
    start_year = dict(
        zip(workstreams.workstream_id, workstreams.vru_start_year, strict=True)
    )
    status = ws._status_columns(scope, codes, None, start_year, as_at)
    measures: Counter = Counter()
    rated: Counter = Counter()
    expected: Counter = Counter()
    received: Counter = Counter()
    late: Counter = Counter()
    next_due: dict = {}
    illustrative_values: set = set()
    for w, rag, e, r, n, due, flag in zip(
        status["workstream_id"],
        status["rag"],
        status["expected"],
        status["received"],
        status["late"],
        status["next_due"],
        status["illustrative"],
        strict=True,
    ):
        measures[w] += 1
        rated[(w, rag)] += 1
        expected[w] += e
        received[w] += r
        late[w] += n
        next_due[w] = min(next_due.get(w, due), due)
        if flag:
            illustrative_values.add(w)
    ids = workstreams["workstream_id"].tolist()
    columns: dict[str, list] = {
        name: workstreams[name].tolist()
        for name in ("name", "vru_code", "vru_name", "lead_role", "purpose")
    }
    columns["workstream_id"] = ids
    columns["measures"] = [measures[w] for w in ids]
    for key in ("green", "amber", "red"):
        columns[key] = [rated[(w, key)] for w in ids]
    columns["other"] = [
        n - g - a - r
        for n, g, a, r in zip(
            columns["measures"],
            columns["green"],
            columns["amber"],
            columns["red"],
            strict=True,
        )
    ]
    columns["expected_returns"] = [expected[w] for w in ids]
    columns["received_returns"] = [received[w] for w in ids]
    columns["late_returns"] = [late[w] for w in ids]
    columns["completeness"] = [
        (r / e) if e else float("nan")
        for r, e in zip(
            columns["received_returns"], columns["expected_returns"], strict=True
        )
    ]
    columns["next_due"] = [next_due.get(w, float("nan")) for w in ids]
    columns["own"] = [w == scope.workstream_id for w in ids]
    columns["illustrative"] = [
        bool(flag) or w in illustrative_values
        for w, flag in zip(ids, workstreams["illustrative"].tolist(), strict=True)
    ]
    order = sorted(
        range(len(ids)),
        key=lambda i: (not columns["own"][i], columns["vru_name"][i], ids[i]),
    )
    return pd.DataFrame(
        {name: [columns[name][i] for i in order] for name in ws.WORKSTREAM_COLUMNS},
        columns=ws.WORKSTREAM_COLUMNS,
    )


def _same_columns(columns: dict[str, list], frame: pd.DataFrame) -> None:
    assert list(columns) == list(frame.columns)
    for name, values in columns.items():
        expected = frame[name].tolist()
        assert len(values) == len(expected), name
        for value, wanted in zip(values, expected, strict=True):
            assert type(value) is type(wanted), (name, value, wanted)
            assert value == wanted or (value != value and wanted != wanted), (
                name,
                value,
                wanted,
            )


def _scopes():
    vrus = list_areas(level="pfa")
    codes = vrus[vrus["is_vru"].astype(bool)]["code"].tolist()
    yield SYSTEM, None
    for code in codes[:4]:
        yield SYSTEM, code
        yield Scope(role="viewer", area_codes=frozenset({code})), None
    table = ws.workstream_list(scope=SYSTEM)
    for row in table.head(3).itertuples():
        lead = Scope(
            role="lead",
            area_codes=frozenset({row.vru_code}),
            workstream_id=row.workstream_id,
        )
        yield lead, None


def test_workstream_columns_are_the_list_frame_as_it_was(loaded_store):
    cases = 0
    for scope, area in _scopes():
        for day in DATES:
            frame = ws.workstream_list(scope=scope, area_code=area, as_at=day)
            pd.testing.assert_frame_equal(
                frame,
                _workstream_list_before(scope=scope, area_code=area, as_at=day),
                check_exact=True,
            )
            columns = ws.workstream_columns(scope=scope, area_code=area, as_at=day)
            _same_columns(columns, frame)
            cases += bool(columns["workstream_id"])
    assert cases > 20
