"""A Redis client wrapper for a hung or dead Redis: fail fast, not once per call."""

from __future__ import annotations

import time

import redis


class SkipWhileDown:
    """A Redis client that, after a connection error or timeout, fails at once for
    RETRY_SECONDS instead of waiting out the timeout on every call: with Redis hung,
    a page that makes ten cache calls then costs one timeout, not ten. Callers
    already treat a failing cache as a miss."""

    RETRY_SECONDS = 5.0

    def __init__(self, client):  # noqa: ANN001
        self._client = client
        self._down_until = 0.0

    def __getattr__(self, name: str):
        attribute = getattr(self._client, name)
        return self.guarded(attribute) if callable(attribute) else attribute

    def guarded(self, function):  # noqa: ANN001, ANN201
        """`function` (a call that talks to Redis, e.g. a pipeline's execute)
        under the same rule."""

        def call(*args, **kwargs):
            if time.monotonic() < self._down_until:
                raise redis.ConnectionError("Redis failed a moment ago; not waiting")
            try:
                return function(*args, **kwargs)
            except (redis.ConnectionError, redis.TimeoutError):
                self._down_until = time.monotonic() + self.RETRY_SECONDS
                raise

        return call
