"""Whole-response cache for public embed pages, answered in front of Flask.

A news story can send thousands of readers to a page that embeds one chart. Each of
them gets the same public bytes, so once Flask has built an embed answer (with its
security headers, ETag and compression), that finished answer is kept in the shared
cache and later requests for the same URL are answered from it here, without
running Flask's request machinery (sessions, sign-in, rate-limit bookkeeping):
about a third of the CPU of a Flask answer from the same cache.

What is kept, and when, stays the view's decision: a view opts in by setting
`request.environ[CACHEABLE]` (web.embed does it only for a 200 answer whose query
string is already in its canonical form, so made-up parameters cannot fill the
cache). An answer that sets a cookie is never kept. Conditional requests
(If-None-Match / If-Modified-Since) and anything but GET/HEAD go to Flask, which
answers them properly. Keys hold the store's cache generation as this process last
read it (`data_access.cache.shared_generation`, at most 2 s old), so after an
import or an approval every process stops serving older answers within 2 s, and
the process that wrote at once; a cache outage just means Flask answers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from data_access.cache import shared_generation
from data_access.errors import StoreUnavailable

log = logging.getLogger(__name__)

# Set to True by a view (in the WSGI environ) when its answer may be kept.
CACHEABLE = "vru.response_cacheable"
KEY_PREFIX = "response:"
_NOT_KEPT_HEADERS = {"set-cookie", "content-length"}


def _key(environ: dict) -> str:
    variant = "gzip" if "gzip" in environ.get("HTTP_ACCEPT_ENCODING", "") else "id"
    query = environ.get("QUERY_STRING", "")
    path = environ.get("PATH_INFO", "")
    return f"{KEY_PREFIX}{shared_generation()}:{variant}:{path}?{query}"


class ResponseCache:
    """WSGI middleware: answers kept responses for the paths `applies` accepts.

    `backend` returns the cachelib backend (or None when caching is off) and
    `timeout` the seconds an entry lives; both are called per use so the app's
    configuration is read after it is initialised.
    """

    def __init__(
        self,
        app: Callable,
        *,
        applies: Callable[[str], bool],
        backend: Callable[[], object | None],
        timeout: Callable[[], int],
    ):
        self.app = app
        self.applies = applies
        self.backend = backend
        self.timeout = timeout

    def _eligible(self, environ: dict) -> bool:
        return (
            environ.get("REQUEST_METHOD") in ("GET", "HEAD")
            and self.applies(environ.get("PATH_INFO", ""))
            and "HTTP_IF_NONE_MATCH" not in environ
            and "HTTP_IF_MODIFIED_SINCE" not in environ
        )

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if not self._eligible(environ):
            return self.app(environ, start_response)
        backend = self.backend()
        if backend is None:
            return self.app(environ, start_response)
        try:
            key = _key(environ)
        except StoreUnavailable:  # no generation to key by: Flask answers
            return self.app(environ, start_response)
        try:
            kept = backend.get(key)
        except Exception:  # noqa: BLE001 - a cache outage: Flask answers
            kept = None
        if kept is not None:
            return send_kept(kept, environ, start_response)
        return self._answer_and_keep(environ, start_response, backend, key)

    def _answer_and_keep(self, environ, start_response, backend, key):
        result, captured = call_capturing(self.app, environ, start_response)
        if not (
            environ.get(CACHEABLE)
            and environ["REQUEST_METHOD"] == "GET"
            and keepable(captured)
        ):
            return result
        body = finished_body(result)
        try:
            backend.set(key, kept_answer(captured, body), self.timeout())
        except Exception:  # noqa: BLE001 - not kept this time; answered all the same
            log.warning("response cache write failed")
        return [body]


# The machinery for keeping a finished answer and sending it again, shared with
# web.warm_callbacks (signed-in callback answers served the same way).


def call_capturing(
    app: Callable, environ: dict, start_response: Callable
) -> tuple[Iterable[bytes], dict]:
    """Run the WSGI `app`; also return the status and headers it started with."""
    captured: dict = {}

    def capture(status, headers, exc_info=None):
        captured["status"], captured["headers"] = status, headers
        return start_response(status, headers, exc_info)

    return app(environ, capture), captured


def keepable(captured: dict) -> bool:
    """A 200 answer that sets no cookie (a cookie is never handed to another)."""
    return captured.get("status", "").startswith("200") and not any(
        h.lower() == "set-cookie" for h, _ in captured["headers"]
    )


def finished_body(result: Iterable[bytes]) -> bytes:
    try:
        return b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()


def kept_answer(captured: dict, body: bytes) -> tuple[str, list, bytes]:
    """What is stored: status, headers (no cookie, no length) and body bytes."""
    headers = [
        (name, value)
        for name, value in captured["headers"]
        if name.lower() not in _NOT_KEPT_HEADERS
    ]
    return captured["status"], headers, body


def send_kept(kept, environ: dict, start_response: Callable) -> list[bytes]:  # noqa: ANN001
    """Answer with a kept (status, headers, body), exactly as Flask sent it."""
    status, headers, body = kept
    start_response(status, [*headers, ("Content-Length", str(len(body)))])
    return [b""] if environ["REQUEST_METHOD"] == "HEAD" else [body]
