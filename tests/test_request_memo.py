"""The per-request memo (data_access.cache.memoized) keeps only a shallow snapshot
of an answer asked for once and does its copy-safety work at a second ask: every
caller still gets an answer no other caller's change has reached, and the query
still runs once per request for the shapes queries answer with."""

import datetime as dt
import pickle
import random

import pandas as pd
import pytest

from tests.test_cache import (
    _change_everything,
    _frame,
    _memo_app,
    _plain,
    _random_answer,
)


def _change(value) -> None:
    """`_change_everything`, for frames of any columns too."""
    if isinstance(value, pd.DataFrame) and "value" not in value:
        if len(value):
            value.iloc[0, 1] = -1
        value["changed"] = 1
    elif isinstance(value, pd.Series):
        value.iloc[0] = -1
    elif isinstance(value, list | tuple):
        for item in value:
            _change(item)
        if isinstance(value, list):
            value.append("changed")
    elif isinstance(value, dict):
        for item in value.values():
            _change(item)
        value["changed"] = True
    else:
        _change_everything(value)


def _asked_three_times(answer, cache_type: str = "NullCache"):
    """Ask a memoized query for `answer` three times in one request, the first two
    callers changing every part of what they got; returns the third answer and
    how many times the query ran."""
    from data_access.cache import memoized

    pickled = pickle.dumps(answer)
    calls = []

    @memoized
    def query():
        calls.append(1)
        return pickle.loads(pickled)  # noqa: S301 - pickled here

    with _memo_app(cache_type).test_request_context():
        _change(query())
        _change(query())
        third = query()
    return third, len(calls)


@pytest.mark.parametrize("cache_type", ["NullCache", "SimpleCache"])
def test_random_answers_reach_each_caller_as_the_store_gave_them(store, cache_type):
    """300 random answers (atoms, tuples, lists, dicts and frames, nested, frames
    holding lists included): the third caller's answer equals the answer's pickle
    round trip (the memo's original reference) although both callers before it
    changed every part of theirs."""
    rng = random.Random(1919)
    for _ in range(300):
        answer = _random_answer(rng)
        third, calls = _asked_three_times(answer, cache_type)
        assert _plain(third) == _plain(pickle.loads(pickle.dumps(answer)))
        # The query runs again only if the first caller could have changed what
        # the snapshot shares with it (a mutable object in a tuple or a frame).
        assert calls <= 2


def _shapes():
    return {
        "frame of values": _frame(),
        "rows": [("E1", 1, dt.date(2024, 1, 1)), ("E2", 2, None)],
        "rows as a tuple": tuple(("E1", i, 0.5) for i in range(50)),
        "options": [{"label": "A", "value": "E1"}, {"label": "B", "value": "E2"}],
        "frame and details": (_frame(), {"E1": 1, "E2": (2, "x")}),
        "frames by level": {"pfa": _frame(), "lad": _frame()},
        "rows by key": {("E1", "m"): [(1, 2.0)], ("E2", "m"): []},
        "series": pd.Series([1.5, 2.5], name="rate"),
        "totals": {"E1": 1, "E2": 2},
    }


@pytest.mark.parametrize("shape", sorted(_shapes()))
def test_the_shapes_queries_answer_with_are_read_once_however_callers_change_them(
    store, shape
):
    answer = _shapes()[shape]
    third, calls = _asked_three_times(answer)
    expected = _shapes()[shape]
    if isinstance(expected, pd.Series):
        third, expected = third.to_frame(), expected.to_frame()
    assert _plain(third) == _plain(expected)
    assert calls == 1


def test_an_answer_asked_for_once_is_kept_without_its_copy_safety_work(
    store, monkeypatch
):
    """The copier (and the immutability checks it makes) waits for a second ask."""
    from data_access import cache as query_cache

    made = []
    real_copier = query_cache._copier
    monkeypatch.setattr(
        query_cache, "_copier", lambda value: made.append(value) or real_copier(value)
    )

    @query_cache.memoized
    def rows():
        return [("E1", 1), ("E2", 2)]

    with _memo_app().test_request_context():
        rows()
        assert made == []
        assert rows() == [("E1", 1), ("E2", 2)]
    assert made == [[("E1", 1), ("E2", 2)]]
