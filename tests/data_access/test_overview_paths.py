"""The board overview's cheaper paths (issue 19, "speed without the cache") give
what the code they replaced gave, on the shipped data, on SQLite and PostgreSQL.

The replaced code is copied below ("as it was") and is the reference.
"""

from __future__ import annotations

import datetime as dt
import pickle

import numpy as np
import pandas as pd

from data_access import areas, measures, trend_spc
from data_access.areas import NATIONAL_CODE, funding_start_of, get_area, list_areas
from data_access.outcomes import headlines
from data_access.scope import SYSTEM, Scope
from tests.data_access.test_trend_spc import _view

PUBLIC = Scope(role="public")

# --------------------------------------------------------------------- as it was


def _old_funding_starts() -> dict[str, dt.date]:
    """areas.funding_starts before issue 19: every area read to find one."""
    frame = list_areas()
    codes = frame["code"].tolist()
    own = dict(zip(codes, frame["vru_start_year"].tolist(), strict=True))
    years = {}
    for code, parent in zip(codes, frame["parent_code"].tolist(), strict=True):
        year = own.get(code)
        if (year is None or pd.isna(year)) and parent is not None:
            year = own.get(parent)
        if (year is None or pd.isna(year)) and code == NATIONAL_CODE:
            year = areas.NATIONAL_FUNDING_YEAR
        if not (year is None or pd.isna(year)):
            years[code] = dt.date(int(year), 4, 1)
    return years


# ------------------------------------------------------------- funding starts


def test_one_areas_funding_start_is_what_reading_every_area_gave(loaded_store):
    """Every area of the shipped store: its own VRU's year, its force area's,
    England and Wales's 2019/20, or none."""
    old = _old_funding_starts()
    assert areas.funding_starts() == old
    kinds = set()
    for code in list_areas()["code"]:
        area = get_area(code)
        assert funding_start_of(area) == old.get(code), code
        own = area.vru_start_year is not None
        kinds.add("own" if own else "parent" if code in old else "none")
    # the comparison covered each branch of the rule
    assert {"own", "parent", "none"} <= kinds
    assert funding_start_of(get_area(NATIONAL_CODE)) == dt.date(2019, 4, 1)


# ------------------------------------------------------------------ headlines


def _sample_areas() -> list[str]:
    """Every fourth force area, every region, England and Wales, England and
    every hundredth local authority: areas with and without each series."""
    every = list_areas()

    def level(name: str) -> list[str]:
        return every.loc[every["level"] == name, "code"].tolist()

    national = [NATIONAL_CODE, areas.ENGLAND_CODE]
    return [*national, *level("region"), *level("pfa")[::4], *level("lad")[::100]]


def _headlines(scope) -> dict:
    out = {}
    for code in _sample_areas():
        area = get_area(code)
        for measure_code in (
            "knife_offences",
            "hospital_admissions_knife",
            "homicide_knife",
        ):
            measure = measures.get_measure(measure_code, scope=scope)
            for age in ("all", "under25"):
                own = headlines._headline(scope, measure, area, age)
                region = headlines._region_headline(scope, measure, area, own, age)
                out[(code, measure_code, age)] = (own, region)
    return out


def test_headlines_skipping_empty_series_are_what_building_them_gave(
    loaded_store, monkeypatch
):
    """An area with no figure of a measure in an age band (the under-25s of most
    measures, regions without a series) gets its None headline without building
    an empty series for years and again for quarters; every other headline is
    the one built as before (the shortcut off is the reference)."""
    for scope in (SYSTEM, PUBLIC):
        new = _headlines(scope)
        with monkeypatch.context() as patch:
            patch.setattr(headlines, "_known_empty", lambda *args: False)
            old = _headlines(scope)
        assert new.keys() == old.keys()
        for key in old:
            assert _same_headline(new[key], old[key]), key
        # both kinds of answer were compared
        owns = [own for own, _ in old.values()]
        assert any(own is None for own in owns) and any(own for own in owns)


def _same_headline(new, old) -> bool:
    return pickle.dumps(new) == pickle.dumps(old) or repr(new) == repr(old)


# ------------------------------------------------------------------------ SPC


def test_the_variation_alone_is_the_spc_charts_variation():
    """The overview's knife offences sentence asks trend_spc for the latest
    point's variation only: it is the full chart's, over random series with
    shifts, hidden figures, funding starts and breaks."""
    rng = np.random.default_rng(19)
    seen = set()
    for _ in range(200):
        n = int(rng.integers(3, 40))
        level = rng.uniform(20, 400)
        counts = rng.poisson(level * rng.choice([1.0, 1.5, 0.6], n).cumprod() ** 0.1)
        populations = rng.integers(500_000, 1_500_000, n)
        view = _view(
            [int(c) for c in counts],
            [int(p) for p in populations],
            suppressed=set(rng.choice(n, int(rng.integers(0, 3)))),
            funding="2019/20 Q1" if rng.random() < 0.5 else None,
        )
        if rng.random() < 0.3:
            view["breaks"] = [(view["series"]["period"].iloc[n // 2], "a break")]
        variation = trend_spc.trend_variation(view)
        assert variation == trend_spc.trend_spc(view)["variation"]
        seen.add(variation)
    assert len(seen) >= 3, seen
