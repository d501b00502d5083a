"""Ticket intake over HTTP on real PostgreSQL: routing, scope, idempotency, attributes,
duplicates and the requester's phone, which never leaves in clear."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from partygrid.domain.access import Scope, system_actor
from partygrid.domain.tickets.deadlines import DeadlineRule
from partygrid.domain.tickets.workflow import TicketType
from partygrid.repo.uow import UnitOfWork
from partygrid.seed.demo.catalogue import ensure_demo_catalogue
from partygrid.services.tickets.catalogue import list_categories
from tests.fixtures.partners import allow, make_partner, uow_factory
from tests.fixtures.tickets import INSIDE, LAT, LON, PHONE, make_world, submit, ticket_body
from tests.grids.test_grids_api import count, make_grid, square

pytestmark = pytest.mark.usefixtures("catalogue")
PROBLEM = "application/problem+json"


@pytest.fixture
async def world(client: httpx.AsyncClient, login_as) -> dict[str, Any]:
    return await make_world(client, login_as)


async def test_a_ticket_is_routed_to_the_grid_containing_its_point(
    client: httpx.AsyncClient, world: dict[str, Any], connection: AsyncConnection
) -> None:
    response = await client.post("/api/v1/tickets", json=ticket_body(priority=2))
    assert response.status_code == 201, response.text
    ticket = response.json()
    assert response.headers["Location"] == f"/api/v1/tickets/{ticket['id']}"
    assert response.headers["ETag"] == 'W/"1"'
    assert (ticket["grid_id"], ticket["community_id"]) == (world["grid"], world["community"])
    assert ticket["handling_org_id"] == world["branch"]  # the grid's serving branch
    assert (ticket["state"], ticket["type"], ticket["priority"]) == ("received", "time_limited", 2)
    assert ticket["public_id"].startswith("PG") and len(ticket["public_id"]) == 18
    assert ticket["requester"] == {"name": "李**", "phone": "138****5678"}
    assert ticket["allowed_actions"] == ["accept", "reject", "merge", "supervise", "comment"]
    assert ticket["possible_duplicates"] == []

    read = await client.get(f"/api/v1/tickets/{ticket['id']}")
    assert read.status_code == 200 and read.headers["ETag"] == 'W/"1"'
    assert read.json() | {"possible_duplicates": []} == ticket
    timeline = (await client.get(f"/api/v1/tickets/{ticket['id']}/timeline")).json()
    assert [(e["seq"], e["action"], e["to_state"]) for e in timeline["items"]] == [
        (1, "submit", "received")
    ]
    row = (
        await connection.execute(
            text("SELECT requester_phone_enc, requester_phone_hmac FROM tickets WHERE id = :i"),
            {"i": ticket["id"]},
        )
    ).one()
    assert row.requester_phone_enc and PHONE.encode() not in bytes(row.requester_phone_enc)
    assert len(bytes(row.requester_phone_hmac)) == 32


async def test_an_explicit_grid_needs_no_point(
    client: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    ticket = await submit(client, lon=None, lat=None, grid_id=world["grid"], address="海军路3号")
    assert (ticket["grid_id"], ticket["lon"], ticket["address"]) == (
        world["grid"], None, "海军路3号"
    )  # fmt: skip


async def test_a_grid_worker_cannot_file_outside_the_grid_in_scope(
    client: httpx.AsyncClient, world: dict[str, Any], connection: AsyncConnection
) -> None:
    other = await make_grid(client, world["other"], square(LON + 0.02, LAT))
    before = await count(connection, "tickets")
    response = await client.post(
        "/api/v1/tickets",
        json=ticket_body(lon=LON + 0.025, lat=LAT + 0.005),
        headers=world["worker"],
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["rule"] == "location-outside-scope"
    assert "outside your area" in response.json()["detail"]
    explicit = await client.post(
        "/api/v1/tickets", json=ticket_body(grid_id=other["id"]), headers=world["worker"]
    )
    assert explicit.status_code == 422 and explicit.json()["rule"] == "grid-exists"
    nowhere = await client.post("/api/v1/tickets", json=ticket_body(lon=100.0, lat=20.0))
    assert nowhere.status_code == 422 and nowhere.json()["rule"] == "no-grid-at-location"
    assert await count(connection, "tickets") == before
    # Inside its own grid the worker files fine.
    mine = await submit(client, world["worker"])
    assert mine["grid_id"] == world["grid"]


async def test_a_hotline_partner_with_a_district_scope_is_routed_among_all_grids(
    client: httpx.AsyncClient, world: dict[str, Any], sessionmaker, keyring, connection
) -> None:
    hotline = await make_partner(
        uow_factory(sessionmaker, keyring), name="12345热线", orgs=[world["district"]]
    )
    await allow(connection, hotline, "ticket:submit")
    response = await client.post(
        "/api/v1/tickets", json=ticket_body(channel="hotline"), auth=hotline.auth
    )
    assert response.status_code == 201, response.text
    assert response.json()["grid_id"] == world["grid"]


async def test_a_retry_with_the_same_key_returns_the_first_ticket(
    client: httpx.AsyncClient, world: dict[str, Any], connection: AsyncConnection
) -> None:
    headers = {"Idempotency-Key": "app-7f3a-0001"}
    first = await client.post("/api/v1/tickets", json=ticket_body(), headers=headers)
    assert first.status_code == 201, first.text
    again = await client.post("/api/v1/tickets", json=ticket_body(), headers=headers)
    assert again.status_code == 200, again.text
    assert again.json() == first.json()
    assert await count(connection, "tickets") == 1
    assert await count(connection, "ticket_events") == 1

    changed = await client.post(
        "/api/v1/tickets", json=ticket_body(title="另一件事"), headers=headers
    )
    assert changed.status_code == 422, changed.text
    assert changed.json()["code"] == "idempotency-key-reused"
    assert await count(connection, "tickets") == 1
    # Another key is another ticket; keys are per caller.
    other = await client.post(
        "/api/v1/tickets", json=ticket_body(), headers={"Idempotency-Key": "app-7f3a-0002"}
    )
    assert other.status_code == 201
    theirs = await client.post(
        "/api/v1/tickets", json=ticket_body(), headers={**world["worker"], **headers}
    )
    assert theirs.status_code == 201
    assert await count(connection, "tickets") == 3


async def test_a_refused_submission_leaves_its_key_free(
    client: httpx.AsyncClient, world: dict[str, Any], connection: AsyncConnection
) -> None:
    headers = {"Idempotency-Key": "retry-after-fix"}
    bad = await client.post(
        "/api/v1/tickets", json=ticket_body(requester_phone="12345"), headers=headers
    )
    assert bad.status_code == 422 and bad.json()["field"] == "body.requester_phone"
    assert await count(connection, "idempotency_keys") == 0
    fixed = await client.post("/api/v1/tickets", json=ticket_body(), headers=headers)
    assert fixed.status_code == 201


@pytest.mark.parametrize(
    ("attributes", "field"),
    [
        ({}, "body.attributes.facility"),  # required
        ({"facility": "bridge"}, "body.attributes.facility"),  # not an allowed value
        ({"facility": "manhole", "hazard": 1}, "body.attributes.hazard"),
        ({"facility": "manhole", "colour": "red"}, "body.attributes.colour"),  # unknown
    ],
)
async def test_attributes_are_checked_against_the_category(
    client: httpx.AsyncClient,
    world: dict[str, Any],
    connection: AsyncConnection,
    attributes: dict[str, Any],
    field: str,
) -> None:
    body = ticket_body(category_code="road_facilities", attributes=attributes)
    response = await client.post("/api/v1/tickets", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field
    assert await count(connection, "tickets") == 0


async def test_valid_attributes_are_kept_and_numbers_checked(
    client: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    ticket = await submit(
        client, category_code="road_facilities",
        attributes={"facility": "manhole", "hazard": "yes"},
    )  # fmt: skip
    assert ticket["attributes"] == {"facility": "manhole", "hazard": "yes"}
    assert ticket["type"] == "time_limited"
    dispute = await client.post(
        "/api/v1/tickets",
        json=ticket_body(category_code="disputes", attributes={"parties": "two"}),
    )
    assert dispute.status_code == 422 and dispute.json()["field"] == "body.attributes.parties"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"category_code": "no_such"}, "body.category_code"),
        ({"priority": 5}, "body.priority"),
        ({"lon": None}, "body.lat"),
        ({"lon": None, "lat": None}, "body.grid_id"),
        ({"title": "  "}, "body.title"),
        ({"attachments": [{"name": "照片"}]}, "body.attachments.0"),
        ({"channel": "fax"}, "body.channel"),
    ],
)
async def test_bad_input_is_refused_by_name_and_changes_nothing(
    client: httpx.AsyncClient,
    world: dict[str, Any],
    connection: AsyncConnection,
    overrides: dict[str, Any],
    field: str,
) -> None:
    response = await client.post("/api/v1/tickets", json=ticket_body(**overrides))
    assert response.status_code == 422, response.text
    body = response.json()
    fields = [body.get("field")] + [e["field"] for e in body.get("errors") or []]
    assert any(f and f.startswith(field) for f in fields), body
    assert await count(connection, "tickets") == 0


async def test_nearby_open_tickets_of_the_same_category_are_suggested(
    client: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    first = await submit(client)
    far = await submit(client, lon=INSIDE["lon"] + 0.004)  # ~360 m east
    other_kind = await submit(client, category_code="noise")
    near = await submit(client, lon=INSIDE["lon"] + 0.0005)  # ~45 m east
    suggested = near["possible_duplicates"]
    assert [d["id"] for d in suggested] == [first["id"]]
    assert suggested[0]["public_id"] == first["public_id"]
    assert 40 < suggested[0]["distance_m"] < 50
    assert far["id"] not in [d["id"] for d in suggested]
    assert other_kind["possible_duplicates"] == []


async def test_the_requester_phone_is_in_no_response_and_no_audit_row(
    client: httpx.AsyncClient, world: dict[str, Any], connection: AsyncConnection
) -> None:
    spaced = "138 1234 5678"
    ticket = await submit(client, requester_phone=spaced, description="联系人电话见登记")
    responses = [
        await client.get(f"/api/v1/tickets/{ticket['id']}"),
        await client.get("/api/v1/tickets"),
        await client.get(f"/api/v1/tickets/{ticket['id']}/timeline"),
        await client.post(
            f"/api/v1/tickets/{ticket['id']}/actions/comment",
            json={"note": f"已回电 {PHONE}，居民确认"},
        ),
        await client.get(f"/api/v1/tickets/{ticket['id']}/timeline"),
    ]
    for response in responses:
        assert response.status_code == 200, response.text
        assert PHONE not in response.text and spaced not in response.text
    audit = await connection.execute(text("SELECT * FROM audit_events"))
    dump = "\n".join(str(tuple(r)) for r in audit)
    assert "ticket.submit" in dump and "ticket.comment" in dump
    assert PHONE not in dump and "李秀英" not in dump
    events = await connection.execute(text("SELECT * FROM ticket_events"))
    assert PHONE not in "\n".join(str(tuple(r)) for r in events)


async def test_reading_needs_the_ticket_in_scope(
    client: httpx.AsyncClient, world: dict[str, Any], login_as
) -> None:
    ticket = await submit(client)
    stranger = await login_as("community_admin", orgs=[world["other"]])
    assert (
        await client.get(f"/api/v1/tickets/{ticket['id']}", headers=stranger)
    ).status_code == 404
    listed = await client.get("/api/v1/tickets", headers=stranger)
    assert listed.json()["items"] == []
    mine = await client.get("/api/v1/tickets", headers=world["worker"])
    assert [t["id"] for t in mine.json()["items"]] == [ticket["id"]]
    auditor = await login_as("auditor", orgs=[world["district"]])
    assert (await client.get("/api/v1/tickets", headers=auditor)).status_code == 403


async def test_list_filters_and_cursor(client: httpx.AsyncClient, world: dict[str, Any]) -> None:
    made = [await submit(client, category_code=c) for c in ("noise", "sanitation", "noise")]
    await client.post(f"/api/v1/tickets/{made[0]['id']}/actions/accept", json={})
    noise = await client.get("/api/v1/tickets", params={"category": "noise"})
    assert [t["id"] for t in noise.json()["items"]] == [made[0]["id"], made[2]["id"]]
    received = await client.get("/api/v1/tickets", params={"state": "received"})
    assert [t["id"] for t in received.json()["items"]] == [made[1]["id"], made[2]["id"]]
    under = await client.get("/api/v1/tickets", params={"under": world["other"]})
    assert under.json()["items"] == []
    assert (await client.get("/api/v1/tickets", params={"overdue": True})).json()["items"] == []
    page = await client.get("/api/v1/tickets", params={"limit": 2})
    assert len(page.json()["items"]) == 2 and page.json()["next_cursor"]
    rest = await client.get("/api/v1/tickets", params={"cursor": page.json()["next_cursor"]})
    assert [t["id"] for t in rest.json()["items"]] == [made[2]["id"]]


async def test_the_catalogue_is_readable_and_managed_by_district_admins(
    client: httpx.AsyncClient, world: dict[str, Any], login_as
) -> None:
    listed = await client.get("/api/v1/service-categories", headers=world["worker"])
    assert listed.status_code == 200
    names = {c["code"]: c["name"] for c in listed.json()["items"]}
    assert names["city_appearance"] == "市容环境" and names["noise"] == "噪音扰民"
    body = {"code": "pets", "name": "宠物管理", "default_type": "time_limited",
            "deadline_overrides": {"time_limited": {"working_days": 4}},
            "attributes": [{"code": "animal", "datatype": "singlevaluelist",
                            "values": ["dog", "cat"], "required": True}]}  # fmt: skip
    street_admin = await login_as("street_admin", orgs=[world["street"]])
    denied = await client.post("/api/v1/service-categories", json=body, headers=street_admin)
    assert denied.status_code == 403
    created = await client.post("/api/v1/service-categories", json=body)
    assert created.status_code == 201, created.text
    again = await client.post("/api/v1/service-categories", json=body)
    assert again.status_code == 409
    bad = await client.post(
        "/api/v1/service-categories",
        json={**body, "code": "pets2", "deadline_overrides": {"weekly": {"working_days": 1}}},
    )
    assert bad.status_code == 422 and bad.json()["field"] == "body.deadline_overrides.weekly"
    stale = await client.patch(
        "/api/v1/service-categories/pets", json={"name": "犬只管理"}, headers={"If-Match": 'W/"9"'}
    )
    assert stale.status_code == 412
    edited = await client.patch(
        "/api/v1/service-categories/pets", json={"active": False}, headers={"If-Match": 'W/"1"'}
    )
    assert edited.status_code == 200 and edited.json()["version"] == 2
    refused = await client.post(
        "/api/v1/tickets", json=ticket_body(category_code="pets", attributes={"animal": "dog"})
    )
    assert refused.status_code == 422 and refused.json()["field"] == "body.category_code"


async def test_the_demo_catalogue_is_loaded_once(uow: UnitOfWork, catalogue: list[str]) -> None:
    assert await ensure_demo_catalogue(uow, system_actor(Scope())) == []
    loaded = await list_categories(uow)
    assert {c.code for c in loaded} >= set(catalogue) and len(catalogue) == 8
    roads = next(c for c in loaded if c.code == "road_facilities")
    assert roads.rule(DeadlineRule(), TicketType.urgent).urgent_hours == 4
    assert roads.rule(DeadlineRule(), TicketType.suggestion) == DeadlineRule()
