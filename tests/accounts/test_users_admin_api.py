"""Account administration with separated duties: the system admin makes accounts, the
security admin gives roles and scopes, the auditor does neither, nobody grants themself."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import text

from partygrid.domain.organizations.model import OrgKind
from partygrid.repo.uow import UnitOfWork
from partygrid.seed.demo.accounts import DEMO_ACCOUNTS, DEMO_PARTNER, load_demo_accounts
from tests.fixtures.access import (
    OTHER_PASSWORD,
    PASSWORD,
    audit_rows,
    bearer,
    login,
    make_grid,
    make_org,
)
from tests.fixtures.partners import PartnerAuth
from tests.platform.test_conventions_api import assert_problem

USERS = "/api/v1/users"
CLIENTS = "/api/v1/api-clients"


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:
    """A client without credentials: every test here says who it is on each request."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as ac:
        yield ac


async def _create(client, headers, username: str = "wang.jianhua", **extra) -> dict:
    body = {"username": username, "display_name": "王建华", "password": PASSWORD, **extra}
    response = await client.post(USERS, json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def test_the_system_admin_creates_an_account_without_role_or_scope(
    client, login_as, connection
) -> None:
    sysadmin = await login_as("system_admin")
    created = await _create(client, sysadmin, "Wang.JianHua", department="区城管局")
    assert created["username"] == "wang.jianhua"
    assert created["role"] is None and created["scopes"] == []
    assert created["must_change_password"] is True and created["is_active"] is True
    assert "password" not in created and "password_hash" not in created
    assert "$argon2" not in str(created)

    tokens = (await login(client, "wang.jianhua")).json()
    assert tokens["pending_steps"] == ["password_change"]
    [event] = await audit_rows(connection, "user.create")
    assert event.role == "system_admin" and event.resource_id == str(created["id"])
    assert event.changes["after"]["username"] == "wang.jianhua"
    assert PASSWORD not in str(event.changes)


async def test_duplicate_usernames_and_weak_passwords_are_refused(client, login_as) -> None:
    sysadmin = await login_as("system_admin")
    await _create(client, sysadmin, "li.na")
    again = await client.post(
        USERS,
        headers=sysadmin,
        json={"username": "li.na", "display_name": "x", "password": PASSWORD},
    )
    assert_problem(again, 409, "conflict")
    weak = await client.post(
        USERS, headers=sysadmin,
        json={"username": "li.qiang", "display_name": "x", "password": "li.qiang-Pass-1"},
    )  # fmt: skip
    assert assert_problem(weak, 422, "invalid-value")["field"] == "body.password"
    bad_name = await client.post(
        USERS,
        headers=sysadmin,
        json={"username": "李强同志", "display_name": "x", "password": PASSWORD},
    )
    assert assert_problem(bad_name, 422, "invalid-value")["field"] == "body.username"


@pytest.mark.parametrize("field", ["role", "id", "version", "scopes", "password_hash"])
async def test_mass_assignment_is_refused(client, login_as, field) -> None:
    sysadmin = await login_as("system_admin")
    body = {"username": "zhou.jie", "display_name": "周杰", "password": PASSWORD,
            field: "system_admin" if field == "role" else 1}  # fmt: skip
    response = await client.post(USERS, json=body, headers=sysadmin)
    problem = assert_problem(response, 422, "validation-error")
    assert [e["field"] for e in problem["errors"]] == [f"body.{field}"]


async def test_duties_are_separated(client, login_as) -> None:
    sysadmin, secadmin = await login_as("system_admin"), await login_as("security_admin")
    auditor = await login_as("auditor")
    user = await _create(client, sysadmin)
    role = f"{USERS}/{user['id']}/role"

    assert_problem(await client.put(role, json={"role": "grid_worker"}, headers=sysadmin), 403,
                   "forbidden")  # fmt: skip
    body = {"username": "x.y.z", "display_name": "x", "password": PASSWORD}
    assert_problem(await client.post(USERS, json=body, headers=secadmin), 403, "forbidden")
    for call in (
        client.post(USERS, json=body, headers=auditor),
        client.put(role, json={"role": "grid_worker"}, headers=auditor),
        client.get(USERS, headers=auditor),
        client.post(CLIENTS, json={"name": "公安"}, headers=auditor),
    ):
        assert_problem(await call, 403, "forbidden")
    assert_problem(await client.post(CLIENTS, json={"name": "公安"}, headers=secadmin), 403,
                   "forbidden")  # fmt: skip
    for who in (await login_as("district_admin"), await login_as("grid_worker")):
        assert_problem(await client.get(USERS, headers=who), 403, "forbidden")

    granted = await client.put(role, json={"role": "grid_worker"}, headers=secadmin)
    assert granted.status_code == 200, granted.text
    assert granted.json()["role"] == "grid_worker"


async def test_nobody_changes_their_own_access(client, login_as) -> None:
    secadmin = await login_as("security_admin")
    me = (await client.get("/api/v1/auth/me", headers=secadmin)).json()
    own = await client.put(f"{USERS}/{me['id']}/role", json={"role": "district_admin"},
                           headers=secadmin)  # fmt: skip
    assert assert_problem(own, 422, "rule-violation")["rule"] == "not-own-access"
    scope = await client.post(f"{USERS}/{me['id']}/scopes", json={"organization_id": 1},
                              headers=secadmin)  # fmt: skip
    assert assert_problem(scope, 422, "rule-violation")["rule"] == "not-own-access"
    sysadmin = await login_as("system_admin")
    me = (await client.get("/api/v1/auth/me", headers=sysadmin)).json()
    disable = await client.post(f"{USERS}/{me['id']}/disable", headers=sysadmin)
    assert assert_problem(disable, 422, "rule-violation")["rule"] == "not-own-access"


async def test_roles_and_scopes(client, login_as, uow, connection, make_user) -> None:
    street = await make_org(uow)
    community = await make_org(uow, OrgKind.community_committee, street, "海滨社区党委")
    grid_id = await make_grid(connection, community.id)
    secadmin = await login_as("security_admin")
    user_id = await make_user("li.xiaoyan", PASSWORD, role="grid_worker")
    scopes = f"{USERS}/{user_id}/scopes"

    grid = await client.post(scopes, json={"grid_id": grid_id}, headers=secadmin)
    assert grid.status_code == 201, grid.text
    org = await client.post(scopes, json={"organization_id": community.id}, headers=secadmin)
    assert org.status_code == 201
    dup = await client.post(scopes, json={"grid_id": grid_id}, headers=secadmin)
    assert_problem(dup, 409, "conflict")
    both = await client.post(scopes, json={"grid_id": grid_id, "organization_id": 1},
                             headers=secadmin)  # fmt: skip
    assert_problem(both, 422, "validation-error")
    missing = await client.post(scopes, json={"organization_id": 999999}, headers=secadmin)
    assert assert_problem(missing, 422, "rule-violation")["rule"] == "scope-target-exists"

    me = (await client.get("/api/v1/auth/me", headers=await bearer(client, "li.xiaoyan"))).json()
    assert me["scope"] == {"organization_ids": [community.id], "grid_ids": [grid_id]}

    gone = await client.delete(f"{scopes}/{grid.json()['id']}", headers=secadmin)
    assert gone.status_code == 204
    assert_problem(await client.delete(f"{scopes}/{grid.json()['id']}", headers=secadmin), 404,
                   "not-found")  # fmt: skip

    partner = await client.put(f"{USERS}/{user_id}/role", json={"role": "partner_system"},
                               headers=secadmin)  # fmt: skip
    assert assert_problem(partner, 422, "rule-violation")["rule"] == "role-for-clients"
    # An auditor holds no business data: the scope goes with the old role.
    audit = await client.put(f"{USERS}/{user_id}/role", json={"role": "auditor"},
                             headers=secadmin)  # fmt: skip
    assert audit.json()["role"] == "auditor" and audit.json()["scopes"] == []
    refused = await client.post(scopes, json={"organization_id": street.id}, headers=secadmin)
    assert assert_problem(refused, 422, "rule-violation")["rule"] == "role-takes-no-scope"
    events = [e.action for e in await audit_rows(connection, "user.scope_grant")]
    assert events == ["user.scope_grant"] * 2


async def test_a_role_change_ends_the_users_sessions(client, login_as, make_user) -> None:
    user_id = await make_user("ma.jun", PASSWORD, role="grid_worker")
    headers = await bearer(client, "ma.jun")
    secadmin = await login_as("security_admin")
    await client.put(f"{USERS}/{user_id}/role", json={"role": "community_admin"}, headers=secadmin)
    assert_problem(await client.get("/api/v1/auth/me", headers=headers), 401, "unauthenticated")


async def test_disable_enable_reset_and_revoke(client, login_as, make_user, connection) -> None:
    user_id = await make_user("gao.yan", PASSWORD, role="grid_worker")
    headers = await bearer(client, "gao.yan")
    sysadmin, secadmin = await login_as("system_admin"), await login_as("security_admin")

    disabled = await client.post(f"{USERS}/{user_id}/disable", headers=sysadmin)
    assert disabled.status_code == 200 and disabled.json()["is_active"] is False
    assert_problem(await client.get("/api/v1/auth/me", headers=headers), 401, "unauthenticated")
    assert_problem(await login(client, "gao.yan"), 401, "unauthenticated")
    stale = await client.post(
        f"{USERS}/{user_id}/enable", headers={**sysadmin, "If-Match": 'W/"1"'}
    )
    assert_problem(stale, 412, "stale-version")
    enabled = await client.post(f"{USERS}/{user_id}/enable", headers=sysadmin)
    assert enabled.json()["is_active"] is True

    headers = await bearer(client, "gao.yan")
    reset = await client.post(f"{USERS}/{user_id}/password", json={"password": OTHER_PASSWORD},
                              headers=sysadmin)  # fmt: skip
    assert reset.status_code == 200 and reset.json()["must_change_password"] is True
    assert_problem(await client.get("/api/v1/auth/me", headers=headers), 401, "unauthenticated")
    assert (await login(client, "gao.yan", OTHER_PASSWORD)).json()["pending_steps"] == [
        "password_change"
    ]
    await login(client, "gao.yan", OTHER_PASSWORD)
    ended = await client.post(f"{USERS}/{user_id}/revoke-sessions", headers=secadmin)
    assert ended.json() == {"sessions_ended": 2}
    assert_problem(await client.post(f"{USERS}/{user_id}/revoke-sessions", headers=sysadmin), 403,
                   "forbidden")  # fmt: skip
    actions = [
        r.action for r in (await connection.execute(text(
            "SELECT action FROM audit_events WHERE resource_id = :id AND resource_type = 'user' "
            "ORDER BY id"), {"id": str(user_id)})).all()
    ]  # fmt: skip
    # The use cases' own events (refused requests are recorded too, by the error handler).
    assert [a for a in actions if " " not in a] == [
        "auth.login", "user.disable", "auth.login", "user.enable", "auth.login",
        "user.password_reset", "auth.login", "auth.login", "user.sessions_revoke",
    ]  # fmt: skip
    assert OTHER_PASSWORD not in str(await audit_rows(connection, "user.password_reset"))


async def test_the_user_list_is_paged_by_cursor(client, login_as) -> None:
    sysadmin = await login_as("system_admin")
    for n in range(3):
        await _create(client, sysadmin, f"page.user{n}")
    first = await client.get(USERS, params={"limit": 2, "username_prefix": "page."},
                             headers=sysadmin)  # fmt: skip
    assert first.status_code == 200, first.text
    page = first.json()
    assert [u["username"] for u in page["items"]] == ["page.user0", "page.user1"]
    second = (await client.get(USERS, params={"limit": 2, "username_prefix": "page.",
                                              "cursor": page["next_cursor"]},
                               headers=sysadmin)).json()  # fmt: skip
    assert [u["username"] for u in second["items"]] == ["page.user2"]
    assert second["next_cursor"] is None
    secadmin = await login_as("security_admin")  # user:read too
    assert (
        await client.get(f"{USERS}/{page['items'][0]['id']}", headers=secadmin)
    ).status_code == 200
    assert_problem(await client.get(f"{USERS}/999999", headers=sysadmin), 404, "not-found")


async def test_api_clients_show_their_secret_once(client, login_as, uow, connection) -> None:
    street = await make_org(uow)
    sysadmin, secadmin = await login_as("system_admin"), await login_as("security_admin")
    created = await client.post(CLIENTS, json={"name": "金沙滩派出所"}, headers=sysadmin)
    assert created.status_code == 201, created.text
    body = created.json()
    secret, client_id = body["secret"], body["id"]
    assert body["role"] == "partner_system" and body["key_id"].startswith("pk-")
    assert created.headers["cache-control"] == "no-store"
    mass = await client.post(
        CLIENTS, json={"name": "x", "role": "district_admin"}, headers=sysadmin
    )
    assert_problem(mass, 422, "validation-error")

    read = await client.get(f"{CLIENTS}/{client_id}", headers=secadmin)
    assert read.status_code == 200 and "secret" not in read.json()
    listed = await client.get(CLIENTS, headers=sysadmin)
    assert secret not in listed.text
    stored = await connection.execute(text("SELECT secret_enc FROM api_clients WHERE id = :i"),
                                      {"i": client_id})  # fmt: skip
    assert secret.encode() not in bytes(stored.scalar_one())

    scope = f"{CLIENTS}/{client_id}/scopes"
    assert_problem(await client.post(scope, json={"organization_id": street.id}, headers=sysadmin),
                   403, "forbidden")  # fmt: skip
    granted = await client.post(scope, json={"organization_id": street.id}, headers=secadmin)
    assert granted.status_code == 201, granted.text

    rotated = await client.post(f"{CLIENTS}/{client_id}/rotate-secret", headers=sysadmin)
    assert rotated.status_code == 200 and rotated.json()["secret"] != secret
    assert rotated.json()["scopes"][0]["organization_id"] == street.id
    trail = str(await audit_rows(connection, "api_client.create")) + str(
        await audit_rows(connection, "api_client.secret_rotate")
    )
    assert secret not in trail and rotated.json()["secret"] not in trail


# --- demo accounts ------------------------------------------------------------------------


async def test_demo_accounts_one_per_role_made_once(
    client, sessionmaker, keyring, uow, connection
) -> None:
    district = await make_org(uow, OrgKind.district_committee, None, "黄岛区委", "DEMO-DISTRICT")
    street = await make_org(uow, parent=district, code="DEMO-STREET")
    c1 = await make_org(uow, OrgKind.community_committee, street, "海滨社区党委", "DEMO-C1")
    grids = [await make_grid(connection, c1.id, f"DEMO-GRID-C1-{n}") for n in (1, 2)]

    def factory() -> UnitOfWork:
        return UnitOfWork(sessionmaker, keyring)

    first = await load_demo_accounts(factory)
    assert [r for _, r, _ in first.passwords] == [a.role.value for a in DEMO_ACCOUNTS]
    assert "partner_system" not in {r for _, r, _ in first.passwords}
    name, key_id, secret = first.partner
    assert name == DEMO_PARTNER and secret
    # The police platform of the demo reads the street and files tickets, nothing more.
    partner_me = await client.get("/api/v1/auth/me", auth=PartnerAuth(key_id, secret))
    assert partner_me.json()["permissions"] == [
        "grid:read", "member:read", "org:read", "ticket:read", "ticket:submit"
    ]  # fmt: skip
    lines = "\n".join(first.lines())
    assert all(p in lines for _, _, p in first.passwords)

    passwords = {u: p for u, _, p in first.passwords}
    grid_worker = await bearer(client, "demo.grid", passwords["demo.grid"])
    me = (await client.get("/api/v1/auth/me", headers=grid_worker)).json()
    assert me["scope"] == {"organization_ids": [], "grid_ids": grids}
    street_admin = await bearer(client, "demo.street", passwords["demo.street"])
    me = (await client.get("/api/v1/auth/me", headers=street_admin)).json()
    assert me["scope"]["organization_ids"] == [street.id]
    hashes = await connection.execute(text("SELECT password_hash FROM users WHERE username LIKE "
                                           "'demo.%'"))  # fmt: skip
    stored = " ".join(h for (h,) in hashes.all())
    assert all(p not in stored for p in passwords.values())

    again = await load_demo_accounts(factory)
    assert again.passwords == [] and len(again.present) == len(DEMO_ACCOUNTS)
    assert again.partner == (DEMO_PARTNER, key_id, None)
    renewed = await load_demo_accounts(factory, new_passwords=True)
    assert len(renewed.passwords) == len(DEMO_ACCOUNTS) and renewed.partner[2]
    assert_problem(await client.get("/api/v1/auth/me", headers=grid_worker), 401,
                   "unauthenticated")  # fmt: skip


# --- the console bootstrap ------------------------------------------------------------------


async def test_create_admin_makes_or_finds_the_root_and_scopes_the_account(
    client, uow, sessionmaker, keyring, connection
) -> None:
    from partygrid.domain.access import Role
    from partygrid.domain.errors import Conflict
    from partygrid.services.accounts.bootstrap import NewAdmin, create_admin

    def new(username: str, role: Role, **where) -> NewAdmin:
        return NewAdmin(username=username, display_name=username, role=role, password=PASSWORD,
                        **where)  # fmt: skip

    first = await create_admin(
        UnitOfWork(sessionmaker, keyring),
        new("hd.admin", Role.district_admin, root_org_name="黄岛区委"),
    )
    assert first.organization_created and first.organization.name == "黄岛区委"
    second = await create_admin(
        UnitOfWork(sessionmaker, keyring),
        new("hd.two", Role.street_admin, root_org_name="黄岛区委"),
    )
    assert not second.organization_created and second.organization.id == first.organization.id
    with pytest.raises(Conflict):
        await create_admin(UnitOfWork(sessionmaker, keyring), new("hd.admin", Role.auditor))

    me = (await client.get("/api/v1/auth/me", headers=await bearer(client, "hd.admin"))).json()
    assert me["role"] == "district_admin"
    assert me["scope"]["organization_ids"] == [first.organization.id]
    kind = await connection.execute(
        text("SELECT kind, parent_id FROM organizations WHERE id = :i"),
        {"i": first.organization.id},
    )
    assert tuple(kind.one()) == ("district_committee", None)
    assert [e.principal_name for e in await audit_rows(connection, "user.create")] == [
        "partygrid create-admin", "partygrid create-admin",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--role", "street_admin"], "sees nothing without a scope"),
        (["--role", "auditor", "--org", "1"], "takes no scope"),
        (["--role", "partner_system", "--org", "1"], "role of API clients"),
        (["--role", "grid_worker", "--org", "1", "--root-org-name", "x"], "not both"),
    ],
)
def test_create_admin_refuses_a_bad_request_before_asking_for_a_password(args, words) -> None:
    from typer.testing import CliRunner

    from partygrid.cli import app as cli

    result = CliRunner().invoke(cli, ["create-admin", "--username", "some.one", *args])
    assert result.exit_code == 1, result.output
    assert words in result.output and "Password" not in result.output


def test_create_admin_refuses_a_weak_password_from_stdin() -> None:
    from typer.testing import CliRunner

    from partygrid.cli import app as cli

    result = CliRunner().invoke(
        cli, ["create-admin", "--username", "some.one", "--role", "auditor", "--password-stdin"],
        input="some.one-Password-1\n",
    )  # fmt: skip
    assert result.exit_code == 1
    assert "must not contain the username" in result.output
    assert "some.one-Password-1" not in result.output
