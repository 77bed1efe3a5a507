"""The parts of a board pack every renderer draws: a slide with its chart (the
data of native, editable charts) and its table (raw values with a column kind,
formatted by the renderers as the pages format them). Built by
data_access/board_pack.py and data_access/board_pack_record.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Chart:
    """A chart's data: kind "line", "bar" or "stacked_bar"; one list of values per
    series, aligned with `categories`; `alt` is its alternative text.

    `styles` (optional, one per series) says how a renderer draws each line:
    one of `LINE_STYLES`. An "illustrative" style is drawn apart from the
    published one (dashed, hollow markers, "illustrative" in the legend) and,
    being its own series with None wherever the other has a figure, never
    joined to it; None is always a gap, never a line across it.

    `marks` (line charts): the annotations the chart covers (data_access.
    annotations), each (category it falls in, short label, full text), drawn as
    a labelled dashed vertical line at that category.

    `value_kind`: what its values are, as a Table column's kind ("count",
    "rate", "money"): every renderer writes value labels and the value axis by
    it, so the PDF and the PowerPoint label one bar alike ("£381,060")."""

    kind: str
    categories: list[str]
    series: list[tuple[str, list[float | None]]]
    value_title: str
    alt: str
    styles: tuple[str, ...] = ()
    marks: tuple[tuple[str, str, str], ...] = ()
    value_kind: str = "count"


LINE_STYLES = ("area", "area illustrative", "benchmark", "benchmark illustrative")


@dataclass(frozen=True)
class Table:
    """The data behind a chart (or a section's facts): `columns` as (header, kind)."""

    caption: str
    columns: list[tuple[str, str]]
    rows: list[list[Any]]


@dataclass(frozen=True)
class Signal:
    """One series' Making Data Count verdict on a slide: its label, variation
    (one of spc.VARIATIONS) and assurance (spc.ASSURANCES, or None without a
    target), each with its words; drawn as icons (components.spc_icons)."""

    label: str
    variation: str
    variation_words: str
    assurance: str | None = None
    assurance_words: str | None = None

    @property
    def words(self) -> str:
        """Both verdicts in sentences."""
        words = f"{self.variation_words}."
        return f"{words} {self.assurance_words}." if self.assurance_words else words

    @property
    def variation_alt(self) -> str:
        """The variation icon's alternative text (its words follow as text)."""
        return f"Making Data Count variation icon: {self.variation}"

    @property
    def assurance_alt(self) -> str:
        return f"Making Data Count assurance icon: {self.assurance}"


@dataclass(frozen=True)
class Slide:
    """One slide of a section: a title that states the finding, its chart and
    table, the text summary (speaker notes and the screen-reader text), points to
    read out, sources, the illustrative flag and the live page it comes from.

    `variation`: the Making Data Count variation verdict of the slide's series
    (data_access.trend_spc; one of spc.VARIATIONS), drawn as its icon
    (components.spc_icons) beside `variation_words`, the verdict in a sentence
    (also at the end of `summary`). `signals`: the verdicts of several series
    (the workstream measures), each drawn as its icons beside its words."""

    section: str
    title: str
    summary: str
    chart: Chart | None = None
    table: Table | None = None
    points: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    illustrative: bool = False
    link: str | None = None
    measure_code: str | None = None
    variation: str | None = None
    variation_words: str | None = None
    signals: list[Signal] = field(default_factory=list)

    @property
    def variation_alt(self) -> str:
        """The variation icon's alternative text (its words follow it as text)."""
        return f"Making Data Count variation icon: {self.variation}"


def note_slide(section: str, title: str, words: str, link: str | None) -> Slide:
    """A slide that only says something (e.g. that there is nothing to show)."""
    return Slide(section=section, title=title, summary=words, points=[words], link=link)
