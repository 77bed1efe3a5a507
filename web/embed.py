"""Public embeddable charts: /embed (the gallery) and /embed/<chart>.

Plain Flask routes, not Dash pages: each embed is one server-rendered HTML page
(web/templates/embed.html) that loads no script: its chart is drawn on the server
from the embed's figure (web/embed_svg.py: components.figure_svg, the app's
renderer), once for a phone and once wide, and the page's CSS shows the one that
fits, so it reads the same with JavaScript off (no plotly.js either: on a phone
its start-up and first draw were long main-thread tasks). The plotly.js *basic*
bundle is still served from here for the app (web/plotly_bundle.py;
web/static/vendor/VENDOR.md), and embed.js for the gallery's "Copy" buttons.
No app shell, no sign-in, no callback round trip; a table alternative, a text
summary, caption, source, "data as at", a CSV of exactly what is shown and the
"Illustrative data" watermark inside the plot. What each chart shows is built by
web/embed_charts.py, from data_access.public and the signed-in pages' roads with
the public scope (the published surface, with disclosure control applied).

Caching: the rendered page is kept in the shared cache (data_access.cache, cleared
after an import or approval) and served with Cache-Control public,
max-age=CACHE_TIMEOUT and an ETag (If-None-Match answers 304). Framing is allowed
for /embed/* only (web/security.py).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
from collections.abc import Callable
from functools import cache as once
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

from flask import Blueprint, Response, abort, render_template, request, url_for

import settings
from components.area_map import outline_symbols_file, outlines
from components.chart import ILLUSTRATIVE_LABEL
from components.chart_tables import table_to_csv
from data_access import public
from data_access.cache import shared_generation
from data_access.disclosure import MARKER
from data_access.errors import StoreUnavailable
from data_access.geography import pfa_boundaries
from data_access.meta import area_picker_options, data_as_at
from web import response_cache
from web.embed_charts import CHARTS, BadParameter, EmbedChart, empty_built
from web.shared_cache import cache

log = logging.getLogger(__name__)
blueprint = Blueprint("embed", __name__, template_folder="templates")

STATIC_DIR = Path(__file__).parent / "static"


def _pfa_outlines() -> bytes:
    """The force areas' outlines as /compare's map draws them (components.area_map
    `outlines` of the shipped boundaries), compact JSON: the same for every user
    and every click, so fetched once and cached for a year under its hash."""
    return json.dumps(
        outlines(pfa_boundaries()), separators=(",", ":"), allow_nan=False
    ).encode("utf-8")


def _pfa_outline_symbols() -> bytes:
    """The same outlines as one SVG file of <path id="<area code>">, from which
    /compare's server-drawn map draws each area with <use> (components.area_map
    `outline_symbols_file`): kept out of every answer, fetched once."""
    return outline_symbols_file(pfa_boundaries()).encode("utf-8")


# name -> (path under web/static, or a function making the bytes from files in the
# repository, and content type). Nothing else is served.
STATIC_FILES: dict[str, tuple[str | Callable[[], bytes], str]] = {
    "plotly-basic.min.js": ("vendor/plotly-basic-4.1.1.min.js.gz", "text/javascript"),
    "embed.js": ("embed.js", "text/javascript"),
    "embed.css": ("embed.css", "text/css"),
    "pfa-outlines.json": (_pfa_outlines, "application/json"),
    "pfa-outlines.svg": (_pfa_outline_symbols, "image/svg+xml"),
}
STATIC_MAX_AGE = 365 * 24 * 3600  # URLs carry a content hash, so they never go stale


# ------------------------------------------------------------------ responses


@once
def _static(name: str) -> tuple[bytes, bytes, str, str]:
    """(raw, gzipped, content type, short hash) of a served static file."""
    rel, content_type = STATIC_FILES[name]
    if callable(rel):
        raw = rel()
    else:
        raw = (STATIC_DIR / rel).read_bytes()
        # The vendored plotly bundle is kept gzipped: smaller in the repository,
        # and the unused map code's default CDN URLs inside it are not plain text.
        if rel.endswith(".gz"):
            raw = gzip.decompress(raw)
    return raw, gzip.compress(raw, 9, mtime=0), content_type, _hash(raw)[:12]


def static_version(name: str) -> str:
    """The content hash that versions a static file's URL (`?v=`)."""
    return _static(name)[3]


def static_url(name: str) -> str:
    return url_for("embed.static_file", name=name, v=static_version(name))


def static_path(name: str) -> str:
    """`static_url` without a request or app context (the app is served at /):
    for Dash callbacks and layouts, which tests also call bare."""
    return f"/embed/static/{name}?v={static_version(name)}"


def _hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _send(
    body: bytes,
    *,
    content_type: str,
    max_age: int,
    status: int = 200,
    gzipped: bytes | None = None,
    immutable: bool = False,
) -> Response:
    """A cacheable answer: gzip when the client takes it, ETag, If-None-Match."""
    use_gzip = "gzip" in request.headers.get("Accept-Encoding", "") and (
        gzipped is not None or len(body) > 1024
    )
    payload = body
    if use_gzip:
        payload = gzipped if gzipped is not None else gzip.compress(body, 6, mtime=0)
    response = Response(payload, status=status, content_type=content_type)
    if use_gzip:
        response.headers["Content-Encoding"] = "gzip"
    response.headers["Vary"] = "Accept-Encoding"
    if status == 200:
        response.set_etag(_hash(body)[:32] + ("-gz" if use_gzip else ""))
        cache_control = f"public, max-age={max_age}"
        response.headers["Cache-Control"] = cache_control + (
            ", immutable" if immutable else ""
        )
        response.make_conditional(request)
    else:
        response.headers["Cache-Control"] = "no-store"
    return response


def static_response(name: str, *, max_age: int, immutable: bool) -> Response:
    """One of STATIC_FILES, gzipped when the client takes it, with an ETag."""
    raw, gz, content_type, _ = _static(name)
    return _send(
        raw,
        content_type=content_type,
        max_age=max_age,
        gzipped=gz,
        immutable=immutable,
    )


@blueprint.route("/embed/static/<name>")
def static_file(name: str):
    if name not in STATIC_FILES:
        abort(404)
    return static_response(
        name, max_age=STATIC_MAX_AGE, immutable=bool(request.args.get("v"))
    )


def _as_of() -> str:
    """When the store was loaded. Not the store's latest period: that is the latest
    of any measure (2026/27 Q2 under a hospital chart ending 2025/26), and each
    chart's caption already states the periods it draws."""
    loaded = data_as_at().get("loaded_at")
    return f"loaded {str(loaded)[:10]}" if loaded else "not known"


def _keep_whole_answer(params: dict) -> None:
    """Let web.response_cache keep this answer, if the query string holds exactly
    the parameters the chart reads, as given: made-up or duplicated parameters
    would otherwise each fill the cache with a copy of the same page."""
    given = parse_qsl(request.query_string.decode("utf-8", "replace"), True)
    if len(given) == len(params) and dict(given) == params:
        request.environ[response_cache.CACHEABLE] = True


def _params(chart: EmbedChart) -> dict:
    return {
        p: request.args.get(p, "").strip()[:40]
        for p in chart.params
        if request.args.get(p, "").strip()
    }


def _render_embed(chart: EmbedChart, params: dict) -> tuple[str, int]:
    try:
        built = chart.build(params)
        status = 200
    except BadParameter as error:
        built = empty_built(chart.label, "", str(error))
        status = error.status
    table_rows = built.table.values.tolist() if not built.table.empty else []
    numeric = {
        i
        for i, col in enumerate(built.table.columns)
        if col in {"Count", "Percentage", "Rate", "95% CI lower", "95% CI upper"}
        or col in {"Allocated", "Spent", "Quarters reported", "Young people supported"}
    }
    query = urlencode(params)
    html = render_template(
        "embed.html",
        chart=chart,
        built=built,
        table_columns=list(built.table.columns),
        table_rows=table_rows,
        numeric=numeric,
        csv_url=url_for("embed.embed_csv", chart=chart.name)
        + (f"?{query}" * bool(query)),
        app_url=url_for("embed.gallery", _external=False),
        as_of=_as_of(),
        css_url=static_url("embed.css"),
        marker=MARKER,
        illustrative_label=ILLUSTRATIVE_LABEL,
    )
    return html, status


def _cached(key: str, make: Callable[[], tuple[str, int]]) -> tuple[str, int]:
    try:
        hit = cache.get(key)
    except Exception:  # noqa: BLE001 - a cache outage must not fail the page
        hit = None
    if hit is not None:
        return hit
    value = make()
    if value[1] == 200:
        try:
            cache.set(key, value, timeout=settings.cache_timeout())
        except Exception:  # noqa: BLE001
            log.warning("embed cache write failed")
    return value


@blueprint.route("/embed/<chart>")
def embed(chart: str):
    spec = CHARTS.get(chart)
    if spec is None:
        return _unavailable(f"There is no embeddable chart called '{chart[:40]}'.", 404)
    params = _params(spec)
    try:
        # The generation in the key: an import or an approval makes older pages old.
        key = f"embed:{shared_generation()}:{chart}:{urlencode(sorted(params.items()))}"
        html, status = _cached(key, lambda: _render_embed(spec, params))
    except StoreUnavailable:
        return _unavailable("Data temporarily unavailable. Please try again shortly.")
    if status == 200:
        _keep_whole_answer(params)
    return _send(
        html.encode("utf-8"),
        content_type="text/html; charset=utf-8",
        max_age=settings.cache_timeout(),
        status=status,
    )


@blueprint.route("/embed/<chart>/data.csv")
def embed_csv(chart: str):
    spec = CHARTS.get(chart)
    if spec is None:
        return _unavailable(f"There is no embeddable chart called '{chart[:40]}'.", 404)
    try:
        built = spec.build(_params(spec))
    except BadParameter as error:
        return _unavailable(str(error), error.status)
    except StoreUnavailable:
        return _unavailable("Data temporarily unavailable. Please try again shortly.")
    text = "\ufeff" + table_to_csv(built.csv)
    _keep_whole_answer(_params(spec))
    response = _send(
        text.encode("utf-8"),
        content_type="text/csv; charset=utf-8",
        max_age=settings.cache_timeout(),
    )
    response.headers["Content-Disposition"] = f'attachment; filename="{chart}.csv"'
    return response


def _unavailable(text: str, status: int = 503) -> Response:
    html = render_template(
        "embed_message.html", message=text, css_url=static_url("embed.css")
    )
    return _send(
        html.encode("utf-8"),
        content_type="text/html; charset=utf-8",
        max_age=0,
        status=status,
    )


# ------------------------------------------------------------------ gallery


def _choices() -> dict:
    options = area_picker_options()
    measures = public.public_measures()
    success = measures[measures["success_measure_rank"].notna()]
    vrus = public_vru_areas()
    return {
        "area": [(o["value"], o["label"]) for o in options if o["level"] != "lad"],
        "vru_area": vrus,
        "measure": [(r.code, r.name) for r in success.itertuples()],
        "age": [("all", "All ages"), ("under25", "Aged under 25")],
    }


def public_vru_areas() -> list[tuple[str, str]]:
    from data_access.areas import list_areas

    frame = list_areas(level="pfa")
    frame = frame[frame["is_vru"]]
    return [(r.code, r.name) for r in frame.itertuples()]


@blueprint.route("/embed")
@blueprint.route("/embed/")
def gallery():
    chosen = request.args.get("chart", "")
    items = []
    try:
        choices = _choices()
    except StoreUnavailable:
        return _unavailable("Data temporarily unavailable. Please try again shortly.")
    for spec in CHARTS.values():
        params = dict(spec.defaults)
        if chosen == spec.name:
            params.update(_params(spec))
        url = url_for("embed.embed", chart=spec.name) + "?" + urlencode(params)
        full = request.host_url.rstrip("/") + url
        snippet = (
            f'<iframe src="{full}" title="{spec.label} (VRU Outcomes Monitor)" '
            f'width="100%" height="{720 if spec.name == "compare" else 640}" '
            f'loading="lazy" style="border:0"></iframe>'
        )
        items.append({"spec": spec, "params": params, "url": url, "snippet": snippet})
    html = render_template(
        "embed_index.html",
        items=items,
        choices=choices,
        css_url=static_url("embed.css"),
        js_url=static_url("embed.js"),
    )
    return _send(
        html.encode("utf-8"),
        content_type="text/html; charset=utf-8",
        max_age=settings.cache_timeout(),
    )


@blueprint.route("/embed/<chart>/<path:rest>")
def embed_unknown(chart: str, rest: str):
    """Anything else under /embed is not found (never the app's page shell)."""
    return _unavailable("There is no such chart page.", 404)


def _is_embed_answer(path: str) -> bool:
    """An embed page or its CSV (not the gallery, not the static files)."""
    return (
        path.startswith("/embed/")
        and path != "/embed/"
        and not path.startswith("/embed/static/")
    )


def init_embed(server) -> None:
    server.register_blueprint(blueprint)
    server.wsgi_app = response_cache.ResponseCache(
        server.wsgi_app,
        applies=_is_embed_answer,
        backend=lambda: server.extensions["cache"][cache],
        timeout=settings.cache_timeout,
    )
