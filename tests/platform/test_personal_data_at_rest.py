"""Personal data through the API and down to the rows: sealed at rest, opened only at the
repository boundary, unique through the keyed index, and never echoed by an error or a log."""

from __future__ import annotations

import logging
from itertools import pairwise
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from partygrid.repo.keyring import DecryptionError, Keyring
from partygrid.repo.members.repository import SqlMemberRepository
from partygrid.repo.sealing import (
    ID_NUMBER,
    LEDGER_PHONE,
    MEMBER_ADDRESS,
    MEMBER_PHONE,
    STAFF_PHONE,
)
from tests.fixtures.builders import make_street_tree
from tests.grids.test_grids_api import make_grid
from tests.platform.test_identity import make_id

URL = "/api/v1/members"
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９ｘ")
NUMBER = make_id("110105", "19491231", "002")  # ends in X
ADDRESS = "新疆维吾尔自治区乌鲁木齐市天山区 解放南路１２号"


def spellings(number: str) -> list[str]:
    """What a client may type for the same number, all normalised to ``number``."""
    return [number, number.lower(), number.translate(FULL_WIDTH),
            f"{number[:6]} {number[6:14]} {number[14:]}"]  # fmt: skip


async def row_text(connection: AsyncConnection, table: str, row_id: int) -> str:
    """The row as a dump would print it: every column, in text."""
    result = await connection.execute(
        text(f"SELECT t::text FROM {table} t WHERE id = :id"), {"id": row_id}
    )
    return result.scalar_one()


@pytest.fixture
def sql_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Every statement and its parameters logged, as with ``echo=True``. Requested first, so
    it is on before the test's connection is opened (which reads the level once)."""
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")
    return caplog


def assert_not_logged(log: pytest.LogCaptureFixture, number: str) -> None:
    """The number is in no log line, and the parameters of the statements on party_members
    hold not even its mask: a mask there would mean the log filter had to step in, i.e. the
    repository sent the number to the database in clear."""
    for secret in spellings(number):
        assert secret not in log.text, secret
    sent = [
        after.getMessage()
        for before, after in pairwise(log.records)
        if "party_members" in before.getMessage() and after.name.startswith("sqlalchemy")
    ]
    assert sent, "no statement on party_members was logged"
    assert not [p for p in sent if f"{number[:6]}********" in p]


@pytest.fixture
async def tree(client: httpx.AsyncClient) -> dict[str, dict[str, Any]]:
    return await make_street_tree(client)


async def test_a_member_is_sealed_at_rest_and_opened_exactly(
    client: httpx.AsyncClient,
    tree: dict[str, dict[str, Any]],
    connection: AsyncConnection,
    keyring: Keyring,
) -> None:
    ledger = {"direction": "outflow", "since": "2026-03-01", "destination_place": "广东省深圳市",
              "contact_phone": "+86 139-1234-5678"}  # fmt: skip
    response = await client.post(URL, json={
        "name": "阿卜杜热合曼·买买提", "id_number": NUMBER.lower(), "category": "mobile",
        "organization_id": tree["branch"]["id"], "phone": "138 1234 5678", "address": ADDRESS,
        "mobile_ledger": ledger,
    })  # fmt: skip
    assert response.status_code == 201, response.text
    member_id = response.json()["id"]

    dumped = await row_text(connection, "party_members", member_id)
    ledger_dumped = (
        await connection.execute(
            text("SELECT t::text FROM mobile_ledger_entries t WHERE member_id = :m"),
            {"m": member_id},
        )
    ).scalar_one()
    for secret in [*spellings(NUMBER), "13812345678", "13912345678", "解放南路", "天山区"]:
        assert secret not in dumped and secret not in ledger_dumped, secret
    assert "阿卜杜热合曼·买买提" in dumped and "1949-12-31" in dumped  # derived, kept in clear

    row = (
        await connection.execute(
            text("SELECT id_number_enc, id_number_hmac, phone_enc, address_enc, gender"
                 " FROM party_members WHERE id = :id"),
            {"id": member_id},
        )
    ).one()  # fmt: skip
    assert keyring.decrypt(row.id_number_enc, ID_NUMBER) == NUMBER
    assert keyring.decrypt(row.phone_enc, MEMBER_PHONE) == "13812345678"
    assert keyring.decrypt(row.address_enc, MEMBER_ADDRESS) == ADDRESS
    assert row.id_number_hmac == keyring.lookup_index(NUMBER, ID_NUMBER)
    assert row.gender == "female"
    assert Keyring.key_id_of(row.id_number_enc) == keyring.current_kid
    # Each blob opens only as the column it was sealed for.
    with pytest.raises(DecryptionError):
        keyring.decrypt(row.phone_enc, MEMBER_ADDRESS)
    contact = (
        await connection.execute(
            text("SELECT contact_phone_enc FROM mobile_ledger_entries WHERE member_id = :m"),
            {"m": member_id},
        )
    ).scalar_one()
    assert keyring.decrypt(contact, LEDGER_PHONE) == "13912345678"

    # Opened at the repository boundary, masked by the API.
    detail = (await client.get(f"{URL}/{member_id}")).json()
    assert detail["id_number_masked"] == "110105********002X"
    assert detail["phone_masked"] == "138****5678"
    assert detail["mobile_ledger"]["contact_phone_masked"] == "139****5678"


async def test_edits_are_sealed_and_a_cleared_phone_is_null(
    client: httpx.AsyncClient,
    tree: dict[str, dict[str, Any]],
    connection: AsyncConnection,
    keyring: Keyring,
) -> None:
    created = await client.post(URL, json={
        "name": "陈建国", "id_number": make_id(seq="031"), "category": "resident",
        "organization_id": tree["branch"]["id"], "phone": "13812345678",
    })  # fmt: skip
    member_url = f"{URL}/{created.json()['id']}"
    patched = await client.patch(member_url, json={"phone": "0532-8888 6678", "address": ADDRESS})
    assert patched.status_code == 200, patched.text
    query = text("SELECT phone_enc, address_enc FROM party_members WHERE id = :id")
    row = (await connection.execute(query, {"id": created.json()["id"]})).one()
    assert keyring.decrypt(row.phone_enc, MEMBER_PHONE) == "053288886678"
    assert keyring.decrypt(row.address_enc, MEMBER_ADDRESS) == ADDRESS
    assert "88886678" not in await row_text(connection, "party_members", created.json()["id"])

    cleared = await client.patch(member_url, json={"phone": None, "address": None})
    assert cleared.json()["phone_masked"] is None
    row = (await connection.execute(query, {"id": created.json()["id"]})).one()
    assert (row.phone_enc, row.address_enc) == (None, None)


async def test_staff_phones_are_sealed(
    client: httpx.AsyncClient,
    tree: dict[str, dict[str, Any]],
    connection: AsyncConnection,
    keyring: Keyring,
) -> None:
    grid = await make_grid(client, tree["community"]["id"])
    created = await client.post(
        f"/api/v1/grids/{grid['id']}/staff",
        json={"role": "full_time_worker", "person_name": "孙婷", "phone": "+86 138-1234-5678"},
    )
    assert created.status_code == 201, created.text
    assert created.json()["phone"] == "138****5678"
    staff_id = created.json()["id"]
    assert "13812345678" not in await row_text(connection, "grid_staff_assignments", staff_id)
    blob = (
        await connection.execute(
            text("SELECT phone_enc FROM grid_staff_assignments WHERE id = :id"), {"id": staff_id}
        )
    ).scalar_one()
    assert keyring.decrypt(blob, STAFF_PHONE) == "13812345678"


async def test_the_keyed_index_refuses_a_duplicate_however_it_is_spelled(
    sql_log: pytest.LogCaptureFixture,
    client: httpx.AsyncClient,
    tree: dict[str, dict[str, Any]],
    connection: AsyncConnection,
) -> None:
    body = {"name": "张丽华", "category": "resident", "organization_id": tree["branch"]["id"]}
    first = await client.post(URL, json={**body, "id_number": NUMBER})
    assert first.status_code == 201, first.text
    for spelling in spellings(NUMBER)[1:]:
        again = await client.post(URL, json={**body, "id_number": spelling})
        assert again.status_code == 409, again.text
        problem = again.json()
        assert (problem["code"], problem["constraint"]) == (
            "conflict",
            "uq_party_members_id_number",
        )
        for secret in spellings(NUMBER):
            assert secret not in again.text
    assert_not_logged(sql_log, NUMBER)
    count = await connection.execute(text("SELECT count(*) FROM party_members"))
    assert count.scalar_one() == 1


async def test_the_unique_index_alone_refuses_a_duplicate_without_echoing_it(
    sql_log: pytest.LogCaptureFixture,
    client: httpx.AsyncClient,
    tree: dict[str, dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    body = {"name": "张丽华", "category": "resident", "organization_id": tree["branch"]["id"]}
    assert (await client.post(URL, json={**body, "id_number": NUMBER})).status_code == 201

    async def race_lost(self: SqlMemberRepository, id_number: str, **_: Any) -> None:
        return None  # as if a concurrent request inserted the number after this check

    monkeypatch.setattr(SqlMemberRepository, "id_number_holder", race_lost)
    again = await client.post(URL, json={**body, "id_number": NUMBER.translate(FULL_WIDTH)})
    assert again.status_code == 409, again.text
    # Whoever holds it, a lost race is the one refusal that says nothing of the holder.
    assert again.json()["code"] == "registration-refused"
    assert "hmac" not in again.text  # the storage detail stays inside
    for secret in spellings(NUMBER):
        assert secret not in again.text
    assert_not_logged(sql_log, NUMBER)


@pytest.mark.parametrize(
    ("number", "check"),
    [
        (NUMBER[:-1] + "1", "checksum"),
        (make_id(born="19990230"), "birth-date"),
        (make_id(region="160101"), "province"),
        (make_id(born="20991231"), "birth-date-future"),
        (NUMBER[:-2], "length"),
    ],
)
async def test_a_bad_id_number_is_named_not_echoed(
    sql_log: pytest.LogCaptureFixture,
    client: httpx.AsyncClient,
    tree: dict[str, dict[str, Any]],
    number: str,
    check: str,
) -> None:
    response = await client.post(URL, json={
        "name": "王五", "id_number": number.lower(), "category": "resident",
        "organization_id": tree["branch"]["id"],
    })  # fmt: skip
    assert response.status_code == 422
    problem = response.json()
    assert (problem["field"], problem["check"]) == ("body.id_number", check)
    for secret in (number, number.lower(), number[:-1]):
        assert secret not in response.text and secret not in sql_log.text
