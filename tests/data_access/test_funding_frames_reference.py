"""The national funding frames made from plain rows (issue 19: the memo keeps
the summary's tuples; the force areas' figures are made from their own rows,
not filtered from every level's frame) equal those read before, to the last
bit and dtype, for every financial year of the shipped data and one without
figures, on SQLite and PostgreSQL."""

from __future__ import annotations

import pandas as pd
from dash._utils import to_json

from components.funding_tables import figures_table
from data_access import periods
from data_access.areas import NATIONAL_CODE
from data_access.db import read_connection
from data_access.money import funding_allocations as fa
from data_access.money.funding_views import national_view
from data_access.money.money_reads import _float


def _national_summary_before(financial_year: int) -> pd.DataFrame:
    """funding_allocations._national_summary at 1ec19a5 (unmemoized)."""
    with read_connection() as connection:
        rows = connection.execute(
            fa._national_summary_statement(), {"financial_year": financial_year}
        ).all()
    records = [
        {
            "area_code": r[0],
            "area_name": r[1],
            "financial_year": financial_year,
            "fy_label": periods.fy_label(financial_year),
            "vru_allocation": _float(r[2]),
            "amount_as_published": r[3],
            "precision": r[4],
            "precision_words": fa.PRECISION_WORDS.get(r[4], r[4]),
            "source_title": r[5],
            "illustrative": bool(r[6]),
            "figures_published": int(r[7]),
            "all_funders_total": _float(r[8]),
        }
        for r in rows
    ]
    return pd.DataFrame(records, columns=fa.NATIONAL_COLUMNS)


def test_national_frames_equal_the_frames_read_before(loaded_store):
    years = fa.financial_years()
    assert len(years) > 3
    for year in [*years, 1995]:
        pd.testing.assert_frame_equal(
            fa.national_summary(financial_year=year),
            _national_summary_before(year),
            check_exact=True,
        )
        every = fa.allocations(financial_year=year)
        before = every[every["area_level"] == "pfa"].reset_index(drop=True)
        view = national_view(financial_year=year)
        columns = fa.force_area_allocation_columns(financial_year=year)
        # the page's table of them is the table of the frame read before
        caption = f"Every published figure, {year}"
        assert to_json(figures_table(view["every"], caption)) == to_json(
            figures_table(before, caption)
        )
        # the national totals' columns are the columns of the national frame
        national = fa.allocations(area_code=NATIONAL_CODE, financial_year=year)
        assert list(view["national"]) == fa.ALLOCATION_COLUMNS
        assert view["national"]["allocation_id"] == national["allocation_id"].tolist()
        assert to_json(figures_table(view["national"], caption)) == to_json(
            figures_table(national, caption)
        )
        if before.empty:  # what a page shows of it: no rows
            assert not columns["allocation_id"]
            assert fa.force_area_allocations(financial_year=year).empty
            continue
        pd.testing.assert_frame_equal(
            fa.force_area_allocations(financial_year=year), before, check_exact=True
        )
        made = pd.DataFrame(columns, columns=fa.ALLOCATION_COLUMNS)
        made["intervention_id"] = made["intervention_id"].astype("Int64")
        pd.testing.assert_frame_equal(made, before, check_exact=True)
