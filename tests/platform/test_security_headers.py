"""Security headers on every response, whatever its status, and no stack trace in a 5xx."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from partygrid.config import Settings
from partygrid.main import bind_database, create_app

SECRET_MARKER = "internal-detail-9f3c"  # what a stack trace or an exception text would show


async def boom() -> None:
    raise RuntimeError(SECRET_MARKER)


@pytest.fixture
def app_with_a_bug(app):
    app.add_api_route("/boom", boom)
    return app


@pytest.fixture
async def anonymous(app_with_a_bug) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app_with_a_bug, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


# One request per kind of answer: success, refusals, validation, a bug, a static asset.
ANSWERS = [
    ("GET", "/healthz", 200),
    ("GET", "/api/v1/auth/me", 401),
    ("GET", "/no/such/route", 404),
    ("POST", "/api/v1/auth/token", 422),
    ("GET", "/boom", 500),
    ("GET", "/docs/assets/swagger-ui.css", 200),
]


@pytest.mark.parametrize(("method", "path", "status"), ANSWERS)
async def test_every_response_carries_the_security_headers(
    anonymous: httpx.AsyncClient, method: str, path: str, status: int
) -> None:
    response = await anonymous.request(method, path)
    assert response.status_code == status
    headers = response.headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["Cache-Control"] == "no-store"
    policy = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy
    assert "default-src 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "Strict-Transport-Security" not in headers  # not said to be behind TLS


async def test_a_bug_answers_problem_json_without_a_stack_trace(
    anonymous: httpx.AsyncClient,
) -> None:
    response = await anonymous.get("/boom")
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == 500
    assert "Traceback" not in response.text
    assert SECRET_MARKER not in response.text and "RuntimeError" not in response.text


async def test_strict_transport_security_when_behind_tls(
    settings: Settings, engine, sessionmaker
) -> None:
    app = create_app(settings.model_copy(update={"behind_tls": True}))
    bind_database(app, engine, sessionmaker)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://test") as client:
        response = await client.get("/healthz")
    hsts = response.headers["Strict-Transport-Security"]
    max_age = int(hsts.split("max-age=")[1].split(";")[0])
    assert max_age >= 365 * 24 * 3600
    assert "includeSubDomains" in hsts
