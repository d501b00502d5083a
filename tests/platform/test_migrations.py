"""The migrations build exactly the schema the models describe, and unwind cleanly."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.environment import EnvironmentContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Integer, MetaData, Table, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from partygrid.config import Settings
from partygrid.repo import tables  # noqa: F401  (fills Base.metadata)
from partygrid.repo.base import Base, LTree, Polygon
from partygrid.repo.database import async_url, with_database
from partygrid.repo.migrations import alembic_config, head_revision, upgrade_to_head


async def autogenerate_diffs(
    connection: AsyncConnection, settings: Settings, url: str, metadata: MetaData
) -> list[Any]:
    """What ``alembic revision --autogenerate`` would emit, configured by migrations/env.py
    (so its type-comparison hook takes part), on the caller's connection."""
    cfg = alembic_config(settings, url)
    script = ScriptDirectory.from_config(cfg)
    diffs: list[Any] = []

    def compare(revision: Any, context: Any) -> list[Any]:
        diffs.extend(compare_metadata(context, metadata))
        return []  # nothing to run

    def run_env(sync_connection: Any) -> None:
        cfg.attributes["connection"] = sync_connection
        with EnvironmentContext(cfg, script, fn=compare):
            script.run_env()

    await connection.run_sync(run_env)
    return diffs


def test_there_is_one_head(settings: Settings, database_url: str) -> None:
    heads = ScriptDirectory.from_config(alembic_config(settings, database_url)).get_heads()
    assert len(heads) == 1, f"several migration heads {heads}: merge them (alembic merge)"


async def test_models_match_the_migrated_schema(
    owner_engine: AsyncEngine, settings: Settings, database_url: str
) -> None:
    async with owner_engine.connect() as conn:
        diffs = await autogenerate_diffs(conn, settings, database_url, Base.metadata)
        await conn.rollback()
    assert diffs == [], (
        "the models and the migrations disagree; write a migration for: "
        + "\n".join(map(str, diffs))
    )


async def test_custom_column_types_are_really_compared(
    owner_engine: AsyncEngine, settings: Settings, database_url: str
) -> None:
    # Without the hook in env.py, ltree/polygon columns reflect as NullType and any
    # mismatch involving them would pass unnoticed.
    probe = MetaData()
    Table(
        "zz_type_probe",
        probe,
        Column("id", Integer, primary_key=True),
        Column("same_ltree", LTree),
        Column("same_polygon", Polygon),
        Column("text_not_ltree", LTree),
        Column("ltree_not_polygon", Polygon),
        Column("polygon_not_ltree", LTree),
    )
    async with owner_engine.connect() as conn:
        await conn.execute(
            text(
                "CREATE TABLE zz_type_probe (id integer PRIMARY KEY, same_ltree ltree, "
                "same_polygon polygon, text_not_ltree text, ltree_not_polygon ltree, "
                "polygon_not_ltree polygon)"
            )
        )
        diffs = await autogenerate_diffs(conn, settings, database_url, probe)
        await conn.rollback()
    # Column changes come grouped per column: a list of (op, schema, table, column, ...).
    changes = [op for diff in diffs if isinstance(diff, list) for op in diff]
    changed = sorted(op[3] for op in changes if op[0] == "modify_type" and op[2] == "zz_type_probe")
    assert changed == ["ltree_not_polygon", "polygon_not_ltree", "text_not_ltree"]


def _dsn(url: str) -> str:
    return async_url(url).replace("postgresql+asyncpg://", "postgresql://", 1)


async def _exec(url: str, *statements: str) -> None:
    conn = await asyncpg.connect(_dsn(url))
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


async def _public_tables(url: str) -> set[str]:
    conn = await asyncpg.connect(_dsn(url))
    try:
        rows = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    finally:
        await conn.close()
    return {row["tablename"] for row in rows}


def test_downgrade_to_base_then_upgrade_again(
    server_url: str, database_url: str, settings: Settings
) -> None:
    scratch = f"{make_url(database_url).database}_scratch"
    url = async_url(with_database(server_url, scratch))
    drop = f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'
    asyncio.run(_exec(server_url, drop, f'CREATE DATABASE "{scratch}"'))
    try:
        cfg = alembic_config(settings, url)
        upgrade_to_head(settings, url)
        migrated = asyncio.run(_public_tables(url))
        assert {"organizations", "grids", "party_members"} <= migrated

        command.downgrade(cfg, "base")
        assert asyncio.run(_public_tables(url)) == {"alembic_version"}

        upgrade_to_head(settings, url)
        assert asyncio.run(_public_tables(url)) == migrated
        revision = asyncio.run(_fetch_revision(url))
        assert revision == head_revision(settings, url)
    finally:
        asyncio.run(_exec(server_url, drop))


async def _fetch_revision(url: str) -> str | None:
    conn = await asyncpg.connect(_dsn(url))
    try:
        return await conn.fetchval("SELECT version_num FROM alembic_version")
    finally:
        await conn.close()
