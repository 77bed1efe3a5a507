"""The unrevised quarterly knife series (issue 18): ONS annual figures win over
sums of its quarters, its caveat travels with every figure made from it, and the
switch between years summed from it and ONS annual figures is marked as a break.
Expected figures are read from the shipped files, not typed in."""

from __future__ import annotations

import csv

from data_access.outcomes import area_trends, raw_series
from data_access.scope import SYSTEM
from data_access.shipped.common import REFERENCE_DIR
from tests.data_access.test_ons_editions import DEC19, workbook_cell

SURREY = "E23000031"


def _quarters(code: str, financial_year: str) -> list[int]:
    with (REFERENCE_DIR / "knife_offences_pfa_quarterly_2008_2019.csv").open() as f:
        return [
            int(r["knife_offences_total"])
            for r in csv.DictReader(f)
            if r["pfa_code"] == code and r["financial_year"] == financial_year
        ]


def _series(length: str):
    frame = area_trends.trend_with_benchmark(
        scope=SYSTEM, measure_code="knife_offences", area_code=SURREY, length=length
    )
    return frame, frame[frame["role"] == "area"].set_index("period")


def test_ons_annual_figures_are_never_replaced_by_sums_of_quarters(loaded_store):
    quarters = _quarters(SURREY, "2017/18")
    ons = workbook_cell(DEC19, "Table P5", SURREY, "Apr '17 to Mar '18")
    assert len(quarters) == 4 and sum(quarters) != ons  # 58 against 436
    _frame, years = _series("year")
    assert years.loc["2017/18", "value"] == ons


def test_the_switch_from_summed_quarters_to_ons_years_is_a_break(loaded_store):
    frame, years = _series("year")
    # 2009/10 has no ONS figure: it is its quarters' sum
    assert years.loc["2009/10", "value"] == sum(_quarters(SURREY, "2009/10"))
    assert years.loc["2009/10", "note"] == raw_series.SUMMED_QUARTERS_NOTE
    breaks = dict(
        area_trends.series_breaks(
            measure_code="knife_offences", area_code=SURREY, series=frame
        )
    )
    assert breaks["2010/11"].startswith("Published annual figures from here")


def test_figures_from_the_quarterly_series_say_it_is_unrevised(loaded_store):
    _frame, quarters = _series("quarter")
    _frame, years = _series("year")
    assert "unrevised" in quarters.loc["2017/18 Q1", "source_title"]
    assert "unrevised" in years.loc["2009/10", "source_title"]
    assert "unrevised" not in years.loc["2017/18", "source_title"]
