"""The one sentence for a change against the pre-funding baseline
(data_access.outcomes.headlines.baseline_change, the same dict on every road):
the overview's headline cards and the public trend embed both say it this way,
so the same fact reads the same. Pure presentation.
"""

from __future__ import annotations


def _judged(direction: int, polarity: str) -> str:
    """ ", an improvement" or ", a worsening" by the measure's polarity (from its
    measure row); nothing for a measure with no better direction."""
    better = {"lower_is_better": -1, "higher_is_better": +1}.get(polarity)
    if better is None:
        return ""
    return ", an improvement" if direction == better else ", a worsening"


def baseline_sentence(baseline: dict, polarity: str) -> tuple:
    """(arrow, words) for a change against the baseline; words never rely on the
    arrow. E.g. ("▼", "2024/25: down 22% on the 2016/17 to 2018/19 average rate,
    significantly lower than the baseline, an improvement (...)")."""
    label = (baseline or {}).get("baseline_label")
    named = f"the {label} baseline" if label else "the baseline"
    if not baseline or not baseline.get("available"):
        reason = (baseline or {}).get("reason") or "not available"
        return "", f"Change against {named}: {reason}."
    pct = baseline["percent_change"]
    arrow = "▲" if pct > 0.5 else "▼" if pct < -0.5 else "▶"
    moved = (
        f"up {abs(pct):.0f}%"
        if pct > 0.5
        else f"down {abs(pct):.0f}%"
        if pct < -0.5
        else "about the same"
    )
    if baseline["direction"] == "no significant change":
        verdict = "not significantly different from the baseline"
    elif baseline["direction"] == "increase":
        verdict = "significantly higher than the baseline" + _judged(+1, polarity)
    else:
        verdict = "significantly lower than the baseline" + _judged(-1, polarity)
    # The one road compares only figures of one kind; when that kind is
    # illustrative the sentence must say so, or a reader takes it as real.
    kind = (
        " Both the baseline and this figure are illustrative, not official."
        if baseline.get("illustrative")
        else ""
    )
    average = f"the {label} average rate" if label else "the baseline average rate"
    return (
        arrow,
        f"{baseline['current_period']}: {moved} on {average}, {verdict} "
        f"({baseline['test_text']}).{kind}",
    )
