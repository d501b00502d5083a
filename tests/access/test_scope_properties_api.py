"""Property: whatever the tree and whoever the caller, the lists return exactly the
caller's visible set and every other id reads as 404.

Each example builds a random organization tree under a fixed district (next to a second,
unrelated district), grids in random communities and members or tickets placed at
random, then a caller scoped to a random set of subtree roots and grids. The expected
sets are computed here in Python from the generated shape, independently of the SQL
under test. Every example runs inside a savepoint that is rolled back, so examples do
not see each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from partygrid.domain.members.model import MemberCategory, PartyMember
from partygrid.repo.uow import UnitOfWork
from tests.fixtures.ticket_rows import make_category

DISTRICT = -1  # parent index meaning "the fixed district root"
ELSEWHERE = -2  # parent index meaning "the other district", never in anyone's scope here
KINDS = ["street_working_committee", "community_committee", "grid_branch", "building_group"]
ADMIN = "district_admin"  # its inbox also holds what the roots of its scope handle
CALLER, SOMEONE = "caller", "someone"  # whom a ticket is assigned to


class TicketSpec(NamedTuple):
    grid: int | None  # grid index
    community: int | None  # organization index (DISTRICT, ELSEWHERE too): the grid's, if any
    handler: int | None  # organization index of the handling organization
    assignee: str | None  # CALLER, SOMEONE or nobody
    due: str  # late (overdue), soon (soon due) or closed


@dataclass(frozen=True)
class World:
    parents: list[int]  # parents[i] < i, or DISTRICT / ELSEWHERE
    grid_communities: list[int]  # organization index of each grid's community
    members: list[tuple[int | None, int | None]]  # (organization index, grid index)
    scope_roots: frozenset[int]  # organization indexes, DISTRICT for the whole district
    scope_grids: frozenset[int]  # grid indexes granted on their own
    tickets: tuple[TicketSpec, ...] = ()
    role: str = ADMIN

    def ancestry(self, i: int) -> list[int]:
        """``i`` and its ancestors among the generated nodes, then the district marker."""
        chain = [i]
        while chain[-1] >= 0:
            chain.append(self.parents[chain[-1]])
        return chain

    def org_visible(self, i: int) -> bool:
        return any(node in self.scope_roots for node in self.ancestry(i))

    def grid_visible(self, g: int) -> bool:
        return g in self.scope_grids or self.org_visible(self.grid_communities[g])

    def member_visible(self, m: int) -> bool:
        org, grid = self.members[m]
        return (org is not None and self.org_visible(org)) or (
            grid is not None and grid in self.scope_grids
        )

    def ticket_visible(self, t: int) -> bool:
        """Its community, handling organization or grid lies in the scope, or it is the
        caller's."""
        ticket = self.tickets[t]
        return (
            any(org is not None and self.org_visible(org)
                for org in (ticket.community, ticket.handler))
            or (ticket.grid is not None and self.grid_visible(ticket.grid))
            or ticket.assignee == CALLER
        )  # fmt: skip

    def in_inbox(self, t: int) -> bool:
        """Open and the caller's; for an admin also handled by a root of its scope (a
        root nested in another is no root of its own)."""
        ticket = self.tickets[t]
        roots = {r for r in self.scope_roots if not set(self.ancestry(r)[1:]) & self.scope_roots}
        mine = ticket.assignee == CALLER or (self.role == ADMIN and ticket.handler in roots)
        return ticket.due != "closed" and mine


@st.composite
def worlds(draw: st.DrawFn, *, members: bool = True, tickets: bool = False) -> World:
    n = draw(st.integers(1, 12))
    parents = [draw(st.integers(ELSEWHERE if i else DISTRICT, i - 1)) for i in range(n)]
    grids = draw(st.lists(st.integers(0, n - 1), max_size=6))
    grid_index = st.none() | st.integers(0, len(grids) - 1) if grids else st.none()
    placed = st.lists(st.tuples(st.none() | st.integers(0, n - 1), grid_index), max_size=8)
    roots = draw(st.frozensets(st.integers(DISTRICT, n - 1), max_size=3))
    granted = draw(st.frozensets(st.integers(0, len(grids) - 1), max_size=3)) if grids else None
    made: list[TicketSpec] = []
    if tickets:
        org = st.none() | st.integers(ELSEWHERE, n - 1)
        for _ in range(draw(st.integers(0, 8))):
            grid = draw(grid_index)
            made.append(TicketSpec(
                grid,
                grids[grid] if grid is not None else draw(org),
                draw(org),
                draw(st.sampled_from([None, CALLER, SOMEONE])),
                draw(st.sampled_from(["late", "soon", "closed"])),
            ))  # fmt: skip
    return World(
        parents, grids, draw(placed) if members else [], roots, granted or frozenset(),
        tuple(made), draw(st.sampled_from([ADMIN, "grid_worker"])) if tickets else ADMIN,
    )  # fmt: skip


async def _next_ids(connection: AsyncConnection, table: str, n: int) -> list[int]:
    if n == 0:
        return []
    rows = await connection.execute(
        text(
            f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, :n)"
        ),
        {"n": n},
    )
    return list(rows.scalars())


async def _root(connection: AsyncConnection, name: str) -> tuple[int, str]:
    (org_id,) = await _next_ids(connection, "organizations", 1)
    await connection.execute(
        text(
            "INSERT INTO organizations (id, kind, name, path) "
            "VALUES (:id, 'district_committee', :name, text2ltree(:path))"
        ),
        {"id": org_id, "name": name, "path": str(org_id)},
    )
    return org_id, str(org_id)


@dataclass
class Built:
    orgs: list[int]
    grids: list[int]
    members: list[int]


async def build(
    world: World,
    connection: AsyncConnection,
    uow: UnitOfWork,
    district: tuple[int, str],
    elsewhere: tuple[int, str],
) -> Built:
    """The world as rows: organizations and grids in two statements, members through the
    repository (which encrypts their personal data)."""
    org_ids = await _next_ids(connection, "organizations", len(world.parents))
    paths: list[str] = []
    rows: list[dict[str, Any]] = []
    for i, parent in enumerate(world.parents):
        top = {DISTRICT: district, ELSEWHERE: elsewhere}
        parent_id, parent_path = top[parent] if parent < 0 else (org_ids[parent], paths[parent])
        paths.append(f"{parent_path}.{org_ids[i]}")
        depth = paths[-1].count(".")
        rows.append({"id": org_ids[i], "kind": KINDS[min(depth, len(KINDS)) - 1],
                     "name": f"组织{i}", "parent": parent_id, "path": paths[-1]})  # fmt: skip
    await connection.execute(
        text(
            "INSERT INTO organizations (id, kind, name, parent_id, path) "
            "VALUES (:id, :kind, :name, :parent, text2ltree(:path))"
        ),
        rows,
    )
    grid_ids = await _next_ids(connection, "grids", len(world.grid_communities))
    if grid_ids:
        await connection.execute(
            text(
                "INSERT INTO grids (id, name, kind, community_id, boundary, boundary_geojson, "
                "area_m2, centroid_lon, centroid_lat) VALUES (:id, :name, 'courtyard', :c, "
                "polygon(CAST(:p AS text)), '{}'::jsonb, 1, 0, 0)"
            ),
            [
                {"id": gid, "name": f"网格{g}", "c": org_ids[c],
                 "p": f"(({g},0),({g + 1},0),({g + 1},1),({g},1))"}
                for g, (gid, c) in enumerate(zip(grid_ids, world.grid_communities, strict=True))
            ],
        )  # fmt: skip
    member_ids: list[int] = []
    async with uow:
        for m, (org, grid) in enumerate(world.members):
            member = await uow.members.add(
                PartyMember(
                    id=0, name=f"党员{m}", id_number=f"11010519800101{m:03d}X",
                    birth_date=date(1980, 1, 1), gender=None, category=MemberCategory.resident,
                    organization_id=None if org is None else org_ids[org],
                    grid_id=None if grid is None else grid_ids[grid],
                )
            )  # fmt: skip
            member_ids.append(member.id)
        await uow.commit()
    return Built(org_ids, grid_ids, member_ids)


async def listed(client: httpx.AsyncClient, url: str, headers: dict[str, str]) -> set[int]:
    response = await client.get(url, params={"limit": 200}, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["next_cursor"] is None
    return {item["id"] for item in body["items"]}


async def build_tickets(
    world: World,
    connection: AsyncConnection,
    built: Built,
    tops: dict[int, int],
    users: dict[str, int],
    category: str,
) -> list[int]:
    """The world's tickets as rows, in one statement: open ones due a day ago (overdue) or
    within the hour (soon due, by the default window), and closed ones."""
    ids = await _next_ids(connection, "tickets", len(world.tickets))
    if not ids:
        return ids
    now = datetime.now(UTC)
    due = {"late": now - timedelta(days=1), "soon": now + timedelta(hours=1),
           "closed": now - timedelta(days=1)}  # fmt: skip

    def org(i: int | None) -> int | None:
        return None if i is None else tops[i] if i < 0 else built.orgs[i]

    await connection.execute(
        text(
            "INSERT INTO tickets (id, public_id, type, category_code, channel, state, title, "
            "description, grid_id, community_id, handling_org_id, assignee_user_id, "
            "deadline_at, created_by_kind, version, created_at, updated_at) VALUES (:id, "
            ":public_id, 'time_limited', :category, 'grid_app', :state, '属性', '描述', :grid, "
            ":community, :handler, :assignee, :deadline, 'user', 1, :now, :now)"
        ),
        [
            {"id": ticket_id, "public_id": f"P{ticket_id}", "category": category,
             "state": "closed" if t.due == "closed" else "in_progress",
             "grid": None if t.grid is None else built.grids[t.grid],
             "community": org(t.community), "handler": org(t.handler),
             "assignee": users.get(t.assignee or ""), "deadline": due[t.due], "now": now}
            for ticket_id, t in zip(ids, world.tickets, strict=True)
        ],
    )  # fmt: skip
    return ids


@pytest.fixture
async def roots(connection: AsyncConnection) -> dict[str, tuple[int, str]]:
    return {
        "district": await _root(connection, "属性测试区委"),
        "elsewhere": await _root(connection, "另一个区委"),
    }


@pytest.fixture
async def category(connection: AsyncConnection) -> str:
    return await make_category(connection)


@pytest.fixture
async def someone(connection: AsyncConnection) -> int:
    """A user other than the caller, to assign tickets to."""
    return (
        await connection.execute(
            text(
                "INSERT INTO users (username, display_name, role, password_hash) "
                "VALUES ('prop-someone', '别人', 'grid_worker', 'not-a-real-hash') RETURNING id"
            )
        )
    ).scalar_one()


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(world=worlds())
async def test_lists_and_reads_follow_the_scope_exactly(
    world: World,
    anonymous_client: httpx.AsyncClient,
    connection: AsyncConnection,
    uow: UnitOfWork,
    login_as,
    roots: dict[str, tuple[int, str]],
) -> None:
    savepoint = await connection.begin_nested()
    try:
        district, elsewhere = roots["district"], roots["elsewhere"]
        built = await build(world, connection, uow, district, elsewhere)
        headers = await login_as(
            "district_admin",
            orgs=[district[0] if i == DISTRICT else built.orgs[i] for i in world.scope_roots],
            grids=[built.grids[g] for g in world.scope_grids],
        )
        client = anonymous_client

        def split(ids: list[int], visible: Any) -> tuple[set[int], set[int]]:
            seen = {x for i, x in enumerate(ids) if visible(i)}
            return seen, set(ids) - seen

        orgs_in, orgs_out = split(built.orgs, world.org_visible)
        if DISTRICT in world.scope_roots:
            orgs_in.add(district[0])
        else:
            orgs_out.add(district[0])
        orgs_out.add(elsewhere[0])
        grids_in, grids_out = split(built.grids, world.grid_visible)
        members_in, members_out = split(built.members, world.member_visible)

        assert await listed(client, "/api/v1/organizations", headers) == orgs_in
        assert await listed(client, "/api/v1/grids", headers) == grids_in
        assert await listed(client, "/api/v1/members", headers) == members_in

        for kind, ids in (("organizations", orgs_out), ("grids", grids_out),
                          ("members", members_out)):  # fmt: skip
            for id_ in sorted(ids):
                response = await client.get(f"/api/v1/{kind}/{id_}", headers=headers)
                assert response.status_code == 404, (kind, id_, response.text)
                assert response.json()["code"] == "not-found"
        for id_ in sorted(orgs_out)[:2]:  # a subtree outside the scope is not there either
            response = await client.get("/api/v1/members", params={"under": id_}, headers=headers)
            assert response.status_code == 404
    finally:
        await savepoint.rollback()


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(world=worlds(members=False, tickets=True))
async def test_ticket_lists_and_reads_follow_the_scope_exactly(
    world: World,
    anonymous_client: httpx.AsyncClient,
    connection: AsyncConnection,
    uow: UnitOfWork,
    login_as,
    roots: dict[str, tuple[int, str]],
    category: str,
    someone: int,
) -> None:
    savepoint = await connection.begin_nested()
    try:
        district, elsewhere = roots["district"], roots["elsewhere"]
        built = await build(world, connection, uow, district, elsewhere)
        headers = await login_as(
            world.role,
            orgs=[district[0] if i == DISTRICT else built.orgs[i] for i in world.scope_roots],
            grids=[built.grids[g] for g in world.scope_grids],
        )
        caller = (await connection.execute(text("SELECT max(id) FROM users"))).scalar_one()
        ids = await build_tickets(
            world, connection, built, {DISTRICT: district[0], ELSEWHERE: elsewhere[0]},
            {CALLER: caller, SOMEONE: someone}, category,
        )  # fmt: skip
        client = anonymous_client

        def where(test: Any) -> set[int]:
            return {x for t, x in enumerate(ids) if test(t)}

        visible = where(world.ticket_visible)
        due = {d: where(lambda t, d=d: world.tickets[t].due == d) for d in ("late", "soon")}

        assert await listed(client, "/api/v1/tickets", headers) == visible
        assert await listed(client, "/api/v1/tickets/overdue", headers) == visible & due["late"]
        assert await listed(client, "/api/v1/tickets/soon-due", headers) == visible & due["soon"]
        assert await listed(client, "/api/v1/tickets/inbox", headers) == visible & where(
            world.in_inbox
        )
        for id_ in sorted(set(ids) - visible):
            response = await client.get(f"/api/v1/tickets/{id_}", headers=headers)
            assert response.status_code == 404, (id_, response.text)
            assert response.json()["code"] == "not-found"
    finally:
        await savepoint.rollback()
