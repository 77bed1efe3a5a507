"""Flask-level glue around the Dash app: configuration, cache, sign-in, security
headers, health checks, error answers and the command line."""

from __future__ import annotations

import datetime as dt
import gc
import logging

import dash
from flask import Flask, request_tearing_down

import settings
from data_access import db
from web.shared_cache import cache


class _CacheOutageFilter(logging.Filter):
    """Flask-Caching logs a full traceback on every call while Redis is down; one
    line says the same and keeps the log readable during an outage."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info:
            record.msg = "cache backend unavailable (%s); answering uncached"
            record.args = (type(record.exc_info[1]).__name__,)
            record.exc_info = None
        return True


def _release_read_connection(_app: Flask, **_extra) -> None:
    db.release_request_connection()


# A request's reads share one connection (data_access.db.read_connection, kept in
# the request state web.shared_cache binds); it goes back to the pool when the
# request ends, failed ones included. A signal rather than one app's teardown
# hook: it is sent for every Flask app of the process, test apps included, after
# their own teardown functions (a read in one of those is still given back).
request_tearing_down.connect(_release_read_connection)


def configure_server(server: Flask) -> None:
    logging.getLogger("flask_caching").addFilter(_CacheOutageFilter())
    server.config.update(
        SECRET_KEY=settings.secret_key(),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.https(),
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=8),
        MAX_CONTENT_LENGTH=settings.upload_max_bytes() * 2,
        WTF_CSRF_TIME_LIMIT=None,
        CACHE_TYPE=settings.cache_type(),
        CACHE_DEFAULT_TIMEOUT=settings.cache_timeout(),
        CACHE_KEY_PREFIX="vru:",
        CACHE_REDIS_URL=settings.redis_url(),
    )
    if server.config["CACHE_TYPE"] == "RedisCache":
        # Values are signed before anything is unpickled (web/signed_cache.py).
        server.config["CACHE_TYPE"] = "web.signed_cache.SignedRedisCache"
        # A hung or dead Redis must cost each request milliseconds (then it
        # answers uncached), not seconds.
        timeout = settings.redis_timeout_seconds()
        server.config["CACHE_OPTIONS"] = {
            "socket_connect_timeout": timeout,
            "socket_timeout": timeout,
        }
    cache.init_app(server)


# Python's collector scans its youngest generation after every 700 net new
# container objects. One uncached callback makes tens of thousands (DataFrames,
# rows, Dash components) that die with the request, so it was scanned ~30 times
# and everything still alive moved on and on into older generations, until a full
# collection walked the whole heap (~80 ms each). 10,000 lets the objects of most
# callbacks die before any scan: the collector's share of a worker's CPU falls
# from ~4% to ~0.3%, and a cycle of garbage still waits for at most 10,000 more.
YOUNG_GENERATION_THRESHOLD = 10_000


def tune_garbage_collection() -> None:
    """Call once the app is built: what exists then (modules, the app, its
    layouts and callbacks) lives as long as the process, so it is moved out of
    the collector's sight (gc.freeze) after one last collection, and full
    collections no longer walk it; then the young threshold above."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD, middle, old)


def init_app(app: dash.Dash) -> None:
    from web.alerts_feed import init_alerts_feed
    from web.answer_json import use_for_callback_answers
    from web.api import init_api
    from web.auth import guard_page_layouts, init_auth
    from web.board_pack import init_board_pack
    from web.callback_compression import init_callback_compression
    from web.cli import init_cli
    from web.cli_alerts import init_alerts_cli
    from web.cli_returns import init_returns_cli
    from web.cli_scale import init_scale_cli
    from web.component_init import use_for_components
    from web.embed import init_embed
    from web.health import init_health
    from web.security import TrustedProxies, init_security
    from web.view_cache import init_view_cache

    server = app.server
    configure_server(server)
    use_for_callback_answers()
    use_for_components()
    # Before every hook that reads a callback answer's bytes (the view cache's).
    init_callback_compression(
        server, app.config.routes_pathname_prefix + "_dash-update-component"
    )
    init_auth(server)
    # After the sign-in gate: only signed-in callers reach the cached answers.
    init_view_cache(server, app)
    init_health(server)
    init_embed(server)
    init_api(server)
    init_alerts_feed(server)
    init_board_pack(server)
    init_cli(server)
    init_returns_cli(server)
    init_scale_cli(server)
    init_alerts_cli(server)
    guard_page_layouts()
    init_security(server, script_hashes=app.csp_hashes)
    # Outermost, so every layer (the response cache included) sees the real client.
    server.wsgi_app = TrustedProxies(server.wsgi_app)
    logging.basicConfig(
        level=logging.INFO, format="%(levelname)s %(name)s: %(message)s"
    )
