"""Builders for ticket tests: a street with one grid, its workers, and tickets driven
through the API to a given state."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.api.test_grids import make_grid, square
from tests.builders import make_street_tree

LON, LAT = 120.40, 36.10
INSIDE = {"lon": LON + 0.005, "lat": LAT + 0.005}
PHONE = "13812345678"


async def make_world(client: httpx.AsyncClient, login_as) -> dict[str, Any]:
    """district → street → community → grid branch, one grid served by the branch, and a
    grid worker scoped to that grid."""
    tree = await make_street_tree(client)
    grid = await make_grid(
        client, tree["community"]["id"], square(LON, LAT), serving_branch_id=tree["branch"]["id"]
    )
    worker_headers = await login_as("grid_worker", grids=[grid["id"]])
    me = await client.get("/api/v1/auth/me", headers=worker_headers)
    assert me.status_code == 200, me.text
    return {
        "district": tree["district"]["id"], "street": tree["street"]["id"],
        "community": tree["community"]["id"], "other": tree["other"]["id"],
        "branch": tree["branch"]["id"], "grid": grid["id"], "worker": worker_headers,
        "worker_id": me.json()["id"],
    }  # fmt: skip


def ticket_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "category_code": "city_appearance",
        "channel": "grid_app",
        "title": "3号楼前垃圾乱堆",
        "description": "3号楼东侧绿化带堆放建筑垃圾，已有一周。",
        **INSIDE,
        "requester_name": "李秀英",
        "requester_phone": PHONE,
    }
    body.update(overrides)
    return body


async def submit(client: httpx.AsyncClient, headers: dict[str, str] | None = None,
                 **overrides: Any) -> dict[str, Any]:  # fmt: skip
    response = await client.post("/api/v1/tickets", json=ticket_body(**overrides),
                                 headers=headers or {})  # fmt: skip
    assert response.status_code == 201, response.text
    return response.json()


async def act(
    client: httpx.AsyncClient,
    ticket_id: int,
    action: str,
    body: dict[str, Any] | None = None,
    *,
    expect: int = 200,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    response = await client.post(
        f"/api/v1/tickets/{ticket_id}/actions/{action}", json=body, headers=headers or {}
    )
    assert response.status_code == expect, (action, response.text)
    return response.json()


# Bodies that make each action succeed in the happy path (assign is filled per world).
HAPPY_BODIES: dict[str, dict[str, Any] | None] = {
    "accept": {"note": "受理"},
    "start": None,
    "request_supplement": {"missing": "现场照片"},
    "supplement": {"note": "已补充照片"},
    "resolve": {"resolution": "已联系环卫清运"},
    "publish": {"public_result": "已清运完毕"},
    "review": {"satisfaction": "satisfied"},
    "close": None,
}


async def drive(
    client: httpx.AsyncClient, world: dict[str, Any], ticket_id: int, until: str
) -> dict[str, Any]:
    """Take a received ticket along the happy path up to and including ``until``."""
    path = ["accept", "assign", "start", "resolve", "publish", "review", "close"]
    ticket: dict[str, Any] = {}
    for action in path:
        body = (
            {"assignee_user_id": world["worker_id"]} if action == "assign" else HAPPY_BODIES[action]
        )
        ticket = await act(client, ticket_id, action, body)
        if action == until:
            break
    return ticket


async def row_and_timeline(connection: AsyncConnection, ticket_id: int) -> tuple[Any, list[Any]]:
    row = (
        await connection.execute(text("SELECT * FROM tickets WHERE id = :i"), {"i": ticket_id})
    ).one()
    events = (
        await connection.execute(
            text("SELECT * FROM ticket_events WHERE ticket_id = :i ORDER BY seq"), {"i": ticket_id}
        )
    ).all()
    return tuple(row), [tuple(e) for e in events]
