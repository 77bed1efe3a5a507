"""The open data API (/api/v1): checked against its own OpenAPI document with
schemathesis, plus the published-surface rules: public measures only, disclosure
control, JSON errors naming the parameter, CSV safety and the rate limit."""

import csv
import io
import re

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from data_access import public
from web import api


@pytest.fixture
def api_app(loaded_store, monkeypatch):
    from app import app

    monkeypatch.setenv("API_RATE_LIMIT", "100000/minute")
    app.server.config["TESTING"] = True
    return app.server


@pytest.fixture
def client(api_app):
    return api_app.test_client()


def test_api_conforms_to_its_openapi_document(api_app):
    """Every operation, with inputs generated from the document: status codes,
    content types and bodies as documented; no 5xx for any input. (Schemathesis's
    pytest plugin does not run on pytest 9, so operations are driven directly.)"""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", api_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 4
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=25, deadline=None, suppress_health_check=list(HealthCheck)
        )
        def check(case):
            # The app compresses answers (Flask-Compress); the WSGI transport
            # would hand schemathesis the compressed bytes.
            case.call_and_validate(headers={"Accept-Encoding": "identity"})

        check()


def test_every_string_parameter_says_what_it_may_hold(client):
    """A parameter documented as any text makes a NUL or a space valid input
    for the conformance fuzzer above, which the app rightly refuses with a 400
    (web/security.py): the fuzz test then failed whenever hypothesis drew one.
    Every string parameter is an enum or has a pattern, and the pattern admits
    the examples the index shows."""
    doc = client.get("/api/v1/openapi.json").get_json()
    seen = 0
    for path, operations in doc["paths"].items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                schema = parameter["schema"]
                if schema.get("type") != "string":
                    continue
                seen += 1
                assert "enum" in schema or "pattern" in schema, (path, parameter)
                if "pattern" in schema:
                    assert not re.match(schema["pattern"], "knife\x00offences")
                    assert not re.match(schema["pattern"], "E23 000036")
    assert seen >= 8
    assert re.match(api.CODE_PATTERN, "ws_merseyside_02_sessions")
    assert re.match(api.AREA_PATTERN, "E23000036")


def test_openapi_document_is_valid_openapi_3(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    assert {"/measures", "/areas", "/measures/{code}/values"} <= set(doc["paths"])


def test_measures_are_public_only_with_metadata(client):
    body = client.get("/api/v1/measures").get_json()
    codes = {m["code"] for m in body["data"]}
    assert "knife_offences" in codes
    assert not any(code.startswith("ws_") for code in codes)
    first = body["data"][0]
    assert {"licence", "disclosure_rule", "disclosure_text", "source_title"} <= set(
        first
    )
    assert (
        client.get("/api/v1/measures/ws_merseyside_02_sessions/values").status_code
        == 404
    )


def test_values_for_one_area_match_the_store(client):
    response = client.get(
        "/api/v1/measures/knife_offences/values"
        "?area=E23000036&from=2016-04&to=2019-03&length=quarter"
    )
    assert response.status_code == 200
    body = response.get_json()
    expected = public.measure_values(
        measure_code="knife_offences",
        area_code="E23000036",
        length="quarter",
        start=__import__("datetime").date(2016, 4, 1),
        end=__import__("datetime").date(2019, 3, 31),
    )
    assert body["count"] == len(expected) == 12
    assert [r["value"] for r in body["data"]] == [int(v) for v in expected["value"]]
    row = body["data"][0]
    for col in ("rate_lower", "rate_upper", "status", "source_title", "licence"):
        assert col in row
    assert row["rate_lower"] < row["rate"] < row["rate_upper"]


def test_all_areas_and_csv_with_disclosure_control(client):
    body = client.get(
        "/api/v1/measures/hospital_admissions_knife/values?age=under25"
    ).get_json()
    hidden = [r for r in body["data"] if r["suppressed"]]
    assert hidden, "the shipped data has small under-25 counts"
    for row in hidden:
        assert row["value"] is None and row["numerator"] is None
        assert row["rate"] is None and row["rate_lower"] is None
    shown = [r for r in body["data"] if not r["suppressed"] and r["value"] is not None]
    assert all(r["value"] == 0 or r["value"] >= 8 for r in shown)
    assert all(r["value"] % 5 == 0 for r in shown)  # HES rounding
    text = client.get(
        "/api/v1/measures/hospital_admissions_knife/values?age=under25&format=csv"
    ).get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == body["count"]
    starred = [r for r in rows if r["suppressed"] == "TRUE"]
    assert starred and all(r["value"] == "*" and r["rate"] == "*" for r in starred)


def test_bad_parameters_name_the_parameter(client):
    cases = {
        "/api/v1/measures/knife_offences/values?length=week": "length",
        "/api/v1/measures/knife_offences/values?from=2019-13": "from",
        "/api/v1/measures/knife_offences/values?to=nope": "to",
        "/api/v1/measures/knife_offences/values?age=old": "age",
        "/api/v1/measures/knife_offences/values?format=xml": "format",
        "/api/v1/measures/knife_offences/values?colour=red": "colour",
        "/api/v1/areas?level=galaxy": "level",
    }
    for path, parameter in cases.items():
        response = client.get(path)
        assert response.status_code == 400, path
        assert response.get_json()["parameter"] == parameter, path


def test_unknown_things_are_404_json(client):
    for path, parameter in {
        "/api/v1/measures/nope/values": "code",
        "/api/v1/measures/knife_offences/values?area=E99999999": "area",
        "/api/v1/nothing/here": None,
    }.items():
        response = client.get(path)
        assert response.status_code == 404, path
        body = response.get_json()
        assert "error" in body and body.get("parameter") == parameter
        assert "Traceback" not in response.get_data(as_text=True)


def test_areas_and_csv_headers(client):
    body = client.get("/api/v1/areas?level=pfa").get_json()
    assert body["count"] >= 40
    assert all(a["level"] == "pfa" for a in body["data"])
    response = client.get("/api/v1/areas?format=csv")
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.headers["Cache-Control"].startswith("public, max-age=")
    assert response.get_data(as_text=True).startswith("code,name,level")


def test_rate_limited_per_client(api_app, monkeypatch):
    from web.api import limiter

    monkeypatch.setenv("API_RATE_LIMIT", "3/minute")
    limiter.reset()
    client = api_app.test_client()
    ip = {"REMOTE_ADDR": "203.0.113.9"}
    codes = [
        client.get("/api/v1/areas?level=country", environ_base=ip).status_code
        for _ in range(4)
    ]
    assert codes == [200, 200, 200, 429]
    body = client.get("/api/v1/areas", environ_base=ip).get_json()
    assert "too many requests" in body["error"]
    other = client.get("/api/v1/areas", environ_base={"REMOTE_ADDR": "203.0.113.10"})
    assert other.status_code == 200
    limiter.reset()


def test_index_lists_every_documented_endpoint_with_working_examples(client):
    """/api/v1/ is the front door: JSON for clients (every path of the OpenAPI
    document, each with at least one example that answers 200), a readable page
    for browsers linking the document and every example."""
    doc = client.get("/api/v1/openapi.json").get_json()
    answer = client.get("/api/v1/", headers={"Accept": "application/json"})
    assert answer.status_code == 200 and answer.is_json
    index = answer.get_json()
    assert index["openapi"] == "/api/v1/openapi.json"
    listed = {e["path"] for e in index["endpoints"]}
    assert listed == {"/api/v1" + path for path in doc["paths"]}
    for endpoint in index["endpoints"]:
        assert endpoint["examples"], endpoint["path"]
        for url in endpoint["examples"]:
            assert client.get(url).status_code == 200, url
    # A browser (text/html first) gets HTML linking the document and the examples.
    page = client.get(
        "/api/v1/", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    )
    assert page.status_code == 200
    assert page.content_type.startswith("text/html")
    assert "Accept" in page.headers["Vary"].replace(" ", "").split(",")
    html = page.get_data(as_text=True)
    assert 'href="/api/v1/openapi.json"' in html
    for endpoint in index["endpoints"]:
        for url in endpoint["examples"]:
            assert f'href="{url.replace("&", "&amp;")}"' in html, url
    # Without the slash, a redirect to the index (never the app's page shell).
    assert client.get("/api/v1").status_code == 308
    assert client.get("/api/v1/?format=xml").status_code == 400
