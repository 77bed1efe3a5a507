"""The one clock: the date every business rule of the app is judged at.

Which returns are due and late (data_access.returns_due), which quarters a return
may be made for, and what a fresh demonstration store holds all read `today()`,
never the system date directly, so a demonstration or a test can fix the date with
VRU_AS_AT=YYYY-MM-DD (settings.as_at) and every page agrees on it. Timestamps of
events (sign-ins, audit entries, when a file was imported) are not business dates
and keep the real time.
"""

from __future__ import annotations

import datetime as dt

import settings


def today() -> dt.date:
    """VRU_AS_AT when set, else the calendar date."""
    return settings.as_at() or dt.date.today()
