"""Work lists: the inbox by deadline with keyset pages, overdue and soon-due lists per
subtree, each restricted to what the caller sees."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from partygrid.config import Environment, Settings
from partygrid.main import create_app
from tests.access.test_route_permissions_api import declared_access
from tests.fixtures.access import make_grid
from tests.fixtures.builders import make_street_tree
from tests.fixtures.ticket_rows import make_category, make_ticket
from tests.platform.test_conventions_api import assert_problem

NOW = datetime.now(UTC)
DAY, HOUR = timedelta(days=1), timedelta(hours=1)


async def last_user_id(connection: AsyncConnection) -> int:
    return (await connection.execute(text("SELECT max(id) FROM users"))).scalar_one()


@pytest.fixture
async def world(
    client: httpx.AsyncClient, connection: AsyncConnection, login_as: Any
) -> dict[str, Any]:
    tree = await make_street_tree(client)
    a, b, street = tree["community"]["id"], tree["other"]["id"], tree["street"]["id"]
    g1, g2 = await make_grid(connection, a), await make_grid(connection, b)
    w1 = await login_as("grid_worker", grids=[g1])
    w1_id = await last_user_id(connection)
    await login_as("grid_worker", grids=[g2])
    w2_id = await last_user_id(connection)
    await make_category(connection)
    await make_category(
        connection, "test.slow", "慢件", deadline_overrides={"time_limited": {"soon_due_hours": 96}}
    )
    in_a = {"grid_id": g1, "community_id": a}
    in_b = {"grid_id": g2, "community_id": b}
    t = {
        "a1": await make_ticket(connection, **in_a, handling_org_id=a, assignee_user_id=w1_id,
                                deadline_at=NOW + 3 * DAY),
        "a2": await make_ticket(connection, **in_a, handling_org_id=a, assignee_user_id=w1_id,
                                deadline_at=NOW - 2 * DAY),
        "a3": await make_ticket(connection, **in_a, handling_org_id=a, assignee_user_id=w1_id),
        "a4": await make_ticket(connection, **in_a, handling_org_id=a, assignee_user_id=w1_id,
                                state="closed", deadline_at=NOW - 9 * DAY),
        "a5": await make_ticket(connection, **in_a, handling_org_id=a, assignee_user_id=w1_id,
                                state="waiting_supplement", deadline_at=NOW - DAY,
                                paused_at=NOW - 3 * DAY),
        "b1": await make_ticket(connection, **in_a, handling_org_id=a, assignee_user_id=w2_id,
                                deadline_at=NOW + 5 * HOUR),
        "b2": await make_ticket(connection, **in_b, handling_org_id=b, deadline_at=NOW - HOUR),
        # escalated to the street, still in community A's territory
        "b3": await make_ticket(connection, **in_a, handling_org_id=street, state="accepted",
                                deadline_at=NOW - 10 * DAY),
        "c1": await make_ticket(connection, **in_b, handling_org_id=b, deadline_at=NOW + 10 * DAY),
        "c2": await make_ticket(connection, **in_b, handling_org_id=b, category="test.slow",
                                deadline_at=NOW + 3 * DAY + HOUR),
    }  # fmt: skip
    return {"t": t, "a": a, "b": b, "street": street, "g1": g1, "w1": w1}


def ids(response: httpx.Response, world: dict[str, Any]) -> list[str]:
    assert response.status_code == 200, response.text
    names = {v: k for k, v in world["t"].items()}
    return [names[item["id"]] for item in response.json()["items"]]


def test_routes_declare_ticket_read() -> None:
    declared = declared_access(create_app(Settings(environment=Environment.test)))
    for path in ("inbox", "overdue", "soon-due"):
        assert declared[("GET", f"/api/v1/tickets/{path}")] == ("ticket:read",)


async def test_inbox_of_a_grid_worker_by_deadline_in_pages(
    client: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    url = "/api/v1/tickets/inbox"
    first = await client.get(url, params={"limit": 2}, headers=world["w1"])
    # a2 overdue, a5 paused (its deadline passed while waiting), a1, then a3 without a
    # deadline; a4 is closed, b1 belongs to another worker.
    assert ids(first, world) == ["a2", "a5"]
    items = {i["id"]: i for i in first.json()["items"]}
    assert items[world["t"]["a2"]]["urgency"] == "overdue"
    assert items[world["t"]["a5"]]["urgency"] == "paused"
    assert items[world["t"]["a5"]]["paused"] is True
    cursor = first.json()["next_cursor"]
    second = await client.get(url, params={"limit": 2, "cursor": cursor}, headers=world["w1"])
    assert ids(second, world) == ["a1", "a3"]
    items = {i["id"]: i for i in second.json()["items"]}
    assert items[world["t"]["a1"]]["urgency"] == "on_time"
    assert items[world["t"]["a3"]]["urgency"] is None
    last = await client.get(
        url, params={"limit": 2, "cursor": second.json()["next_cursor"]}, headers=world["w1"]
    )
    assert ids(last, world) == [] and last.json()["next_cursor"] is None
    whole = await client.get(url, headers=world["w1"])
    assert ids(whole, world) == ["a2", "a5", "a1", "a3"]
    assert whole.json()["next_cursor"] is None


async def test_inbox_of_admins_holds_what_their_organization_handles(
    client: httpx.AsyncClient, world: dict[str, Any], login_as: Any
) -> None:
    community = await login_as("community_admin", orgs=[world["a"]])
    response = await client.get("/api/v1/tickets/inbox", headers=community)
    assert ids(response, world) == ["a2", "a5", "b1", "a1", "a3"]
    soon = next(i for i in response.json()["items"] if i["id"] == world["t"]["b1"])
    assert soon["urgency"] == "soon_due"
    street = await login_as("street_admin", orgs=[world["street"]])
    assert ids(await client.get("/api/v1/tickets/inbox", headers=street), world) == ["b3"]


async def test_overdue_in_a_subtree(client: httpx.AsyncClient, world: dict[str, Any]) -> None:
    url = "/api/v1/tickets/overdue"
    # a5 was paused before its deadline: its clock is stopped.
    assert ids(await client.get(url), world) == ["b3", "a2", "b2"]
    assert ids(await client.get(url, params={"under": world["a"]}), world) == ["b3", "a2"]
    assert ids(await client.get(url, params={"under": world["b"]}), world) == ["b2"]
    paged = await client.get(url, params={"limit": 1})
    assert ids(paged, world) == ["b3"]
    rest = await client.get(url, params={"limit": 2, "cursor": paged.json()["next_cursor"]})
    assert ids(rest, world) == ["a2", "b2"]


async def test_soon_due_uses_the_category_window(
    client: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    # b1: 5 h of the default 24 h; c2: 3 days 1 h of its category's 96 h; a1 (3 days,
    # default window) and c1 are not soon due.
    response = await client.get("/api/v1/tickets/soon-due")
    assert ids(response, world) == ["b1", "c2"]
    assert {i["urgency"] for i in response.json()["items"]} == {"soon_due"}
    under_b = await client.get("/api/v1/tickets/soon-due", params={"under": world["b"]})
    assert ids(under_b, world) == ["c2"]


async def test_lists_are_scoped(
    client: httpx.AsyncClient, world: dict[str, Any], login_as: Any
) -> None:
    other = await login_as("community_admin", orgs=[world["b"]])
    assert ids(await client.get("/api/v1/tickets/overdue", headers=other), world) == ["b2"]
    outside = await client.get(
        "/api/v1/tickets/overdue", params={"under": world["a"]}, headers=other
    )
    assert_problem(outside, 404, "not-found")
    worker = await client.get("/api/v1/tickets/overdue", headers=world["w1"])
    assert ids(worker, world) == ["b3", "a2"]  # the tickets of the granted grid
    auditor = await login_as("auditor")
    assert_problem(await client.get("/api/v1/tickets/inbox", headers=auditor), 403, "forbidden")


async def test_a_forged_cursor_is_422(client: httpx.AsyncClient, world: dict[str, Any]) -> None:
    response = await client.get("/api/v1/tickets/inbox", params={"cursor": "bm90LWpzb24"})
    body = assert_problem(response, 422, "invalid-value")
    assert body["field"] == "query.cursor"
    assert (await client.get("/api/v1/tickets/inbox", params={"limit": 500})).status_code == 422
