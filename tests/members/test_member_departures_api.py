"""Departures (出党, 开除党籍, 去世) are an admin's act, and a wrong one can be corrected.

Only a district, street or community admin records that a member left the Party or
died; grid workers and partner systems are refused. An admin can reinstate a member whose
departure was recorded by mistake: the member is active again, and their history keeps
both the departure and the correction, with its reason, on the audit trail too.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.fixtures.access import audit_rows
from tests.fixtures.builders import make_org, make_street_tree
from tests.fixtures.partners import allow, make_partner, uow_factory
from tests.platform.test_identity import make_id

URL = "/api/v1/members"
REASON = "误将同名党员登记为去世，经核对户籍信息予以更正"


@pytest.fixture
async def tree(client: httpx.AsyncClient) -> dict[str, Any]:
    return await make_street_tree(client)


async def register(client: httpx.AsyncClient, org_id: int, seq: str, **kw: Any) -> dict[str, Any]:
    body = {"name": "刘桂兰", "id_number": make_id(seq=seq), "category": "retired",
            "organization_id": org_id, **kw}  # fmt: skip
    response = await client.post(URL, json=body)
    assert response.status_code == 201, response.text
    return response.json()


async def leave(client: httpx.AsyncClient, member_id: int, **kw: Any) -> httpx.Response:
    return await client.post(f"{URL}/{member_id}/leave", json={"reason": "deceased"}, **kw)


async def reinstate(client: httpx.AsyncClient, member_id: int, **kw: Any) -> httpx.Response:
    body = {"reason": REASON, **kw.pop("body", {})}
    return await client.post(f"{URL}/{member_id}/reinstate", json=body, **kw)


async def test_a_grid_worker_cannot_record_a_departure(
    client: httpx.AsyncClient, tree: dict[str, Any], login_as
) -> None:
    member = await register(client, tree["branch"]["id"], "201")
    worker = await login_as("grid_worker", orgs=[tree["community"]["id"]])
    for reason in ("deceased", "expelled", "withdrew", "removed"):
        response = await client.post(
            f"{URL}/{member['id']}/leave", json={"reason": reason}, headers=worker
        )
        assert response.status_code == 403, response.text
        assert "member:depart" in response.json()["detail"]
    # The worker still keeps the member's record up to date.
    edited = await client.patch(f"{URL}/{member['id']}", json={"post": "楼栋长"}, headers=worker)
    assert edited.status_code == 200, edited.text
    assert (await client.get(f"{URL}/{member['id']}")).json()["status"] == "active"


async def test_a_partner_that_writes_members_cannot_record_a_departure(
    client: httpx.AsyncClient, tree: dict[str, Any], sessionmaker, keyring,
    connection: AsyncConnection,
) -> None:  # fmt: skip
    member = await register(client, tree["branch"]["id"], "203")
    partner = await make_partner(uow_factory(sessionmaker, keyring), orgs=[tree["street"]["id"]])
    await allow(connection, partner, "member:read", "member:write")
    response = await leave(client, member["id"], auth=partner.auth)
    assert response.status_code == 403, response.text
    assert (await client.get(f"{URL}/{member['id']}")).json()["status"] == "active"


@pytest.mark.parametrize("role", ["district_admin", "street_admin", "community_admin"])
async def test_each_admin_role_records_and_corrects_a_departure(
    client: httpx.AsyncClient, tree: dict[str, Any], login_as, role: str
) -> None:
    member = await register(client, tree["branch"]["id"], "205")
    admin = await login_as(role, orgs=[tree["community"]["id"]])
    assert (await leave(client, member["id"], headers=admin)).status_code == 200
    back = await reinstate(client, member["id"], headers=admin)
    assert back.status_code == 200, back.text
    assert back.json()["member"]["status"] == "active"


async def test_a_wrong_departure_is_corrected_and_the_history_keeps_both(
    client: httpx.AsyncClient, tree: dict[str, Any], connection: AsyncConnection
) -> None:
    member = await register(client, tree["branch"]["id"], "207", post="楼栋长")
    left = await client.post(f"{URL}/{member['id']}/leave",
                             json={"reason": "deceased", "left_on": "2026-10-01"})  # fmt: skip
    assert left.status_code == 200, left.text

    back = await reinstate(client, member["id"])
    assert back.status_code == 200, back.text
    result = back.json()
    assert result["member"]["status"] == "active"
    assert result["member"]["organization_id"] == tree["branch"]["id"]
    assert result["member"]["post"] == "楼栋长"
    assert result["transfer"]["kind"] == "reinstated"
    assert (result["transfer"]["from_organization_id"], result["transfer"]["to_organization_id"]) \
        == (None, tree["branch"]["id"])  # fmt: skip

    history = (await client.get(f"{URL}/{member['id']}/transfers")).json()["items"]
    assert [(t["kind"], t["from_organization_id"], t["to_organization_id"]) for t in history] == [
        ("left", tree["branch"]["id"], None), ("reinstated", None, tree["branch"]["id"]),
    ]  # fmt: skip
    assert REASON in history[1]["reason"]
    # Active again: the member is listed and may be edited.
    listed = await client.get(URL, params={"under": tree["street"]["id"]})
    assert [m["id"] for m in listed.json()["items"]] == [member["id"]]
    assert (await client.patch(f"{URL}/{member['id']}", json={"post": "支委"})).status_code == 200

    (event,) = await audit_rows(connection, "member.reinstate")
    assert event.reason == REASON
    assert (event.changes["before"]["status"], event.changes["after"]["status"]) == (
        "left", "active",
    )  # fmt: skip


async def test_a_member_can_be_reinstated_into_another_organization(
    client: httpx.AsyncClient, tree: dict[str, Any]
) -> None:
    member = await register(client, tree["branch"]["id"], "209")
    await leave(client, member["id"])
    other_branch = await make_org(client, "grid_branch", "第二网格党支部", tree["other"]["id"])
    back = await reinstate(client, member["id"], body={"organization_id": other_branch["id"]})
    assert back.status_code == 200, back.text
    assert back.json()["member"]["organization_id"] == other_branch["id"]


async def test_reinstating_needs_a_departure_a_reason_and_a_live_organization(
    client: httpx.AsyncClient, tree: dict[str, Any]
) -> None:
    member = await register(client, tree["branch"]["id"], "211")
    active = await reinstate(client, member["id"])
    assert active.status_code == 422 and active.json()["rule"] == "member-not-left"

    await leave(client, member["id"])
    short = await client.post(f"{URL}/{member['id']}/reinstate", json={"reason": "错了"})
    assert short.status_code == 422, short.text
    street = await reinstate(client, member["id"], body={"organization_id": tree["street"]["id"]})
    assert street.status_code == 422 and street.json()["rule"] == "member-organization-kind"
    # The branch the member left from was dissolved since: name a live one.
    for org in ("group", "branch"):
        gone = await client.post(f"/api/v1/organizations/{tree[org]['id']}/dissolve", json={})
        assert gone.status_code == 200, gone.text
    dissolved = await reinstate(client, member["id"])
    assert dissolved.status_code == 422 and dissolved.json()["rule"] == "member-organization-active"
    assert (await client.get(f"{URL}/{member['id']}")).json()["status"] == "left"


async def test_a_mobile_member_gets_their_ledger_entry_back(
    client: httpx.AsyncClient, tree: dict[str, Any]
) -> None:
    ledger = {"direction": "outflow", "since": "2025-03-01", "destination_place": "深圳市南山区"}
    member = await register(client, tree["branch"]["id"], "213", category="mobile",
                            mobile_ledger=ledger)  # fmt: skip
    await leave(client, member["id"])
    assert (await client.get(f"{URL}/{member['id']}")).json()["mobile_ledger"] is None
    back = await reinstate(client, member["id"])
    assert back.status_code == 200, back.text
    current = back.json()["member"]["mobile_ledger"]
    assert current["destination_place"] == "深圳市南山区" and current["ended_on"] is None


async def test_a_grid_worker_cannot_reinstate(
    client: httpx.AsyncClient, tree: dict[str, Any], login_as
) -> None:
    member = await register(client, tree["branch"]["id"], "215")
    await leave(client, member["id"])
    worker = await login_as("grid_worker", orgs=[tree["community"]["id"]])
    response = await reinstate(client, member["id"], headers=worker)
    assert response.status_code == 403, response.text
    assert "member:depart" in response.json()["detail"]
