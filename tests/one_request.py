"""Run data_access code as one request of the app runs it: with the per-request
memo (data_access.cache.memoized) on and the shared cache off (NullCache).

Why the reference tests use it: outside a request every memoized read goes to
the store again, so a test that compares a fast path with the code it replaced
over hundreds of areas spent most of its time re-reading the same national
series, measure list and disclosed force areas (on PostgreSQL as well as SQLite).
Inside one request each is read once, as a page callback reads it, and every
caller still gets a private copy (the memo's own guarantee, tested in
tests/test_request_memo.py), so an answer is the one the store would give.

Sharing a request between the new road and the reference is safe where both
call the same memoized reads (one function gives one answer to the same
arguments), but not across a patch: a test that runs a road with something
patched (the reference being today's code with a shortcut turned off, say)
runs it in a request of its own, or the reference would be handed answers
worked out with the shortcut on.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator

from flask import Flask

from web.shared_cache import cache

_server: Flask | None = None


def _memo_server() -> Flask:
    global _server
    if _server is None:
        _server = Flask(f"one-request-{uuid.uuid4().hex}")
        _server.config.update(CACHE_TYPE="NullCache")
        cache.init_app(_server)
    return _server


@contextlib.contextmanager
def one_request() -> Iterator[None]:
    """A request context of its own: a fresh per-request memo, and the store's
    cache generation read afresh."""
    with _memo_server().test_request_context():
        yield
