"""VRU Outcomes Monitor: build the Dash app, register extensions, expose `server`."""

import dash

import web
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
    meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
)
app.layout = serve_layout
web.init_app(app)
server = app.server
