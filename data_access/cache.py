"""Memoized queries over the shared cache, and the store's cache generation.

The shared cache itself (Flask-Caching: RedisCache in production, SimpleCache for
one process, NullCache in tests) belongs to the web layer, which binds it here
(`bind_shared`, from web/shared_cache.py); the per-request state is
data_access.context. This module never imports the web framework. Only functions
whose arguments are primitives are memoized. Unbound, or outside an app context
(CLI, tests of data_access) calls go straight to the store. A shared cache that
keeps nothing (NullCache) is skipped: hashing the arguments and building a key
for it would buy nothing.

Every cached entry's key holds the store's *cache generation*: a token kept in the
store itself (`store_meta`, key "cache_generation") and read once per request. An
import or an approval calls `invalidate()`, which writes a new token, so every
process on every host stops using older entries at once, whatever the cache backend
(a per-process SimpleCache included) and whether the write came from a web request
or the command line. The new token is written in the write's own transaction, so
the two commit together. Old entries are not flushed; they simply expire.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import logging
import pickle
import threading
import time
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

import pandas as pd
from pandas.api.types import is_object_dtype
from sqlalchemy import event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from data_access import context
from data_access.db import get_engine, session_scope
from data_access.errors import StoreUnavailable
from data_access.models import StoreMeta

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable)
GENERATION_KEY = "cache_generation"
# Every store is given a random generation when it is made (migration 0016) and a
# new one at each write; this is only read for a store whose row was removed.
NO_GENERATION = "initial"

# The shared cache (an object with memoize(make_name=...) and clear()), whether
# it serves the current app context, and whether it keeps nothing there (then only
# the per-request memo is used): bound by the web layer.
_shared: Any = None
_shared_active: Callable[[], bool] = lambda: False  # noqa: E731
_shared_keeps_nothing: Callable[[], bool] = lambda: False  # noqa: E731


def bind_shared(
    shared: Any,
    *,
    active: Callable[[], bool],
    keeps_nothing: Callable[[], bool] = lambda: False,
) -> None:
    """Use `shared` for memoized queries whenever `active()` says it serves the
    current app context, unless `keeps_nothing()` says it would keep nothing."""
    global _shared, _shared_active, _shared_keeps_nothing
    _shared, _shared_active, _shared_keeps_nothing = shared, active, keeps_nothing


# The last generation this process read: during a store outage cached answers
# stay usable under it (a restarted process has none and answers uncached).
_last_generation: str | None = None


def _cache_active() -> bool:
    return _shared is not None and _shared_active()


def generation_select():
    """The statement that reads the generation; other per-request reads embed it
    as a scalar subquery so that it costs no round trip of its own."""
    return select(StoreMeta.value).where(StoreMeta.key == GENERATION_KEY)


def remember_generation(value: str | None) -> str:
    """Use `value` (read from the store by this request) as its generation."""
    global _last_generation
    value = value or NO_GENERATION
    _last_generation = value
    state = context.app_state()
    if state is not None:
        state["vru_cache_generation"] = value
    return value


def generation() -> str:
    """The store's cache generation, read once per request (or app context)."""
    state = context.app_state()
    if state is not None and "vru_cache_generation" in state:
        return state["vru_cache_generation"]
    try:
        with session_scope() as session:
            return remember_generation(session.scalar(generation_select()))
    except StoreUnavailable:
        if _last_generation is None:
            raise
        return remember_generation(_last_generation)


def _versioned_name(fname: str) -> str:
    return f"{fname}@{generation()}"


# Values no caller can change: every caller is handed the same object.
_IMMUTABLE_ATOMS = frozenset(
    {str, bytes, int, float, bool, type(None), Decimal}
    | {dt.date, dt.datetime, dt.time, dt.timedelta}
    | {pd.Timestamp, pd.Timedelta, type(pd.NA), type(pd.NaT)}
)
_ATOMS_AND_TUPLES = _IMMUTABLE_ATOMS | {tuple}
_FRAMES = (pd.DataFrame, pd.Series)
# What the per-request memo keeps for a call whose answer is None.
_NOT_KEPT = object()


def _all_immutable(items: list | tuple | frozenset) -> bool:
    """Every item immutable. Answers (rows of tuples, columns of dates) hold
    hundreds of items, so the common shapes (atoms, tuples of atoms) are told by
    their types in one pass of C, and only anything else item by item."""
    kinds = set(map(type, items))
    if kinds <= _IMMUTABLE_ATOMS:
        return True
    if kinds <= _ATOMS_AND_TUPLES:
        tuples = (item for item in items if type(item) is tuple)
        if set(map(type, itertools.chain.from_iterable(tuples))) <= _IMMUTABLE_ATOMS:
            return True
    return all(_immutable(item) for item in items)


def _immutable(value: Any) -> bool:
    kind = type(value)
    if kind in _IMMUTABLE_ATOMS:
        return True
    if kind is tuple or kind is frozenset:
        return _all_immutable(value)
    params = getattr(kind, "__dataclass_params__", None)
    return bool(params and params.frozen) and _all_immutable(
        [getattr(value, name) for name in kind.__dataclass_fields__]
    )


def _frame_holds_only_values(frame: pd.DataFrame | pd.Series) -> bool:
    """No column holds Python objects a caller could change in place (lists,
    dicts): a copy that shares such objects would not be a copy."""
    if isinstance(frame, pd.Series):
        columns = [frame] if is_object_dtype(frame.dtype) else []
    else:
        columns = [
            frame.iloc[:, i]
            for i, dtype in enumerate(frame.dtypes.tolist())
            if is_object_dtype(dtype)
        ]
    return all(_all_immutable(column.tolist()) for column in columns)


def _copier(value: Any) -> Callable[[], Any]:
    """What hands out private copies of `value` as it is now: each call returns a
    copy its caller may change freely without changing anyone else's. What can
    change is worked out once, when the answer is kept, so that each later copy
    is cheap: immutable values as they are; frames by pandas' copy-on-write (a
    shallow copy shares the data until either side writes, which then copies);
    lists and dicts of immutable items as one shallow copy; other lists, dicts and
    tuples item by item; anything else by a pickle round trip, as the shared
    cache would hand it over."""
    kind = type(value)
    if kind in _IMMUTABLE_ATOMS or _immutable(value):
        return lambda: value
    if kind in _FRAMES and _frame_holds_only_values(value):
        kept_frame = value.copy(deep=False)
        return lambda: kept_frame.copy(deep=False)
    if kind is list:
        if _all_immutable(value):
            kept_items = tuple(value)
            return lambda: list(kept_items)
        copiers = [_copier(item) for item in value]
        return lambda: [copy() for copy in copiers]
    if kind is dict and _all_immutable(list(value)):
        if _all_immutable(list(value.values())):
            kept_dict = dict(value)
            return kept_dict.copy
        copiers = {key: _copier(item) for key, item in value.items()}
        return lambda: {key: copy() for key, copy in copiers.items()}
    if kind is tuple:
        copiers = [_copier(item) for item in value]
        return lambda: tuple(copy() for copy in copiers)
    pickled = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
    return lambda: pickle.loads(pickled)  # noqa: S301 - pickled here


def private_copy(value: Any) -> Any:
    """A copy of `value` that its caller may change without changing `value`."""
    return _copier(value)()


# What the per-request memo keeps of an answer asked for once: `_keep` is cheap
# (most answers are never asked for again in the request), and the copy-safety
# work of `_copier` waits for a second ask.
Prepare = Callable[[], Callable[[], Any] | None]


def _keep(value: Any) -> Prepare:
    """What to keep of `value` as its first caller receives it, cheaply: returns
    `prepare`, which at a second ask returns a copier (`_copier`) of `value` as it
    was handed over, or None if the first caller may have changed what was kept.

    Only containers are copied now (frames shallowly: pandas' copy-on-write keeps
    the kept frame's data apart from the caller's writes; lists and dicts of atoms
    and tuples in one step of C); what they share with the caller (tuples' items,
    object cells of frames) is checked for immutability by `prepare`, since a
    caller can only have changed it in place if it is mutable."""
    kind = type(value)
    if kind in _IMMUTABLE_ATOMS:
        return lambda: lambda: value
    if kind in _FRAMES:
        kept_frame = value.copy(deep=False)
        return lambda: (
            (lambda: kept_frame.copy(deep=False))
            if _frame_holds_only_values(kept_frame)
            else None
        )
    if kind is list or kind is tuple:
        if set(map(type, value)) <= _ATOMS_AND_TUPLES:
            return _prepared_if_immutable(tuple(value), kind)
        if kind is list and set(map(type, value)) == {dict}:
            # Rows as dicts (a picker's options): copied in one step of C each.
            kept_rows = list(map(dict, value))
            pairs = itertools.chain.from_iterable(map(dict.items, kept_rows))
            return lambda: (
                (lambda: list(map(dict.copy, kept_rows)))
                if _all_immutable(list(pairs))
                else None
            )
        return _prepared_together(list(map(_keep, value)), kind)
    if kind is dict and set(map(type, value)) <= _ATOMS_AND_TUPLES:
        keys = tuple(value)
        if _all_immutable(keys):
            if set(map(type, value.values())) <= _ATOMS_AND_TUPLES:
                return _prepared_if_immutable(tuple(value.values()), dict, keys)
            return _prepared_together(list(map(_keep, value.values())), dict, keys)
    copier = _copier(value)
    return lambda: copier


def _built(kind: type, items: list | tuple, keys: tuple | None) -> Any:
    return dict(zip(keys, items, strict=True)) if kind is dict else kind(items)


def _prepared_if_immutable(items: tuple, kind: type, keys: tuple | None = None):
    """`prepare` of a container of atoms and tuples kept as a tuple of its items:
    to be trusted only if no item could have been changed in place."""
    return lambda: _copier(_built(kind, items, keys)) if _all_immutable(items) else None


def _prepared_together(parts: list[Prepare], kind: type, keys: tuple | None = None):
    """`prepare` of a container whose items were kept one by one (`parts`)."""

    def prepare():
        copiers = [part() for part in parts]
        if None in copiers:
            return None
        return lambda: _built(kind, [copy() for copy in copiers], keys)

    return prepare


class _AskedOnce:
    """A request memo entry whose answer has been handed out once."""

    __slots__ = ("prepare",)

    def __init__(self, prepare: Prepare):
        self.prepare = prepare


def memoized(fn: F) -> F:
    """Memoize `fn` in the shared cache when running inside the app, and for the
    rest of the request in any case.

    The per-request memo matters when the shared cache is off or cold: one page's
    callback asks for the same series several times (the trend, its baseline, its
    recent trend and the ranking all start from the national figures). A caller
    that changes its result never changes another's: the memo keeps a cheap
    shallow snapshot when the answer is first handed out (`_keep`), and only if
    the answer is asked for again makes it a copier (`_copier`) handing each later
    caller its own copy. Copying only what can change costs a fraction of the
    pickling it replaces. Should the first caller have been able to change what the
    snapshot shares (a mutable object inside a tuple or a frame's cell), the
    answer is asked for afresh instead."""
    name = f"{fn.__module__}.{fn.__qualname__}"
    memos: dict[int, Callable] = {}  # by shared cache: bound after import

    def shared_memo() -> Callable:
        if _shared_keeps_nothing():
            return fn
        memo = memos.get(id(_shared))
        if memo is None:
            memo = memos[id(_shared)] = _shared.memoize(make_name=_versioned_name)(fn)
        return memo

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        state = context.app_state()
        if state is None or not _cache_active():
            return fn(*args, **kwargs)
        request_memo = state.get("vru_request_memo")
        if request_memo is None:
            request_memo = state["vru_request_memo"] = {}
        key = (name, args, tuple(sorted(kwargs.items())) if kwargs else ())
        try:
            kept = request_memo.get(key)
        except TypeError:  # an unhashable argument: the shared cache alone
            return shared_memo()(*args, **kwargs)
        if kept is None:
            value = shared_memo()(*args, **kwargs)
            request_memo[key] = _NOT_KEPT if value is None else _AskedOnce(_keep(value))
            return value
        if kept is _NOT_KEPT:
            return None
        if type(kept) is _AskedOnce:
            copier = kept.prepare()
            if copier is None:
                copier = _copier(shared_memo()(*args, **kwargs))
            request_memo[key] = kept = copier
        return kept()

    wrapper.uncached = fn  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def invalidate(session: Session | None = None) -> None:
    """Make every cached answer old: a new generation in the store.

    Pass the write's own session: the new generation is then part of the write's
    transaction, so no crash between the commit and the invalidation can leave
    answers stale. Nothing is flushed: entries of older generations are simply
    never asked for again and expire, so readers of other keys keep their hits."""
    if session is None:
        with session_scope() as own:
            invalidate(own)
        return
    token = uuid.uuid4().hex
    dialect = postgresql if session.bind.dialect.name == "postgresql" else sqlite
    session.execute(
        dialect.insert(StoreMeta)
        .values(key=GENERATION_KEY, value=token)
        .on_conflict_do_update(index_elements=["key"], set_={"value": token})
    )
    event.listen(session, "after_commit", lambda _s: _adopt(token), once=True)


def _adopt(token: str) -> None:
    """After the commit: this process uses the new generation at once."""
    global _process_generation
    _process_generation = (id(get_engine()), token, time.monotonic())
    state = context.app_state()
    if state is not None:
        state.pop("vru_cache_generation", None)
        state.pop("vru_request_memo", None)


# The generation for answers kept in front of Flask (web/response_cache.py), which
# have no request to read it with: read from the store at most every
# SHARED_GENERATION_SECONDS per process, so another process's write reaches them
# within that time, at the cost of one small read per process per interval.
# Kept with the engine it was read from: a process pointed at another store reads.
SHARED_GENERATION_SECONDS = 2.0
_process_generation: tuple[int, str, float] | None = None
_process_generation_lock = threading.Lock()


def _fresh_process_generation() -> str | None:
    kept = _process_generation
    if (
        kept is not None
        and kept[0] == id(get_engine())
        and time.monotonic() - kept[2] < SHARED_GENERATION_SECONDS
    ):
        return kept[1]
    return None


def shared_generation() -> str:
    """The store's generation as this process last read it (at most
    SHARED_GENERATION_SECONDS ago); the last known one while the store is down."""
    global _process_generation
    value = _fresh_process_generation()
    if value is not None:
        return value
    with _process_generation_lock:
        value = _fresh_process_generation()
        if value is not None:
            return value
        try:
            with session_scope() as session:
                value = session.scalar(generation_select()) or NO_GENERATION
        except StoreUnavailable:
            if _process_generation is None:
                raise
            value = _process_generation[1]
        _process_generation = (id(get_engine()), value, time.monotonic())
        return value
