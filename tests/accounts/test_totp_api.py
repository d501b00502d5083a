"""The second factor (TOTP) for admin roles: enrollment through a limited login, one use
per code, and the code carried where Swagger UI's dialog can put it."""

from __future__ import annotations

import base64

import httpx
import pyotp
import pytest
from sqlalchemy import text

from partygrid.config import Environment, Settings
from partygrid.main import bind_database, create_app
from partygrid.repo.migrations import head_revision
from tests.fixtures.access import PASSWORD, audit_rows, bearer, code_at, current_step, login
from tests.platform.test_conventions_api import assert_problem

REFRESH = "/api/v1/auth/refresh"


@pytest.fixture
async def totp_client(engine, sessionmaker, database_url):
    """An app that enforces TOTP for admin roles, as production does."""
    settings = Settings(environment=Environment.test, database_url=None, require_admin_totp=True)
    application = create_app(settings)
    bind_database(application, engine, sessionmaker)
    application.state.migration_head = head_revision(settings, database_url)
    transport = httpx.ASGITransport(app=application, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as ac:
        yield ac


async def test_an_admin_must_enroll_totp_then_use_it_once_per_code(
    totp_client, make_user, connection
) -> None:
    client = totp_client
    await make_user("xu.ming", PASSWORD, role="security_admin")
    first = (await login(client, "xu.ming")).json()
    assert first["pending_steps"] == ["totp_enrollment"]
    limited = {"Authorization": f"Bearer {first['access_token']}"}
    assert_problem(await client.get("/api/v1/users", headers=limited), 403, "step-required")

    enrolled = await client.post("/api/v1/auth/totp/enroll", headers=limited)
    assert enrolled.status_code == 200, enrolled.text
    secret = enrolled.json()["secret"]
    assert enrolled.json()["otpauth_uri"].startswith("otpauth://totp/PartyGrid:xu.ming?")
    step = current_step(secret)
    wrong = await client.post("/api/v1/auth/totp/confirm", headers=limited,
                              json={"code": "000000" if code_at(secret, step) != "000000"
                                    else "111111"})  # fmt: skip
    assert_problem(wrong, 422, "invalid-value")
    confirm = await client.post(
        "/api/v1/auth/totp/confirm", headers=limited, json={"code": code_at(secret, step)}
    )
    assert confirm.status_code == 204, confirm.text
    full = (await client.post(REFRESH, json={"refresh_token": first["refresh_token"]})).json()
    assert full["pending_steps"] == []
    stored = await connection.execute(
        text("SELECT totp_secret_enc FROM users WHERE username = 'xu.ming'")
    )
    assert secret.encode() not in bytes(stored.scalar_one())  # encrypted at rest

    # From now on the password alone is not enough, and a code works once.
    missing = await login(client, "xu.ming")
    assert_problem(missing, 401, "totp-required")
    reused = await login(client, "xu.ming", totp=code_at(secret, step))  # used to confirm
    assert_problem(reused, 401, "unauthenticated")
    fresh = await login(client, "xu.ming", totp=code_at(secret, step + 1))
    assert fresh.status_code == 200, fresh.text
    assert fresh.json()["pending_steps"] == []
    again = await login(client, "xu.ming", totp=code_at(secret, step + 1))
    assert_problem(again, 401, "unauthenticated")
    reasons = [e.reason for e in await audit_rows(connection, "auth.login")]
    assert "wrong or reused TOTP code" in reasons and "TOTP code missing" in reasons
    assert secret not in str(await audit_rows(connection, "user.totp_enroll"))


@pytest.mark.parametrize("via", ["client_secret", "basic"])
async def test_the_swagger_dialog_can_carry_the_code_as_client_secret(
    totp_client, make_user, connection, keyring, via
) -> None:
    secret = pyotp.random_base32()
    step = current_step(secret)
    await make_user("song.jia", PASSWORD, role="auditor")
    await connection.execute(  # enrolled and confirmed, with the current step spent
        text("UPDATE users SET totp_secret_enc = :s, totp_confirmed = true, "
             "totp_last_step = :t WHERE username = 'song.jia'"),
        {"s": keyring.encrypt(secret, "users.totp_secret"), "t": step},
    )  # fmt: skip
    form = {"username": "song.jia", "password": PASSWORD, "grant_type": "password"}
    code = code_at(secret, step + 1)
    if via == "client_secret":
        response = await totp_client.post(
            "/api/v1/auth/token", data={**form, "client_secret": code}
        )
    else:
        basic = base64.b64encode(f"swagger:{code}".encode()).decode()
        response = await totp_client.post(
            "/api/v1/auth/token", data=form, headers={"Authorization": f"Basic {basic}"}
        )
    assert response.status_code == 200, response.text


async def test_totp_is_not_asked_of_non_admin_roles(totp_client, make_user) -> None:
    await make_user("lin.tao", PASSWORD, role="grid_worker")
    response = await login(totp_client, "lin.tao")
    assert response.status_code == 200 and response.json()["pending_steps"] == []


async def test_enrolling_twice_after_confirming_is_a_conflict(totp_client, make_user) -> None:
    await make_user("qian.bo", PASSWORD, role="grid_worker")
    headers = await bearer(totp_client, "qian.bo")
    secret = (await totp_client.post("/api/v1/auth/totp/enroll", headers=headers)).json()["secret"]
    code = code_at(secret, current_step(secret))
    await totp_client.post("/api/v1/auth/totp/confirm", headers=headers, json={"code": code})
    assert_problem(
        await totp_client.post("/api/v1/auth/totp/enroll", headers=headers), 409, "conflict"
    )
