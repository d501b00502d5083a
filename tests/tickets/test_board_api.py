"""The public disclosure board (公示栏): published results of one community, for anyone,
without personal data, rate-limited per client address."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from partygrid.domain.access import Scope, system_actor
from partygrid.domain.tickets.aggregate import TicketChannel
from partygrid.domain.tickets.workflow import TicketType
from partygrid.repo.uow import UnitOfWork
from partygrid.services.tickets.intake import NewTicket, submit_ticket
from tests.fixtures.builders import make_street_tree

LON, LAT = 120.38, 36.07
PHONE, NAME = "13987654321", "赵建国"
PROBLEM = "application/problem+json"


def square(lon: float, lat: float, side: float = 0.01) -> dict[str, Any]:
    ring = [[lon, lat], [lon + side, lat], [lon + side, lat + side], [lon, lat + side], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


@pytest.fixture
async def world(
    client: httpx.AsyncClient, connection: AsyncConnection, district: dict[str, Any]
) -> dict[str, Any]:
    """Two communities with a grid each, and a category the public may read."""
    tree = await make_street_tree(client)
    grids = {}
    for key, lon in (("community", LON), ("other", LON + 0.02)):
        response = await client.post("/api/v1/grids", json={
            "name": f"{tree[key]['name']}网格", "kind": "estate",
            "community_id": tree[key]["id"], "boundary": square(lon, LAT),
        })  # fmt: skip
        assert response.status_code == 201, response.text
        grids[key] = response.json()
    await connection.execute(
        text(
            "INSERT INTO service_categories (code, name, default_type, disclosure) "
            "VALUES ('sanitation', '环境卫生', 'time_limited', 'public')"
        )
    )
    actor = system_actor(Scope(org_paths=(district["path"],)))
    return {**tree, "grids": grids, "actor": actor}


async def ticket(
    uow: UnitOfWork, world: dict[str, Any], where: str = "community", **state: Any
) -> str:
    """A ticket submitted in ``where``'s grid, then put in ``state`` (a read-model test: the
    workflow itself is tested with the ticket core)."""
    lon = LON + (0.02 if where == "other" else 0) + 0.005
    record, _ = await submit_ticket(
        uow, actor=world["actor"], idempotency_key=None,
        new=NewTicket(
            type=TicketType.time_limited, category_code="sanitation",
            channel=TicketChannel.hotline, title="垃圾清运", description=f"{NAME}反映垃圾未清运",
            requester_name=NAME, requester_phone=PHONE, lon=lon, lat=LAT + 0.005,
        ),
    )  # fmt: skip
    public_id = record.ticket.public_id
    if state:
        async with uow:
            assignments = ", ".join(f"{name} = :{name}" for name in state)
            await uow.session.execute(
                text(f"UPDATE tickets SET {assignments} WHERE public_id = :public_id"),
                {**state, "public_id": public_id},
            )
            await uow.session.commit()
    return public_id


def board_url(community_id: int) -> str:
    return f"/api/v1/public/communities/{community_id}/board"


async def test_only_published_results_of_that_community(
    anonymous_client: httpx.AsyncClient, uow: UnitOfWork, world
) -> None:
    now = datetime.now(UTC)
    published = await ticket(uow, world, state="published", public_result="已清运完毕",
                             published_at=now - timedelta(days=2), satisfaction=None)  # fmt: skip
    reviewed = await ticket(uow, world, state="reviewed", public_result="已增设垃圾桶",
                            published_at=now - timedelta(days=1),
                            satisfaction="satisfied")  # fmt: skip
    await ticket(uow, world)  # received: nothing to show yet
    await ticket(uow, world, state="resolved", resolution="内部：已处理")
    await ticket(uow, world, "other", state="published", public_result="另一社区",
                 published_at=now)  # fmt: skip

    response = await anonymous_client.get(board_url(world["community"]["id"]))
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["community_id"], body["community_name"]) == (
        world["community"]["id"], world["community"]["name"]
    )  # fmt: skip
    assert [i["public_id"] for i in body["items"]] == [reviewed, published]
    first = body["items"][0]
    assert set(first) == {"public_id", "category_name", "type", "public_result",
                          "published_at", "satisfaction", "grid_name"}  # fmt: skip
    assert first["category_name"] == "环境卫生" and first["type"] == "time_limited"
    assert first["satisfaction"] == "satisfied" and first["public_result"] == "已增设垃圾桶"
    assert first["grid_name"] == world["grids"]["community"]["name"]
    assert body["next_cursor"] is None

    other = (await anonymous_client.get(board_url(world["other"]["id"]))).json()
    assert [i["public_result"] for i in other["items"]] == ["另一社区"]


async def test_no_personal_data_and_no_handler_names(
    anonymous_client: httpx.AsyncClient, connection: AsyncConnection, uow: UnitOfWork,
    login_as, world,
) -> None:  # fmt: skip
    await login_as("grid_worker", grids=[world["grids"]["community"]["id"]])
    worker = (await connection.execute(
        text("SELECT id, username FROM users WHERE role = 'grid_worker'")
    )).one()  # fmt: skip
    await ticket(uow, world, state="published", published_at=datetime.now(UTC),
                 public_result=f"已联系{PHONE}处理完毕", assignee_user_id=worker.id,
                 assignee_department="区城管局")  # fmt: skip
    response = await anonymous_client.get(board_url(world["community"]["id"]))
    raw = response.text
    assert response.status_code == 200 and json.loads(raw)["items"]
    for secret in (PHONE, NAME, worker.username, "区城管局"):
        assert secret not in raw, secret
    assert json.loads(raw)["items"][0]["public_result"] == "已联系139****4321处理完毕"


async def test_pages_follow_the_cursor(
    anonymous_client: httpx.AsyncClient, uow: UnitOfWork, world
) -> None:
    now = datetime.now(UTC)
    made = []
    for i in range(3):
        published_at = now - timedelta(hours=i)
        made.append(await ticket(uow, world, state="closed", public_result=f"结果{i}",
                                 published_at=published_at))  # fmt: skip
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = await anonymous_client.get(board_url(world["community"]["id"]), params=params)
        assert page.status_code == 200, page.text
        seen += [i["public_id"] for i in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    assert seen == made


async def test_an_unknown_community_is_404(anonymous_client: httpx.AsyncClient, world) -> None:
    for org_id in (999_999_999, world["street"]["id"], world["branch"]["id"]):
        response = await anonymous_client.get(board_url(org_id))
        assert response.status_code == 404
        assert response.headers["content-type"] == PROBLEM
    bad = await anonymous_client.get(board_url(world["community"]["id"]), params={"cursor": "x"})
    assert bad.status_code == 422


async def test_the_rate_limit_answers_429_with_retry_after(
    app, anonymous_client: httpx.AsyncClient, settings, world
) -> None:
    app.state.settings = settings.model_copy(update={"public_rate_limit": "3/minute"})
    url = board_url(world["community"]["id"])
    for _ in range(3):
        assert (await anonymous_client.get(url)).status_code == 200
    refused = await anonymous_client.get(url)
    assert refused.status_code == 429
    assert refused.headers["content-type"] == PROBLEM
    assert refused.json()["code"] == "rate-limited"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    # Open311 reads count in a bucket of their own and refuse in the Open311 format.
    for _ in range(3):
        assert (await anonymous_client.get("/open311/v2/services.json")).status_code == 200
    open311 = await anonymous_client.get("/open311/v2/services.xml")
    assert open311.status_code == 429 and open311.headers["Retry-After"]
    error = ET.fromstring(open311.content).find("error")
    assert error is not None and error.findtext("code") == "429"
