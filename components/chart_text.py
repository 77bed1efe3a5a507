"""Text summaries of a chart, generated from the same data as the figure, for
everyone and for screen readers. Pure presentation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from components import theme
from components.figure_layout import (
    _default_formatter,
    _label_text,
    _numeric,
    _x_values,
)
from components.formatting import (
    is_missing,
    percent,
)

# ---------------------------------------------------------------- text summaries


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def _points_change(v0: float, v1: float, fmt: Callable[[Any], str]) -> str:
    """The change between two percentages in percentage points, worked out from
    the figures as written (6.0 - 5.9 = 0.1, not the 0.16 between 5.86 and
    6.02 that the reader cannot see): a share that goes from 5.9% to 6.0% has
    not had "a 3% increase" (Office for National Statistics style: a change
    in a percentage is stated in percentage points)."""
    try:
        written = [float(fmt(v).replace(",", "")) for v in (v0, v1)]
    except ValueError:  # a formatter that writes words: the figures as stored
        written = [v0, v1]
    points = round(abs(written[1] - written[0]), 10)
    word = "increase" if v1 > v0 else "decrease"
    return f", a {fmt(points)} percentage point {word}"


def _series_sentence(
    xs: Sequence[Any],
    ys: Sequence[float | None],
    label: str,
    unit: str,
    fmt: Callable[[Any], str],
    change: bool = True,
    percentage: bool = False,
) -> str:
    points = [(xv, yv) for xv, yv in zip(xs, ys, strict=True) if yv is not None]

    def val(v: float) -> str:
        if percentage:
            return f"{fmt(v)}%"
        return f"{fmt(v)} {unit}".strip()

    if not points:
        return f"There are no data for {_lower_first(label)}."
    (p0, v0), (p1, v1) = points[0], points[-1]
    p0, p1 = _label_text(p0), _label_text(p1)
    if len(points) == 1:
        return f"{label} was {val(v0)} in {p0}."
    if fmt(v0) == fmt(v1):
        sentence = f"{label} was {val(v1)} in both {p0} and {p1}"
    else:
        verb = "rose" if v1 > v0 else "fell"
        sentence = f"{label} {verb} from {val(v0)} in {p0} to {val(v1)} in {p1}"
        if change and percentage:
            sentence += _points_change(v0, v1, fmt)
        elif change and v0 > 0:
            ratio = (v1 - v0) / v0 * 100
            word = "increase" if ratio > 0 else "decrease"
            pct = percent(abs(ratio), 0)
            if pct == "0%":
                sentence += f", an {word} of less than 1%"
            else:
                sentence += f", a {pct} {word}"
    sentence += f"; the latest is {p1}."
    if len(points) >= 3:
        values = [v for _, v in points]
        i_max = max(range(len(values)), key=values.__getitem__)
        i_min = min(range(len(values)), key=values.__getitem__)
        extra = []
        if 0 < i_max < len(values) - 1:
            extra.append(
                f"the highest was {val(values[i_max])} in "
                f"{_label_text(points[i_max][0])}"
            )
        if 0 < i_min < len(values) - 1:
            extra.append(
                f"the lowest was {val(values[i_min])} in "
                f"{_label_text(points[i_min][0])}"
            )
        if extra:
            text = " and ".join(extra)
            sentence += f" {text[0].upper()}{text[1:]}."
    return sentence


def summary_for_series(
    df: pd.DataFrame,
    *,
    x: str,
    y: str,
    label: str,
    unit: str = "",
    series: str | None = None,
    value_formatter: Callable[[Any], str] | None = None,
    change: bool = True,
    percentage: bool = False,
) -> str:
    """A plain-English summary of one or more time series, from the chart's data.

    >>> summary_for_series(df, x="Year", y="Offences",
    ...     label="Knife offences in Avon and Somerset")
    'Knife offences in Avon and Somerset rose from 1,040 in 2016/17 to 1,234 in
    2020/21, a 19% increase; the latest is 2020/21.'

    Rows must be in time order. Missing and suppressed values are skipped. With
    `series`, one sentence per series; put "{series}" in `label` to name it
    ("Knife offences in {series}"), otherwise the series name prefixes `label`.
    `unit` follows each value ("per 100,000 population"). `change=False` leaves
    out the first-to-last percentage, for a chart that states its change on the
    baseline road instead (components.baseline_text). `percentage`: the values
    are percentages (a share, a completion rate): each is written with "%" and
    the change is in percentage points, never a percentage of a percentage.
    """
    all_y = _numeric(df[y]) if not df.empty else []
    fmt = value_formatter or _default_formatter(all_y)
    if series is None:
        return _series_sentence(
            _x_values(df[x]), all_y, label, unit, fmt, change, percentage
        )
    # The columns taken apart once, each series' rows picked by position: a
    # frame filtered per series cost more than the sentences (issue 19). A
    # name equal to nothing (NaN) picks no row, as the filter did.
    names = df[series].tolist()
    xs, ys = _x_values(df[x]), all_y
    sentences = []
    for name in dict.fromkeys(names):
        rows = [i for i, other in enumerate(names) if other == name]
        text = (
            label.replace("{series}", str(name))
            if "{series}" in label
            else (f"{name}: {_lower_first(label)}")
        )
        sentences.append(
            _series_sentence(
                [xs[i] for i in rows],
                [ys[i] for i in rows],
                text,
                unit,
                fmt,
                change,
                percentage,
            )
        )
    if not sentences:
        return "There are no data to summarise."
    return " ".join(sentences)


def summary_for_ranking(
    df: pd.DataFrame,
    *,
    label: str,
    value: str,
    measure: str,
    category_col: str | None = None,
    unit: str = "",
    benchmark: float | None = None,
    benchmark_label: str | None = None,
    value_formatter: Callable[[Any], str] | None = None,
    noun: str = "areas",
) -> str:
    """A plain-English summary of a ranked comparison, from the chart's data.

    e.g. "Knife crime rate: of 43 areas, Merseyside was highest at 123.4 per
    100,000 and Dyfed-Powys lowest at 20.1 per 100,000. Compared with England
    and Wales (55.0 per 100,000): 8 better, 30 similar, 5 worse."
    """
    values = _numeric(df[value]) if not df.empty else []
    fmt = value_formatter or _default_formatter(values)

    def val(v: Any) -> str:
        return f"{fmt(v)} {unit}".strip()

    labels = [str(v) for v in df[label]] if not df.empty else []
    present = [(lab, v) for lab, v in zip(labels, values, strict=True) if v is not None]
    if not present:
        return f"{measure}: there are no values to compare."
    top = max(present, key=lambda p: p[1])
    bottom = min(present, key=lambda p: p[1])
    n = len(present)
    if n == 1:
        text = f"{measure}: {top[0]} was {val(top[1])}."
    else:
        text = (
            f"{measure}: of {n} {noun}, {top[0]} was highest at {val(top[1])} "
            f"and {bottom[0]} lowest at {val(bottom[1])}."
        )
    if benchmark is not None and not is_missing(benchmark):
        against = (
            f"Compared with {benchmark_label or 'the benchmark'} ({val(benchmark)})"
        )
        if category_col:
            keys = [
                theme.significance_key(c)
                for c, v in zip(df[category_col], values, strict=True)
                if v is not None
            ]
            counts = [
                f"{keys.count(k)} {theme.SIGNIFICANCE[k].label.lower()}"
                for k in theme.SIGNIFICANCE_ORDER
                if keys.count(k)
            ]
            text += f" {against}: {', '.join(counts)}."
        else:
            higher = sum(1 for _, v in present if v > benchmark)
            text += f" {against}, {higher} of {n} {noun} were higher."
    gaps = len(labels) - n
    if gaps:
        text += f" {gaps} {noun if gaps != 1 else noun.rstrip('s')} had no value shown."
    return text
