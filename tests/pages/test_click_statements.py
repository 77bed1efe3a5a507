"""How many SQL statements one uncached click of /compare's content and of
/violence's trend sends to the store, counted at the callback (the page's own
code included, not only the view functions tests/data_access/test_compare_reads
and tests/test_view_reads count), inside one web request with the shared cache
off: the benchmark's cache-off case (issue 19).

The counts are ceilings at today's figures: a statement added per force area
(43 of them), per year or per chart makes them grow and fails here. One that
falls (other work on these reads lands too) passes; write the lower figure down
here with the reason."""

from __future__ import annotations

import pytest

from data_access.areas import NATIONAL_CODE
from data_access.scope import SYSTEM
from tests.data_access.statement_count import counted_in_request

AVON = "E23000036"


@pytest.fixture
def pages(loaded_store, monkeypatch):
    from app import app  # noqa: F401 - registers the pages
    from pages import compare, violence

    monkeypatch.setattr(compare, "current_scope", lambda: SYSTEM)
    monkeypatch.setattr(violence, "current_scope", lambda: SYSTEM)
    return compare, violence


def _count(call) -> list[str]:
    with counted_in_request() as statements:
        call()
    return list(statements)


# (arguments of show_comparison, statements). The cache generation; the measure
# (its metadata, then every measure's last update); the force areas' and the
# countries' financial years together (one UNION of stored years and summed
# quarters; the national ones were a statement of their own before).
COMPARE_CLICKS = {
    "national, 95%": (("knife_offences", "2018-04", "national", "95"), 4),
    "VRU areas pooled, 99.8%": (("knife_offences", "2018-04", "vru", "99.8"), 4),
    "homicide, national": (("homicide_knife", "2018-04", "national", "95"), 4),
}


@pytest.mark.parametrize("name", list(COMPARE_CLICKS))
def test_a_compare_click_is_a_fixed_few_statements(pages, name):
    compare, _ = pages
    args, expected = COMPARE_CLICKS[name]
    statements = _count(lambda: compare.show_comparison(*args))
    assert len(statements) <= expected, "\n\n".join(statements)


# (arguments of show_trend: measure, area, view, age, from, to, chart; statements).
# The generation, the area, the measure and every measure's last update, the
# series (area, benchmark, force areas), the annotations, the funding starts'
# area list; a force area adds its local authorities and their region's sums.
VIOLENCE_CLICKS = {
    "England and Wales, years": (
        ("knife_offences", NATIONAL_CODE, "year", "all", "", "", "ci"),
        8,
    ),
    "England and Wales, quarters": (
        ("knife_offences", NATIONAL_CODE, "quarter", "all", "", "", "ci"),
        12,
    ),
    "Avon and Somerset, quarters, SPC": (
        ("knife_offences", AVON, "quarter", "all", "", "", "spc"),
        14,
    ),
}


@pytest.mark.parametrize("name", list(VIOLENCE_CLICKS))
def test_a_violence_trend_click_is_a_fixed_few_statements(pages, name):
    _, violence = pages
    args, expected = VIOLENCE_CLICKS[name]
    statements = _count(lambda: violence.show_trend(*args))
    assert len(statements) <= expected, "\n\n".join(statements)
