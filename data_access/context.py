"""Per-request state for data_access, without importing the web framework.

data_access keeps a few things for the rest of a request (or app context): the
store's cache generation, the per-request query memo (data_access.cache) and
whether the store failed during the request (data_access.db). Where that state
lives is the web layer's business: web/shared_cache.py binds it to Flask's `g`.
Unbound (the command line, tests of data_access alone) there is no such state and
every call goes straight to the store.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping

State = MutableMapping[str, object]


def _none() -> State | None:
    return None


_app_state: Callable[[], State | None] = _none
_request_state: Callable[[], State | None] = _none


def bind(
    *,
    app_state: Callable[[], State | None],
    request_state: Callable[[], State | None],
) -> None:
    """Where the state of the current app context and of the current request
    live: each callable returns a mapping, or None outside one."""
    global _app_state, _request_state
    _app_state, _request_state = app_state, request_state


def app_state() -> State | None:
    """The current app context's state (a request's included), or None."""
    return _app_state()


def request_state() -> State | None:
    """The current request's state, or None outside a request."""
    return _request_state()
