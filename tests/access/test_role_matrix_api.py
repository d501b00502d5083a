"""Role x route, against the policy written out by hand in tests/access/policy.py (never
read from the permission table): each role gets exactly the permissions the README gives
it (403 otherwise), a role without a scope sees nothing at all, and every route of the
application answers each role and partner client as the policy says (T4)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import count
from typing import Any

import httpx
import pytest

from partygrid.config import Environment, Settings
from partygrid.domain.access import Permission, Role
from partygrid.main import create_app
from tests.access.policy import (
    API_KEY_SUBMIT,
    AUTHENTICATED,
    CLIENT_MOST,
    COLUMNS,
    HELD,
    PERMISSIONS,
    PUBLIC,
    ROLE_HOLDS,
    ROUTES,
)
from tests.fixtures.builders import make_street_tree
from tests.fixtures.partners import allow, make_partner, uow_factory
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
    P.member_reveal: [
        Call("POST", "/api/v1/members/{member}/reveal", 200,
             {"fields": ["phone"], "reason": "核实联系方式以便走访慰问"}),
    ],
    # Last: the member has left afterwards.
    P.member_depart: [
        Call("POST", "/api/v1/members/{member}/leave", 200, {"reason": "deceased"}),
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
    granted = ROLE_HOLDS[role.value]
    for permission, calls in CALLS.items():
        for c in calls:
            response = await call(client, c, world, headers)
            expected = c.ok if permission.value in granted else 403
            assert response.status_code == expected, (role, c, response.text)
            if expected == 403:
                body = response.json()
                assert body["code"] == "forbidden"
                assert response.headers["content-type"] == "application/problem+json"
                assert permission.value in body["detail"]


@pytest.mark.parametrize(
    "role", [r for r in Role if ROLE_HOLDS[r.value] & {p.value for p in CALLS}], ids=str
)
async def test_a_role_without_a_scope_sees_nothing(
    role: Role, client: httpx.AsyncClient, world: dict[str, int], login_as
) -> None:
    headers = await login_as(role.value)
    granted = {P(p) for p in ROLE_HOLDS[role.value]}
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


# --- the policy itself, asked of the running application ---------------------------------


def test_the_matrix_names_every_permission_there_is() -> None:
    """A new permission must get a row in the hand-written matrix before anything passes."""
    assert {p.value for p in Permission} == PERMISSIONS


@pytest.mark.parametrize("role", list(Role), ids=str)
async def test_each_role_holds_exactly_what_the_readme_gives_it(
    role: Role, client: httpx.AsyncClient, login_as
) -> None:
    me = await client.get("/api/v1/auth/me", headers=await login_as(role.value))
    assert me.status_code == 200, me.text
    assert set(me.json()["permissions"]) == ROLE_HOLDS[role.value]


async def test_a_partner_client_holds_what_it_was_given_up_to_the_partner_ceiling(
    client: httpx.AsyncClient, sessionmaker, keyring, login_as
) -> None:
    partner = await make_partner(uow_factory(sessionmaker, keyring))
    me = "/api/v1/auth/me"
    assert (await client.get(me, auth=partner.auth)).json()["permissions"] == []
    security = await login_as("security_admin")
    grants = f"/api/v1/api-clients/{partner.id}/permissions"
    for permission in sorted(PERMISSIONS):
        response = await client.post(grants, json={"permission": permission}, headers=security)
        expected = 201 if permission in CLIENT_MOST else 422
        assert response.status_code == expected, (permission, response.text)
    assert set((await client.get(me, auth=partner.auth)).json()["permissions"]) == CLIENT_MOST


# --- T4: every route x every role and partner client -------------------------------------

# Placeholder path values: ids that exist nowhere, so an allowed call is refused for the
# missing resource or the empty body, never for the caller's role.
PATH_VALUES = {
    "code": "no-such-category", "permission": "member:read", "year": "2031",
    "response_format": "json", "service_code": "no-such-service",
    "service_request_id": "T-NONE", "token": "T-NONE",
}  # fmt: skip
ABSENT_ID = "987654321"


def _url(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: PATH_VALUES.get(m.group(1), ABSENT_ID), path)


def _served_routes() -> set[tuple[str, str]]:
    from tests.access.test_route_permissions_api import FRAMEWORK_PATHS, _contexts

    app = create_app(Settings(environment=Environment.test, database_url=None))
    return {
        (method, path)
        for path, methods, _ in _contexts(app)
        if path not in FRAMEWORK_PATHS
        for method in methods - {"HEAD", "OPTIONS"}
    }


def test_every_route_is_in_the_matrix() -> None:
    """app.routes only enumerates; what each route needs comes from policy.ROUTES."""
    served = _served_routes()
    missing, stale = sorted(served - set(ROUTES)), sorted(set(ROUTES) - served)
    print(f"T4 route coverage: {len(served)} routes served, {len(missing)} missing, "
          f"{len(stale)} in the matrix but not served")  # fmt: skip
    assert (missing, stale) == ([], [])


async def _ask(
    client: httpx.AsyncClient, method: str, path: str, credentials: dict[str, Any]
) -> httpx.Response:
    body = {} if method in {"POST", "PUT", "PATCH"} else None
    return await client.request(method, _url(path), json=body, **credentials)


COLUMN_IDS = list(COLUMNS)


@pytest.fixture
async def credentials_of(client: httpx.AsyncClient, login_as, sessionmaker, keyring, connection):
    """Column of the matrix → a fresh way to call as it (a new login or the client's auth)."""
    partners = {}

    async def make(column: str) -> dict[str, Any]:
        role = COLUMNS[column]
        if role is not None and role != "partner_system":
            return {"headers": await login_as(role)}
        if column not in partners:
            partner = await make_partner(uow_factory(sessionmaker, keyring), name=column)
            await allow(connection, partner, *HELD[column])
            partners[column] = partner
        return {"auth": partners[column].auth}

    return make


@pytest.mark.parametrize("column", COLUMN_IDS)
async def test_every_route_answers_each_caller_as_the_policy_says(
    column: str, client: httpx.AsyncClient, anonymous_client: httpx.AsyncClient,
    credentials_of, world: dict[str, int],
) -> None:  # fmt: skip
    """A permission the column lacks: 403 naming it. One it holds: neither 401 nor 403.
    Authenticated-only routes: anyone but the anonymous; public ones: anyone at all."""
    holds = HELD[column]
    caller = await credentials_of(column)
    deviations = []
    for (method, path), needs in sorted(ROUTES.items()):
        if needs == API_KEY_SUBMIT:
            continue  # below, with an api_key
        if needs == PUBLIC:
            response = await _ask(anonymous_client, method, path, {})
            if response.status_code in (401, 403):
                deviations.append((method, path, "public", response.status_code))
            continue
        if needs == AUTHENTICATED:
            anonymous = await _ask(anonymous_client, method, path, {})
            if anonymous.status_code != 401:
                deviations.append((method, path, "anonymous", anonymous.status_code))
            # A fresh login each time: logging out or changing a password ends it.
            response = await _ask(client, method, path, await credentials_of(column))
            if response.status_code in (401, 403):
                deviations.append((method, path, needs, response.status_code, response.text))
            continue
        response = await _ask(client, method, path, caller)
        if needs in holds:
            if response.status_code in (401, 403):
                deviations.append((method, path, f"holds {needs}", response.status_code,
                                   response.text))  # fmt: skip
        elif response.status_code != 403 or needs not in response.json().get("detail", ""):
            deviations.append((method, path, f"lacks {needs}", response.status_code,
                               response.text))  # fmt: skip
    print(f"T4 {column}: {len(ROUTES) - 1} routes, {len(deviations)} deviations")
    assert deviations == []


@pytest.mark.parametrize("column", ["partner", "client+"])
async def test_open311_posting_needs_an_api_key_allowed_to_submit(
    column: str, anonymous_client: httpx.AsyncClient, sessionmaker, keyring, connection
) -> None:
    partner = await make_partner(uow_factory(sessionmaker, keyring))
    await allow(connection, partner, *HELD[column])
    (path,) = [path for (_, path), needs in ROUTES.items() if needs == API_KEY_SUBMIT]
    response = await anonymous_client.post(_url(path), data={"api_key": partner.api_key})
    if "ticket:submit" in HELD[column]:
        assert response.status_code not in (401, 403), response.text
    else:
        assert response.status_code == 403, response.text
        assert "ticket:submit" in response.text
