"""Security headers on every response, set in one after_request hook."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, request

import settings


def init_security(server: Flask, *, script_hashes: Callable[[], list[str]]) -> None:
    """`script_hashes` is called per response: Dash adds inline scripts (its
    renderer, the pages title callback) only once it has served a request."""

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
        return response
