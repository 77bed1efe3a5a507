"""The shared cache (Flask-Caching) and Flask's per-request state, bound into
data_access, which never imports Flask itself.

`cache` is initialised by web.configure_server from settings (RedisCache in
production, SimpleCache for one process, NullCache in tests). data_access memoizes
its queries in it (data_access.cache.memoized) and keeps its per-request state
(cache generation, query memo, store failure) in a dict on `flask.g`
(data_access.context). Importing this module binds both. With NullCache the
queries keep only their per-request memo (nothing would be kept, so their
arguments are not hashed into keys for it).
"""

from __future__ import annotations

import flask
from flask_caching import Cache
from flask_caching.backends.nullcache import NullCache

from data_access import cache as query_cache
from data_access import context

cache = Cache()


def _app_state() -> dict | None:
    if not flask.has_app_context():
        return None
    return flask.g.setdefault("vru_data_access", {})


def _request_state() -> dict | None:
    return _app_state() if flask.has_request_context() else None


def _serves_this_app() -> bool:
    return flask.has_app_context() and "cache" in flask.current_app.extensions


def _keeps_nothing() -> bool:
    """Caching is off (NullCache): memoized queries skip the shared layer."""
    return isinstance(flask.current_app.extensions["cache"].get(cache), NullCache)


context.bind(app_state=_app_state, request_state=_request_state)
query_cache.bind_shared(cache, active=_serves_this_app, keeps_nothing=_keeps_nothing)
