"""The reveal endpoint: clear values for a stated reason, only with the permission, only in
scope, never cached, always on the audit trail (fields and reason, never the values)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.fixtures.builders import make_street_tree
from tests.platform.test_identity import make_id

URL = "/api/v1/members"
NUMBER = make_id("110105", "19491231", "002")  # ends in X
PHONE = "13812345678"
ADDRESS = "北京市朝阳区建国路88号院3号楼2单元"
REASON = "核实组织关系转接材料中的身份信息"


@pytest.fixture
async def tree(client: httpx.AsyncClient) -> dict[str, dict[str, Any]]:
    return await make_street_tree(client)


@pytest.fixture
async def member(client: httpx.AsyncClient, tree: dict[str, dict[str, Any]]) -> dict[str, Any]:
    response = await client.post(URL, json={
        "name": "张丽华", "id_number": NUMBER.lower(), "category": "retired",
        "organization_id": tree["branch"]["id"], "phone": "138 1234 5678", "address": ADDRESS,
    })  # fmt: skip
    assert response.status_code == 201, response.text
    return response.json()


def reveal_url(member: dict[str, Any] | int) -> str:
    member_id = member if isinstance(member, int) else member["id"]
    return f"{URL}/{member_id}/reveal"


async def audit_rows(connection: AsyncConnection, **where: Any) -> list[Any]:
    clause = " AND ".join(f"{column} = :{column}" for column in where) or "TRUE"
    result = await connection.execute(
        text(f"SELECT *, changes::text AS changes_text FROM audit_events WHERE {clause}"
             " ORDER BY id"),
        where,
    )  # fmt: skip
    return list(result)


async def test_reveal_shows_the_requested_fields_in_clear_and_audits_them(
    client: httpx.AsyncClient, member: dict[str, Any], connection: AsyncConnection
) -> None:
    response = await client.post(
        reveal_url(member), json={"fields": ["phone", "id_number"], "reason": f"  {REASON} "}
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"member_id": member["id"], "phone": PHONE, "id_number": NUMBER}
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["pragma"] == "no-cache"

    address = await client.post(reveal_url(member), json={"fields": ["address"], "reason": REASON})
    assert address.json() == {"member_id": member["id"], "address": ADDRESS}

    rows = await audit_rows(connection, action="member.reveal", resource_id=str(member["id"]))
    assert [(r.outcome, r.resource_type, r.reason, r.role) for r in rows] == [
        ("success", "party_member", REASON, "district_admin"),
    ] * 2  # fmt: skip
    assert [r.changes["after"]["revealed_fields"] for r in rows] == [
        ["phone", "id_number"], ["address"],
    ]  # fmt: skip
    trail = " ".join(f"{r.reason} {r.changes_text}" for r in rows)
    for secret in (NUMBER, NUMBER.lower(), PHONE, "建国路88号"):
        assert secret not in trail


async def test_a_member_without_the_data_reveals_null(
    client: httpx.AsyncClient, tree: dict[str, dict[str, Any]]
) -> None:
    created = await client.post(URL, json={
        "name": "李四", "id_number": make_id(seq="017"), "category": "resident",
        "organization_id": tree["group"]["id"],
    })  # fmt: skip
    response = await client.post(
        reveal_url(created.json()), json={"fields": ["phone", "address"], "reason": REASON}
    )
    assert response.json() == {"member_id": created.json()["id"], "phone": None, "address": None}


async def test_numbers_typed_into_the_reason_are_masked_on_the_trail(
    client: httpx.AsyncClient, member: dict[str, Any], connection: AsyncConnection
) -> None:
    reason = f"来电人自称号码 {PHONE}，身份证 {NUMBER}，需核实"
    response = await client.post(reveal_url(member), json={"fields": ["phone"], "reason": reason})
    assert response.status_code == 200, response.text
    (row,) = await audit_rows(connection, action="member.reveal")
    assert row.reason == "来电人自称号码 138****5678，身份证 110105********002X，需核实"


@pytest.mark.parametrize(
    ("role", "status"),
    [("grid_worker", 403), ("department_worker", 403), ("auditor", 403), ("partner_system", 403),
     ("security_admin", 403), ("street_admin", 200), ("community_admin", 200)],
)  # fmt: skip
async def test_only_leaders_may_reveal(
    anonymous_client: httpx.AsyncClient,
    login_as: Any,
    tree: dict[str, dict[str, Any]],
    member: dict[str, Any],
    role: str,
    status: int,
) -> None:
    headers = await login_as(role, orgs=[tree["community"]["id"]])
    body = {"fields": ["id_number"], "reason": REASON}
    response = await anonymous_client.post(reveal_url(member), json=body, headers=headers)
    assert response.status_code == status, response.text
    assert (NUMBER in response.text) is (status == 200)


async def test_anonymous_callers_are_refused(
    anonymous_client: httpx.AsyncClient, member: dict[str, Any]
) -> None:
    body = {"fields": ["id_number"], "reason": REASON}
    response = await anonymous_client.post(reveal_url(member), json=body)
    assert response.status_code == 401
    assert NUMBER not in response.text


async def test_outside_the_scope_the_member_does_not_exist(
    anonymous_client: httpx.AsyncClient,
    login_as: Any,
    tree: dict[str, dict[str, Any]],
    member: dict[str, Any],
    connection: AsyncConnection,
) -> None:
    neighbour = await login_as("community_admin", orgs=[tree["other"]["id"]])
    body = {"fields": ["id_number", "phone"], "reason": REASON}
    outside = await anonymous_client.post(reveal_url(member), json=body, headers=neighbour)
    missing = await anonymous_client.post(reveal_url(999_999_999), json=body, headers=neighbour)
    assert (outside.status_code, missing.status_code) == (404, 404)
    assert outside.json()["code"] == missing.json()["code"] == "not-found"
    assert NUMBER not in outside.text and PHONE not in outside.text
    assert await audit_rows(connection, action="member.reveal") == []
    denied = await audit_rows(connection, outcome="denied", resource_id=str(member["id"]))
    assert [r.action for r in denied] == ["POST /api/v1/members/{member_id}/reveal"]


@pytest.mark.parametrize(
    "body",
    [
        {"fields": [], "reason": REASON},
        {"fields": ["name"], "reason": REASON},
        {"fields": ["phone", "phone"], "reason": REASON},
        {"fields": ["phone"]},
        {"fields": ["phone"], "reason": "查看一下"},
        {"fields": ["phone"], "reason": "   查看电话" + " " * 20},  # short once stripped
        {"fields": ["phone"], "reason": "理" * 501},
        {"fields": ["phone"], "reason": REASON, "member_id": 1},
    ],
)
async def test_bad_requests_reveal_nothing(
    client: httpx.AsyncClient, member: dict[str, Any], connection: AsyncConnection, body: dict
) -> None:
    response = await client.post(reveal_url(member), json=body)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "validation-error"
    assert PHONE not in response.text
    assert await audit_rows(connection, action="member.reveal") == []
