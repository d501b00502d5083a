"""Refused and failed writes are on the audit trail, although their transaction was rolled
back; and auditing a refusal never turns it into a 500."""

from __future__ import annotations

import logging
from typing import Annotated, Any

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI
from pydantic import Field
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from partygrid.api import audit_failures
from partygrid.api.deps import Uow
from partygrid.api.schemas import RequestModel
from partygrid.api.security import require
from partygrid.domain.access import Actor, Permission
from partygrid.domain.audit.events import Outcome
from partygrid.domain.errors import Forbidden, RuleViolation
from partygrid.repo.uow import UnitOfWork
from partygrid.services.audit.use_cases import verify_chain
from tests.platform.test_conventions_api import assert_problem


async def insert_org(
    connection: AsyncConnection, kind: str, name: str, parent: dict[str, Any] | None = None
) -> dict[str, Any]:
    row = (
        await connection.execute(
            text(
                "WITH n AS (SELECT nextval(pg_get_serial_sequence('organizations', 'id')) AS id) "
                "INSERT INTO organizations (id, kind, name, parent_id, path) "
                "SELECT id, :kind, :name, :parent, "
                "text2ltree(coalesce(CAST(:ppath AS text) || '.', '') || id) FROM n "
                "RETURNING id, ltree2text(path) AS path, parent_id, name"
            ),
            {
                "kind": kind,
                "name": name,
                "parent": parent and parent["id"],
                "ppath": parent and parent["path"],
            },
        )
    ).one()
    return dict(row._mapping)


async def last_user_id(connection: AsyncConnection) -> int:
    return (await connection.execute(text("SELECT max(id) FROM users"))).scalar_one()


async def events_of(connection: AsyncConnection, request_id: str) -> list[Any]:
    result = await connection.execute(
        text("SELECT * FROM audit_events WHERE request_id = :r ORDER BY id"), {"r": request_id}
    )
    return list(result)


async def org_row(connection: AsyncConnection, org_id: int) -> Any:
    result = await connection.execute(
        text("SELECT name, parent_id, ltree2text(path) AS path, version FROM organizations "
             "WHERE id = :id"), {"id": org_id},
    )  # fmt: skip
    return result.one()


@pytest.fixture
async def tree(connection: AsyncConnection) -> dict[str, dict[str, Any]]:
    street = await insert_org(connection, "street_working_committee", "金沙滩街道党工委")
    community = await insert_org(connection, "community_committee", "海军路社区党委", street)
    branch = await insert_org(connection, "grid_branch", "第一网格党支部", community)
    return {"street": street, "community": community, "branch": branch}


async def test_a_forbidden_write_by_a_grid_worker_is_denied_on_the_trail(
    client: httpx.AsyncClient, connection: AsyncConnection, login_as, tree
) -> None:
    community = tree["community"]
    before = await org_row(connection, community["id"])
    headers = await login_as("grid_worker", orgs=[community["id"]])
    worker_id = await last_user_id(connection)
    response = await client.patch(
        f"/api/v1/organizations/{community['id']}",
        json={"name": "改名社区党委"},
        headers={**headers, "X-Request-ID": "req-audit-403-0001"},
    )
    assert_problem(response, 403, "forbidden")
    [event] = await events_of(connection, "req-audit-403-0001")
    assert (event.outcome, event.principal_kind, event.principal_id, event.role) == (
        "denied", "user", worker_id, "grid_worker",
    )  # fmt: skip
    assert event.action == "PATCH /api/v1/organizations/{org_id}"
    assert (event.resource_type, event.resource_id) == ("organization", str(community["id"]))
    assert event.client_address == "127.0.0.1"
    assert event.reason.startswith("403 forbidden: ") and "org:write" in event.reason
    assert event.changes is None
    assert await org_row(connection, community["id"]) == before


async def test_a_rule_break_is_failed_on_the_trail_and_changes_nothing(
    client: httpx.AsyncClient, connection: AsyncConnection, login_as, tree
) -> None:
    street, branch = tree["street"], tree["branch"]
    before = await org_row(connection, street["id"])
    headers = await login_as("district_admin", orgs=[street["id"]])
    admin_id = await last_user_id(connection)
    # A street committee under a grid branch of its own subtree: a cycle.
    response = await client.post(
        f"/api/v1/organizations/{street['id']}/move",
        json={"parent_id": branch["id"]},
        headers={**headers, "X-Request-ID": "req-audit-422-0001"},
    )
    assert_problem(response, 422, "rule-violation")
    [event] = await events_of(connection, "req-audit-422-0001")
    assert (event.outcome, event.principal_id, event.role) == ("failed", admin_id, "district_admin")
    assert event.action == "POST /api/v1/organizations/{org_id}/move"
    assert event.resource_id == str(street["id"])
    assert event.reason.startswith("422 rule-violation: ")
    assert await org_row(connection, street["id"]) == before


async def test_invalid_input_on_a_write_is_failed_with_the_fields_not_the_values(
    client: httpx.AsyncClient, connection: AsyncConnection, login_as, tree
) -> None:
    community = tree["community"]
    headers = await login_as("district_admin", orgs=[tree["street"]["id"]])
    secret = "110101199003077777"
    response = await client.patch(
        f"/api/v1/organizations/{community['id']}",
        json={"name": "", "code": f"bad code {secret}"},
        headers={**headers, "X-Request-ID": "req-audit-val-0001"},
    )
    assert_problem(response, 422, "validation-error")
    [event] = await events_of(connection, "req-audit-val-0001")
    assert event.outcome == "failed"
    assert event.reason == "422 validation-error: invalid request: body.code, body.name"
    assert secret not in event.reason


async def test_reads_that_fail_and_calls_without_a_principal_are_not_recorded(
    client: httpx.AsyncClient, connection: AsyncConnection, login_as
) -> None:
    headers = await login_as("district_admin", orgs=[])
    await client.get(
        "/api/v1/organizations/999999", headers={**headers, "X-Request-ID": "req-r-404-01"}
    )
    await client.post(
        "/api/v1/organizations",
        json={"kind": "grid_branch", "name": "x"},
        headers={"Authorization": "", "X-Request-ID": "req-anon-0001"},
    )
    assert await events_of(connection, "req-r-404-01") == []
    assert await events_of(connection, "req-anon-0001") == []


class ProbeRename(RequestModel):
    name: str = Field(min_length=1, max_length=20)


def probe_router() -> APIRouter:
    """A write that changes a row and records its success, then breaks a rule."""
    router = APIRouter(prefix="/api/v1/probe")

    @router.patch("/organizations/{org_id}")
    async def rename_then_fail(
        org_id: int,
        body: ProbeRename,
        uow: Uow,
        actor: Annotated[Actor, Depends(require(Permission.org_write))],
    ) -> None:
        async with uow:
            await uow.session.execute(
                text("UPDATE organizations SET name = :n WHERE id = :id"),
                {"n": body.name, "id": org_id},
            )
            uow.audit.record(actor, "organization.update", "organization", org_id,
                             after={"name": body.name})  # fmt: skip
            await uow.audit.write_pending()
            raise RuleViolation("refused after writing", rule="probe")

    @router.post("/organizations/{org_id}/check")
    async def refuse_on_record(
        org_id: int, uow: Uow, actor: Annotated[Actor, Depends(require(Permission.org_write))]
    ) -> None:
        async with uow:  # as a failed login does: its own refusal event, committed
            uow.audit.record(actor, "organization.check", "organization", org_id,
                             outcome=Outcome.denied, reason="wrong code")  # fmt: skip
            await uow.commit()
            raise Forbidden("wrong code")

    @router.delete("/organizations/{org_id}")
    async def crash(
        org_id: int, actor: Annotated[Actor, Depends(require(Permission.org_write))]
    ) -> None:
        raise RuntimeError("a bug")

    return router


async def test_the_failed_writes_own_changes_and_events_are_rolled_back(
    app: FastAPI,
    client: httpx.AsyncClient,
    connection: AsyncConnection,
    login_as,
    tree,
    uow: UnitOfWork,
    keyring,
) -> None:
    app.include_router(probe_router())
    community = tree["community"]
    before = await org_row(connection, community["id"])
    headers = await login_as("street_admin", orgs=[tree["street"]["id"]])
    response = await client.patch(
        f"/api/v1/probe/organizations/{community['id']}",
        json={"name": "不该留下"},
        headers={**headers, "X-Request-ID": "req-audit-rb-0001"},
    )
    assert_problem(response, 422, "rule-violation")
    events = await events_of(connection, "req-audit-rb-0001")
    assert [(e.action, e.outcome, e.resource_type) for e in events] == [
        ("PATCH /api/v1/probe/organizations/{org_id}", "failed", "probe")
    ]
    rolled_back = await connection.execute(
        text("SELECT count(*) FROM audit_events WHERE action = 'organization.update'")
    )
    assert rolled_back.scalar_one() == 0
    assert await org_row(connection, community["id"]) == before
    report = await verify_chain(uow)  # the refusal took the id the rollback freed
    assert report.intact, report.lines()


async def test_a_refusal_the_use_case_recorded_itself_is_not_recorded_twice(
    app: FastAPI, client: httpx.AsyncClient, connection: AsyncConnection, login_as, tree
) -> None:
    app.include_router(probe_router())
    headers = await login_as("street_admin", orgs=[tree["street"]["id"]])
    for request_id in ("req-audit-own-0001", "req-audit-own-0002"):
        response = await client.post(
            f"/api/v1/probe/organizations/{tree['branch']['id']}/check",
            headers={**headers, "X-Request-ID": request_id},
        )
        assert_problem(response, 403, "forbidden")
        events = await events_of(connection, request_id)
        assert [(e.action, e.outcome) for e in events] == [("organization.check", "denied")]


async def test_a_write_that_crashes_is_failed_on_the_trail(
    app: FastAPI, client: httpx.AsyncClient, connection: AsyncConnection, login_as, tree
) -> None:
    app.include_router(probe_router())
    headers = await login_as("street_admin", orgs=[tree["street"]["id"]])
    response = await client.delete(
        f"/api/v1/probe/organizations/{tree['branch']['id']}",
        headers={**headers, "X-Request-ID": "req-audit-500-0001"},
    )
    assert_problem(response, 500, "internal-error")
    [event] = await events_of(connection, "req-audit-500-0001")
    assert (event.outcome, event.reason) == ("failed", "500 internal-error")
    assert event.action == "DELETE /api/v1/probe/organizations/{org_id}"


async def test_a_failing_audit_write_still_answers_the_refusal(
    client: httpx.AsyncClient,
    connection: AsyncConnection,
    login_as,
    tree,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    class BrokenUnitOfWork:
        def __init__(self, *args: object) -> None:
            raise ConnectionError("database gone")

    monkeypatch.setattr(audit_failures, "UnitOfWork", BrokenUnitOfWork)
    headers = await login_as("grid_worker", orgs=[tree["community"]["id"]])
    with caplog.at_level(logging.ERROR, logger="partygrid.api.audit_failures"):
        response = await client.patch(
            f"/api/v1/organizations/{tree['community']['id']}",
            json={"name": "改名"},
            headers=headers,
        )
    assert_problem(response, 403, "forbidden")
    assert "could not audit the refused PATCH" in caplog.text
