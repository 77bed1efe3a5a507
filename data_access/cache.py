"""The shared query cache (Flask-Caching).

`cache` is initialised by app.py from settings (RedisCache in production, SimpleCache
for one process, NullCache in tests). Only functions whose arguments are primitives
are memoized. Outside a Flask app (CLI, tests of data_access) calls go straight to
the store. After an import or an approval `invalidate()` clears our keys.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import TypeVar

import flask
from flask_caching import Cache

log = logging.getLogger(__name__)
cache = Cache()
F = TypeVar("F", bound=Callable)


def memoized(fn: F) -> F:
    """Memoize `fn` in the shared cache when running inside the app."""
    memo = cache.memoize()(fn)

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if not flask.has_app_context() or "cache" not in flask.current_app.extensions:
            return fn(*args, **kwargs)
        return memo(*args, **kwargs)

    wrapper.uncached = fn  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def invalidate() -> None:
    """Forget every cached query (after an import or an approval)."""
    if flask.has_app_context() and "cache" in flask.current_app.extensions:
        try:
            cache.clear()
        except Exception:  # noqa: BLE001 - a cache outage must not fail the write
            log.warning("cache clear failed; entries expire within CACHE_TIMEOUT")
