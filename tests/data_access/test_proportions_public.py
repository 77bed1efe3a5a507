"""Proportion measures (Wilson CI) on the public surface (data_access.public: the
/api/v1 JSON and CSV, embeds) and in measures.disclose_series, on SQLite and
PostgreSQL.

Disclosure control applies to a proportion's counts, as in trends and comparison:
the row is hidden when its numerator is small, or its denominator (which is then
hidden too: Surrey's 0 of 6 identifies nobody by its 0, but 6 is a small count);
the percentage is hidden with its row, never rounded to 5 or judged as a count.
Which figure is a count is asked of the measure (its CI method), never guessed
from the figures: Avon's 12 of 100 is 12%, a percentage equal to its numerator,
and stays 12. A count measure's value is still its count, hidden and rounded.

Quarters of 2022/23 as (numerator, denominator), "hes" rule, public scope:

- Avon 12/100, 15/120, 9/80, 26/200: all shown; numerators 10, 15, 10, 25;
  percentages of the published counts 10, 12.5, 12.5, 12.5 (10/100, 15/120,
  10/80, 25/200), never the unrounded 12, 12.5, 11.25, 13, which with the
  denominator would give the unrounded numerators back, nor rounded to 5
  themselves (10, 15, 10, 15);
- Surrey 0/6 (hidden, denominator too), 6/40 and 4/60 (hidden numerators, their
  denominators shown), 11/94 (numerator 10 of a denominator rounded to 95:
  10.53%, not 11.70%);
- Greater Manchester 10/150: 6.67%, a small percentage of a shown count.
"""

from __future__ import annotations

import csv
import io
import math
import re

import pandas as pd
import pytest

from data_access import measures, periods, public
from data_access.db import session_scope
from data_access.errors import InvalidParameter
from data_access.measures import measure_series
from data_access.models import Measure, MeasureValue
from data_access.outcomes import area_trends
from data_access.scope import SYSTEM, Scope
from tests.data_access.three_forces import (
    AVON,
    EW,
    GMP,
    SURREY,
    add_three_forces,
    measure_fields,
)

VIEWER = Scope(role="viewer", area_codes=frozenset({AVON}))
SHARE = "test_public_share"  # a percentage (unit "%", no multiplier)
PER100 = "test_public_share_100"  # the same as a rate per 100, unit not "%"
COUNT = "test_public_count"  # a count with a rate per 100,000, "hes" too

QUARTERS = {
    AVON: [(12, 100), (15, 120), (9, 80), (26, 200)],
    SURREY: [(0, 6), (6, 40), (4, 60), (11, 94)],
    GMP: [(10, 150), (15, 300), (5, 100), (12, 250)],
    EW: [(22, 256), (36, 460), (18, 240), (49, 544)],
}
LABELS = [f"2022/23 Q{q}" for q in range(1, 5)]
# The count measure: Avon's counts of a population of a million; Surrey's two
# quarters have a value and no numerator (a count all the same).
COUNTS = {AVON: [12, 3, 0, 26], SURREY: [5, 9]}
POPULATION = 1_000_000


@pytest.fixture
def public_store(store):
    with session_scope() as session:
        source, areas = add_three_forces(session)
        common = measure_fields(source, disclosure_rule="hes")
        share = Measure(
            code=SHARE, name="Share", unit="%", ci_method="wilson", **common
        )
        per100 = Measure(
            code=PER100,
            name="Share per 100",
            unit="per 100 offences",
            ci_method="wilson",
            rate_multiplier=100,
            **common,
        )
        count = Measure(
            code=COUNT,
            name="Admissions",
            unit="admissions",
            ci_method="byar",
            rate_multiplier=100_000,
            **common,
        )
        session.add_all([share, per100, count])
        session.flush()

        def add(measure, code, q, value, numerator, denominator):
            start, end = periods.quarter_bounds(2022, q)
            session.add(
                MeasureValue(
                    measure_id=measure.id,
                    area_id=areas[code].id,
                    period_start=start,
                    period_end=end,
                    value=value,
                    numerator=numerator,
                    denominator=denominator,
                    source_id=source.id,
                )
            )

        for code, quarters in QUARTERS.items():
            for q, (num, den) in enumerate(quarters, start=1):
                for measure in (share, per100):
                    add(measure, code, q, num / den * 100, num, den)
        for code, counts in COUNTS.items():
            for q, n in enumerate(counts, start=1):
                if code == SURREY:
                    add(count, code, q, n, None, POPULATION)
                else:
                    add(count, code, q, n, n, POPULATION)


def _by_period(frame: pd.DataFrame, area: str | None = None) -> pd.DataFrame:
    if area is not None:
        frame = frame[frame["area_code"] == area]
    return frame.set_index("period")


def _check_shares(rows: pd.DataFrame, area: str, *, with_total: bool = True) -> None:
    """Quarters of one area of a share measure, disclosed (see the docstring);
    `with_total`: disclosed with the England and Wales total, as published."""
    q1, q2, q3, q4 = (rows.loc[label] for label in LABELS)
    if area == SURREY:
        assert q1["suppressed"]  # 0 of 6: the denominator is the small count
        assert all(pd.isna(q1[c]) for c in ("value", "numerator", "denominator"))
        for row, den in ((q2, 40), (q3, 60)):  # small numerators
            assert row["suppressed"] and pd.isna(row["value"])
            assert pd.isna(row["numerator"]) and row["denominator"] == den
        assert not q4["suppressed"]
        assert q4["numerator"] == 10 and q4["denominator"] == 95
        assert q4["value"] == pytest.approx(100 * 10 / 95)
    elif area == AVON:
        assert not rows.loc[LABELS, "suppressed"].any()
        assert rows.loc[LABELS, "numerator"].tolist() == [10, 15, 10, 25]
        assert rows.loc[LABELS, "denominator"].tolist() == [100, 120, 80, 200]
        # the published counts' percentages, never rounded to 5 as if a count
        assert rows.loc[LABELS, "value"].astype(float).tolist() == pytest.approx(
            [10, 12.5, 12.5, 12.5]
        )
    elif with_total:  # Greater Manchester Q1: 10 of 150 is no small count, but
        # it is hidden with Surrey's: England and Wales's 22 less Avon's 12 and
        # Greater Manchester's 10 would give Surrey's hidden 0 back (Q2 the
        # same, for Surrey's 6); Q4's 12 of 250 is published as 10 of 250
        assert q1["suppressed"] and pd.isna(q1["numerator"])
        assert q2["suppressed"] and q3["suppressed"]
        assert not q4["suppressed"] and q4["numerator"] == 10
        assert q4["value"] == pytest.approx(100 * 10 / 250)
    else:  # alone, Greater Manchester Q1: 6.67% of 150, not a small count
        assert not q1["suppressed"] and q1["numerator"] == 10
        assert q1["value"] == pytest.approx(100 * 10 / 150)
        assert not q2["suppressed"] and q2["numerator"] == 15
        assert q2["value"] == pytest.approx(100 * 15 / 300)


# ---------------------------------------------------------------- public data


@pytest.mark.parametrize("code", [SHARE, PER100])
def test_public_values_check_a_proportions_counts(public_store, code):
    frame = public.measure_values(measure_code=code, level="pfa", length="quarter")
    for area in (AVON, SURREY, GMP):
        _check_shares(_by_period(frame, area), area)
    hidden = frame[frame["suppressed"]]
    assert hidden[["rate", "rate_lower", "rate_upper"]].isna().all().all()
    if code == PER100:  # a rate per 100 is the percentage, not rounded either
        avon = _by_period(frame, AVON)
        assert avon.loc[LABELS[2], "rate"] == pytest.approx(12.5)  # 10 of 80


def test_public_values_refuse_an_age_band_as_the_signed_in_trend_does(public_store):
    """The public values and the signed-in trend take one age-band rule, so they
    accept the same bands (the measures') and refuse the rest in the same words."""
    assert public.AGE_BANDS == tuple(measures.AGE_BANDS)
    errors = []
    for read in (public.measure_values, area_trends.trend_with_benchmark):
        extra = {} if read is public.measure_values else {"scope": SYSTEM}
        with pytest.raises(InvalidParameter) as caught:
            read(measure_code=SHARE, area_code=AVON, age_band="over65", **extra)
        errors.append((caught.value.parameter, str(caught.value)))
    assert errors[0] == errors[1]
    assert errors[0][0] == "age" and "over65" in errors[0][1]


def test_a_percentage_equal_to_its_numerator_is_not_a_count(public_store):
    """Avon's 12 of 100 alone: 12% repeats the numerator 12, but is no count:
    published as 10 of 100, so 10%."""
    start, end = periods.quarter_bounds(2022, 1)
    frame = public.measure_values(
        measure_code=SHARE, area_code=AVON, length="quarter", start=start, end=end
    )
    row = frame.iloc[0]
    assert len(frame) == 1 and not row["suppressed"]
    assert row["numerator"] == 10 and row["value"] == pytest.approx(10)


def test_public_counts_are_hidden_and_rounded_as_before(public_store):
    frame = public.measure_values(measure_code=COUNT, level="pfa", length="quarter")
    avon = _by_period(frame, AVON)
    assert avon["suppressed"].tolist() == [False, True, False, False]
    assert avon["value"].tolist()[0] == 10 and avon["value"].tolist()[2:] == [0, 25]
    assert avon["numerator"].tolist()[0] == 10
    assert avon["denominator"].tolist() == [POPULATION] * 4  # never checked
    # the rate comes from the published count: 10 per million, not 12 (which
    # with the population would give the unrounded count back)
    assert avon["rate"].tolist()[0] == pytest.approx(1.0)
    surrey = _by_period(frame, SURREY)
    assert surrey.loc[LABELS[0], "suppressed"]  # a value of 5 with no numerator
    assert pd.isna(surrey.loc[LABELS[0], "value"])
    assert not surrey.loc[LABELS[1], "suppressed"]
    assert surrey.loc[LABELS[1], "value"] == 10  # 9 rounded to 5


# ------------------------------------------------------------------------ API


@pytest.fixture
def client(public_store, monkeypatch):
    from app import app

    monkeypatch.setenv("API_RATE_LIMIT", "100000/minute")
    app.server.config["TESTING"] = True
    return app.server.test_client()


def _api(client, code: str, area: str, fmt: str = "json"):
    response = client.get(
        f"/api/v1/measures/{code}/values?area={area}&length=quarter&format={fmt}"
    )
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("area", [SURREY, AVON])
def test_api_json_and_csv_hide_a_small_denominator(client, area):
    data = _api(client, SHARE, area).get_json()["data"]
    rows = pd.DataFrame(data).set_index("period")
    _check_shares(rows, area)
    text = _api(client, SHARE, area, "csv").get_data(as_text=True)
    table = {r["period"]: r for r in csv.DictReader(io.StringIO(text.lstrip("\ufeff")))}
    assert len(table) == 4
    if area == SURREY:
        q1 = table[LABELS[0]]
        assert q1["suppressed"] == "TRUE"
        assert q1["value"] == q1["numerator"] == "*"
        assert q1["denominator"] == "*"  # 6 is not published: hidden, not missing
        assert table[LABELS[1]]["denominator"] == "40"
        assert float(table[LABELS[3]]["value"]) == pytest.approx(100 * 10 / 95)
        assert table[LABELS[3]]["numerator"] == "10"
        assert table[LABELS[3]]["denominator"] == "95"  # 94 rounded to 5
    else:
        assert float(table[LABELS[2]]["value"]) == pytest.approx(12.5)
        assert table[LABELS[2]]["numerator"] == "10"


def _wilson(successes: float, total: float, z: float = 1.959964) -> tuple:
    """Wilson score limits (Newcombe 1998, method 3), written out here."""
    p = successes / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    half = (
        z
        * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total))
        / (1 + z * z / total)
    )
    return centre - half, centre + half


def test_api_rates_per_100_of_a_proportion_have_wilson_limits(client):
    """Avon's 9 of 80 is published as 10 of 80: 12.5 per 100 with the Wilson
    limits of 10 of 80 (6.93 to 21.50), not the Poisson limits of a count, and
    not the limits of the unrounded 9 (6.03 to 20.02), which would give it back.
    Signed in without disclosure, 9 of 80 keeps its own (6.0327 to 20.0182)."""
    data = _api(client, PER100, AVON).get_json()["data"]
    q3 = pd.DataFrame(data).set_index("period").loc[LABELS[2]]
    assert q3["rate"] == pytest.approx(12.5)
    low, high = _wilson(10, 80)
    assert (q3["rate_lower"], q3["rate_upper"]) == pytest.approx(
        (100 * low, 100 * high), abs=5e-5
    )
    assert (100 * low, 100 * high) == pytest.approx((6.9333, 21.5027), abs=5e-4)
    series = measure_series(
        scope=SYSTEM, measure_code=PER100, area_code=AVON, length="quarter"
    ).set_index("period")
    assert series.loc[LABELS[2], "rate_lower"] == pytest.approx(6.0327, abs=5e-5)


def test_api_csv_keeps_a_hidden_counts_population(client):
    """A hidden count's denominator is its population: published, so not "*"."""
    text = _api(client, COUNT, AVON, "csv").get_data(as_text=True)
    table = {r["period"]: r for r in csv.DictReader(io.StringIO(text.lstrip("\ufeff")))}
    assert table[LABELS[1]]["suppressed"] == "TRUE"  # 3 admissions
    assert table[LABELS[1]]["value"] == "*"
    assert table[LABELS[1]]["denominator"] == str(POPULATION)


# --------------------------------------------------------------------- embeds


def _table(html: str) -> list[list[str]]:
    """The embed's table, as the text of each body row's cells."""
    match = re.search(r'<table id="embed-table">(.*?)</table>', html, re.S)
    assert match, "no table"
    body = match.group(1).split("<tbody>", 1)[1]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    cells = [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S) for row in rows]
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in row] for row in cells]


def test_embed_table_and_csv_hide_a_small_denominator(client):
    html = client.get(f"/embed/trend?measure={PER100}&area={SURREY}").get_data(
        as_text=True
    )
    rows = {(r[0], r[1]): r for r in _table(html)}
    q1 = rows[("Surrey", LABELS[0])]
    assert "0.0" not in q1 and all(c.startswith("*") for c in q1[2:6]), q1
    q4 = rows[("Surrey", LABELS[3])]
    assert q4[3] == "10.5"  # the rate per 100 published: 10 of 95
    assert "Why is this hidden?" in html
    text = client.get(f"/embed/trend/data.csv?measure={PER100}&area={SURREY}").get_data(
        as_text=True
    )
    lines = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    header, body = lines[0], {(r[0], r[1]): r for r in lines[1:] if len(r) > 2}
    assert header[:4] == ["Area", "Period", "Per 100 offences", "Rate"]
    assert body[("Surrey", LABELS[0])][2:4] == ["*", "*"]
    assert float(body[("Surrey", LABELS[3])][3]) == pytest.approx(100 * 10 / 95)
    # Avon's 9 of 80 is published as 10 of 80: 12.5 per 100, not 10 (a rate
    # rounded to 5 as if a count), nor 11.25 (which gives the 9 back)
    text = client.get(f"/embed/trend/data.csv?measure={PER100}&area={AVON}").get_data(
        as_text=True
    )
    avon = {
        r[1]: r
        for r in csv.reader(io.StringIO(text.lstrip("\ufeff")))
        if r and r[0] == "Avon and Somerset"
    }
    assert float(avon[LABELS[2]][3]) == pytest.approx(12.5)
    html = client.get(f"/embed/trend?measure={PER100}&area={AVON}").get_data(
        as_text=True
    )
    avon_rows = {r[1]: r for r in _table(html) if r[0] == "Avon and Somerset"}
    assert avon_rows[LABELS[2]][3] == "12.5"


# ------------------------------------------------------------ disclose_series


@pytest.mark.parametrize("code", [SHARE, PER100])
def test_disclose_series_checks_a_proportions_counts(public_store, code):
    for area in (AVON, SURREY, GMP):
        frame = measure_series(
            scope=VIEWER, measure_code=code, area_code=area, length="quarter"
        )
        rows = frame.assign(area_code=area).set_index("period")
        _check_shares(rows, area, with_total=False)
        full = measure_series(
            scope=SYSTEM, measure_code=code, area_code=area, length="quarter"
        )
        assert "suppressed" not in full  # unrestricted: nothing hidden
        assert full["numerator"].tolist() == [n for n, _ in QUARTERS[area]]


def test_disclose_series_hides_and_rounds_counts_as_before(public_store):
    avon = measure_series(
        scope=VIEWER, measure_code=COUNT, area_code=AVON, length="quarter"
    )
    assert avon["suppressed"].tolist() == [False, True, False, False]
    assert avon["value"].tolist()[0] == 10 and avon["value"].tolist()[2:] == [0, 25]
    assert avon["denominator"].tolist() == [POPULATION] * 4
    surrey = measure_series(
        scope=VIEWER, measure_code=COUNT, area_code=SURREY, length="quarter"
    )
    assert surrey["suppressed"].tolist() == [True, False]
    assert surrey["value"].tolist()[1] == 10


# ------------------------------------------------------------------- engine


def test_checked_counts_hide_their_row_and_are_never_rounded():
    """apply_disclosure(check_cols=...): what trends, comparison, the public
    surface and disclose_series use for a proportion's denominator. Rounded
    to 5 by "hes" like every denominator, and the percentage worked out again
    from the published figures (rates=)."""
    from data_access.disclosure import apply_disclosure

    def percentages(published: pd.DataFrame) -> pd.DataFrame:
        counts = published[["numerator", "denominator"]].astype(float)
        return published.assign(value=100 * counts.numerator / counts.denominator)

    frame = pd.DataFrame(
        {
            "area_code": ["a", "b", "c", "d"],
            "numerator": [0, 6, 11, 12],
            "denominator": [6.0, 40.0, 94.0, 100.0000001],  # a summed float will do
            "value": [0.0, 15.0, 100 * 11 / 94, 12.0],
        }
    )
    shown = apply_disclosure(
        frame,
        rule="hes",
        count_cols=["numerator"],
        check_cols=["denominator"],
        group_cols=["area_code"],
        rates=percentages,
    ).frame
    assert shown["suppressed"].tolist() == [True, True, False, False]
    den = shown["denominator"].tolist()
    assert pd.isna(den[0]) and den[1:] == [40.0, 95.0, 100.0]
    assert shown["numerator"].tolist()[2:] == [10, 10]
    assert shown["value"].tolist()[2:] == pytest.approx([100 * 10 / 95, 10.0])
    # idempotent, as for counts
    again = apply_disclosure(
        shown,
        rule="hes",
        count_cols=["numerator"],
        check_cols=["denominator"],
        group_cols=["area_code"],
    ).frame
    pd.testing.assert_frame_equal(again, shown)
    # summed and checked in the totals the engine adds: 3 + 4 hides the total
    pooled = apply_disclosure(
        pd.DataFrame({"k": ["x", "y"], "numerator": [0, 0], "denominator": [3, 4]}),
        rule="hes",
        count_cols=["numerator"],
        check_cols=["denominator"],
        group_cols=["k"],
        totals_over=["k"],
    ).frame
    assert pooled["suppressed"].tolist() == [True, True, True]
    with pytest.raises(ValueError, match="not both"):
        apply_disclosure(
            frame, rule="hes", count_cols=["numerator"], check_cols=["numerator"]
        )


def test_embed_shows_a_percentage_as_a_percentage(client):
    """A proportion's value is a percentage, headed and written as one: as a
    "Count" 11.70% read "12"."""
    html = client.get(f"/embed/trend?measure={SHARE}&area={SURREY}").get_data(
        as_text=True
    )
    assert re.search(r"<th[^>]*>\s*Percentage\s*</th>", html)
    assert ">Count<" not in html
    rows = {(r[0], r[1]): r for r in _table(html)}
    assert rows[("Surrey", LABELS[3])][2] == "10.5%"  # 10 of 95 published
    assert rows[("Surrey", LABELS[0])][2].startswith("*")
    text = client.get(f"/embed/trend/data.csv?measure={SHARE}&area={SURREY}").get_data(
        as_text=True
    )
    lines = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert lines[0][:3] == ["Area", "Period", "Percentage"]
    body = {(r[0], r[1]): r for r in lines[1:] if len(r) > 2}
    assert float(body[("Surrey", LABELS[3])][2]) == pytest.approx(100 * 10 / 95)
    assert body[("Surrey", LABELS[0])][2] == "*"


def test_embed_says_when_every_figure_is_hidden(client):
    """Figures that exist but are all hidden are not "no published figures"."""
    html = client.get(
        f"/embed/trend?measure={COUNT}&area={SURREY}&to=2022-06"
    ).get_data(as_text=True)
    assert "hidden under disclosure control" in html
    assert "Why is this hidden?" in html
    assert "There are no published figures" not in html
    html = client.get(
        f"/embed/trend?measure={COUNT}&area={SURREY}&from=2024-04"
    ).get_data(as_text=True)
    assert "There are no published figures of this measure for Surrey." in html
