"""The Redis cache backend, with every pickled value signed by the app.

cachelib's Redis backend stores values as pickles and unpickles whatever it reads:
anyone able to write to that Redis could run code in every worker. Here each value
carries an HMAC-SHA256 of its bytes under a key derived from SECRET_KEY, checked in
constant time *before* anything is unpickled; a value without a valid signature is
a cache miss (and logged). Pickle is kept for what it does well: DataFrames come
back exactly, dtypes and dates included.

It also stops a hung Redis from costing every cache call its timeout: after one
failure Redis is skipped for a few seconds (data_access.redis_guard).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import pickle
from typing import Any

from cachelib.serializers import RedisSerializer
from flask import Flask
from flask_caching.backends.rediscache import RedisCache

from data_access.redis_guard import SkipWhileDown

log = logging.getLogger(__name__)
PICKLED = b"!"  # cachelib's marker; integers stay plain ASCII for INCR/DECR
SIGNATURE_BYTES = hashlib.sha256().digest_size


class SignedSerializer(RedisSerializer):
    def __init__(self, secret: str | bytes):
        secret = secret.encode() if isinstance(secret, str) else secret
        # A key of its own, so a cache signature is never valid as anything else.
        self._key = hashlib.sha256(b"vru-cache-signature\0" + secret).digest()

    def _sign(self, payload: bytes) -> bytes:
        return hmac.new(self._key, payload, hashlib.sha256).digest()

    def dumps(self, value: Any, protocol: int = pickle.HIGHEST_PROTOCOL) -> bytes:
        if type(value) is int:  # bool is an int subclass: pickled and signed
            return str(value).encode("ascii")
        payload = pickle.dumps(value, protocol)
        return PICKLED + self._sign(payload) + payload

    def loads(self, value: bytes | None) -> Any:
        if value is None:
            return None
        if not value.startswith(PICKLED):
            try:
                return int(value)
            except ValueError:
                log.warning("cache: a value that is neither signed nor a number")
                return None
        signature = value[1 : 1 + SIGNATURE_BYTES]
        payload = value[1 + SIGNATURE_BYTES :]
        if not hmac.compare_digest(signature, self._sign(payload)):
            log.warning("cache: a value with a bad signature was ignored")
            return None
        return pickle.loads(payload)  # noqa: S301 - signed by this app


class SignedRedisCache(RedisCache):
    """Flask-Caching's RedisCache with SignedSerializer, skipping Redis for a few
    seconds after it fails (CACHE_TYPE=RedisCache selects this one; see
    web.configure_server)."""

    @classmethod
    def factory(cls, app: Flask, config: dict, args: list, kwargs: dict):
        backend = super().factory(app, config, args, kwargs)
        backend.serializer = SignedSerializer(app.config["SECRET_KEY"])
        client = SkipWhileDown(backend._write_client)
        backend._write_client = backend._read_client = client
        return backend
