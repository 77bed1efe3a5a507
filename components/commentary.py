"""Commentary, "since the last board" and the board's decisions and actions, as
page parts. Pure presentation: callers pass rows (dicts) from
data_access.commentary and data_access.board.

Commentary text is user text: it is only ever placed as a text child (Dash
escapes it), split into paragraphs at blank lines and into lines at line breaks,
never given to Markdown or dangerouslySetInnerHTML, so markup or a link in it
stays inert text.
"""

from __future__ import annotations

import datetime as dt

from dash import dcc, html

from data_access.periods import long_date as date_in_words

STATUS_WORDS = {"draft": "Draft, not yet signed off", "signed_off": "Signed off"}
ACTION_STATUS_WORDS = {"open": "Open", "done": "Done", "dropped": "Dropped"}


def long_date(day) -> str:  # noqa: ANN001
    """'3 December 2026' (the date part of a date or timestamp)."""
    if day is None:
        return ""
    if isinstance(day, str):
        day = dt.date.fromisoformat(day[:10])
    return date_in_words(day)


def plain_text(text: str) -> list:
    """Paragraphs of plain text as html.P children, line breaks kept."""
    paragraphs = [p for p in str(text or "").replace("\r\n", "\n").split("\n\n")]
    out = []
    for paragraph in paragraphs:
        lines = paragraph.split("\n")
        children: list = []
        for i, line in enumerate(lines):
            if i:
                children.append(html.Br())
            children.append(line)
        out.append(html.P(children, className="commentary-text"))
    return out


def status_line(row: dict) -> str:
    """'Signed off by VRU Director on 4 December 2026' or 'Draft, not yet signed
    off'; with who wrote it and when."""
    written = f"Written by {row['author_role']} on {long_date(row['written_at'])}"
    if row.get("status") == "signed_off":
        return (
            f"{written}; signed off by {row['signed_off_by_role']} on "
            f"{long_date(row['signed_off_at'])}."
        )
    return f"{written}; {STATUS_WORDS['draft'].lower()}."


def commentary_note(
    row: dict, *, heading_level: int = 3, edit_href: str | None = None
) -> html.Aside:
    """One measure's commentary for a quarter, beside the measure: heading, the
    text, status (in words), and the revision flag when it applies."""
    heading = getattr(html, f"H{heading_level}")
    status = row.get("status", "draft")
    parts: list = [
        heading(f"Commentary, {row['quarter']}", className="commentary-heading"),
        html.P(
            html.Strong(STATUS_WORDS.get(status, status)),
            className=f"commentary-status commentary-status--{status}",
        ),
    ]
    if row.get("revised_note"):
        parts.append(
            html.P(
                [html.Strong("Note: "), row["revised_note"]],
                className="commentary-revised",
            )
        )
    parts += plain_text(row["text"])
    parts.append(html.P(status_line(row), className="small commentary-meta"))
    if edit_href:
        parts.append(
            html.P(
                dcc.Link(
                    [
                        "Versions, edit or sign off",
                        html.Span(
                            f" the commentary on {row['measure_name']}",
                            className="visually-hidden",
                        ),
                    ],
                    href=edit_href,
                ),
                className="small",
            )
        )
    return html.Aside(
        parts,
        className="commentary-note",
        **{"aria-label": f"Commentary on {row['measure_name']}, {row['quarter']}"},
    )


def write_link(measure_name: str, href: str) -> html.P:
    """'Write commentary' for a measure that has none yet."""
    return html.P(
        dcc.Link(
            [
                "Write commentary",
                html.Span(f" on {measure_name}", className="visually-hidden"),
            ],
            href=href,
        ),
        className="small commentary-write",
    )


def since_last_board(
    changes: list[dict],
    *,
    meeting: dt.date | None,
    rule: str,
    href: str,
    limit: int = 8,
) -> html.Section:
    """The short "Since the last board" list for the overview: up to `limit`
    lines, the rule stated, a link to the full list."""
    if meeting is None:
        body: list = [
            html.P(
                "No board meeting is recorded for this VRU yet, so there is nothing "
                "to compare with."
            )
        ]
    elif not changes:
        body = [html.P("Nothing that meets the rule below has changed since then.")]
    else:
        shown = changes[:limit]
        body = [html.Ul([html.Li(c["text"]) for c in shown], className="since-list")]
        if len(changes) > limit:
            body.append(html.P(f"And {len(changes) - limit} more."))
    title = "Since the last board" + (f" ({long_date(meeting)})" if meeting else "")
    return html.Section(
        [
            html.H2(title),
            *body,
            html.P(f"What is listed: {rule}", className="small since-rule"),
            html.P(dcc.Link("Board meetings, decisions and actions", href=href)),
        ],
        className="since-last-board",
    )


def actions_table(rows: list[dict], *, caption: str) -> html.Div:
    """Decisions and actions: what, measure and quarter, owner, due, status (an
    overdue action says so in words), and the measure's path since."""
    if not rows:
        return html.P("No decisions or actions are recorded.")
    head = html.Thead(
        html.Tr(
            [
                html.Th(c, scope="col")
                for c in (
                    "Decision or action",
                    "Measure and quarter",
                    "Owner",
                    "Due",
                    "Status",
                    "The measure since",
                )
            ]
        )
    )
    body = []
    for r in rows:
        status = ACTION_STATUS_WORDS.get(r["status"], r["status"])
        body.append(
            html.Tr(
                [
                    html.Th(
                        [html.Span(f"{r['kind'].title()}: "), r["text"]], scope="row"
                    ),
                    html.Td(f"{r['measure_name']}, {r['quarter']}"),
                    html.Td(r["owner_role"]),
                    html.Td(long_date(r["due_date"]) or "No due date"),
                    html.Td(
                        [status, html.Strong(" – overdue", className="overdue")]
                        if r["overdue"]
                        else status
                    ),
                    html.Td(r["path_text"]),
                ],
                className="action-overdue" if r["overdue"] else None,
            )
        )
    return html.Div(
        html.Table(
            [html.Caption(caption), head, html.Tbody(body)],
            className="table table-sm actions-table",
        ),
        # scrolls sideways in its own box on a phone, not the whole page
        className="table-responsive chart-table-wrapper",
        tabIndex="0",
        role="region",
        **{"aria-label": caption},
    )


__all__ = [
    "actions_table",
    "commentary_note",
    "long_date",
    "plain_text",
    "since_last_board",
    "status_line",
    "write_link",
]
