"""Meeting mode: the board pack's slides in the browser, one at a time, in large
type for a projector (1280x720), moved by the arrow keys, Page Up / Page Down,
Home / End or the on-screen buttons, with a slide counter and a full-screen
button (assets/vru-present.js). Each slide links to its live page (the measure's
trend, /funding, /prevention, /workstreams) and a success measure's slide shows
its Making Data Count variation icon with its words; the browser's Back button
returns to the same slide (its number is in the URL's hash).

State in the URL: ?vru=E23000036&meeting=2026-12-10[&quarter=2026-07]. The quarter
defaults to the last complete quarter before the meeting (or today). The slides are
the pack model's (data_access.board_pack) with the viewer's own access, as an
internal pack.
"""

from __future__ import annotations

import base64
import datetime as dt

import dash
from dash import Input, Output, dcc, html

from components.shell import message
from components.spc_icons import spc_summary
from components.static_html import static_html
from data_access import board_pack, clock
from data_access.errors import AccessDenied, DataAccessError, StoreUnavailable
from data_access.returns.spec import started_quarters
from web.access import current_scope
from web.pack_svg import chart_svg
from web.pack_text import slide_stamp

dash.register_page(
    __name__,
    path="/present",
    title="Meeting mode – VRU Outcomes Monitor",
    name="Meeting mode",
    order=81,
)

PAGE = "present"


def layout(vru: str | None = None, meeting: str | None = None, quarter=None, **_q):
    return html.Div(
        [
            html.H1("Meeting mode", className="visually-hidden"),
            dcc.Store(
                id=f"{PAGE}-query",
                data={"vru": vru, "meeting": meeting, "quarter": quarter},
            ),
            dcc.Loading(html.Div(id=f"{PAGE}-content"), type="dot"),
        ]
    )


def last_complete_quarter(day: dt.date) -> dt.date:
    """The first day of the quarter before the one under way on `day`: the
    second of the quarters started by then (returns.spec.started_quarters)."""
    return started_quarters(day, 2)[1]


@dash.callback(Output(f"{PAGE}-content", "children"), Input(f"{PAGE}-query", "data"))
def show(query):
    query = query or {}
    try:
        scope = current_scope()
        meeting = (
            dt.date.fromisoformat(query["meeting"]) if query.get("meeting") else None
        )
        vru = query.get("vru") or (
            sorted(scope.area_codes)[0] if scope.area_codes else "E23000036"
        )
        quarter = query.get("quarter") or last_complete_quarter(
            meeting or clock.today()
        )
        pack = board_pack.build_pack(
            scope=scope, vru_code=vru, quarter_start=quarter, meeting_date=meeting
        )
    except ValueError:
        return message("Meeting: give the date like 2026-12-10.", kind="warning")
    except AccessDenied:
        return message(
            "Meeting mode shows only the VRUs your access includes.", kind="warning"
        )
    except StoreUnavailable:
        return message(
            "Data temporarily unavailable. Please try again shortly.", kind="warning"
        )
    except DataAccessError as error:
        return message(str(error), kind="warning")
    slides = [_title_slide(pack)] + [
        _slide(pack, slide, i) for i, slide in enumerate(pack.slides, start=2)
    ]
    return html.Div(
        [
            html.Div(
                [
                    html.Button("Previous slide", id=f"{PAGE}-prev", type="button"),
                    html.Button("Next slide", id=f"{PAGE}-next", type="button"),
                    html.P(
                        f"Slide 1 of {len(slides)}",
                        id=f"{PAGE}-counter",
                        className="present-counter",
                        **{"aria-live": "polite"},
                    ),
                    html.Button("Full screen", id=f"{PAGE}-fullscreen", type="button"),
                    html.P(
                        "Keys: right and left arrows, Page Down and Page Up, "
                        "Home, End.",
                        className="present-keys",
                    ),
                ],
                className="present-controls",
                role="group",
                **{"aria-label": "Slide controls"},
            ),
            # Read-only: one Dash component instead of ~320 that Dash's renderer
            # re-checks on every store update (components/static_html.py); the
            # slides are shown and hidden by assets/vru-present.js, in the DOM.
            static_html(slides),
        ],
        id=f"{PAGE}-deck",
        className="present-deck",
    )


def _stamp(pack, slide) -> html.Div:
    return html.Div(
        [html.P(line) for line in slide_stamp(pack, slide)], className="present-stamp"
    )


def _title_slide(pack) -> html.Section:
    return html.Section(
        [
            html.H2(pack.title, tabIndex=-1),
            html.Ul(
                [html.Li(slide.title) for slide in pack.slides]
                + [html.Li(f"Not included: {reason}") for reason in pack.omitted]
            ),
            _stamp(pack, None),
        ],
        id=f"{PAGE}-slide-1",
        className="present-slide",
        **{"aria-label": "Slide 1"},
    )


def _signals(slide) -> html.Ul:
    """Each series' variation and assurance icons beside its words."""
    return html.Ul(
        [
            html.Li(
                [
                    html.Strong(signal.label),
                    spc_summary(
                        variation=signal.variation,
                        variation_words=signal.variation_words,
                        assurance=signal.assurance,
                        assurance_words=signal.assurance_words,
                    ),
                ]
            )
            for signal in slide.signals
        ],
        className="present-signals",
    )


def _slide(pack, slide, number: int) -> html.Section:
    body: list = []
    if slide.chart is not None:
        svg = base64.b64encode(chart_svg(slide.chart).encode()).decode()
        body.append(
            html.Img(src=f"data:image/svg+xml;base64,{svg}", alt=slide.chart.alt)
        )
    words = html.Ul([html.Li(point) for point in slide.points])
    if slide.variation:
        # The variation icon beside its words, as the pages show it.
        icon = spc_summary(
            variation=slide.variation, variation_words=slide.variation_words
        )
        words = html.Div([icon, words], className="present-points")
    if slide.signals:
        words = html.Div([words, _signals(slide)], className="present-points")
    body.append(words)
    return html.Section(
        [
            html.H2(slide.title, tabIndex=-1),
            *(
                [html.P("Illustrative data", className="present-illustrative")]
                if slide.illustrative
                else []
            ),
            html.Div(body, className="present-body"),
            html.P(
                html.A(f"Open the live page: {slide.title}", href=slide.link),
                className="present-live",
            )
            if slide.link
            else None,
            _stamp(pack, slide),
        ],
        id=f"{PAGE}-slide-{number}",
        className="present-slide",
        hidden=True,
        **{"aria-label": f"Slide {number}"},
    )


__all__ = ["last_complete_quarter", "layout"]
