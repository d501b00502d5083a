"""A scratch database for audit tests that need committed rows: the shared test database
rolls every test back, and the app role cannot clean up its own audit rows by design."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool

from partygrid.config import Settings
from partygrid.crypto import Keyring
from partygrid.domain.access import Actor, Principal, PrincipalKind, Role
from partygrid.repo.database import app_role_url, async_url, create_sessionmaker, with_database
from partygrid.repo.migrations import upgrade_to_head
from partygrid.repo.uow import UnitOfWork

WORKER = Actor(Principal(PrincipalKind.user, 7, "王网格", Role.grid_worker), "10.0.0.8", None)
PARTNER = Actor(Principal(PrincipalKind.api_client, 3, "公安接口", Role.partner_system), "::1")


def dsn(url: str) -> str:
    return async_url(url).replace("postgresql+asyncpg://", "postgresql://", 1)


async def execute(url: str, *statements: str) -> None:
    conn = await asyncpg.connect(dsn(url))
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


def scratch_database(
    server_url: str, database_url: str, settings: Settings, suffix: str
) -> Iterator[str]:
    """Create and migrate ``<test database>_<suffix>``; drop it afterwards. Yields the
    owner's URL. Synchronous: migrations run their own event loop."""
    name = f"{make_url(database_url).database}_{suffix}"
    url = async_url(with_database(server_url, name))
    drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
    asyncio.run(execute(server_url, drop, f'CREATE DATABASE "{name}"'))
    try:
        upgrade_to_head(settings, url)
        yield url
    finally:
        asyncio.run(execute(server_url, drop))


@dataclass
class Scratch:
    url: str
    owner: AsyncEngine  # the schema owner: plays the intruder with database access
    app: AsyncEngine  # the service's role
    sessionmaker: async_sessionmaker[Any]  # on the app role, committing for real
    keyring: Keyring

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.sessionmaker, self.keyring)


@asynccontextmanager
async def scratch_engines(url: str, settings: Settings, keyring: Keyring) -> AsyncIterator[Scratch]:
    """Engines on the scratch database, its audit trail emptied first (as the owner)."""
    await execute(url, "TRUNCATE audit_events")
    owner = create_async_engine(url, poolclass=NullPool)
    app = create_async_engine(app_role_url(url, settings), pool_size=8, max_overflow=0)
    try:
        yield Scratch(url, owner, app, create_sessionmaker(app), keyring)
    finally:
        await app.dispose()
        await owner.dispose()


async def write_events(
    scratch: Scratch, actor: Actor, commits: int, *, per_commit: int = 1, tag: str = ""
) -> None:
    """``commits`` units of work of ``per_commit`` events each, snapshots with Chinese text."""
    for n in range(commits):
        async with scratch.uow() as uow:
            for k in range(per_commit):
                uow.audit.record(
                    actor, "member.update", "member", n * 100 + k,
                    before={"name": "张三", "grid_id": n, "phone": "13812345678"},
                    after={"name": f"张三{tag}{n}", "note": "迁入", "ok": True, "score": 9.5},
                )  # fmt: skip
            await uow.commit()
