"""Conventions every route shares: problem+json errors without internals, and probes."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI

from partygrid.config import Settings
from partygrid.main import create_app

PROBLEM = "application/problem+json"


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"].startswith("https://") and body["type"].endswith(code)
    assert body["title"]
    assert "Traceback" not in response.text and 'File "' not in response.text
    return body


async def test_unknown_route_is_a_404_problem(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/no-such-thing")
    body = assert_problem(response, 404, "not-found")
    assert body["instance"] == "/api/v1/no-such-thing"


async def test_wrong_method_is_a_405_problem(client: httpx.AsyncClient) -> None:
    response = await client.delete("/healthz")
    assert_problem(response, 405, "method-not-allowed")
    assert "GET" in response.headers["allow"]


async def test_validation_names_the_fields_without_echoing_the_input(
    client: httpx.AsyncClient,
) -> None:
    secret = "110101199003077777"  # looks like an ID number; must not come back
    response = await client.post(
        "/api/v1/organizations",
        json={"kind": f"kind-{secret}", "name": "金沙滩", "code": f"bad code {secret}"},
    )
    body = assert_problem(response, 422, "validation-error")
    assert {e["field"] for e in body["errors"]} == {"body.kind", "body.code"}
    assert "body.kind" in body["detail"]
    assert secret not in response.text


async def test_query_validation_names_the_parameter(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/organizations", params={"limit": "110101199003077777"})
    body = assert_problem(response, 422, "validation-error")
    assert [e["field"] for e in body["errors"]] == ["query.limit"]
    assert "110101199003077777" not in response.text


async def test_unexpected_error_is_a_500_problem_without_internals(settings: Settings) -> None:
    app: FastAPI = create_app(settings)

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("connection string postgresql://admin:s3cret@db/prod")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get("/boom")
    assert_problem(response, 500, "internal-error")
    assert "s3cret" not in response.text
    assert "RuntimeError" not in response.text


async def test_healthz(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_reports_the_migration_at_head(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "ok"
    assert body["migration"] == body["expected_migration"] == app.state.migration_head
    assert body["migration"] is not None


async def test_readyz_is_503_when_the_schema_is_behind(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    app.state.migration_head = "a-newer-migration"
    response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
