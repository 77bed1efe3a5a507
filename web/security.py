"""Security headers on every response, set in one after_request hook; no cookie on
an answer that shared caches may keep."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable

from dash.exceptions import DependencyException
from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user
from itsdangerous import BadSignature, TimestampSigner
from werkzeug.middleware.proxy_fix import ProxyFix

import settings
from data_access.cache import private_copy
from web.health import plain_answer

# Files that are the same for everyone (their own Cache-Control stands even when the
# visitor is signed in).
STATIC_PREFIXES = ("/assets/", "/_dash-component-suites/", "/_favicon.ico")


# itsdangerous's clock (whole seconds), which its own age test reads.
_SIGNER_CLOCK = TimestampSigner(b"clock only").get_timestamp
# How many verified session cookies a process remembers (a few hundred bytes each).
VERIFIED_COOKIES_KEPT = 4096


_SCALARS = (str, bool, int, float, type(None))


def _copier(data: dict) -> Callable[[], dict]:
    """What hands out private copies of a verified session's data: a session of
    text and numbers (every session this app writes) is copied by dict.copy,
    anything else by data_access.cache.private_copy, as before."""
    if type(data) is dict and all(
        type(key) is str and type(value) in _SCALARS for key, value in data.items()
    ):
        return dict(data).copy
    return functools.partial(private_copy, data)


class NoCookieOnPublicAnswers(SecureCookieSessionInterface):
    """A session cookie on an answer marked `public` would be kept by shared caches
    and handed to every later visitor, and it marks the answer as per-visitor
    anyway. Such answers (embeds, the open data API, static files) never carry one;
    the session is saved on the visitor's next private answer instead.

    A visitor sends the same cookie with every request until it changes, and
    checking its signature and decoding it (two HMACs, base64, zlib, JSON) cost a
    noticeable share of a small answer's CPU. So each cookie once verified is
    remembered with what it held and when it was signed: the same bytes under the
    same keys verify the same way, and the age limit is still checked at every
    request exactly as itsdangerous checks it."""

    def __init__(self):
        # {(keys, cookie): (signed at, data, a maker of private copies of data)}
        self._verified: dict[tuple, tuple[int, dict, Callable[[], dict]]] = {}
        self._verified_lock = threading.Lock()

    def open_session(self, app, request):  # noqa: ANN001, ANN201
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not app.secret_key or not cookie:
            return super().open_session(app, request)
        kept = self._kept(app, cookie)
        if kept is None:
            return self.session_class()
        return self.session_class(kept[2]())

    def verified(self, app: Flask, cookie: str) -> tuple[dict, int] | None:
        """What the session cookie `cookie` holds and when it was signed (whole
        seconds) if Flask would accept it now (signature under the app's keys, age
        within its lifetime), else None. The dict is the remembered one: callers
        must not change it."""
        kept = self._kept(app, cookie)
        return None if kept is None else (kept[1], kept[0])

    def _kept(self, app: Flask, cookie: str) -> tuple | None:
        """The remembered (signed at, data, copier) of `cookie` if Flask would
        accept it now (see verified)."""
        max_age = int(app.permanent_session_lifetime.total_seconds())
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        kept = self._verified.get((keys, cookie))
        if kept is None:
            serializer = self.get_signing_serializer(app)
            if serializer is None:  # no secret key: no cookie is trusted
                return None
            try:
                data, signed_at = serializer.loads(
                    cookie, max_age=max_age, return_timestamp=True
                )
            except BadSignature:  # expired included
                return None
            kept = (int(signed_at.timestamp()), data, _copier(data))
            with self._verified_lock:
                if len(self._verified) >= VERIFIED_COOKIES_KEPT:
                    self._verified.clear()
                self._verified[(keys, cookie)] = kept
        # itsdangerous's age test (TimestampSigner.unsign), by its own clock.
        age = _SIGNER_CLOCK() - kept[0]
        if age > max_age or age < 0:
            return None
        return kept

    def save_session(self, app, session, response):  # noqa: ANN001, ANN201
        if public_answer(response):
            return None
        if session and not self.should_set_cookie(app, session):
            # What Flask's save_session does with a session that is neither
            # empty nor to be sent again (a signed-in click's), without first
            # reading the seven cookie settings it would not use.
            if session.accessed:
                response.vary.add("Cookie")
            return None
        return super().save_session(app, session, response)


def public_answer(response) -> bool:  # noqa: ANN001
    """response.cache_control.public, without parsing a Cache-Control header
    that cannot say `public`: none (most answers until _headers sets one) or one
    without the word (the "private, no-store" _headers sets)."""
    value = response.headers.get("Cache-Control")
    if not value or "public" not in value.lower():
        return False
    return bool(response.cache_control.public)


class TrustedProxies:
    """werkzeug's ProxyFix for TRUSTED_PROXIES proxies (read per request): the
    client address the sign-in and API limits count by is the one the nearest
    trusted proxy saw. With 0, X-Forwarded-For is ignored, since anyone can send it.
    """

    def __init__(self, app: Callable):
        self.app = app
        self._fixed: dict[int, ProxyFix] = {}

    def __call__(self, environ: dict, start_response: Callable):
        count = settings.trusted_proxies()
        if count <= 0:
            return self.app(environ, start_response)
        if count not in self._fixed:
            self._fixed[count] = ProxyFix(self.app, x_for=count, x_proto=count)
        return self._fixed[count](environ, start_response)


# What a request may carry before any view sees it. PostgreSQL refuses NUL in
# text (psycopg raises DataError), and nothing in this app has a use for it, so a
# NUL anywhere is refused here for every entry point at once.
MAX_QUERY_STRING_BYTES = 4096


def _holds_nul(value) -> bool:  # noqa: ANN001
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    return False


def _may_hold_nul(raw_json: bytes) -> bool:
    """Whether a JSON body can decode to text holding a NUL. JSON can carry one
    only as the escape \\u0000 (a raw control character is invalid JSON) or, in
    UTF-16 or UTF-32 bodies (json.loads reads those too), next to NUL bytes; a body
    with neither holds none, which one search of the bytes in C tells instead of a
    walk of every decoded value on every callback."""
    return b"\x00" in raw_json or b"\\u0000" in raw_json


def _well_formed_callback(body) -> bool:  # noqa: ANN001
    """The shape Dash's renderer sends: a text output and lists of
    {id, property, ...} inputs and state (Dash itself fails with a 500 otherwise)."""
    if not isinstance(body, dict) or not isinstance(body.get("output"), str):
        return False
    for part in ("inputs", "state"):
        items = body.get(part, [])
        if not isinstance(items, list):
            return False
        for item in items:
            # Pattern-matching callbacks send a list of such dicts per input.
            for entry in item if isinstance(item, list) else [item]:
                if not isinstance(entry, dict) or not {"id", "property"} <= set(entry):
                    return False
    return isinstance(body.get("outputs"), dict | list)


def _input_refusal() -> tuple[int, str] | None:
    query = request.query_string
    if len(query) > MAX_QUERY_STRING_BYTES:
        return 414, "The address is too long."
    # No query string, no arguments (a callback's POST has none).
    if query and _holds_nul(request.args.to_dict(flat=False)):
        return 400, "The address holds a character that is not allowed (NUL)."
    if request.method == "POST":
        if request.mimetype in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            if _holds_nul(request.form.to_dict(flat=False)):
                return 400, "A form field holds a character that is not allowed (NUL)."
    return None


def refuse_malformed_callback():
    """A 400 for a callback body Dash would fail on, or one holding a NUL; None
    for a good one. The sign-in gate calls it once it lets a callback through, so
    a signed-out caller learns nothing but "sign in"."""
    body = request.get_json(silent=True)
    if not _well_formed_callback(body):
        return plain_answer(400, "The request is not a well-formed callback.")
    if _may_hold_nul(request.get_data(cache=True)) and _holds_nul(body):
        return plain_answer(400, "A value holds a character that is not allowed (NUL).")
    return None


def _refuse_hostile_input():
    refusal = _input_refusal()
    if refusal is None:
        return None
    return plain_answer(*refusal)


def _signed_in_answer() -> bool:
    return not request.path.startswith(STATIC_PREFIXES) and getattr(
        current_user, "is_authenticated", False
    )


def init_security(server: Flask, *, script_hashes: Callable[[], list[str]]) -> None:
    """`script_hashes` is called per response: Dash adds inline scripts (its
    renderer, the pages title callback) only once it has served a request."""

    server.session_interface = NoCookieOnPublicAnswers()
    # First of the request hooks (after Dash's set-up): no view, sign-in or cache
    # lookup sees what is refused here.
    server.before_request_funcs.setdefault(None, []).insert(0, _refuse_hostile_input)

    @server.errorhandler(DependencyException)
    def _unknown_component_file(_error):
        return plain_answer(404, "There is no such file.")

    @server.after_request
    def _headers(response):
        embed = request.path.startswith("/embed/")
        ancestors = settings.embed_frame_ancestors() if embed else "'none'"
        headers = response.headers
        headers["Content-Security-Policy"] = content_security_policy(
            tuple(script_hashes()), ancestors
        )
        if not embed:
            headers["X-Frame-Options"] = "DENY"
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if settings.https():
            headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        headers.pop("Server", None)
        if _signed_in_answer() and not public_answer(response):
            # Per-person answers: never kept by the browser or anything between.
            headers["Cache-Control"] = "private, no-store"
        return response


@functools.lru_cache(maxsize=64)
def content_security_policy(hashes: tuple[str, ...], ancestors: str) -> str:
    """The Content-Security-Policy of an answer: the inline scripts' hashes and
    who may frame it. A function of these two alone, so each text is built once."""
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' {' '.join(hashes)}".strip(),
            # Plotly and Dash components set inline styles at run time.
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            f"frame-ancestors {ancestors}",
        ]
    )
