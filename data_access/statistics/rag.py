"""RAG status against a target, respecting polarity."""

from __future__ import annotations

import math

from data_access.statistics.intervals import POLARITIES, _as_float, _check_polarity

# --- RAG


def rag_rule_text(*, polarity: str, tolerance: float = 0.05) -> str:
    """How `rag_status` decides, in words, for a definitions page or a legend."""
    _check_polarity(polarity)
    pct = f"{tolerance * 100:g}%"
    if polarity == "lower_is_better":
        return (
            "Green: at or below the target. "
            f"Amber: above the target by no more than {pct} of it. "
            f"Red: more than {pct} above the target."
        )
    if polarity == "higher_is_better":
        return (
            "Green: at or above the target. "
            f"Amber: below the target by no more than {pct} of it. "
            f"Red: more than {pct} below the target."
        )
    return "No RAG rating: this measure has no better or worse direction."


RAG_RULE_TEXT: dict[str, str] = {p: rag_rule_text(polarity=p) for p in POLARITIES}


def rag_status(
    *,
    value: float | None,
    target: float | None,
    polarity: str,
    tolerance: float = 0.05,
) -> str:
    """Red / amber / green against a target, respecting polarity.

    lower_is_better: green at or below the target, amber up to `tolerance` (a
    fraction of the target) above it, red beyond; higher_is_better mirrors that.
    Checked in this order: no target -> "no target"; no_judgement ->
    "no judgement"; no value -> "no data". Rule text: `RAG_RULE_TEXT`.
    """
    _check_polarity(polarity)
    if tolerance < 0:
        raise ValueError("tolerance must not be negative")
    goal, observed = _as_float(target), _as_float(value)
    if math.isnan(goal):
        return "no target"
    if polarity == "no_judgement":
        return "no judgement"
    if math.isnan(observed):
        return "no data"
    margin = tolerance * abs(goal)
    if polarity == "lower_is_better":
        if observed <= goal:
            return "green"
        return "amber" if observed <= goal + margin else "red"
    if observed >= goal:
        return "green"
    return "amber" if observed >= goal - margin else "red"
