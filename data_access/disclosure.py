"""Disclosure control: the one engine every public figure passes through.

DESIGN.md "Disclosure control": charts, hover text, tables, CSV, the API, embeds and
exports all show figures produced here, so a rule is applied once and identically
everywhere. A measure names its rule in ``measure.disclosure_rule``; ``RULES`` holds
the rules and the text the definitions page shows for each. Pure pandas / numpy: no
dash, no flask, no SQL.

What ``apply_disclosure`` does to a long frame (one row per cell)
------------------------------------------------------------------
1. Primary suppression. A count from 1 to 7 ("hes", "small_numbers") is hidden. 0 is
   shown: it identifies nobody, and a hidden 0 could not absorb a change in a hidden
   neighbour, so it would protect nothing.
2. Secondary suppression, only when the table shows totals (``totals_over``). A
   hidden count must not be recoverable by subtracting shown cells from a shown
   total. "At least two hidden cells in every line with a total" is necessary but
   not enough (two hidden blocks joined by a single hidden cell leave that cell
   determined), so the engine uses the network-flow view of a two-way table (Cox):
   a hidden figure is safe when it lies on a cycle of hidden figures along which
   it can be moved up or down, every total staying the same and every hidden
   figure staying >= 1. For each hidden figure without such a cycle the engine
   hides the cheapest set of shown figures that closes one (cost = the count, so
   the next smallest cells go first; totals only as a last resort, which is needed
   when a total is itself 1-7 and the grand total would give it away).
3. Rounding ("hes"): shown counts, totals included, are rounded to the nearest 5,
   half up. Rounded cells need not add up to their rounded total. The
   denominators (``keep_cols``, e.g. a population, and a proportion's checked
   denominator) are rounded to the same base.
4. Every other figure on a hidden row (rate, CI, comparison, ...) is hidden with it.
5. Figures derived from a count (a rate, its CI, a percentage) are worked out
   again by the caller's ``rates`` function from the *published* (rounded) count
   and denominator, so no combination of published fields (rate x denominator,
   CI width, ...) gives the unrounded count back. A rounding rule with derived
   numeric figures and no ``rates`` function is refused: it would publish rates
   of the unrounded count (the leak that rate x denominator / 100,000 = 18 showed
   for a count published as 20).

A proportion (a percentage of a numerator over a denominator) is two counts: its
numerator is a count as above, and its denominator a checked count
(``check_cols``): a small one (1-7) hides its row and itself; a shown one is
rounded by a rounding rule like every denominator. The percentage itself is a
derived figure: hidden with its row, worked out again from the published counts,
never rounded or judged as a count.

What is proved, against whom
----------------------------
The reader knows the rule, every shown count and every shown total *exactly* (the
proof ignores rounding: rounding only widens what the reader knows, so a "hes"
table is safe before it is rounded), and that each hidden figure is a count >= 1
(0 is never hidden). Such a reader cannot pin any hidden figure to a single value;
tests/data_access/test_disclosure.py checks this with a linear-programming attacker.
The output never says which hidden figures were primary (1-7) and which secondary:
a reader who knew that could narrow them further. As in HES practice, a reader may
still bound a hidden figure (e.g. a secondary cell is at most the smallest shown
cell in its line); only exact recovery is prevented.

Why rounding alone would not do: a row 1, 8, 8 with total 17 is published as
``*, 10, 10`` with total ``15``. Knowing shown counts are >= 8 and the total <= 17,
the hidden figure is <= 17 - 16 = 1, so it is 1. Secondary suppression runs on the
unrounded table for exactly this reason.

Rates: under a rounding rule the rate and CI of a shown row are worked out from
the published count and the published denominator (step 5), so the rate says
nothing the count does not. Protection still never relies on rounding: the
proof above holds for a reader who knows every shown count exactly.

Limits: the engine knows only the totals it is told about. Totals along at most two
dimensions per table (the other group columns split it into independent tables). A
total that includes more than its cells (e.g. "residence unknown") must be passed
as an extra cell so that it is protected too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from types import MappingProxyType

import numpy as np
import pandas as pd

from data_access.secondary_suppression import TOTAL_OVER, _key_tuples, _secondary

SUPPRESSED = "suppressed"  # bool column added to every disclosed frame
MARKER = "*"  # how a hidden figure is displayed
# Text columns computed from the count; numeric ones are found automatically.
DERIVED_TEXT_COLS = ("comparison_95", "comparison_998", "rag", "trend")


@dataclass(frozen=True)
class DisclosureRule:
    """A named rule; ``measure.disclosure_rule`` stores ``name``."""

    name: str
    label: str
    low: int | None  # smallest count hidden (None: nothing hidden)
    high: int | None  # largest count hidden
    rounding_base: int | None  # shown counts rounded to a multiple of this
    description: str  # for the definitions page
    why_hidden: str  # the short "why is this hidden?" note

    @property
    def suppresses(self) -> bool:
        return self.low is not None and self.high is not None

    @property
    def text(self) -> str:
        """The rule as one paragraph for users."""
        return f"{self.description} {self.why_hidden}".strip()


_WHY_HIDDEN = (
    "Why is this hidden? A count from 1 to 7 could help identify a person, so it "
    "is shown as *. Some larger counts are also shown as * so that a hidden count "
    "cannot be worked out by subtracting the other figures from a total."
)

RULES: Mapping[str, DisclosureRule] = MappingProxyType(
    {
        "none": DisclosureRule(
            name="none",
            label="Shown in full",
            low=None,
            high=None,
            rounding_base=None,
            description=(
                "These figures are already published (for example police recorded "
                "crime) and are shown in full: nothing is hidden or rounded."
            ),
            why_hidden="",
        ),
        "hes": DisclosureRule(
            name="hes",
            label="NHS Hospital Episode Statistics rules",
            low=1,
            high=7,
            rounding_base=5,
            description=(
                "Follows the NHS Hospital Episode Statistics (HES) rules: counts "
                "from 1 to 7 are shown as *, 0 is shown as 0 and other counts are "
                "rounded to the nearest 5, so figures may not add up to their "
                "totals. Populations and other denominators are rounded to the "
                "nearest 5 too. Rates, percentages and confidence intervals are "
                "worked out from the rounded figures, and are hidden where the "
                "count is hidden."
            ),
            why_hidden=_WHY_HIDDEN,
        ),
        "small_numbers": DisclosureRule(
            name="small_numbers",
            label="Small numbers hidden",
            low=1,
            high=7,
            rounding_base=None,
            description=(
                "Counts from 1 to 7 are shown as *; 0 and counts of 8 or more are "
                "shown in full. Rates and confidence intervals are hidden where "
                "the count is hidden."
            ),
            why_hidden=_WHY_HIDDEN,
        ),
    }
)


def get_rule(name: str) -> DisclosureRule:
    """The rule called `name`; an unknown name is an error, never "show everything"."""
    try:
        return RULES[name]
    except KeyError:
        known = ", ".join(sorted(RULES))
        raise ValueError(f"unknown disclosure rule {name!r} (known: {known})") from None


def role_note(rule: str | DisclosureRule, *, controlled: bool) -> str:
    """One sentence for a chart's caption saying whether the reader's figures
    went through `rule`: an admin and a board member see different counts for
    the same cell, and each should be told which they see ("" when the rule
    changes nothing)."""
    the_rule = get_rule(rule) if isinstance(rule, str) else rule
    if not the_rule.suppresses:
        return ""
    what = f"counts from {the_rule.low} to {the_rule.high} are shown as *"
    if the_rule.rounding_base:
        what += (
            f" and other counts and denominators are rounded to the nearest "
            f"{the_rule.rounding_base}, with rates worked out from the rounded "
            "figures"
        )
    if controlled:
        return f"Disclosure control applies to your role ({the_rule.label}): {what}."
    return (
        f"Your role sees figures before disclosure control; boards, leads and the "
        f"public see them under the {the_rule.label}: {what}."
    )


def small_counts(counts: pd.Series, rule: str | DisclosureRule) -> pd.Series:
    """Where `rule` hides a count (1 to 7, to the nearest whole number, so a summed
    float denominator will do; nowhere for a rule that hides none, nor for NA)."""
    the_rule = get_rule(rule) if isinstance(rule, str) else rule
    if not the_rule.suppresses:
        return pd.Series(False, index=counts.index)
    numbers = pd.to_numeric(counts, errors="raise").astype("Float64").round()
    return numbers.between(the_rule.low, the_rule.high).fillna(False).astype(bool)


@dataclass(frozen=True)
class DisclosedTable:
    """The result of ``apply_disclosure``.

    frame: the display frame: the input rows (plus any total rows the engine had to
        add), hidden figures as NA, a bool column ``suppressed`` per row.
    suppressed_mask: ``frame["suppressed"]`` as a Series.
    primary_mask: rows hidden by this call for their own count (1-7). For audit and
        tests only: never publish it, it tells a reader which hidden figures are
        small.
    hidden_columns: the columns blanked on hidden rows (counts and derived figures).
    """

    frame: pd.DataFrame
    rule: DisclosureRule
    suppressed_mask: pd.Series
    primary_mask: pd.Series
    hidden_columns: tuple[str, ...] = field(default=())

    @property
    def any_suppressed(self) -> bool:
        return bool(self.suppressed_mask.any())

    @property
    def note(self) -> str:
        """Rule text, plus "why is this hidden?" when something is hidden."""
        if self.any_suppressed:
            return self.rule.text
        return self.rule.description

    def display(self) -> pd.DataFrame:
        """``format_for_display`` of the frame."""
        return format_for_display(self.frame, columns=self.hidden_columns)


def format_for_display(
    frame: pd.DataFrame, *, columns: Sequence[str] | None = None
) -> pd.DataFrame:
    """A copy of a disclosed frame with hidden figures as ``*``.

    `columns` defaults to the hidden columns ``apply_disclosure`` recorded in
    ``frame.attrs``. Missing data (NA on a row that is not suppressed) stays NA so
    that "no data" and "hidden" never look alike. Number formatting is left to
    the presentation layer.
    """
    if SUPPRESSED not in frame.columns:
        raise ValueError("frame has not been through apply_disclosure")
    if columns is None:
        recorded = frame.attrs.get("disclosure", {}).get("hidden_columns")
        if recorded is None:
            raise ValueError("say which columns to mark: columns=[...]")
        columns = recorded
    out = frame.copy()
    hidden = out[SUPPRESSED].to_numpy(dtype=bool)
    for col in columns:
        out[col] = out[col].astype(object).where(~hidden, MARKER)
    return out


def compute_totals(
    df: pd.DataFrame,
    *,
    group_cols: Sequence[str],
    totals_over: Sequence[str],
    sum_cols: Sequence[str] = ("numerator",),
) -> pd.DataFrame:
    """Total rows for a long frame, from its raw (undisclosed) cells.

    One row per total: summed over each dimension in `totals_over`, and over all of
    them together (the grand total). Summed dimensions are NA and ``total_over``
    names them ("area_code", "area_code+period"). Concatenate the result to the
    cells, add rates, then pass the lot to ``apply_disclosure``, which checks these
    totals and hides them by the rule (a total is hidden when its own count is 1-7,
    or in the last resort described in the module docstring). Never total a
    disclosed frame: hidden cells would be left out.
    """
    group_cols, totals_over, sum_cols = (
        list(group_cols),
        list(totals_over),
        list(sum_cols),
    )
    _check_totals_over(group_cols=group_cols, totals_over=totals_over)
    _check_columns(df, [*group_cols, *sum_cols])
    cells = df
    if TOTAL_OVER in df.columns:
        cells = df[_kind_strings(df[TOTAL_OVER]) == ""]
    pieces = []
    for size in range(1, len(totals_over) + 1):
        for subset in combinations(totals_over, size):
            keys = [g for g in group_cols if g not in subset]
            # Grouping by a constant gives the grand total the same dtypes as
            # the others (and no row at all when there are no cells).
            by = keys or np.zeros(len(cells), dtype=np.int8)
            summed = (
                cells.groupby(by, dropna=False, sort=True)[sum_cols]
                .sum(min_count=1)
                .reset_index(drop=not keys)
            )
            for dim in subset:
                summed[dim] = _na_series(cells[dim], len(summed), summed.index)
            summed[TOTAL_OVER] = "+".join(g for g in group_cols if g in subset)
            pieces.append(summed[[*group_cols, *sum_cols, TOTAL_OVER]])
    return pd.concat(pieces, ignore_index=True)


def apply_disclosure(
    df: pd.DataFrame,
    *,
    rule: str | DisclosureRule,
    count_cols: Sequence[str] = ("numerator",),
    check_cols: Sequence[str] = (),
    group_cols: Sequence[str] = (),
    totals_over: Sequence[str] = (),
    keep_cols: Sequence[str] = ("denominator",),
    derived_cols: Sequence[str] = DERIVED_TEXT_COLS,
    rates: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
) -> DisclosedTable:
    """Apply `rule` to a long frame of counts; the input is never modified.

    count_cols: columns holding counts: hidden when 1-7 and rounded by the rule.
        ``count_cols[0]`` is the count secondary suppression protects; list
        ``value`` here too when it repeats the count (else it escapes rounding).
        A row is hidden when any of its counts is 1-7.
    check_cols: counts that are checked but never rounded (a proportion's
        denominator): a row is hidden when one of them is 1-7, and that figure is
        hidden with it; otherwise it stays shown, on hidden rows too (as a keep
        column does), and keeps its dtype. Checked to the nearest whole number, so
        a summed float denominator will do. Summed in the total rows the engine
        adds, and checked there too.
    group_cols: the dimensions that identify a cell (e.g. area_code, period_start).
    totals_over: the dimensions (one or two of `group_cols`) along which the table
        shows totals. The engine then assumes every such total and the grand total
        are shown, protects them, and adds any total rows the frame lacks
        (``total_over`` column; only counts and checked counts filled in). Total
        rows already in the frame (from ``compute_totals``) must equal the sums of
        the cells.
    keep_cols: numeric columns that do not come from the count and stay shown on
        hidden rows (the population denominator).
    derived_cols: non-numeric columns computed from the count, blanked on hidden
        rows (only those present are used). Every numeric column not in
        `count_cols`, `check_cols`, `group_cols` or `keep_cols` is treated as
        derived: a column nobody thought about fails closed.
    rates: works the derived numeric figures (rate, CI, percentage) out again
        from a frame of published counts and denominators; the engine calls it
        after rounding and takes its derived columns for the shown rows.
        Required when the rule rounds and the frame has derived numeric figures.

    The frame gets a bool column ``suppressed``; hidden counts and derived figures
    are NA; counts become nullable integers. A frame that already has
    ``suppressed`` is treated as disclosed: hidden rows stay hidden and shown counts
    are checked again, which changes nothing for a frame this function produced
    (so it is idempotent); it raises if anything new would need hiding, because
    the raw counts needed to protect it are gone.
    """
    the_rule = get_rule(rule) if isinstance(rule, str) else rule
    count_cols, group_cols = list(count_cols), list(group_cols)
    check_cols, totals_over = list(check_cols), list(totals_over)
    if not count_cols:
        raise ValueError("count_cols must name at least one column")
    if set(check_cols) & set(count_cols):
        raise ValueError("a column is either a count or a checked count, not both")
    _check_columns(df, [*count_cols, *check_cols, *group_cols])
    _check_totals_over(group_cols=group_cols, totals_over=totals_over)
    already = SUPPRESSED in df.columns

    work = df.copy()
    if totals_over:
        work = _with_totals(
            work,
            count_cols=[*count_cols, *check_cols],
            group_cols=group_cols,
            totals_over=totals_over,
            already=already,
        )
    n = len(work)
    hidden = (
        np.array(work[SUPPRESSED].fillna(False), dtype=bool)  # a writable copy
        if already
        else np.zeros(n, dtype=bool)
    )
    primary = np.zeros(n, dtype=bool)

    if the_rule.suppresses:
        counts = {c: _as_counts(work[c], column=c) for c in count_cols}
        for series in counts.values():
            small = series.between(the_rule.low, the_rule.high)
            primary |= small.fillna(False).to_numpy(dtype=bool)
        checked = {c: small_counts(work[c], the_rule) for c in check_cols}
        for small in checked.values():
            primary |= small.to_numpy(dtype=bool)
        primary &= ~hidden
        if already and primary.any():
            raise ValueError(
                "this frame is already disclosed and has counts that would now need "
                "hiding; disclose the raw figures instead"
            )
        hidden |= primary
        if totals_over and primary.any():
            hidden = _secondary(
                work,
                counts=counts[count_cols[0]],
                hidden=hidden,
                group_cols=group_cols,
                totals_over=totals_over,
            )
        base = the_rule.rounding_base
        for col, series in counts.items():
            if base:
                series = _round_half_up(series, base=base)
            work[col] = series.mask(hidden)
        for col, small in checked.items():
            if base:
                work[col] = _round_denominator(work[col], base=base)
            work[col] = work[col].mask(small)
        if base:
            for col in keep_cols:
                if col in work and col not in group_cols:
                    work[col] = _round_denominator(work[col], base=base)
    else:
        for col in count_cols:
            work[col] = work[col].mask(hidden)

    derived = _derived_columns(
        work,
        count_cols=[*count_cols, *check_cols],
        group_cols=group_cols,
        keep_cols=keep_cols,
        derived_cols=derived_cols,
    )
    numeric_derived = [
        c
        for c in derived
        if pd.api.types.is_numeric_dtype(work[c].dtype)
        and not pd.api.types.is_bool_dtype(work[c].dtype)
    ]
    if the_rule.rounding_base and numeric_derived and not already:
        if rates is None:
            raise ValueError(
                f"rule {the_rule.name!r} rounds counts: pass rates= to work "
                f"{numeric_derived} out from the rounded figures"
            )
        shown = ~hidden
        again = rates(work[shown].copy())
        for col in numeric_derived:
            if col in again:
                column = work[col].astype(float)
                column[shown] = pd.to_numeric(again[col]).to_numpy(dtype=float)
                work[col] = column
    for col in derived:
        work[col] = work[col].mask(hidden)
    work[SUPPRESSED] = hidden
    hidden_columns = tuple([*count_cols, *derived])
    work.attrs["disclosure"] = {
        "rule": the_rule.name,
        "hidden_columns": list(hidden_columns),
    }
    return DisclosedTable(
        frame=work,
        rule=the_rule,
        suppressed_mask=work[SUPPRESSED].copy(),
        primary_mask=pd.Series(primary, index=work.index, name="primary"),
        hidden_columns=hidden_columns,
    )


# --- checks and small helpers


def _check_columns(df: pd.DataFrame, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"frame has no column(s) {missing}")


def _check_totals_over(
    *, group_cols: Sequence[str], totals_over: Sequence[str]
) -> None:
    if not set(totals_over) <= set(group_cols):
        raise ValueError("totals_over must be a subset of group_cols")
    if len(set(totals_over)) != len(totals_over):
        raise ValueError("totals_over names a column twice")
    if len(totals_over) > 2:
        # Three-way tables are not network flows: the cycle argument that proves
        # protection does not hold, so refuse rather than publish unproved output.
        raise ValueError("totals along more than two dimensions are not supported")


def _as_counts(series: pd.Series, *, column: str) -> pd.Series:
    """Nullable integers; a count that is negative or fractional is an error."""
    numeric = pd.to_numeric(series, errors="raise")
    present = numeric.dropna()
    if (present < 0).any() or (present % 1 != 0).any():
        raise ValueError(f"{column} must hold whole, non-negative counts")
    return numeric.astype("Int64")


def _round_half_up(series: pd.Series, *, base: int) -> pd.Series:
    # Integer arithmetic, so 12 -> 10 and 13 -> 15 with no float surprises.
    return (series * 2 + base) // (2 * base) * base


def _round_denominator(series: pd.Series, *, base: int) -> pd.Series:
    """A denominator rounded half up to `base`, keeping its dtype (a float
    population stays a float); NA stays NA."""
    numeric = pd.to_numeric(series, errors="raise")
    rounded = np.floor(numeric.astype("Float64") / base + 0.5) * base
    return rounded.astype(numeric.dtype)


def _derived_columns(
    work: pd.DataFrame,
    *,
    count_cols: Sequence[str],
    group_cols: Sequence[str],
    keep_cols: Sequence[str],
    derived_cols: Sequence[str],
) -> list[str]:
    skip = {*count_cols, *group_cols, *keep_cols, SUPPRESSED, TOTAL_OVER}
    out = []
    for col in work.columns:
        if col in skip:
            continue
        dtype = work[col].dtype
        numeric = pd.api.types.is_numeric_dtype(dtype)
        if col in derived_cols or (numeric and not pd.api.types.is_bool_dtype(dtype)):
            out.append(col)
    return out


def _na_series(like: pd.Series, n: int, index: pd.Index) -> pd.Series:
    """NA values in a dtype that keeps `like`'s kind (ints stay integers)."""
    dtype = like.dtype
    if pd.api.types.is_bool_dtype(dtype):
        dtype = "boolean"
    elif pd.api.types.is_integer_dtype(dtype):
        dtype = "Int64"
    return pd.Series([pd.NA] * n, index=index, dtype=dtype)


def _kind_strings(column: pd.Series) -> np.ndarray:
    return column.astype(object).where(column.notna(), "").to_numpy(dtype=object)


def _with_totals(
    work: pd.DataFrame,
    *,
    count_cols: list[str],
    group_cols: list[str],
    totals_over: list[str],
    already: bool,
) -> pd.DataFrame:
    """Check total rows in the frame and add the missing ones (raw counts)."""
    if TOTAL_OVER in work.columns:
        kinds = _kind_strings(work[TOTAL_OVER])
    else:
        kinds = np.full(len(work), "", dtype=object)
    canonical = []
    for kind in kinds:
        dims = set(kind.split("+")) if kind else set()
        if not dims <= set(totals_over):
            raise ValueError(f"total row over {kind!r} is not one of totals_over")
        canonical.append("+".join(g for g in group_cols if g in dims))
    work[TOTAL_OVER] = pd.Series(canonical, index=work.index, dtype=object)
    is_cell = work[TOTAL_OVER] == ""
    cells = work[is_cell]
    cell_keys = _key_tuples(cells, group_cols)
    if len(set(cell_keys)) != len(cell_keys):
        raise ValueError(f"cells are not unique by {group_cols}")

    expected = compute_totals(
        cells, group_cols=group_cols, totals_over=totals_over, sum_cols=count_cols
    )
    expected_keys = [
        (*k, kind)
        for k, kind in zip(
            _key_tuples(expected, group_cols), expected[TOTAL_OVER], strict=True
        )
    ]
    supplied = work[~is_cell]
    supplied_keys = [
        (*k, kind)
        for k, kind in zip(
            _key_tuples(supplied, group_cols), supplied[TOTAL_OVER], strict=True
        )
    ]
    if len(set(supplied_keys)) != len(supplied_keys):
        raise ValueError("the frame has the same total row twice")
    position = {key: i for i, key in enumerate(expected_keys)}
    unknown = [k for k in supplied_keys if k not in position]
    if unknown:
        raise ValueError(f"total rows with no cells to total: {unknown[:3]}")
    if not already:
        # The protection is proved for totals equal to the sum of the cells.
        got = (
            supplied[count_cols]
            .astype("Float64")
            .to_numpy(dtype=float, na_value=np.nan)
        )
        rows = [position[k] for k in supplied_keys]
        want = (
            expected[count_cols]
            .astype("Float64")
            .to_numpy(dtype=float, na_value=np.nan)[rows]
        )
        if not np.array_equal(got, want, equal_nan=True):
            raise ValueError(
                "total rows do not equal the sum of their cells; build them with "
                "compute_totals from the raw counts"
            )
    missing = sorted(set(position) - set(supplied_keys), key=position.__getitem__)
    if not missing:
        return work
    if already:
        raise ValueError(
            "cannot add protected totals to a frame that is already disclosed"
        )
    extra = expected.iloc[[position[k] for k in missing]]
    return pd.concat([work, extra], ignore_index=True)
