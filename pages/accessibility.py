"""Accessibility statement (public): how the service meets WCAG 2.2 AA, known
limitations, and how to report a problem."""

import dash
from dash import html

dash.register_page(
    __name__,
    path="/accessibility",
    title="Accessibility statement – VRU Outcomes Monitor",
    name="Accessibility",
    order=90,
    public=True,
    nav=False,
)


def layout(**_query):
    return html.Div(
        [
            html.H1("Accessibility statement"),
            html.P(
                "This service is run for Violence Reduction Units and Police and "
                "Crime Commissioners. We want as many people as possible to be able "
                "to use it. It aims to meet the Web Content Accessibility Guidelines "
                "(WCAG) 2.2 at level AA."
            ),
            html.H2("What you can do"),
            html.Ul(
                [
                    html.Li("use every page and control with a keyboard alone;"),
                    html.Li("zoom to 400% without text spilling off the screen;"),
                    html.Li(
                        "read every chart as a table, download its data as CSV, and "
                        "read a text summary generated from the same figures;"
                    ),
                    html.Li(
                        "tell comparisons apart without colour: significance is "
                        "written out and shown with shapes and patterns."
                    ),
                ]
            ),
            html.H2("How we test"),
            html.P(
                "Every page is checked automatically with axe-core against the "
                "WCAG 2.0, 2.1 and 2.2 A and AA rules in a real browser as part of "
                "our test suite, and by hand with the keyboard."
            ),
            html.H2("Known limitations"),
            html.Ul(
                [
                    html.Li(
                        "Interactive chart features such as zoom and hover rely on a "
                        "pointer; the table view and CSV download give the same "
                        "figures without them."
                    ),
                    html.Li(
                        "Maps show force areas as shapes; the same figures are in "
                        "the ranked table beside them."
                    ),
                ]
            ),
            html.H2("Reporting a problem"),
            html.P(
                "Contact the Violence Reduction Unit's Performance and Insight "
                "team through your Police and Crime Commissioner's office. If you "
                "are not happy with the response, contact the Equality Advisory "
                "and Support Service (EASS)."
            ),
            html.P("This statement was prepared on 22 November 2026."),
        ]
    )
