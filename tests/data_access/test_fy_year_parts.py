"""The financial-year reads of year_values take a value's start year and month
from the stored ISO date's characters on SQLite (EXTRACT elsewhere): every
statement built on `_start` answers as the same statement built with EXTRACT
(what it was before), for every measure, level and age band of the shipped
demo and of the synthetic scale set."""

from __future__ import annotations

import pytest
from sqlalchemy import case, extract

from data_access import db, scale
from data_access.measures import measure_metadata
from data_access.models import MeasureValue
from data_access.outcomes import year_values

LEVELS = [("country", "pfa"), ("region",), ("vru",), ("la",), ("country",)]
AGE_BANDS = ["all", "under25"]


def _start_by_extract():
    start_y = extract("year", MeasureValue.period_start)
    start_m = extract("month", MeasureValue.period_start)
    return start_y, start_m, case((start_m >= 4, start_y), else_=start_y - 1)


def _statements() -> list[tuple[str, object, dict]]:
    """(name, statement, parameters) of every statement built on `_start`."""
    built = []
    for levels in LEVELS:
        for age_band in AGE_BANDS:
            built.append(
                (
                    f"codes {levels[0]} {age_band}",
                    year_values._codes_statement.__wrapped__(levels[0], age_band),
                    {},
                )
            )
            built.append(
                (
                    f"rolling codes {levels[0]} {age_band}",
                    year_values._rolling_codes_statement.__wrapped__(
                        levels[0], age_band
                    ),
                    {},
                )
            )
            built.append(
                (
                    f"years {levels} {age_band}",
                    year_values._fy_statement.__wrapped__(levels, age_band),
                    None,
                )
            )
    return built


def _answers(codes: list[str]) -> dict[tuple, list]:
    answers = {}
    with db.read_connection() as connection:
        for name, statement, parameters in _statements():
            for code in codes if parameters is None else [None]:
                bound = {"measure_code": code} if parameters is None else parameters
                rows = connection.execute(statement, bound).all()
                answers[name, code] = sorted((tuple(r) for r in rows), key=repr)
    return answers


def _assert_same_as_by_extract(monkeypatch) -> int:
    codes = measure_metadata.uncached(include_private=True)["code"].tolist()
    new = _answers(codes)
    with monkeypatch.context() as patch:
        patch.setattr(year_values, "_start", _start_by_extract)
        old = _answers(codes)
    assert new.keys() == old.keys()
    for key, rows in old.items():
        assert new[key] == rows, key
    return sum(len(rows) for rows in old.values())


def test_shipped_years_are_those_read_with_extract(loaded_store, monkeypatch):
    assert _assert_same_as_by_extract(monkeypatch) > 1000


@pytest.mark.parametrize("rows", [300])
def test_synthetic_years_are_those_read_with_extract(store, monkeypatch, rows):
    scale.generate_scale(rows=rows)
    assert _assert_same_as_by_extract(monkeypatch) > 100
