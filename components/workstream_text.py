"""Words about a workstream's measures, shared by the workstream pages and a lead's
overview (pure presentation over `workstreams.measure_status`'s columns; the rule
texts are passed in by the page, as components never touch the store)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from dash import html

from components.formatting import percent
from data_access.periods import long_date


def measures_summary(measures: pd.DataFrame) -> str:
    """RAG counts, returns received and late, and when the next return is due."""
    if measures.empty:
        return "No measures yet."
    counts = measures["rag"].value_counts()
    expected, received = measures["expected"].sum(), measures["received"].sum()
    late = measures["late"].sum()
    due = measures["next_due"].min()
    text = (
        f"{len(measures)} measures: {counts.get('green', 0)} green, "
        f"{counts.get('amber', 0)} amber, {counts.get('red', 0)} red"
    )
    others = len(measures) - sum(counts.get(k, 0) for k in ("green", "amber", "red"))
    if others:
        text += f", {others} not rated"
    text += ". "
    if expected:
        text += (
            f"Returns: {received} of {expected} expected measure returns received "
            f"({percent(received / expected, 0, fraction=True)}); {late} late. "
        )
    if due is not None and due == due:
        text += f"Next return due {long_date(due)}."
    return text.strip()


def rag_explainer(rule_text: dict[str, str]) -> html.Details:
    """How RAG ratings are decided, for each polarity, in words (`rule_text`:
    statistics.RAG_RULE_TEXT)."""
    return html.Details(
        [
            html.Summary("How the RAG rating is decided"),
            html.P(
                "Each measure's latest quarterly value is compared with the target "
                "for that quarter's financial year. The rating is always written in "
                "words as well as shown in colour."
            ),
            html.Dl(
                [
                    html.Dt("Where lower is better"),
                    html.Dd(rule_text["lower_is_better"]),
                    html.Dt("Where higher is better"),
                    html.Dd(rule_text["higher_is_better"]),
                    html.Dt("Where neither is better"),
                    html.Dd(rule_text["no_judgement"]),
                ]
            ),
            html.P(
                "Small counts (1 to 7) may be shown as * under disclosure control; "
                "their rating is then not shown either."
            ),
        ],
        className="ws-rag-rule",
    )


def returns_note(latest: str | None, as_at: dt.date, due_rule: str) -> html.P:
    """The date returns are counted at, the latest quarter returned (a label, or
    None when nothing has been) and the due-date rule (returns_due.DUE_RULE)."""
    if latest is None:
        return html.P("No quarterly returns have been received yet.")
    return html.P(
        f"Returns are counted as at {long_date(as_at)}; the latest quarter "
        f"any workstream has returned is {latest}. {due_rule}",
        className="ws-returns-note",
    )


def rag_badge(rag: str, text: str) -> html.Span:
    """A RAG rating in words, with a colour swatch that is never the only cue."""
    key = rag_key(rag)
    return html.Span(
        [
            html.Span(className=f"rag-dot rag-dot--{key}", **{"aria-hidden": "true"}),
            text,
        ],
        className=f"rag rag--{key}",
    )


def rag_key(rag: str) -> str:
    """The CSS modifier of a RAG rating: green, amber, red or none."""
    return rag if rag in ("green", "amber", "red") else "none"
