"""The service's own database role can append to the audit trail and the histories, and
read them, but PostgreSQL refuses it any UPDATE, DELETE or TRUNCATE of them."""

from __future__ import annotations

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from partygrid.domain.access import Scope, system_actor
from partygrid.repo.uow import UnitOfWork

REFUSED = [
    "UPDATE audit_events SET outcome = 'success'",
    "UPDATE audit_events SET changes = NULL WHERE id = 1",
    "DELETE FROM audit_events",
    "DELETE FROM audit_events WHERE id = 1",
    "TRUNCATE audit_events",
    "UPDATE organization_history SET note = 'rewritten'",
    "DELETE FROM organization_history",
    "TRUNCATE organization_history",
    "UPDATE member_transfers SET reason = 'rewritten'",
    "DELETE FROM member_transfers",
    "TRUNCATE member_transfers",
    "INSERT INTO alembic_version VALUES ('0000')",
]


@pytest.mark.parametrize("statement", REFUSED)
async def test_the_app_role_may_not_rewrite_history(engine: AsyncEngine, statement: str) -> None:
    async with engine.connect() as conn:
        assert (await conn.execute(text("SELECT current_user"))).scalar_one() == "partygrid_app"
        with pytest.raises(DBAPIError) as caught:
            await conn.execute(text(statement))
        await conn.rollback()
    assert isinstance(caught.value.orig.__cause__, asyncpg.InsufficientPrivilegeError)
    assert "permission denied" in str(caught.value)


async def test_the_app_role_appends_and_reads(uow: UnitOfWork, connection: AsyncConnection) -> None:
    assert (await connection.execute(text("SELECT current_user"))).scalar_one() == "partygrid_app"
    async with uow:
        uow.audit.record(system_actor(Scope()), "probe.append", "probe", 1)
        await uow.commit()
    count = await connection.execute(text("SELECT count(*) FROM audit_events"))
    assert count.scalar_one() == 1
    for table in ("organization_history", "member_transfers"):
        await connection.execute(text(f"SELECT count(*) FROM {table}"))


@pytest.mark.parametrize("statement", REFUSED)
async def test_the_owner_is_the_one_who_can(owner_engine: AsyncEngine, statement: str) -> None:
    """The contrast that makes the refusals above meaningful: the schema owner runs each
    of them (in a transaction rolled back here), so it is the role, not the statement,
    that PostgreSQL refuses."""
    async with owner_engine.connect() as conn:
        assert (await conn.execute(text("SELECT current_user"))).scalar_one() != "partygrid_app"
        await conn.execute(text(statement))  # raises if refused
        await conn.rollback()


async def test_the_owner_deletes_an_event_for_real(owner_engine: AsyncEngine) -> None:
    async with owner_engine.connect() as conn:
        await conn.execute(
            text(
                "INSERT INTO audit_events (id, at, principal_kind, action, resource_type, "
                "outcome, prev_hash, hash) VALUES ((SELECT coalesce(max(id), 0) + 1 FROM "
                "audit_events), now(), 'system', 'probe.owner', 'probe', 'success', '', '')"
            )
        )
        deleted = await conn.execute(text("DELETE FROM audit_events WHERE action = 'probe.owner'"))
        assert deleted.rowcount == 1
        await conn.rollback()
