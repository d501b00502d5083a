"""Concurrency on committed data (a scratch database): two actions racing on one ticket
over HTTP, and retries of one submission racing with one Idempotency-Key."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from partygrid.config import Settings
from partygrid.domain.access import Scope, system_actor
from partygrid.domain.grids.model import GridKind
from partygrid.domain.organizations.model import OrgKind
from partygrid.domain.tickets.aggregate import TicketChannel
from partygrid.main import bind_database, create_app
from partygrid.repo.keyring import Keyring
from partygrid.seed.demo.catalogue import ensure_demo_catalogue
from partygrid.services.accounts.tokens import issue_access_token
from partygrid.services.grids import use_cases as grids
from partygrid.services.organizations import use_cases as organizations
from partygrid.services.tickets import intake
from tests.fixtures.audit_scratch import Scratch, scratch_database, scratch_engines
from tests.grids.test_grids_api import square

LON, LAT = 116.30, 39.90


@pytest.fixture(scope="module")
def scratch_url(server_url: str, database_url: str, settings: Settings) -> Iterator[str]:
    yield from scratch_database(server_url, database_url, settings, "ticket_concurrency")


@pytest.fixture
async def scratch(scratch_url: str, settings: Settings, keyring: Keyring) -> AsyncIterator[Scratch]:
    async with scratch_engines(scratch_url, settings, keyring) as engines:
        yield engines


async def _world(scratch: Scratch) -> dict[str, Any]:
    """A district with one grid and the demo catalogue, committed (once per module)."""
    console = system_actor(Scope())
    Org = organizations.NewOrganization
    async with scratch.owner.connect() as conn:
        found = (await conn.execute(text("SELECT id, path::text FROM organizations "
                                         "WHERE code = 'CONC-D'"))).first()  # fmt: skip
    if found is None:
        district = await organizations.create_organization(
            scratch.uow(), actor=console,
            new=Org(OrgKind.district_committee, "并发区委", code="CONC-D"),
        )  # fmt: skip
        found = (district.id, district.path)
        admin = system_actor(Scope(org_paths=(district.path,)))
        street = await organizations.create_organization(
            scratch.uow(), actor=admin,
            new=Org(OrgKind.street_working_committee, "街道", district.id),
        )  # fmt: skip
        community = await organizations.create_organization(
            scratch.uow(), actor=admin,
            new=Org(OrgKind.community_committee, "社区", street.id),
        )  # fmt: skip
        await grids.create_grid(
            scratch.uow(), actor=admin,
            new=grids.NewGrid("网格", GridKind.estate, community.id, square(LON, LAT)),
        )  # fmt: skip
        await ensure_demo_catalogue(scratch.uow(), console)
    return {"district": found[0], "actor": system_actor(Scope(org_paths=(found[1],)))}


def new_ticket(title: str = "楼道堆物") -> intake.NewTicket:
    return intake.NewTicket(
        type=None, category_code="public_security", channel=TicketChannel.hotline,
        title=title, description="消防通道堵塞", lon=LON + 0.005, lat=LAT + 0.005,
    )  # fmt: skip


async def _headers(scratch: Scratch, settings: Settings, district: int) -> dict[str, str]:
    async with scratch.owner.begin() as conn:
        name = f"conc-admin-{await conn.scalar(text('SELECT count(*) FROM users'))}"
        user_id = await conn.scalar(
            text("INSERT INTO users (username, display_name, role, password_hash) "
                 "VALUES (:u, :u, 'district_admin', 'x') RETURNING id"), {"u": name},
        )  # fmt: skip
        await conn.execute(
            text("INSERT INTO principal_scopes (user_id, organization_id) VALUES (:u, :o)"),
            {"u": user_id, "o": district},
        )
        session_id = await conn.scalar(
            text("INSERT INTO auth_sessions (user_id, expires_at) "
                 "VALUES (:u, now() + interval '1 hour') RETURNING id"), {"u": user_id},
        )  # fmt: skip
    token = issue_access_token(settings, user_id=user_id, session_id=session_id,
                               role="district_admin")  # fmt: skip
    return {"Authorization": f"Bearer {token}"}


async def _lock_waiters(scratch: Scratch) -> int:
    async with scratch.owner.connect() as conn:
        return await conn.scalar(
            text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                 "AND wait_event_type = 'Lock'")
        )  # fmt: skip


async def _race(scratch: Scratch, ticket_id: int, requests: list[Any]) -> list[httpx.Response]:
    """Hold the ticket's row lock, let every request queue behind it, then release."""
    async with scratch.owner.connect() as blocker:
        transaction = await blocker.begin()
        await blocker.execute(text("SELECT 1 FROM tickets WHERE id = :i FOR UPDATE"),
                              {"i": ticket_id})  # fmt: skip
        tasks = [asyncio.create_task(r) for r in requests]
        for _ in range(200):
            if await _lock_waiters(scratch) >= len(requests):
                break
            await asyncio.sleep(0.02)
        else:
            pytest.fail("the requests never queued for the ticket's row lock")
        await transaction.rollback()
    return await asyncio.wait_for(asyncio.gather(*tasks), timeout=20)


@pytest.mark.parametrize(("if_match", "loser"), [(None, 409), ('W/"1"', 412)])
async def test_two_concurrent_actions_one_wins(
    scratch: Scratch, settings: Settings, if_match: str | None, loser: int
) -> None:
    world = await _world(scratch)
    record, _ = await intake.submit_ticket(
        scratch.uow(), actor=world["actor"], new=new_ticket(), idempotency_key=None
    )
    tid = record.ticket.id
    app = create_app(settings)
    bind_database(app, scratch.app, scratch.sessionmaker)
    app.state.migration_head = "0005"
    headers = await _headers(scratch, settings, world["district"])
    if if_match:
        headers["If-Match"] = if_match
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t", headers=headers) as c:
        url = f"/api/v1/tickets/{tid}/actions/accept"
        responses = await _race(scratch, tid, [c.post(url, json={}), c.post(url, json={})])
    codes = sorted(r.status_code for r in responses)
    assert codes == [200, loser], [r.text for r in responses]
    lost = next(r for r in responses if r.status_code == loser).json()
    if loser == 412:
        assert lost["current_version"] == 2
    else:
        assert (lost["state"], lost["action"]) == ("accepted", "accept")
    async with scratch.owner.connect() as conn:
        events = await conn.scalar(
            text("SELECT count(*) FROM ticket_events WHERE ticket_id = :i"), {"i": tid}
        )
        version = await conn.scalar(text("SELECT version FROM tickets WHERE id = :i"), {"i": tid})
    assert (events, version) == (2, 2)


async def test_concurrent_retries_with_one_key_create_one_ticket(scratch: Scratch) -> None:
    world = await _world(scratch)
    key = f"retry-storm-{id(scratch)}"
    results = await asyncio.gather(
        *(intake.submit_ticket(scratch.uow(), actor=world["actor"], new=new_ticket("同一件事"),
                                idempotency_key=key) for _ in range(6))
    )  # fmt: skip
    ids = {record.ticket.id for record, _ in results}
    assert len(ids) == 1
    assert sorted(created for _, created in results) == [False] * 5 + [True]
    async with scratch.owner.connect() as conn:
        rows = await conn.scalar(text("SELECT count(*) FROM tickets WHERE title = '同一件事'"))
        keys = await conn.scalar(
            text("SELECT count(*) FROM idempotency_keys WHERE key = :k"), {"k": key}
        )
    assert (rows, keys) == (1, 1)


async def test_merges_in_opposite_directions_do_not_deadlock(
    scratch: Scratch, settings: Settings
) -> None:
    world = await _world(scratch)
    ids = []
    for title in ("东门积水", "东门积水（重复）"):
        record, _ = await intake.submit_ticket(
            scratch.uow(), actor=world["actor"], new=new_ticket(title), idempotency_key=None
        )
        ids.append(record.ticket.id)
    first, second = ids
    app = create_app(settings)
    bind_database(app, scratch.app, scratch.sessionmaker)
    app.state.migration_head = "0005"
    headers = await _headers(scratch, settings, world["district"])
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t", headers=headers) as c:
        a_into_b = c.post(f"/api/v1/tickets/{first}/actions/merge",
                          json={"into_ticket_id": second})  # fmt: skip
        b_into_a = c.post(f"/api/v1/tickets/{second}/actions/merge",
                          json={"into_ticket_id": first})  # fmt: skip
        responses = await _race(scratch, min(ids), [a_into_b, b_into_a])
    codes = sorted(r.status_code for r in responses)
    assert codes[0] == 200 and codes[1] in (409, 422), [r.text for r in responses]
    async with scratch.owner.connect() as conn:
        states = await conn.scalars(
            text("SELECT state FROM tickets WHERE id = ANY(:ids) ORDER BY id"), {"ids": ids}
        )
        assert sorted(states.all()) == ["merged", "received"]
