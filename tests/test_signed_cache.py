"""Nothing read from Redis is unpickled unless this app signed it
(web/signed_cache.py), and what it signed comes back exactly (DataFrames with
their dtypes and dates)."""

import datetime as dt
import pickle
import uuid

import numpy as np
import pandas as pd
import redis

from tests.conftest import service_url
from web.signed_cache import SignedSerializer


class _Planted:
    """What an attacker writes: unpickling it runs code (here, creates a file)."""

    def __init__(self, path: str):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "count": pd.array([1, 2, None], dtype="Int64"),
            "rate": [0.5, np.nan, 2.25],
            "area": ["E23000036", "E23000014", None],
            "month": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"]),
            "period_start": [dt.date(2024, 1, 1), dt.date(2024, 4, 1), None],
            "level": pd.Categorical(["pfa", "lad", "pfa"]),
            "flag": [True, False, True],
        }
    )


def test_what_the_app_signs_comes_back_exactly():
    serializer = SignedSerializer("secret")
    frame = _frame()
    back = serializer.loads(serializer.dumps(frame))
    pd.testing.assert_frame_equal(back, frame)
    assert list(back.dtypes) == list(frame.dtypes)
    assert serializer.loads(serializer.dumps(41)) == 41  # INCR-compatible integers
    assert serializer.loads(serializer.dumps((b"200 OK", [("a", "b")], b"x"))) == (
        b"200 OK",
        [("a", "b")],
        b"x",
    )


def test_a_planted_pickle_is_never_unpickled(tmp_path):
    serializer = SignedSerializer("secret")
    witness = tmp_path / "ran"
    planted = pickle.dumps(_Planted(str(witness)))
    forged_signature = b"\0" * 32
    for raw in (
        b"!" + planted,  # cachelib's own format
        b"!" + forged_signature + planted,
        SignedSerializer("another app's key").dumps(_Planted(str(witness))),
        b"not a number",
    ):
        assert serializer.loads(raw) is None
    assert not witness.exists()


def test_the_apps_redis_cache_ignores_values_written_by_anyone_else(
    tmp_path, monkeypatch
):
    url = service_url("TEST_REDIS_URL")
    from flask import Flask

    import settings
    from web import configure_server
    from web.shared_cache import cache

    monkeypatch.setenv("REDIS_URL", url)
    monkeypatch.setenv("CACHE_TYPE", "RedisCache")
    monkeypatch.setenv("SECRET_KEY", "signed-cache-test")
    server = Flask(f"signed-cache-{uuid.uuid4().hex}")
    configure_server(server)
    prefix = server.config["CACHE_KEY_PREFIX"]
    assert settings.redis_url() == url
    raw = redis.Redis.from_url(url)
    key = f"signed-test-{uuid.uuid4().hex}"
    witness = tmp_path / "ran"
    with server.app_context():
        backend = server.extensions["cache"][cache]
        backend.set(key, _frame())
        pd.testing.assert_frame_equal(backend.get(key), _frame())
        raw.set(prefix + key, b"!" + pickle.dumps(_Planted(str(witness))))
        assert backend.get(key) is None
    raw.delete(prefix + key)
    assert not witness.exists()
