"""/compare when every force area with a figure is left out (a year in which
only the City of London has one, and it is not comparable): the page says so
instead of the callback failing while it draws an empty ranking and funnel."""

from __future__ import annotations

import json

from data_access.outcomes import force_areas, funnels
from data_access.scope import SYSTEM


def _only_city(real):
    def only_city(**kwargs):
        ranked = real(**kwargs)
        return ranked[ranked["code"] == "E23000034"].reset_index(drop=True)

    return only_city


def test_funnel_promises_its_position_columns_when_nothing_is_left(loaded_store):
    ranked = _only_city(force_areas.force_area_rates)(
        scope=SYSTEM, measure_code="knife_offences", period_start="2018-04"
    )
    assert len(ranked) == 1
    points, _, _ = funnels.funnel(
        scope=SYSTEM,
        measure_code="knife_offences",
        period_start="2018-04",
        leave_out={"E23000034"},
        rates=ranked,
    )
    assert points.empty
    assert {"funnel_position", "funnel_position_adjusted"} <= set(points.columns)


def test_a_year_with_only_the_city_of_london_says_so(loaded_store, monkeypatch):
    from app import app  # noqa: F401 - registers the pages
    from pages import compare

    monkeypatch.setattr(compare, "current_scope", lambda: SYSTEM)
    monkeypatch.setattr(
        compare.force_areas,
        "force_area_rates",
        _only_city(force_areas.force_area_rates),
    )
    content = compare.show_comparison("knife_offences", "2018-04", "national", "95")
    words = json.dumps([c.to_plotly_json() for c in content if c], default=str)
    assert "City of London is left out" in words
    assert "There are no other force area figures to compare." in words
    # and with it included, it is ranked and drawn on its own
    content = compare.show_comparison(
        "knife_offences", "2018-04", "national", "95", "include"
    )
    assert "compare-funnel" in json.dumps(
        [c.to_plotly_json() for c in content if c], default=str
    )
