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

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.fixtures.open311 import (
    BASE,
    json_of,
    post_request,
    set_ticket,
    world,
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
