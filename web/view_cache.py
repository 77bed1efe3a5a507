"""Whole callback answers from the shared cache, so a repeated click costs one lookup.

A page registers its read-only callbacks with `cached_callback` (a drop-in for
`dash.callback`). When the browser asks for one of them, the answer Dash sent last
time for the *same request body*, the *same access* (role, areas, workstream) and
the *same store generation* (data_access.cache.generation: a new one after every
import or approval) is sent again without running the callback, building figures or
serialising them.

Safe because:
- only registered callbacks are cached, and they read the store and nothing else
  (no ctx.triggered, no request state); the returns page, which writes, is never
  registered;
- the sign-in gate (web/auth.py) runs first, so signed-out requests never get here,
  and the key holds the caller's access, so an answer is only reused for a caller
  allowed to see exactly the same data;
- an answer built while the store was unavailable ("temporarily unavailable") is
  never stored (data_access.db marks the request), nor is any non-200 answer;
- a cache outage means the callback simply runs (never an error);
- a request that names a user's saved comparator group is never cached;
- a callback registered `per_user` (its answer depends on who asks: the user's
  own saved comparator groups) is kept per user, only on a cache every process
  shares (Redis), keyed by the user's *stamp* as read before the callback ran;
  whatever changes that user's data calls `forget_user_answers` after its
  commit, which sets a new stamp, so no process serves the older answer again.
  (A change while the cache cannot be reached leaves the older answer servable
  until it expires: CACHE_DEFAULT_TIMEOUT.)
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import re
import secrets

import dash
import flask
from cachelib.redis import RedisCache
from flask import Flask, Response, g, request
from flask_caching.backends.nullcache import NullCache
from flask_login import current_user

from data_access.cache import generation
from data_access.db import store_failed_in_this_request
from data_access.errors import AccessDenied, StoreUnavailable
from web import warm_callbacks
from web.access import current_scope
from web.shared_cache import cache

log = logging.getLogger(__name__)
_CACHED_OUTPUTS: set[str] = set()
_PER_USER_OUTPUTS: set[str] = set()
# A user's stamp lives this long unused; when it has gone, a new one is drawn
# and the answers kept under the old one are no longer served (always safe).
STAMP_SECONDS = 24 * 3600
# The format of stored answers is part of the key ("gz": gzipped JSON), so entries
# written by an older release are never read as this one's.
KEY_PREFIX = "view:gz:"
# Dash's page router (the callback that draws a page's layout for a URL). Layouts
# are cached too, except for pages that show per-person work in progress.
PAGE_ROUTER_OUTPUT = ".._pages_content.children..._pages_store.data.."
UNCACHED_PAGES = frozenset({"/returns"})
# A callback input naming a saved comparator group ("saved:<id>").
SAVED_GROUP_VALUE = re.compile(rb'"saved:')


def _output_keys(outputs: list[dash.Output]) -> set[str]:
    """The `output` field Dash's renderer sends for these outputs (one output is
    "id.prop"; several are "..id.prop...id.prop..")."""
    parts = [
        f"{o.component_id_str().replace('.', chr(92) + '.')}.{o.component_property}"
        for o in outputs
    ]
    keys = {"..{}..".format("...".join(parts))}
    if len(parts) == 1:
        keys.add(parts[0])
    return keys


def cached_callback(*dependencies, per_user: bool = False, **kwargs):
    """`dash.callback` for a read-only callback whose answers may be cached.

    `per_user`: the answer also depends on who asks (data of their own); it is
    then kept per user, on a shared cache only, and whatever changes that data
    must call `forget_user_answers(user_id)` once it has committed."""
    outputs = [d for d in dependencies if isinstance(d, dash.Output)]
    if not outputs:
        raise ValueError("a cached callback needs at least one Output")
    keys = _output_keys(outputs)
    _CACHED_OUTPUTS.update(keys)
    if per_user:
        _PER_USER_OUTPUTS.update(keys)
    return dash.callback(*dependencies, **kwargs)


def _new_stamp() -> str:
    return secrets.token_hex(16)


def _user_stamp(backend, user_id: int) -> str | None:  # noqa: ANN001
    """The user's stamp, drawn when they have none; None when the cache cannot
    say (then nothing per user is kept or served)."""
    key = warm_callbacks.user_stamp_key(user_id)
    try:
        stamp = backend.get(key)
        if stamp is None:
            backend.add(key, _new_stamp(), STAMP_SECONDS)  # the first one drawn wins
            stamp = backend.get(key)
    except Exception:  # noqa: BLE001 - a cache outage: not kept, not served
        return None
    return stamp if isinstance(stamp, str) else None


def forget_user_answers(user_id: int | None) -> None:
    """The user's own data changed (call after the commit): a new stamp, so no
    answer kept for them per user is served again, by any process."""
    if user_id is None or not flask.has_app_context():
        return
    backend = flask.current_app.extensions.get("cache", {}).get(cache)
    if not isinstance(backend, RedisCache):
        return  # nothing is kept per user
    try:
        backend.set(warm_callbacks.user_stamp_key(user_id), _new_stamp(), STAMP_SECONDS)
    except Exception:  # noqa: BLE001 - see the module docstring
        log.warning("view cache: could not renew a user's stamp")


def _key(backend=None) -> str | None:  # noqa: ANN001
    """The cache key for this callback request, or None when it is not cached.

    Also marks the request for web.warm_callbacks (`warm_callbacks.KEEP`: the
    caller's session, access and generation), so that its answer, once Flask has
    sent it, can be served in front of Flask for the same session."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return None
    output = body.get("output")
    if output == PAGE_ROUTER_OUTPUT:
        if _routed_path(body) in UNCACHED_PAGES:
            return None
    elif output not in _CACHED_OUTPUTS:
        return None
    if SAVED_GROUP_VALUE.search(request.get_data()):
        # A user's saved comparator group (data_access.comparator_groups) is
        # theirs alone and may be deleted at any time: an answer built on one is
        # per person and per moment, so it is never kept or reused.
        return None
    try:
        scope = current_scope()
        version = generation()
    except (AccessDenied, StoreUnavailable):
        return None
    access = "|".join(
        [scope.role, ",".join(sorted(scope.area_codes)), str(scope.workstream_id)]
    )
    digest = hashlib.sha256(request.get_data())
    digest.update(f"\0{access}\0{version}".encode())
    record = getattr(current_user, "record", None)
    stamp = None
    if output in _PER_USER_OUTPUTS:
        # Per user, and only where every process reads the same stamp.
        if record is None or not isinstance(backend, RedisCache):
            return None
        stamp = _user_stamp(backend, record.id)
        if stamp is None:
            return None
        digest.update(f"\0user:{record.id}\0{stamp}".encode())
    if record is not None:
        request.environ[warm_callbacks.KEEP] = warm_callbacks.Keep(
            user_id=record.id,
            session_version=record.session_version,
            access=access,
            generation=version,
            stamp=stamp,
        )
    return KEY_PREFIX + digest.hexdigest()


def _routed_path(body: dict) -> str | None:
    for item in body.get("inputs") or []:
        if isinstance(item, dict) and item.get("property") == "pathname":
            return str(item.get("value") or "/").rstrip("/") or "/"
    return None


def _cached_response(gzipped: bytes) -> Response:
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        response = Response(gzipped, mimetype="application/json")
        response.headers["Content-Encoding"] = "gzip"
    else:
        response = Response(gzip.decompress(gzipped), mimetype="application/json")
    response.vary.add("Accept-Encoding")
    return response


def init_view_cache(server: Flask, app: dash.Dash) -> None:
    """Answer registered callbacks from the cache; register after the sign-in gate."""
    from web.auth import login_manager

    path = app.config.routes_pathname_prefix + "_dash-update-component"
    # Repeated answers are then also served in front of Flask (web.warm_callbacks).
    warm_callbacks.init_warm_callbacks(server, login_manager, path)

    @server.before_request
    def _answer_from_cache():
        if request.method != "POST" or request.path != path:
            return None
        backend = flask.current_app.extensions.get("cache", {}).get(cache)
        if backend is None or isinstance(backend, NullCache):
            # Caching is off: nothing would be kept, so do not key the request
            # (hash its body, read its access) or gzip its answer for nothing.
            return None
        key = _key(backend)
        if key is None:
            return None
        try:
            answer = cache.get(key)
        except Exception:  # noqa: BLE001 - a cache outage means "run the callback"
            answer = None
        if answer is not None:
            return _cached_response(answer)
        g.vru_view_cache_key = key
        return None

    @server.after_request
    def _keep_answer(response: Response) -> Response:
        key = g.pop("vru_view_cache_key", None)
        if key is None:
            return response  # not cached, or answered from the cache
        if (
            response.status_code == 200
            and not response.direct_passthrough
            and not store_failed_in_this_request()
        ):
            try:
                # Kept gzipped: a hit then costs no compression (Flask-Compress
                # leaves a response that already has a Content-Encoding alone).
                cache.set(key, gzip.compress(response.get_data(), 6, mtime=0))
            except Exception:  # noqa: BLE001 - a cache outage must not fail a page
                log.debug("view cache: could not store an answer", exc_info=True)
        else:
            # Not kept here, so not kept in front of Flask either.
            request.environ.pop(warm_callbacks.KEEP, None)
        return response
