"""Key rotation: every sealed value moves to the current data key, values unchanged, in
batches, idempotently; the old key can then go. ``--reindex`` follows an index key change."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, async_sessionmaker
from typer.testing import CliRunner

from partygrid.cli import app as cli
from partygrid.config import Environment, Settings, get_settings
from partygrid.domain.access import Scope, system_actor
from partygrid.repo.database import async_url, with_database
from partygrid.repo.keyring import Keyring
from partygrid.repo.migrations import upgrade_to_head
from partygrid.repo.sealing import (
    ID_NUMBER,
    MEMBER_PHONE,
    SEALED_COLUMNS,
    SealedColumn,
    id_number_index,
)
from partygrid.repo.uow import UnitOfWork
from partygrid.services.keys.use_cases import rotate_keys
from tests.fixtures.builders import make_street_tree
from tests.platform.test_identity import make_id

URL = "/api/v1/members"
NEW_KEY = base64.b64encode(b"k2-new-data-key-32-bytes-long!!!").decode()
LOST_KEY = base64.b64encode(b"k0-a-key-nobody-has-any-more!!!!").decode()
ACTOR = system_actor(Scope(), "test rotate-keys")


def with_new_key(keyring: Keyring, kid: str = "k2", key: str = NEW_KEY) -> Keyring:
    """The same keyring with a new current data key; the old keys still decrypt."""
    keys = {kid: base64.b64decode(key), **keyring.data_keys}
    return replace(keyring, data_keys=keys, current_kid=kid)


def only(keyring: Keyring, kid: str) -> Keyring:
    return replace(keyring, data_keys={kid: keyring.data_keys[kid]}, current_kid=kid)


async def all_blobs(connection: AsyncConnection) -> dict[tuple[str, int], bytes]:
    """Every sealed value in the database, by (column, row id)."""
    blobs = {}
    for sealed in SEALED_COLUMNS:
        rows = await connection.execute(
            text(f"SELECT id, {sealed.column} FROM {sealed.table} "
                 f"WHERE {sealed.column} IS NOT NULL")
        )  # fmt: skip
        blobs.update({(sealed.name, row[0]): bytes(row[1]) for row in rows})
    return blobs


def opened(keyring: Keyring, blobs: dict[tuple[str, int], bytes]) -> dict[tuple[str, int], str]:
    contexts = {sealed.name: sealed.context for sealed in SEALED_COLUMNS}
    return {key: keyring.decrypt(blob, contexts[key[0]]) for key, blob in blobs.items()}


@pytest.fixture
async def people(
    client: httpx.AsyncClient, connection: AsyncConnection, keyring: Keyring
) -> list[int]:
    """Three members (one mobile), a staff phone and a partner's secret, sealed by the
    service's current key."""
    tree = await make_street_tree(client)
    ids = []
    for seq, extra in (
        ("011", {"phone": "13812345678", "address": "青岛市黄岛区金沙滩路1号"}),
        ("022", {}),
        ("033", {"category": "mobile", "mobile_ledger": {
            "direction": "outflow", "since": "2026-03-01", "destination_place": "深圳",
            "contact_phone": "13912345678"}}),
    ):  # fmt: skip
        body = {"name": "党员", "id_number": make_id(seq=seq), "category": "resident",
                "organization_id": tree["branch"]["id"], **extra}  # fmt: skip
        response = await client.post(URL, json=body)
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    grid = await connection.execute(
        text(
            "INSERT INTO grids (name, kind, community_id, boundary, boundary_geojson, area_m2,"
            " centroid_lon, centroid_lat) VALUES ('一网格', 'courtyard', :c,"
            " polygon '((0,0),(0,1),(1,1),(1,0))', '{}'::jsonb, 1, 0.5, 0.5) RETURNING id"
        ),
        {"c": tree["community"]["id"]},
    )
    grid_id = grid.scalar_one()
    staff = await client.post(
        f"/api/v1/grids/{grid_id}/staff",
        json={"role": "full_time_worker", "person_name": "孙婷", "phone": "15012345678"},
    )
    assert staff.status_code == 201, staff.text
    await connection.execute(
        text("INSERT INTO api_clients (name, key_id, secret_enc) VALUES ('公安', 'pk-1', :s)"),
        {"s": keyring.encrypt("partner-secret", "api_clients.secret")},
    )
    return ids


async def test_rotation_moves_every_value_to_the_new_key_and_the_old_key_can_go(
    people: list[int],
    connection: AsyncConnection,
    sessionmaker: async_sessionmaker,
    keyring: Keyring,
    app: FastAPI,
    client: httpx.AsyncClient,
) -> None:
    old_kid = keyring.current_kid
    before = await all_blobs(connection)
    values = opened(keyring, before)
    assert len(before) == 8  # 3 ID numbers, 1 phone, 1 address, 1 contact, 1 staff, 1 secret
    rotated = with_new_key(keyring)

    report = await rotate_keys(UnitOfWork(sessionmaker, rotated), actor=ACTOR, batch_size=2)

    resealed = {c.column: c.resealed for c in report.columns}
    assert resealed == {
        "party_members.id_number_enc": 3, "party_members.phone_enc": 1,
        "party_members.address_enc": 1, "grid_staff_assignments.phone_enc": 1,
        "mobile_ledger_entries.contact_phone_enc": 1, "api_clients.secret_enc": 1,
        "users.totp_secret_enc": 0, "tickets.requester_name_enc": 0,
        "tickets.requester_phone_enc": 0,
    }  # fmt: skip
    assert all(c.from_keys == ({old_kid: c.resealed} if c.resealed else {}) for c in report.columns)
    assert report.complete
    assert report.lines()[-1] == "every sealed value uses k2: older data keys can be removed"

    after = await all_blobs(connection)
    assert after.keys() == before.keys()
    assert {Keyring.key_id_of(blob) for blob in after.values()} == {"k2"}
    assert opened(only(rotated, "k2"), after) == values  # values unchanged, k1 not needed

    again = await rotate_keys(UnitOfWork(sessionmaker, rotated), actor=ACTOR)
    assert [c.resealed for c in again.columns] == [0] * len(SEALED_COLUMNS)
    assert await all_blobs(connection) == after  # idempotent: nothing rewritten

    # The service runs on the new key alone.
    app.state.keyring = only(rotated, "k2")
    member = await client.get(f"{URL}/{people[0]}")
    assert member.status_code == 200, member.text
    assert member.json()["phone_masked"] == "138****5678"

    trail = await connection.execute(
        text("SELECT outcome, resource_id, changes FROM audit_events"
             " WHERE action = 'keys.rotate' ORDER BY id")
    )  # fmt: skip
    rows = list(trail)
    assert [(r.outcome, r.resource_id) for r in rows] == [("success", "k2")] * 2
    counts = rows[0].changes["after"]["columns"]["party_members.id_number_enc"]
    assert counts == {"resealed": 3, "unreadable": 0, "changed_meanwhile": 0,
                      "from_keys": {old_kid: 3}}  # fmt: skip


async def test_a_value_no_key_opens_is_left_alone_and_reported(
    people: list[int],
    connection: AsyncConnection,
    sessionmaker: async_sessionmaker,
    keyring: Keyring,
) -> None:
    lost = with_new_key(keyring, "k0", LOST_KEY)
    orphan = lost.encrypt("13700000000", MEMBER_PHONE)
    await connection.execute(
        text("UPDATE party_members SET phone_enc = :b WHERE id = :id"),
        {"b": orphan, "id": people[1]},
    )
    report = await rotate_keys(UnitOfWork(sessionmaker, with_new_key(keyring)), actor=ACTOR)
    phones = next(c for c in report.columns if c.column == "party_members.phone_enc")
    assert (phones.resealed, phones.unreadable) == (1, 1)
    assert not report.complete
    assert "1 NOT readable" in "\n".join(report.lines())
    kept = await connection.execute(
        text("SELECT phone_enc FROM party_members WHERE id = :id"), {"id": people[1]}
    )
    assert bytes(kept.scalar_one()) == orphan


async def test_a_value_rewritten_meanwhile_keeps_its_new_value(
    people: list[int], connection: AsyncConnection, uow: UnitOfWork, keyring: Keyring
) -> None:
    phones = SealedColumn("party_members", "phone_enc", MEMBER_PHONE)
    newer = keyring.encrypt("13600000000", MEMBER_PHONE)
    async with uow:
        ((row_id, blob),) = await uow.key_rotation.stale_blobs(
            phones, "k2", after_id=None, limit=10
        )
        await uow.session.execute(
            text("UPDATE party_members SET phone_enc = :b WHERE id = :id"),
            {"b": newer, "id": row_id},
        )  # the service, between the rotation's read and its write
        resealed = with_new_key(keyring).encrypt("13812345678", MEMBER_PHONE)
        assert await uow.key_rotation.replace_blobs(phones, [(row_id, blob, resealed)]) == 0
        await uow.commit()
    kept = await connection.execute(
        text("SELECT phone_enc FROM party_members WHERE id = :id"), {"id": row_id}
    )
    assert bytes(kept.scalar_one()) == newer


async def test_reindex_follows_an_index_key_change(
    people: list[int],
    connection: AsyncConnection,
    sessionmaker: async_sessionmaker,
    keyring: Keyring,
) -> None:
    numbers = [make_id(seq=seq) for seq in ("011", "022", "033")]
    new = replace(keyring, index_key=b"the-next-index-key")
    await connection.execute(
        text("UPDATE party_members SET id_number_hmac = :h WHERE id = :id"),
        {"h": b"\x00" * 32, "id": people[2]},
    )  # an index nobody can explain: fixed, and counted

    async def found(ring: Keyring) -> list[bool]:
        async with UnitOfWork(sessionmaker, ring) as uow:
            return [await uow.members.exists_id_number(n) for n in numbers]

    assert await found(new) == [False, False, False]
    report = await rotate_keys(
        UnitOfWork(sessionmaker, new), actor=ACTOR, reindex=True,
        old_index_key=keyring.index_key, batch_size=2,
    )  # fmt: skip
    assert report.index is not None
    assert (report.index.rebuilt, report.index.unexpected, report.index.already_current) == (
        3, 1, 0,
    )  # fmt: skip
    assert await found(new) == [True, True, True]
    hmacs = await connection.execute(
        text("SELECT id_number_hmac FROM party_members WHERE id = ANY(:ids) ORDER BY id"),
        {"ids": people},
    )
    assert [bytes(h) for h in hmacs.scalars()] == [id_number_index(new, n) for n in numbers]

    again = await rotate_keys(UnitOfWork(sessionmaker, new), actor=ACTOR, reindex=True)
    assert again.index is not None
    assert (again.index.rebuilt, again.index.already_current) == (0, 3)


# --- the command, on a database of its own ---------------------------------------------


def _dsn(url: str) -> str:
    return async_url(url).replace("postgresql+asyncpg://", "postgresql://", 1)


async def _on(url: str, statement: str, *args: Any) -> Any:
    conn = await asyncpg.connect(_dsn(url))
    try:
        return await conn.fetchval(statement, *args)
    finally:
        await conn.close()


@pytest.fixture
def scratch_url(server_url: str, database_url: str) -> Iterator[str]:
    scratch = f"{make_url(database_url).database}_rotate"
    drop = f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'
    asyncio.run(_on(server_url, drop))
    asyncio.run(_on(server_url, f'CREATE DATABASE "{scratch}"'))
    try:
        yield async_url(with_database(server_url, scratch))
    finally:
        asyncio.run(_on(server_url, drop))


def test_the_command_rotates_and_reports(
    scratch_url: str, keyring: Keyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(environment=Environment.test, database_url=None)
    upgrade_to_head(settings, scratch_url)
    number = make_id(seq="077")
    member_id = asyncio.run(
        _on(
            scratch_url,
            "INSERT INTO party_members (name, id_number_enc, id_number_hmac, birth_date, category)"
            " VALUES ('党员', $1, $2, '1980-01-01', 'resident') RETURNING id",
            keyring.encrypt(number, ID_NUMBER),
            id_number_index(keyring, number),
        )
    )
    old_kid = keyring.current_kid
    old_spec = f"{old_kid}:{base64.b64encode(keyring.data_keys[old_kid]).decode()}"
    monkeypatch.setenv("DATABASE_URL", _dsn(scratch_url))
    monkeypatch.setenv("PARTYGRID_ENVIRONMENT", "test")
    monkeypatch.setenv("PARTYGRID_DATA_KEYS", f"k2:{NEW_KEY},{old_spec}")
    get_settings.cache_clear()
    try:
        first = CliRunner().invoke(cli, ["rotate-keys", "--batch-size", "1"])
        second = CliRunner().invoke(cli, ["rotate-keys"])
    finally:
        get_settings.cache_clear()
    assert first.exit_code == 0, first.output
    assert f"party_members.id_number_enc: 1 re-encrypted (1 from {old_kid})" in first.output
    assert "older data keys can be removed" in first.output
    assert second.exit_code == 0, second.output
    assert "party_members.id_number_enc: 0 re-encrypted" in second.output
    blob = asyncio.run(
        _on(scratch_url, "SELECT id_number_enc FROM party_members WHERE id = $1", member_id)
    )
    assert Keyring.key_id_of(blob) == "k2"
    assert only(with_new_key(keyring), "k2").decrypt(blob, ID_NUMBER) == number
    assert number not in first.output + second.output
