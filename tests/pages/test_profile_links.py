"""The area profile (/areas/<code>) is reached from the overview, from trends and
from each area in /compare's ranking; the ranking's CSV keeps plain area names;
the spine chart names each measure's own year."""

from __future__ import annotations

import pytest

from data_access.scope import SYSTEM
from tests.pages.test_compare import _csv, _find
from tests.pages.test_compare import page as compare_page  # noqa: F401 - fixture
from tests.pages.test_overview import signed_in  # noqa: F401 - fixture

AVON = "E23000036"


def test_overview_and_trend_link_to_the_area_profile(signed_in):  # noqa: F811
    from pages import overview, violence

    assert f'"/areas/{AVON}"' in signed_in("board", overview.show_overview, AVON)
    trend = signed_in(
        "board",
        violence.show_trend,
        "knife_offences",
        AVON,
        "year",
        "all",
        "",
        "",
    )
    assert f'"/areas/{AVON}"' in trend


def test_each_ranked_area_opens_its_profile_and_the_csv_names_it(
    compare_page,  # noqa: F811
):
    from components.chart_tables import TableLink

    content = compare_page.show_comparison(
        "knife_offences", "2018-04", "national", "95"
    )
    spec_tables = _find(
        content, lambda c: getattr(c, "id", None) == "compare-ranking-table"
    )
    assert spec_tables, "the ranking has a table view"
    table = _csv(content, "compare-ranking")
    met = table[table["Code"] == "E23000001"].iloc[0]
    assert met["Area"] == "Metropolitan Police"  # a name, not a link's repr
    frame = compare_page._table(
        {"unit": "offences", "rate_multiplier": 100000, "ci_method": "byar"},
        _ranking_frame(),
        "95%",
    )
    assert all(isinstance(cell, TableLink) for cell in frame["Area"])
    assert [cell.href for cell in frame["Area"]] == [
        f"/areas/{code}" for code in frame["Code"]
    ]


def _ranking_frame():
    from data_access.outcomes import force_areas

    return force_areas.force_area_rates(
        scope=SYSTEM, measure_code="knife_offences", period_start="2018-04"
    ).assign(benchmark_label="England and Wales", benchmark_rate=1.0)


@pytest.mark.parametrize("code", [AVON])
def test_spine_names_each_measures_year(code, loaded_sqlite_store, monkeypatch):
    from app import app  # noqa: F401 - registers the pages
    from pages import area_profile

    monkeypatch.setattr(area_profile, "current_scope", lambda: SYSTEM)
    _, content = area_profile.show_profile(code)
    graphs = _find(content, lambda c: getattr(c, "id", None) == "area-spine-graph")
    labels = [str(y) for trace in graphs[0].figure["data"] for y in trace["y"] or []]
    assert any("(20" in label and "/" in label for label in labels)
