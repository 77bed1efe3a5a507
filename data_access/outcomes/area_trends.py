"""A success measure's series for an area beside its benchmark, its series breaks,
the funding start and its children (drill-down): the parts data_access.outcomes.
trend_views puts together.

Every function is keyword-only and takes the caller's `scope`. Scope checks run
before the memoized inner queries (which take only primitives), as in measures.py.
Statistics come from data_access.statistics; disclosure control from
data_access.outcomes.series_disclosure. Columns: see data_access.outcomes.raw_series.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from data_access import periods, spc, statistics
from data_access.areas import (
    NATIONAL_CODE,
    AreaInfo,
    funding_start_of,
    get_area,
    list_areas,
)
from data_access.measures import (
    get_measure,
)
from data_access.outcomes.benchmarking import _benchmark
from data_access.outcomes.raw_series import (
    CHILD_COLUMNS,
    FIGURE_COLUMNS,
    POOLED_QUARTERS_NOTE,
    SERIES_BREAKS,
    SUMMED_QUARTERS_NOTE,
    TREND_COLUMNS,
    _add_rates,
    _by_length,
    _check_read,
    _latest_reads,
    _raw,
    check_age_band,
    check_length,
)
from data_access.outcomes.series_disclosure import _disclose
from data_access.scope import Scope

# ----------------------------------------------------------------------- series


def _window(frame: pd.DataFrame, start: dt.date | None, end: dt.date | None):
    if start is not None:
        frame = frame[frame["period_start"] >= start]
    if end is not None:
        frame = frame[frame["period_end"] <= end]
    return frame


def _compare(frame: pd.DataFrame, bench: pd.DataFrame, polarity: str) -> pd.DataFrame:
    """Each period against the benchmark's figure for it: none against a rough
    (approximate) figure, none between an illustrative figure and a
    published one (illustrative is compared only with illustrative), and none
    for a hidden (suppressed) figure: its comparison would give it away."""
    # Plain lists, and the comparison worked out on the two interval columns
    # alone: copying every column of the frame twice cost more than the
    # comparison (issue 19). A missing precision is not "approx", as in pandas.
    starts = bench["period_start"].tolist()
    rates = dict(
        zip(
            starts,
            [
                rate if precision != "approx" else np.nan  # none against a rough figure
                for rate, precision in zip(
                    bench["rate"].tolist(), bench["precision"].tolist(), strict=True
                )
            ],
            strict=True,
        )
    )
    kinds = dict(zip(starts, bench["illustrative"].astype(bool).tolist(), strict=True))
    against = [
        rates.get(s, np.nan) if kinds.get(s) == bool(i) else np.nan
        for s, i in zip(
            frame["period_start"].tolist(), frame["illustrative"].tolist(), strict=True
        )
    ]
    # row by row by the one rule (statistics.compare_to_benchmark, as its frame
    # form decides each row): a frame of the three columns cost more than the
    # few dozen comparisons (issue 19)
    words = [
        "not compared"
        if suppressed
        else statistics.compare_to_benchmark(
            lower=lower, upper=upper, benchmark=bench_rate, polarity=polarity
        )
        for lower, upper, bench_rate, suppressed in zip(
            frame["rate_lower"].tolist(),
            frame["rate_upper"].tolist(),
            against,
            frame["suppressed"].tolist(),
            strict=True,
        )
    ]
    # (objects, as the comparison's column is, even when there are no rows)
    return frame.assign(comparison=np.array(words, dtype=object))


def area_series(
    *,
    scope: Scope,
    measure_code: str,
    area_code: str,
    length: str = "quarter",
    age_band: str = "all",
) -> pd.DataFrame:
    """One area's series (raw columns + period + rates), undisclosed; internal."""
    measure = get_measure(measure_code, scope=scope)
    return _area_series(scope, measure, get_area(area_code), length, age_band)


def _area_series(
    scope: Scope, measure: dict, area: AreaInfo, length: str, age_band: str
) -> pd.DataFrame:
    """area_series for a measure and an area the caller has already looked up
    (each lookup is a query when the cache is off)."""
    check_length(length)
    check_age_band(age_band)
    _check_read(scope, measure, area)
    if area.code == NATIONAL_CODE:
        return _benchmark(measure, length, age_band)
    frame = _by_length(
        _raw(measure["code"], area.code, None, age_band),
        length,
        proportion_scale=statistics.proportion_scale(measure),
    )
    return _add_rates(frame, measure)


def own_series(
    *,
    scope: Scope,
    measure_code: str,
    area_code: str,
    length: str = "quarter",
    age_band: str = "all",
    start: dt.date | None = None,
) -> pd.DataFrame:
    """One area's own figures as its trend pages show them: the area rows of
    `trend_with_benchmark` (financial years built from quarters, disclosed for
    the scope) without the benchmark, from `start` on, oldest first. Columns:
    the series' (period_start, period_end, period, value, numerator,
    denominator, rate..., suppressed). The board's action paths read it."""
    measure = get_measure(measure_code, scope=scope)
    own = _own(scope, measure, get_area(area_code), length, age_band)
    return _window(own, start, None).sort_values("period_start").reset_index(drop=True)


def trend_with_benchmark(
    *,
    scope: Scope,
    measure_code: str,
    area_code: str,
    length: str = "quarter",
    age_band: str = "all",
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> pd.DataFrame:
    """The area's series and the benchmark's (TREND_COLUMNS), oldest first.

    NotFound for an unknown measure or area, InvalidParameter for a bad length or
    age band, AccessDenied for a non-public measure outside the scope."""
    measure = get_measure(measure_code, scope=scope)
    return _trend(scope, measure, get_area(area_code), length, age_band, start, end)


def _own(
    scope: Scope, measure: dict, area: AreaInfo, length: str, age_band: str
) -> pd.DataFrame:
    """The area's own series at `length`, disclosed for the scope: what its
    trend shows, and (by financial year) what its baseline is worked out from."""
    return _disclose(
        _area_series(scope, measure, area, length, age_band),
        measure,
        scope,
        length=length,
        age_band=age_band,
    )


def _trend(
    scope: Scope,
    measure: dict,
    area: AreaInfo,
    length: str,
    age_band: str,
    start: dt.date | None,
    end: dt.date | None,
    own: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """trend_with_benchmark for a measure and an area already looked up (and
    the area's `_own` series, when the caller has it). Both series are
    disclosed first and compared after, so a comparison says nothing the
    published figures do not."""
    if own is None:
        own = _own(scope, measure, area, length, age_band)
    if area.code != NATIONAL_CODE:
        bench = _disclose(
            _benchmark(measure, length, age_band),
            measure,
            scope,
            length=length,
            age_band=age_band,
        )
        frames = [
            _compare(own.assign(role="area"), bench, measure["polarity"]),
            bench.assign(role="benchmark", comparison=""),
        ]
    else:  # (one assign: each copies the frame's columns)
        frames = [own.assign(role="area", comparison="not compared")]
    frames = [f for f in frames if not f.empty] or frames
    # (one frame, the national series, needs no concat: its index is reset below)
    out = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    out = _window(out, start, end)
    if out.empty:
        return pd.DataFrame(columns=TREND_COLUMNS)
    # Each series comes oldest first, the area's before the benchmark's: sorted
    # only when not (sorting a frame cost more than the check, issue 19). Keys
    # strictly in order sort to that same order whatever the algorithm.
    keys = list(zip(out["role"].tolist(), out["period_start"].tolist(), strict=True))
    if not all(a < b for a, b in zip(keys, keys[1:], strict=False)):
        out = out.sort_values(["role", "period_start"], ascending=[True, True])
    return out[TREND_COLUMNS].reset_index(drop=True)


def series_breaks(
    *, measure_code: str, area_code: str, series: pd.DataFrame
) -> list[tuple[str, str]]:
    """(period label, text) for documented breaks inside `series`, for the
    period where the area's series switches from published to illustrative, and
    for a switch between years made of the quarterly series and published annual
    figures (the quarterly knife series is unrevised, so 2009/10 and 2010/11 are
    not on one basis)."""
    # Over the columns as plain lists (a few dozen periods): the frame filters
    # cost more than the breaks (issue 19).
    columns = ["period_start", "period_end", "period", "note"]
    starts, ends, labels, notes = (series[name].tolist() for name in columns)
    flags = series["illustrative"].astype(bool).tolist()
    if "role" in series:
        area = [role == "area" for role in series["role"].tolist()]
        starts, ends, labels, notes, flags = (
            [value for value, keep in zip(values, area, strict=True) if keep]
            for values in (starts, ends, labels, notes, flags)
        )
    if not starts:
        return []
    out = []
    first, last = min(starts), max(ends)
    for month, text in SERIES_BREAKS.get((measure_code, area_code), []):
        if first < month <= last:
            hit = [
                label
                for start, label in zip(starts, labels, strict=True)
                if start >= month
            ]
            if hit:
                out.append((hit[0], text))
    for i in range(1, len(flags)):
        if flags[i] and not flags[i - 1]:
            out.append((labels[i], spc.ILLUSTRATIVE_FROM_HERE))
            break
    # (a missing note is NaN, None or pd.NA: only a string can be one of these)
    quarter_notes = (SUMMED_QUARTERS_NOTE, POOLED_QUARTERS_NOTE)
    from_quarters = [isinstance(note, str) and note in quarter_notes for note in notes]
    for i in range(1, len(from_quarters)):
        if from_quarters[i] == from_quarters[i - 1] or flags[i] != flags[i - 1]:
            continue  # no switch, or one already marked as illustrative data
        out.append(
            (
                labels[i],
                "Published annual figures from here (years before: sums of quarters)"
                if from_quarters[i - 1]
                else "Sums of quarters from here (years before: published annual "
                "figures)",
            )
        )
    return out


def funding_start(*, area_code: str, length: str) -> str | None:
    """The period label at which VRU funding began for the area (or its parent)."""
    area = get_area(area_code)  # NotFound for an unknown area
    start = funding_start_of(area)
    if start is None:
        return None
    if length == "calendar":  # funded from April of that calendar year
        return str(start.year)
    label = periods.fy_label(start.year)
    return f"{label} Q1" if length == "quarter" else label


# --------------------------------------------------------------------- children


def children_latest(
    *,
    scope: Scope,
    measure_code: str,
    parent_code: str,
    length: str = "quarter",
    age_band: str = "all",
) -> pd.DataFrame:
    """The parent's child areas (force areas of England and Wales, local
    authorities of a force area) with their latest value (CHILD_COLUMNS), in name
    order; children with no figure for the latest period keep a row with NaNs."""
    return children_of(
        scope,
        get_measure(measure_code, scope=scope),
        get_area(parent_code),
        length=length,
        age_band=age_band,
    )


def children_of(
    scope: Scope,
    measure: dict,
    parent: AreaInfo,
    *,
    length: str,
    age_band: str,
    parent_own: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """`children_latest` for a measure (its row, as get_measure gives it for
    `scope`) and a parent already looked up: /violence has both from its trend
    view, and each lookup is work again when the cache is off. `parent_own`:
    the parent's `_own` series at `length`, which the children are compared
    with, when the caller has it (the trend view's "own")."""
    measure_code = measure["code"]
    check_length(length)
    check_age_band(age_band)
    # One read of the area list (the funding starts read it too) for the
    # children and for which of them have children of their own; over its
    # columns as plain lists (a few hundred areas): the frame filters cost
    # more than the read (issue 19).
    every = list_areas()
    codes, names, levels, parents = (
        every[column].tolist() for column in ("code", "name", "level", "parent_code")
    )
    grand = {
        parent_code
        for parent_code, level in zip(parents, levels, strict=True)
        if level == "lad"
    }
    children = [
        (code, name, level)
        for code, name, level, parent_code in zip(
            codes, names, levels, parents, strict=True
        )
        if parent_code == parent.code
    ]
    if not measure["is_public"]:
        children = [c for c in children if scope.can_read_area(c[0], parent.code)]
    if not children:
        return pd.DataFrame(columns=CHILD_COLUMNS)
    child_codes = [code for code, _, _ in children]
    out = {
        "area_code": child_codes,
        "area_name": [name for _, name, _ in children],
        "level": [level for _, _, level in children],
        "has_children": [code in grand for code in child_codes],
    }
    # Every child's periods give the latest period most of them report; only
    # its rows are read (issue 19).
    rows = _latest_reads(
        measure_code,
        parent.code,
        age_band,
        length,
        statistics.proportion_scale(measure),
    )
    if rows is None:
        out = pd.DataFrame(out)
        for col in CHILD_COLUMNS:
            if col not in out:
                out[col] = np.nan
        out["suppressed"] = False
        out["illustrative"] = False
        out["comparison"] = "not compared"
        return out[CHILD_COLUMNS]
    # rates of the latest period's rows only (a rate is worked out row by row)
    rows = _add_rates(rows, measure)
    if parent_own is None:
        parent_own = _own(scope, measure, parent, length, age_band)
    rows = _disclose(rows, measure, scope, length=length, age_band=age_band)
    rows = _compare(rows, parent_own, measure["polarity"])
    # Each child's row of the period, a child without one left with missing
    # figures, as a left merge of the children with the rows would give them:
    # each column taken by position, -1 (no row) filled with its missing value
    # (the merge, its type fixes and a frame's columns set one at a time cost
    # more than the rest of the ranking's data, issue 19).
    where = dict(zip(rows["area_code"].tolist(), range(len(rows)), strict=True))
    at = [where.get(code, -1) for code in child_codes]

    def picked(column: str):  # noqa: ANN202 - the column's own array type
        return rows[column].array.take(at, allow_fill=True)

    illustrative, suppressed = (
        rows[col].tolist() for col in ("illustrative", "suppressed")
    )
    # one frame built at once, in CHILD_COLUMNS' order
    return pd.DataFrame(
        {
            **out,
            "period": rows["period"].iloc[0],  # as _by_length labels it ("2022")
            "period_start": rows["period_start"].iloc[0],
            "period_end": rows["period_end"].iloc[0],
            **{col: picked(col) for col in FIGURE_COLUMNS},
            "comparison": picked("comparison").fillna("not compared"),
            "status": picked("status"),
            "source_title": picked("source_title"),
            "illustrative": [i >= 0 and bool(illustrative[i]) for i in at],
            "suppressed": [i >= 0 and bool(suppressed[i]) for i in at],
        }
    )
