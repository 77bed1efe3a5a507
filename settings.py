"""Every environment variable the app reads, in one place.

Each setting has a comment saying why it exists and a fallback that is logged, so an
operator can see from the log which defaults a process is running on. The README's
configuration table mirrors this module.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
from pathlib import Path

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_DIR", PROJECT_ROOT / "instance"))


_LOGGED_FALLBACKS: set[str] = set()


def _env(name: str, default: str | None, *, why: str) -> str | None:
    value = os.environ.get(name)
    if value is None or value == "":
        # Settings are read per request; say which defaults are in force once.
        if default is not None and name not in _LOGGED_FALLBACKS:
            _LOGGED_FALLBACKS.add(name)
            log.info("%s not set; using default (%s)", name, why)
        return default
    return value


def database_url() -> str:
    """SQLAlchemy URL of the store: SQLite file under instance/ unless DATABASE_URL."""
    default = f"sqlite:///{INSTANCE_DIR / 'vru.sqlite3'}"
    url = _env("DATABASE_URL", default, why="embedded SQLite demo store")
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy 2 wants a driver name.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://") :]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def redis_url() -> str | None:
    """Shared cache for several workers/hosts; without it each process caches alone."""
    return _env("REDIS_URL", None, why="no shared cache")


def cache_type() -> str:
    """Flask-Caching backend class name; RedisCache when REDIS_URL is set."""
    default = "RedisCache" if redis_url() else "SimpleCache"
    return _env("CACHE_TYPE", default, why="derived from REDIS_URL")


def cache_timeout() -> int:
    """Seconds a cached query or embed stays fresh (also the embed max-age)."""
    return int(_env("CACHE_TIMEOUT", "300", why="five minutes"))


def as_at() -> dt.date | None:
    """The app's "today" for its business rules (which returns are due and late):
    VRU_AS_AT=YYYY-MM-DD fixes it for a demonstration or a test; unset means the
    calendar date (data_access.clock.today)."""
    value = _env("VRU_AS_AT", None, why="today's date")
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(
            f"VRU_AS_AT must be a date like 2026-11-30, not {value!r}"
        ) from None


def demo_mode() -> bool:
    """Demo mode (the default for `make run`) may generate and keep its own secret."""
    return _env("VRU_DEMO", "1", why="demo mode on") not in {"0", "false", "no"}


def secret_key() -> str:
    """Signs sessions and CSRF tokens. Required outside the demo; in the demo it is
    generated once and kept in instance/ so sessions survive restarts and are shared
    by every worker on the host."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if not demo_mode():
        raise RuntimeError("SECRET_KEY must be set when VRU_DEMO=0")
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        tmp.write_text(secrets.token_hex(32))
        tmp.chmod(0o600)
        os.replace(tmp, path)
        log.info("generated a demo SECRET_KEY in %s", path)
    return path.read_text().strip()


def embed_frame_ancestors() -> str:
    """CSP frame-ancestors for /embed/* only; every other page refuses framing."""
    return _env("EMBED_FRAME_ANCESTORS", "*", why="embeds may be framed anywhere")


def sign_in_attempts_per_window() -> int:
    """Failed sign-ins allowed per (user name, client) within the window; a user
    name and a client get four times as many (data_access/sign_in_limits.py)."""
    return int(_env("SIGNIN_MAX_ATTEMPTS", "5", why="five attempts"))


def sign_in_window_seconds() -> int:
    return int(_env("SIGNIN_WINDOW_SECONDS", "900", why="fifteen minutes"))


def trusted_proxies() -> int:
    """How many proxies (load balancers) in front of the app append to
    X-Forwarded-For. The client address used by the sign-in and API limits is the
    one they saw; with 0 the header is ignored, since anyone can send it."""
    return int(_env("TRUSTED_PROXIES", "0", why="no proxy in front"))


def redis_timeout_seconds() -> float:
    """Connect and read timeout for Redis: a hung Redis must cost each request
    milliseconds (then it answers uncached), not seconds."""
    return float(_env("REDIS_TIMEOUT_SECONDS", "0.25", why="a quarter second"))


def upload_max_bytes() -> int:
    """Largest return file accepted (bytes)."""
    return int(_env("UPLOAD_MAX_BYTES", str(10 * 1024 * 1024), why="10 MB"))


def https() -> bool:
    """Behind HTTPS: Secure cookies and HSTS."""
    return _env("VRU_HTTPS", "0", why="plain HTTP on localhost") in {"1", "true", "yes"}


def api_rate_limit() -> str:
    """Requests per client per period for /api/v1 (Flask-Limiter syntax); counted in
    Redis when REDIS_URL is set, else per process."""
    return _env("API_RATE_LIMIT", "120/minute", why="120 requests a minute")


# ---------------------------------------------------------- exceptions and alerts


def alert_rules_after_commit() -> str:
    """ "thread": after each approval and ONS import commits, the exception rules
    run in a background thread of the same process (the request does not wait);
    "off": only `flask --app app run-rules` (the scheduled run) runs them."""
    value = _env("ALERT_RULES_AFTER_COMMIT", "thread", why="rules run after commit")
    if value not in ("thread", "off"):
        raise ValueError(
            f"ALERT_RULES_AFTER_COMMIT must be thread or off, not {value!r}"
        )
    return value


def alert_underspend_share() -> float:
    """A forecast underspend becomes an exception when it exceeds this share of the
    year's grant (0.05: more than 5% of the grant would be repaid)."""
    return float(_env("ALERT_UNDERSPEND_SHARE", "0.05", why="5% of the grant"))


def app_base_url() -> str:
    """Where the app is reached, for links in e-mails, webhooks and the Atom feed."""
    return _env("APP_BASE_URL", "http://127.0.0.1:8050", why="the local demo").rstrip(
        "/"
    )


def smtp_host() -> str | None:
    """SMTP server for alert e-mails; unset means no e-mail is ever sent."""
    return _env("SMTP_HOST", None, why="e-mail alerts off")


def smtp_port() -> int:
    return int(_env("SMTP_PORT", "25", why="SMTP port 25"))


def smtp_starttls() -> bool:
    """Upgrade the SMTP connection with STARTTLS before sending."""
    return _env("SMTP_STARTTLS", "0", why="no STARTTLS") in {"1", "true", "yes"}


def smtp_username() -> str | None:
    return _env("SMTP_USERNAME", None, why="no SMTP authentication")


def smtp_password() -> str | None:
    return os.environ.get("SMTP_PASSWORD") or None


def smtp_from() -> str:
    return _env("SMTP_FROM", "vru-monitor@localhost", why="a local sender")


def alert_email_address() -> str | None:
    """How a user's alert address is made from their user name, e.g.
    "{username}@vru.example.org" (the store keeps no e-mail address); unset means
    no e-mail is sent."""
    return _env("ALERT_EMAIL_ADDRESS", None, why="no alert e-mail addresses")


def alert_webhook_hosts() -> frozenset[str]:
    """Host names (or host:port) outgoing alert webhooks may call, comma-separated;
    empty means webhooks are off (the app never calls an unlisted host)."""
    value = _env("ALERT_WEBHOOK_HOSTS", "", why="webhooks off") or ""
    return frozenset(h.strip().lower() for h in value.split(",") if h.strip())


def alert_webhook_attempts() -> int:
    """Attempts per webhook delivery (the first and its retries)."""
    return int(_env("ALERT_WEBHOOK_ATTEMPTS", "4", why="four attempts"))


def alert_webhook_backoff_seconds() -> float:
    """Wait before the first retry; each later retry waits twice as long."""
    return float(_env("ALERT_WEBHOOK_BACKOFF_SECONDS", "2", why="2, 4, 8 seconds"))
