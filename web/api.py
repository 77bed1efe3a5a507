"""The open data API at /api/v1, described by /api/v1/openapi.json.

Public measures only, approved figures only, disclosure control applied: every
figure comes from data_access.public, the published surface. JSON and CSV (CSV via
components.chart.table_to_csv, safe against spreadsheet formula injection). Bad
parameters answer 400 and unknown things 404, both as {"error": ..., "parameter":
...}. Rate limited per client address with Flask-Limiter (API_RATE_LIMIT, storage
in Redis when REDIS_URL is set so every worker shares the count).
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
from flask import Blueprint, Response, jsonify, render_template, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from werkzeug.exceptions import HTTPException

import settings
from components.chart_tables import table_to_csv
from data_access import periods, public
from data_access.areas import list_areas
from data_access.errors import InvalidParameter, NotFound, StoreUnavailable

blueprint = Blueprint("api", __name__, url_prefix="/api/v1")
API_VERSION = "1.0.0"
LEVELS = ("pfa", "lad", "country")
FORMATS = ("json", "csv")
LENGTHS = ("quarter", "year")
MONTH_PATTERN = "^(199[0-9]|20[0-9]{2}|2100)-(0[1-9]|1[0-2])$"  # periods.parse_month
CODE_PATTERN = "^[A-Za-z0-9_]{1,80}$"  # a measure's code, e.g. knife_offences
AREA_PATTERN = "^[A-Za-z0-9]{1,12}$"  # an ONS area code, e.g. E23000036


def _storage_uri() -> str:
    return settings.redis_url() or "memory://"


limiter = Limiter(
    key_func=get_remote_address,
    storage_uri=_storage_uri(),
    # A hung Redis must cost milliseconds, not the client's default wait.
    storage_options={
        "socket_timeout": settings.redis_timeout_seconds(),
        "socket_connect_timeout": settings.redis_timeout_seconds(),
    },
    default_limits=[],
    headers_enabled=True,
    strategy="moving-window",
    # A Redis outage must not take the API down: count in memory meanwhile.
    in_memory_fallback_enabled=True,
)
limiter.limit(settings.api_rate_limit)(blueprint)


@limiter.request_filter
def _outside_the_api() -> bool:
    """Only the API has limits, yet Flask-Limiter looks every request's limits up
    (every callback and page included): requests outside it are let through at
    once."""
    return request.blueprint != blueprint.name


class ApiError(Exception):
    def __init__(self, status: int, message: str, parameter: str | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.parameter = parameter


def _error(status: int, message: str, parameter: str | None = None):
    body = {"error": message}
    if parameter:
        body["parameter"] = parameter
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.errorhandler(ApiError)
def _api_error(error: ApiError):
    return _error(error.status, error.message, error.parameter)


@blueprint.errorhandler(NotFound)
def _not_found(error: NotFound):
    return _error(404, str(error))


@blueprint.errorhandler(InvalidParameter)
def _invalid(error: InvalidParameter):
    return _error(400, str(error), error.parameter)


@blueprint.errorhandler(StoreUnavailable)
def _store_down(_error_: StoreUnavailable):
    return _error(503, "data temporarily unavailable; please try again shortly")


@blueprint.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    if error.code == 429:
        return _error(
            429,
            f"too many requests: the limit is {settings.api_rate_limit()} per client",
        )
    return _error(error.code or 500, (error.name or "error").lower())


@blueprint.errorhandler(Exception)
def _unexpected(_error_: Exception):  # no stack trace or version in any answer
    import logging

    logging.getLogger(__name__).exception("API error")
    return _error(500, "internal error")


# ------------------------------------------------------------------ parameters


def _choice(name: str, allowed: tuple[str, ...], default: str) -> str:
    value = request.args.get(name, default)
    if value not in allowed:
        raise ApiError(400, f"{name} must be one of: {', '.join(allowed)}", name)
    return value


def _month(name: str, *, end: bool) -> dt.date | None:
    value = request.args.get(name)
    if value is None or value == "":
        return None
    try:
        return periods.parse_month(value, parameter=name, end=end)
    except InvalidParameter as error:
        raise ApiError(400, str(error), name) from None


def _check_known(allowed: set[str]) -> None:
    unknown = sorted(set(request.args) - allowed)
    if unknown:
        raise ApiError(400, f"unknown parameter '{unknown[0]}'", unknown[0])


def _jsonable(value):
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if hasattr(value, "item"):
        return _jsonable(value.item())
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value


def _records(frame: pd.DataFrame) -> list[dict]:
    return [
        {col: _jsonable(v) for col, v in zip(frame.columns, row, strict=True)}
        for row in frame.itertuples(index=False, name=None)
    ]


def _answer(frame: pd.DataFrame, *, fmt: str, meta: dict, filename: str):
    if fmt == "csv":
        response = Response(table_to_csv(frame), content_type="text/csv; charset=utf-8")
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    else:
        response = jsonify({**meta, "data": _records(frame)})
    response.headers["Cache-Control"] = f"public, max-age={settings.cache_timeout()}"
    response.add_etag()
    return response.make_conditional(request)


# ------------------------------------------------------------------ routes


@blueprint.get("/measures")
def measures():
    """Public measures with their metadata."""
    _check_known({"format"})
    fmt = _choice("format", FORMATS, "json")
    frame = public.public_measures()
    return _answer(frame, fmt=fmt, meta={"count": len(frame)}, filename="measures.csv")


@blueprint.get("/measures/<code>")
def measure(code: str):
    """One public measure's metadata."""
    _check_known(set())
    frame = public.public_measures()
    match = frame[frame["code"] == code]
    if match.empty:
        raise ApiError(404, f"no public measure has the code '{code}'", "code")
    response = jsonify(_records(match)[0])
    response.headers["Cache-Control"] = f"public, max-age={settings.cache_timeout()}"
    return response


@blueprint.get("/areas")
def areas():
    """Areas (names and codes are public)."""
    _check_known({"level", "format"})
    level = request.args.get("level")
    if level is not None and level not in LEVELS:
        raise ApiError(400, f"level must be one of: {', '.join(LEVELS)}", "level")
    fmt = _choice("format", FORMATS, "json")
    frame = list_areas(level=level)
    frame = frame[frame["level"].isin(LEVELS)].reset_index(drop=True)
    frame["is_vru"] = frame["is_vru"].astype(bool)
    return _answer(frame, fmt=fmt, meta={"count": len(frame)}, filename="areas.csv")


@blueprint.get("/measures/<code>/values")
def measure_values(code: str):
    """A public measure's published values for one area or every area."""
    _check_known({"area", "level", "from", "to", "length", "age", "format"})
    fmt = _choice("format", FORMATS, "json")
    length = _choice("length", LENGTHS, "year")
    age = _choice("age", public.AGE_BANDS, "all")
    level = _choice("level", LEVELS, "pfa")
    start = _month("from", end=False)
    end = _month("to", end=True)
    area = request.args.get("area") or None
    try:
        public.public_measure(code)
    except NotFound:
        raise ApiError(
            404, f"no public measure has the code '{code}'", "code"
        ) from None
    if area is not None:
        try:
            from data_access.areas import get_area

            get_area(area)
        except NotFound:
            raise ApiError(404, f"no area has the code '{area}'", "area") from None
    frame = public.measure_values(
        measure_code=code,
        area_code=area,
        level=level,
        age_band=age,
        length=length,
        start=start,
        end=end,
    )
    if fmt == "csv":
        from data_access.disclosure import MARKER, format_for_display

        # A hidden row's denominator is a population (shown) or a proportion's
        # count of cases; that count is hidden when small, and then reads "*"
        # like every other hidden figure, not empty like a missing one.
        hidden_denominator = frame["suppressed"] & frame["denominator"].isna()
        hidden_cols = ["value", "numerator", "rate", "rate_lower", "rate_upper"]
        frame = format_for_display(frame, columns=hidden_cols)
        frame["denominator"] = (
            frame["denominator"].astype(object).where(~hidden_denominator, MARKER)
        )
    meta = {
        "measure": code,
        "area": area,
        "length": length,
        "age": age,
        "count": len(frame),
        "disclosure": "Hidden figures are null (JSON) or * (CSV) with suppressed "
        "true; under a rounding rule, counts and denominators are rounded and "
        "rates worked out from the rounded figures; see the measure's "
        "disclosure_text.",
    }
    filename = f"{code}-{area or level}-{length}.csv"
    return _answer(frame, fmt=fmt, meta=meta, filename=filename)


# Example requests shown on the index, by OpenAPI path: real codes from the
# shipped data (Avon and Somerset, knife offences), each one a working link.
EXAMPLES = {
    "/": ["/api/v1/?format=json", "/api/v1/?format=html"],
    "/measures": ["/api/v1/measures", "/api/v1/measures?format=csv"],
    "/measures/{code}": ["/api/v1/measures/knife_offences"],
    "/areas": ["/api/v1/areas?level=pfa", "/api/v1/areas?level=lad&format=csv"],
    "/measures/{code}/values": [
        "/api/v1/measures/knife_offences/values?area=E23000036",
        "/api/v1/measures/knife_offences/values?area=E23000036"
        "&from=2016-04&to=2019-03&length=quarter&format=csv",
        "/api/v1/measures/hospital_admissions_knife/values?level=pfa&from=2018-04",
    ],
    "/openapi.json": ["/api/v1/openapi.json"],
}


def api_index() -> dict:
    """What /api/v1/ lists: each endpoint of the OpenAPI document (one road:
    summaries and parameters are read from it) with example requests."""
    doc = openapi_document()
    endpoints = []
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            endpoints.append(
                {
                    "method": method.upper(),
                    "path": "/api/v1" + path,
                    "summary": operation["summary"],
                    "parameters": [
                        {
                            "name": p["name"],
                            "in": p["in"],
                            "required": p["required"],
                            "description": p["description"],
                        }
                        for p in operation.get("parameters", [])
                    ],
                    "examples": EXAMPLES.get(path, []),
                }
            )
    return {
        "title": doc["info"]["title"],
        "version": doc["info"]["version"],
        "description": doc["info"]["description"],
        "openapi": "/api/v1/openapi.json",
        "endpoints": endpoints,
    }


def _wants_html() -> bool:
    """A browser (text/html preferred over JSON) gets the readable page;
    ?format=json or ?format=html decides outright."""
    fmt = request.args.get("format")
    if fmt is not None:
        return _choice("format", ("json", "html"), "json") == "html"
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return (
        best == "text/html"
        and request.accept_mimetypes["text/html"]
        > request.accept_mimetypes["application/json"]
    )


@blueprint.get("/")
def index():
    """The API's front door: JSON for clients, a readable page for browsers."""
    _check_known({"format"})
    body = api_index()
    if _wants_html():
        from web.embed import static_url

        response = Response(
            render_template(
                "api_index.html", api=body, css_url=static_url("embed.css")
            ),
            content_type="text/html; charset=utf-8",
        )
    else:
        response = jsonify(body)
    response.headers["Cache-Control"] = f"public, max-age={settings.cache_timeout()}"
    response.headers["Vary"] = "Accept"
    return response


@blueprint.get("/openapi.json")
def openapi():
    response = jsonify(openapi_document())
    response.headers["Cache-Control"] = f"public, max-age={settings.cache_timeout()}"
    return response


# ------------------------------------------------------------------ OpenAPI


def _error_response(description: str) -> dict:
    return {
        "description": description,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
        },
    }


def _param(name, description, schema, *, where="query", required=False) -> dict:
    return {
        "name": name,
        "in": where,
        "required": required,
        "description": description,
        "schema": schema,
    }


_NULLABLE_NUMBER = {"type": ["number", "null"]}
_NULLABLE_STRING = {"type": ["string", "null"]}
_FORMAT = _param(
    "format", "json (default) or csv", {"type": "string", "enum": ["json", "csv"]}
)


def openapi_document() -> dict:
    """The OpenAPI 3.1 description of this API (kept next to the code it describes)."""
    value_props = {
        "measure_code": {"type": "string"},
        "area_code": {"type": "string"},
        "area_name": {"type": "string"},
        "area_level": {"type": "string"},
        "period_start": {"type": "string", "format": "date"},
        "period_end": {"type": "string", "format": "date"},
        "period": {"type": "string", "description": "e.g. 2019/20 or 2019/20 Q3"},
        "age_band": {"type": "string"},
        "value": _NULLABLE_NUMBER,
        "numerator": _NULLABLE_NUMBER,
        "denominator": _NULLABLE_NUMBER,
        "rate": _NULLABLE_NUMBER,
        "rate_lower": {**_NULLABLE_NUMBER, "description": "95% confidence limit"},
        "rate_upper": {**_NULLABLE_NUMBER, "description": "95% confidence limit"},
        "status": {"type": "string", "enum": ["provisional", "final"]},
        "source_title": {"type": "string"},
        "source_url": _NULLABLE_STRING,
        "licence": {"type": "string"},
        "illustrative": {"type": "boolean"},
        "suppressed": {
            "type": "boolean",
            "description": "true where disclosure control hides the figures",
        },
    }
    measure_props = {
        "code": {"type": "string"},
        "name": {"type": "string"},
        "definition": {"type": "string"},
        "unit": {"type": "string"},
        "polarity": {"type": "string"},
        "category": {"type": "string"},
        "rate_multiplier": _NULLABLE_NUMBER,
        "ci_method": {"type": "string"},
        "disclosure_rule": {"type": "string"},
        "disclosure_text": {"type": "string"},
        "period_type": {"type": "string"},
        "caveats": _NULLABLE_STRING,
        "success_measure_rank": _NULLABLE_NUMBER,
        "source_title": _NULLABLE_STRING,
        "source_url": _NULLABLE_STRING,
        "licence": _NULLABLE_STRING,
        "last_updated": {**_NULLABLE_STRING, "format": "date"},
    }
    area_props = {
        "code": {"type": "string"},
        "name": {"type": "string"},
        "level": {"type": "string", "enum": list(LEVELS)},
        "parent_code": _NULLABLE_STRING,
        "is_vru": {"type": "boolean"},
        "vru_start_year": _NULLABLE_NUMBER,
    }

    def obj(props: dict) -> dict:
        return {
            "type": "object",
            "properties": props,
            "required": list(props),
            "additionalProperties": False,
        }

    def listing(item_ref: str, extra: dict | None = None) -> dict:
        props = {
            **(extra or {}),
            "count": {"type": "integer"},
            "data": {"type": "array", "items": {"$ref": item_ref}},
        }
        return {"type": "object", "properties": props, "required": ["count", "data"]}

    json_and_csv = lambda ref: {  # noqa: E731
        "application/json": {"schema": ref},
        "text/csv": {"schema": {"type": "string"}},
    }
    code_param = _param(
        "code",
        "measure code, e.g. knife_offences",
        # What a measure code is made of: a schema that admitted any text made
        # a NUL or a space "valid input", which the app refuses with a 400.
        {"type": "string", "pattern": CODE_PATTERN},
        where="path",
        required=True,
    )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "VRU Outcomes Monitor open data API",
            "version": API_VERSION,
            "description": (
                "Public measures of serious violence for Violence Reduction Unit "
                "areas in England and Wales: approved figures only, with disclosure "
                "control applied (hidden figures are null in JSON and * in CSV, "
                "with suppressed true). Every row names its source and licence; "
                "rows with illustrative true are generated demonstration data, not "
                "official statistics. Rate limited per client: "
                f"{settings.api_rate_limit()}; over the limit the answer is 429."
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "paths": {
            "/": {
                "get": {
                    "operationId": "index",
                    "summary": "This API's index: every endpoint with examples",
                    "parameters": [
                        _param(
                            "format",
                            "json or html; by default html for browsers (text/html "
                            "preferred in Accept), json for everything else",
                            {"type": "string", "enum": ["json", "html"]},
                        )
                    ],
                    "responses": {
                        "200": {
                            "description": "the index",
                            "content": {
                                "application/json": {"schema": {"type": "object"}},
                                "text/html": {"schema": {"type": "string"}},
                            },
                        },
                        "400": _error_response("a bad parameter"),
                        "429": _error_response("too many requests"),
                    },
                }
            },
            "/measures": {
                "get": {
                    "operationId": "listMeasures",
                    "summary": "Public measures with their metadata",
                    "parameters": [_FORMAT],
                    "responses": {
                        "200": {
                            "description": "the measures",
                            "content": json_and_csv(
                                listing("#/components/schemas/Measure")
                            ),
                        },
                        "400": _error_response("a bad parameter"),
                        "429": _error_response("too many requests"),
                    },
                }
            },
            "/measures/{code}": {
                "get": {
                    "operationId": "getMeasure",
                    "summary": "One public measure's metadata",
                    "parameters": [code_param],
                    "responses": {
                        "200": {
                            "description": "the measure",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Measure"}
                                }
                            },
                        },
                        "400": _error_response("a bad parameter"),
                        "404": _error_response("no such public measure"),
                        "429": _error_response("too many requests"),
                    },
                }
            },
            "/areas": {
                "get": {
                    "operationId": "listAreas",
                    "summary": "England and Wales, force areas and local authorities",
                    "parameters": [
                        _param(
                            "level",
                            "only areas of this level",
                            {"type": "string", "enum": list(LEVELS)},
                        ),
                        _FORMAT,
                    ],
                    "responses": {
                        "200": {
                            "description": "the areas",
                            "content": json_and_csv(
                                listing("#/components/schemas/Area")
                            ),
                        },
                        "400": _error_response("a bad parameter"),
                        "429": _error_response("too many requests"),
                    },
                }
            },
            "/measures/{code}/values": {
                "get": {
                    "operationId": "measureValues",
                    "summary": "A public measure's values for an area or all areas",
                    "parameters": [
                        code_param,
                        _param(
                            "area",
                            "ONS area code, e.g. E23000036; every area of `level` "
                            "and the benchmark (England and Wales, or England for "
                            "a measure published for England only) when omitted",
                            {"type": "string", "pattern": AREA_PATTERN},
                        ),
                        _param(
                            "level",
                            "area level when `area` is omitted (default pfa)",
                            {"type": "string", "enum": list(LEVELS)},
                        ),
                        _param(
                            "from",
                            "first month, e.g. 2016-04",
                            {"type": "string", "pattern": MONTH_PATTERN},
                        ),
                        _param(
                            "to",
                            "last month, e.g. 2019-03",
                            {"type": "string", "pattern": MONTH_PATTERN},
                        ),
                        _param(
                            "length",
                            "quarter, or year (default): a financial year, from "
                            "annual figures or else the four quarters, as on the "
                            "signed-in pages",
                            {"type": "string", "enum": list(LENGTHS)},
                        ),
                        _param(
                            "age",
                            "age band (default all)",
                            {"type": "string", "enum": list(public.AGE_BANDS)},
                        ),
                        _FORMAT,
                    ],
                    "responses": {
                        "200": {
                            "description": "the values, oldest first",
                            "content": json_and_csv(
                                listing(
                                    "#/components/schemas/Value",
                                    {
                                        "measure": {"type": "string"},
                                        "area": _NULLABLE_STRING,
                                        "length": {"type": "string"},
                                        "age": {"type": "string"},
                                        "disclosure": {"type": "string"},
                                    },
                                )
                            ),
                        },
                        "400": _error_response("a bad parameter"),
                        "404": _error_response("no such public measure or area"),
                        "429": _error_response("too many requests"),
                    },
                }
            },
            "/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "This document",
                    "responses": {
                        "200": {
                            "description": "OpenAPI 3.1",
                            "content": {
                                "application/json": {"schema": {"type": "object"}}
                            },
                        }
                    },
                }
            },
        },
        "components": {
            "schemas": {
                "Error": {
                    "type": "object",
                    "properties": {
                        "error": {"type": "string"},
                        "parameter": {"type": "string"},
                    },
                    "required": ["error"],
                },
                "Measure": obj(measure_props),
                "Area": obj(area_props),
                "Value": obj(value_props),
            }
        },
    }


def init_api(server) -> None:
    limiter.init_app(server)
    server.register_blueprint(blueprint)


@blueprint.route("/<path:rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def unknown(rest: str):
    """Anything else under /api/v1 is not found (never the app's page shell)."""
    raise ApiError(404, "no such endpoint; see /api/v1/ or /api/v1/openapi.json")
