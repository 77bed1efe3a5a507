"""Brotli at a lighter quality for Dash callback answers.

Flask-Compress compresses every answer with the algorithm it picks from the
request's Accept-Encoding, brotli at quality 4 included. A callback answer is made
afresh for each click (up to ~190 KB of JSON on /compare), so quality 4 cost about
2% of the CPU of the uncached first-load clicks; quality 2 costs half of that for
about 5% more bytes (81 -> 85 KB over the 21 clicks). Static files (the JavaScript
bundles a browser keeps for a year) keep Flask-Compress's quality.

Only the quality changes: the algorithm is the one Flask-Compress itself picks for
the request (its own choice function, over its own list), and an answer it would
not compress (not a 200, not JSON, too small, already encoded) is left to it. An
answer encoded here carries Content-Encoding, so Flask-Compress leaves it alone.
"""

from __future__ import annotations

import brotli
from flask import Flask, Response, request
from flask_compress import Compress
from flask_compress.flask_compress import _choose_algorithm

CALLBACK_BROTLI_QUALITY = 2


def _compress_extension(server: Flask) -> Compress | None:
    """The Flask-Compress instance Dash registered (its after_request hook)."""
    for hook in server.after_request_funcs.get(None, []):
        owner = getattr(hook, "__self__", None)
        if isinstance(owner, Compress):
            return owner
    return None


def init_callback_compression(server: Flask, path: str) -> None:
    """Register before any hook that reads a callback answer's bytes (after_request
    hooks run last-registered first, so this one runs after them)."""
    compress = _compress_extension(server)
    if compress is None:
        return  # compression is off: nothing to make lighter
    config = server.config

    @server.after_request
    def _compress_callback_answer(response: Response) -> Response:
        if (
            request.path != path
            or response.status_code != 200
            or response.direct_passthrough
            or response.is_streamed
            or "Content-Encoding" in response.headers
            or response.mimetype not in compress.compress_mimetypes_set
        ):
            return response
        # The size first: most answers of the first load are too small to compress
        # and need no reading of Accept-Encoding.
        data = response.get_data()
        if len(data) < config["COMPRESS_MIN_SIZE"]:
            return response
        accept = request.headers.get("Accept-Encoding", "")
        if _choose_algorithm(compress.enabled_algorithms, accept) != "br":
            return response
        response.set_data(
            brotli.compress(
                data,
                mode=config["COMPRESS_BR_MODE"],
                quality=CALLBACK_BROTLI_QUALITY,
                lgwin=config["COMPRESS_BR_WINDOW"],
                lgblock=config["COMPRESS_BR_BLOCK"],
            )
        )
        response.headers["Content-Encoding"] = "br"
        response.vary.add("Accept-Encoding")
        return response
