"""Per-request work only where it is needed: requests outside the API skip
Flask-Limiter's lookup of limits (only /api/v1 has any)."""

import pytest


@pytest.fixture
def server(loaded_store, monkeypatch):
    from app import app

    monkeypatch.setenv("API_RATE_LIMIT", "100000/minute")
    app.server.config["TESTING"] = True
    return app.server


def test_only_api_requests_have_their_rate_limits_looked_up(server, monkeypatch):
    from web.api import limiter

    looked_up = []
    real_resolve = limiter.limit_manager.resolve_limits

    def resolve(app, endpoint, *args, **kwargs):
        looked_up.append(endpoint)
        return real_resolve(app, endpoint, *args, **kwargs)

    monkeypatch.setattr(limiter.limit_manager, "resolve_limits", resolve)
    client = server.test_client()
    assert client.get("/signin").status_code == 200
    assert client.get("/api/v1/areas?level=country").status_code == 200
    assert looked_up == ["api.areas"]
