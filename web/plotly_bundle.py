"""The plotly.js that the app's charts load: the vendored *basic* bundle.

dcc.Graph (Dash 4.4) loads plotly.js the first time a page draws a graph, from
`window._dashPlotlyJSURL`, which Dash's renderer sets to the unversioned
`_dash-component-suites/plotly/package_data/plotly.min.js`: the full bundle
(4.8 MB, 1.47 MB gzipped), most of a page's first load. The app draws only
scatter and bar traces, which the basic bundle holds (1.2 MB, 0.39 MB gzipped,
the same plotly.js version; web/static/vendor/VENDOR.md), so:

- every app page carries a <meta name="vru-plotly-js"> with the versioned URL
  the embeds already use (/embed/static/plotly-basic.min.js?v=<content hash>,
  gzipped, cached for a year, shared with the embeds); assets/vru.js makes
  `window._dashPlotlyJSURL` answer it. Pages without a graph still load nothing.
- Dash's own URL answers the same basic bundle, never the full one, for a client
  that misses the override; it is unversioned, so it is revalidated daily.
"""

from __future__ import annotations

import dash

from web import embed

BUNDLE = "plotly-basic.min.js"
META_NAME = "vru-plotly-js"
DASH_PLOTLY_PATH = "_dash-component-suites/plotly/package_data/plotly.min.js"
UNVERSIONED_MAX_AGE = 24 * 3600


def bundle_url() -> str:
    """The versioned URL of the basic bundle (the embeds' static route)."""
    return embed.static_path(BUNDLE)


def meta_tag() -> dict:
    return {"name": META_NAME, "content": bundle_url()}


def _dash_plotly_js():
    return embed.static_response(BUNDLE, max_age=UNVERSIONED_MAX_AGE, immutable=False)


def init_plotly_bundle(app: dash.Dash) -> None:
    """Answer Dash's plotly.js URL with the basic bundle. A rule without variables
    takes precedence over Dash's `_dash-component-suites/<package>/<path>`."""
    app.server.add_url_rule(
        app.config.routes_pathname_prefix + DASH_PLOTLY_PATH,
        endpoint="plotly_basic_bundle",
        view_func=_dash_plotly_js,
    )
