"""Bulk loading with PostgreSQL COPY, for the synthetic city (services/generate).

asyncpg's binary COPY is the fastest way in; its only gap here is ltree, which has no
binary encoder in asyncpg: organization paths are staged as text and cast once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import asyncpg

# Tables the generator fills, in foreign-key order, with their identity column.
LOADED_TABLES = (
    "organizations", "grids", "users", "principal_scopes", "party_members",
    "grid_staff_assignments", "member_transfers", "mobile_ledger_entries", "tickets",
    "ticket_events",
)  # fmt: skip


def raw_dsn(url: str) -> str:
    """asyncpg's DSN from the SQLAlchemy URL (the unix-socket form included)."""
    scheme, rest = url.split("://", 1)
    return "postgresql://" + rest if scheme.startswith("postgres") else url


async def connect(url: str) -> asyncpg.Connection:
    return await asyncpg.connect(raw_dsn(url))


async def max_ids(conn: asyncpg.Connection, tables: Iterable[str]) -> dict[str, int]:
    return {t: await conn.fetchval(f"SELECT coalesce(max(id), 0) FROM {t}") for t in tables}


async def count_rows(conn: asyncpg.Connection, table: str) -> int:
    return int(await conn.fetchval(f"SELECT count(*) FROM {table}"))


async def existing_usernames(conn: asyncpg.Connection, usernames: Sequence[str]) -> list[str]:
    rows = await conn.fetch("SELECT username FROM users WHERE username = any($1::text[])",
                            list(usernames))  # fmt: skip
    return [r["username"] for r in rows]


async def copy_rows(
    conn: asyncpg.Connection, table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]
) -> None:
    await conn.copy_records_to_table(table, records=rows, columns=list(columns))


async def copy_organizations(
    conn: asyncpg.Connection, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Binary COPY has no ltree encoder: stage the path as text, then cast once."""
    typed = ", ".join(f"{c} text" if c == "path" else f"{c} {_ORG_TYPES[c]}" for c in columns)
    await conn.execute(f"CREATE TEMP TABLE org_stage ({typed}) ON COMMIT DROP")
    await conn.copy_records_to_table("org_stage", records=rows, columns=list(columns))
    listed = ", ".join(columns)
    selected = ", ".join("path::ltree" if c == "path" else c for c in columns)
    await conn.execute(
        f"INSERT INTO organizations ({listed}) SELECT {selected} FROM org_stage ORDER BY id"
    )
    await conn.execute("DROP TABLE org_stage")


_ORG_TYPES = {
    "id": "bigint", "kind": "text", "name": "text", "code": "text", "parent_id": "bigint",
    "created_at": "timestamptz", "updated_at": "timestamptz",
}  # fmt: skip


async def reset_identities(conn: asyncpg.Connection, tables: Iterable[str]) -> None:
    """Rows came with explicit ids: move each identity past them."""
    for table in tables:
        await conn.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"greatest(coalesce(max(id), 0), 1), max(id) IS NOT NULL) FROM {table}"
        )


async def analyze(conn: asyncpg.Connection, tables: Iterable[str]) -> None:
    for table in tables:
        await conn.execute(f"ANALYZE {table}")


async def secondary_indexes(
    conn: asyncpg.Connection, tables: Sequence[str]
) -> list[tuple[str, str]]:
    """(name, definition) of the indexes that back no constraint: those that can be
    dropped for a load and built again afterwards, in one pass each."""
    rows = await conn.fetch(
        """
        SELECT i.relname AS name, pg_get_indexdef(x.indexrelid) AS definition
        FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_class t ON t.oid = x.indrelid
        JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE n.nspname = current_schema() AND t.relname = any($1::text[])
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
        ORDER BY t.relname, i.relname
        """,
        list(tables),
    )
    return [(r["name"], r["definition"]) for r in rows]


async def drop_indexes(conn: asyncpg.Connection, indexes: Sequence[tuple[str, str]]) -> None:
    for name, _ in indexes:
        await conn.execute(f'DROP INDEX "{name}"')


async def create_indexes(conn: asyncpg.Connection, indexes: Sequence[tuple[str, str]]) -> None:
    for _, definition in indexes:
        await conn.execute(definition)


async def foreign_keys(
    conn: asyncpg.Connection, tables: Sequence[str]
) -> list[tuple[str, str, str]]:
    """(table, name, definition) of the foreign keys declared on these tables."""
    rows = await conn.fetch(
        """
        SELECT t.relname AS table_name, c.conname AS name,
               pg_get_constraintdef(c.oid) AS definition
        FROM pg_constraint c
        JOIN pg_class t ON t.oid = c.conrelid
        JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE c.contype = 'f' AND n.nspname = current_schema() AND t.relname = any($1::text[])
        ORDER BY t.relname, c.conname
        """,
        list(tables),
    )
    return [(r["table_name"], r["name"], r["definition"]) for r in rows]


async def drop_foreign_keys(
    conn: asyncpg.Connection, keys: Sequence[tuple[str, str, str]]
) -> None:
    for table, name, _ in keys:
        await conn.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')


async def add_foreign_keys(conn: asyncpg.Connection, keys: Sequence[tuple[str, str, str]]) -> None:
    """Adding a key checks every row in one pass: nothing unchecked stays in."""
    for table, name, definition in keys:
        await conn.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
