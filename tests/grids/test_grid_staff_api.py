"""Grid staff (1+1+N+X) through the HTTP API: one current leader, history, masked phones."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from partygrid.domain.errors import Conflict
from partygrid.domain.grids.model import StaffAssignment, StaffRole
from partygrid.repo.sealing import STAFF_PHONE
from partygrid.repo.uow import UnitOfWork
from partygrid.services.grids.use_cases import business_today
from tests.fixtures.builders import make_street_tree
from tests.fixtures.sealed import KEYRING, sealed_id_number
from tests.grids.test_grids_api import count, make_grid


@pytest.fixture
async def tree(client: httpx.AsyncClient) -> dict[str, dict[str, Any]]:
    return await make_street_tree(client)


async def test_second_leader_refused_then_end_and_reassign(
    client: httpx.AsyncClient, tree: dict, connection: AsyncConnection
) -> None:
    grid = await make_grid(client, tree["community"]["id"])
    staff = f"/api/v1/grids/{grid['id']}/staff"
    first = await client.post(
        staff, json={"role": "grid_leader", "person_name": "王丽", "started_on": "2026-01-05"}
    )
    assert first.status_code == 201, first.text
    a = first.json()
    assert (a["current"], a["ended_on"], a["started_on"]) == (True, None, "2026-01-05")

    second = await client.post(staff, json={"role": "grid_leader", "person_name": "李强"})
    assert second.status_code == 409
    assert second.json()["current_assignment_id"] == a["id"]
    current = (await client.get(staff)).json()["items"]
    assert [(s["id"], s["current"]) for s in current] == [(a["id"], True)]
    assert await count(connection, "grid_staff_assignments") == 1

    ended = await client.post(f"{staff}/{a['id']}/end", json={"reason": "调任"})
    assert ended.status_code == 200, ended.text
    assert ended.json()["ended_on"] == business_today().isoformat()
    assert (ended.json()["current"], ended.json()["end_reason"]) == (False, "调任")
    again = await client.post(f"{staff}/{a['id']}/end")
    assert again.status_code == 422
    assert again.json()["rule"] == "assignment-ended"

    b = await client.post(staff, json={"role": "grid_leader", "person_name": "李强"})
    assert b.status_code == 201, b.text
    current = (await client.get(staff)).json()["items"]
    assert [s["person_name"] for s in current] == ["李强"]
    history = (await client.get(staff, params={"include_ended": "true"})).json()["items"]
    assert [(s["person_name"], s["current"]) for s in history] == [("王丽", False), ("李强", True)]


async def test_professional_worker_needs_department(
    client: httpx.AsyncClient, tree: dict, connection: AsyncConnection
) -> None:
    grid = await make_grid(client, tree["community"]["id"])
    staff = f"/api/v1/grids/{grid['id']}/staff"
    response = await client.post(staff, json={"role": "professional_worker", "person_name": "赵敏"})
    assert response.status_code == 422
    assert response.json()["rule"] == "professional-worker-department"
    assert await count(connection, "grid_staff_assignments") == 0
    ok = await client.post(
        staff,
        json={"role": "professional_worker", "person_name": "赵敏", "department": "市场监管所"},
    )
    assert ok.status_code == 201
    assert ok.json()["department"] == "市场监管所"


async def test_phones_are_stored_normalised_and_always_masked(
    client: httpx.AsyncClient, tree: dict, connection: AsyncConnection
) -> None:
    grid = await make_grid(client, tree["community"]["id"])
    staff = f"/api/v1/grids/{grid['id']}/staff"
    created = await client.post(
        staff,
        json={"role": "full_time_worker", "person_name": "孙婷", "phone": "+86 138-1234-5678"},
    )
    assert created.status_code == 201, created.text
    assert created.json()["phone"] == "138****5678"
    landline = await client.post(
        staff,
        json={"role": "info_collector", "person_name": "环卫 老周", "phone": "0532-8888 6678"},
    )
    assert landline.json()["phone"] == "0532****678"
    listed = await client.get(staff)
    assert [s["phone"] for s in listed.json()["items"]] == ["138****5678", "0532****678"]
    assert "12345678" not in listed.text and "88886678" not in listed.text
    rows = await connection.execute(
        text("SELECT phone_enc FROM grid_staff_assignments ORDER BY id")
    )
    stored = [KEYRING.decrypt(blob, STAFF_PHONE) for blob in rows.scalars()]
    assert stored == ["13812345678", "053288886678"]

    bad = await client.post(
        staff, json={"role": "info_collector", "person_name": "某", "phone": "12345"}
    )
    assert bad.status_code == 422
    assert bad.json()["field"] == "body.phone"
    assert await count(connection, "grid_staff_assignments") == 2


async def test_member_link_must_exist(
    client: httpx.AsyncClient, tree: dict, connection: AsyncConnection
) -> None:
    grid = await make_grid(client, tree["community"]["id"])
    staff = f"/api/v1/grids/{grid['id']}/staff"
    missing = await client.post(
        staff, json={"role": "part_time_worker", "person_name": "骑手", "member_id": 999999}
    )
    assert missing.status_code == 422
    assert missing.json()["rule"] == "member-exists"
    member_id = (
        await connection.execute(
            text(
                "INSERT INTO party_members (name, id_number_enc, id_number_hmac, birth_date,"
                " category, organization_id) VALUES ('骑手', :id_number_enc, :id_number_hmac,"
                " '1949-12-31', 'mobile', :org) RETURNING id"
            ),
            # In the caller's scope: a member outside it would not exist for the caller.
            {**sealed_id_number("11010519491231002X"), "org": tree["branch"]["id"]},
        )
    ).scalar_one()
    linked = await client.post(
        staff,
        json={
            "role": "part_time_worker",
            "person_name": "骑手",
            "member_id": member_id,
            "affiliation": "骑先锋",
        },
    )
    assert linked.status_code == 201
    assert linked.json()["member_id"] == member_id


async def test_the_database_keeps_one_current_leader_even_past_the_service(
    client: httpx.AsyncClient, tree: dict, uow: UnitOfWork
) -> None:
    grid = await make_grid(client, tree["community"]["id"])
    leader = StaffAssignment(
        id=0,
        grid_id=grid["id"],
        role=StaffRole.grid_leader,
        person_name="王丽",
        started_on=date(2026, 1, 5),
    )
    async with uow:
        await uow.grids.add_assignment(leader)
        await uow.commit()
    async with uow:
        with pytest.raises(Conflict) as info:
            await uow.grids.add_assignment(replace(leader, person_name="李强"))
    assert info.value.extra["constraint"] == "uq_grid_staff_assignments_one_leader"
    staff = (await client.get(f"/api/v1/grids/{grid['id']}/staff")).json()["items"]
    assert [s["person_name"] for s in staff] == ["王丽"]
