"""Role x route: each role gets exactly what ROLE_PERMISSIONS grants (403 otherwise), and
a role without a scope sees nothing at all."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import count
from typing import Any

import httpx
import pytest

from partygrid.domain.access import ROLE_PERMISSIONS, Permission, Role
from tests.fixtures.builders import make_street_tree
from tests.grids.test_grids_api import make_grid, square
from tests.platform.test_identity import make_id

P = Permission
_names = count(1)


@dataclass(frozen=True)
class Call:
    method: str
    url: str  # formatted with the world's ids
    ok: int
    body: dict[str, Any] | None = None

    def body_for(self, world: dict[str, int]) -> dict[str, Any] | None:
        if self.body is None:
            return None
        n = next(_names)
        return {k: (v.format(n=n, **world) if isinstance(v, str) else v)
                for k, v in self.body.items()}  # fmt: skip


# A read and a write of every feature, and a report: one representative route each.
CALLS: dict[Permission, list[Call]] = {
    P.org_read: [
        Call("GET", "/api/v1/organizations/{community}", 200),
        Call("GET", "/api/v1/organizations", 200),
    ],
    P.org_write: [
        Call("POST", "/api/v1/organizations", 201,
             {"kind": "building_group", "name": "楼院党小组{n}", "parent_id": "{branch}"}),
        Call("PATCH", "/api/v1/organizations/{group}", 200, {"description": "说明{n}"}),
    ],
    P.grid_read: [
        Call("GET", "/api/v1/grids/{grid}", 200),
        Call("GET", "/api/v1/grids/{grid}/staff", 200),
    ],
    P.grid_write: [
        Call("PATCH", "/api/v1/grids/{grid}", 200, {"name": "网格{n}"}),
        Call("POST", "/api/v1/grids/{grid}/staff", 201,
             {"role": "info_collector", "person_name": "环卫工{n}"}),
    ],
    P.member_read: [
        Call("GET", "/api/v1/members/{member}", 200),
        Call("GET", "/api/v1/members/{member}/transfers", 200),
    ],
    P.member_write: [
        Call("PATCH", "/api/v1/members/{member}", 200, {"post": "楼栋长{n}"}),
    ],
    P.report_read: [
        Call("GET", "/api/v1/reports/counts", 200),
        Call("GET", "/api/v1/reports/coverage", 200),
    ],
    P.ticket_read: [
        Call("GET", "/api/v1/tickets/{ticket}", 200),
        Call("GET", "/api/v1/tickets", 200),
    ],
    P.ticket_submit: [
        Call("POST", "/api/v1/tickets", 201,
             {"category_code": "noise", "channel": "hotline", "title": "噪音{n}",
              "description": "夜间施工", "lon": 121.005, "lat": 31.005}),
    ],
    P.ticket_handle: [
        Call("POST", "/api/v1/tickets/{ticket}/actions/comment", 200, {"note": "记录{n}"}),
    ],
    P.ticket_supervise: [
        Call("POST", "/api/v1/tickets/{ticket}/actions/supervise", 200, {"level": "yellow"}),
    ],
    P.catalogue_manage: [
        Call("POST", "/api/v1/service-categories", 201,
             {"code": "cat-{n}", "name": "类别{n}", "default_type": "time_limited"}),
    ],
}  # fmt: skip


def _ids(body: dict[str, Any] | None) -> dict[str, Any] | None:
    """Numbers that were formatted into strings go back to numbers."""
    if body is None:
        return None
    return {k: int(v) if isinstance(v, str) and v.isdigit() else v for k, v in body.items()}


@pytest.fixture
async def world(client: httpx.AsyncClient, catalogue: list[str]) -> dict[str, int]:
    tree = await make_street_tree(client)
    grid = await make_grid(client, tree["community"]["id"], square(121.0, 31.0))
    response = await client.post(
        "/api/v1/members",
        json={"name": "张丽华", "id_number": make_id(seq="901"), "category": "resident",
              "organization_id": tree["branch"]["id"], "grid_id": grid["id"]},
    )  # fmt: skip
    assert response.status_code == 201, response.text
    ticket = await client.post(
        "/api/v1/tickets",
        json={"category_code": "noise", "channel": "grid_app", "title": "广场舞噪音",
              "description": "晚间音响过大", "grid_id": grid["id"]},
    )  # fmt: skip
    assert ticket.status_code == 201, ticket.text
    return {
        "district": tree["district"]["id"], "street": tree["street"]["id"],
        "community": tree["community"]["id"], "branch": tree["branch"]["id"],
        "group": tree["group"]["id"], "grid": grid["id"], "member": response.json()["id"],
        "ticket": ticket.json()["id"],
    }  # fmt: skip


async def call(
    client: httpx.AsyncClient, c: Call, world: dict[str, int], headers: dict[str, str]
) -> httpx.Response:
    return await client.request(
        c.method, c.url.format(**world), json=_ids(c.body_for(world)), headers=headers
    )


@pytest.mark.parametrize("role", list(Role), ids=str)
async def test_each_role_gets_exactly_its_permissions(
    role: Role, client: httpx.AsyncClient, world: dict[str, int], login_as
) -> None:
    headers = await login_as(role.value, orgs=[world["district"]])
    granted = ROLE_PERMISSIONS[role]
    for permission, calls in CALLS.items():
        for c in calls:
            response = await call(client, c, world, headers)
            expected = c.ok if permission in granted else 403
            assert response.status_code == expected, (role, c, response.text)
            if expected == 403:
                body = response.json()
                assert body["code"] == "forbidden"
                assert response.headers["content-type"] == "application/problem+json"
                assert permission.value in body["detail"]


@pytest.mark.parametrize("role", [r for r in Role if ROLE_PERMISSIONS[r] & set(CALLS)], ids=str)
async def test_a_role_without_a_scope_sees_nothing(
    role: Role, client: httpx.AsyncClient, world: dict[str, int], login_as
) -> None:
    headers = await login_as(role.value)
    granted = ROLE_PERMISSIONS[role]
    lists = {P.org_read: "/api/v1/organizations", P.grid_read: "/api/v1/grids",
             P.member_read: "/api/v1/members", P.ticket_read: "/api/v1/tickets"}  # fmt: skip
    for permission, url in lists.items():
        if permission in granted:
            response = await client.get(url, headers=headers)
            assert response.status_code == 200, response.text
            assert response.json()["items"] == []
    for permission, calls in CALLS.items():
        if permission not in granted or permission is P.report_read:
            continue
        for c in calls:
            if c.method == "GET" and c.url.endswith(("/organizations", "/tickets")):
                continue
            response = await call(client, c, world, headers)
            if c.method == "POST" and c.url == "/api/v1/organizations":
                # The parent does not exist for this caller: the same rule as a missing one.
                assert response.status_code == 422, response.text
                assert response.json()["rule"] == "parent-exists"
            elif c.method == "POST" and c.url == "/api/v1/tickets":
                # Routed among all grids, then refused: the grid is not the caller's.
                assert response.status_code == 422, response.text
                assert response.json()["rule"] == "location-outside-scope"
            elif c.url == "/api/v1/service-categories":
                assert response.status_code == 201, response.text  # the catalogue is global
            else:
                assert response.status_code == 404, (role, c, response.text)
    if P.report_read in granted:
        counts = (await client.get("/api/v1/reports/counts", headers=headers)).json()
        assert counts["organizations_by_kind"] == {} == counts["members_by_category"]
        assert counts["grids_total"] == 0
        under = await client.get(
            "/api/v1/reports/counts", params={"under": world["street"]}, headers=headers
        )
        assert under.status_code == 404


async def test_no_credentials_is_401_on_every_representative_route(
    anonymous_client: httpx.AsyncClient, client: httpx.AsyncClient, world: dict[str, int]
) -> None:
    for calls in CALLS.values():
        for c in calls:
            response = await call(anonymous_client, c, world, {})
            assert response.status_code == 401, (c, response.text)
            assert response.json()["code"] == "unauthenticated"
            assert response.headers["www-authenticate"].startswith("Bearer")
