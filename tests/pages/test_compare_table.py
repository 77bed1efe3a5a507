"""/compare's ranking table (pages.compare._table), its rounded columns made in
plain Python (issue 19), is the table the pandas road it replaced made, over
many random sets of force areas: the same cells, dtypes and index, hidden
(suppressed) rows, missing rates and whole counts included."""

from __future__ import annotations

import math
import random

import pandas as pd
import pytest

from components.chart_tables import TableLink
from data_access.outcomes.force_areas import FORCE_AREA_COLUMNS
from web.compare_charts import per_label

MEASURE = {"unit": "offences", "rate_multiplier": 100000.0}
COMPARISONS = ["worse", "similar", "better", "not compared"]


def _pandas_road(measure: dict, frame: pd.DataFrame, level_text: str):
    """pages.compare._table as it was before issue 19 (commit d6190a9)."""
    per = per_label(measure)
    hidden = frame["suppressed"].astype(bool)

    def shown(column: str, digits: int | None = 1):
        values = frame[column].astype(object)
        if digits is not None:
            values = values.map(lambda v: v if pd.isna(v) else round(float(v), digits))
        return values.where(~hidden, "*")

    return pd.DataFrame(
        {
            "Area": [
                TableLink(name, f"/areas/{code}")
                for name, code in zip(frame["name"], frame["code"], strict=True)
            ],
            "Code": frame["code"],
            "VRU area": [
                f"Yes, from {int(y)}/{(int(y) + 1) % 100:02d}" if v else "No"
                for v, y in zip(frame["is_vru"], frame["vru_start_year"], strict=True)
            ],
            "Year": frame["period"],
            f"Count ({measure['unit']})": shown("count", 0),
            "Population": frame["population"].round(0),
            f"Rate {per}": shown("rate"),
            f"Lower {level_text} CI": shown("rate_lower"),
            f"Upper {level_text} CI": shown("rate_upper"),
            f"Benchmark: {frame['benchmark_label'].iloc[0]}": frame[
                "benchmark_rate"
            ].round(1),
            "Compared with benchmark": frame["comparison"]
            .astype(object)
            .where(~hidden, "*")
            .map(lambda c: c if c == "*" else str(c).capitalize()),
            "Source": frame["source_title"],
        }
    )


def _random_frame(rng: random.Random) -> pd.DataFrame:
    n = rng.randint(1, 43)
    hide_some = rng.random() < 0.5

    def maybe(value):
        return math.nan if rng.random() < 0.1 else value

    rows = []
    for i in range(n):
        vru = rng.random() < 0.45
        rate = rng.uniform(0, 300)
        count = rng.randint(0, 20000)
        rows.append(
            {
                "code": f"E230000{i:02d}",
                "name": f"Area {i}",
                "is_vru": vru,
                "vru_start_year": float(rng.choice([2019, 2022])) if vru else math.nan,
                "period": "2018/19",
                "count": maybe(float(count)),
                "population": rng.uniform(1e5, 9e6),
                "rate": maybe(rate),
                "rate_lower": maybe(rate * 0.9),
                "rate_upper": maybe(rate * 1.1),
                "benchmark_rate": rng.choice([math.nan, 75.25, 12.05]),
                "benchmark_label": "England and Wales",
                "comparison": rng.choice(COMPARISONS),
                "illustrative": False,
                "source_title": "ONS",
                "suppressed": hide_some and rng.random() < 0.3,
            }
        )
    frame = pd.DataFrame(rows, columns=FORCE_AREA_COLUMNS)
    if rng.random() < 0.3:  # the ranking without City of London: a new index
        frame = frame.iloc[1:].reset_index(drop=True) if n > 1 else frame
    return frame


@pytest.fixture(scope="module")
def page():
    from app import app  # noqa: F401 - registers the pages
    from pages import compare

    return compare


@pytest.mark.parametrize("seed", range(300))
def test_the_ranking_table_is_the_pandas_one(page, seed):
    frame = _random_frame(random.Random(seed))
    level_text = random.Random(seed).choice(["95%", "99.8%"])
    pd.testing.assert_frame_equal(
        page._table(MEASURE, frame, level_text),
        _pandas_road(MEASURE, frame, level_text),
        check_dtype=True,
    )
