"""Sending alerts out: e-mail through SMTP and outgoing webhooks, each attempt
written to the delivery log (`AlertDelivery`).

- **E-mail** (off by default): SMTP_HOST, SMTP_PORT, SMTP_STARTTLS, SMTP_USERNAME,
  SMTP_PASSWORD and SMTP_FROM in settings.py; the recipient's address is made
  from their user name by ALERT_EMAIL_ADDRESS ("{username}@example.org"), since
  the store keeps no e-mail address. One attempt: a refused message is logged
  and stays in the inbox.
- **Webhooks** (off until ALERT_WEBHOOK_HOSTS lists the hosts they may call): a
  JSON POST signed with HMAC-SHA256 over the exact body, sent as
  `X-VRU-Signature: sha256=<hex>` with `X-VRU-Timestamp`, the way GitHub and
  Slack sign theirs; retried with exponential back-off (ALERT_WEBHOOK_ATTEMPTS
  attempts, waiting ALERT_WEBHOOK_BACKOFF_SECONDS, then twice as long each time)
  while the receiver fails (an error, a timeout, HTTP 429 or 5xx); any other 4xx
  is final.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
import time
import urllib.error
import urllib.request
from email.message import EmailMessage

import settings
from data_access.alert_models import AlertDelivery
from data_access.db import session_scope

TIMEOUT_SECONDS = 10
# Replaced in tests so that retries do not wait.
sleep = time.sleep


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is not followed (it could lead to a host not allowed): the 3xx
    answer is a final failure."""

    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def _log(alert_id: int, channel: str, attempt: int, ok: bool, outcome: str) -> None:
    with session_scope() as session:
        session.add(
            AlertDelivery(
                alert_id=alert_id,
                channel=channel,
                attempt=attempt,
                ok=ok,
                outcome=outcome[:300],
            )
        )


def email_address(username: str) -> str | None:
    template = settings.alert_email_address()
    if not template or not settings.smtp_host():
        return None
    return template.replace("{username}", username)


def send_email(*, alert_id: int, username: str, subject: str, body: str) -> bool:
    """Send one alert e-mail; False when e-mail is off or the server refused it."""
    to = email_address(username)
    if to is None:
        return False
    message = EmailMessage()
    message["From"] = settings.smtp_from()
    message["To"] = to
    message["Subject"] = subject.replace("\n", " ")[:200]
    message.set_content(body)
    try:
        with smtplib.SMTP(
            settings.smtp_host(), settings.smtp_port(), timeout=TIMEOUT_SECONDS
        ) as smtp:
            if settings.smtp_starttls():
                smtp.starttls()
            if settings.smtp_username():
                smtp.login(settings.smtp_username(), settings.smtp_password() or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        _log(alert_id, "email", 1, False, f"{type(error).__name__}: {error}")
        return False
    _log(alert_id, "email", 1, True, "accepted by the SMTP server")
    return True


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The X-VRU-Signature value: HMAC-SHA256 of "<timestamp>." + body."""
    digest = hmac.new(
        secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    return f"sha256={digest}"


def post_webhook(*, alert_id: int, url: str, secret: str, payload: dict) -> bool:
    """POST `payload` as signed JSON, retrying with back-off; True once accepted."""
    body = json.dumps(payload, sort_keys=True).encode()
    attempts = max(1, settings.alert_webhook_attempts())
    wait = settings.alert_webhook_backoff_seconds()
    for attempt in range(1, attempts + 1):
        timestamp = str(int(time.time()))
        request = urllib.request.Request(
            url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "User-Agent": "VRU-Outcomes-Monitor-alerts",
                "X-VRU-Timestamp": timestamp,
                "X-VRU-Signature": signature(secret, timestamp, body),
            },
        )
        retry = True
        try:
            with _opener.open(request, timeout=TIMEOUT_SECONDS) as answer:
                _log(alert_id, "webhook", attempt, True, f"HTTP {answer.status}")
                return True
        except urllib.error.HTTPError as error:
            retry = error.code == 429 or error.code >= 500
            _log(alert_id, "webhook", attempt, False, f"HTTP {error.code}")
        except (OSError, ValueError) as error:
            _log(alert_id, "webhook", attempt, False, type(error).__name__)
        if not retry or attempt == attempts:
            return False
        sleep(wait)
        wait *= 2
    return False


def email_available() -> bool:
    """Whether this service sends e-mail (SMTP_HOST and ALERT_EMAIL_ADDRESS set)."""
    return bool(settings.smtp_host() and settings.alert_email_address())
