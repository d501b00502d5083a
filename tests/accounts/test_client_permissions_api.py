"""Partner clients hold the permissions a security admin gives each of them, one by one,
and never more than a partner may have: reading the tree, grids, members and tickets,
writing members, submitting tickets. A new client may do nothing but say who it is."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.fixtures.access import audit_rows
from tests.fixtures.builders import make_street_tree
from tests.fixtures.partners import Partner, make_partner, uow_factory
from tests.platform.test_identity import make_id

CLIENTS = "/api/v1/api-clients"
ME = "/api/v1/auth/me"


@pytest.fixture
async def tree(client: httpx.AsyncClient) -> dict[str, Any]:
    tree = await make_street_tree(client)
    member = await client.post("/api/v1/members", json={
        "name": "王建国", "id_number": make_id(seq="101"), "category": "resident",
        "organization_id": tree["branch"]["id"],
    })  # fmt: skip
    assert member.status_code == 201, member.text
    return {**tree, "member": member.json()}


@pytest.fixture
async def partner(sessionmaker, keyring, tree: dict[str, Any]) -> Partner:
    return await make_partner(uow_factory(sessionmaker, keyring), orgs=[tree["street"]["id"]])


@pytest.fixture
async def security(login_as) -> dict[str, str]:
    return await login_as("security_admin")


async def grant(client: httpx.AsyncClient, partner: Partner, permission: str, headers):
    return await client.post(
        f"{CLIENTS}/{partner.id}/permissions", json={"permission": permission}, headers=headers
    )


async def stored(connection: AsyncConnection, partner: Partner) -> list[str]:
    rows = await connection.execute(
        text("SELECT permission FROM api_client_permissions WHERE api_client_id = :c "
             "ORDER BY permission"),
        {"c": partner.id},
    )  # fmt: skip
    return list(rows.scalars())


async def test_a_new_client_may_only_say_who_it_is(
    client: httpx.AsyncClient, partner: Partner, tree: dict[str, Any]
) -> None:
    me = await client.get(ME, auth=partner.auth)
    assert me.status_code == 200, me.text
    assert me.json()["permissions"] == []
    for url in ("/api/v1/members", "/api/v1/organizations", "/api/v1/grids", "/api/v1/tickets"):
        response = await client.get(url, auth=partner.auth)
        assert response.status_code == 403, (url, response.text)
        assert response.json()["code"] == "forbidden"


async def test_a_granted_permission_works_from_the_next_request_and_a_revoked_one_stops(
    client: httpx.AsyncClient, partner: Partner, tree: dict[str, Any], security, connection
) -> None:
    response = await grant(client, partner, "member:read", security)
    assert response.status_code == 201, response.text
    assert response.json() == {"permission": "member:read",
                               "granted_at": response.json()["granted_at"]}  # fmt: skip
    members = await client.get("/api/v1/members", auth=partner.auth)
    assert members.status_code == 200, members.text
    assert [m["id"] for m in members.json()["items"]] == [tree["member"]["id"]]
    assert (await client.get(ME, auth=partner.auth)).json()["permissions"] == ["member:read"]
    # Only what was granted: reading members is not writing them.
    patch = await client.patch(
        f"/api/v1/members/{tree['member']['id']}", json={"post": "楼栋长"}, auth=partner.auth
    )
    assert patch.status_code == 403 and "member:write" in patch.json()["detail"]

    shown = await client.get(f"{CLIENTS}/{partner.id}", headers=security)
    assert shown.json()["permissions"] == ["member:read"]

    revoked = await client.delete(
        f"{CLIENTS}/{partner.id}/permissions/member:read", headers=security
    )
    assert revoked.status_code == 204, revoked.text
    assert (await client.get("/api/v1/members", auth=partner.auth)).status_code == 403
    assert await stored(connection, partner) == []
    granted, taken = (
        await audit_rows(connection, "api_client.permission_grant"),
        await audit_rows(connection, "api_client.permission_revoke"),
    )
    assert [(r.resource_id, r.changes["after"]) for r in granted] == [
        (str(partner.id), {"permission": "member:read"})
    ]
    assert [(r.resource_id, r.changes["before"]) for r in taken] == [
        (str(partner.id), {"permission": "member:read"})
    ]


@pytest.mark.parametrize(
    "permission",
    ["grid:write", "org:write", "member:reveal", "member:depart", "ticket:handle",
     "ticket:supervise", "report:read", "user:manage", "access:grant", "audit:read"],
)  # fmt: skip
async def test_nothing_beyond_what_a_partner_may_have_can_be_granted(
    client: httpx.AsyncClient, partner: Partner, security, connection, permission: str
) -> None:
    response = await grant(client, partner, permission, security)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["rule"] == "permission-not-for-clients"
    assert permission in problem["detail"] and "ticket:submit" in problem["detail"]
    assert await stored(connection, partner) == []


async def test_only_the_security_admin_grants_and_revokes(
    client: httpx.AsyncClient, partner: Partner, login_as, connection
) -> None:
    for role in ("system_admin", "district_admin", "auditor"):
        headers = await login_as(role)
        response = await grant(client, partner, "member:read", headers)
        assert response.status_code == 403, (role, response.text)
        assert "access:grant" in response.json()["detail"]
        gone = await client.delete(
            f"{CLIENTS}/{partner.id}/permissions/member:read", headers=headers
        )
        assert gone.status_code == 403, (role, gone.text)
    # Nor can a partner give itself more.
    itself = await client.post(
        f"{CLIENTS}/{partner.id}/permissions", json={"permission": "member:read"},
        auth=partner.auth,
    )  # fmt: skip
    assert itself.status_code == 403, itself.text
    assert await stored(connection, partner) == []


async def test_granting_twice_conflicts_and_revoking_what_is_not_held_is_not_found(
    client: httpx.AsyncClient, partner: Partner, security
) -> None:
    assert (await grant(client, partner, "ticket:submit", security)).status_code == 201
    again = await grant(client, partner, "ticket:submit", security)
    assert again.status_code == 409 and again.json()["rule"] == "grant-unique"
    missing = await client.delete(
        f"{CLIENTS}/{partner.id}/permissions/member:read", headers=security
    )
    assert missing.status_code == 404, missing.text
    unknown = await grant(client, Partner(99_999_999, "pk-x", "x"), "member:read", security)
    assert unknown.status_code == 404, unknown.text


async def test_a_person_given_the_partner_role_gets_no_permission_from_it(
    client: httpx.AsyncClient, login_as, tree: dict[str, Any]
) -> None:
    """partner_system is the role of API clients; whatever holds it, the role alone grants
    nothing: a client's permissions are its own grants."""
    headers = await login_as("partner_system", orgs=[tree["district"]["id"]])
    assert (await client.get(ME, headers=headers)).json()["permissions"] == []
    assert (await client.get("/api/v1/members", headers=headers)).status_code == 403
