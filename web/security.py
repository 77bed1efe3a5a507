"""Security headers on every response, set in one after_request hook; no cookie on
an answer that shared caches may keep."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

import settings

# Files that are the same for everyone (their own Cache-Control stands even when the
# visitor is signed in).
STATIC_PREFIXES = ("/assets/", "/_dash-component-suites/", "/_favicon.ico")


class NoCookieOnPublicAnswers(SecureCookieSessionInterface):
    """A session cookie on an answer marked `public` would be kept by shared caches
    and handed to every later visitor, and it marks the answer as per-visitor
    anyway. Such answers (embeds, the open data API, static files) never carry one;
    the session is saved on the visitor's next private answer instead."""

    def save_session(self, app, session, response):  # noqa: ANN001, ANN201
        if response.cache_control.public:
            return None
        return super().save_session(app, session, response)


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


def _signed_in_answer() -> bool:
    return not request.path.startswith(STATIC_PREFIXES) and getattr(
        current_user, "is_authenticated", False
    )


def init_security(server: Flask, *, script_hashes: Callable[[], list[str]]) -> None:
    """`script_hashes` is called per response: Dash adds inline scripts (its
    renderer, the pages title callback) only once it has served a request."""

    server.session_interface = NoCookieOnPublicAnswers()

    @server.after_request
    def _headers(response):
        hashes = " ".join(script_hashes())
        embed = request.path.startswith("/embed/")
        ancestors = settings.embed_frame_ancestors() if embed else "'none'"
        response.headers["Content-Security-Policy"] = "; ".join(
            [
                "default-src 'self'",
                f"script-src 'self' {hashes}".strip(),
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
        if not embed:
            response.headers["X-Frame-Options"] = "DENY"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
        response.headers["Permissions-Policy"] = (
            "camera=(), microphone=(), geolocation=()"
        )
        if settings.https():
            response.headers["Strict-Transport-Security"] = (
                "max-age=31536000; includeSubDomains"
            )
        response.headers.pop("Server", None)
        if _signed_in_answer() and not response.cache_control.public:
            # Per-person answers: never kept by the browser or anything between.
            response.headers["Cache-Control"] = "private, no-store"
        return response
