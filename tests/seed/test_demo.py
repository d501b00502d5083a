"""The demo street loads through the use cases, never twice, and shows what it promises:
an oversized building group, a grid without a leader, grids found from a point."""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection
from stdnum.cn import ric

from partygrid.domain.access import Scope, system_actor
from partygrid.domain.contact import normalize_phone
from partygrid.domain.grids.model import StaffRole, parse_boundary
from partygrid.domain.identity import CITIZENS, birth_date_of, check_id_number
from partygrid.domain.members.model import MobileDirection
from partygrid.domain.organizations.model import OrgKind
from partygrid.domain.tickets.aggregate import TicketChannel
from partygrid.domain.tickets.workflow import TicketState, TicketType
from partygrid.repo.sealing import ID_NUMBER
from partygrid.repo.uow import UnitOfWork
from partygrid.seed.demo import (
    DEMO_GRIDS,
    DEMO_MEMBERS,
    DEMO_ORGANIZATIONS,
    ROOT_CODE,
    STREET_CODE,
    DemoSummary,
    load_demo,
    loader,
)
from partygrid.seed.demo.people import MEMBER_PLAN, STORIES, build_members, check_digit
from partygrid.seed.demo.ticket_stories import DEMO_TICKETS
from partygrid.services.members.moves import member_transfers
from partygrid.services.organizations.use_cases import NewOrganization, create_organization
from tests.fixtures.sealed import KEYRING

STAFF = sum(len(grid.staff) for grid in DEMO_GRIDS)
LEADERLESS = [grid.code for grid in DEMO_GRIDS if not grid.has_leader]


UowFactory = Callable[[], UnitOfWork]


class _DemoDistrictAdmin(httpx.Auth):
    """Logs in, at the first request, as a district admin scoped to the demo root (which
    exists only once a test has loaded the demo)."""

    def __init__(self, connection: AsyncConnection, login_as: Any) -> None:
        self.connection, self.login_as = connection, login_as
        self.headers: dict[str, str] | None = None

    async def async_auth_flow(self, request: httpx.Request) -> Any:
        if self.headers is None:
            root = await scalar(
                self.connection, "SELECT id FROM organizations WHERE code = :c", c=ROOT_CODE
            )
            self.headers = await self.login_as("district_admin", orgs=[root])
        request.headers.update(self.headers)
        yield request


@pytest.fixture
async def client(app: Any, connection: AsyncConnection, login_as: Any) -> Any:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    auth = _DemoDistrictAdmin(connection, login_as)
    async with httpx.AsyncClient(transport=transport, base_url="http://test", auth=auth) as ac:
        yield ac


def demo_actor(ids: dict[str, int]) -> Any:
    """The console acting within the demo root (a root's path is its id)."""
    return system_actor(Scope(org_paths=(str(ids[ROOT_CODE]),)))


@pytest.fixture
def uow_factory(uow: UnitOfWork) -> UowFactory:
    # A unit of work opens a new session on each `async with`, so the one the fixture
    # builds (bound to the test's transaction) serves every use case in turn.
    return lambda: uow


async def load(uow_factory: UowFactory) -> DemoSummary:
    return await load_demo(uow_factory)


async def scalar(connection: AsyncConnection, sql: str, **params: Any) -> Any:
    return (await connection.execute(text(sql), params)).scalar_one()


async def demo_codes(connection: AsyncConnection) -> Counter[str]:
    rows = await connection.execute(
        text(
            "SELECT code FROM organizations WHERE code LIKE 'DEMO-%' "
            "UNION ALL SELECT code FROM grids WHERE code LIKE 'DEMO-%'"
        )
    )
    return Counter(rows.scalars())


async def ids_by_code(connection: AsyncConnection) -> dict[str, int]:
    rows = await connection.execute(
        text(
            "SELECT code, id FROM organizations WHERE code LIKE 'DEMO-%' "
            "UNION ALL SELECT code, id FROM grids WHERE code LIKE 'DEMO-%'"
        )
    )
    return {code: id_ for code, id_ in rows}


def test_the_generated_people_are_valid_and_always_the_same() -> None:
    assert build_members() == DEMO_MEMBERS
    assert len({m.id_number for m in DEMO_MEMBERS}) == len(DEMO_MEMBERS)
    assert len({m.name for m in DEMO_MEMBERS}) == len(DEMO_MEMBERS)
    for member in DEMO_MEMBERS:
        number = member.id_number
        checked = check_id_number(number, population=CITIZENS)
        assert (checked.number, checked.warnings) == (number, ())
        assert check_digit(number[:17]) == ric.calc_check_digit(number) == number[-1]
        assert number[:6] in {"370211", "370202", "370203"}
        assert 1940 <= birth_date_of(number).year <= 2000
        assert normalize_phone(member.phone) == member.phone
        assert member.address.startswith("青岛市黄岛区")
    places = {(org, i) for org, letters in MEMBER_PLAN for i in range(len(letters))}
    assert set(STORIES) <= places  # every story befalls a member of the plan
    staff_phones = [s.phone for g in DEMO_GRIDS for s in g.staff]
    assert all(normalize_phone(p) == p for p in staff_phones)


def test_the_grids_are_real_polygons_that_do_not_overlap() -> None:
    shapes = {grid.code: parse_boundary(grid.boundary) for grid in DEMO_GRIDS}
    for code, boundary in shapes.items():
        assert 120.2 < boundary.centroid_lon < 120.24 and 35.95 < boundary.centroid_lat < 35.97
        assert 15_000 < boundary.area_m2 < 160_000, code  # a few hundred metres across
        for other, shape in shapes.items():
            if other != code:
                assert boundary.shape().intersection(shape.shape()).area == 0, (code, other)


async def test_loading_twice_creates_nothing_new(
    uow_factory: UowFactory, connection: AsyncConnection
) -> None:
    first = await load(uow_factory)
    assert len(first.created) == len(DEMO_ORGANIZATIONS)
    kinds = Counter(org.kind for org in first.created)
    assert kinds[OrgKind.street_working_committee] == 1
    assert kinds[OrgKind.community_committee] + kinds[OrgKind.community_general_branch] == 3
    assert first.grids_created == len(DEMO_GRIDS)
    assert first.staff_created == STAFF
    assert first.members_created == len(DEMO_MEMBERS)
    assert (first.central_households, first.transfers, first.left) == (3, 3, 1)
    lines = first.lines()
    assert lines[0].startswith(f"created {len(DEMO_ORGANIZATIONS)} organizations (")
    assert lines[1] == (
        "created 6 grids (1 business_district, 2 courtyard, 2 estate, 1 road_segment) "
        f"and {STAFF} staff assignments"
    )
    assert lines[2] == (
        f"created {len(DEMO_MEMBERS)} party members "
        "(13 in_service, 10 mobile, 7 no_post, 15 resident, 15 retired)"
    )
    assert lines[3] == "recorded 3 central households, 3 transfers and 1 departure"
    assert lines[4].startswith("the street is 金沙滩街道党工委 (id ")

    second = await load(uow_factory)
    assert second.nothing_new
    assert second.already_present == len(DEMO_ORGANIZATIONS)
    assert second.grids_present == len(DEMO_GRIDS)
    assert second.members_present == len(DEMO_MEMBERS)
    assert second.lines() == [
        f"demo data already present ({len(DEMO_ORGANIZATIONS)} organizations, "
        f"{len(DEMO_GRIDS)} grids, {len(DEMO_MEMBERS)} party members, "
        f"{len(DEMO_TICKETS)} tickets); nothing created"
    ]
    assert sum(first.tickets.values()) == len(DEMO_TICKETS) and not second.tickets
    assert second.tickets_present == len(DEMO_TICKETS)
    assert lines[5].startswith(f"created {len(DEMO_TICKETS)} tickets (")
    assert await scalar(connection, "SELECT count(*) FROM tickets") == len(DEMO_TICKETS)
    assert set((await demo_codes(connection)).values()) == {1}
    assert await scalar(connection, "SELECT count(*) FROM party_members") == len(DEMO_MEMBERS)
    assert await scalar(connection, "SELECT count(*) FROM grid_staff_assignments") == STAFF


async def assert_the_street_is_complete(
    client: httpx.AsyncClient, connection: AsyncConnection
) -> None:
    """The figures in the database are exactly what the demo data says."""
    ids = await ids_by_code(connection)
    street = ids[STREET_CODE]
    counts = (await client.get("/api/v1/reports/counts", params={"under": street})).json()
    staying = [m for m in DEMO_MEMBERS if m.stays]
    assert counts["grids_total"] == len(DEMO_GRIDS)
    assert counts["members_by_category"] == Counter(m.category.value for m in staying)
    assert counts["members_total"] == len(staying) == len(DEMO_MEMBERS) - 1
    c1 = (await client.get("/api/v1/reports/counts", params={"under": ids["DEMO-C1"]})).json()
    final = Counter(m.path[-1] for m in staying)
    assert c1["members_total"] == sum(n for org, n in final.items() if org.startswith("DEMO-C1"))
    assert 28 <= c1["members_total"] <= 34  # most of the street lives in 海滨社区

    for spec in DEMO_GRIDS:
        grid = (await client.get(f"/api/v1/grids/{ids[spec.code]}")).json()
        assert (grid["kind"], grid["community_id"], grid["serving_branch_id"]) == (
            spec.kind.value, ids[spec.community], ids[spec.serving_branch],
        )  # fmt: skip
        staff = (await client.get(f"/api/v1/grids/{grid['id']}/staff")).json()["items"]
        assert Counter((s["role"], s["person_name"]) for s in staff) == Counter(
            (s.role.value, s.name) for s in spec.staff
        )
        placed = (await client.get("/api/v1/members", params={"grid_id": grid["id"]})).json()
        assert len(placed["items"]) == 1
    roles = Counter(s.role for g in DEMO_GRIDS for s in g.staff)
    assert roles[StaffRole.grid_leader] == len(DEMO_GRIDS) - 1
    assert all(roles[role] >= len(DEMO_GRIDS) - 1 for role in StaffRole)

    households = await scalar(
        connection,
        "SELECT count(*) FROM party_members WHERE central_household_group_id IS NOT NULL",
    )
    assert households == sum(1 for m in DEMO_MEMBERS if m.story.central_household) == 3
    mobile = Counter(m.mobile_ledger.direction for m in DEMO_MEMBERS if m.mobile_ledger is not None)
    assert mobile[MobileDirection.inflow] and mobile[MobileDirection.outflow]
    assert await scalar(
        connection, "SELECT count(*) FROM mobile_ledger_entries WHERE ended_on IS NULL"
    ) == sum(mobile.values()) - sum(
        1 for m in DEMO_MEMBERS if m.mobile_ledger is not None and not m.stays
    )


async def test_the_figures_are_what_the_data_says(
    uow_factory: UowFactory, connection: AsyncConnection, client: httpx.AsyncClient
) -> None:
    await load(uow_factory)
    await assert_the_street_is_complete(client, connection)


async def test_the_members_stories_are_told(
    uow_factory: UowFactory, connection: AsyncConnection
) -> None:
    await load(uow_factory)
    ids = await ids_by_code(connection)
    rows = await connection.execute(
        text("SELECT id_number_enc, id, organization_id, status FROM party_members")
    )
    members = {KEYRING.decrypt(row.id_number_enc, ID_NUMBER): row for row in rows}
    for spec in DEMO_MEMBERS:
        row = members[spec.id_number]
        assert row.organization_id == ids[spec.path[-1]]
        assert row.status == ("active" if spec.stays else "left")
        history = await member_transfers(
            uow_factory(), actor=demo_actor(ids), member_id=row.id, after_id=None, limit=10
        )
        expected = [ids[t.to] for t in spec.story.transfers] + ([None] if not spec.stays else [])
        assert [t.to_organization_id for t in history] == expected
    assert sum(1 for m in DEMO_MEMBERS if len(m.story.transfers) > 0) == 2
    assert sum(1 for m in DEMO_MEMBERS if not m.stays) == 1


async def test_the_sizing_report_flags_the_crowded_building_group(
    uow_factory: UowFactory, connection: AsyncConnection, client: httpx.AsyncClient
) -> None:
    await load(uow_factory)
    ids = await ids_by_code(connection)
    response = await client.get("/api/v1/reports/sizing", params={"under": ids[STREET_CODE]})
    assert response.status_code == 200
    items = response.json()["items"]
    assert [(i["id"], i["kind"], i["members"]) for i in items] == [
        (ids["DEMO-C1-G1-B1"], "building_group", 16)
    ]
    assert items[0]["advice"]


async def test_the_coverage_report_shows_the_grid_without_a_leader(
    uow_factory: UowFactory, connection: AsyncConnection, client: httpx.AsyncClient
) -> None:
    await load(uow_factory)
    ids = await ids_by_code(connection)
    response = await client.get("/api/v1/reports/coverage", params={"under": ids[STREET_CODE]})
    assert response.status_code == 200
    body = response.json()
    assert LEADERLESS == ["DEMO-GRID-C3-1"]
    assert [i["id"] for i in body["grids_without_leader"]["items"]] == [ids["DEMO-GRID-C3-1"]]
    # The other gaps stay empty, so the one the demo shows is easy to see.
    for section in ("grids_without_serving_branch", "organizations_without_members"):
        assert body[section]["total"] == 0, body[section]


async def test_each_grid_is_located_from_its_centroid(
    uow_factory: UowFactory, client: httpx.AsyncClient
) -> None:
    summary = await load(uow_factory)
    for grid in summary.grids:
        response = await client.get(
            "/api/v1/grids/locate", params={"lon": grid.centroid_lon, "lat": grid.centroid_lat}
        )
        assert response.status_code == 200
        assert (response.json()["id"], response.json()["code"]) == (grid.id, grid.code)
    outside = await client.get("/api/v1/grids/locate", params={"lon": 120.30, "lat": 36.05})
    assert outside.status_code == 404


async def test_a_load_is_completed_around_organizations_made_by_hand(
    uow: UnitOfWork, uow_factory: UowFactory
) -> None:
    root = await create_organization(
        uow,
        actor=system_actor(Scope()),
        new=NewOrganization(
            kind=OrgKind.district_committee, name="黄岛区委组织部", code="DEMO-DISTRICT"
        ),
    )
    await create_organization(
        uow,
        actor=system_actor(Scope(org_paths=(root.path,))),
        new=NewOrganization(
            kind=OrgKind.street_working_committee,
            name="金沙滩街道党工委",
            parent_id=root.id,
            code=STREET_CODE,
        ),
    )
    summary = await load(uow_factory)
    assert summary.already_present == 2
    assert len(summary.created) == len(DEMO_ORGANIZATIONS) - 2


def interrupt(
    monkeypatch: pytest.MonkeyPatch, use_case: str, after: int
) -> Callable[..., Awaitable[Any]]:
    """Make the loader's ``use_case`` fail after ``after`` calls, as a killed process would."""
    real = getattr(loader, use_case)
    calls = 0

    async def failing(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls > after:
            raise RuntimeError("interrupted")
        return await real(*args, **kwargs)

    monkeypatch.setattr(loader, use_case, failing)
    return real


@pytest.mark.parametrize(
    ("use_case", "after"),
    [
        ("create_grid", 2),
        ("assign_staff", 9),
        ("register_member", 20),
        ("set_central_household", 1),
        ("transfer_member", 1),
        ("leave_member", 0),
    ],
)
async def test_a_load_interrupted_anywhere_is_completed_by_the_next(
    use_case: str,
    after: int,
    monkeypatch: pytest.MonkeyPatch,
    uow_factory: UowFactory,
    connection: AsyncConnection,
    client: httpx.AsyncClient,
) -> None:
    real = interrupt(monkeypatch, use_case, after)
    with pytest.raises(RuntimeError, match="interrupted"):
        await load(uow_factory)
    monkeypatch.setattr(loader, use_case, real)

    resumed = await load(uow_factory)
    assert not resumed.nothing_new
    assert resumed.already_present == len(DEMO_ORGANIZATIONS)
    if use_case != "set_central_household":  # not set again later: it may have been cleared
        await assert_the_street_is_complete(client, connection)
    assert (await load(uow_factory)).nothing_new


async def test_the_demo_tickets_show_every_state_type_and_channel(
    uow_factory: UowFactory, connection: AsyncConnection
) -> None:
    summary = await load(uow_factory)
    assert set(summary.tickets) == {state.value for state in TicketState}
    rows = (await connection.execute(text(
        "SELECT t.*, g.code AS grid_code, k.key AS story, (t.state IN ('received', "
        "'accepted','assigned','in_progress') AND t.deadline_at < now()) AS overdue "
        "FROM tickets t JOIN grids g ON g.id = t.grid_id "
        "JOIN idempotency_keys k ON k.ticket_id = t.id"
    ))).all()  # fmt: skip
    assert Counter(r.state for r in rows) == summary.tickets
    assert {r.type for r in rows} == {t.value for t in TicketType}
    assert {r.channel for r in rows} == {c.value for c in TicketChannel}
    # Every ticket was routed, from its point, to the grid its story names.
    assert {r.story: r.grid_code for r in rows} == {s.key: s.grid for s in DEMO_TICKETS}
    assert sum(bool(r.overdue) for r in rows) >= 3
    assert {r.supervision_level for r in rows} >= {"yellow", "red"}
    assert any(r.type == "promised" and r.promised_on for r in rows)
    assert any(r.type == "suggestion" and r.suggestion_adopted for r in rows)
    assert any(r.type == "suggestion" and r.suggestion_adopted is False for r in rows)
    assert any(r.extension_pending for r in rows)
    assert any(r.reopen_count >= 1 and r.state == "reviewed" for r in rows)
    assert sum(r.co_reporters for r in rows) == 2  # the two merged duplicates
    actions = Counter((await connection.execute(
        text("SELECT action FROM ticket_events")
    )).scalars())  # fmt: skip
    for action in ("accept", "assign", "transfer", "escalate", "request_supplement", "resolve",
                   "publish", "review", "close", "reject", "merge", "request_extension",
                   "decide_extension", "supervise", "revisit"):  # fmt: skip
        assert actions[action] >= 1, action
    # Loading again makes no ticket and plays no story twice.
    events = sum(actions.values())
    again = await load(uow_factory)
    assert not again.tickets and again.tickets_present == len(DEMO_TICKETS)
    assert await scalar(connection, "SELECT count(*) FROM ticket_events") == events
