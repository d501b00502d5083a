"""The Open311 GeoReport v2 facade on real PostgreSQL: both formats, element names as the
specification lays them out, errors in its format, api_key, and no requester data ever."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from partygrid.domain.access import Scope, system_actor
from partygrid.repo.uow import UnitOfWork
from tests.fixtures.open311 import (
    BASE,
    INSIDE,
    REQUEST_FIELDS,
    assert_error,
    filed,
    ids_of,
    json_of,
    post_request,
    set_ticket,
    world,
    xml_of,
)

__all__ = ["world"]  # the fixture, imported for pytest

# --- services ---------------------------------------------------------------------------


async def test_services_in_json_and_xml(anonymous_client: httpx.AsyncClient, world) -> None:
    services = json_of(await anonymous_client.get(f"{BASE}/services.json"))
    litter = next(s for s in services if s["service_code"] == "city.litter")
    assert litter == {
        "service_code": "city.litter", "service_name": "市容环境", "description": "市容环境问题",
        "metadata": True, "type": "realtime", "keywords": "市容环境", "group": "城市管理",
    }  # fmt: skip
    assert next(s for s in services if s["service_code"] == "road.pothole")["metadata"] is False

    root = xml_of(await anonymous_client.get(f"{BASE}/services.xml"))
    assert root.tag == "services" and {child.tag for child in root} == {"service"}
    assert len(root) == len(services)
    service = next(s for s in root if s.findtext("service_code") == "city.litter")
    assert [c.tag for c in service] == [
        "service_code", "service_name", "description", "metadata", "type", "keywords", "group"
    ]  # fmt: skip
    assert (service.findtext("metadata"), service.findtext("service_name")) == ("true", "市容环境")


async def test_a_service_definition_lists_its_attributes(
    anonymous_client: httpx.AsyncClient, world
) -> None:
    body = json_of(await anonymous_client.get(f"{BASE}/services/city.litter.json"))
    assert body["service_code"] == "city.litter"
    severity, area = body["attributes"]
    assert severity == {
        "variable": True, "code": "severity", "datatype": "singlevaluelist", "required": True,
        "datatype_description": None, "order": 1, "description": "严重程度",
        "values": [{"key": "minor", "name": "minor"}, {"key": "major", "name": "major"}],
    }  # fmt: skip
    assert area["datatype"] == "number" and "values" not in area

    root = xml_of(await anonymous_client.get(f"{BASE}/services/city.litter.xml"))
    assert root.tag == "service_definition"
    assert [c.tag for c in root] == ["service_code", "attributes"]
    attributes = root.find("attributes")
    assert attributes is not None and [a.tag for a in attributes] == ["attribute", "attribute"]
    values = attributes[0].find("values")
    assert values is not None and [v.tag for v in values] == ["value", "value"]
    assert [(v.findtext("key"), v.findtext("name")) for v in values] == [
        ("minor", "minor"), ("major", "major")
    ]  # fmt: skip
    assert attributes[0].findtext("required") == "true"


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_an_unknown_service_is_404_in_the_error_format(
    anonymous_client: httpx.AsyncClient, world, fmt: str
) -> None:
    response = await anonymous_client.get(f"{BASE}/services/no.such.{fmt}")
    assert "no.such" in assert_error(response, 404, fmt)


async def test_a_format_other_than_json_or_xml_is_not_a_resource(
    anonymous_client: httpx.AsyncClient, world
) -> None:
    for path in ("/services.csv", "/services.JSON", "/requests.html", "/services/city.litter.yaml"):
        assert "json or xml" in assert_error(await anonymous_client.get(BASE + path), 404, "xml")


# --- POST requests ----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_a_posted_request_is_a_normal_ticket_routed_to_its_grid(
    anonymous_client: httpx.AsyncClient, client: httpx.AsyncClient, connection: AsyncConnection,
    world, fmt: str,
) -> None:  # fmt: skip
    response = await post_request(anonymous_client, world, fmt)
    assert response.status_code == 200, response.text
    if fmt == "json":
        [created] = json_of(response)
        assert set(created) == {"service_request_id", "token", "service_notice", "account_id"}
        public_id = created["service_request_id"]
        assert created["account_id"] is None and created["service_notice"]
    else:
        root = xml_of(response)
        assert root.tag == "service_requests" and [r.tag for r in root] == ["request"]
        assert [c.tag for c in root[0]] == [
            "service_request_id", "token", "service_notice", "account_id"
        ]  # fmt: skip
        public_id = root[0].findtext("service_request_id")
    ticket_id = (
        await connection.execute(
            text("SELECT id FROM tickets WHERE public_id = :p"), {"p": public_id}
        )
    ).scalar_one()
    ticket = (await client.get(f"/api/v1/tickets/{ticket_id}")).json()
    assert ticket["public_id"] == public_id
    assert ticket["channel"] == "open311"
    assert ticket["grid_id"] == world["grid"]["id"]
    assert ticket["category_code"] == "city.litter"
    assert ticket["attributes"] == {"severity": "major", "area_m2": 12}


async def test_the_api_key_is_required_and_checked(
    anonymous_client: httpx.AsyncClient, connection: AsyncConnection, world
) -> None:
    key_id, secret = world["api_key"].split(".", 1)
    for fmt in ("json", "xml"):
        for api_key in ("", "nonsense", f"{key_id}.{secret}x", f"pk-unknown.{secret}", key_id):
            response = await post_request(anonymous_client, world, fmt, api_key=api_key)
            assert "api_key" in assert_error(response, 403, fmt)
        form = {"service_code": "city.litter", "description": "无钥匙", **INSIDE}
        response = await anonymous_client.post(f"{BASE}/requests.{fmt}", data=form)
        assert_error(response, 403, fmt)
    assert (await connection.execute(text("SELECT count(*) FROM tickets"))).scalar_one() == 0


@pytest.mark.parametrize(
    ("fields", "status", "says"),
    [
        ({"service_code": ""}, 400, "service_code"),
        ({"service_code": "no.such"}, 404, "service_code"),
        ({"lat": "", "long": ""}, 400, "lat and long"),
        ({"lat": "north", "long": "east"}, 400, "lat and long"),
        ({"long": ""}, 400, "lat and long"),
        ({"attribute[severity]": "enormous"}, 400, "severity"),
        ({"attribute[severity]": ""}, 400, "severity"),
        ({"description": "x" * 4001}, 400, "description"),
        ({"long": "121.5", "lat": "31.2"}, 400, "grid"),  # Shanghai: no grid of ours there
    ],
)
async def test_a_bad_request_is_400_and_files_nothing(
    anonymous_client: httpx.AsyncClient, connection: AsyncConnection, world,
    fields: dict[str, str], status: int, says: str,
) -> None:  # fmt: skip
    for fmt in ("json", "xml"):
        response = await post_request(anonymous_client, world, fmt, **fields)
        assert says in assert_error(response, status, fmt)
    assert (await connection.execute(text("SELECT count(*) FROM tickets"))).scalar_one() == 0


# --- GET requests -----------------------------------------------------------------------


async def test_requests_are_found_by_their_filters(
    anonymous_client: httpx.AsyncClient, connection: AsyncConnection, world
) -> None:
    now = datetime.now(UTC)
    first = await filed(anonymous_client, world)
    second = await filed(anonymous_client, world, service_code="road.pothole",
                         description="路面塌陷一处")  # fmt: skip
    third = await filed(anonymous_client, world, description="垃圾桶破损")
    await set_ticket(connection, first, created_at=now - timedelta(days=30))
    await set_ticket(connection, third, state="published", public_result="已更换新垃圾桶",
                     published_at=now, created_at=now - timedelta(days=120))  # fmt: skip

    # Default window: the last 90 days, newest first.
    assert await ids_of(anonymous_client) == [second, first]
    assert await ids_of(anonymous_client, service_code="road.pothole") == [second]
    assert await ids_of(anonymous_client, service_code="road.pothole,city.litter") == [
        second, first
    ]  # fmt: skip
    assert await ids_of(anonymous_client, status="open") == [second, first]
    assert await ids_of(anonymous_client, status="closed") == []
    old = {"start_date": (now - timedelta(days=125)).isoformat(),
           "end_date": (now - timedelta(days=60)).isoformat()}  # fmt: skip
    assert await ids_of(anonymous_client, **old) == [third]
    assert await ids_of(anonymous_client, status="closed", **old) == [third]
    recent = {"start_date": (now - timedelta(days=40)).isoformat(),
              "end_date": (now - timedelta(days=20)).isoformat()}  # fmt: skip
    assert await ids_of(anonymous_client, **recent) == [first]
    # Ids override every other filter, the old one included.
    listed = await ids_of(anonymous_client, service_request_id=f"{third},{first}",
                          status="open")  # fmt: skip
    assert sorted(listed) == sorted([third, first])
    assert await ids_of(anonymous_client, page_size="1") == [second]
    assert await ids_of(anonymous_client, page_size="1", page="2") == [first]


@pytest.mark.parametrize(
    "params",
    [
        {"status": "pending"},
        {"start_date": "yesterday"},
        {"start_date": "2026-01-01T00:00:00+08:00", "end_date": "2026-06-01T00:00:00+08:00"},
        {"start_date": "2026-06-01T00:00:00+08:00", "end_date": "2026-01-01T00:00:00+08:00"},
        {"page_size": "1001"},
        {"page": "0"},
        {"page": "first"},
    ],
)
async def test_bad_filters_are_400(anonymous_client: httpx.AsyncClient, params) -> None:
    for fmt in ("json", "xml"):
        response = await anonymous_client.get(f"{BASE}/requests.{fmt}", params=params)
        assert_error(response, 400, fmt)


async def test_one_request_in_both_formats(
    anonymous_client: httpx.AsyncClient, connection: AsyncConnection, world
) -> None:
    public_id = await filed(anonymous_client, world, media_url="https://img.example.cn/1.jpg")
    deadline = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    await set_ticket(connection, public_id, deadline_at=deadline,
                     handling_org_id=world["community"]["id"])  # fmt: skip
    [request] = json_of(await anonymous_client.get(f"{BASE}/requests/{public_id}.json"))
    assert list(request) == REQUEST_FIELDS
    assert request["service_request_id"] == public_id
    assert (request["status"], request["status_notes"]) == ("open", "已接收，等待受理")
    assert (request["service_code"], request["service_name"]) == ("city.litter", "市容环境")
    assert request["agency_responsible"] == world["community"]["name"]
    assert request["expected_datetime"] == "2026-12-01T17:30:00+08:00"
    assert request["requested_datetime"].endswith("+08:00")
    assert (request["lat"], request["long"]) == (float(INSIDE["lat"]), float(INSIDE["long"]))
    assert request["address"] == "海军路88号"
    assert request["media_url"] == "https://img.example.cn/1.jpg"
    assert request["description"] == "小区门口垃圾堆放三天无人清运，联系电话139****5678"
    assert (request["address_id"], request["zipcode"]) == (None, None)

    root = xml_of(await anonymous_client.get(f"{BASE}/requests/{public_id}.xml"))
    assert root.tag == "service_requests" and [r.tag for r in root] == ["request"]
    assert [c.tag for c in root[0]] == REQUEST_FIELDS
    assert root[0].findtext("expected_datetime") == "2026-12-01T17:30:00+08:00"
    assert root[0].findtext("zipcode") == ""  # null: an empty element

    [token] = json_of(await anonymous_client.get(f"{BASE}/tokens/{public_id}.json"))
    assert token == {"service_request_id": public_id, "token": public_id, "status": "open",
                     "status_notes": "已接收，等待受理"}  # fmt: skip


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_an_unknown_request_or_token_is_404(
    anonymous_client: httpx.AsyncClient, world, fmt: str
) -> None:
    assert_error(await anonymous_client.get(f"{BASE}/requests/999999999999.{fmt}"), 404, fmt)
    assert_error(await anonymous_client.get(f"{BASE}/tokens/abc.{fmt}"), 404, fmt)


async def test_closed_statuses_carry_their_public_note(
    anonymous_client: httpx.AsyncClient, connection: AsyncConnection, world
) -> None:
    published = await filed(anonymous_client, world)
    resolved = await filed(anonymous_client, world, description="第二件")
    await set_ticket(connection, published, state="published", published_at=datetime.now(UTC),
                     public_result="已清运，联系人13912345678")  # fmt: skip
    await set_ticket(connection, resolved, state="resolved", resolution="内部处理记录")
    by_id = {r["service_request_id"]: r for r in json_of(
        await anonymous_client.get(f"{BASE}/requests.json")
    )}  # fmt: skip
    assert by_id[published]["status"] == "closed"
    assert by_id[published]["status_notes"] == "已办结并公示：已清运，联系人139****5678"
    assert by_id[resolved]["status"] == "closed"
    assert "内部处理记录" not in by_id[resolved]["status_notes"]


async def test_no_requester_data_in_any_open311_answer(
    anonymous_client: httpx.AsyncClient, world
) -> None:
    ids = [await filed(anonymous_client, world) for _ in range(2)]
    answers = [await post_request(anonymous_client, world, fmt) for fmt in ("json", "xml")]
    for fmt in ("json", "xml"):
        answers.append(await anonymous_client.get(f"{BASE}/requests.{fmt}"))
        answers.append(await anonymous_client.get(f"{BASE}/requests/{ids[0]}.{fmt}"))
        answers.append(await anonymous_client.get(f"{BASE}/services.{fmt}"))
    for response in answers:
        assert response.status_code == 200
        body = response.content.decode()
        for secret in ("13912345678", "秀英", "王秀英", "wang.xiuying"):
            assert secret not in body, (secret, body)


async def test_validation_inside_the_facade_is_not_problem_json(
    anonymous_client: httpx.AsyncClient, world
) -> None:
    response = await anonymous_client.get(f"{BASE}/requests.json", params={"page": "x"})
    assert_error(response, 400, "json")
    response = await anonymous_client.get(f"{BASE}/nothing-here.xml")
    assert_error(response, 404, "xml")
    outside = await anonymous_client.get("/api/v1/nothing-here")
    assert outside.headers["content-type"] == "application/problem+json"


def test_every_open311_route_declares_its_access() -> None:
    from partygrid.config import Environment, Settings
    from partygrid.main import create_app
    from tests.access.test_route_permissions_api import declared_access

    declared = declared_access(create_app(Settings(environment=Environment.test)))
    assert {route: access for route, access in declared.items() if "open311" in route[1]} == {
        ("GET", f"{BASE}/services.{{response_format}}"): ("public",),
        ("GET", f"{BASE}/services/{{service_code}}.{{response_format}}"): ("public",),
        ("GET", f"{BASE}/requests.{{response_format}}"): ("public",),
        ("GET", f"{BASE}/requests/{{service_request_id}}.{{response_format}}"): ("public",),
        ("GET", f"{BASE}/tokens/{{token}}.{{response_format}}"): ("public",),
        # Authenticated by its api_key form field, which must belong to a client allowed
        # to submit tickets.
        ("POST", f"{BASE}/requests.{{response_format}}"): ("ticket:submit",),
    }


async def test_a_rejection_and_a_merge_say_so_without_staff_reasons(
    anonymous_client: httpx.AsyncClient, connection: AsyncConnection, uow: UnitOfWork,
    district: dict[str, Any], world,
) -> None:  # fmt: skip
    from partygrid.domain.tickets.workflow import TicketAction
    from partygrid.services.tickets.actions import act_on_ticket

    kept, rejected, duplicate = [await filed(anonymous_client, world) for _ in range(3)]
    ids = dict((await connection.execute(text("SELECT public_id, id FROM tickets"))).all())
    actor = system_actor(Scope(org_paths=(district["path"],)))
    await act_on_ticket(
        uow, actor=actor, ticket_id=ids[rejected], action=TicketAction.reject,
        command={"reason": "不属于受理范围，请拨打13900001111咨询"}, expected_version=None,
    )  # fmt: skip
    await act_on_ticket(
        uow, actor=actor, ticket_id=ids[duplicate], action=TicketAction.merge,
        command={"into_ticket_id": ids[kept]}, expected_version=None,
    )  # fmt: skip
    by_id = {r["service_request_id"]: r for r in json_of(
        await anonymous_client.get(f"{BASE}/requests.json")
    )}  # fmt: skip
    assert by_id[rejected]["status"] == by_id[duplicate]["status"] == "closed"
    # Fixed words: a reason is written for colleagues and may name people.
    assert by_id[rejected]["status_notes"] == "不予受理"
    assert by_id[duplicate]["status_notes"] == "与其他诉求合并办理"
    assert by_id[kept]["status"] == "open"
