"""A department's grid officer (专业网格员, ``department_worker``) handles the matters of
their field in their grids: they read the tree, the grids and the tickets, and work the
tickets, but the party member register (political status, ID numbers) is not their
field, and they change nothing else."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.fixtures.tickets import make_world, submit

pytestmark = pytest.mark.usefixtures("catalogue")


@pytest.fixture
async def world(client: httpx.AsyncClient, login_as) -> dict[str, Any]:
    world = await make_world(client, login_as)
    member = await client.post("/api/v1/members", json={
        "name": "孙立新", "id_number": "11010519491231002X", "category": "retired",
        "organization_id": world["branch"],
    })  # fmt: skip
    assert member.status_code == 201, member.text
    officer = await login_as("department_worker", grids=[world["grid"]])
    return {**world, "member": member.json()["id"], "officer": officer}


async def test_the_officer_works_tickets_in_their_grid(
    client: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    officer = world["officer"]
    ticket = await submit(client)
    assert (await client.get(f"/api/v1/tickets/{ticket['id']}", headers=officer)).status_code == 200
    accepted = await client.post(
        f"/api/v1/tickets/{ticket['id']}/actions/accept", json={}, headers=officer
    )
    assert accepted.status_code == 200, accepted.text
    assert (await client.get(f"/api/v1/grids/{world['grid']}", headers=officer)).status_code == 200


async def test_the_officer_does_not_read_the_member_register(
    client: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    officer = world["officer"]
    for url in (
        "/api/v1/members",
        f"/api/v1/members/{world['member']}",
        f"/api/v1/members/{world['member']}/transfers",
        f"/api/v1/members/{world['member']}/mobile-ledger",
    ):
        response = await client.get(url, headers=officer)
        assert response.status_code == 403, (url, response.text)
        assert "member:read" in response.json()["detail"]


async def test_the_officer_changes_neither_grids_nor_the_tree(
    client: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    officer = world["officer"]
    grid = await client.patch(f"/api/v1/grids/{world['grid']}", json={"name": "改名"},
                              headers=officer)  # fmt: skip
    assert grid.status_code == 403 and "grid:write" in grid.json()["detail"]
    org = await client.patch(f"/api/v1/organizations/{world['branch']}",
                             json={"description": "说明"}, headers=officer)  # fmt: skip
    assert org.status_code == 403 and "org:write" in org.json()["detail"]
