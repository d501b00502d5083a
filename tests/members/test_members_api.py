"""Party members through the HTTP API, on real PostgreSQL."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from partygrid.repo.keyring import Keyring
from partygrid.repo.members.repository import SqlMemberRepository
from partygrid.repo.sealing import ID_NUMBER, MEMBER_ADDRESS, MEMBER_PHONE
from tests.fixtures.builders import make_org, make_street_tree
from tests.platform.test_identity import make_id

PROBLEM = "application/problem+json"
URL = "/api/v1/members"
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


async def register(client: httpx.AsyncClient, org_id: int, **kw: Any) -> dict[str, Any]:
    body = {"name": "张丽华", "id_number": make_id(seq=f"{kw.pop('seq', 1):03d}"),
            "category": "resident", "organization_id": org_id, **kw}  # fmt: skip
    response = await client.post(URL, json=body)
    assert response.status_code == 201, response.text
    return response.json()


async def member_count(connection: AsyncConnection) -> int:
    return (await connection.execute(text("SELECT count(*) FROM party_members"))).scalar_one()


async def make_grid(connection: AsyncConnection, community_id: int, name: str) -> int:
    # Inserted directly: the grids API is not what is under test here.
    row = await connection.execute(
        text(
            "INSERT INTO grids (name, kind, community_id, boundary, boundary_geojson, area_m2,"
            " centroid_lon, centroid_lat) VALUES (:name, 'courtyard', :c,"
            " polygon '((0,0),(0,1),(1,1),(1,0))', '{}'::jsonb, 1, 0.5, 0.5) RETURNING id"
        ),
        {"name": name, "c": community_id},
    )
    return row.scalar_one()


def ids(page: httpx.Response) -> list[int]:
    assert page.status_code == 200, page.text
    return [m["id"] for m in page.json()["items"]]


async def test_register_stores_normalised_id_and_never_returns_it(
    client: httpx.AsyncClient, connection: AsyncConnection, keyring: Keyring
) -> None:
    tree = await make_street_tree(client)
    number = make_id("110105", "19491231", "002")
    typed = number[:-1].translate(FULL_WIDTH) + "ｘ"
    response = await client.post(URL, json={
        "name": "张丽华", "id_number": typed, "category": "retired",
        "organization_id": tree["branch"]["id"], "phone": "138 1234 5678",
        "address": "北京市朝阳区建国路88号院3号楼2单元",
    })  # fmt: skip
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["id_number_masked"] == "110105********002X"
    assert created["phone_masked"] == "138****5678"
    assert created["address_masked"] == "北京市朝阳区****"
    assert (created["gender"], created["birth_year"]) == ("female", 1949)
    assert (created["category"], created["management_mode"]) == ("retired", "joint")
    assert response.headers["location"] == f"{URL}/{created['id']}"
    row = (
        await connection.execute(
            text(
                "SELECT id_number_enc, phone_enc, birth_date::text FROM party_members"
                " WHERE id = :id"
            ),
            {"id": created["id"]},
        )
    ).one()
    opened = (keyring.decrypt(row[0], ID_NUMBER), keyring.decrypt(row[1], MEMBER_PHONE), row[2])
    assert opened == (number, "13812345678", "1949-12-31")

    member_url = f"{URL}/{created['id']}"
    other = await make_org(client, "grid_branch", "第二网格党支部", tree["community"]["id"])
    bodies = [
        response.text,
        (await client.get(member_url)).text,
        (await client.get(URL, params={"under": tree["street"]["id"]})).text,
        (await client.patch(member_url, json={"post": "楼栋长"})).text,
        (
            await client.post(f"{member_url}/transfer", json={"to_organization_id": other["id"]})
        ).text,
        (await client.get(f"{member_url}/transfers")).text,
        (await client.post(f"{member_url}/leave", json={"reason": "deceased"})).text,
    ]
    for body in bodies:
        for secret in (number, number.lower(), typed, "19491231", "13812345678"):
            assert secret not in body
    assert "110105********002X" in bodies[1]


async def test_duplicate_id_number_is_a_conflict_that_names_no_number(
    client: httpx.AsyncClient, connection: AsyncConnection
) -> None:
    tree = await make_street_tree(client)
    number = make_id("110105", "19491231", "002")
    await register(client, tree["branch"]["id"], id_number=number)
    before = await member_count(connection)
    for spelling in (number, number.lower(), number.translate(FULL_WIDTH)):
        response = await client.post(URL, json={
            "name": "李四", "id_number": spelling, "category": "resident",
            "organization_id": tree["group"]["id"],
        })  # fmt: skip
        assert response.status_code == 409
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["code"] == "conflict"
        assert number not in response.text and number[:-1] not in response.text
    assert await member_count(connection) == before


async def test_unique_index_is_the_real_guard_against_duplicates(
    client: httpx.AsyncClient, connection: AsyncConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    tree = await make_street_tree(client)
    number = make_id(seq="042")
    await register(client, tree["branch"]["id"], id_number=number)

    async def race_lost(self: SqlMemberRepository, id_number: str, **_: Any) -> None:
        return None  # as if a concurrent request inserted the number after this check

    monkeypatch.setattr(SqlMemberRepository, "id_number_holder", race_lost)
    response = await client.post(URL, json={
        "name": "李四", "id_number": number, "category": "resident",
        "organization_id": tree["branch"]["id"],
    })  # fmt: skip
    assert response.status_code == 409
    assert response.json()["code"] == "registration-refused"
    assert number not in response.text
    assert await member_count(connection) == 1


async def test_invalid_id_numbers_name_the_field_and_the_check(
    client: httpx.AsyncClient, connection: AsyncConnection
) -> None:
    tree = await make_street_tree(client)
    good = make_id()
    cases = {
        good[:-1] + ("1" if good[-1] == "0" else "0"): "checksum",
        make_id(born="19990230"): "birth-date",
        make_id(region="160101"): "province",
    }
    for number, check in cases.items():
        response = await client.post(URL, json={
            "name": "王五", "id_number": number, "category": "resident",
            "organization_id": tree["branch"]["id"],
        })  # fmt: skip
        assert response.status_code == 422
        problem = response.json()
        assert (problem["code"], problem["field"], problem["check"]) == (
            "invalid-value", "body.id_number", check,
        )  # fmt: skip
        assert number not in response.text
    assert await member_count(connection) == 0


async def test_chinese_name_and_address_round_trip_exactly(
    client: httpx.AsyncClient, connection: AsyncConnection, keyring: Keyring
) -> None:
    tree = await make_street_tree(client)
    name, address = "阿卜杜热合曼·买买提", "新疆维吾尔自治区乌鲁木齐市天山区 解放南路１２号"
    created = await register(client, tree["branch"]["id"], name=f"  {name}\u3000", address=address)
    assert created["name"] == name
    assert created["address_masked"] == address[:6] + "****"
    row = (
        await connection.execute(
            text("SELECT name, address_enc FROM party_members WHERE id = :id"),
            {"id": created["id"]},
        )
    ).one()
    assert (row[0], keyring.decrypt(row[1], MEMBER_ADDRESS)) == (name, address)


async def test_transfers_append_history_and_move_the_member(client: httpx.AsyncClient) -> None:
    tree = await make_street_tree(client)
    created = await register(client, tree["branch"]["id"])
    member_url = f"{URL}/{created['id']}"
    other_branch = await make_org(client, "grid_branch", "朝阳第一网格党支部", tree["other"]["id"])
    first = await client.post(f"{member_url}/transfer", json={
        "to_organization_id": tree["group"]["id"], "effective_on": "2026-01-05", "reason": "搬家",
    })  # fmt: skip
    assert first.status_code == 200, first.text
    assert first.json()["member"]["organization_id"] == tree["group"]["id"]
    second = await client.post(f"{member_url}/transfer", json={
        "to_organization_id": other_branch["id"], "effective_on": "2026-06-01",
    })  # fmt: skip
    assert second.status_code == 200, second.text
    assert second.headers["etag"] == 'W/"3"'
    assert (await client.get(member_url)).json()["organization_id"] == other_branch["id"]
    history = (await client.get(f"{member_url}/transfers")).json()["items"]
    moves = [
        (t["from_organization_id"], t["to_organization_id"], t["effective_on"]) for t in history
    ]
    assert moves == [
        (tree["branch"]["id"], tree["group"]["id"], "2026-01-05"),
        (tree["group"]["id"], other_branch["id"], "2026-06-01"),
    ]  # fmt: skip
    assert [t["reason"] for t in history] == ["搬家", None]

    refusals = {
        "transfer-same-organization": {"to_organization_id": other_branch["id"]},
        "member-organization-kind": {"to_organization_id": tree["street"]["id"]},
        "transfer-date-order": {
            "to_organization_id": tree["branch"]["id"], "effective_on": "2026-05-31",
        },
        "organization-exists": {"to_organization_id": 999_999},
    }  # fmt: skip
    for rule, body in refusals.items():
        response = await client.post(f"{member_url}/transfer", json=body)
        assert response.status_code == 422, response.text
        assert response.json()["rule"] == rule
    assert len((await client.get(f"{member_url}/transfers")).json()["items"]) == 2


async def test_list_filters_by_subtree_category_grid_and_literal_name_prefix(
    client: httpx.AsyncClient, connection: AsyncConnection
) -> None:
    tree = await make_street_tree(client)
    other_branch = await make_org(client, "grid_branch", "朝阳第一网格党支部", tree["other"]["id"])
    grid = await make_grid(connection, tree["community"]["id"], "海军路一网格")
    a = await register(client, tree["branch"]["id"], seq=1, name="100%先锋", grid_id=grid)
    b = await register(client, tree["group"]["id"], seq=2, name="100号楼长", category="in_service")
    c = await register(client, other_branch["id"], seq=3, name="王_芳", grid_id=grid)
    d = await register(client, other_branch["id"], seq=4, name="王小芳", category="in_service")

    async def listed(**params: Any) -> list[int]:
        return ids(await client.get(URL, params=params))

    assert await listed(under=tree["street"]["id"]) == [a["id"], b["id"], c["id"], d["id"]]
    assert await listed(under=tree["community"]["id"]) == [a["id"], b["id"]]
    assert await listed(under=tree["group"]["id"]) == [b["id"]]
    assert await listed(under=tree["other"]["id"], category="in_service") == [d["id"]]
    assert await listed(grid_id=grid) == [a["id"], c["id"]]
    assert await listed(name_prefix="100%") == [a["id"]]
    assert await listed(name_prefix="100") == [a["id"], b["id"]]
    assert await listed(name_prefix="王_") == [c["id"]]
    assert await listed(name_prefix="王") == [c["id"], d["id"]]
    assert (await client.get(URL, params={"under": 999_999})).status_code == 404


async def test_pagination_returns_every_member_once_and_bounds_the_page(
    client: httpx.AsyncClient,
) -> None:
    tree = await make_street_tree(client)
    created = [(await register(client, tree["branch"]["id"], seq=i))["id"] for i in range(5)]
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 2, "under": tree["street"]["id"]}
        if cursor:
            params["cursor"] = cursor
        response = await client.get(URL, params=params)
        seen += ids(response)
        pages += 1
        cursor = response.json()["next_cursor"]
        if cursor is None:
            break
    assert seen == created
    assert pages == 3
    too_big = await client.get(URL, params={"limit": 201})
    assert too_big.status_code == 422
    assert too_big.json()["errors"][0]["field"] == "query.limit"


async def test_stale_if_match_is_412_and_changes_nothing(client: httpx.AsyncClient) -> None:
    tree = await make_street_tree(client)
    member_url = f"{URL}/{(await register(client, tree['branch']['id']))['id']}"
    first = await client.patch(member_url, json={"name": "张新华"}, headers={"If-Match": 'W/"1"'})
    assert first.status_code == 200
    assert first.headers["etag"] == 'W/"2"'
    stale = await client.patch(member_url, json={"name": "别的名字"}, headers={"If-Match": 'W/"1"'})
    assert stale.status_code == 412
    assert stale.headers["content-type"] == PROBLEM
    assert stale.headers["etag"] == 'W/"2"'
    current = await client.get(member_url)
    assert (current.json()["name"], current.headers["etag"]) == ("张新华", 'W/"2"')


async def test_mobile_members_need_a_ledger_entry(
    client: httpx.AsyncClient, connection: AsyncConnection
) -> None:
    tree = await make_street_tree(client)
    body = {"name": "赵六", "id_number": make_id(seq="007"), "category": "mobile",
            "organization_id": tree["branch"]["id"]}  # fmt: skip
    response = await client.post(URL, json=body)
    assert response.status_code == 422
    assert response.json()["rule"] == "mobile-ledger-required"
    assert await member_count(connection) == 0

    ledger = {"direction": "outflow", "since": "2026-03-01", "destination_place": "广东省深圳市",
              "occupation": "外卖骑手", "contact_phone": "13912345678",
              "expected_return_on": "2027-01-31", "certificate_no": "LD-2026-0001"}  # fmt: skip
    created = (await client.post(URL, json={**body, "mobile_ledger": ledger})).json()
    assert created["management_mode"] == "assisted"
    assert created["mobile_ledger"]["contact_phone_masked"] == "139****5678"
    assert created["mobile_ledger"]["destination_place"] == "广东省深圳市"
    member_url = f"{URL}/{created['id']}"

    moved_on = await client.post(f"{member_url}/mobile-ledger", json={
        "direction": "outflow", "since": "2026-09-01", "destination_place": "浙江省杭州市",
    })  # fmt: skip
    assert moved_on.status_code == 201, moved_on.text
    assert moved_on.json()["mobile_ledger"]["destination_place"] == "浙江省杭州市"
    back = await client.patch(member_url, json={"category": "resident"})
    assert back.status_code == 200, back.text
    assert back.json()["mobile_ledger"] is None
    history = (await client.get(f"{member_url}/mobile-ledger")).json()["items"]
    assert [(e["since"], e["ended_on"] is not None) for e in history] == [
        ("2026-03-01", True), ("2026-09-01", True),
    ]  # fmt: skip
    assert history[0]["ended_on"] == "2026-09-01"
    assert "13912345678" not in str(history)

    resident_entry = await client.post(f"{member_url}/mobile-ledger", json=ledger)
    assert resident_entry.json()["rule"] == "ledger-only-for-mobile"
    to_mobile = await client.patch(member_url, json={"category": "mobile"})
    assert to_mobile.json()["rule"] == "mobile-ledger-required"
    bad_return = {**ledger, "expected_return_on": "2026-02-01"}
    again = await client.patch(member_url, json={"category": "mobile", "mobile_ledger": bad_return})
    assert again.json()["rule"] == "ledger-return-after-since"
    inflow = {"direction": "inflow", "since": "2026-11-01", "origin_place": "四川省成都市"}
    mobile_again = await client.patch(
        member_url, json={"category": "mobile", "mobile_ledger": inflow}
    )
    assert mobile_again.status_code == 200, mobile_again.text
    assert mobile_again.json()["mobile_ledger"]["origin_place"] == "四川省成都市"
    assert len((await client.get(f"{member_url}/mobile-ledger")).json()["items"]) == 3


async def test_unknown_or_server_owned_fields_are_refused(client: httpx.AsyncClient) -> None:
    tree = await make_street_tree(client)
    response = await client.post(URL, json={
        "name": "钱七", "id_number": make_id(), "category": "resident",
        "organization_id": tree["branch"]["id"], "status": "left", "version": 5,
    })  # fmt: skip
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"body.status", "body.version"}
    member_url = f"{URL}/{(await register(client, tree['branch']['id']))['id']}"
    for body in ({"organization_id": tree["group"]["id"]}, {"id_number": make_id(seq="009")},
                 {"name": None}):  # fmt: skip
        patched = await client.patch(member_url, json=body)
        assert patched.status_code == 422, body
        assert [e["field"] for e in patched.json()["errors"]] == [f"body.{next(iter(body))}"]
    assert (await client.get(member_url)).json()["version"] == 1


async def test_central_household_is_a_building_group_of_the_community(
    client: httpx.AsyncClient,
) -> None:
    tree = await make_street_tree(client)
    member_url = f"{URL}/{(await register(client, tree['branch']['id']))['id']}"
    other_branch = await make_org(client, "grid_branch", "朝阳第一网格党支部", tree["other"]["id"])
    other_group = await make_org(client, "building_group", "朝阳5号楼党小组", other_branch["id"])
    url = f"{member_url}/central-household"
    for group_id, rule in ((tree["branch"]["id"], "central-household-kind"),
                           (other_group["id"], "central-household-scope")):  # fmt: skip
        response = await client.put(url, json={"group_id": group_id})
        assert response.status_code == 422
        assert response.json()["rule"] == rule
    done = await client.put(url, json={"group_id": tree["group"]["id"]})
    assert done.status_code == 200, done.text
    assert (done.json()["is_central_household"], done.json()["central_household_group_id"]) == (
        True, tree["group"]["id"],
    )  # fmt: skip
    # Moving to another community drops a central household that no longer fits.
    moved = await client.post(
        f"{member_url}/transfer", json={"to_organization_id": other_branch["id"]}
    )
    assert moved.json()["member"]["central_household_group_id"] is None
    await client.put(url, json={"group_id": other_group["id"]})
    cleared = await client.delete(url)
    assert cleared.status_code == 200
    assert cleared.json()["is_central_household"] is False


async def test_leaving_keeps_the_member_and_closes_the_history(client: httpx.AsyncClient) -> None:
    tree = await make_street_tree(client)
    created = await register(client, tree["branch"]["id"])
    member_url = f"{URL}/{created['id']}"
    left = await client.post(
        f"{member_url}/leave", json={"reason": "deceased", "note": "病逝", "left_on": "2026-10-01"}
    )
    assert left.status_code == 200, left.text
    assert left.json()["member"]["status"] == "left"
    assert left.json()["transfer"]["kind"] == "left"
    history = (await client.get(f"{member_url}/transfers")).json()["items"]
    assert [(t["kind"], t["to_organization_id"], t["reason"]) for t in history] == [
        ("left", None, "left (deceased): 病逝")
    ]
    assert (await client.get(member_url)).json()["status"] == "left"
    assert ids(await client.get(URL, params={"under": tree["street"]["id"]})) == []
    assert ids(await client.get(URL, params={"status": "left"})) == [created["id"]]
    again = await client.patch(member_url, json={"post": "楼栋长"})
    assert again.json()["rule"] == "member-left-is-final"
