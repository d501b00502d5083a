"""Fixtures and calls shared by the Open311 facade's tests."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from partygrid.domain.access import Scope, system_actor
from partygrid.repo.uow import UnitOfWork
from partygrid.services.api_clients import create_client, grant_client_scope
from tests.builders import make_street_tree

BASE = "/open311/v2"
LON, LAT = 120.38, 36.07
INSIDE = {"long": f"{LON + 0.004}", "lat": f"{LAT + 0.006}"}
REQUESTER = {"first_name": "秀英", "last_name": "王", "phone": "13912345678",
             "email": "wang.xiuying@example.cn"}  # fmt: skip
REQUEST_FIELDS = [
    "service_request_id", "status", "status_notes", "service_name", "service_code",
    "description", "agency_responsible", "service_notice", "requested_datetime",
    "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat", "long",
    "media_url",
]  # fmt: skip


def square(lon: float = LON, lat: float = LAT, side: float = 0.01) -> dict[str, Any]:
    ring = [[lon, lat], [lon + side, lat], [lon + side, lat + side], [lon, lat + side], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


async def add_category(connection: AsyncConnection, code: str, name: str, **extra: Any) -> None:
    values = {"description": f"{name}问题", "group_name": "城市管理", "keywords": [name],
              "default_type": "time_limited", "attributes": [], **extra}  # fmt: skip
    await connection.execute(
        text(
            "INSERT INTO service_categories (code, name, description, group_name, keywords, "
            "default_type, attributes) VALUES (:code, :name, :description, :group_name, "
            ":keywords, :default_type, CAST(:attributes AS jsonb))"
        ),
        {**values, "code": code, "name": name, "attributes": json.dumps(values["attributes"])},
    )


ATTRIBUTES = [
    {"code": "severity", "datatype": "singlevaluelist", "required": True,
     "description": "严重程度", "values": ["minor", "major"], "order": 1},
    {"code": "area_m2", "datatype": "number", "required": False, "description": "面积",
     "values": [], "order": 2},
]  # fmt: skip


@pytest.fixture
async def world(client: httpx.AsyncClient, connection: AsyncConnection, uow: UnitOfWork,
                sessionmaker, keyring) -> dict[str, Any]:  # fmt: skip
    """A street with one community and grid, two services and an Open311 API client."""
    tree = await make_street_tree(client)
    response = await client.post("/api/v1/grids", json={
        "name": "海军路第一网格", "kind": "estate", "community_id": tree["community"]["id"],
        "boundary": square(), "serving_branch_id": tree["branch"]["id"],
    })  # fmt: skip
    assert response.status_code == 201, response.text
    await add_category(connection, "city.litter", "市容环境", attributes=ATTRIBUTES)
    await add_category(connection, "road.pothole", "道路设施", group_name="道路")
    admin = system_actor(Scope(), "test")
    made, secret = await create_client(UnitOfWork(sessionmaker, keyring), admin, name="12345热线")
    await grant_client_scope(
        UnitOfWork(sessionmaker, keyring), admin, client_id=made.id,
        organization_id=tree["street"]["id"], grid_id=None,
    )  # fmt: skip
    return {**tree, "grid": response.json(), "api_key": f"{made.key_id}.{secret}"}


def xml_of(response: httpx.Response) -> ET.Element:
    assert response.headers["content-type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(response.content)


def json_of(response: httpx.Response) -> Any:
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    return response.json()


def assert_error(response: httpx.Response, status: int, fmt: str) -> str:
    """The specification's error document with the status repeated as its code."""
    assert response.status_code == status, response.text
    if fmt == "json":
        [error] = json_of(response)
        assert set(error) == {"code", "description"} and error["code"] == status
        return error["description"]
    root = xml_of(response)
    assert root.tag == "errors" and [e.tag for e in root] == ["error"]
    assert [c.tag for c in root[0]] == ["code", "description"]
    assert root[0].findtext("code") == str(status)
    return root[0].findtext("description") or ""


async def post_request(
    anonymous_client: httpx.AsyncClient, world: dict[str, Any], fmt: str = "json", **fields: str
) -> httpx.Response:
    form = {"api_key": world["api_key"], "service_code": "city.litter",
            "description": "小区门口垃圾堆放三天无人清运，联系电话13912345678",
            "address_string": "海军路88号", **INSIDE, **REQUESTER, **fields}  # fmt: skip
    if form["service_code"] == "city.litter":  # the attributes its definition asks for
        form = {"attribute[severity]": "major", "attribute[area_m2]": "12", **form}
    return await anonymous_client.post(f"{BASE}/requests.{fmt}", data=form)


async def filed(anonymous_client: httpx.AsyncClient, world: dict[str, Any], **fields: str) -> str:
    response = await post_request(anonymous_client, world, **fields)
    assert response.status_code == 200, response.text
    return json_of(response)[0]["service_request_id"]


async def set_ticket(connection: AsyncConnection, public_id: str, **values: Any) -> None:
    assignments = ", ".join(f"{name} = :{name}" for name in values)
    await connection.execute(
        text(f"UPDATE tickets SET {assignments} WHERE public_id = :public_id"),
        {**values, "public_id": public_id},
    )


async def ids_of(anonymous_client: httpx.AsyncClient, **params: str) -> list[str]:
    response = await anonymous_client.get(f"{BASE}/requests.json", params=params)
    assert response.status_code == 200, response.text
    return [r["service_request_id"] for r in json_of(response)]
