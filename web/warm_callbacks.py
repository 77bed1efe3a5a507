"""Repeated signed-in callback answers, served in front of Flask with one cache read.

web.view_cache answers a repeated click from the shared cache, but only after
Flask's request machinery and the sign-in gate have run: the signed-in user is read
from the store on every request. This WSGI middleware answers the same requests
before any of that, with one round trip to the cache (MGET of three keys), when it can
decide for itself that Flask would send exactly the answer it holds; anything else
goes to Flask unchanged.

What is checked, in this order (any "no" means Flask answers):
1. The request: POST to Dash's callback path, no query string, a JSON body of a
   stated length (Content-Type application/json, not chunked).
2. The session cookie, verified exactly as Flask does it: the app's own session
   interface's signing serializer (SECRET_KEY and its fallbacks, salt, digest) and
   max age (PERMANENT_SESSION_LIFETIME). Nothing unsigned is trusted. It must name
   a user and session version ("id:version", web.auth.SignedInUser.get_id), be
   neither permanent nor carry a remember-me instruction (Flask would then send a
   cookie back), and, when Flask-Login's session protection is on, carry the
   identifier of this client (address and user agent) that Flask-Login would
   compute: a mismatch makes Flask-Login change the session, so Flask answers.
   A cookie verified this way is remembered by the process for
   SESSION_MEMO_SECONDS (60 s), keyed by the exact Cookie header, address and
   user agent, and never past its max age (checked on every click); a change of
   secret key, max age, cookie name or session protection verifies it again.
   It proves only what the cookie's text proves; who the user is now is the
   access record's question (3), asked on every click.
3. The *access record* of that user (`warm:access:<id>`): the session version and
   access (role, areas, workstream: what web.view_cache keys on) that the full
   sign-in gate found for them, written by the Flask path whenever it answers a
   cacheable callback and kept ACCESS_SECONDS (5 s). The session's version must be
   the recorded one.
4. The *answer* kept for this session, store generation, Accept-Encoding and exact
   body (`warm:answer:v2:<sha256>`): the status, headers and bytes Flask sent for
   it, and the access it was built for, which must equal the access record's.
   An answer that depends on who asks (a per_user callback of web.view_cache:
   the user's own saved comparator groups) also holds the user's stamp it was
   built under, which must still be the user's stamp (`warm:user-stamp:<id>`,
   read in the same MGET): a change to that data sets a new stamp.
All values are signed by the app like every cache value (web.signed_cache).

Why it is safe:
- A kept answer is only ever one that Flask itself sent with status 200, without a
  cookie, for a request web.view_cache would cache (registered read-only callback,
  no saved comparator group, the store answered): view_cache marks the request
  (`KEEP`), and drops the mark when it does not keep the answer. The same headers
  (security headers, Cache-Control, Vary, Content-Encoding) go out again.
- Sign-out, disabling an account, a role change or a password reset raise the
  user's session version (data_access.users) and, on the process that does it,
  delete their access record at once (the users.on_sessions_ended hook). A change
  the hook cannot reach (the cache down at that moment, a script without the app,
  a request that read the user just before the change and writes the record just
  after it) holds for at most ACCESS_SECONDS on every process: after that the
  record is gone and the next click passes the full sign-in gate.
- Keys hold the store generation as this process last read it
  (data_access.cache.shared_generation, at most 2 s old), as web.response_cache's
  do: after an import or approval another process stops serving older answers
  within 2 s; the process that wrote, at once.
- A per-user answer is kept only on a cache every process shares (Redis), so a
  new stamp reaches every process at once; see web.view_cache.forget_user_answers.
- A cache outage, a missing value or any failure here means Flask answers.
"""

from __future__ import annotations

import hashlib
import io
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import flask
from flask import Flask
from flask_caching.backends.nullcache import NullCache
from flask_login import LoginManager
from werkzeug.http import parse_cookie

from data_access import users
from data_access.cache import shared_generation
from data_access.errors import StoreUnavailable
from web.response_cache import (
    call_capturing,
    finished_body,
    keepable,
    kept_answer,
    send_kept,
)

log = logging.getLogger(__name__)

# How long the sign-in gate's verdict on a user is trusted without asking the store.
ACCESS_SECONDS = 5
ACCESS_PREFIX = "warm:access:"
# v2: (access, user stamp, status, headers, body); a process of the release before
# (which kept (access, status, headers, body)) never reads these.
ANSWER_PREFIX = "warm:answer:v2:"
# A user's stamp (see web.view_cache.forget_user_answers): answers kept per user
# are served only while it is the one they were built under.
USER_STAMP_PREFIX = "warm:user-stamp:"
# Set by web.view_cache (in the WSGI environ) on a request whose answer may be kept.
KEEP = "vru.warm_keep"
# Callback bodies are small; a larger one is left to Flask (and its size limit).
MAX_BODY_BYTES = 256 * 1024
# How long a verified session cookie is remembered by a process (never past its
# own max age), and how many at most: a signed-in user's clicks then cost one
# signature check a minute, not one each.
SESSION_MEMO_SECONDS = 60
SESSION_MEMO_ENTRIES = 2048


@dataclass(frozen=True)
class Keep:
    """Who the Flask path answered, as its sign-in gate found them."""

    user_id: int
    session_version: int
    access: str
    generation: str
    # For an answer that depends on who asks (their own saved data): the user's
    # stamp read before it was built; None for an answer shared by an access.
    stamp: str | None = None


def access_key(user_id: int) -> str:
    return f"{ACCESS_PREFIX}{user_id}"


def user_stamp_key(user_id: int) -> str:
    return f"{USER_STAMP_PREFIX}{user_id}"


def answer_key(
    user_id: int, session_version: int, generation: str, environ: dict, body: bytes
) -> str:
    # The exact Accept-Encoding: Flask-Compress picks an encoding from it.
    encoding = environ.get("HTTP_ACCEPT_ENCODING", "")
    digest = hashlib.sha256(
        f"{user_id}:{session_version}\0{generation}\0{encoding}\0".encode()
    )
    digest.update(body)
    return ANSWER_PREFIX + digest.hexdigest()


def _young(signed_at: int, rules: tuple) -> bool:
    """itsdangerous's max age test (whole seconds, not from the future)."""
    return 0 <= int(time.time()) - signed_at <= rules[2]


def client_identifier(environ: dict) -> str:
    """Flask-Login's session identifier (flask_login.utils._create_identifier:
    sha512 of the first X-Forwarded-For address, else the remote address, and the
    user agent), computed from the environ without a request context."""
    address = environ.get("HTTP_X_FORWARDED_FOR", environ.get("REMOTE_ADDR"))
    if address is not None:
        address = address.encode("utf-8").split(b",")[0].strip()
    user_agent = environ.get("HTTP_USER_AGENT")
    if user_agent is not None:
        user_agent = user_agent.encode("utf-8")
    return hashlib.sha512(f"{address}|{user_agent}".encode()).hexdigest()


def _json_body(environ: dict) -> bytes | None:
    """The request body when it is a JSON body of a stated, modest length; the
    input stream is replaced by the bytes read, so Flask reads them again."""
    mimetype = environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
    if mimetype != "application/json" or "HTTP_TRANSFER_ENCODING" in environ:
        return None
    try:
        length = int(environ.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None
    if not 0 < length <= MAX_BODY_BYTES:
        return None
    body = environ["wsgi.input"].read(length)
    environ["wsgi.input"] = io.BytesIO(body)
    return body if len(body) == length else None


class WarmCallbacks:
    """WSGI middleware answering kept signed-in callback answers (see above).

    `backend` returns the cachelib backend (or None when caching is off) and
    `timeout` the seconds a kept answer lives; both are called per use."""

    def __init__(
        self,
        app: Callable,
        *,
        server: Flask,
        login_manager: LoginManager,
        path: str,
        backend: Callable[[], object | None],
        timeout: Callable[[], int],
    ):
        self.app = app
        self.server = server
        self.login_manager = login_manager
        self.path = path
        self.backend = backend
        self.timeout = timeout
        # Verified session cookies (see session_user): {key: (user, signed at,
        # rules verified under, remembered until)}.
        self._sessions: dict[tuple, tuple] = {}

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if (
            environ.get("REQUEST_METHOD") != "POST"
            or environ.get("PATH_INFO") != self.path
            or environ.get("QUERY_STRING")
        ):
            return self.app(environ, start_response)
        backend = self.backend()
        if backend is None or isinstance(backend, NullCache):
            # Caching is off: nothing is kept, so nothing to read the body for.
            return self.app(environ, start_response)
        body = kept = None
        try:
            body = _json_body(environ)
            if body is not None:
                kept = self._kept(environ, body, backend)
        except Exception:  # noqa: BLE001 - a cache outage or anything odd: Flask answers
            log.debug("warm callbacks: answered by Flask", exc_info=True)
        if kept is not None:
            return send_kept(kept, environ, start_response)
        if body is None:
            return self.app(environ, start_response)
        return self._answer_and_keep(environ, start_response, backend, body)

    def session_user(self, environ: dict) -> tuple[int, int] | None:
        """(user id, session version) of a session Flask-Login would accept as it
        is, without changing it; None for anything else.

        A session verified here is remembered (SESSION_MEMO_SECONDS, keyed by the
        exact Cookie header, client address and user agent), since verifying it
        costs more than the rest of a warm answer together. What is remembered is
        only what the cookie's text itself proves: its signature, its contents and
        when it was signed. Its age is checked against the max age on every use, and
        a change of secret key, max age, cookie name or session protection mode
        makes every remembered session be verified again. Whether the user may
        still sign in is not remembered here: the access record answers that on
        every click (see above)."""
        cookies = environ.get("HTTP_COOKIE")
        if not cookies:
            return None
        rules = self._session_rules()
        if rules is None:
            return None
        key = (
            cookies,
            environ.get("HTTP_X_FORWARDED_FOR"),
            environ.get("REMOTE_ADDR"),
            environ.get("HTTP_USER_AGENT"),
        )
        now = time.monotonic()
        remembered = self._sessions.get(key)
        if remembered is not None:
            user, signed_at, verified_under, until = remembered
            if now < until and verified_under == rules and _young(signed_at, rules):
                return user
            self._sessions.pop(key, None)
        verified = self._verified_session(environ, cookies, rules)
        if verified is None:
            return None
        user, signed_at = verified
        self._remember(key, (user, signed_at, rules, now + SESSION_MEMO_SECONDS))
        return user

    def _session_rules(self) -> tuple | None:
        """What decides whether a cookie is a session Flask accepts unchanged
        (None without a secret key: Flask then has no sessions)."""
        server = self.server
        if not server.secret_key:
            return None
        return (
            server.secret_key,
            tuple(server.config.get("SECRET_KEY_FALLBACKS") or ()),
            int(server.permanent_session_lifetime.total_seconds()),
            server.session_interface.get_cookie_name(server),
            server.config.get(
                "SESSION_PROTECTION", self.login_manager.session_protection
            ),
        )

    def _remember(self, key: tuple, entry: tuple) -> None:
        sessions = self._sessions
        while len(sessions) >= SESSION_MEMO_ENTRIES:
            try:  # the oldest first (dicts keep insertion order)
                del sessions[next(iter(sessions))]
            except (KeyError, RuntimeError, StopIteration):  # another thread's turn
                break
        sessions[key] = entry

    def _verified_session(
        self, environ: dict, cookies: str, rules: tuple
    ) -> tuple[tuple[int, int], int] | None:
        """((user id, session version), when signed) of a session cookie verified
        exactly as Flask does it, or None."""
        server = self.server
        _secret, _fallbacks, _max_age, cookie_name, mode = rules
        value = parse_cookie(cookies).get(cookie_name)
        if not value:
            return None
        verified = server.session_interface.verified(server, value)
        if verified is None:
            return None
        data, signed_at = verified
        if not isinstance(data, dict) or data.get("_permanent") or "_remember" in data:
            return None
        if mode in ("basic", "strong") and data.get("_id") != client_identifier(
            environ
        ):
            return None
        session_id = data.get("_user_id")
        if not isinstance(session_id, str):
            return None
        try:
            user_id, version = (int(part) for part in session_id.split(":"))
        except ValueError:
            return None
        return (user_id, version), signed_at

    def _kept(self, environ: dict, body: bytes, backend) -> tuple | None:  # noqa: ANN001
        user = self.session_user(environ)
        if user is None:
            return None
        try:
            generation = shared_generation()
        except StoreUnavailable:
            return None
        user_id, version = user
        record, stamp, answer = backend.get_many(
            access_key(user_id),
            user_stamp_key(user_id),
            answer_key(user_id, version, generation, environ, body),
        )
        if (
            not isinstance(record, tuple)
            or not isinstance(answer, tuple)
            or record != (version, answer[0])
        ):
            return None
        if answer[1] is not None and answer[1] != stamp:
            return None  # the user's own data changed since it was built
        return answer[2:]

    def _answer_and_keep(self, environ, start_response, backend, request_body):  # noqa: ANN001
        result, captured = call_capturing(self.app, environ, start_response)
        keep = environ.get(KEEP)
        if not isinstance(keep, Keep) or not keepable(captured):
            return result
        body = finished_body(result)
        try:
            key = answer_key(
                keep.user_id,
                keep.session_version,
                keep.generation,
                environ,
                request_body,
            )
            backend.set(
                key,
                (keep.access, keep.stamp, *kept_answer(captured, body)),
                self.timeout(),
            )
            backend.set(
                access_key(keep.user_id),
                (keep.session_version, keep.access),
                ACCESS_SECONDS,
            )
        except Exception:  # noqa: BLE001 - not kept this time; answered all the same
            log.debug("warm callbacks: an answer was not kept", exc_info=True)
        return [body]


def forget_user(user_id: int) -> None:
    """Delete a user's access record, so the next click passes the sign-in gate
    (called by data_access.users when their sessions end)."""
    if not flask.has_app_context():
        return  # no cache to reach: the record expires within ACCESS_SECONDS
    from web.shared_cache import cache

    if "cache" not in flask.current_app.extensions:
        return
    try:
        cache.delete(access_key(user_id))
    except Exception:  # noqa: BLE001 - the record expires within ACCESS_SECONDS
        log.warning("warm callbacks: could not drop the access record of a user")


def init_warm_callbacks(server: Flask, login_manager: LoginManager, path: str) -> None:
    from web.shared_cache import cache

    users.on_sessions_ended(forget_user)
    server.wsgi_app = WarmCallbacks(
        server.wsgi_app,
        server=server,
        login_manager=login_manager,
        path=path,
        backend=lambda: server.extensions.get("cache", {}).get(cache),
        timeout=lambda: server.config["CACHE_DEFAULT_TIMEOUT"],
    )
