"""One rule of "overdue", answered the same wherever a ticket's lateness shows.

The rule as people state it: a ticket is overdue when it is open and past its deadline,
except that a ticket paused for a missing item (补办) before its deadline has its clock
stopped (its deadline moves when it resumes), so it is not late; a ticket paused after
its deadline passed is still late. The places: the ticket itself, the list filter, the
overdue and soon-due work lists, the inbox's urgency, the on-time rate's count of open
late tickets, and the monitor's red supervision.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from partygrid.domain.tickets.aggregate import Ticket, TicketChannel
from partygrid.domain.tickets.workflow import TicketState, TicketType
from partygrid.repo.tickets.sql import past_deadline_sql
from partygrid.repo.uow import UnitOfWork
from partygrid.services.tickets.monitor import sweep
from tests.fixtures.access import make_grid
from tests.fixtures.builders import make_street_tree
from tests.fixtures.ticket_rows import make_category, make_ticket

NOW = datetime.now(UTC)
DAY = timedelta(days=1)


async def last_user_id(connection: AsyncConnection) -> int:
    return (await connection.execute(text("SELECT max(id) FROM users"))).scalar_one()


@pytest.fixture
async def world(
    client: httpx.AsyncClient, connection: AsyncConnection, login_as: Any
) -> dict[str, Any]:
    """A grid worker's three open tickets, each of a category of its own (so statistics by
    category show each alone): one paused before its deadline, one paused after it, and
    one running past it."""
    tree = await make_street_tree(client)
    community = tree["community"]["id"]
    grid = await make_grid(connection, community)
    worker = await login_as("grid_worker", grids=[grid])
    worker_id = await last_user_id(connection)
    here = {"grid_id": grid, "community_id": community, "handling_org_id": community,
            "assignee_user_id": worker_id}  # fmt: skip
    waiting = {**here, "state": "waiting_supplement"}
    t = {
        # asked for a missing item three days ago; due yesterday
        "paused_before": await make_ticket(
            connection, **waiting, category=await make_category(connection, "test.before"),
            deadline_at=NOW - DAY, paused_at=NOW - 3 * DAY,
        ),
        # due three days ago; asked for a missing item only yesterday
        "paused_after": await make_ticket(
            connection, **waiting, category=await make_category(connection, "test.after"),
            deadline_at=NOW - 3 * DAY, paused_at=NOW - DAY,
        ),
        "running_late": await make_ticket(
            connection, **here, category=await make_category(connection, "test.running"),
            deadline_at=NOW - DAY,
        ),
    }  # fmt: skip
    return {"t": t, "worker": worker}


async def _ids(client: httpx.AsyncClient, url: str, **params: Any) -> set[int]:
    response = await client.get(url, params={"limit": 200, **params})
    assert response.status_code == 200, response.text
    return {item["id"] for item in response.json()["items"]}


async def overdue_by_place(
    client: httpx.AsyncClient, uow: UnitOfWork, world: dict[str, Any], name: str
) -> dict[str, bool]:
    """Whether each place holds the ticket ``name`` overdue (the sweep, last, writes)."""
    ticket_id = world["t"][name]
    category = {"paused_before": "test.before", "paused_after": "test.after",
                "running_late": "test.running"}[name]  # fmt: skip
    one = await client.get(f"/api/v1/tickets/{ticket_id}")
    assert one.status_code == 200, one.text
    inbox = await client.get("/api/v1/tickets/inbox", headers=world["worker"])
    assert inbox.status_code == 200, inbox.text
    urgency = {i["id"]: i["urgency"] for i in inbox.json()["items"]}
    stats = await client.get("/api/v1/tickets/stats", params={"group_by": "category"})
    assert stats.status_code == 200, stats.text
    group = next(g for g in stats.json()["groups"] if g["key"] == category)
    # Nothing of the category is done: the on-time rate's denominator (done + open
    # tickets past their deadline) counts this ticket alone, or nothing.
    open_overdue = group["on_time_rate"]["denominator"]
    report = await sweep(uow, now=datetime.now(UTC))
    after_sweep = (await client.get(f"/api/v1/tickets/{ticket_id}")).json()
    return {
        "GET /tickets/{id} overdue": one.json()["overdue"],
        "GET /tickets?overdue=true holds it": ticket_id
        in await _ids(client, "/api/v1/tickets", overdue=True),
        "GET /tickets?overdue=false leaves it out": ticket_id
        not in await _ids(client, "/api/v1/tickets", overdue=False),
        "GET /tickets/overdue holds it": ticket_id in await _ids(client, "/api/v1/tickets/overdue"),
        "inbox urgency is overdue": urgency[ticket_id] == "overdue",
        "stats count it as open_overdue": open_overdue == 1,
        "the sweep raises red": ticket_id in report.red,
        "supervision level is red": after_sweep["supervision_level"] == "red",
    }


async def test_paused_before_its_deadline_is_not_overdue_anywhere(
    client: httpx.AsyncClient, uow: UnitOfWork, world: dict[str, Any]
) -> None:
    places = await overdue_by_place(client, uow, world, "paused_before")
    assert places == dict.fromkeys(places, False)
    inbox = await client.get("/api/v1/tickets/inbox", headers=world["worker"])
    item = next(i for i in inbox.json()["items"] if i["id"] == world["t"]["paused_before"])
    assert (item["urgency"], item["paused"]) == ("paused", True)
    # Its clock is stopped: not soon due either, and the sweep left it alone.
    assert world["t"]["paused_before"] not in await _ids(client, "/api/v1/tickets/soon-due")
    one = await client.get(f"/api/v1/tickets/{world['t']['paused_before']}")
    assert one.json()["supervision_level"] == "none"


async def test_paused_after_its_deadline_is_overdue_everywhere(
    client: httpx.AsyncClient, uow: UnitOfWork, world: dict[str, Any]
) -> None:
    places = await overdue_by_place(client, uow, world, "paused_after")
    assert places == dict.fromkeys(places, True)
    inbox = await client.get("/api/v1/tickets/inbox", headers=world["worker"])
    item = next(i for i in inbox.json()["items"] if i["id"] == world["t"]["paused_after"])
    assert item["paused"] is True  # still waiting for the missing item
    assert world["t"]["paused_after"] not in await _ids(client, "/api/v1/tickets/soon-due")


async def test_running_past_its_deadline_is_overdue_everywhere(
    client: httpx.AsyncClient, uow: UnitOfWork, world: dict[str, Any]
) -> None:
    places = await overdue_by_place(client, uow, world, "running_late")
    assert places == dict.fromkeys(places, True)


# --- the rule itself, case by case, in Python and in SQL ---------------------------------

T0 = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
H = timedelta(hours=1)
OPEN, WAITING, CLOSED = "in_progress", "waiting_supplement", "closed"
# (state, deadline, paused_at, overdue at T0), each written from the rule as stated.
CASES = [
    (OPEN, T0 - H, None, True),  # running, past its deadline
    (OPEN, T0 + H, None, False),  # running, not yet due
    (OPEN, T0, None, False),  # due this very instant: not yet past it
    (OPEN, None, None, False),  # no deadline, never late
    ("received", T0 - H, None, True),  # open from intake on
    (CLOSED, T0 - H, None, False),  # done: not late any more
    ("rejected", T0 - H, None, False),
    (WAITING, T0 - H, T0 - 2 * H, False),  # paused before its deadline: clock stopped
    (WAITING, T0 - H, T0 - H, False),  # paused at its deadline, before it had passed
    (WAITING, T0 - 2 * H, T0 - H, True),  # paused after its deadline: still late
    (WAITING, T0 + H, T0 - H, False),  # paused, not yet due anyway
    (WAITING, None, T0 - H, False),  # paused without a deadline
]


@pytest.mark.parametrize(("state", "deadline", "paused", "overdue"), CASES)
def test_the_rule_in_the_domain(
    state: str, deadline: datetime | None, paused: datetime | None, overdue: bool
) -> None:
    ticket = Ticket(
        id=1, public_id="T1", type=TicketType.time_limited, category_code="x",
        channel=TicketChannel.grid_app, title="t", description="d", state=TicketState(state),
        deadline_at=deadline, paused_at=paused,
    )  # fmt: skip
    assert ticket.is_overdue(T0) is overdue


async def test_the_rule_in_sql(connection: AsyncConnection) -> None:
    await make_category(connection)
    expected = {
        await make_ticket(connection, state=state, deadline_at=deadline, paused_at=paused): overdue
        for state, deadline, paused, overdue in CASES
    }
    rows = await connection.execute(
        text(
            f"SELECT t.id, {past_deadline_sql()} IS TRUE AS overdue FROM tickets t "
            "WHERE t.id = ANY(:ids)"
        ),
        {"now": T0, "ids": list(expected)},
    )
    assert {r.id: r.overdue for r in rows} == expected
