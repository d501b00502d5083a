"""Registering someone who is already a party member: the answer says where only to a
caller who may see their ID number there.

The ID number is unique in the whole deployment, so a second registration is always
refused. A caller who may reveal personal data in the scope that holds the member (an
admin of that subtree) is told which member it is. Anyone else (a member elsewhere, or
in their scope but without the right to reveal) gets one and the same refusal, whatever
the reason, with guidance to ask the district: otherwise a partner could confirm full ID
numbers, for instance by trying the few dozen candidates a masked number and an age leave.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from partygrid.repo.members.repository import SqlMemberRepository
from tests.fixtures.access import audit_rows
from tests.fixtures.builders import make_street_tree
from tests.fixtures.partners import Partner, allow, make_partner, uow_factory
from tests.platform.test_identity import make_id

URL = "/api/v1/members"
NUMBERS = {"here": make_id(seq="301"), "there": make_id(seq="303"),
           "gone": make_id(seq="305"), "new": make_id(seq="307")}  # fmt: skip


@pytest.fixture
async def world(client: httpx.AsyncClient) -> dict[str, Any]:
    """Two streets of one district; a member in the first, two in the second (one left)."""
    here, there = await make_street_tree(client), await make_street_tree(client)
    members = {}
    for key, tree in (("here", here), ("there", there), ("gone", there)):
        response = await client.post(URL, json={
            "name": "周建华", "id_number": NUMBERS[key], "category": "retired",
            "organization_id": tree["branch"]["id"],
        })  # fmt: skip
        assert response.status_code == 201, response.text
        members[key] = response.json()["id"]
    left = await client.post(f"{URL}/{members['gone']}/leave", json={"reason": "deceased"})
    assert left.status_code == 200, left.text
    return {"here": here, "there": there, "members": members}


@pytest.fixture
async def partner(world: dict[str, Any], sessionmaker, keyring, connection) -> Partner:
    made = await make_partner(
        uow_factory(sessionmaker, keyring), orgs=[world["here"]["street"]["id"]]
    )
    await allow(connection, made, "member:read", "member:write")
    return made


async def register(
    client: httpx.AsyncClient, world: dict[str, Any], key: str, **credentials: Any
) -> httpx.Response:
    return await client.post(URL, json={
        "name": "周建华", "id_number": NUMBERS[key], "category": "resident",
        "organization_id": world["here"]["branch"]["id"],
    }, **credentials)  # fmt: skip


async def count(connection: AsyncConnection) -> int:
    return (await connection.execute(text("SELECT count(*) FROM party_members"))).scalar_one()


def assert_reveals_nothing(response: httpx.Response, world: dict[str, Any]) -> None:
    body = response.text
    for key, number in NUMBERS.items():
        assert number not in body and number[:6] + "********" + number[-4:] not in body, key
    problem = response.json()
    assert "member_id" not in problem and "constraint" not in problem
    for word in ("exist", "already"):
        assert word not in problem["detail"], word
    assert not re.search(r"\d", problem["detail"])  # no member or organization id


async def test_a_partner_gets_one_refusal_wherever_the_member_is(
    client: httpx.AsyncClient, world: dict[str, Any], partner: Partner,
    connection: AsyncConnection,
) -> None:  # fmt: skip
    before = await count(connection)
    answers = {key: await register(client, world, key, auth=partner.auth)
               for key in ("here", "there", "gone")}  # fmt: skip
    for key, response in answers.items():
        assert response.status_code == 409, (key, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == "registration-refused"
        assert_reveals_nothing(response, world)
    assert answers["here"].json() == answers["there"].json() == answers["gone"].json()
    assert "区委组织部" in answers["there"].json()["detail"]
    assert await count(connection) == before
    # The auditor can see what was tried, and whose number it was.
    refused = [r for r in await audit_rows(connection, "member.register") if r.outcome != "success"]
    assert sorted(int(r.resource_id) for r in refused) == sorted(world["members"].values())
    assert all(r.principal_kind == "api_client" for r in refused)


async def test_an_admin_learns_which_member_only_inside_their_own_subtree(
    client: httpx.AsyncClient, world: dict[str, Any], partner: Partner, login_as,
    connection: AsyncConnection,
) -> None:  # fmt: skip
    admin = await login_as("community_admin", orgs=[world["here"]["community"]["id"]])
    mine = await register(client, world, "here", headers=admin)
    assert mine.status_code == 409, mine.text
    assert (mine.json()["code"], mine.json()["member_id"]) == (
        "conflict", world["members"]["here"],
    )  # fmt: skip

    elsewhere = await register(client, world, "there", headers=admin)
    gone = await register(client, world, "gone", headers=admin)
    from_partner = await register(client, world, "there", auth=partner.auth)
    for response in (elsewhere, gone):
        assert response.status_code == 409, response.text
        assert_reveals_nothing(response, world)
        assert response.json() == from_partner.json()


async def test_the_district_that_holds_both_is_told_which_member(
    client: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    """Where the refusal sends the others: the district admin sees the whole district."""
    response = await register(client, world, "there")
    assert response.status_code == 409, response.text
    assert response.json()["member_id"] == world["members"]["there"]


async def test_a_registration_that_loses_a_race_gets_the_same_refusal(
    client: httpx.AsyncClient, world: dict[str, Any], partner: Partner,
    connection: AsyncConnection, monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """The unique index is the real guard: when it fires, the answer is the same one."""
    plain = await register(client, world, "there", auth=partner.auth)

    async def nobody(self: SqlMemberRepository, id_number: str, **_: Any) -> None:
        return None  # as if the number were inserted by another request after the check

    monkeypatch.setattr(SqlMemberRepository, "id_number_holder", nobody)
    before = await count(connection)
    raced = await register(client, world, "there", auth=partner.auth)
    assert raced.status_code == 409, raced.text
    assert raced.json() == plain.json()
    assert await count(connection) == before


async def test_a_new_person_is_registered_as_before(
    client: httpx.AsyncClient, world: dict[str, Any], partner: Partner
) -> None:
    response = await register(client, world, "new", auth=partner.auth)
    assert response.status_code == 201, response.text
