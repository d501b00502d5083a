"""Which ID numbers the member register takes, and how soft checks reach the client.

Party membership needs PRC nationality, and members are kept under their 居民身份证: the
register refuses residence permits of Hong Kong, Macao and Taiwan residents (810000,
820000, 830000) and foreigners' permanent residence IDs (starting with 9). A county code
the region table does not know, an implausible age or a stated gender the number
disagrees with is a warning in the 201 answer, never a refusal.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.fixtures.access import audit_rows
from tests.fixtures.builders import make_street_tree
from tests.platform.test_identity import make_id

URL = "/api/v1/members"


@pytest.fixture
async def branch(client: httpx.AsyncClient) -> int:
    return (await make_street_tree(client))["branch"]["id"]


async def post(client: httpx.AsyncClient, branch: int, number: str, **kw: Any) -> httpx.Response:
    body = {"name": "陈秀英", "id_number": number, "category": "retired",
            "organization_id": branch, **kw}  # fmt: skip
    return await client.post(URL, json=body)


async def members(connection: AsyncConnection) -> int:
    return (await connection.execute(text("SELECT count(*) FROM party_members"))).scalar_one()


async def test_a_checksum_valid_number_the_region_table_lacks_is_registered_with_a_warning(
    client: httpx.AsyncClient, branch: int, connection: AsyncConnection
) -> None:
    unknown_county = make_id("110199", "19620815", "024")  # no such county in Beijing
    response = await post(client, branch, unknown_county)
    assert response.status_code == 201, response.text
    (warning,) = response.json()["warnings"]
    assert warning["code"] == "id-number-region-unknown"
    assert warning["field"] == "body.id_number"
    assert unknown_county not in response.text
    (row,) = await audit_rows(connection, "member.register")
    assert row.reason == "id-number-region-unknown"


async def test_the_issue_vector_is_registered_with_a_warning(
    client: httpx.AsyncClient, branch: int
) -> None:
    response = await post(client, branch, "440524188001010014")
    assert response.status_code == 201, response.text
    assert [w["code"] for w in response.json()["warnings"]] == ["id-number-age-implausible"]
    assert "440524188001010014" not in response.text


async def test_an_ordinary_registration_has_no_warnings(
    client: httpx.AsyncClient, branch: int
) -> None:
    response = await post(client, branch, make_id(seq="031"), gender="male")
    assert response.status_code == 201, response.text
    assert response.json()["warnings"] == []
    again = await client.get(response.headers["Location"])
    assert "warnings" not in again.json()  # a note on the registration, not on the member


async def test_a_stated_gender_the_number_disagrees_with_is_a_warning(
    client: httpx.AsyncClient, branch: int
) -> None:
    man = make_id(seq="033")  # odd order code
    response = await post(client, branch, man, gender="female")
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["gender"] == "male"  # the number's, as issued
    assert [w["code"] for w in created["warnings"]] == ["id-number-gender-mismatch"]


@pytest.mark.parametrize(
    "number",
    [make_id("810000", "19900307", "123"), make_id("820000", "19881111", "246"),
     make_id("830000", "19750101", "357"), make_id("911840", "19850412", "021")],
    ids=["hong-kong", "macao", "taiwan", "foreigner"],
)  # fmt: skip
async def test_permits_and_permanent_residence_ids_are_refused(
    client: httpx.AsyncClient, branch: int, connection: AsyncConnection, number: str
) -> None:
    response = await post(client, branch, number)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert (problem["code"], problem["field"], problem["check"]) == (
        "invalid-value", "body.id_number", "population",
    )  # fmt: skip
    assert "居民身份证" in problem["detail"]
    assert number not in response.text
    assert await members(connection) == 0


async def test_nobody_under_eighteen_is_registered(
    client: httpx.AsyncClient, branch: int, connection: AsyncConnection
) -> None:
    response = await post(client, branch, make_id(born="20150601", seq="035"))
    assert response.status_code == 422, response.text
    assert response.json()["rule"] == "member-age"
    assert await members(connection) == 0
