"""Auditors read the trail (filtered, keyset-paginated, newest first) and check its chain;
nobody else may, and every read by an auditor is on the trail itself."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from itertools import pairwise
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from partygrid.domain.access import Actor, Principal, PrincipalKind, Role
from partygrid.domain.audit.events import Outcome
from partygrid.repo.uow import UnitOfWork
from tests.platform.test_conventions_api import assert_problem

SHANGHAI = timezone(timedelta(hours=8))
WORKER = Actor(Principal(PrincipalKind.user, 7, "王网格", Role.grid_worker), "10.0.0.8", "r-1")
ADMIN = Actor(Principal(PrincipalKind.user, 8, "李书记", Role.street_admin), "10.0.0.9", "r-2")
PARTNER = Actor(Principal(PrincipalKind.api_client, 7, "公安接口", Role.partner_system), "::1")

# (actor, action, resource type, resource id, outcome), one commit each: ids 1..6.
SEED = [
    (WORKER, "member.update", "member", 11, Outcome.success),
    (ADMIN, "organization.move", "organization", 3, Outcome.success),
    (WORKER, "member.reveal", "member", 11, Outcome.success),
    (PARTNER, "member.update", "member", 12, Outcome.failed),
    (WORKER, "grid.update", "grid", 5, Outcome.denied),
    (ADMIN, "member.transfer", "member", 12, Outcome.success),
]


@pytest.fixture
async def seeded(uow: UnitOfWork, connection: AsyncConnection) -> list[datetime]:
    """The seed events; returns their timestamps by id (index 0 is event 1)."""
    for actor, action, rtype, rid, outcome in SEED:
        async with uow:
            uow.audit.record(
                actor, action, rtype, rid, outcome=outcome,
                before={"name": "张三", "phone": "13812345678"}, after={"name": "张三丰"},
            )  # fmt: skip
            await uow.commit()
    rows = await connection.execute(text("SELECT at FROM audit_events ORDER BY id"))
    return [row.at for row in rows]


@pytest.fixture
async def auditor(login_as) -> dict[str, str]:
    return await login_as("auditor")


async def ids(client: httpx.AsyncClient, headers: dict[str, str], **params: Any) -> list[int]:
    response = await client.get("/api/v1/audit/events", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


async def test_events_come_newest_first_with_their_hashes(
    client: httpx.AsyncClient, auditor: dict[str, str], seeded: list[datetime]
) -> None:
    response = await client.get("/api/v1/audit/events", headers=auditor)
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert [i["id"] for i in items] == [6, 5, 4, 3, 2, 1]
    first = items[-1]
    assert first["prev_hash"] == "00" * 32 and len(first["hash"]) == 64
    assert all(a["prev_hash"] == b["hash"] for a, b in pairwise(items))
    assert first["changes"] == {
        "before": {"name": "张三", "phone": "138****5678"},
        "after": {"name": "张三丰"},
    }
    assert (first["principal_name"], first["role"], first["client_address"]) == (
        "王网格", "grid_worker", "10.0.0.8",
    )  # fmt: skip
    assert datetime.fromisoformat(first["at"]) == seeded[0]


async def test_pages_follow_the_cursor_to_the_end(
    client: httpx.AsyncClient, auditor: dict[str, str], seeded: list[datetime]
) -> None:
    seen, cursor = [], None
    for _ in range(5):
        params: dict[str, Any] = {"limit": 2, "resource_type": "member"}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get("/api/v1/audit/events", params=params, headers=auditor)).json()
        seen.extend(item["id"] for item in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [6, 4, 3, 1]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"principal_kind": "user", "principal_id": 7}, [5, 3, 1]),
        ({"principal_kind": "api_client", "principal_id": 7}, [4]),
        ({"principal_name": "李书记"}, [6, 2]),
        ({"resource_type": "member", "resource_id": "12"}, [6, 4]),
        ({"action": "member.update"}, [4, 1]),
        ({"action": "member."}, [6, 4, 3, 1]),
        ({"action": "member"}, []),
        ({"action": "%."}, []),
        ({"outcome": "denied"}, [5]),
        ({"outcome": "success", "principal_name": "王网格"}, [3, 1]),
    ],
)
async def test_filters(
    client: httpx.AsyncClient,
    auditor: dict[str, str],
    seeded: list[datetime],
    params: dict[str, Any],
    expected: list[int],
) -> None:
    assert await ids(client, auditor, **params) == expected


async def test_time_window_with_any_offset(
    client: httpx.AsyncClient, auditor: dict[str, str], seeded: list[datetime]
) -> None:
    since = seeded[2].astimezone(SHANGHAI).isoformat()  # event 3, in Beijing time
    until = seeded[4].isoformat()  # event 5, in UTC
    assert await ids(client, auditor, since=since) == [6, 5, 4, 3]
    assert await ids(client, auditor, since=since, until=until) == [4, 3]


@pytest.mark.parametrize(
    ("params", "code", "field"),
    [
        ({"since": "2026-11-22T08:00:00"}, "validation-error", "query.since"),
        ({"principal_id": 7}, "invalid-value", "query.principal_kind"),
        ({"resource_id": "12"}, "invalid-value", "query.resource_type"),
        ({"since": "2026-11-22T08:00:00+08:00", "until": "2026-11-22T00:00:00Z"},
         "invalid-value", "query.until"),
        ({"outcome": "deleted"}, "validation-error", "query.outcome"),
        ({"cursor": "not-a-cursor"}, "invalid-value", "query.cursor"),
        ({"limit": 100000}, "validation-error", "query.limit"),
    ],
)  # fmt: skip
async def test_bad_queries_name_the_parameter(
    client: httpx.AsyncClient, auditor: dict[str, str], params: dict[str, Any], code: str,
    field: str,
) -> None:  # fmt: skip
    response = await client.get("/api/v1/audit/events", params=params, headers=auditor)
    body = assert_problem(response, 422, code)
    named = body.get("field") or [e["field"] for e in body["errors"]]
    assert field in named


async def test_one_event_by_id(
    client: httpx.AsyncClient, auditor: dict[str, str], seeded: list[datetime]
) -> None:
    response = await client.get("/api/v1/audit/events/2", headers=auditor)
    assert response.status_code == 200, response.text
    assert response.json()["action"] == "organization.move"
    missing = await client.get("/api/v1/audit/events/999", headers=auditor)
    assert_problem(missing, 404, "not-found")


async def test_reading_the_trail_is_itself_audited(
    client: httpx.AsyncClient,
    auditor: dict[str, str],
    seeded: list[datetime],
    connection: AsyncConnection,
) -> None:
    headers = {**auditor, "X-Request-ID": "req-auditor-0001"}
    await client.get("/api/v1/audit/events", params={"action": "member."}, headers=headers)
    await client.get("/api/v1/audit/events/3", headers=headers)
    rows = await connection.execute(
        text("SELECT action, role, resource_id, changes FROM audit_events "
             "WHERE request_id = 'req-auditor-0001' ORDER BY id")
    )  # fmt: skip
    query, read = list(rows)
    assert (query.action, query.role) == ("audit.query", "auditor")
    assert query.changes["after"] == {
        "filters": {"action": "member."}, "before_id": None, "returned": 4,
    }  # fmt: skip
    assert (read.action, read.resource_id) == ("audit.read", "3")


async def test_verify_checks_the_newest_events_and_is_audited(
    client: httpx.AsyncClient,
    auditor: dict[str, str],
    seeded: list[datetime],
    connection: AsyncConnection,
) -> None:
    whole = (await client.get("/api/v1/audit/verify", headers=auditor)).json()
    assert whole["intact"] and whole["from_genesis"]
    assert (whole["checked"], whole["first_id"], whole["last_id"]) == (6, 1, 6)
    assert whole["head"].startswith("6:") and whole["first_break"] is None
    # Event 7 is that verification; check the newest three: 5, 6, 7.
    recent = (
        await client.get("/api/v1/audit/verify", params={"events": 3}, headers=auditor)
    ).json()
    assert recent["intact"] and not recent["from_genesis"]
    assert (recent["first_id"], recent["last_id"]) == (5, 7)
    action = await connection.execute(text("SELECT action FROM audit_events WHERE id = 7"))
    assert action.scalar_one() == "audit.verify"


async def test_verify_reports_a_forged_append(
    client: httpx.AsyncClient,
    auditor: dict[str, str],
    seeded: list[datetime],
    connection: AsyncConnection,
) -> None:
    # The app role may INSERT: a forged event without the key is still caught.
    await connection.execute(
        text(
            "INSERT INTO audit_events (id, at, principal_kind, action, resource_type, outcome, "
            "changes, prev_hash, hash) SELECT 7, now(), 'user', 'member.update', 'member', "
            "'forged', '[1]', hash, sha256(hash) FROM audit_events WHERE id = 6"
        )
    )
    shown = await client.get("/api/v1/audit/events/7", headers=auditor)
    assert shown.status_code == 200, shown.text  # shown as stored, however odd
    assert (shown.json()["outcome"], shown.json()["changes"]) == ("forged", [1])
    report = (await client.get("/api/v1/audit/verify", headers=auditor)).json()
    assert not report["intact"]
    assert report["first_break"] == {
        "id": 7, "kind": "altered", "detail": "its stored fields do not give its stored hash",
    }  # fmt: skip


@pytest.mark.parametrize("role", ["district_admin", "security_admin", "system_admin"])
async def test_only_auditors_read_the_trail(
    client: httpx.AsyncClient, login_as, connection: AsyncConnection, role: str
) -> None:
    headers = {**(await login_as(role, orgs=[])), "X-Request-ID": f"req-{role}-peek"}
    for path in ("/api/v1/audit/events", "/api/v1/audit/events/1", "/api/v1/audit/verify"):
        assert_problem(await client.get(path, headers=headers), 403, "forbidden")
    rows = await connection.execute(
        text("SELECT action, outcome FROM audit_events WHERE request_id = :r ORDER BY id"),
        {"r": f"req-{role}-peek"},
    )
    assert [tuple(r) for r in rows] == [
        ("GET /api/v1/audit/events", "denied"),
        ("GET /api/v1/audit/events/{event_id}", "denied"),
        ("GET /api/v1/audit/verify", "denied"),
    ]


async def test_there_is_no_way_to_change_the_trail(
    client: httpx.AsyncClient, auditor: dict[str, str], seeded: list[datetime]
) -> None:
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        response = await client.request(method, "/api/v1/audit/events/1", headers=auditor)
        assert_problem(response, 405, "method-not-allowed")
    assert_problem(
        await client.post("/api/v1/audit/events", json={}, headers=auditor),
        405,
        "method-not-allowed",
    )


async def test_anonymous_callers_are_unauthenticated(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/audit/events", headers={"Authorization": ""})
    assert_problem(response, 401, "unauthenticated")
