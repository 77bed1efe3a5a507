"""Approximate published figures stay approximate (issue 18): stored with the
funding vocabulary's precision, drawn without a confidence interval, never judged
against, and said as "about 47,000"; exact figures keep their interval."""

from __future__ import annotations

import csv
import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import select

from data_access.db import session_scope
from data_access.models import Area, Measure, MeasureValue
from data_access.outcomes import area_trends
from data_access.scope import PUBLIC, SYSTEM
from data_access.shipped.common import REFERENCE_DIR

ENGLAND, AVON, EW = "E92000001", "E23000036", "K04000001"


def _stored(measure: str, code: str, end: dt.date) -> tuple[float, str]:
    with session_scope() as session:
        return session.execute(
            select(MeasureValue.value, MeasureValue.precision)
            .join(Area, Area.id == MeasureValue.area_id)
            .join(Measure, Measure.id == MeasureValue.measure_id)
            .where(
                Measure.code == measure,
                Area.code == code,
                MeasureValue.period_end == end,
                MeasureValue.period_months == 12,
                MeasureValue.age_band == "all",
                MeasureValue.is_current.is_(True),
            )
        ).one()


def test_quoted_approximations_are_stored_as_approximate(loaded_store):
    with (REFERENCE_DIR / "knife_offences_pfa_ye_jun2021_press.csv").open() as f:
        [ew] = [r for r in csv.DictReader(f) if r["area_code"] == EW]
    assert "nearly 47,000" in ew["note"]
    value, precision = _stored("knife_offences", EW, dt.date(2021, 6, 30))
    assert (value, precision) == (float(ew["knife_offences_selected"]), "approx")
    # a force area's exact count from the same story stays exact
    assert _stored("knife_offences", AVON, dt.date(2021, 6, 30))[1] == "exact"
    # England 2020/21: the press's "around 4,000" is kept as approximate, but
    # NHS Digital's exact tabulation (data/reference/vru-era) is current.
    assert _stored("hospital_admissions_knife", ENGLAND, dt.date(2021, 3, 31))[1] == (
        "exact"
    )
    with session_scope() as session:
        quoted = session.execute(
            select(MeasureValue.value, MeasureValue.precision)
            .join(Area, Area.id == MeasureValue.area_id)
            .where(
                Area.code == ENGLAND,
                MeasureValue.period_end == dt.date(2021, 3, 31),
                MeasureValue.age_band == "all",
                MeasureValue.is_current.is_(False),
            )
        ).all()
    assert (4000.0, "approx") in quoted
    assert _stored("hospital_admissions_knife", ENGLAND, dt.date(1997, 3, 31)) == (
        3942.0,
        "exact",
    )


@pytest.mark.parametrize("scope", [SYSTEM, PUBLIC], ids=["system", "public"])
def test_approximate_figures_have_no_interval_and_no_judgement(real_only_store, scope):
    # the public scope goes through disclosure control, which works rates and
    # intervals out again from the published counts
    frame = area_trends.trend_with_benchmark(
        scope=scope,
        measure_code="hospital_admissions_knife",
        area_code=AVON,
        length="year",
    )
    bench = frame[frame["role"] == "benchmark"].set_index("period")
    assert bench.loc["2020/21", "precision"] == "approx"
    assert pd.isna(bench.loc["2020/21", ["rate_lower", "rate_upper"]]).all()
    assert bench.loc["2019/20", "precision"] == "exact"
    assert bench.loc["2019/20", "rate_lower"] < bench.loc["2019/20", "rate"]
    own = frame[frame["role"] == "area"].set_index("period")
    # no better / worse against an approximate benchmark
    assert own.loc["2020/21", "comparison"] == "not compared"
