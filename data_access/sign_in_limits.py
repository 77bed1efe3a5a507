"""Sign-in limits that stop password guessing without locking out the real user.

The rule, for a sign-in as user name N from client address C (the real client
behind TRUSTED_PROXIES proxies), in windows of SIGNIN_WINDOW_SECONDS, with L =
SIGNIN_MAX_ATTEMPTS:

1. A browser that has signed in as N before carries a signed *known-browser* token
   for N (web/auth.py). Its attempts count only against (N, that browser): L
   failures per window. Nobody else's failures, however many, slow it down.
2. Any other attempt counts against
   - (N, C): L failures per window: one client guessing one account;
   - N: 4L failures per window from all clients without a known-browser token:
     many clients guessing one account. Strangers can trip this for a well-known
     name such as `admin`, but that only stops *new* browsers; the real admin's
     own browser goes by rule 1;
   - C, counting only failures against user names that exist: 4L per window, one
     client guessing many accounts; it then refuses every name from C. Failures
     with made-up names never spend it, so they cannot lock a real user out;
   - C's failures with names that do not exist: over 4L, every *wrong* attempt from
     C is refused as "too many" (a right password for a real account still signs
     in); refusing wrong attempts alike for every name keeps the answer from
     telling which names exist.
3. Check and record are one step: each attempt first adds itself to its counters
   (Redis INCR where REDIS_URL is set, else one INSERT ... ON CONFLICT DO UPDATE ...
   RETURNING in the store) and its password is checked only if every count is
   still within its limit; a right password takes its reservation back and clears
   (N, source). So concurrent guesses get at most L password checks.

`flask --app app unlock-user N` clears N's counters.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from dataclasses import dataclass
from urllib.parse import quote

from sqlalchemy import case, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite

import settings
from data_access import users
from data_access.db import session_scope
from data_access.models import SignInCounter
from data_access.redis_guard import SkipWhileDown

log = logging.getLogger(__name__)
REDIS_PREFIX = "vru:signin:"


@dataclass(frozen=True)
class Limits:
    attempts: int
    window: int

    @property
    def wide(self) -> int:
        return self.attempts * 4


@dataclass(frozen=True)
class Outcome:
    user: users.UserRecord | None
    too_many: bool


# ------------------------------------------------------------------ counters


class StoreCounters:
    """Counters in the store: each change is one atomic statement."""

    def add(self, key: str, delta: int, window: int) -> int:
        now = _utcnow()
        with session_scope() as session:
            if delta == 0:
                count = session.scalar(
                    select(SignInCounter.count).where(
                        SignInCounter.key == key, SignInCounter.expires_at > now
                    )
                )
                return count or 0
            dialect = (
                postgresql if session.bind.dialect.name == "postgresql" else sqlite
            )
            expires = now + dt.timedelta(seconds=window)
            stale = SignInCounter.expires_at <= now
            statement = (
                dialect.insert(SignInCounter)
                .values(key=key, count=max(delta, 0), expires_at=expires)
                .on_conflict_do_update(
                    index_elements=["key"],
                    set_={
                        "count": case(
                            (stale, max(delta, 0)),
                            else_=func.max(SignInCounter.count + delta, 0)
                            if dialect is sqlite
                            else func.greatest(SignInCounter.count + delta, 0),
                        ),
                        "expires_at": case(
                            (stale, expires), else_=SignInCounter.expires_at
                        ),
                    },
                )
                .returning(SignInCounter.count)
            )
            return session.scalar(statement)

    def forget(self, prefix: str) -> None:
        with session_scope() as session:
            session.execute(
                delete(SignInCounter).where(
                    func.substr(SignInCounter.key, 1, len(prefix)) == prefix
                )
            )


class RedisCounters:
    """Counters in Redis: SET NX with the window's expiry, then INCRBY, in one
    MULTI, so the first attempt of a window starts it and no count lives forever."""

    def __init__(self, url: str):
        import redis

        self.client = SkipWhileDown(
            redis.Redis.from_url(
                url,
                socket_timeout=settings.redis_timeout_seconds(),
                socket_connect_timeout=settings.redis_timeout_seconds(),
            )
        )

    def add(self, key: str, delta: int, window: int) -> int:
        full = REDIS_PREFIX + key
        if delta == 0:
            return int(self.client.get(full) or 0)
        pipe = self.client.pipeline(transaction=True)
        pipe.set(full, 0, ex=window, nx=True)
        pipe.incrby(full, delta)
        return max(int(self.client.guarded(pipe.execute)()[1]), 0)

    def forget(self, prefix: str) -> None:
        # Keys are quoted (web-safe), so only the glob's own characters matter.
        pattern = REDIS_PREFIX + prefix.replace("[", "\\[") + "*"
        for key in self.client.scan_iter(match=pattern, count=500):
            self.client.delete(key)


class Counters:
    """Redis where REDIS_URL is set, else the store; while Redis is unreachable the
    store counts, so the limits never switch off."""

    def __init__(self) -> None:
        url = settings.redis_url()
        self.store = StoreCounters()
        self.redis = _redis_counters(url) if url else None

    def add(self, key: str, delta: int, window: int) -> int:
        if self.redis is not None:
            try:
                return self.redis.add(key, delta, window)
            except Exception:  # noqa: BLE001 - any Redis failure: count in the store
                log.warning("sign-in limits: Redis unavailable, counting in the store")
        return self.store.add(key, delta, window)

    def forget(self, prefix: str, *, strict: bool = False) -> None:
        """Clear counts by prefix; with Redis down the counts expire by themselves,
        which is good enough after a sign-in but not for unlock-user (`strict`)."""
        self.store.forget(prefix)
        if self.redis is not None:
            try:
                self.redis.forget(prefix)
            except Exception:
                if strict:
                    raise
                log.warning("sign-in limits: Redis unavailable, counts left to expire")


@functools.cache
def _redis_counters(url: str) -> RedisCounters:
    return RedisCounters(url)


# ------------------------------------------------------------------ the rule


def _name(username: str) -> str:
    return quote(username, safe="")


def attempt(
    *,
    username: str,
    password: str,
    client: str,
    known_browser: str | None,
    limits: Limits,
) -> Outcome:
    """Sign in under the rule in the module docstring. `known_browser` is the id of
    a browser that has signed in as `username` before (None otherwise)."""
    counters = Counters()
    name = _name(username)
    candidate = users.sign_in_candidate(username)
    source = f"browser:{known_browser}" if known_browser else f"client:{client}"
    pair = f"pair:{name}:{source}"
    limited = {pair: limits.attempts}
    not_limited = []
    if known_browser is None:
        limited[f"user:{name}:"] = limits.wide
        if candidate is not None:
            limited[f"client:{client}"] = limits.wide
        else:
            not_limited.append(f"names:{client}")
    counts = {
        key: counters.add(key, 1, limits.window) for key in [*limited, *not_limited]
    }
    over = any(counts[key] > limit for key, limit in limited.items())
    if known_browser is None and candidate is None:
        # A client that has guessed real accounts too often is refused for any name.
        over = over or counters.add(f"client:{client}", 0, limits.window) > limits.wide
    if over:
        return Outcome(user=None, too_many=True)
    record = users.check_password(candidate, password)
    if record is not None:
        counters.forget(pair)
        for key in limited:
            if key != pair:
                counters.add(key, -1, limits.window)
        return Outcome(user=record, too_many=False)
    guessing_names = (
        known_browser is None
        and (
            counts.get(f"names:{client}")
            or counters.add(f"names:{client}", 0, limits.window)
        )
        > limits.wide
    )
    return Outcome(user=None, too_many=guessing_names)


def unlock(username: str) -> None:
    """Clear every count against this user name (the per-client counts of the
    clients that guessed it stay: they were guessing)."""
    counters = Counters()
    name = _name(username)
    counters.forget(f"pair:{name}:", strict=True)
    counters.forget(f"user:{name}:", strict=True)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
