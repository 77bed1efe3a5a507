"""VRU Outcomes Monitor: build the Dash app, register extensions, expose `server`."""

import threading

import dash

import web
from web import plotly_bundle
from web.shell import serve_layout

INDEX = """<!DOCTYPE html>
<html lang="en">
<head>{%metas%}<title>{%title%}</title>{%favicon%}{%css%}</head>
<body>{%app_entry%}<footer>{%config%}{%scripts%}{%renderer%}</footer></body>
</html>"""

app = dash.Dash(
    __name__,
    use_pages=True,
    title="VRU Outcomes Monitor",
    update_title=None,
    serve_locally=True,
    # gzip (or brotli) for pages, JSON and the large JS bundles (Flask-Compress).
    compress=True,
    index_string=INDEX,
    meta_tags=[
        {"name": "viewport", "content": "width=device-width, initial-scale=1"},
        # Where dcc.Graph loads plotly.js from: the basic bundle (web/plotly_bundle.py)
        plotly_bundle.meta_tag(),
    ],
)


def serialize_dash_setup(dash_app: dash.Dash) -> None:
    """Finish Dash's one-off setup before any request of a process is served.

    Dash 4.4 sets itself up on a process's first request but marks that done before
    it has finished (plotly/dash#3971). With gunicorn's threads the page's parallel
    script requests to a fresh worker then meet an empty registry and get HTTP 500
    ("dash is not a registered library"): a blank page after every restart. This
    hook runs first and holds the other threads until the setup is complete.
    """
    lock = threading.Lock()
    done = threading.Event()

    def setup_first():
        if done.is_set():
            return
        with lock:
            if not done.is_set():
                dash_app._setup_server()  # idempotent: Dash's own hook then skips
                done.set()

    dash_app.server.before_request_funcs.setdefault(None, []).insert(0, setup_first)


app.layout = serve_layout
web.init_app(app)
plotly_bundle.init_plotly_bundle(app)
serialize_dash_setup(app)
server = app.server
web.tune_garbage_collection()
