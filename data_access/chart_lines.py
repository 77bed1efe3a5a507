"""One road for splitting a trend's rows into the lines a chart draws: the area
and its one benchmark, each as a published line and, where it has illustrative
figures, a separate illustrative line, so a published figure is never joined to
an illustrative one (issue 13/14). Every drawing uses it: the interactive trend
figure (components.trend_figure, by `line_names`), the trend embed's server-drawn
SVG (web.embed_charts) and the board pack's charts (data_access.board_pack).
Pure (pandas only, no store).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

ILLUSTRATIVE_SUFFIX = " (illustrative)"


def line_names(
    series: pd.DataFrame, area_name: str, bench_name: str
) -> tuple[list[str], list[str]]:
    """(the line each row is drawn on, the lines in legend order): the area and
    the one benchmark, named exactly (the benchmark by the measure's coverage;
    what each of its rows covers stays in the table), each split into published
    and illustrative lines so that the two are never joined. A line exists only
    where it has rows (no empty line, no empty legend entry)."""
    names = []
    for role, illustrative in zip(
        series["role"], series["illustrative"].astype(bool), strict=True
    ):
        name = bench_name if role == "benchmark" else area_name
        names.append(f"{name}{ILLUSTRATIVE_SUFFIX}" if illustrative else name)
    order = [
        area_name,
        f"{area_name}{ILLUSTRATIVE_SUFFIX}",
        bench_name,
        f"{bench_name}{ILLUSTRATIVE_SUFFIX}",
    ]
    return names, [n for n in dict.fromkeys(order) if n in set(names)]


@dataclass(frozen=True)
class Line:
    """One drawn line: its name (as `line_names` gives it), its role ("area" or
    "benchmark"), whether its figures are illustrative, and its rows."""

    name: str
    role: str
    illustrative: bool
    rows: pd.DataFrame

    @property
    def style(self) -> str:
        """The drawing style (data_access.pack_slides.Chart.styles)."""
        return f"{self.role} illustrative" if self.illustrative else self.role

    def values(self, axis: Sequence[str], column: str) -> list[float | None]:
        """The line's `column` at each period of `axis` (by the rows' "period"):
        None where it has no row or no figure shown, so a gap stays a gap and
        the other kind's periods are blank on this line."""
        got = dict(zip(self.rows["period"], self.rows[column], strict=True))
        out: list[float | None] = []
        for p in axis:
            v = got.get(p)
            try:
                out.append(None if v is None or pd.isna(v) else float(v))
            except (TypeError, ValueError):
                out.append(None)
        return out


def split_lines(series: pd.DataFrame, area_name: str, bench_name: str) -> list[Line]:
    """The rows of a trend view (columns role, illustrative, period and the
    figures) as the lines to draw, in legend order (`line_names`)."""
    names, order = line_names(series, area_name, bench_name)
    drawn = pd.Series(names, index=series.index, dtype=object)
    lines = []
    for name in order:
        rows = series[drawn == name]
        lines.append(
            Line(
                name=name,
                role="benchmark" if (rows["role"] == "benchmark").all() else "area",
                illustrative=bool(rows["illustrative"].astype(bool).all()),
                rows=rows,
            )
        )
    return lines
