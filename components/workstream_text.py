"""Words about a workstream's measures, shared by the workstream page and a lead's
overview (pure presentation over `workstreams.measure_status`'s columns)."""

from __future__ import annotations

import pandas as pd

from components.formatting import percent


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
        text += f"Next return due {due.day} {due:%B %Y}."
    return text.strip()
