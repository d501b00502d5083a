"""Logging in and out: tokens, lockout, rotation with theft detection, TOTP, and the
refusal to start with development secrets."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import jwt
import pytest
from pydantic import ValidationError
from sqlalchemy import text

from partygrid.config import Environment, Settings
from tests.fixtures.access import (
    OTHER_PASSWORD,
    PASSWORD,
    audit_rows,
    bearer,
    login,
    make_org,
)
from tests.platform.test_conventions_api import assert_problem

ME = "/api/v1/auth/me"
REFRESH = "/api/v1/auth/refresh"


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:
    """A client without credentials: every test here says who it is on each request."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as ac:
        yield ac


async def test_login_gives_tokens_that_open_me(client, uow, make_user, connection) -> None:
    street = await make_org(uow)
    user_id = await make_user("wang.jianhua", PASSWORD, role="street_admin", orgs=[street.id])
    response = await login(client, "Wang.Jianhua ")  # names are case-insensitive
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 15 * 60
    assert body["refresh_token"] and body["pending_steps"] == []
    assert response.headers["cache-control"] == "no-store"

    me = await client.get(ME, headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200, me.text
    info = me.json()
    assert (info["kind"], info["id"], info["username"]) == ("user", user_id, "wang.jianhua")
    assert info["role"] == "street_admin"
    assert "org:read" in info["permissions"] and "user:manage" not in info["permissions"]
    assert info["scope"] == {"organization_ids": [street.id], "grid_ids": []}

    [event] = await audit_rows(connection, "auth.login")
    assert (event.principal_id, event.role, event.outcome) == (user_id, "street_admin", "success")
    assert event.resource_type == "user" and event.resource_id == str(user_id)


async def test_a_wrong_password_and_an_unknown_name_get_the_same_401(
    client, make_user, connection
) -> None:
    await make_user("li.xiaoyan", PASSWORD, role="grid_worker")
    wrong = await login(client, "li.xiaoyan", "Wrong-Password-1")
    unknown = await login(client, "nobody.here", "Wrong-Password-1")
    for response in (wrong, unknown):
        body = assert_problem(response, 401, "unauthenticated")
        assert response.headers["www-authenticate"] == "Bearer"
    assert wrong.json()["detail"] == unknown.json()["detail"]
    assert "nobody.here" not in unknown.text and "li.xiaoyan" not in wrong.text
    assert "exist" not in body["detail"]

    denied = await audit_rows(connection, "auth.login")
    assert [(e.principal_name, e.outcome, e.reason) for e in denied] == [
        ("li.xiaoyan", "denied", "wrong password"),
        ("nobody.here", "denied", "unknown username"),
    ]
    assert denied[1].principal_id is None
    failures = await connection.execute(
        text("SELECT failed_logins FROM users WHERE username = 'li.xiaoyan'")
    )
    assert failures.scalar_one() == 1  # committed although the answer was 401


async def test_five_failures_lock_the_account_until_a_security_admin_unlocks_it(
    client, make_user, login_as, connection
) -> None:
    user_id = await make_user("zhang.wei", PASSWORD, role="grid_worker")
    for _ in range(5):
        assert (await login(client, "zhang.wei", "Wrong-Password-1")).status_code == 401
    locked = await login(client, "zhang.wei", PASSWORD)  # the right password, now refused
    assert_problem(locked, 401, "unauthenticated")
    assert locked.json()["detail"] == (await login(client, "x.y.z", PASSWORD)).json()["detail"]
    [lockout] = await audit_rows(connection, "auth.lockout")
    assert lockout.resource_id == str(user_id) and lockout.outcome == "denied"
    reasons = [e.reason for e in await audit_rows(connection, "auth.login")]
    assert reasons[:6] == ["wrong password"] * 5 + ["account locked"]

    security_admin = await login_as("security_admin")
    detail = await client.get(f"/api/v1/users/{user_id}", headers=security_admin)
    assert detail.json()["locked"] is True and detail.json()["failed_logins"] == 5
    unlocked = await client.post(f"/api/v1/users/{user_id}/unlock", headers=security_admin)
    assert unlocked.status_code == 200, unlocked.text
    assert unlocked.json()["locked"] is False
    assert (await login(client, "zhang.wei", PASSWORD)).status_code == 200


async def test_a_lock_expires_and_the_count_starts_again(client, make_user, connection) -> None:
    await make_user("chen.zhiqiang", PASSWORD, role="grid_worker")
    for _ in range(5):
        await login(client, "chen.zhiqiang", "Wrong-Password-1")
    await connection.execute(
        text("UPDATE users SET locked_until = now() - interval '1 second' "
             "WHERE username = 'chen.zhiqiang'")
    )  # fmt: skip
    assert (await login(client, "chen.zhiqiang", "Wrong-Password-1")).status_code == 401
    count = await connection.execute(
        text("SELECT failed_logins, locked_until FROM users WHERE username = 'chen.zhiqiang'")
    )
    assert tuple(count.one()) == (1, None)
    assert (await login(client, "chen.zhiqiang", PASSWORD)).status_code == 200


async def test_a_disabled_account_cannot_log_in(client, make_user, connection) -> None:
    await make_user("zhao.lei", PASSWORD, role="grid_worker")
    await connection.execute(text("UPDATE users SET is_active = false WHERE username = 'zhao.lei'"))
    assert_problem(await login(client, "zhao.lei"), 401, "unauthenticated")


async def test_refresh_rotates_and_a_reused_token_kills_the_session(
    client, make_user, connection
) -> None:
    await make_user("sun.guilan", PASSWORD, role="grid_worker")
    first = (await login(client, "sun.guilan")).json()
    rotated = await client.post(REFRESH, json={"refresh_token": first["refresh_token"]})
    assert rotated.status_code == 200, rotated.text
    second = rotated.json()
    assert second["refresh_token"] != first["refresh_token"]
    newest = {"Authorization": f"Bearer {second['access_token']}"}
    assert (await client.get(ME, headers=newest)).status_code == 200

    # Someone replays the spent token: both parties lose the session.
    replay = await client.post(REFRESH, json={"refresh_token": first["refresh_token"]})
    assert_problem(replay, 401, "unauthenticated")
    assert "revoked" in replay.json()["detail"]
    assert_problem(await client.get(ME, headers=newest), 401, "unauthenticated")
    again = await client.post(REFRESH, json={"refresh_token": second["refresh_token"]})
    assert_problem(again, 401, "unauthenticated")
    [theft] = await audit_rows(connection, "auth.refresh_reuse")
    assert (theft.resource_type, theft.outcome) == ("session", "denied")


async def test_refresh_refuses_garbage_and_unknown_fields(client) -> None:
    assert_problem(await client.post(REFRESH, json={"refresh_token": "nope"}), 401,
                   "unauthenticated")  # fmt: skip
    extra = await client.post(REFRESH, json={"refresh_token": "nope", "user_id": 1})
    assert_problem(extra, 422, "validation-error")


async def test_logout_kills_the_access_token_at_once(client, make_user, connection) -> None:
    await make_user("wang.fang", PASSWORD, role="grid_worker")
    tokens = (await login(client, "wang.fang")).json()
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert (await client.post("/api/v1/auth/logout", headers=headers)).status_code == 204
    assert_problem(await client.get(ME, headers=headers), 401, "unauthenticated")
    refresh = await client.post(REFRESH, json={"refresh_token": tokens["refresh_token"]})
    assert_problem(refresh, 401, "unauthenticated")
    [event] = await audit_rows(connection, "auth.logout")
    assert event.outcome == "success" and event.principal_name == "wang.fang"


async def test_an_expired_access_token_is_refused(client, make_user, settings) -> None:
    await make_user("liu.yang", PASSWORD, role="grid_worker")
    token = (await login(client, "liu.yang")).json()["access_token"]
    claims = jwt.decode(token, options={"verify_signature": False})
    claims["exp"] = datetime.now(UTC) - timedelta(seconds=5)
    expired = jwt.encode(claims, settings.secret_key.get_secret_value(), algorithm="HS256")
    response = await client.get(ME, headers={"Authorization": f"Bearer {expired}"})
    assert_problem(response, 401, "unauthenticated")
    assert "expired" in response.json()["detail"]


async def test_a_tampered_token_is_refused(client, make_user) -> None:
    await make_user("zhou.min", PASSWORD, role="grid_worker")
    token = (await login(client, "zhou.min")).json()["access_token"]
    header, _payload, signature = token.split(".")
    claims = jwt.decode(token, options={"verify_signature": False})
    claims["sub"] = "1"
    forged_payload = jwt.encode(claims, "a-guessed-key-" * 4, algorithm="HS256").split(".")[1]
    unsigned = jwt.encode(claims, None, algorithm="none")
    for forged in (f"{header}.{forged_payload}.{signature}", unsigned, token[:-3] + "abc"):
        response = await client.get(ME, headers={"Authorization": f"Bearer {forged}"})
        assert_problem(response, 401, "unauthenticated")


async def test_an_initial_password_must_be_changed_before_anything_else(
    client, make_user, connection
) -> None:
    await make_user("he.jing", PASSWORD, role="system_admin", must_change_password=True)
    tokens = (await login(client, "he.jing")).json()
    assert tokens["pending_steps"] == ["password_change"]
    limited = {"Authorization": f"Bearer {tokens['access_token']}"}
    blocked = await client.get("/api/v1/users", headers=limited)
    assert_problem(blocked, 403, "step-required")
    assert blocked.json()["step"] == "password_change"
    assert (await client.get(ME, headers=limited)).json()["pending_steps"] == ["password_change"]

    change = await client.post(
        "/api/v1/auth/password", headers=limited,
        json={"old_password": PASSWORD, "new_password": OTHER_PASSWORD},
    )  # fmt: skip
    assert change.status_code == 204, change.text
    full = (await client.post(REFRESH, json={"refresh_token": tokens["refresh_token"]})).json()
    assert full["pending_steps"] == []
    headers = {"Authorization": f"Bearer {full['access_token']}"}
    assert (await client.get("/api/v1/users", headers=headers)).status_code == 200
    assert_problem(await login(client, "he.jing", PASSWORD), 401, "unauthenticated")
    assert (await login(client, "he.jing", OTHER_PASSWORD)).status_code == 200


@pytest.mark.parametrize(
    ("new_password", "words"),
    [
        ("Short-1a", "12 to 128 characters"),
        ("onlylowercaseand123", "at least three of"),
        ("Xx-guo.hua-2026", "must not contain the username"),
    ],
)
async def test_password_rules_are_named(client, make_user, new_password, words) -> None:
    await make_user("guo.hua", PASSWORD, role="grid_worker")
    headers = await bearer(client, "guo.hua")
    response = await client.post(
        "/api/v1/auth/password", headers=headers,
        json={"old_password": PASSWORD, "new_password": new_password},
    )  # fmt: skip
    body = assert_problem(response, 422, "invalid-value")
    assert body["field"] == "body.new_password"
    assert words in body["detail"]
    assert new_password not in response.text


async def test_changing_the_password_ends_the_other_sessions(client, make_user, connection) -> None:
    await make_user("ma.li", PASSWORD, role="grid_worker")
    phone = await bearer(client, "ma.li")
    laptop = await bearer(client, "ma.li")
    wrong = await client.post(
        "/api/v1/auth/password", headers=laptop,
        json={"old_password": "Not-The-Password-1", "new_password": OTHER_PASSWORD},
    )  # fmt: skip
    assert assert_problem(wrong, 422, "invalid-value")["field"] == "body.old_password"
    ok = await client.post(
        "/api/v1/auth/password", headers=laptop,
        json={"old_password": PASSWORD, "new_password": OTHER_PASSWORD},
    )  # fmt: skip
    assert ok.status_code == 204, ok.text
    assert (await client.get(ME, headers=laptop)).status_code == 200
    assert_problem(await client.get(ME, headers=phone), 401, "unauthenticated")
    events = await audit_rows(connection, "user.password_change")
    assert [e.outcome for e in events] == ["denied", "success"]
    assert PASSWORD not in str(events) and OTHER_PASSWORD not in str(events)


# --- Swagger UI and the route declarations --------------------------------------------


async def test_the_authorize_button_of_the_docs_uses_the_token_route(client) -> None:
    docs = await client.get("/docs")
    assert docs.status_code == 200 and "/openapi.json" in docs.text
    document = (await client.get("/openapi.json")).json()
    scheme = document["components"]["securitySchemes"]["OAuth2Password"]
    assert scheme["flows"]["password"]["tokenUrl"] == "/api/v1/auth/token"
    form = document["paths"]["/api/v1/auth/token"]["post"]["requestBody"]["content"]
    assert "application/x-www-form-urlencoded" in form
    assert document["paths"]["/api/v1/auth/me"]["get"]["security"] == [
        {"OAuth2Password": []},
        {"PartnerHMAC": []},
    ]


def _api_routes(app) -> list[tuple[str, set[str], object]]:
    """(full path, methods, dependant) of every API route; FastAPI ≥ 0.16x includes
    routers lazily, so app.routes alone no longer lists them."""
    from fastapi.routing import APIRoute

    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # older FastAPI: included routes are copied into app.routes
        return [(r.path, r.methods, r.dependant) for r in app.routes if isinstance(r, APIRoute)]
    return [
        (ctx.path, ctx.methods, ctx.original_route.dependant)
        for ctx in iter_route_contexts(app.routes)
        if isinstance(ctx.original_route, APIRoute)
    ]


def test_every_auth_and_admin_route_declares_its_access(app) -> None:
    from partygrid.api.security import route_access

    def calls(dependant) -> list[object]:
        found = []
        for dep in dependant.dependencies:
            found.append(dep.call)
            found.extend(calls(dep))
        return found

    prefixes = ("/api/v1/auth", "/api/v1/users", "/api/v1/api-clients")
    declared = {
        (path, method): route_access(calls(dependant))
        for path, methods, dependant in _api_routes(app)
        if path.startswith(prefixes)
        for method in methods
    }
    assert len(declared) == 30
    assert all(declared.values()), [k for k, v in declared.items() if not v]
    assert declared[("/api/v1/auth/token", "POST")] == ("public",)
    assert declared[("/api/v1/auth/refresh", "POST")] == ("public",)
    assert declared[("/api/v1/auth/me", "GET")] == ("authenticated",)
    assert declared[("/api/v1/users", "POST")] == ("user:manage",)
    assert declared[("/api/v1/users/{user_id}/role", "PUT")] == ("access:grant",)
    assert declared[("/api/v1/api-clients", "POST")] == ("client:manage",)
    assert declared[("/api/v1/api-clients/{client_id}/permissions", "POST")] == ("access:grant",)


# --- no development secret outside development ------------------------------------------


def test_production_settings_refuse_the_development_secrets() -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(environment=Environment.production)
    assert "PARTYGRID_SECRET_KEY" in str(caught.value)
    good = Settings(
        environment=Environment.production, secret_key=secrets.token_urlsafe(32),
        index_key=secrets.token_urlsafe(32), audit_key=secrets.token_urlsafe(32),
        data_keys="p1:" + "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=",
    )  # fmt: skip
    assert good.admin_totp_required is True


def test_serve_in_production_without_secrets_exits_with_one_line() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARTYGRID_")}
    env.update(PARTYGRID_ENVIRONMENT="production", PARTYGRID_AUDIT_KEY="audit-secret-value-42")
    env["DATABASE_URL"] = "postgresql://nobody@127.0.0.1:1/none"  # never reached
    result = subprocess.run(
        [sys.executable, "-m", "partygrid.cli", "serve"], env=env, capture_output=True,
        text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "PARTYGRID_SECRET_KEY" in lines[0] and "production" in lines[0]
    assert "audit-secret-value-42" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr
