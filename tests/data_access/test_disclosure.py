"""Disclosure control: the rules cell by cell, and proof that totals give nothing away.

The property tests play an attacker who knows every shown count and total exactly
(stronger than a real reader of a "hes" table, who only sees them rounded) and that
every hidden figure is a count of at least 1. For each hidden figure the attacker
solves two linear programmes (scipy.optimize.linprog): the smallest and the largest
value consistent with everything shown. The engine passes when the two differ for
every hidden figure, i.e. no hidden figure can be worked out.
"""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from data_access import disclosure as d

GROUP = ("area", "period")
ALL_TOTALS = ("area", "period")


# --- building tables


def _long(grid: list[list[int]]) -> pd.DataFrame:
    """Areas (rows of `grid`) by periods (columns) as a long frame with rates."""
    rows = [
        {"area": f"A{r}", "period": f"P{c}", "numerator": value}
        for r, line in enumerate(grid)
        for c, value in enumerate(line)
    ]
    frame = pd.DataFrame(rows, columns=["area", "period", "numerator"])
    frame["denominator"] = 50_000
    return _with_rates(frame)


def _with_rates(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    per = 100_000 / frame["denominator"]
    frame["rate"] = frame["numerator"] * per
    # Stand-ins for CIs: only "computed from the count" matters here.
    frame["rate_lower"] = frame["rate"] * 0.8
    frame["rate_upper"] = frame["rate"] * 1.2
    return frame


def _disclose(frame: pd.DataFrame, **options) -> d.DisclosedTable:
    """The engine with this file's rate function (rates from the shown counts)."""
    return d.apply_disclosure(frame, rates=_with_rates, **options)


def _with_totals(cells: pd.DataFrame, totals_over=ALL_TOTALS) -> pd.DataFrame:
    totals = d.compute_totals(
        cells,
        group_cols=GROUP,
        totals_over=totals_over,
        sum_cols=("numerator", "denominator"),
    )
    cells = cells.assign(total_over="")
    return _with_rates(pd.concat([cells, totals], ignore_index=True))


# --- the attacker


def _constraints(frame: pd.DataFrame, *, group_cols, totals_over) -> list[list]:
    """Every published "sum of parts = total" as a list of (row, +1 / -1).

    A total row summed over a set of dimensions K is, along each d in K, the sum
    of the rows summed over K - {d} that agree with it on every other column.
    """
    kinds = [frozenset(k.split("+")) if k else frozenset() for k in frame.total_over]
    keys = frame[list(group_cols)].astype(object).to_numpy()
    lines = []
    for t, kind in enumerate(kinds):
        for dim in kind:
            part_kind = kind - {dim}
            fixed = [i for i, g in enumerate(group_cols) if g not in kind]
            members = [
                (m, 1)
                for m, other in enumerate(kinds)
                if other == part_kind and all(keys[m][i] == keys[t][i] for i in fixed)
            ]
            lines.append([*members, (t, -1)])
    assert {dim for k in kinds for dim in k} <= set(totals_over)
    return lines


def _attack(
    frame: pd.DataFrame,
    raw: np.ndarray,
    *,
    group_cols=GROUP,
    totals_over=ALL_TOTALS,
    rounding: int | None = None,
) -> dict[int, tuple[float, float]]:
    """(smallest, largest) feasible value of every hidden row's count.

    Shown figures are known exactly (`rounding` None) or, with `rounding`, only as
    published: a shown s is 0 exactly, else in [max(8, s - 2), s + 2].
    """
    hidden = frame["suppressed"].to_numpy(dtype=bool)
    shown_value = frame["numerator"]
    variables = list(np.flatnonzero(hidden))
    bounds = [(1, None)] * len(variables)
    if rounding:
        for pos in np.flatnonzero(~hidden):
            s = int(shown_value.iloc[pos])
            half = rounding // 2
            bounds.append((0, 0) if s == 0 else (max(8, s - half), s + half))
            variables.append(pos)
    column = {pos: k for k, pos in enumerate(variables)}
    a_eq, b_eq = [], []
    for line in _constraints(frame, group_cols=group_cols, totals_over=totals_over):
        row = np.zeros(len(variables))
        rhs = 0.0
        for pos, sign in line:
            if pos in column:
                row[column[pos]] += sign
            else:
                rhs -= sign * raw[pos]
        if row.any():
            a_eq.append(row)
            b_eq.append(rhs)
        else:
            assert rhs == 0  # the published figures agree with each other
    ranges = {}
    for pos in np.flatnonzero(hidden):
        ends = []
        for sense in (1, -1):
            c = np.zeros(len(variables))
            c[column[pos]] = sense
            res = linprog(
                c,
                A_eq=np.array(a_eq) if a_eq else None,
                b_eq=np.array(b_eq) if b_eq else None,
                bounds=bounds,
                method="highs",
            )
            assert res.status in (0, 3), res.message  # 2 would mean a wrong model
            ends.append(sense * res.fun if res.status == 0 else np.inf)
        ranges[int(pos)] = (ends[0], ends[1])
    return ranges


def _recovered(ranges: dict[int, tuple[float, float]]) -> list[int]:
    return [pos for pos, (low, high) in ranges.items() if high - low < 1e-6]


# --- strategies

counts = st.one_of(st.just(0), st.integers(1, 7), st.integers(8, 60))


@st.composite
def grids(draw, max_side: int = 6) -> list[list[int]]:
    n_rows = draw(st.integers(1, max_side))
    n_cols = draw(st.integers(1, max_side))
    return [
        draw(st.lists(counts, min_size=n_cols, max_size=n_cols)) for _ in range(n_rows)
    ]


rules = st.sampled_from(["hes", "small_numbers"])
FAST = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


# --- the rules, cell by cell


def _one_column(values, rule):
    frame = _long([[v] for v in values])
    return frame, _disclose(frame, rule=rule, group_cols=GROUP)


def test_registry_names_the_three_rules_with_text_for_users():
    assert set(d.RULES) == {"none", "hes", "small_numbers"}
    for name, rule in d.RULES.items():
        assert rule.name == name
        assert rule.description and rule.label
    for name in ("hes", "small_numbers"):
        rule = d.RULES[name]
        assert (rule.low, rule.high) == (1, 7)
        assert "Why is this hidden?" in rule.why_hidden
        assert rule.why_hidden in rule.text
    assert d.RULES["hes"].rounding_base == 5
    assert d.RULES["small_numbers"].rounding_base is None
    assert not d.RULES["none"].suppresses


def test_an_unknown_rule_is_an_error_not_show_everything():
    with pytest.raises(ValueError, match="unknown disclosure rule"):
        d.get_rule("nhs")
    with pytest.raises(ValueError):
        _disclose(_long([[3]]), rule="HES")


def test_role_note_says_which_figures_the_reader_sees():
    """Written out by hand from the rules above: the controlled reader is told
    what was done to their figures, the uncontrolled one what others see, and a
    rule that changes nothing gets no note (by name or by rule object alike)."""
    hidden = "counts from 1 to 7 are shown as *"
    rounded = (
        " and other counts and denominators are rounded to the nearest 5, with "
        "rates worked out from the rounded figures"
    )
    assert d.role_note("small_numbers", controlled=True) == (
        f"Disclosure control applies to your role (Small numbers hidden): {hidden}."
    )
    assert d.role_note(d.RULES["hes"], controlled=True) == (
        "Disclosure control applies to your role (NHS Hospital Episode Statistics "
        f"rules): {hidden}{rounded}."
    )
    assert d.role_note("hes", controlled=False) == (
        "Your role sees figures before disclosure control; boards, leads and the "
        "public see them under the NHS Hospital Episode Statistics rules: "
        f"{hidden}{rounded}."
    )
    assert d.role_note("none", controlled=True) == ""
    assert d.role_note(d.RULES["none"], controlled=False) == ""
    with pytest.raises(ValueError, match="unknown disclosure rule"):
        d.role_note("nhs", controlled=True)


def test_small_counts_are_1_to_7_to_the_nearest_whole_number():
    counts = pd.Series([0, 0.4, 0.6, 1, 7, 7.4, 7.6, 8, None], dtype="Float64")
    #                   0  0    1    1  7  7    8    8  NA
    expected = [False, False, True, True, True, True, False, False, False]
    for rule in ("hes", "small_numbers", d.RULES["hes"]):
        assert d.small_counts(counts, rule).tolist() == expected
    nothing = d.small_counts(counts, "none")
    assert nothing.tolist() == [False] * 9
    assert list(nothing.index) == list(counts.index)


@pytest.mark.parametrize("count", range(1, 8))
@pytest.mark.parametrize("rule", ["hes", "small_numbers"])
def test_counts_1_to_7_are_hidden_with_their_rates_and_intervals(count, rule):
    _, table = _one_column([count], rule)
    row = table.frame.iloc[0]
    assert row["suppressed"]
    for col in ("numerator", "rate", "rate_lower", "rate_upper"):
        assert pd.isna(row[col]), col
    assert row["denominator"] == 50_000  # the population is public
    shown = table.display().iloc[0]
    assert [shown[c] for c in ("numerator", "rate", "rate_lower")] == ["*"] * 3


@pytest.mark.parametrize(
    ("raw", "hes", "small"),
    [(0, 0, 0), (8, 10, 8), (12, 10, 12), (13, 15, 13), (17, 15, 17), (60, 60, 60)],
)
def test_shown_counts_hes_rounds_to_5_small_numbers_does_not(raw, hes, small):
    for rule, expected in (("hes", hes), ("small_numbers", small), ("none", raw)):
        frame, table = _one_column([raw], rule)
        row = table.frame.iloc[0]
        assert not row["suppressed"]
        assert row["numerator"] == expected
        # Rates of shown rows come from the published count: 13 published as
        # 15 has the rate of 15 per 50,000 (30 per 100,000), not 26.
        assert row["rate"] == expected * 100_000 / 50_000
        assert row["rate_upper"] == row["rate"] * 1.2


def test_a_rounding_rule_refuses_rates_it_cannot_work_out_again():
    """Rates of the unrounded count next to a rounded count give it back
    (rate x population), so the engine needs the caller's rate function."""
    frame = _long([[18]])
    with pytest.raises(ValueError, match="rates="):
        d.apply_disclosure(frame, rule="hes", group_cols=GROUP)
    shown = _disclose(frame, rule="hes", group_cols=GROUP).frame.iloc[0]
    assert shown["numerator"] == 20
    assert shown["rate"] * shown["denominator"] / 100_000 == 20


def test_denominators_are_rounded_by_a_rounding_rule_only():
    frame = _long([[18]]).assign(denominator=500_012)
    hes = _disclose(frame, rule="hes", group_cols=GROUP).frame.iloc[0]
    assert hes["denominator"] == 500_010
    plain = _disclose(frame, rule="small_numbers", group_cols=GROUP).frame.iloc[0]
    assert plain["denominator"] == 500_012


@pytest.mark.parametrize(
    ("rule", "numerators", "people"),
    [
        ("small_numbers", [None, 9, None], [13, 12, None]),
        ("hes", [None, 10, None], [15, 10, None]),
    ],
)
def test_a_checked_count_hides_its_row_and_is_rounded_like_a_denominator(
    rule, numerators, people
):
    """check_cols=("people",), numerators 2, 9, 0 of people 13, 12, 3: the 2 hides
    its row but its 13 people stay shown; the 3 people hide their row and
    themselves; hes rounds shown figures half up to 5 (9 -> 10, 13 -> 15,
    12 -> 10)."""
    frame = pd.DataFrame(
        {
            "area": ["A0", "A1", "A2"],
            "period": ["P0"] * 3,
            "numerator": [2, 9, 0],
            "people": [13, 12, 3],
        }
    )
    out = d.apply_disclosure(
        frame, rule=rule, check_cols=("people",), group_cols=GROUP
    ).frame
    assert out["suppressed"].tolist() == [True, False, True]
    for column, expected in (("numerator", numerators), ("people", people)):
        got = [None if pd.isna(v) else v for v in out[column]]
        assert got == expected, column


def test_a_rule_that_does_not_round_needs_no_rates():
    """Rates need working out again only from rounded counts: without rounding
    the engine takes the frame's own (20 per 50,000 is 40 per 100,000)."""
    out = d.apply_disclosure(
        _long([[3], [20]]), rule="small_numbers", group_cols=GROUP
    ).frame
    assert pd.isna(out["rate"].iloc[0]) and out["rate"].iloc[1] == 40.0


def test_rule_none_changes_nothing():
    frame, table = _one_column([0, 1, 7, 8, 13], "none")
    assert not table.any_suppressed
    assert table.frame["numerator"].tolist() == [0, 1, 7, 8, 13]
    assert table.note == d.RULES["none"].description


def test_display_marks_hidden_figures_and_leaves_missing_data_alone():
    frame = _long([[3], [20], [0]])
    frame.loc[2, ["numerator", "rate"]] = np.nan  # no data for A2
    table = _disclose(frame, rule="hes", group_cols=GROUP)
    shown = d.format_for_display(table.frame)  # columns recorded in attrs
    assert shown["numerator"].tolist()[:2] == ["*", 20]
    assert pd.isna(shown["numerator"].iloc[2])
    assert shown["rate"].iloc[0] == "*" and pd.isna(shown["rate"].iloc[2])
    assert shown["suppressed"].tolist() == [True, False, False]
    assert table.note == d.RULES["hes"].text
    with pytest.raises(ValueError):
        d.format_for_display(frame)


def test_numeric_columns_nobody_named_fail_closed_text_ones_when_named():
    frame = _long([[3], [20]]).assign(
        funnel_z=[1.5, 0.1], comparison_95=["worse", "similar"], name=["a", "b"]
    )
    out = _disclose(frame, rule="small_numbers", group_cols=GROUP).frame
    assert pd.isna(out["funnel_z"].iloc[0]) and pd.isna(out["comparison_95"].iloc[0])
    assert out["name"].tolist() == ["a", "b"]
    assert out["comparison_95"].iloc[1] == "similar"


def test_display_refuses_a_raw_frame_and_never_guesses_the_columns():
    """A frame that never went through the engine is refused (not shown with
    nothing marked), and one whose recorded columns were lost must be told which
    to mark."""
    with pytest.raises(ValueError, match="not been through apply_disclosure"):
        d.format_for_display(_long([[3]]), columns=["numerator"])
    bare = _disclose(_long([[3], [20]]), rule="hes", group_cols=GROUP).frame.copy()
    bare.attrs = {}
    with pytest.raises(ValueError, match="say which columns"):
        d.format_for_display(bare)
    marked = d.format_for_display(bare, columns=["numerator"])
    assert marked["numerator"].tolist() == ["*", 20]


@pytest.mark.parametrize("text", ["comparison_95", "comparison_998", "rag", "trend"])
def test_each_text_figure_worked_from_the_count_is_blanked_with_it(text):
    """DESIGN.md's text figures computed from a count (the two comparisons, the
    RAG rating, the trend) are hidden on a hidden row, each of them."""
    frame = _long([[3], [20]]).assign(**{text: ["worse", "similar"]})
    out = _disclose(frame, rule="small_numbers", group_cols=GROUP).frame
    assert pd.isna(out[text].iloc[0]) and out[text].iloc[1] == "similar"


def test_value_listed_as_a_count_is_rounded_and_hidden_with_it():
    frame = _long([[3], [13]]).assign(value=[3, 13])
    out = _disclose(
        frame, rule="hes", count_cols=("numerator", "value"), group_cols=GROUP
    ).frame
    assert pd.isna(out["value"].iloc[0]) and out["value"].iloc[1] == 15


def test_a_missing_column_is_named_not_guessed():
    """A count or group column the frame lacks is an error naming it (never a
    table with nothing hidden)."""
    with pytest.raises(ValueError, match=r"no column\(s\) \['deaths'\]"):
        _disclose(_long([[3]]), rule="hes", count_cols=("deaths",))
    with pytest.raises(ValueError, match=r"no column\(s\) \['ward'\]"):
        d.compute_totals(_long([[3]]), group_cols=("ward",), totals_over=())
    with pytest.raises(ValueError, match=r"no column\(s\) \['ward'\]"):
        _disclose(_long([[3]]), rule="hes", group_cols=("ward",))
    with pytest.raises(ValueError, match=r"no column\(s\) \['people'\]"):
        _disclose(_long([[3]]), rule="hes", check_cols=("people",))


def test_compute_totals_by_hand():
    """2 areas x 2 periods, counts [[1, 2], [3, 4]]: over areas P0 = 1 + 3 = 4 and
    P1 = 6; over periods A0 = 3 and A1 = 7; grand total 10. One row per total,
    numbered from 0 (they are concatenated to the cells)."""
    totals = d.compute_totals(
        _long([[1, 2], [3, 4]]), group_cols=GROUP, totals_over=GROUP
    )
    assert list(totals.index) == [0, 1, 2, 3, 4]
    assert totals["total_over"].tolist() == ["area"] * 2 + ["period"] * 2 + [
        "area+period"
    ]
    assert totals["numerator"].tolist() == [4, 6, 3, 7, 10]
    assert totals["period"].tolist()[:2] == ["P0", "P1"]
    assert totals["area"].tolist()[2:4] == ["A0", "A1"]
    assert totals["area"].isna().tolist() == [True, True, False, False, True]
    assert totals["period"].isna().tolist() == [False, False, True, True, True]
    # The same cells in another order give the same totals in the same order
    # (by key), so a table's total rows never depend on how its cells were read.
    backwards = _long([[1, 2], [3, 4]]).iloc[::-1]
    again = d.compute_totals(backwards, group_cols=GROUP, totals_over=GROUP)
    assert again.equals(totals)
    # A summed-over column stays of its kind: text stays text, whole
    # numbers stay whole numbers (Int64), yes/no stays yes/no (boolean).
    assert pd.api.types.is_string_dtype(totals["area"].dtype)
    kinds = _long([[1, 2]]).assign(year=[2024, 2025], young=[True, False])
    for column, dtype in (("year", "Int64"), ("young", "boolean")):
        over = d.compute_totals(kinds, group_cols=[column], totals_over=[column])
        assert over[column].dtype == dtype and over[column].isna().all()
        assert over["numerator"].tolist() == [3]


def test_totals_come_from_the_cells_only_and_keep_a_not_recorded_group():
    """compute_totals on a frame that already holds its total rows sums the cells
    only (10, not 20); a cell whose other dimension is not recorded (NA) still
    has its total: areas A0, A1 with sex f (1, 2) and not recorded (3, 4) total
    3 for f and 7 for not recorded."""
    cells = _long([[1, 2], [3, 4]])
    full = pd.concat(
        [cells, d.compute_totals(cells, group_cols=GROUP, totals_over=GROUP)],
        ignore_index=True,
    )
    again = d.compute_totals(full, group_cols=GROUP, totals_over=GROUP)
    assert again["numerator"].tolist() == [4, 6, 3, 7, 10]
    unrecorded = pd.DataFrame(
        {
            "area": ["A0", "A1", "A0", "A1"],
            "sex": ["f", "f", None, None],
            "numerator": [1, 2, 3, 4],
        }
    )
    over = d.compute_totals(
        unrecorded, group_cols=["area", "sex"], totals_over=["area"]
    )
    assert over["sex"].tolist()[0] == "f" and pd.isna(over["sex"].iloc[1])
    assert over["numerator"].tolist() == [3, 7]


def test_a_total_of_cells_with_no_data_is_no_data_and_is_accepted():
    """Area A0 has no count for P0 and 20 for P1: its P0 column total (summed by
    compute_totals over no figure) is no data, and the engine accepts it as the
    sum of its cells (no data equals no data) and shows it as no data, not 0."""
    cells = _long([[np.nan, 20]])
    out = _disclose(
        _with_totals(cells), rule="small_numbers", group_cols=GROUP, totals_over=GROUP
    ).frame
    p0 = out[(out["total_over"] == "area") & (out["period"] == "P0")]
    assert len(p0) == 1 and pd.isna(p0["numerator"].iloc[0])
    assert not out["suppressed"].any()


def test_checked_counts_are_summed_in_the_totals_the_engine_adds():
    """Numerators [[10, 20], [30, 40]] over denominators [[100, 200], [300,
    400]]: the engine's total rows carry the summed denominators (over areas 400
    and 600, over periods 300 and 700, grand total 1,000), not blanks."""
    cells = pd.DataFrame(
        {
            "area": ["A0", "A0", "A1", "A1"],
            "period": ["P0", "P1", "P0", "P1"],
            "numerator": [10, 20, 30, 40],
            "denominator": [100, 200, 300, 400],
        }
    )
    out = d.apply_disclosure(
        cells,
        rule="small_numbers",
        check_cols=("denominator",),
        group_cols=GROUP,
        totals_over=GROUP,
    ).frame
    totals = out[out["total_over"].fillna("") != ""]
    got = sorted(
        zip(totals.total_over, totals.numerator, totals.denominator, strict=True)
    )
    assert got == [
        ("area", 40, 400),
        ("area", 60, 600),
        ("area+period", 100, 1000),
        ("period", 30, 300),
        ("period", 70, 700),
    ]


def test_bad_counts_and_shapes_are_refused():
    with pytest.raises(ValueError, match="at least one column"):
        _disclose(_long([[3]]), rule="hes", count_cols=())
    with pytest.raises(ValueError, match="either a count or a checked count"):
        _disclose(_long([[20]]), rule="hes", check_cols=("numerator",))
    with pytest.raises(ValueError, match="whole, non-negative"):
        _disclose(_long([[-1]]), rule="hes")
    with pytest.raises(ValueError, match="whole, non-negative"):
        _disclose(_long([[2.5]]), rule="hes")
    with pytest.raises(ValueError, match="subset"):
        _disclose(_long([[3]]), rule="hes", group_cols=GROUP, totals_over=["x"])
    with pytest.raises(ValueError, match="names a column twice"):
        _disclose(
            _long([[3]]), rule="hes", group_cols=GROUP, totals_over=["area", "area"]
        )
    three = _long([[3]]).assign(age="u25")
    with pytest.raises(ValueError, match="more than two"):
        _disclose(
            three, rule="hes", group_cols=(*GROUP, "age"), totals_over=(*GROUP, "age")
        )
    twice = pd.concat([_long([[3]]), _long([[4]])])
    with pytest.raises(ValueError, match="unique"):
        _disclose(twice, rule="hes", group_cols=GROUP, totals_over=GROUP)
    wrong = _with_totals(_long([[3, 20]]))
    wrong.loc[wrong.total_over == "area+period", "numerator"] = 99
    with pytest.raises(ValueError, match="sum of their cells"):
        _disclose(wrong, rule="hes", group_cols=GROUP, totals_over=GROUP)
    both = _with_totals(_long([[3, 20]]))
    with pytest.raises(ValueError, match="'period' is not one of totals_over"):
        _disclose(both, rule="hes", group_cols=GROUP, totals_over=["area"])
    repeated = pd.concat([both, both.tail(1)], ignore_index=True)
    with pytest.raises(ValueError, match="the same total row twice"):
        _disclose(repeated, rule="hes", group_cols=GROUP, totals_over=GROUP)


def test_the_module_needs_no_web_framework():
    imported = set()
    # The engine and its secondary suppression, which it may import.
    for name in ("disclosure.py", "secondary_suppression.py"):
        source = (Path(d.__file__).parent / name).read_text()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                imported |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                if node.module != "data_access.secondary_suppression":
                    imported.add((node.module or "").split(".")[0])
    assert imported <= {
        "__future__",
        "collections",
        "dataclasses",
        "itertools",
        "types",
        "numpy",
        "pandas",
    }


# --- secondary suppression, by hand


def test_next_smallest_cell_is_hidden_when_a_total_is_shown():
    cells = _long([[3], [20], [30], [0]])
    table = _disclose(
        cells, rule="small_numbers", group_cols=GROUP, totals_over=("area",)
    )
    out = table.frame
    # The engine added the total it protected, from the raw counts.
    assert out["suppressed"].tolist() == [True, True, False, False, False]
    assert out["total_over"].iloc[-1] == "area"
    assert out["numerator"].iloc[-1] == 53
    assert out["numerator"].iloc[3] == 0  # a 0 protects nothing and stays shown
    assert table.primary_mask.tolist() == [True, False, False, False, False]


def test_a_small_total_is_hidden_like_any_count():
    cells = _long([[3], [2], [0]])
    out = _disclose(cells, rule="hes", group_cols=GROUP, totals_over=("area",)).frame
    assert out["suppressed"].tolist() == [True, True, False, True]


def test_the_attacker_recovers_a_cell_that_only_primary_suppression_hides():
    raw = _with_totals(_long([[3, 20], [30, 40]]))
    # No totals declared: only the 3 is hidden, though the frame shows totals.
    naive = _disclose(raw, rule="small_numbers", group_cols=GROUP).frame
    assert naive["suppressed"].sum() == 1
    assert _recovered(_attack(naive, raw["numerator"].to_numpy())) == [0]
    safe = _disclose(
        raw, rule="small_numbers", group_cols=GROUP, totals_over=ALL_TOTALS
    ).frame
    assert safe["suppressed"].iloc[:4].tolist() == [True, True, True, True]
    assert _recovered(_attack(safe, raw["numerator"].to_numpy())) == []


def test_two_hidden_cells_per_line_is_not_enough():
    # Two 2x2 blocks of hidden cells joined by one hidden cell (A0, P2): every
    # row and column with a hidden cell has at least two, yet the joining cell is
    # the column sums minus the row sums of the second block.
    grid = [[10, 11, 12, 50], [13, 14, 50, 50], [50, 50, 15, 16], [50, 50, 17, 18]]
    raw = _with_totals(_long(grid))
    hidden = [(0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3), (0, 2)]
    frame = raw.assign(suppressed=False)
    for r, c in hidden:
        frame.loc[(frame.area == f"A{r}") & (frame.period == f"P{c}"), "suppressed"] = (
            True
        )
    ranges = _attack(frame, raw["numerator"].to_numpy())
    assert _recovered(ranges) == [2]  # A0, P2
    assert ranges[2] == (pytest.approx(12), pytest.approx(12))


def test_two_hidden_1s_that_must_add_up_to_2_are_not_protected_by_each_other():
    """One line 1, 1, 20 with its total 22: hiding both 1s leaves 22 - 20 = 2 for
    two counts that are each at least 1, so both are 1. A hidden 1 cannot be
    lowered to hide the other, so the engine hides the 20 as well (the total is
    then shared by three hidden figures: 1 + 1 + 20 could be 2 + 1 + 19)."""
    frame = _with_totals(_long([[1, 1, 20]]), totals_over=("period",))
    out = _disclose(
        frame, rule="small_numbers", group_cols=GROUP, totals_over=["period"]
    )
    assert out.frame["suppressed"].tolist() == [True, True, True, False]
    assert out.frame["numerator"].iloc[3] == 22


def test_rounding_to_5_alone_would_give_a_1_away_secondary_suppression_does_not():
    raw = _with_totals(_long([[1, 8, 8]]), totals_over=("period",))
    assert raw["numerator"].tolist() == [1, 8, 8, 17]
    args = {"group_cols": GROUP, "totals_over": ("period",), "rounding": 5}
    naive = _disclose(raw, rule="hes", group_cols=GROUP).frame
    assert naive["numerator"].tolist()[1:] == [10, 10, 15]
    assert _recovered(_attack(naive, raw["numerator"].to_numpy(), **args)) == [0]
    safe = _disclose(raw, rule="hes", group_cols=GROUP, totals_over=("period",)).frame
    assert safe["suppressed"].tolist() == [True, True, False, False]
    assert _recovered(_attack(safe, raw["numerator"].to_numpy(), **args)) == []


def test_a_small_row_total_is_not_given_away_by_the_grand_total():
    raw = _with_totals(_long([[2, 3], [20, 30], [40, 50]]))
    out = _disclose(
        raw, rule="small_numbers", group_cols=GROUP, totals_over=ALL_TOTALS
    ).frame
    a0_total = (out.area == "A0") & (out.total_over == "period")
    assert out.loc[a0_total, "suppressed"].all()
    assert pd.isna(out.loc[a0_total, "rate"]).all()
    assert _recovered(_attack(out, raw["numerator"].to_numpy())) == []


def test_other_group_columns_split_the_table_into_independent_ones():
    under25 = _long([[3, 20], [30, 40]]).assign(age="under25")
    everyone = _long([[30, 20], [30, 40]]).assign(age="all")
    cells = pd.concat([under25, everyone], ignore_index=True)
    out = _disclose(
        cells,
        rule="small_numbers",
        group_cols=("age", *GROUP),
        totals_over=GROUP,
    ).frame
    assert out.loc[out.age == "all", "suppressed"].sum() == 0
    young = out[out.age == "under25"].reset_index(drop=True)
    raw = np.r_[[3, 20, 30, 40], [23, 70, 33, 60, 93]]
    assert young["numerator"].isna().sum() == 4
    ranges = _attack(young, raw, group_cols=("age", *GROUP))
    assert len(ranges) == 4 and _recovered(ranges) == []


def test_already_disclosed_frames_cannot_grow_new_hidden_cells():
    once = _disclose(_long([[20], [30]]), rule="none").frame
    with pytest.raises(ValueError, match="already disclosed"):
        _disclose(once.assign(numerator=[3, 30]), rule="hes")
    # Nor gain totals: protecting them needs the raw counts, which are gone.
    cells = _disclose(_long([[10, 20], [30, 40]]), rule="none", group_cols=GROUP)
    with pytest.raises(ValueError, match="cannot add protected totals"):
        _disclose(cells.frame, rule="none", group_cols=GROUP, totals_over=GROUP)


# --- properties


def _shown_totals_lines(frame: pd.DataFrame) -> list[tuple[int, list[int]]]:
    lines = _constraints(frame, group_cols=GROUP, totals_over=ALL_TOTALS)
    return [(line[-1][0], [pos for pos, _ in line[:-1]]) for line in lines]


@FAST
@given(grid=grids(), rule=rules)
def test_no_hidden_figure_can_be_recovered_from_row_and_column_totals(grid, rule):
    raw = _with_totals(_long(grid))
    out = _disclose(raw, rule=rule, group_cols=GROUP, totals_over=ALL_TOTALS).frame
    hidden = out["suppressed"].to_numpy(dtype=bool)
    # The brief's rule: a line whose total is shown has 0 or >= 2 hidden parts.
    for total, parts in _shown_totals_lines(out):
        if not hidden[total]:
            assert hidden[parts].sum() != 1
    # The stronger one: the attacker cannot pin any hidden figure.
    assert _recovered(_attack(out, raw["numerator"].to_numpy())) == []


@FAST
@given(grid=grids(), rule=rules)
def test_no_hidden_figure_can_be_recovered_from_totals_along_one_dimension(grid, rule):
    raw = _with_totals(_long(grid), totals_over=("area",))
    out = _disclose(raw, rule=rule, group_cols=GROUP, totals_over=("area",)).frame
    ranges = _attack(
        out, raw["numerator"].to_numpy(), group_cols=GROUP, totals_over=("area",)
    )
    assert _recovered(ranges) == []


@settings(max_examples=60, deadline=None)
@given(grid=grids(), rule=rules)
def test_primary_rule_rounding_and_derived_figures_cell_by_cell(grid, rule):
    raw = _with_totals(_long(grid))
    table = _disclose(raw, rule=rule, group_cols=GROUP, totals_over=GROUP)
    out = table.frame
    counts = raw["numerator"].to_numpy()
    hidden = out["suppressed"].to_numpy(dtype=bool)
    small = (counts >= 1) & (counts <= 7)
    assert (hidden[small]).all()
    assert (table.primary_mask.to_numpy() == small).all()
    assert not hidden[counts == 0].any()
    shown = out.loc[~hidden, "numerator"].to_numpy(dtype=int)
    expected = counts[~hidden]
    if rule == "hes":
        expected = (expected * 2 + 5) // 10 * 5
        assert (shown % 5 == 0).all()
    assert (shown == expected).all()
    for col in ("numerator", "rate", "rate_lower", "rate_upper"):
        assert out.loc[hidden, col].isna().all()
    # Rates are the published count's: rate x denominator gives back the
    # published (rounded) count, never the unrounded one.
    published_rate = shown * 100_000 / raw.loc[~hidden, "denominator"].to_numpy()
    assert np.allclose(out.loc[~hidden, "rate"].to_numpy(dtype=float), published_rate)
    assert (out["denominator"] == raw["denominator"]).all()
    assert table.any_suppressed == bool(hidden.any())


@settings(max_examples=60, deadline=None)
@given(grid=grids(), rule=st.sampled_from(sorted(d.RULES)), with_totals=st.booleans())
def test_idempotent_and_never_mutates_its_input(grid, rule, with_totals):
    cells = _long(grid)
    args = {"rule": rule, "group_cols": GROUP}
    if with_totals:
        args["totals_over"] = ALL_TOTALS
    before = cells.copy(deep=True)
    once = _disclose(cells, **args)
    pd.testing.assert_frame_equal(cells, before)
    frame_before = once.frame.copy(deep=True)
    twice = _disclose(once.frame, **args)
    pd.testing.assert_frame_equal(once.frame, frame_before)
    pd.testing.assert_frame_equal(twice.frame, once.frame)
