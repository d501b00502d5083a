"""Every fast read gives through the driver connection exactly what it gives through the
session (repo/fast_reads.py).

A table of cases keyed by fast-read name. Each case builds its rows, reads them through a
unit of work without a lease (the session path) and through a read-only one that leases
the test's own connection, as a read-only route does (the driver path), asserts equal
domain results, and checks them against what it built. A fast read declared without a
case here fails ``test_every_fast_read_has_a_case``.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, async_sessionmaker

import partygrid.repo
from partygrid.domain.access import Scope
from partygrid.domain.tickets.disclosure import CLOSED_STATES
from partygrid.repo.connection_lease import ConnectionLease
from partygrid.repo.database import driver_connection_for
from partygrid.repo.fast_reads import registered
from partygrid.repo.keyring import Keyring
from partygrid.repo.tickets.public_reads import RequestFilter
from partygrid.repo.tickets.work_lists import After, SoonWindows
from partygrid.repo.uow import UnitOfWork
from tests.fixtures.access import make_grid as grid_row
from tests.fixtures.builders import make_street_tree
from tests.fixtures.ticket_rows import make_category, make_ticket
from tests.fixtures.tickets import LAT, LON, drive, make_world, submit
from tests.grids.test_grids_api import make_grid, square
from tests.platform.test_identity import make_id

T = TypeVar("T")
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
DAY, HOUR = timedelta(days=1), timedelta(hours=1)


class _CountingConnection:
    """The leased driver connection, counting the statements run on it."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.statements = 0

    async def fetch(self, query: str, *args: Any) -> Any:
        self.statements += 1
        return await self.connection.fetch(query, *args)

    async def fetchrow(self, query: str, *args: Any) -> Any:
        self.statements += 1
        return await self.connection.fetchrow(query, *args)


@dataclass
class Paths:
    session: UnitOfWork  # no lease: every read goes through its session
    driver: UnitOfWork  # read-only with a lease: the fast reads run on the driver
    counted: list[_CountingConnection]

    def _statements(self) -> int:
        return sum(c.statements for c in self.counted)

    async def both(self, read: Callable[[UnitOfWork], Awaitable[T]]) -> T:
        """``read`` through both units of work: the same result, and the second one
        really ran on the driver connection."""
        via_session = await read(self.session)
        before = self._statements()
        via_driver = await read(self.driver)
        assert self._statements() > before, "the read did not run on the driver connection"
        assert via_driver == via_session
        return via_session


@dataclass
class Given:
    """What a case may build its rows with, and both paths to read them."""

    client: httpx.AsyncClient  # a district admin's
    connection: AsyncConnection
    login_as: Any
    paths: Callable[[], AbstractAsyncContextManager[Paths]]

    async def path_of(self, org_id: int) -> str:
        sql = "SELECT ltree2text(path) FROM organizations WHERE id = :i"
        return (await self.connection.execute(text(sql), {"i": org_id})).scalar_one()

    async def new_user(self, grids: list[int]) -> int:
        await self.login_as("grid_worker", grids=grids)
        return (await self.connection.execute(text("SELECT max(id) FROM users"))).scalar_one()

    async def assert_every_column_has_a_value(
        self, table: str, ids: list[int], key: str = "id"
    ) -> None:
        """The rows a case compares hold a value in every column of ``table``, so the two
        paths are compared on every column's type, not on NULLs."""
        names = await self.connection.execute(
            text(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = "
                "current_schema() AND table_name = :t ORDER BY ordinal_position"
            ),
            {"t": table},
        )
        columns = list(names.scalars())
        counts = ", ".join(f'count("{c}")' for c in columns)
        sql = f"SELECT {counts} FROM {table} WHERE {key} = ANY(:ids)"
        filled = (await self.connection.execute(text(sql), {"ids": ids})).one()
        assert [c for c, n in zip(columns, filled, strict=True) if n == 0] == []


Case = Callable[[Given], Awaitable[None]]
CASES: dict[str, Case] = {}


def case(name: str) -> Callable[[Case], Case]:
    def register(function: Case) -> Case:
        CASES[name] = function
        return function

    return register


async def register_member(client: httpx.AsyncClient, seq: int, **fields: Any) -> int:
    body = {"name": "张丽华", "id_number": make_id(seq=f"{seq:03d}"), "category": "resident",
            **fields}  # fmt: skip
    response = await client.post("/api/v1/members", json=body)
    assert response.status_code == 201, response.text
    return response.json()["id"]


@case("members.by_id")
async def _members(given: Given) -> None:
    tree = await make_street_tree(given.client)
    community, other = tree["community"]["id"], tree["other"]["id"]
    granted = await grid_row(given.connection, other)
    full = await register_member(
        given.client, 1, name="王建国", organization_id=tree["branch"]["id"], category="in_service",
        phone="13812345678", address="海军路88号3单元", joined_party_on="1998-07-01",
        work_unit="青岛港集团", post="楼道长",
    )  # fmt: skip
    await given.connection.execute(
        text("UPDATE party_members SET central_household_group_id = :g WHERE id = :i"),
        {"g": tree["group"]["id"], "i": full},
    )
    bare = await register_member(given.client, 2, name="李红", organization_id=other)
    in_granted_grid = await register_member(
        given.client, 3, name="赵敏", organization_id=other, grid_id=granted
    )
    scope = Scope(org_paths=(await given.path_of(community),), grid_ids=(granted,))
    await given.assert_every_column_has_a_value("party_members", [full, bare, in_granted_grid])

    found: dict[int, Any] = {}
    async with given.paths() as paths:
        for member_id in (full, bare, in_granted_grid, 10**9):
            found[member_id] = await paths.both(
                lambda uow, i=member_id: uow.members.get(i, scope=scope)
            )
    assert (found[full].name, found[full].phone, found[full].address) == (
        "王建国", "13812345678", "海军路88号3单元",
    )  # fmt: skip
    assert (found[full].work_unit, found[full].joined_party_on) == ("青岛港集团", date(1998, 7, 1))
    assert found[full].central_household_group_id == tree["group"]["id"]
    assert found[in_granted_grid].name == "赵敏" and found[in_granted_grid].phone is None
    assert found[bare] is None and found[10**9] is None


@case("members.current_ledger_entry")
async def _ledger(given: Given) -> None:
    tree = await make_street_tree(given.client)
    ledger = {"direction": "outflow", "since": "2026-03-01", "destination_place": "广东省深圳市",
              "occupation": "外卖骑手", "contact_phone": "13912345678",
              "expected_return_on": "2027-01-31", "certificate_no": "LD-2026-0001"}  # fmt: skip
    mobile = {"category": "mobile", "mobile_ledger": ledger}
    current = await register_member(given.client, 4, organization_id=tree["branch"]["id"], **mobile)
    ended = await register_member(given.client, 5, organization_id=tree["branch"]["id"], **mobile)
    back = await given.client.patch(f"/api/v1/members/{ended}", json={"category": "resident"})
    assert back.status_code == 200, back.text  # which ends the ledger entry
    other, street = tree["other"]["id"], tree["street"]["id"]
    to_street = {**ledger, "destination_organization_id": street}
    elsewhere = await register_member(given.client, 6, organization_id=other, category="mobile",
                                      mobile_ledger=to_street)  # fmt: skip
    inflow = {"direction": "inflow", "since": "2026-05-01", "origin_place": "四川省成都市",
              "origin_organization_id": street}  # fmt: skip
    arrived = await register_member(given.client, 7, organization_id=tree["branch"]["id"],
                                    category="mobile", mobile_ledger=inflow)  # fmt: skip
    community = Scope(org_paths=(await given.path_of(tree["community"]["id"]),))
    district = Scope(org_paths=(await given.path_of(tree["district"]["id"]),))
    members = [current, ended, elsewhere, arrived]
    await given.assert_every_column_has_a_value("mobile_ledger_entries", members, "member_id")

    found: dict[tuple[int, Scope], Any] = {}
    async with given.paths() as paths:
        for member_id in members:
            for scope in (community, district):
                found[member_id, scope] = await paths.both(
                    lambda uow, i=member_id, s=scope: uow.members.current_ledger_entry(i, scope=s)
                )
    entry = found[current, community]
    assert (entry.destination_place, entry.contact_phone, entry.since, entry.ended_on) == (
        "广东省深圳市", "13912345678", date(2026, 3, 1), None,
    )  # fmt: skip
    assert found[ended, community] is None and found[ended, district] is None
    assert found[elsewhere, community] is None
    assert found[elsewhere, district].destination_organization_id == street
    assert (found[arrived, community].origin_place, found[arrived, community].direction) == (
        "四川省成都市", "inflow",
    )  # fmt: skip


async def _tickets_world(given: Given) -> dict[str, Any]:
    """A grid and its worker; tickets through the API (sealed requester data, a full
    timeline) and straight into the table (elsewhere: in another community, there seen
    through a granted grid, or assigned to the worker)."""
    world = await make_world(given.client, given.login_as)
    closed = (await submit(given.client))["id"]
    await drive(given.client, world, closed, "close")
    started = (await submit(given.client, title="路灯不亮", requester_phone="13700001111"))["id"]
    await drive(given.client, world, started, "start")
    await make_category(given.connection)
    other = world["other"]
    granted = await grid_row(given.connection, other)
    elsewhere = {"community_id": other, "handling_org_id": other}
    tickets = {
        "closed": closed,
        "started": started,
        "elsewhere": await make_ticket(given.connection, **elsewhere, deadline_at=NOW + DAY),
        "granted": await make_ticket(given.connection, **elsewhere, grid_id=granted,
                                     state="waiting_supplement", paused_at=NOW - HOUR),
        "assigned": await make_ticket(given.connection, **elsewhere,
                                      assignee_user_id=world["worker_id"]),
    }  # fmt: skip
    await given.connection.execute(
        text(
            "UPDATE tickets SET attributes = CAST(:attributes AS jsonb), address = '海军路88号', "
            "attachments = CAST(:attachments AS jsonb), promised_on = :on, "
            "assignee_department = '城管执法', extension_pending = true, "
            "suggestion_adopted = true, merged_into_id = :into WHERE id = :i"
        ),
        {
            "attributes": '{"severity": "major"}',
            "on": date(2026, 12, 1),
            "into": closed,
            "attachments": '[{"url": "https://img.example.cn/2.jpg"}]',
            "i": started,
        },
    )
    await given.assert_every_column_has_a_value("tickets", list(tickets.values()))
    await given.assert_every_column_has_a_value("ticket_events", [closed], "ticket_id")
    scope = Scope(org_paths=(await given.path_of(world["community"]),), grid_ids=(granted,))
    return {**world, "tickets": tickets, "scope": scope}


@case("tickets.by_id")
async def _ticket(given: Given) -> None:
    world = await _tickets_world(given)
    tickets, scope = world["tickets"], world["scope"]
    found: dict[tuple[str, int | None], Any] = {}
    async with given.paths() as paths:
        for name, ticket_id in [*tickets.items(), ("none", 10**9)]:
            for user_id in (None, world["worker_id"]):
                found[name, user_id] = await paths.both(
                    lambda uow, i=ticket_id, u=user_id: uow.tickets.get(i, scope=scope, user_id=u)
                )
    closed = found["closed", None]
    assert (closed.id, closed.state.value, closed.requester_name) == (
        tickets["closed"], "closed", "李秀英",
    )  # fmt: skip
    assert closed.published_at is not None and closed.public_result == "已清运完毕"
    started = found["started", None]
    assert (started.title, started.requester_phone, started.state.value) == (
        "路灯不亮", "13700001111", "in_progress",
    )  # fmt: skip
    assert (started.attributes, started.promised_on, started.merged_into_id) == (
        {"severity": "major"}, date(2026, 12, 1), tickets["closed"],
    )  # fmt: skip
    # Tickets seen through a granted grid or an assignment are compared above; what is
    # asserted here is only what no visibility rule can change.
    assert found["elsewhere", None] is None and found["elsewhere", world["worker_id"]] is None
    assert found["none", None] is None and found["none", world["worker_id"]] is None


@case("tickets.events")
async def _events(given: Given) -> None:
    world = await _tickets_world(given)
    tickets = world["tickets"]
    timelines: dict[str, Any] = {}
    async with given.paths() as paths:
        for name, ticket_id in [*tickets.items(), ("none", 10**9)]:
            timelines[name] = await paths.both(lambda uow, i=ticket_id: uow.tickets.events(i))
    driven = ["accept", "assign", "start", "resolve", "publish", "review", "close"]
    assert [e.action for e in timelines["closed"]] == ["submit", *driven]
    assert [e.seq for e in timelines["closed"]] == list(range(1, 9))
    assert [e.action for e in timelines["started"]] == ["submit", *driven[:3]]
    assert [e.action for e in timelines["granted"]] == ["submit"]
    assert timelines["none"] == []


@case("grids.containing_point")
async def _grids(given: Given) -> None:
    tree = await make_street_tree(given.client)
    community, other = tree["community"]["id"], tree["other"]["id"]
    seen = await make_grid(given.client, community, square(LON, LAT), name="海军路网格",
                           code="HJL-01", serving_branch_id=tree["branch"]["id"])  # fmt: skip
    await make_grid(given.client, other, square(LON + 0.02, LAT), name="朝阳一网格")
    granted = await make_grid(given.client, other, square(LON + 0.04, LAT), name="朝阳二网格")
    scope = Scope(org_paths=(await given.path_of(community),), grid_ids=(granted["id"],))
    points = {"seen": (LON + 0.005, LAT + 0.005), "unseen": (LON + 0.025, LAT + 0.005),
              "granted": (LON + 0.045, LAT + 0.005), "nowhere": (0.0, 0.0)}  # fmt: skip
    await given.assert_every_column_has_a_value("grids", [seen["id"]])
    found: dict[str, Any] = {}
    async with given.paths() as paths:
        for name, (lon, lat) in points.items():
            found[name] = await paths.both(
                lambda uow, x=lon, y=lat: uow.grids.containing_point(x, y, scope=scope)
            )
    assert (found["seen"].id, found["seen"].name, found["seen"].code) == (
        seen["id"], "海军路网格", "HJL-01",
    )  # fmt: skip
    assert (found["granted"].id, found["granted"].name) == (granted["id"], "朝阳二网格")
    assert found["unseen"] is None and found["nowhere"] is None


@case("tickets.public_requests")
async def _public_requests(given: Given) -> None:
    await make_category(given.connection, "test.fast", "快速测试", disclosure="public")
    await make_category(given.connection, "test.other", "其他测试", disclosure="public")
    await make_category(given.connection, "test.coarse", "噪音测试", disclosure="coarse")
    await make_category(given.connection, "test.secret", "救助测试", disclosure="never")
    day = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    c, fast, resident = given.connection, "test.fast", {"channel": "hotline"}
    reason = ("reject", day + 2 * DAY, {"reason": "不属于受理范围"})
    made = {
        "received": await make_ticket(c, category=fast, state="received", created_at=day,
                                      **resident),
        "closed": await make_ticket(c, category=fast, state="closed", created_at=day + DAY,
                                    **resident),
        "rejected": await make_ticket(c, category=fast, state="rejected",
                                      created_at=day + 2 * DAY, events=[reason], **resident),
        "merged": await make_ticket(c, category=fast, state="merged", created_at=day + 3 * DAY,
                                    **resident),
        "other": await make_ticket(c, category="test.other", created_at=day + 4 * DAY,
                                   **resident),
        "coarse": await make_ticket(c, category="test.coarse", created_at=day + 5 * DAY,
                                    **resident),
        # Never listed: a report from inside, and a category the public may not see.
        "inside": await make_ticket(c, category=fast, created_at=day + 5 * DAY),
        "secret": await make_ticket(c, category="test.secret", created_at=day + 5 * DAY,
                                    **resident),
    }  # fmt: skip
    await given.connection.execute(
        text(
            "UPDATE tickets SET public_result = '已清运', published_at = :at, promised_on = :on, "
            "attachments = CAST(:media AS jsonb) WHERE id = :i"
        ),
        {"at": day + 2 * DAY, "on": date(2026, 6, 5), "i": made["closed"],
         "media": '["internal/ref-1", {"url": "https://img.example.cn/1.jpg"}]'},
    )  # fmt: skip
    await given.connection.execute(
        text(
            "UPDATE tickets SET lat = 36.07649, lon = 120.38351, address = '海军路88号', "
            "attachments = CAST(:media AS jsonb) WHERE id = ANY(:ids)"
        ),
        {"ids": [made["coarse"], made["other"]], "media": '["https://img.example.cn/2.jpg"]'},
    )
    rows = await given.connection.execute(text("SELECT id, public_id FROM tickets"))
    public = {ticket_id: public_id for ticket_id, public_id in rows}
    pid = {name: public[ticket_id] for name, ticket_id in made.items()}
    asked = {
        "everything": (RequestFilter(), 0, 100),
        "fast": (RequestFilter(category_codes=(fast,)), 0, 100),
        "fast, second page": (RequestFilter(category_codes=(fast,)), 1, 2),
        "by id": (RequestFilter(public_ids=(pid["other"], pid["closed"], pid["inside"],
                                            pid["secret"], "PG-none"),
                                category_codes=("ignored",)), 0, 100),
        "closed": (RequestFilter(category_codes=(fast,), states=CLOSED_STATES), 0, 100),
        "window": (RequestFilter(created_from=day + DAY, created_to=day + 3 * DAY), 0, 100),
        "secret": (RequestFilter(category_codes=("test.secret",)), 0, 100),
    }  # fmt: skip
    found: dict[str, list[Any]] = {}
    async with given.paths() as paths:
        for name, (where, offset, limit) in asked.items():
            found[name] = await paths.both(
                lambda uow, w=where, o=offset, n=limit: uow.public_tickets.tickets(
                    w, offset=o, limit=n
                )
            )

    def names(tickets: list[Any]) -> list[str]:
        return [{v: k for k, v in pid.items()}[t.public_id] for t in tickets]

    assert names(found["everything"]) == [
        "coarse", "other", "merged", "rejected", "closed", "received"
    ]  # fmt: skip
    assert names(found["fast"]) == ["merged", "rejected", "closed", "received"]
    assert names(found["fast, second page"]) == ["rejected", "closed"]
    assert names(found["by id"]) == ["other", "closed"]
    assert names(found["closed"]) == ["merged", "rejected", "closed"]
    assert names(found["window"]) == ["merged", "rejected", "closed"]
    assert found["secret"] == []
    by_name = dict(zip(names(found["everything"]), found["everything"], strict=True))
    closed = by_name["closed"]
    assert (closed.public_result, closed.promised_on, closed.media_url) == (
        "已清运", "2026-06-05", "https://img.example.cn/1.jpg",
    )  # fmt: skip
    other, coarse = by_name["other"], by_name["coarse"]
    assert other.category_name == "其他测试"
    assert (other.lat, other.lon, other.address, other.description, other.media_url) == (
        36.07649, 120.38351, "海军路88号", "描述", "https://img.example.cn/2.jpg"
    )  # fmt: skip
    assert (coarse.lat, coarse.lon, coarse.address, coarse.description, coarse.media_url) == (
        36.076, 120.384, None, None, None
    )  # fmt: skip


@case("tickets.work_list")
async def _work_lists(given: Given) -> None:
    tree = await make_street_tree(given.client)
    a, b = tree["community"]["id"], tree["other"]["id"]
    g1, g2 = await grid_row(given.connection, a), await grid_row(given.connection, b)
    worker = await given.new_user([g1])
    await make_category(given.connection)
    await make_category(given.connection, "test.slow", "慢件",
                        deadline_overrides={"time_limited": {"soon_due_hours": 96}})  # fmt: skip
    in_a = {"grid_id": g1, "community_id": a, "handling_org_id": a}
    in_b = {"grid_id": g2, "community_id": b, "handling_org_id": b}
    c = given.connection
    t = {
        "mine, on time": await make_ticket(c, **in_a, assignee_user_id=worker,
                                           deadline_at=NOW + 3 * DAY),
        "mine, overdue": await make_ticket(c, **in_a, assignee_user_id=worker,
                                           deadline_at=NOW - 2 * DAY),
        "mine, no deadline": await make_ticket(c, **in_a, assignee_user_id=worker),
        "mine, closed": await make_ticket(c, **in_a, assignee_user_id=worker, state="closed",
                                          deadline_at=NOW - 9 * DAY),
        "mine, paused": await make_ticket(c, **in_a, assignee_user_id=worker,
                                          state="waiting_supplement", deadline_at=NOW + 2 * DAY,
                                          paused_at=NOW - DAY, deadline_provisional=True),
        "overdue": await make_ticket(c, **in_a, deadline_at=NOW - 5 * DAY,
                                     supervision_level="red"),
        "soon": await make_ticket(c, **in_a, deadline_at=NOW + 5 * HOUR),
        "slow": await make_ticket(c, **in_a, category="test.slow",
                                  deadline_at=NOW + 3 * DAY + HOUR),
        "b, overdue": await make_ticket(c, **in_b, deadline_at=NOW - HOUR),
    }  # fmt: skip
    a_path, street_path = await given.path_of(a), await given.path_of(tree["street"]["id"])
    admin, worker_scope = Scope(org_paths=(a_path,)), Scope(grid_ids=(g1,))
    windows = SoonWindows(default_hours=24, by_category={})
    wider = SoonWindows(default_hours=24, by_category={"test.shirong": 80})

    def page(method: str, *, after: After | None = None, limit: int = 50, **how: Any) -> Any:
        how = {"windows": windows, "now": NOW, "after": after, "limit": limit, **how}
        if method != "inbox":
            how = {"user_id": None, "root_path": None, **how}
        if method == "inbox":
            return lambda uow: uow.ticket_lists.inbox(**how)
        return lambda uow: uow.ticket_lists.due(method, **how)

    mine = {"scope": worker_scope, "user_id": worker, "own_organizations": False}
    asked = {
        "inbox": page("inbox", **mine),
        "inbox, first two": page("inbox", limit=2, **mine),
        "inbox, own organizations": page("inbox", scope=admin, user_id=None,
                                         own_organizations=True),
        "overdue": page("overdue", scope=admin),
        "overdue, street": page("overdue", scope=Scope(org_paths=(street_path,)),
                                root_path=street_path),
        "overdue, under a": page("overdue", scope=Scope(org_paths=(street_path,)),
                                 root_path=a_path),
        "soon due": page("soon_due", scope=admin),
        "soon due, wider window": page("soon_due", scope=admin, windows=wider),
        "soon due, the worker's": page("soon_due", scope=worker_scope, user_id=worker),
    }  # fmt: skip
    found: dict[str, list[Any]] = {}
    async with given.paths() as paths:
        for name, read in asked.items():
            found[name] = await paths.both(read)
        second = found["inbox, first two"][-1]
        after = After(second.deadline_at, second.id)
        found["inbox, next two"] = await paths.both(page("inbox", after=after, limit=2, **mine))
        last = found["inbox, next two"][-1]  # no deadline: the keyset's other branch
        found["inbox, after the last"] = await paths.both(
            page("inbox", after=After(last.deadline_at, last.id), **mine)
        )

    names = {ticket_id: name for name, ticket_id in t.items()}

    def listed(name: str) -> list[str]:
        return [names[item.id] for item in found[name]]

    inbox = ["mine, overdue", "mine, paused", "mine, on time", "mine, no deadline"]
    assert listed("inbox") == inbox
    assert listed("inbox, first two") + listed("inbox, next two") == inbox
    assert listed("inbox, after the last") == []
    assert listed("inbox, own organizations") == [
        "overdue", "mine, overdue", "soon", "mine, paused", "mine, on time", "slow",
        "mine, no deadline",
    ]  # fmt: skip
    assert listed("overdue") == ["overdue", "mine, overdue"]
    assert listed("overdue, street") == ["overdue", "mine, overdue", "b, overdue"]
    assert listed("overdue, under a") == ["overdue", "mine, overdue"]
    assert listed("soon due") == ["soon", "slow"]
    assert listed("soon due, wider window") == ["soon", "mine, on time", "slow"]
    assert listed("soon due, the worker's") == ["soon", "slow"]
    urgency = {names[i.id]: (i.urgency, i.paused) for i in found["inbox"]}
    assert urgency == {
        "mine, overdue": ("overdue", False), "mine, paused": ("paused", True),
        "mine, on time": ("on_time", False), "mine, no deadline": (None, False),
    }  # fmt: skip
    paused = next(i for i in found["inbox"] if names[i.id] == "mine, paused")
    assert paused.deadline_provisional and paused.paused_at == NOW - DAY


@pytest.fixture
def given(
    client: httpx.AsyncClient,
    connection: AsyncConnection,
    login_as: Any,
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker,
    keyring: Keyring,
) -> Given:
    source = driver_connection_for(engine, sessionmaker)  # the test's own connection

    @asynccontextmanager
    async def paths() -> AsyncIterator[Paths]:
        counted: list[_CountingConnection] = []

        @asynccontextmanager
        async def counting() -> AsyncIterator[Any]:
            async with source() as connection:
                counted.append(_CountingConnection(connection))
                yield counted[-1]

        lease = ConnectionLease(counting)
        via_session = UnitOfWork(sessionmaker, keyring)
        via_driver = UnitOfWork(sessionmaker, keyring, read_only=True, lease=lease)
        async with via_session, via_driver:
            yield Paths(via_session, via_driver, counted)
        assert not lease.holding  # given back with the unit of work

    return Given(client, connection, login_as, paths)


@pytest.mark.parametrize("name", sorted(CASES))
async def test_both_paths_read_the_same(name: str, given: Given, catalogue: list[str]) -> None:
    await CASES[name](given)


def test_every_fast_read_has_a_case() -> None:
    for module in pkgutil.walk_packages(partygrid.repo.__path__, "partygrid.repo."):
        importlib.import_module(module.name)  # each declares its fast reads when imported
    declared = set(registered())
    assert not declared - set(CASES), (
        f"fast reads without a case in {__name__}: {sorted(declared - set(CASES))}"
    )
    assert not set(CASES) - declared, f"cases of no fast read: {sorted(set(CASES) - declared)}"
