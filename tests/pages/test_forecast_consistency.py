"""The overview and /funding show the same forecast outturn (outturn.money_forecast)
for every force area with spend, as rendered by each page."""

from __future__ import annotations

import re

from data_access import board_overview
from data_access.areas import list_areas
from data_access.scope import SYSTEM
from tests.one_request import one_request


def _forecast_on(text: str, label: str) -> str:
    found = re.search(re.escape(label) + r"\s+(£[\d,.]+m?)", text)
    assert found, f"no '{label}' in {text[:300]}"
    return found[1]


def test_overview_and_funding_show_the_same_forecast_for_every_force_area(
    loaded_store,
):
    """The figure a board member reads on the overview and on /funding (default
    year) is the same, for every force area with spend on SQLite, and for every
    third on PostgreSQL.

    Why a third is enough on PostgreSQL: what varies from one force area to the
    next is the data, and every area's data is checked on SQLite; what the engine
    changes is how the same SQL reads it (types, NULLs, order), which would show
    in any area with spend, and the sample holds six or more of them. (All 43 on
    both engines took 16-19 s each.)"""
    import app  # noqa: F401 - registers the pages

    areas = list_areas(level="pfa").sort_values("code")
    postgresql = loaded_store.startswith("postgresql")
    if postgresql:
        areas = areas.iloc[::3]
    with one_request():
        compared = _compare_forecasts(areas)
    # every funded force area has illustrative spend
    assert compared >= (6 if postgresql else 18)


def _compare_forecasts(areas) -> int:
    """The two pages' forecasts of each area, in one request (tests/one_request.py:
    the reads both pages make are made once, as one page's callbacks make them)."""
    from components.formatting import money as fmt_money
    from pages import funding, overview
    from tests.web_helpers import component_text

    compared = 0
    for area in areas.itertuples():
        summary = board_overview.overview_summary(scope=SYSTEM, area_code=area.code)
        if not summary["money"] or not summary["money"]["has_spend"]:
            continue
        shown = component_text(overview._money_part(summary, summary["area"]))
        page = component_text(funding._content(SYSTEM, area.code, None, None, None))
        expected = fmt_money(summary["money"]["forecast_outturn"])
        label = (
            "Outturn (year complete)"
            if summary["money"]["year_complete"]
            else "Forecast outturn at 31 March"
        )
        assert _forecast_on(shown, "Forecast outturn") == expected, area.code
        assert _forecast_on(page, label) == expected, area.code
        compared += 1
    return compared
