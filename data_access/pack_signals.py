"""The board pack's workstream signals slide (issue 16 item 2: Making Data Count
icons in board packs): each workstream measure's variation and assurance verdict
as at the pack's quarter, from `workstreams.measure_spc` (the verdict the
workstream pages show, over the quarters the reader may see, up to the quarter's
end) with the measure's name and latest quarter from `workstreams.measure_status`.
Nothing is computed here: the verdicts are counted and put into words.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from data_access import spc, workstreams
from data_access.pack_slides import Signal, Slide, Table

KINDS = (  # (variation prefix, words) in the order the title names them
    ("concerning", "concerning"),
    ("improving", "improving"),
    ("special cause", "changed with no judgement"),
    ("common cause", "common cause"),
    ("not assessed", "not assessed"),
)
NO_ASSURANCE = "No assurance: no target (or no better direction) set"


def workstream_signal_slides(
    reader, area, frame: pd.DataFrame, as_at: dt.date, quarter: str
) -> list[Slide]:
    """One slide: every measure of the workstreams in `frame` (workstream_list's
    rows) with its variation and assurance icons and words, as at `as_at`."""
    signals: list[Signal] = []
    rows: list[list] = []
    illustrative = False
    for ws in frame.itertuples():
        wid = int(ws.workstream_id)
        status = workstreams.measure_status(
            scope=reader, workstream_id=wid, as_at=as_at
        )
        verdicts = workstreams.measure_spc(scope=reader, workstream_id=wid, as_at=as_at)
        illustrative |= bool(status["illustrative"].any())
        for m in status.itertuples():
            verdict = verdicts.get(m.measure_code)
            if verdict is None:  # no quarterly figure yet
                continue
            signals.append(
                Signal(
                    label=f"{ws.name}: {m.name}",
                    variation=verdict["variation"],
                    variation_words=verdict["variation_words"],
                    assurance=verdict["assurance"],
                    assurance_words=verdict["assurance_words"],
                )
            )
            rows.append(
                [
                    ws.name,
                    m.name,
                    m.latest_period,
                    verdict["variation_words"],
                    verdict["assurance_words"] or NO_ASSURANCE,
                ]
            )
    if not signals:
        return []
    counts = {
        words: sum(s.variation.startswith(prefix) for s in signals)
        for prefix, words in KINDS
    }
    counted = [f"{n} {words}" for words, n in counts.items() if n]
    title = f"Workstream measures, signal or noise: {', '.join(counted)}"
    points = [
        f"{len(signals)} workstream measures as at {quarter}: "
        + "; ".join(counted)
        + ".",
        "Each measure's quarterly returns up to the quarter's end on an XmR chart "
        "with NHS England's Making Data Count rules (as on its workstream page); "
        f"no signal from fewer than {spc.SPC_MIN_POINTS} quarters. Assurance "
        "compares the latest target with the process limits; the RAG slide "
        "compares the latest quarter with its target.",
    ]
    summary = (
        f"Each workstream measure's variation and assurance in {area.name}. "
        + " ".join(points)
        + " "
        + " ".join(f"{s.label}: {s.words}" for s in signals)
    )
    return [
        Slide(
            section="workstreams",
            title=title,
            summary=summary,
            table=Table(
                caption=f"Workstream measures, variation and assurance, {area.name}, "
                f"as at {quarter}",
                columns=[
                    ("Workstream", "text"),
                    ("Measure", "text"),
                    ("Latest quarter", "text"),
                    ("Variation", "text"),
                    ("Assurance", "text"),
                ],
                rows=rows,
            ),
            points=points,
            sources=["Quarterly returns: workstream measures and targets"],
            illustrative=illustrative,
            link="/workstreams",
            signals=signals,
        )
    ]


__all__ = ["workstream_signal_slides"]
