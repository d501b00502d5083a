"""What the public may see of tickets, in every public read (Open311 GET requests, one
request, tokens, services, and the community's 公示栏), decided by each category's
disclosure policy and by the channel a ticket came in on.

The rules, as the product's owners state them:
- a resident's 民政救助 or 矛盾纠纷 request is never public; a new category is never public
  until its manager says otherwise; residents can still file in those categories;
- a coarse category's tickets show no address, no free text and no photo, and a point
  rounded to about 100 m;
- reports made inside the organization (grid workers' app, information collectors) and
  other systems' records are never public, whatever their category;
- staff's reasons for a rejection or a merge never leave;
- paging has a bound.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.fixtures.open311 import (
    BASE,
    LAT,
    LON,
    assert_error,
    ids_of,
    json_of,
    post_request,
    set_ticket,
    world,
    xml_of,
)

__all__ = ["world"]  # the fixture, imported for pytest
pytestmark = pytest.mark.usefixtures("catalogue")  # the demo catalogue's eight categories

SECRET_STORY = "低保申请：王秀英独居，右腿残疾，住海军路88号3单元501"
DISPUTE_STORY = "3号楼张建军与邻居因漏水多次争吵，险些动手"
EVERY_STATUS = ({}, {"status": "open"}, {"status": "closed"}, {"status": "open,closed"})


async def file(anonymous_client: httpx.AsyncClient, world: dict[str, Any], code: str,
               description: str, **fields: str) -> dict[str, Any]:  # fmt: skip
    """Files a resident's request through Open311; the answer's one ``request``."""
    if code == "disputes":  # its definition asks for the number of parties
        fields = {"attribute[parties]": "2", **fields}
    response = await post_request(
        anonymous_client, world, service_code=code, description=description, **fields
    )
    assert response.status_code == 200, response.text
    [created] = json_of(response)
    return created


async def publish(connection: AsyncConnection, public_id: str, result: str) -> None:
    await set_ticket(connection, public_id, state="published", public_result=result,
                     published_at=datetime.now(UTC))  # fmt: skip


def board_url(world: dict[str, Any]) -> str:
    return f"/api/v1/public/communities/{world['community']['id']}/board"


async def board_ids(anonymous_client: httpx.AsyncClient, world: dict[str, Any]) -> list[str]:
    response = await anonymous_client.get(board_url(world))
    assert response.status_code == 200, response.text
    return [item["public_id"] for item in response.json()["items"]]


async def every_public_read(
    anonymous_client: httpx.AsyncClient, world: dict[str, Any], public_id: str, code: str
) -> list[str]:
    """The answers of every public read a stranger could point at one ticket."""
    answers = []
    for fmt in ("json", "xml"):
        for status in EVERY_STATUS:
            for by_code in ({}, {"service_code": code}):
                response = await anonymous_client.get(
                    f"{BASE}/requests.{fmt}", params={**status, **by_code}
                )
                assert response.status_code == 200, response.text
                answers.append(response.text)
        by_id = await anonymous_client.get(
            f"{BASE}/requests.{fmt}", params={"service_request_id": public_id}
        )
        answers.append(by_id.text)
    answers.append((await anonymous_client.get(board_url(world))).text)
    return answers


# --- never public ----------------------------------------------------------------------


@pytest.mark.parametrize(("code", "story"), [("civil_assistance", SECRET_STORY),
                                             ("disputes", DISPUTE_STORY)])  # fmt: skip
async def test_a_never_public_request_is_absent_from_every_public_read(
    anonymous_client: httpx.AsyncClient, connection: AsyncConnection, world, code: str, story: str
) -> None:
    secret = (await file(anonymous_client, world, code, story, address_string="幸福里12号"))[
        "service_request_id"
    ]
    shown = (await file(anonymous_client, world, "sanitation", "垃圾桶满溢"))["service_request_id"]
    for public_id in (secret, shown):
        await publish(connection, public_id, "已办结")

    for answer in await every_public_read(anonymous_client, world, secret, code):
        for told in (secret, story, "幸福里12号"):
            assert told not in answer
    assert await ids_of(anonymous_client) == [shown]  # the feed itself still works
    assert await board_ids(anonymous_client, world) == [shown]
    for fmt in ("json", "xml"):
        assert_error(await anonymous_client.get(f"{BASE}/requests/{secret}.{fmt}"), 404, fmt)
        # Its public id is no token: ids are sequential, so anyone could guess one.
        assert_error(await anonymous_client.get(f"{BASE}/tokens/{secret}.{fmt}"), 404, fmt)


async def test_a_new_category_is_never_public_until_its_manager_says_so(
    anonymous_client: httpx.AsyncClient, client: httpx.AsyncClient, world
) -> None:
    body = {"code": "elderly.care", "name": "养老服务", "default_type": "time_limited"}
    created = await client.post("/api/v1/service-categories", json=body)
    assert created.status_code == 201, created.text
    assert created.json()["disclosure"] == "never"
    public_id = (await file(anonymous_client, world, "elderly.care", "独居老人需上门助餐"))[
        "service_request_id"
    ]
    assert await ids_of(anonymous_client) == []

    opened = await client.patch(
        "/api/v1/service-categories/elderly.care", json={"disclosure": "public"},
        headers={"If-Match": created.headers["ETag"]},
    )  # fmt: skip
    assert opened.status_code == 200, opened.text
    assert opened.json()["disclosure"] == "public"
    assert await ids_of(anonymous_client) == [public_id]


async def test_the_catalogue_refuses_an_unknown_policy_and_changes_nothing(
    client: httpx.AsyncClient, world
) -> None:
    body = {"code": "pets", "name": "宠物管理", "default_type": "time_limited",
            "disclosure": "sometimes"}  # fmt: skip
    refused = await client.post("/api/v1/service-categories", json=body)
    assert refused.status_code == 422 and refused.headers["content-type"] == (
        "application/problem+json"
    )
    assert "disclosure" in refused.text
    assert (await client.get("/api/v1/service-categories/pets")).status_code == 404
    coarse = await client.post("/api/v1/service-categories", json={**body, "disclosure": "coarse"})
    assert coarse.status_code == 201 and coarse.json()["disclosure"] == "coarse"
    null = await client.patch(
        "/api/v1/service-categories/pets", json={"disclosure": None}, headers={"If-Match": 'W/"1"'}
    )
    assert null.status_code == 422
    assert (await client.get("/api/v1/service-categories/pets")).json()["disclosure"] == "coarse"


async def test_the_demo_catalogue_keeps_welfare_disputes_and_security_private(
    client: httpx.AsyncClient, world
) -> None:
    items = (await client.get("/api/v1/service-categories")).json()["items"]
    sensitive = [c for c in items if any(w in c["name"] for w in ("民政", "救助", "纠纷", "治安"))]
    assert {c["code"] for c in sensitive} == {"civil_assistance", "disputes", "public_security"}
    assert {c["disclosure"] for c in sensitive} == {"never"}
    policies = {c["code"]: c["disclosure"] for c in items}
    assert policies["road_facilities"] == "public"  # a pothole names nobody


async def test_residents_can_still_file_in_a_never_public_category(
    anonymous_client: httpx.AsyncClient, world
) -> None:
    services = json_of(await anonymous_client.get(f"{BASE}/services.json"))
    assert "civil_assistance" in {s["service_code"] for s in services}
    definition = await anonymous_client.get(f"{BASE}/services/civil_assistance.json")
    assert definition.status_code == 200
    created = await file(anonymous_client, world, "civil_assistance", SECRET_STORY)
    assert created["service_request_id"].startswith("PG")
    assert "不公开" in created["service_notice"]  # the filer is told


# --- the filer's own token ---------------------------------------------------------------


async def test_the_filer_follows_a_never_public_request_by_its_own_token(
    anonymous_client: httpx.AsyncClient, connection: AsyncConnection, world
) -> None:
    mine = await file(anonymous_client, world, "civil_assistance", SECRET_STORY)
    other = await file(anonymous_client, world, "civil_assistance", "临时救助申请")
    token, public_id = mine["token"], mine["service_request_id"]
    assert token and token != public_id and other["token"] != token

    [answer] = json_of(await anonymous_client.get(f"{BASE}/tokens/{token}.json"))
    assert answer == {"service_request_id": public_id, "token": token, "status": "open",
                      "status_notes": "已接收，等待受理"}  # fmt: skip
    await set_ticket(connection, public_id, state="closed", public_result="已发放临时救助金")
    root = xml_of(await anonymous_client.get(f"{BASE}/tokens/{token}.xml"))
    assert [c.tag for c in root[0]] == ["service_request_id", "token", "status", "status_notes"]
    assert root[0].findtext("status") == "closed"
    assert "救助金" not in root[0].findtext("status_notes", "")  # the status, not the case

    # Anyone else's token, or a forged one, opens nothing of it.
    [theirs] = json_of(await anonymous_client.get(f"{BASE}/tokens/{other['token']}.json"))
    assert theirs["service_request_id"] == other["service_request_id"]
    _, mac = token.rsplit("-", 1)
    _, other_mac = other["token"].rsplit("-", 1)
    for forged in (f"{public_id}-{other_mac}", f"{public_id}-{mac[:-1]}0", f"{public_id}-",
                   f"{other['service_request_id']}-{mac}", mac):  # fmt: skip
        if forged == token:
            continue
        assert_error(await anonymous_client.get(f"{BASE}/tokens/{forged}.json"), 404, "json")


async def test_a_retried_filing_gets_the_same_token(
    anonymous_client: httpx.AsyncClient, world
) -> None:
    form = {"api_key": world["api_key"], "service_code": "civil_assistance",
            "description": "高龄补贴申请", "lat": str(LAT + 0.006), "long": str(LON + 0.004)}
    key = {"Idempotency-Key": "hotline-call-42"}
    first, again = [
        await anonymous_client.post(f"{BASE}/requests.json", data=form, headers=key)
        for _ in range(2)
    ]  # fmt: skip
    assert first.status_code == again.status_code == 200, first.text
    assert json_of(first) == json_of(again)


async def test_an_unknown_id_or_token_is_not_echoed(
    anonymous_client: httpx.AsyncClient, world
) -> None:
    # Whatever a client puts in the path (here an ID number) does not come back in the error.
    for path in ("requests/11010519491231002X", "tokens/11010519491231002X"):
        for fmt in ("json", "xml"):
            response = await anonymous_client.get(f"{BASE}/{path}.{fmt}")
            assert_error(response, 404, fmt)
            assert "11010519491231002X" not in response.text


# --- coarse ----------------------------------------------------------------------------


async def test_a_coarse_request_shows_no_address_no_text_no_photo_and_a_point_near_100_m(
    anonymous_client: httpx.AsyncClient, world
) -> None:
    # Two complaints from two doors some 40 m apart, near the same point of a 0.001° grid.
    points = [("36.0762", "120.3842"), ("36.0764", "120.3838")]
    filed = [
        (await file(anonymous_client, world, "noise", f"{door}楼上夜间施工", lat=lat, long=lon,
                    address_string=f"海军路88号{door}",
                    media_url="https://img.example.cn/door.jpg"))["service_request_id"]
        for door, (lat, lon) in zip(("3单元501", "5单元202"), points, strict=True)
    ]  # fmt: skip
    shown = {}
    for public_id in filed:
        [request] = json_of(await anonymous_client.get(f"{BASE}/requests/{public_id}.json"))
        assert request["address"] is None and request["description"] is None
        assert request["media_url"] is None
        shown[public_id] = (request["lat"], request["long"])
    for public_id, (lat, lon) in zip(filed, points, strict=True):
        shown_lat, shown_lon = shown[public_id]
        north_m = (shown_lat - float(lat)) * 111_320
        east_m = (shown_lon - float(lon)) * 111_320 * math.cos(math.radians(float(lat)))
        assert 0 < math.hypot(north_m, east_m) <= 80  # moved, by less than half a cell
    assert shown[filed[0]] == shown[filed[1]]  # the point no longer tells the doors apart
    listed = await anonymous_client.get(f"{BASE}/requests.xml")
    for secret in ("3单元501", "5单元202", "door.jpg", "120.3842", "36.0764"):
        assert secret not in listed.text


async def test_a_public_request_keeps_its_place_and_masked_text(
    anonymous_client: httpx.AsyncClient, world
) -> None:
    filed = await file(anonymous_client, world, "sanitation", "垃圾满溢，联系13912345678",
                       media_url="https://img.example.cn/bin.jpg")  # fmt: skip
    public_id = filed["service_request_id"]
    [request] = json_of(await anonymous_client.get(f"{BASE}/requests/{public_id}.json"))
    assert request["address"] == "海军路88号"
    assert request["description"] == "垃圾满溢，联系139****5678"
    assert (request["lat"], request["long"]) == (LAT + 0.006, LON + 0.004)
    assert request["media_url"] == "https://img.example.cn/bin.jpg"


# --- channels ----------------------------------------------------------------------------


@pytest.mark.parametrize("channel", ["grid_app", "info_collector", "partner"])
async def test_reports_from_inside_are_never_public(
    anonymous_client: httpx.AsyncClient, client: httpx.AsyncClient,
    connection: AsyncConnection, world, channel: str,
) -> None:  # fmt: skip
    body = {"category_code": "sanitation", "channel": channel, "title": "巡查发现",
            "description": "巡查：5号楼独居老人家门口堆放垃圾", "lon": LON + 0.004,
            "lat": LAT + 0.006, "address": "海军路88号5单元"}  # fmt: skip
    response = await client.post("/api/v1/tickets", json=body)
    assert response.status_code == 201, response.text
    public_id = response.json()["public_id"]
    await publish(connection, public_id, "已清理")
    for answer in await every_public_read(anonymous_client, world, public_id, "sanitation"):
        assert public_id not in answer and "独居老人" not in answer
    assert_error(await anonymous_client.get(f"{BASE}/requests/{public_id}.json"), 404, "json")
    assert_error(await anonymous_client.get(f"{BASE}/tokens/{public_id}.json"), 404, "json")


# --- internal notes ----------------------------------------------------------------------


async def test_staff_reasons_for_a_rejection_or_a_merge_never_leave(
    anonymous_client: httpx.AsyncClient, client: httpx.AsyncClient,
    connection: AsyncConnection, world,
) -> None:  # fmt: skip
    kept, rejected, merged = [
        (await file(anonymous_client, world, "sanitation", f"垃圾未清运{i}"))["service_request_id"]
        for i in range(3)
    ]
    ids = dict((await connection.execute(text("SELECT public_id, id FROM tickets"))).all())
    reason = "内部：反映人系上访老户，不予理会"
    note = "内部：与张建军的重复投诉"
    done = await client.post(f"/api/v1/tickets/{ids[rejected]}/actions/reject",
                             json={"reason": reason, "note": note})  # fmt: skip
    assert done.status_code == 200, done.text
    done = await client.post(f"/api/v1/tickets/{ids[merged]}/actions/merge",
                             json={"into_ticket_id": ids[kept], "note": note})  # fmt: skip
    assert done.status_code == 200, done.text

    answers = [await anonymous_client.get(f"{BASE}/requests.{fmt}") for fmt in ("json", "xml")]
    answers += [await anonymous_client.get(f"{BASE}/requests/{p}.xml") for p in (rejected, merged)]
    for response in answers:
        assert response.status_code == 200
        for secret in ("上访", "张建军", "内部"):
            assert secret not in response.text
    by_id = {r["service_request_id"]: r for r in json_of(
        await anonymous_client.get(f"{BASE}/requests.json")
    )}  # fmt: skip
    assert by_id[rejected]["status_notes"] == "不予受理"
    assert by_id[merged]["status_notes"] == "与其他诉求合并办理"


# --- paging ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"page": "21"},  # beyond the 4,000 newest of a window (20 pages of 200)
        {"page": "21", "page_size": "1"},
        {"page": "9223372036854775808"},
        {"page": str(10**30), "page_size": "200"},
        {"page_size": "201"},
        {"page_size": "-1"},
    ],
)
async def test_paging_beyond_its_bound_is_refused(
    anonymous_client: httpx.AsyncClient, world, params: dict[str, str]
) -> None:
    for fmt in ("json", "xml"):
        response = await anonymous_client.get(f"{BASE}/requests.{fmt}", params=params)
        description = assert_error(response, 400, fmt)
        assert "page" in description


async def test_the_last_page_within_the_bound_is_answered(
    anonymous_client: httpx.AsyncClient, world
) -> None:
    assert await ids_of(anonymous_client, page="20", page_size="200") == []
