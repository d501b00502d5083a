"""Migration 0003 seals the Foundation's clear-text personal data without loss, leaves no
clear value in the tables' contents, statistics or data pages, and unwinds exactly."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Iterator
from datetime import date
from typing import Any

import asyncpg
import pytest
from alembic import command
from pydantic import SecretStr
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from partygrid.config import Environment, Settings
from partygrid.repo.database import async_url, with_database
from partygrid.repo.keyring import Keyring
from partygrid.repo.members.repository import SqlMemberRepository
from partygrid.repo.migrations import alembic_config
from tests.platform.test_identity import make_id

FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９ｘ")
BULK = 11_000  # more than two batches of the migration (5,000 rows each)

ZHANG = make_id("110105", "19491231", "002")  # ends in X
AHMAT = make_id("650102", "19850704", "031")
CHEN = make_id("370211", "19720315", "248")
PEOPLE = [
    # (id, name, id_number, phone, address)
    (1, "张丽华", ZHANG, "13812345678", "北京市朝阳区建国路88号院3号楼2单元"),
    (2, "阿卜杜热合曼·买买提", AHMAT, None, "新疆维吾尔自治区乌鲁木齐市天山区 解放南路１２号"),
    (3, "陈建国", CHEN, "053288886678", None),
]
STAFF = [(1, "grid_leader", "王丽", "13912345678"), (2, "info_collector", "环卫 老周", None)]
LEDGER = [
    (1, 1, "15012345678", date(2026, 1, 5), date(2026, 9, 1)),
    (2, 1, "18612345678", date(2026, 9, 1), None),
]
SECRETS = [ZHANG, AHMAT, CHEN, "13812345678", "053288886678", "13912345678", "15012345678",
           "18612345678", "建国路88号院", "解放南路"]  # fmt: skip
MIGRATION_KEY = "mig1:" + base64.b64encode(b"m" * 32).decode()


def _dsn(url: str) -> str:
    return async_url(url).replace("postgresql+asyncpg://", "postgresql://", 1)


async def _run(url: str, work: Any) -> Any:
    conn = await asyncpg.connect(_dsn(url))
    try:
        return await work(conn)
    finally:
        await conn.close()


async def _seed(conn: asyncpg.Connection) -> None:
    await conn.execute(
        "INSERT INTO organizations (id, kind, name, path) VALUES "
        "(1, 'street_working_committee', '金沙滩街道党工委', '1'), "
        "(2, 'community_committee', '海军路社区党委', '1.2'), "
        "(3, 'grid_branch', '第一网格党支部', '1.2.3')"
    )
    await conn.execute("UPDATE organizations SET parent_id = 1 WHERE id = 2")
    await conn.execute("UPDATE organizations SET parent_id = 2 WHERE id = 3")
    await conn.execute(
        "INSERT INTO grids (id, name, kind, community_id, boundary, boundary_geojson, area_m2,"
        " centroid_lon, centroid_lat) VALUES (1, '海军路一网格', 'courtyard', 2,"
        " polygon '((0,0),(0,1),(1,1),(1,0))', '{}'::jsonb, 1, 0.5, 0.5)"
    )
    await conn.executemany(
        "INSERT INTO party_members (id, name, id_number, birth_date, phone, address, category,"
        " organization_id, grid_id) VALUES ($1, $2, $3, '1970-01-01', $4, $5, 'resident', 3, 1)",
        PEOPLE,
    )
    # Bulk rows cross batch boundaries; ids leave gaps, as deletions in real data would.
    await conn.execute(
        "INSERT INTO party_members (id, name, id_number, birth_date, phone, category,"
        " organization_id) SELECT 10 + 3 * g, '党员' || g, lpad(g::text, 17, '0') || 'X',"
        " '1980-01-01', CASE WHEN g % 2 = 0 THEN '139' || lpad(g::text, 8, '0') END,"
        " 'retired', 3 FROM generate_series(1, $1) g",
        BULK,
    )
    await conn.executemany(
        "INSERT INTO grid_staff_assignments (id, grid_id, role, person_name, phone, started_on)"
        " VALUES ($1, 1, $2, $3, $4, '2026-01-05')",
        STAFF,
    )
    await conn.executemany(
        "INSERT INTO mobile_ledger_entries (id, member_id, direction, destination_place,"
        " contact_phone, since, ended_on) VALUES ($1, $2, 'outflow', '广东省深圳市', $3,"
        " $4, $5)",
        LEDGER,
    )
    await conn.execute("ANALYZE")  # statistics now sample the clear values


async def _clear_values(conn: asyncpg.Connection) -> dict[str, dict[int, tuple]]:
    queries = {
        "party_members": "SELECT id, id_number, phone, address FROM party_members",
        "grid_staff_assignments": "SELECT id, phone FROM grid_staff_assignments",
        "mobile_ledger_entries": "SELECT id, contact_phone FROM mobile_ledger_entries",
    }
    return {
        table: {row[0]: tuple(row[1:]) for row in await conn.fetch(query)}
        for table, query in queries.items()
    }


async def _sealed_values(conn: asyncpg.Connection) -> dict[str, dict[int, tuple]]:
    queries = {
        "party_members": "SELECT id, id_number_enc, phone_enc, address_enc FROM party_members",
        "grid_staff_assignments": "SELECT id, phone_enc FROM grid_staff_assignments",
        "mobile_ledger_entries": "SELECT id, contact_phone_enc FROM mobile_ledger_entries",
    }
    return {
        table: {row[0]: tuple(row[1:]) for row in await conn.fetch(query)}
        for table, query in queries.items()
    }


async def _columns(conn: asyncpg.Connection, table: str) -> set[str]:
    rows = await conn.fetch(
        "SELECT column_name FROM information_schema.columns WHERE table_name = $1", table
    )
    return {r[0] for r in rows}


async def _dumped_text(conn: asyncpg.Connection) -> str:
    """What a pg_dump of the data would print, plus the planner's statistics."""
    parts = []
    for table in ("party_members", "grid_staff_assignments", "mobile_ledger_entries"):
        parts += [r[0] for r in await conn.fetch(f"SELECT t::text FROM {table} t")]
    await conn.execute("ANALYZE")
    stats = await conn.fetch(
        "SELECT s::text FROM pg_stats s WHERE schemaname = 'public' AND tablename = ANY($1)",
        ["party_members", "grid_staff_assignments", "mobile_ledger_entries"],
    )
    return "\n".join(parts + [r[0] for r in stats])


async def _raw_pages(conn: asyncpg.Connection) -> bytes | None:
    """Every data page of the three tables, bytes as stored (None without pageinspect)."""
    try:
        await conn.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
    except asyncpg.PostgresError:
        return None
    pages = []
    for table in ("party_members", "grid_staff_assignments", "mobile_ledger_entries"):
        blocks = await conn.fetchval(
            "SELECT pg_relation_size($1::regclass) / current_setting('block_size')::int", table
        )
        for block in range(blocks):
            pages.append(await conn.fetchval("SELECT get_raw_page($1, $2)", table, block))
    return b"".join(pages)


def _expected_clear() -> dict[str, dict[int, tuple]]:
    members = {pid: (number, phone, address) for pid, _, number, phone, address in PEOPLE}
    for g in range(1, BULK + 1):
        members[10 + 3 * g] = (f"{g:017d}X", f"139{g:08d}" if g % 2 == 0 else None, None)
    return {
        "party_members": members,
        "grid_staff_assignments": {sid: (phone,) for sid, _, _, phone in STAFF},
        "mobile_ledger_entries": {lid: (phone,) for lid, _, phone, _, _ in LEDGER},
    }


CONTEXTS = {
    "party_members": ("party_members.id_number", "party_members.phone", "party_members.address"),
    "grid_staff_assignments": ("grid_staff_assignments.phone",),
    "mobile_ledger_entries": ("mobile_ledger_entries.contact_phone",),
}


def _opened(keyring: Keyring, sealed: dict[str, dict[int, tuple]]) -> dict[str, dict[int, tuple]]:
    return {
        table: {
            row_id: tuple(
                None if blob is None else keyring.decrypt(blob, context)
                for blob, context in zip(blobs, CONTEXTS[table], strict=True)
            )
            for row_id, blobs in rows.items()
        }
        for table, rows in sealed.items()
    }


async def _index_finds(url: str, keyring: Keyring, number: str) -> bool:
    engine = create_async_engine(url)
    try:
        async with async_sessionmaker(engine)() as session:
            return await SqlMemberRepository(session, keyring).exists_id_number(number)
    finally:
        await engine.dispose()


@pytest.fixture
def scratch_url(server_url: str, database_url: str) -> Iterator[str]:
    scratch = f"{make_url(database_url).database}_enc"
    drop = f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'

    async def recreate(conn: asyncpg.Connection) -> None:
        await conn.execute(drop)
        await conn.execute(f'CREATE DATABASE "{scratch}"')

    asyncio.run(_run(server_url, recreate))
    try:
        yield async_url(with_database(server_url, scratch))
    finally:
        asyncio.run(_run(server_url, lambda conn: conn.execute(drop)))


def test_personal_data_is_sealed_without_loss_and_unsealed_on_downgrade(
    scratch_url: str,
) -> None:
    settings = Settings(
        environment=Environment.test, database_url=None, data_keys=SecretStr(MIGRATION_KEY)
    )
    keyring = Keyring.from_settings(settings)
    cfg = alembic_config(settings, scratch_url)
    command.upgrade(cfg, "0002")
    asyncio.run(_run(scratch_url, _seed))
    before = asyncio.run(_run(scratch_url, _clear_values))
    assert before == _expected_clear()

    command.upgrade(cfg, "head")

    for table, clear in (("party_members", {"id_number", "phone", "address"}),
                         ("grid_staff_assignments", {"phone"}),
                         ("mobile_ledger_entries", {"contact_phone"})):  # fmt: skip
        assert not clear & asyncio.run(_run(scratch_url, lambda c, t=table: _columns(c, t)))
    sealed = asyncio.run(_run(scratch_url, _sealed_values))
    assert _opened(keyring, sealed) == before
    blobs = [b for rows in sealed.values() for row in rows.values() for b in row if b is not None]
    assert {Keyring.key_id_of(b) for b in blobs} == {"mig1"}  # the settings' key, handed in

    # The keyed index finds members, in any spelling the service accepts.
    for spelling in (ZHANG, ZHANG.lower(), ZHANG.translate(FULL_WIDTH), f"{BULK:017d}X"):
        assert asyncio.run(_index_finds(scratch_url, keyring, spelling)), spelling
    assert not asyncio.run(_index_finds(scratch_url, keyring, make_id(seq="999")))

    dumped = asyncio.run(_run(scratch_url, _dumped_text))
    leaked = [s for s in SECRETS if s in dumped]
    assert leaked == []
    assert "00000000000000042X" not in dumped and "13900000042" not in dumped
    pages = asyncio.run(_run(scratch_url, _raw_pages))
    if pages is not None:  # the dropped columns were squeezed out of the data files too
        leaked = [s for s in SECRETS if s.encode() in pages]
        assert leaked == []

    command.downgrade(cfg, "0002")
    assert asyncio.run(_run(scratch_url, _clear_values)) == before
    members = asyncio.run(_run(scratch_url, lambda c: _columns(c, "party_members")))
    assert not {"id_number_enc", "id_number_hmac", "phone_enc", "address_enc"} & members
