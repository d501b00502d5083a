"""Migration 0008 on a deployment that already has partner clients: they keep the reads
and ticket submission they used, and lose what a partner may no longer do."""

from __future__ import annotations

import asyncio

import asyncpg
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url

from partygrid.config import Settings
from partygrid.repo.database import async_url, with_database
from partygrid.repo.migrations import alembic_config, upgrade_to_head


def _dsn(url: str) -> str:
    return async_url(url).replace("postgresql+asyncpg://", "postgresql://", 1)


async def _run(url: str, statement: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(_dsn(url))
    try:
        return await conn.fetch(statement)
    finally:
        await conn.close()


def test_existing_clients_keep_reading_and_submitting_but_no_longer_write(
    server_url: str, database_url: str, settings: Settings
) -> None:
    scratch = f"{make_url(database_url).database}_scratch_0008"
    url = async_url(with_database(server_url, scratch))
    drop = f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'
    asyncio.run(_run(server_url, drop))
    asyncio.run(_run(server_url, f'CREATE DATABASE "{scratch}"'))
    try:
        cfg = alembic_config(settings, url)
        before = ScriptDirectory.from_config(cfg).get_revision("0008").down_revision
        command.upgrade(cfg, str(before))
        asyncio.run(_run(url, "INSERT INTO api_clients (name, key_id, secret_enc) "
                              "VALUES ('公安', 'pk-old', '\\x00')"))  # fmt: skip
        upgrade_to_head(settings, url)
        rows = asyncio.run(_run(url, "SELECT permission FROM api_client_permissions "
                                     "ORDER BY permission"))  # fmt: skip
        assert [r["permission"] for r in rows] == [
            "grid:read", "member:read", "org:read", "ticket:read", "ticket:submit"
        ]  # fmt: skip
    finally:
        asyncio.run(_run(server_url, drop))
