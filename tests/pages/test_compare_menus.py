"""/compare's measure and year menus read as plain rows (issue 19:
year_values.ranked_measure_names and period_rows, no frame built to be
iterated) give what the frame road they replaced gave (kept here): every
measure of the shipped demo that force areas can be ranked by (rates and
shares, year_values.can_rank), whose years include published and illustrative
ones, all illustrative ones (hospital admissions) and rolling years only (the
ONS Table P1 offence groups), each with no year chosen, each of its years chosen, and a
year it does not have; and unknown measures."""

from __future__ import annotations

import pytest

from components.shell import message
from data_access.errors import NotFound, StoreUnavailable
from data_access.outcomes import year_values
from data_access.scope import SYSTEM


@pytest.fixture
def page(loaded_store, monkeypatch):
    from app import app  # noqa: F401 - registers the pages
    from pages import compare

    monkeypatch.setattr(compare, "current_scope", lambda: SYSTEM)
    return compare


# ------------------------------------------------ the old road (main, 9ef5ec1)


def _old_measure_options(current):
    # the measures force areas can be ranked by: rates and shares (can_rank)
    table = year_values.ranked_measures(scope=SYSTEM)
    options = [{"label": r.name, "value": r.code} for r in table.itertuples()]
    if current and current not in set(table["code"]):
        options.append({"label": f"Unknown measure: {current}", "value": current})
    return options


def _old_period_options(page, measure_code, current):
    try:
        table = year_values.available_periods(measure_code=measure_code or "")
    except NotFound:
        return [], None, None
    except StoreUnavailable:
        return [], None, page._unavailable()
    if table.empty:
        return [], None, None
    options = [
        {
            "label": f"{r.label} (illustrative)" if r.illustrative else r.label,
            "value": r.value,
        }
        for r in table.itertuples()
    ]
    if current in set(table["value"]):
        return options, current, None
    latest = table.iloc[year_values.default_year_position(table["illustrative"])]
    which = "latest published year" if not latest["illustrative"] else "latest year"
    note = None
    if current:
        note = message(
            f"There are no force area figures for the period '{current}' for this "
            f"measure, so the {which}, {latest['label']}, is shown.",
            kind="warning",
        )
    return options, latest["value"], note


def _plain(answer):
    """A callback's answer with its components as their JSON (comparable)."""
    return [
        part.to_plotly_json() if hasattr(part, "to_plotly_json") else part
        for part in answer
    ]


def test_measure_menu_is_the_frame_road(page):
    codes = year_values.ranked_measures(scope=SYSTEM)["code"].tolist()
    assert len(codes) > 3
    for current in [None, "", "no_such_measure", *codes]:
        assert page.measure_options("compare-measure", current) == (
            _old_measure_options(current)
        ), current


def test_year_menu_is_the_frame_road(page):
    codes = year_values.ranked_measures(scope=SYSTEM)["code"].tolist()
    kinds = set()
    for code in [*codes, "no_such_measure", "", None]:
        try:
            table = year_values.available_periods(measure_code=code or "")
        except NotFound:
            table = None
        years = [] if table is None else table["value"].tolist()
        if table is not None and len(table):
            flags = set(table["illustrative"].tolist())
            kinds.add("rolling" if not years[0].endswith("-04") else str(flags))
        for current in [None, "", "1900-04", "2024-07", *years]:
            new = page.period_options(code, current)
            old = _old_period_options(page, code, current)
            assert _plain(new) == _plain(old), (code, current)
    # the demo's awkward measures were all looked at: mixed published and
    # illustrative years, only illustrative ones, rolling years only
    assert {"{False, True}", "{True}", "rolling"} <= kinds, kinds
