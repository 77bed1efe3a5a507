"""Liveness and readiness, plus plain answers for errors (never a stack trace)."""

from __future__ import annotations

import logging

from flask import Blueprint, Flask, jsonify, request

from data_access import db
from data_access.errors import (
    AccessDenied,
    InvalidParameter,
    NotFound,
    StoreUnavailable,
)

blueprint = Blueprint("health", __name__)
log = logging.getLogger(__name__)


@blueprint.route("/healthz")
def healthz():
    """The process is up (no store access)."""
    return jsonify(status="ok")


@blueprint.route("/readyz")
def readyz():
    """The store answers; 503 otherwise, so a load balancer routes elsewhere."""
    if db.ping():
        return jsonify(status="ready")
    return jsonify(status="unavailable", reason="database unreachable"), 503


def plain_answer(status: int, message: str):
    """A refusal as JSON for callbacks and the API, else as a small HTML page."""
    wants_json = (
        request.path.startswith(("/_dash", "/api/"))
        or request.accept_mimetypes.best == "application/json"
    )
    if wants_json:
        return jsonify(error=message), status
    body = (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<title>VRU Outcomes Monitor</title>"
        "<link rel='stylesheet' href='/assets/00-bootstrap-5.3.9.min.css'></head>"
        f"<body><main class='container py-4'><h1>{message}</h1>"
        "<p><a href='/'>Go to the overview</a></p></main></body></html>"
    )
    return body, status, {"Content-Type": "text/html; charset=utf-8"}


def init_health(server: Flask) -> None:
    server.register_blueprint(blueprint)

    @server.errorhandler(AccessDenied)
    def _denied(error):
        return plain_answer(403, str(error) or "You do not have access to this.")

    @server.errorhandler(NotFound)
    def _not_found(error):
        return plain_answer(404, str(error))

    @server.errorhandler(InvalidParameter)
    def _invalid(error):
        return plain_answer(400, str(error))

    @server.errorhandler(StoreUnavailable)
    def _unavailable(_error):
        return plain_answer(
            503, "Data temporarily unavailable. Please try again shortly."
        )

    @server.errorhandler(500)
    def _internal(error):
        log.error("unhandled error: %s", getattr(error, "original_exception", error))
        return plain_answer(500, "Something went wrong. The error has been logged.")
