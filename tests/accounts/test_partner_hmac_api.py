"""Partner systems sign each request with HMAC over method, path, timestamp, nonce and
body hash; stale, replayed, altered, unknown or disabled requests are refused."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import AsyncIterator
from typing import Annotated

import httpx
import pytest
from fastapi import Depends, Request

from partygrid.api.security import require
from partygrid.domain.access import Actor, Permission, Scope, system_actor
from partygrid.domain.accounts.signatures import signed_headers
from partygrid.repo.uow import UnitOfWork
from partygrid.services.accounts.api_clients import (
    create_client,
    grant_client_permission,
    grant_client_scope,
)
from tests.fixtures.access import audit_rows, make_org
from tests.platform.test_conventions_api import assert_problem

ME = "/api/v1/auth/me"
ECHO = "/api/v1/test-signed-echo"


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:
    """A client without credentials: every test here says who it is on each request."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as ac:
        yield ac


@pytest.fixture
def echo_app(app):
    """A write route for the test: the signature must cover the body it receives."""

    @app.post(ECHO)
    async def signed_echo(
        request: Request, actor: Annotated[Actor, Depends(require(Permission.ticket_submit))]
    ) -> dict:
        return {"who": actor.principal.name, "body": await request.json()}

    return app


@pytest.fixture
async def partner(uow, sessionmaker, keyring):
    """A partner client scoped to a street that may submit tickets: (key id, secret,
    client id, street id)."""
    street = await make_org(uow)
    admin = system_actor(Scope(), "test")
    made, secret = await create_client(UnitOfWork(sessionmaker, keyring), admin, name="公安")
    await grant_client_scope(
        UnitOfWork(sessionmaker, keyring), admin, client_id=made.id, organization_id=street.id,
        grid_id=None,
    )  # fmt: skip
    await grant_client_permission(
        UnitOfWork(sessionmaker, keyring), admin, client_id=made.id,
        permission=Permission.ticket_submit,
    )  # fmt: skip
    return made.key_id, secret, made.id, street.id


def _signed(key_id: str, secret: str, method: str, target: str, body: bytes = b"", *,
            timestamp: int | None = None, nonce: str | None = None) -> dict[str, str]:  # fmt: skip
    return signed_headers(
        key_id, secret, method, target, body, int(time.time()) if timestamp is None else timestamp,
        nonce or secrets.token_urlsafe(16),
    )  # fmt: skip


async def test_a_signed_get_identifies_the_partner(client, partner) -> None:
    key_id, secret, client_id, street_id = partner
    response = await client.get(ME, headers=_signed(key_id, secret, "GET", ME))
    assert response.status_code == 200, response.text
    me = response.json()
    assert (me["kind"], me["id"], me["role"]) == ("api_client", client_id, "partner_system")
    assert me["scope"] == {"organization_ids": [street_id], "grid_ids": []}
    assert me["permissions"] == ["ticket:submit"]  # what it was given, nothing else


async def test_a_signed_post_covers_its_body(echo_app, client, partner) -> None:
    key_id, secret, *_ = partner
    body = json.dumps({"事件": "路灯不亮", "grid": 3}, ensure_ascii=False).encode()
    headers = {**_signed(key_id, secret, "POST", ECHO, body), "Content-Type": "application/json"}
    response = await client.post(ECHO, content=body, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json() == {"who": "公安", "body": {"事件": "路灯不亮", "grid": 3}}

    signed_for_other_bytes = _signed(key_id, secret, "POST", ECHO, b'{"grid": 3}')
    altered = await client.post(
        ECHO, content=b'{"grid": 4}',
        headers={**signed_for_other_bytes, "Content-Type": "application/json"},
    )  # fmt: skip
    assert_problem(altered, 401, "unauthenticated")
    assert "signature" in altered.json()["detail"]


async def test_the_query_string_is_signed_too(client, partner) -> None:
    key_id, secret, *_ = partner
    signed = _signed(key_id, secret, "GET", ME)
    assert_problem(await client.get(f"{ME}?x=1", headers=signed), 401, "unauthenticated")
    ok = await client.get(f"{ME}?x=1", headers=_signed(key_id, secret, "GET", f"{ME}?x=1"))
    assert ok.status_code == 200


async def test_a_stale_timestamp_is_refused(client, partner, settings) -> None:
    key_id, secret, *_ = partner
    old = int(time.time()) - settings.signature_window_seconds - 5
    response = await client.get(ME, headers=_signed(key_id, secret, "GET", ME, timestamp=old))
    assert_problem(response, 401, "unauthenticated")
    assert "window" in response.json()["detail"]
    future = int(time.time()) + settings.signature_window_seconds + 5
    ahead = await client.get(ME, headers=_signed(key_id, secret, "GET", ME, timestamp=future))
    assert_problem(ahead, 401, "unauthenticated")


async def test_a_replayed_nonce_is_refused_the_second_time(client, partner) -> None:
    key_id, secret, *_ = partner
    headers = _signed(key_id, secret, "GET", ME)
    assert (await client.get(ME, headers=headers)).status_code == 200
    replay = await client.get(ME, headers=headers)
    assert_problem(replay, 401, "unauthenticated")
    assert "replay" in replay.json()["detail"]


async def test_an_unknown_key_or_a_wrong_secret_is_refused(client, partner) -> None:
    key_id, secret, *_ = partner
    unknown = await client.get(ME, headers=_signed("pk-unknown", secret, "GET", ME))
    assert_problem(unknown, 401, "unauthenticated")
    wrong = await client.get(ME, headers=_signed(key_id, secret + "x", "GET", ME))
    assert_problem(wrong, 401, "unauthenticated")
    missing = await client.get(ME, headers={"X-PartyGrid-Key": key_id})
    assert_problem(missing, 401, "unauthenticated")


async def test_a_disabled_client_and_a_rotated_secret_are_refused(
    client, partner, login_as, connection
) -> None:
    key_id, secret, client_id, _ = partner
    sysadmin = await login_as("system_admin")
    rotated = await client.post(f"/api/v1/api-clients/{client_id}/rotate-secret", headers=sysadmin)
    new_secret = rotated.json()["secret"]
    assert_problem(await client.get(ME, headers=_signed(key_id, secret, "GET", ME)), 401,
                   "unauthenticated")  # fmt: skip
    assert (await client.get(ME, headers=_signed(key_id, new_secret, "GET", ME))).status_code == 200

    disabled = await client.post(f"/api/v1/api-clients/{client_id}/disable", headers=sysadmin)
    assert disabled.status_code == 200 and disabled.json()["is_active"] is False
    refused = await client.get(ME, headers=_signed(key_id, new_secret, "GET", ME))
    assert_problem(refused, 401, "unauthenticated")
    [event] = await audit_rows(connection, "api_client.disable")
    assert event.role == "system_admin" and event.resource_id == str(client_id)


async def test_a_partner_cannot_administer_or_log_out(client, partner) -> None:
    key_id, secret, *_ = partner
    users = await client.get(
        "/api/v1/users", headers=_signed(key_id, secret, "GET", "/api/v1/users")
    )
    assert_problem(users, 403, "forbidden")
    logout = await client.post(
        "/api/v1/auth/logout", headers=_signed(key_id, secret, "POST", "/api/v1/auth/logout")
    )
    assert assert_problem(logout, 422, "rule-violation")["rule"] == "people-only"
