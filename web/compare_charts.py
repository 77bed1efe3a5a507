"""The /compare page's funnel plot and VRU against non-VRU chart specs, and the
wording they share with its ranking (kept apart from pages/compare.py so that
the page stays small; no callbacks here)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from components.axis_clip import OVERFLOW_RULE, furthest, robust_top
from components.bar_figures import bar_figure
from components.benchmark_figures import funnel_figure
from components.chart import ChartSpec
from components.figure_layout import axis, written_once
from components.formatting import number, percent, rate
from data_access.disclosure import RULES

PAGE = "compare"


def per_label(measure: dict) -> str:
    """A rate's "per 100,000"; a share's "%" (as components.trend_table
    `per_words` has it)."""
    if is_share(measure):
        return "%"
    return f"per {int(measure['rate_multiplier']):,}"


def is_share(measure: dict) -> bool:
    """A share in per cent (a proportion such as knife_offences_share): its
    figure is a percentage (`figure_word`), its "population" the denominator."""
    return figure_word(measure) == "percentage"


# What a share is a percentage of, in words, where the store holds no name for
# its denominator (the measure's caveats call it "selected offences"); any other
# share's is "the denominator".
SHARE_DENOMINATORS = {"knife_offences_share": "selected offences"}


def denominator_words(measure: dict) -> str:
    """What a share is a percentage of: "selected offences"."""
    return SHARE_DENOMINATORS.get(measure["code"], "the denominator")


def value_heading(measure: dict) -> str:
    """A table's heading of the figure ranked: "Rate per 100,000", or a share's
    "Percentage" (as /violence's trend table and the compare embed head it)."""
    return "Percentage" if is_share(measure) else f"Rate {per_label(measure)}"


def size_heading(measure: dict) -> str:
    """A table's heading of what a figure is per: "Population" for a rate, a
    share's denominator ("Selected offences (denominator)")."""
    if not is_share(measure):
        return "Population"
    words = denominator_words(measure)
    if words == "the denominator":
        return "Denominator"
    return f"{words[:1].upper()}{words[1:]} (denominator)"


def _size_axis_title(measure: dict) -> str:
    """The funnel's x axis: "Population (log scale)", a share's "Selected
    offences, the denominator (log scale)"."""
    if not is_share(measure):
        return "Population (log scale)"
    words = denominator_words(measure)
    if words == "the denominator":
        return "Denominator (log scale)"
    return f"{words[:1].upper()}{words[1:]}, the denominator (log scale)"


def value_text(measure: dict, value: Any) -> str:
    """One figure in words: a rate's "52.1 per 100,000", a share's "11.1%"."""
    if is_share(measure):
        return percent(value)
    return f"{rate(value, 1)} {per_label(measure)}"


def rate_text_once(measure: dict | None = None) -> Callable[[Any], str]:
    """rate(v, 1), each distinct value written once for the chart it is made
    for (figure_layout.written_once): a ranking writes each of 43 rates about
    four times over. A share's figures with their "%" ("11.1%"), as the
    compare embed and /violence's ranking write them."""
    if measure is not None and is_share(measure):
        return written_once(percent)
    return written_once(lambda v: rate(v, 1))


def suppression_note_for(measure: dict, frame: pd.DataFrame) -> str | None:
    if "suppressed" in frame and frame["suppressed"].any():
        return RULES[measure["disclosure_rule"]].text
    return None


def chart_caption(measure: dict, frame: pd.DataFrame, extra: str = "") -> str:
    """The caption's first sentence: the measure, the areas and the year (a
    financial year, or a rolling year for a measure published only for those)."""
    period = str(frame["period"].iloc[0])
    if not period.startswith("year ending"):
        period = f"financial year {period}"
    else:
        period += " (a rolling 12-month year: this measure has no financial years)"
    bench = frame["benchmark_label"].iloc[0] if "benchmark_label" in frame else None
    which = f" The benchmark is {bench}." if bench else ""
    figure = (
        f"percentage of {denominator_words(measure)}"
        if is_share(measure)
        else f"rate {per_label(measure)} population"
    )
    return (
        f"{measure['name']}, {figure}, police force areas, {period}.{which} {extra}"
    ).strip()


def sources_text(frame: pd.DataFrame) -> str:
    titles = frame["source_title"].tolist()
    return "; ".join(dict.fromkeys(str(t) for t in titles if not pd.isna(t)))


def clip_top(frame: pd.DataFrame, upper: str | None = "rate_upper") -> float | None:
    """The robust top of a chart's rate axis (components.axis_clip: Tukey's far-out
    fence of each shown area's furthest figure, its rate or its `upper` interval
    end, never below the benchmark), or None: nothing is clipped. Hidden
    (suppressed) rows are not drawn, so they do not count."""
    # In plain Python over the columns' lists: a frame filtered, then its
    # columns read, cost more than the fence itself (issue 19).
    drawn = [not bool(h) for h in frame["suppressed"].tolist()]

    def of_drawn(column: str) -> list:
        return [v for v, d in zip(frame[column].tolist(), drawn, strict=True) if d]

    bench = next(iter(of_drawn("benchmark_rate")), None)
    return robust_top(
        furthest(of_drawn("rate"), of_drawn(upper) if upper else None),
        None if pd.isna(bench) else bench,
    )


def figure_word(measure: dict) -> str:
    """What a measure's figure is called in titles and captions: "percentage"
    for a share (unit "%"), else "rate" (per so many people). One word for
    /compare, /violence and the public embeds: a share is not "the highest
    rate"."""
    return "percentage" if measure["unit"] == "%" else "rate"


def overflow_note(
    frame: pd.DataFrame,
    top: float | None,
    upper: str | None = "rate_upper",
    upper_words: str = "interval to",
    *,
    word: str = "rate",
) -> str:
    """The caption's words for a clipped axis: the rule, then each area that runs
    past the edge with its figures ("rate 689.7", or a percentage's "9.1%":
    `word` is `figure_word`'s); "" when nothing is clipped."""
    if top is None:
        return ""

    def figure(value: float) -> str:
        return f"{rate(value, 1)}%" if word == "percentage" else rate(value, 1)

    shown = frame[~frame["suppressed"].astype(bool)]
    past = []
    for row in shown.itertuples():
        value = float(row.rate)
        high = float(getattr(row, upper)) if upper else math.nan
        if value > top:
            past.append(f"{row.name} ({word} {figure(value)})")
        elif upper and high > top:
            past.append(f"{row.name} ({upper_words} {figure(high)})")
    return f" {OVERFLOW_RULE} Past the edge: {'; '.join(past)}." if past else ""


def funnel_method_text(measure: dict, overdispersion: dict) -> str:
    """What the funnel's limits are and what being outside them means, in words:
    "more than chance would explain" only where the areas vary no more than
    chance allows (no overdispersion), so that the Poisson (or, for a share,
    binomial) limits hold."""
    phi = overdispersion["phi"]
    method = "PHE/OHID method"
    if is_share(measure):
        # funnels._limits_at: statistics.funnel_limits_proportion
        method = (
            "binomial limits for a proportion, p ± z√(p(1 − p)/n) around the "
            f"benchmark percentage p, n each area's {denominator_words(measure)}: "
            "PHE/OHID technical guide to funnel plots; Spiegelhalter 2005"
        )
    if math.isnan(phi):
        return (
            f"Dashed lines: 95% control limits; dotted: 99.8% ({method}). Too "
            "few areas to check for overdispersion."
        )
    p_value = overdispersion["p_value"]
    p_text = "< 0.001" if p_value < 0.001 else f"= {number(p_value, 3)}"
    test = (
        f"the areas' z-scores (Winsorised at 10%) vary {number(phi, 1)} times as "
        f"much as chance alone would make them (dispersion test p {p_text})"
    )
    if is_share(measure):
        spread = f"{rate(overdispersion['tau'], 1)} percentage points"
    else:
        spread = f"{rate(overdispersion['tau'], 1)} {per_label(measure)}"
    if not overdispersion["overdispersed"]:
        return (
            f"Dashed lines: 95% control limits; dotted: 99.8% ({method}). "
            f"No overdispersion: {test}, so no adjustment is made. Areas outside "
            "the 99.8% limits differ from the benchmark by more than chance would "
            "explain; bigger areas have narrower limits."
        )
    return (
        f"Overdispersed: {test}, because areas really differ. The limits are "
        f"widened for that by an {overdispersion['method']}: a between-area "
        f"standard deviation of {spread} "
        "is added to chance variation. Dashed lines: adjusted 95% limits; dotted: "
        "adjusted 99.8%. Areas outside the adjusted 99.8% limits differ from the "
        "benchmark by more than the usual variation between areas. Thin grey "
        f"dotted lines: the unadjusted 99.8% limits ({method}), which "
        "assume chance alone; the table gives each area's position against both."
    )


def funnel_spec(
    measure: dict, points: pd.DataFrame, limits: pd.DataFrame, overdispersion: dict
) -> ChartSpec:
    """The funnel plot: against limits adjusted for overdispersion where the areas
    are overdispersed (the unadjusted ones drawn too), else the PHE/OHID ones.

    The areas' positions, the counts above and below and the table's columns are
    worked out in plain Python over the columns' lists, not by filtering frames
    (issue 19); tests/pages/test_compare_specs.py holds the frame road it replaced
    and compares the two."""
    period = points["period"].iloc[0] if not points.empty else ""
    bench = float(points["benchmark_rate"].iloc[0]) if not points.empty else math.nan
    bench_label = points["benchmark_label"].iloc[0] if not points.empty else ""
    adjusted = bool(overdispersion["overdispersed"])
    position = "funnel_position_adjusted" if adjusted else "funnel_position"
    names = points["name"].tolist()
    places = points[position].tolist()
    drawn_rows = [p != "not shown" for p in places]
    shown = points[drawn_rows] if not points.empty else points
    # outside the 99.8% limits (FUNNEL_POSITIONS), above or below them
    outside = [
        (n, p)
        for n, p, d in zip(names, places, drawn_rows, strict=True)
        if d and _AT_998.search(p)
    ]
    above = [n for n, p in outside if p.startswith("above")]
    below = [n for n, p in outside if p.startswith("below")]
    which = (
        "control limits, adjusted for overdispersion," if adjusted else "control limits"
    )
    title = (
        f"{len(above)} force {'area was' if len(above) == 1 else 'areas were'} "
        f"above and {len(below)} below the 99.8% "
        f"{which} around {bench_label} in {period}."
    )
    drawn = overdispersion["limits"] if adjusted else limits
    # Each area's furthest figure is its rate or the 99.8% limit drawn at its own
    # population: a tiny population's limits squash the axis as a far-out rate
    # would.
    if not shown.empty and not drawn.empty:
        population = drawn["population"].to_numpy(dtype=float)
        # the limits' grid is made in order of population (funnels.funnel_limits)
        grid = (
            drawn
            if (np.diff(population) >= 0).all()
            else drawn.sort_values("population")
        )
        shown = shown.assign(
            own_limit=np.interp(
                shown["population"].to_numpy(dtype=float),
                grid["population"].to_numpy(dtype=float),
                grid["upper_998"].to_numpy(dtype=float),
            )
        )
        top = clip_top(shown, upper="own_limit")
    else:
        top = None
    figure = None
    if not shown.empty and not drawn.empty and math.isfinite(bench):
        figure = funnel_figure(
            shown,
            x="population",
            y="rate",
            label="name",
            limits_df=drawn,
            benchmark=bench,
            # a share's areas differ in their denominators, not their people
            x_title=_size_axis_title(measure),
            y_title=value_heading(measure),
            benchmark_label=bench_label,
            value_formatter=rate_text_once(measure),
            reference_limits_df=limits if adjusted else None,
            reference_label="Unadjusted 99.8% limits (PHE/OHID)",
            limits_name=(
                "limits, adjusted for overdispersion" if adjusted else "control limits"
            ),
            polarity=measure["polarity"],
            y_top=top,
        )
        # Ticks at 1, 2 and 5 of each decade: plotly's default labels every digit
        # on a log axis spanning about one decade, and the labels overlap.
        axis(figure, "x").update(type="log", dtick="D2")
    hidden = [bool(h) for h in points["suppressed"].tolist()]

    def positions(column: str) -> pd.Series:
        # "*" where hidden, else the position with a capital letter
        return pd.Series(
            [
                "*" if h else str(c).capitalize()
                for c, h in zip(points[column].tolist(), hidden, strict=True)
            ],
            index=points.index,
            dtype=points[column].dtype,
        )

    columns = {
        "Area": points["name"],
        size_heading(measure): points["population"].round(0),
        value_heading(measure): rounded_or_hidden(points["rate"], hidden),
    }
    if adjusted:
        columns["Position, limits adjusted for overdispersion"] = positions(
            "funnel_position_adjusted"
        )
        columns["Position, unadjusted limits (PHE/OHID)"] = positions("funnel_position")
    else:
        columns["Position in the funnel"] = positions("funnel_position")
    table = pd.DataFrame(
        {name: column_values(values) for name, values in columns.items()},
        index=points.index,
    )
    against = (
        f"the number of {denominator_words(measure)}"
        if is_share(measure)
        else "population"
    )
    summary = (
        f"Funnel plot of {measure['name'].lower()} against {against}, "
        f"{period}, with {which} around {bench_label} "
        f"({value_text(measure, bench)}). "
        + (f"Above the 99.8% limit: {', '.join(above)}. " if above else "")
        + (f"Below the 99.8% limit: {', '.join(below)}. " if below else "")
        + funnel_method_text(measure, overdispersion)
    )
    return ChartSpec(
        chart_id=f"{PAGE}-funnel",
        title=title,
        caption=chart_caption(
            measure,
            points,
            funnel_method_text(measure, overdispersion)
            + overflow_note(
                shown,
                top,
                "own_limit",
                "its 99.8% limit reaches",
                word=figure_word(measure),
            ),
        ),
        figure=figure,
        table=table,
        summary=summary,
        illustrative=bool(points["illustrative"].any()),
        suppression_note=suppression_note_for(measure, points),
        csv_filename=f"{measure['code']}-{period.replace('/', '-')}-funnel.csv",
        source=sources_text(points),
    )


# "99.8" as str.contains read it (a pattern: the dot is any character)
_AT_998 = re.compile("99.8")


def column_values(column: pd.Series):
    """`column` for a table built on its own index (index= given once): its
    array, which is not aligned again as a Series in a dict is, typed as it is;
    an object column stays a Series, since a bare array of objects would be
    re-typed as strings."""
    return column if column.dtype == object else column.array


def rounded_or_hidden(
    values: pd.Series, hidden: list[bool], digits: int = 1
) -> pd.Series:
    """A table's column of figures rounded to `digits` (missing ones kept), "*"
    where a row is hidden, in plain Python once per cell: typed as the values
    mapped to their rounding, then "*" put in where hidden, typed them (floats,
    so float64; objects, with "*", only where a row is hidden)."""
    rounded = [
        v if v is None or v != v else round(float(v), digits) for v in values.tolist()
    ]
    if not any(hidden):
        return pd.Series(rounded, index=values.index)
    return pd.Series(
        ["*" if h else v for v, h in zip(rounded, hidden, strict=True)],
        index=values.index,
        dtype=object,
    )


def vru_spec(measure: dict, frame: pd.DataFrame, relative: dict) -> ChartSpec:
    """The groups' pooled rates (`vru_vs_non_vru`) and whether their changes
    differ (`relative`: vru_groups.vru_relative_change, area as the unit).

    Two rows: taken apart once as plain lists (one object array), not
    filtered, iterated as named tuples and indexed column by column (issue 19:
    pandas' per-call costs were most of this chart's assembly)."""
    per = per_label(measure)
    # The two rows as one array of Python objects, then its columns' lists: the
    # values to_dict("list") gives (each a native int, float, bool or str) for
    # a quarter of its cost (its per-column dtype checks and boxing).
    values = frame.to_numpy(dtype=object)
    col = {name: values[:, i].tolist() for i, name in enumerate(frame.columns)}
    baseline_label = col["baseline_label"][0]
    latest_label = col["latest_label"][0]
    long = pd.DataFrame(
        {
            "Group": [g for g in col["group_label"] for _w in ("baseline", "latest")],
            "Period": [
                col[f"{w}_label"][i]
                for i in range(len(frame))
                for w in ("baseline", "latest")
            ],
            "Rate": [
                col[f"{w}_rate"][i]
                for i in range(len(frame))
                for w in ("baseline", "latest")
            ],
        }
    )
    figure = bar_figure(
        long,
        x="Group",
        y="Rate",
        color="Period",
        barmode="group",
        x_title=None,
        y_title=f"Rate {per} population (pooled)",
        value_formatter=lambda v: rate(v, 1),
        height=380,
    )
    at = {g: i for i, g in reversed(list(enumerate(col["group"])))}
    vru = {name: values[at["vru"]] for name, values in col.items()}
    non = {name: values[at["non_vru"]] for name, values in col.items()}
    title = (
        f"{measure['name']}: the rate changed by "
        f"{percent(vru['percent_change'], 0)} in VRU areas and by "
        f"{percent(non['percent_change'], 0)} in non-VRU areas between "
        f"{baseline_label} and {latest_label}."
    ).replace("by -", "by minus ")

    def rounded(name: str, digits: int) -> np.ndarray:
        # Series.round's own rounding (numpy's), of the column's floats
        return np.round(np.array(col[name], dtype=float), digits)

    table = pd.DataFrame(
        {
            "Group": col["group_label"],
            "Areas pooled": col["n_areas"],
            "Left out (no figure for every year)": [
                "None" if text == "" else text for text in col["areas_left_out"]
            ],
            f"Baseline {baseline_label}: count": rounded("baseline_count", 0),
            f"Baseline rate {per}": rounded("baseline_rate", 1),
            "Baseline 95% CI": [
                f"{rate(a)} to {rate(b)}"
                for a, b in zip(
                    col["baseline_lower"], col["baseline_upper"], strict=True
                )
            ],
            f"Latest {latest_label}: count": rounded("latest_count", 0),
            f"Latest rate {per}": rounded("latest_rate", 1),
            "Latest 95% CI": [
                f"{rate(a)} to {rate(b)}"
                for a, b in zip(col["latest_lower"], col["latest_upper"], strict=True)
            ],
            "Rate ratio (latest / baseline)": rounded("rate_ratio", 3),
            "Rate ratio 95% CI": [
                f"{number(a, 3)} to {number(b, 3)}"
                for a, b in zip(col["ratio_lower"], col["ratio_upper"], strict=True)
            ],
            "Change": [text.capitalize() for text in col["direction"]],
        }
    )
    summary = (
        f"Pooled rate {per}: VRU areas {rate(vru['baseline_rate'])} in "
        f"{baseline_label} and {rate(vru['latest_rate'])} in {latest_label}; "
        f"non-VRU areas {rate(non['baseline_rate'])} and "
        f"{rate(non['latest_rate'])}."
    )
    if not math.isnan(relative["ratio"]):
        summary += (
            f" Compared area by area ({relative['method']}, "
            f"{relative['n_vru']} VRU and {relative['n_non_vru']} non-VRU areas), "
            f"the VRU areas' typical rate ratio divided by the non-VRU areas' is "
            f"{number(relative['ratio'], 3)} (95% CI {number(relative['lower'], 3)} "
            f"to {number(relative['upper'], 3)}, p = {number(relative['p_value'], 2)}"
            "): "
            + (
                "the two groups changed by significantly different amounts."
                if relative["significant"]
                else "no significant difference between the groups' changes."
            )
        )
    return ChartSpec(
        chart_id=f"{PAGE}-vru-chart",
        title=title,
        caption=(
            f"{measure['name']}, pooled rate {per} (sum of counts over sum of "
            f"populations) of the 18 areas funded from 2019/20 and of the non-VRU "
            f"areas; Cleveland and Humberside, funded from 2022/23, are in neither "
            f"group. Baseline {baseline_label}, latest {latest_label}. Each "
            "group's change is tested allowing for year-to-year overdispersion "
            "(quasi-Poisson); whether the groups' changes differ is tested with "
            f"the area as the unit ({relative['method']})."
        ),
        figure=figure,
        table=table,
        summary=summary,
        illustrative=any(col["illustrative"]),
        csv_filename=f"{measure['code']}-vru-vs-non-vru.csv",
    )
