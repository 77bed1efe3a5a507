"""data_access.areas.list_areas (issue 19: its statement built once per kind of
filter and its frame built from plain tuples) gives the frame the road it
replaced gave (kept here), for every level and parent in the shipped store, no
filter, and filters that match nothing."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import select
from sqlalchemy.orm import aliased

from data_access import areas
from data_access.db import read_connection
from data_access.models import Area


def _old_list_areas(
    level: str | None = None, parent_code: str | None = None
) -> pd.DataFrame:
    """`list_areas` as it was before issue 19's round 5 (commit fe1bde1)."""
    parent = aliased(Area)
    query = (
        select(
            Area.code,
            Area.name,
            Area.level,
            parent.code.label("parent_code"),
            Area.is_vru,
            Area.vru_start_year,
        )
        .outerjoin(parent, Area.parent_id == parent.id)
        .order_by(Area.name)
    )
    if level is not None:
        query = query.where(Area.level == level)
    if parent_code is not None:
        query = query.where(parent.code == parent_code)
    with read_connection() as connection:
        rows = connection.execute(query).all()
    return pd.DataFrame(rows, columns=areas.AREA_COLUMNS)


def test_list_areas_is_the_old_road(loaded_store):
    every = _old_list_areas()
    assert len(every) > 100
    levels = sorted(set(every["level"])) + ["no such level"]
    parents = sorted(set(every["parent_code"].dropna())) + ["X99"]
    asks = [(None, None)]
    asks += [(level, None) for level in levels]
    asks += [(None, parent) for parent in parents]
    asks += [(level, parent) for level in levels for parent in parents[:6] + ["X99"]]
    for level, parent in asks:
        pd.testing.assert_frame_equal(
            areas.list_areas.uncached(level=level, parent_code=parent),
            _old_list_areas(level=level, parent_code=parent),
            check_exact=True,
            obj=f"list_areas(level={level!r}, parent_code={parent!r})",
        )
    # positional asks too (the memo keys them apart)
    pd.testing.assert_frame_equal(
        areas.list_areas.uncached("pfa"), _old_list_areas("pfa"), check_exact=True
    )


@pytest.mark.parametrize("level", ["pfa", "lad", "country"])
def test_a_level_of_areas_is_only_that_level(loaded_store, level):
    frame = areas.list_areas.uncached(level=level)
    assert len(frame) and set(frame["level"]) == {level}
