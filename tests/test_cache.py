"""The shared cache: Redis serves every process, an outage degrades to uncached
answers (never errors), and invalidation forgets cached queries."""

import os
import uuid

import pytest
from flask import Flask
from sqlalchemy import event

from data_access import areas, db
from data_access.cache import invalidate
from web.shared_cache import cache


def _app(**config) -> Flask:
    server = Flask(f"cache-test-{uuid.uuid4().hex}")
    server.config.update(CACHE_KEY_PREFIX=f"vru-test-{uuid.uuid4().hex}:", **config)
    cache.init_app(server)
    return server


@pytest.fixture
def redis_url():
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("TEST_REDIS_URL not set: Redis tests run in CI")
    return url


def test_a_dead_redis_degrades_to_uncached_answers(loaded_sqlite_store):
    server = _app(
        CACHE_TYPE="RedisCache",
        CACHE_REDIS_URL="redis://127.0.0.1:1/0",
        CACHE_OPTIONS={"socket_connect_timeout": 0.25, "socket_timeout": 0.5},
    )
    with server.app_context():
        assert areas.get_area("E23000036").name == "Avon and Somerset"
        assert areas.get_area("E23000036").name == "Avon and Somerset"


def test_redis_cache_is_shared_and_invalidated(
    loaded_sqlite_store, redis_url, monkeypatch
):
    prefix_config = dict(CACHE_TYPE="RedisCache", CACHE_REDIS_URL=redis_url)
    first = _app(**prefix_config)
    # A second app (as another worker would be) with the same key prefix.
    second = Flask("second-worker")
    second.config.update(
        CACHE_KEY_PREFIX=first.config["CACHE_KEY_PREFIX"], **prefix_config
    )
    cache.init_app(second)
    with first.app_context():
        frame = areas.list_areas(level="pfa")
        keys = cache.cache._write_client.keys(first.config["CACHE_KEY_PREFIX"] + "*")
        assert keys, "nothing was written to Redis"
    # The second worker answers from Redis even with the store unreachable.
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    db.reset_engine()
    with second.app_context():
        assert areas.list_areas(level="pfa").equals(frame)
    # An import or approval (which invalidates) only happens with the store up.
    monkeypatch.setenv("DATABASE_URL", loaded_sqlite_store)
    db.reset_engine()
    with first.app_context():
        invalidate()
        # Nothing is flushed (other readers keep their hits) ...
        assert cache.cache._write_client.keys(first.config["CACHE_KEY_PREFIX"] + "*")
    reads = []

    def note(_conn, _cursor, statement, *_args):
        reads.append(statement)

    event.listen(db.get_engine(), "before_cursor_execute", note)
    try:
        with second.app_context():
            # ... but the next read is under the new generation, from the store.
            assert areas.list_areas(level="pfa").equals(frame)
    finally:
        event.remove(db.get_engine(), "before_cursor_execute", note)
    assert any("FROM area" in statement for statement in reads)


def test_a_request_reads_a_memoized_query_once_even_with_the_cache_off(store):
    """data_access keeps its per-request memo in the state the web layer binds
    (data_access.context -> flask.g, web/shared_cache.py): within one request a
    memoized query runs once, each caller gets its own copy, and outside a request
    every call goes to the store."""
    from data_access.cache import memoized

    calls = []

    @memoized
    def counted(x):
        calls.append(x)
        return [x]

    server = Flask(f"memo-test-{uuid.uuid4().hex}")
    server.config.update(CACHE_TYPE="NullCache")
    cache.init_app(server)
    with server.test_request_context():
        first = counted(1)
        first.append("changed by a caller")
        assert counted(1) == [1]
    assert calls == [1]
    counted(1)
    assert calls == [1, 1]


def _memo_app(cache_type: str = "NullCache") -> Flask:
    server = Flask(f"memo-test-{uuid.uuid4().hex}")
    server.config.update(CACHE_TYPE=cache_type)
    cache.init_app(server)
    return server


def _frame():
    import pandas as pd

    frame = pd.DataFrame(
        {
            "code": ["E1", "E2"],
            "rate": [1.5, 2.5],
            "when": pd.to_datetime(["2024-01-01", "2024-04-01"]),
        },
        index=pd.Index([10, 20], name="row"),
    )
    frame.attrs["note"] = {"source": "store"}
    return frame


# What callers do to a result: each must leave the memo's copy (and so the next
# caller's answer) as the store gave it.
_FRAME_CHANGES = {
    "cell by loc": lambda f: f.loc.__setitem__((10, "rate"), 99.0),
    "cell by iat": lambda f: f.iat.__setitem__((0, 0), "changed"),
    "column replaced": lambda f: f.__setitem__("rate", 0.0),
    "column added": lambda f: f.__setitem__("extra", 1),
    "column dropped": lambda f: f.pop("code"),
    "index renamed": lambda f: setattr(f.index, "name", "changed"),
    "attrs changed": lambda f: f.attrs["note"].__setitem__("source", "changed"),
    "index replaced": lambda f: setattr(f, "index", [1, 2]),
}


@pytest.mark.parametrize("change", sorted(_FRAME_CHANGES))
def test_a_caller_that_changes_its_memoized_frame_changes_no_other_callers(
    store, change
):
    from data_access.cache import memoized

    @memoized
    def read_frame():
        return _frame()

    with _memo_app().test_request_context():
        first = read_frame()
        _FRAME_CHANGES[change](first)
        second = read_frame()
        _FRAME_CHANGES[change](second)
        third = read_frame()
    expected = _frame()
    assert third.equals(expected)
    assert third.index.name == "row" and third.attrs == expected.attrs


def test_a_caller_that_changes_nested_containers_changes_no_other_callers(store):
    """Lists, dicts and tuples holding frames or lists are copied item by item; a
    frame holding Python lists is copied whole (sharing the lists would not be a
    copy)."""
    import datetime as dt

    import pandas as pd

    from data_access.cache import memoized

    def fresh():
        return {
            "frames": (_frame(), _frame()),
            "rows": [("E1", 1), ("E2", 2)],
            "by_code": {"E1": [1, 2]},
            "listy": pd.DataFrame({"items": [[1], [2]]}),
            "totals": {"E1": 1, "E2": 2},
            "dated": pd.DataFrame({"day": [dt.date(2024, 4, 1)], "n": [1]}),
        }

    @memoized
    def read_nested():
        return fresh()

    def change(value):
        value["frames"][0].loc[10, "rate"] = -1.0
        value["rows"].append(("E3", 3))
        value["by_code"]["E1"].append(3)
        value["listy"]["items"].iloc[0].append("changed")
        value["totals"]["E1"] = 99
        value["dated"].loc[0, "day"] = dt.date(1999, 1, 1)
        value["added"] = True

    with _memo_app().test_request_context():
        change(read_nested())
        change(read_nested())
        last = read_nested()
    expected = fresh()
    assert set(last) == set(expected)
    assert last["frames"][0].equals(expected["frames"][0])
    assert last["rows"] == expected["rows"] and last["by_code"] == expected["by_code"]
    assert last["listy"]["items"].tolist() == [[1], [2]]
    assert last["totals"] == expected["totals"]
    assert last["dated"].equals(expected["dated"])


def test_immutable_answers_are_handed_over_as_they_are_and_none_is_memoized(store):
    import datetime as dt

    from data_access.areas import AreaInfo
    from data_access.cache import memoized, private_copy

    area = AreaInfo("E1", "Somewhere", "pfa", None, None, True, 2019)
    for value in ("text", 3, 2.5, None, dt.date(2024, 1, 1), (1, ("a", 2.0)), area):
        assert private_copy(value) is value
    calls = []

    @memoized
    def missing():
        calls.append(1)

    with _memo_app().test_request_context():
        assert missing() is None and missing() is None
    assert calls == [1]


def test_with_the_cache_off_memoized_queries_skip_the_shared_layer(store, monkeypatch):
    """NullCache keeps nothing, so its key building (argument hashing, the store's
    generation) is skipped; any other backend is still used (and the request memo
    in both)."""
    from data_access.cache import memoized

    used = []
    real_memoize = cache.memoize

    def spy(*args, **kwargs):
        decorate = real_memoize(*args, **kwargs)
        return lambda fn: decorate(lambda *a, **k: used.append(a) or fn(*a, **k))

    monkeypatch.setattr(cache, "memoize", spy)
    calls = []

    @memoized
    def counted(x):
        calls.append(x)
        return [x]

    with _memo_app("NullCache").test_request_context():
        assert counted(1) == [1] and counted(1) == [1]
    assert used == [] and calls == [1]
    with _memo_app("SimpleCache").test_request_context():
        assert counted(2) == [2] and counted(2) == [2]
    assert used == [(2,)] and calls == [1, 2]


def _random_answer(rng, depth: int = 0):
    """A value of the shapes memoized queries answer with: atoms, tuples, lists,
    dicts and frames, nested."""
    import datetime as dt

    import pandas as pd

    atoms = [
        lambda: rng.randint(-5, 5),
        lambda: rng.random(),
        lambda: rng.choice(["E1", "E2", ""]),
        lambda: None,
        lambda: dt.date(2020, rng.randint(1, 12), 1),
    ]
    kinds = ["atom"] * 3 + (["tuple", "list", "dict", "frame"] if depth < 3 else [])
    kind = rng.choice(kinds)
    size = rng.randint(0, 4)
    if kind == "atom":
        return rng.choice(atoms)()
    if kind == "tuple":
        return tuple(_random_answer(rng, depth + 1) for _ in range(size))
    if kind == "list":
        return [_random_answer(rng, depth + 1) for _ in range(size)]
    if kind == "dict":
        return {f"k{i}": _random_answer(rng, depth + 1) for i in range(size)}
    column = rng.choice(
        [
            [rng.random() for _ in range(size)],
            [dt.date(2021, 1, 1 + i) for i in range(size)],
            [[i] for i in range(size)],
            [rng.choice(["a", None]) for _ in range(size)],
        ]
    )
    return pd.DataFrame({"value": column, "n": range(size)})


def _change_everything(value) -> None:
    """Change every changeable part of `value` in place, as a careless caller might."""
    import pandas as pd

    if isinstance(value, list):
        for item in value:
            _change_everything(item)
        value.append("changed")
    elif isinstance(value, dict):
        for item in value.values():
            _change_everything(item)
        value["changed"] = True
    elif isinstance(value, tuple):
        for item in value:
            _change_everything(item)
    elif isinstance(value, pd.DataFrame):
        for item in value["value"]:
            _change_everything(item)
        if len(value):
            value.iloc[0, 1] = -1
        value["changed"] = 1


def _plain(value):
    """`value` as plain nested data (frames as their columns, types and rows), so
    that a copy compares equal however pandas lays its blocks out."""
    import pandas as pd

    if isinstance(value, pd.DataFrame):
        return (
            "frame",
            list(value.columns),
            [str(dtype) for dtype in value.dtypes],
            _plain(value.to_dict("list")),
            list(value.index),
        )
    if isinstance(value, list):
        return ["list", *(_plain(item) for item in value)]
    if isinstance(value, tuple):
        return ("tuple", *(_plain(item) for item in value))
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if value != value:  # NaN (a string column's missing value) equals itself here
        return (type(value).__name__, "nan")
    return (type(value).__name__, value)


def test_private_copies_of_random_answers_equal_the_pickled_reference_and_stay_apart():
    """The reference is what the memo did before: a pickle round trip. Over many
    random answers, each copy the memo hands out equals the answer's round trip
    (types included), and changing every part of one copy changes neither the
    answer nor the next copy."""
    import pickle
    import random

    from data_access.cache import _copier

    rng = random.Random(19)
    for _ in range(400):
        answer = _random_answer(rng)
        reference = _plain(pickle.loads(pickle.dumps(answer)))
        copies = _copier(answer)
        for _ in range(2):
            copy = copies()
            assert _plain(copy) == reference
            _change_everything(copy)
            assert _plain(answer) == reference
        _change_everything(answer)
        assert _plain(copies()) == reference
