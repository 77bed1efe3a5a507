"""Disclosure control of a success measure's series (data_access.disclosure),
applied when `scope.needs_disclosure_control` and the measure's rule is not
"none": the area's cells, and the sums of force areas beside them, are disclosed
by the same engine so that a suppressed cell cannot be recovered from a total.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from data_access import disclosure, statistics
from data_access.areas import ENGLAND_CODE, NATIONAL_CODE
from data_access.cache import memoized
from data_access.outcomes.benchmarking import (
    _england_only,
    _force_series,
    _national,
)
from data_access.outcomes.raw_series import (
    FIGURE_COLUMNS,
    _add_rates,
    _no_interval_if_approximate,
)
from data_access.scope import Scope

# --------------------------------------------------------------------- disclosure


def _needs_disclosure(measure: dict, scope: Scope) -> bool:
    return scope.needs_disclosure_control and measure["disclosure_rule"] != "none"


def _engine_columns(measure: dict) -> dict:
    """apply_disclosure's column roles for a frame of the measure's figures.

    A count measure's value is its count: hidden and rounded with the numerator,
    its denominator a population (kept, rounded by a rounding rule). A
    proportion's value is a percentage worked out from two counts, so the rule
    applies to those (DESIGN.md "Disclosure control"): the row is hidden when its
    numerator, or its denominator, is small, the denominator itself only where
    it is the small one; the percentage is worked out again, never rounded."""
    if statistics.proportion_scale(measure) is not None:
        return {
            "count_cols": ("numerator",),
            "check_cols": ("denominator",),
            "keep_cols": (),
        }
    return {
        "count_cols": ("numerator", "value"),
        "check_cols": (),
        "keep_cols": ("denominator",),
    }


def _rate_function(measure: dict):
    """Rates and CIs (and a proportion's value) from published figures: what the
    engine calls after rounding, so a rate never says more than its count."""
    scale = statistics.proportion_scale(measure)

    def rates(frame: pd.DataFrame) -> pd.DataFrame:
        work = frame.copy()
        for col in ("numerator", "denominator"):
            work[col] = pd.to_numeric(work[col]).astype(float)
        out = _add_rates(work, measure)
        if scale is not None:
            out["value"] = statistics.pooled(
                work["numerator"], work["denominator"], scale
            )
        return out

    return rates


_CELL_KEYS = ["area_code", "period_start"]
_DISCLOSED_FIGURES = [*FIGURE_COLUMNS, "suppressed"]
_REST_OF_BENCHMARK = "_rest"  # the part of a published benchmark no area reports


@memoized
def _disclosed_forces(
    measure_code: str, length: str, age_band: str, measure_key: tuple
) -> pd.DataFrame:
    """Every force area's figures of a measure and their total per period (the
    benchmark), disclosed together by the one engine: the benchmark is a total
    of the force areas, so it is protected as one (secondary suppression), and a
    force area's figure is the same on its own trend, in the list of force areas
    and under the API. A published benchmark that counts more than its force
    areas (residence unknown) has that remainder as one more cell.

    Columns: area_code (NATIONAL_CODE for the total rows, whatever the
    benchmark's code), period_start and _DISCLOSED_FIGURES; a total row's rates
    are NaN (they need the benchmark's own denominator)."""
    measure = dict(measure_key)
    scale = statistics.proportion_scale(measure)
    england_only = _england_only(measure)
    forces = _force_series(measure_code, age_band, length, scale, england_only)
    usable = forces["numerator"].notna() & forces["denominator"].notna()
    cells = forces.loc[usable, [*_CELL_KEYS, "value", "numerator", "denominator"]]
    if cells.empty:
        return pd.DataFrame(columns=[*_CELL_KEYS, *_DISCLOSED_FIGURES])
    roles = _engine_columns(measure)
    summed = [*roles["count_cols"], *roles["check_cols"]]
    cells = cells.astype({c: float for c in summed}).round({c: 0 for c in summed})
    bench = _national(
        measure_code,
        length,
        age_band,
        proportion_scale=scale,
        england_only=england_only,
    )
    sums = cells.groupby("period_start")[summed].sum()
    rest = bench.set_index("period_start")[summed].reindex(sums.index) - sums
    rest = rest.dropna().round()
    # a remainder below zero is not a count: that benchmark is hidden instead
    unprotectable = set(rest.index[(rest < 0).any(axis=1)])
    rest = rest[(rest > 0).any(axis=1) & ~rest.index.isin(unprotectable)]
    rest_cells = rest.reset_index().assign(area_code=_REST_OF_BENCHMARK)
    cells = pd.concat([cells, rest_cells], ignore_index=True)
    cells = _add_rates(cells.astype({c: "Int64" for c in summed}), measure)
    totals = disclosure.compute_totals(
        cells, group_cols=_CELL_KEYS, totals_over=["area_code"], sum_cols=summed
    )
    table = pd.concat([cells.assign(total_over=""), totals], ignore_index=True)
    shown = disclosure.apply_disclosure(
        table,
        rule=measure["disclosure_rule"],
        group_cols=_CELL_KEYS,
        totals_over=["area_code"],
        rates=_rate_function(measure),
        **roles,
    ).frame
    is_total = shown[disclosure.TOTAL_OVER] != ""
    shown.loc[is_total, "area_code"] = NATIONAL_CODE
    shown.loc[is_total & shown["period_start"].isin(unprotectable), "suppressed"] = True
    shown = shown[shown["area_code"] != _REST_OF_BENCHMARK]
    for col in _DISCLOSED_FIGURES[:-1]:
        if col not in shown:
            shown[col] = np.nan
        shown[col] = pd.to_numeric(shown[col]).astype(float)
    hidden = shown["suppressed"].astype(bool)
    shown.loc[hidden, ["value", "numerator", "rate", "rate_lower", "rate_upper"]] = (
        np.nan
    )
    shown["suppressed"] = hidden
    return shown[[*_CELL_KEYS, *_DISCLOSED_FIGURES]].reset_index(drop=True)


def published_force_areas(measure: dict, *, length: str, age_band: str) -> pd.DataFrame:
    """`_disclosed_forces` for a measure row: every force area's figures as
    the public and scoped users get them (area_code, period_start, value,
    numerator, denominator, rates, suppressed), for other views of the same
    figures (the /compare ranking) to publish no more than these."""
    return _disclosed_forces(measure["code"], length, age_band, _measure_key(measure))


def _measure_key(measure: dict) -> tuple:
    """The measure fields disclosure needs, as a hashable memo key."""
    fields = ("code", "disclosure_rule", "ci_method", "rate_multiplier", "unit")
    key = {f: measure[f] for f in fields}
    key["coverage"] = measure["coverage"]
    if pd.isna(key["rate_multiplier"]):
        key["rate_multiplier"] = None
    return tuple(sorted(key.items()))


def _disclose(
    frame: pd.DataFrame, measure: dict, scope: Scope, *, length: str, age_band: str
) -> pd.DataFrame:
    """Hide small counts (and what derives from them) for users who need it, and
    round by the measure's rule, through the one engine: force areas and the
    benchmark from `_disclosed_forces` (protected together), any other area
    (a local authority) cell by cell. Rates and CIs are worked out from the
    published figures. A hidden row is "not compared"; callers compare after
    disclosure, against the published benchmark."""
    # assign, not copy: pandas copies on write, so the frame is copied only
    # where disclosure writes to it (most scopes see figures as they are)
    out = frame.assign(suppressed=False)
    if out.empty or not _needs_disclosure(measure, scope):
        return out
    table = _disclosed_forces(measure["code"], length, age_band, _measure_key(measure))
    bench_codes = {NATIONAL_CODE, ENGLAND_CODE}
    is_bench = out["area_code"].isin(bench_codes).to_numpy()
    keys = list(
        zip(
            np.where(is_bench, NATIONAL_CODE, out["area_code"]),
            out["period_start"],
            strict=True,
        )
    )
    found = table.set_index(_CELL_KEYS)
    known = np.array([key in found.index for key in keys], dtype=bool)
    if known.any():
        picked = found.loc[[k for k, hit in zip(keys, known, strict=True) if hit]]
        rows = np.flatnonzero(known)
        for col in _DISCLOSED_FIGURES:
            column = out[col].astype(object if col == "suppressed" else float)
            column.iloc[rows] = picked[col].to_numpy()
            out[col] = column
        # A benchmark's rate is its own denominator's (a published population,
        # rounded by the rule), over the count the engine published.
        bench_rows = rows[is_bench[rows]]
        if len(bench_rows) and statistics.proportion_scale(measure) is None:
            raw = frame["denominator"].iloc[bench_rows].to_numpy(dtype=float)
            base = disclosure.get_rule(measure["disclosure_rule"]).rounding_base
            out.iloc[bench_rows, out.columns.get_loc("denominator")] = (
                np.floor(raw / base + 0.5) * base if base else raw
            )
        shown_bench = bench_rows[~out["suppressed"].iloc[bench_rows].astype(bool)]
        if len(shown_bench):
            again = _rate_function(measure)(out.iloc[shown_bench])
            for col in ("rate", "rate_lower", "rate_upper", "value"):
                out.iloc[shown_bench, out.columns.get_loc(col)] = again[col].to_numpy()
    rest = np.flatnonzero(~known)
    if len(rest):
        cells = out.iloc[rest][
            [*_CELL_KEYS, "numerator", "value", "denominator", "rate"]
            + ["rate_lower", "rate_upper"]
        ].copy()
        cells = cells.drop(columns="suppressed", errors="ignore")
        roles = _engine_columns(measure)
        for col in (*roles["count_cols"], *roles["check_cols"]):
            cells[col] = cells[col].round()
        shown = disclosure.apply_disclosure(
            cells,
            rule=measure["disclosure_rule"],
            group_cols=_CELL_KEYS,
            rates=_rate_function(measure),
            **roles,
        ).frame
        for col in _DISCLOSED_FIGURES:
            column = out[col].astype(object if col == "suppressed" else float)
            values = shown[col].to_numpy()
            column.iloc[rest] = (
                values
                if col == "suppressed"
                else pd.to_numeric(shown[col]).astype(float).to_numpy()
            )
            out[col] = column
    out["suppressed"] = out["suppressed"].astype(bool)
    if "comparison" in out:
        out.loc[out["suppressed"], "comparison"] = "not compared"
    return _no_interval_if_approximate(out)
