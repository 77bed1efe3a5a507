"""The store the ONS import tests write to: the real published figures and the
VRU-era files (no seeds or illustrative figures), filled once per engine and
copied for each test (tests/conftest.py `filled_store`)."""

from __future__ import annotations

from data_access.db import session_scope
from data_access.shipped import real, vru_era

NAME = "real_era"


def fill() -> None:
    with session_scope() as session:
        real.load(session)
        vru_era.load(session)
