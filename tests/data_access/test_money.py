"""data_access.money: the one forecast outturn (docs/forecast.md), worked by hand.
(That the overview and /funding show the same forecast: tests/pages/
test_forecast_consistency.py.)

The arithmetic tests give their figures worked out by hand in the comments, so a
change to the method (a run rate instead of the profile, a cap at the grant, the
wrong quarter of the profile) turns them red."""

from __future__ import annotations

import pytest

from data_access.errors import InvalidParameter
from data_access.money import outturn, spending
from data_access.scope import SYSTEM

AVON = "E23000036"
LAST_YEAR = [100.0, 150.0, 200.0, 350.0]  # a complete year: 800 in all


def test_forecast_divides_spend_to_date_by_last_years_share_by_the_same_quarter():
    # Last year by Q2: 100 + 150 = 250 of 800 = 0.3125 of the year's spend.
    # This year by Q2: 120 + 180 = 300, so the year is forecast at 300 / 0.3125
    # = 960; against a grant of 1,000 that leaves 40 to repay. Burn 300 / 1,000
    # = 0.30 against the straight line's 2 / 4 = 0.5: 0.2 behind.
    result = outturn.forecast_outturn(
        [120.0, 180.0], allocation=1000.0, profile=LAST_YEAR
    )
    assert result["share_basis"] == "profile"
    assert result["expected_share"] == pytest.approx(0.3125)
    assert result["spent_to_date"] == 300.0
    assert result["forecast_outturn"] == 960.0
    assert result["projected_underspend"] == 40.0
    assert result["burn_rate"] == pytest.approx(0.3)
    assert result["expected_burn"] == 0.5
    assert result["burn_vs_expected"] == pytest.approx(-0.2)
    assert result["quarters_remaining"] == 2
    assert not result["over_allocation"] and not result["year_complete"]


def test_without_a_complete_year_the_share_is_the_quarters_passed():
    # No profile: Q1's 50 is 1/4 of the year, so 50 / 0.25 = 200.
    first = outturn.forecast_outturn([50.0], allocation=None)
    assert first["share_basis"] == "flat" and first["forecast_outturn"] == 200.0
    assert first["projected_underspend"] is None and first["burn_rate"] is None
    # A nil profile share cannot be divided by (last year's spend began in Q2):
    # flat again, 120 / 0.25 = 480.
    late = outturn.forecast_outturn(
        [120.0], allocation=1000.0, profile=[0.0, 48.0, 296.0, 724.0]
    )
    assert late["share_basis"] == "flat" and late["forecast_outturn"] == 480.0
    # A quarter with nothing reported still counts as passed: (100 + 0 + 300) / 0.75
    # = 533.33.
    gap = outturn.forecast_outturn([100.0, 0.0, 300.0], allocation=None)
    assert gap["forecast_outturn"] == 533.33


def test_a_forecast_above_the_grant_is_not_capped_but_shown_as_an_overspend():
    # Last year by Q3: 450 of 800 = 0.5625. This year 300 + 400 + 500 = 1,200, so
    # 1,200 / 0.5625 = 2,133.33, which is 133.33 over a grant of 2,000.
    result = outturn.forecast_outturn(
        [300.0, 400.0, 500.0], allocation=2000.0, profile=LAST_YEAR
    )
    assert result["forecast_outturn"] == 2133.33
    assert result["over_allocation"] is True
    assert result["projected_underspend"] == -133.33


def test_a_complete_year_has_its_actual_outturn():
    # 1 + 2 + 3 + 4 = 10 of a grant of 20: 10 left.
    done = outturn.forecast_outturn([1, 2, 3, 4], allocation=20.0, profile=LAST_YEAR)
    assert done["year_complete"] and done["share_basis"] == "actual"
    assert done["forecast_outturn"] == 10.0 and done["projected_underspend"] == 10.0
    nothing = outturn.forecast_outturn([], allocation=20.0)
    assert nothing["forecast_outturn"] is None and nothing["last_quarter"] == 0
    with pytest.raises(ValueError):
        outturn.forecast_outturn([1, 2, 3, 4, 5], allocation=None)


def test_the_stored_forecast_uses_the_previous_years_stored_spend(loaded_store):
    """money_forecast on the demo store equals the method applied by hand to the
    spend the store holds: spend to date / the previous year's share by the same
    quarter."""
    result = outturn.money_forecast(scope=SYSTEM, area_code=AVON)
    spend = spending.quarter_spend(scope=SYSTEM, area_code=AVON)
    year, last = result["financial_year"], result["last_quarter"]
    this = spend[spend["financial_year"] == year]
    before = spend[spend["financial_year"] == year - 1]
    assert 0 < last < 4 and len(before) == 4  # the demo's year is under way
    share = before[before["quarter"] <= last]["amount"].sum() / before["amount"].sum()
    assert result["profile_year"] == year - 1
    assert result["forecast_outturn"] == pytest.approx(
        this["amount"].sum() / share, abs=0.01
    )
    assert f"{share:.0%}" in result["method_words"]
    with pytest.raises(InvalidParameter):
        outturn.money_forecast(scope=SYSTEM, area_code="E06000023")  # a LAD


def test_four_quarters_before_31_march_are_still_a_forecast(loaded_store, monkeypatch):
    """A year with all four quarters reported is "year complete" (its outturn is
    the spend) only once 31 March has passed by the app's clock: a Q4 return made
    in March leaves it a forecast, by the one completeness rule."""
    import datetime as dt

    from data_access import clock

    year = outturn.money_forecast(scope=SYSTEM, area_code=AVON)["financial_year"] - 1
    monkeypatch.setattr(clock, "today", lambda: dt.date(year + 1, 3, 20))
    early = outturn.money_forecast(scope=SYSTEM, area_code=AVON, financial_year=year)
    assert early["last_quarter"] == 4 and early["share_basis"] == "actual"
    assert not early["year_complete"]
    assert "before the year ends on 31 March" in early["method_words"]
    monkeypatch.setattr(clock, "today", lambda: dt.date(year + 1, 4, 1))
    done = outturn.money_forecast(scope=SYSTEM, area_code=AVON, financial_year=year)
    assert (
        done["year_complete"] and done["forecast_outturn"] == early["forecast_outturn"]
    )
    assert (
        done["method_words"] == "All four quarters reported: the outturn is the spend."
    )


def test_the_forecast_is_illustrative_by_its_own_years_spend(loaded_store, monkeypatch):
    """ "Illustrative data" on a forecast follows the spend of the year forecast
    (or the grant), not another year's: here 2023/24's spend is illustrative and
    2024/25's published, with no grant."""
    import pandas as pd

    spend = pd.DataFrame(
        {
            "financial_year": [2023] * 4 + [2024] * 2,
            "quarter": [1, 2, 3, 4, 1, 2],
            "amount": [100.0, 150.0, 200.0, 350.0, 120.0, 180.0],
            "illustrative": [True] * 4 + [False] * 2,
        }
    )
    monkeypatch.setattr(outturn, "quarter_spend", lambda **_: spend)
    monkeypatch.setattr(outturn, "_grant", lambda *_: None)
    published = outturn.money_forecast(
        scope=SYSTEM, area_code=AVON, financial_year=2024
    )
    # 300 spent by Q2 over last year's 250 / 800 by Q2: 960, as worked above
    assert published["forecast_outturn"] == 960.0 and published["allocation"] is None
    assert published["illustrative"] is False
    made_up = outturn.money_forecast(scope=SYSTEM, area_code=AVON, financial_year=2023)
    assert made_up["illustrative"] is True
