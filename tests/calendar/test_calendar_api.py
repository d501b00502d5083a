"""The calendar over HTTP: the system admin loads a year, provisional deadlines follow; every
other role is refused, and a refused or invalid load changes nothing."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from partygrid.config import Environment, Settings
from partygrid.domain.calendar import SHANGHAI
from partygrid.main import create_app
from partygrid.repo.uow import UnitOfWork
from partygrid.services.calendar.use_cases import builtin_schedules
from tests.access.test_route_permissions_api import declared_access
from tests.fixtures.ticket_rows import (
    accept_event,
    make_category,
    make_ticket,
    ticket_events,
    ticket_row,
)
from tests.fixtures.tickets import act, make_world, submit
from tests.platform.test_conventions_api import assert_problem
from tests.tickets.test_ticket_actions_api import assert_replay_matches_row

YEARS = "/api/v1/calendar/years"
SCHEDULE_2027 = {
    # 元旦 01-01; 春节 02-06..02-14 pasted whole (weekends included), Saturday 02-20 worked.
    "holidays": ["2027-01-01", *[f"2027-02-{d:02d}" for d in range(6, 15)]],
    "workdays": ["2027-02-20"],
    "source": "国办发明电〔2026〕7号",
}


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
async def system_admin(login_as: Any) -> dict[str, str]:
    return await login_as("system_admin")


async def stored_years(connection: AsyncConnection) -> list[int]:
    rows = await connection.execute(text("SELECT year FROM holiday_schedules ORDER BY year"))
    return [r.year for r in rows]


async def provisional_ticket(connection: AsyncConnection, district: dict[str, Any]) -> int:
    await make_category(connection)
    accepted = at(2026, 12, 28, 10, 0)
    return await make_ticket(
        connection, handling_org_id=district["id"], accepted_at=accepted,
        deadline_at=at(2027, 1, 4, 17, 30), deadline_provisional=True,
        events=[accept_event(accepted, at(2027, 1, 4, 17, 30), provisional=True)],
    )  # fmt: skip


def test_routes_declare_their_access() -> None:
    declared = declared_access(create_app(Settings(environment=Environment.test)))
    assert declared[("PUT", "/api/v1/calendar/years/{year}")] == ("system:maintain",)
    assert declared[("GET", "/api/v1/calendar/years")] == ("authenticated",)
    assert declared[("GET", "/api/v1/calendar/years/{year}")] == ("authenticated",)
    assert declared[("GET", "/api/v1/calendar/workdays")] == ("authenticated",)


async def test_system_admin_loads_2027_and_a_provisional_deadline_is_recomputed(
    client: httpx.AsyncClient,
    connection: AsyncConnection,
    system_admin: dict[str, str],
    district: dict[str, Any],
) -> None:
    ticket = await provisional_ticket(connection, district)
    assert (await client.get(f"{YEARS}/2027")).status_code == 404

    response = await client.put(f"{YEARS}/2027", json=SCHEDULE_2027, headers=system_admin)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["stored"] is True and body["replaced"] is False
    assert body["holiday_count"] == 6  # 01-01 and the five weekdays 02-08..02-12
    assert body["workdays"] == ["2027-02-20"]
    assert body["recomputed_tickets"] == 1 and body["still_provisional"] == 0

    row = await ticket_row(connection, ticket)
    assert row.deadline_at == at(2027, 1, 5, 17, 30)  # 01-01 is a holiday now
    assert row.deadline_provisional is False
    last = (await ticket_events(connection, ticket))[-1]
    assert last.action == "comment" and last.data["deadline_recomputed"] is True

    read = (await client.get(f"{YEARS}/2027")).json()
    assert read["source"] == SCHEDULE_2027["source"] and read["stored"] is True
    listed = {i["year"]: i for i in (await client.get(YEARS)).json()["items"]}
    assert listed[2027]["stored"] is True
    assert listed[2026] == {**listed[2026], "stored": False, "source": "chinese-calendar"}
    assert min(listed) == 2004

    # Loading it again replaces it; nothing is provisional any more.
    again = await client.put(f"{YEARS}/2027", json=SCHEDULE_2027, headers=system_admin)
    assert again.json()["replaced"] is True and again.json()["recomputed_tickets"] == 0


@pytest.mark.parametrize(
    "role", ["district_admin", "street_admin", "community_admin", "grid_worker", "auditor",
             "security_admin"],
)  # fmt: skip
async def test_other_roles_are_refused_and_nothing_changes(
    client: httpx.AsyncClient,
    connection: AsyncConnection,
    login_as: Any,
    district: dict[str, Any],
    role: str,
) -> None:
    ticket = await provisional_ticket(connection, district)
    headers = await login_as(role, orgs=[district["id"]] if role.endswith("admin") else [])
    response = await client.put(f"{YEARS}/2027", json=SCHEDULE_2027, headers=headers)
    assert_problem(response, 403, "forbidden")
    assert await stored_years(connection) == []
    assert (await ticket_row(connection, ticket)).deadline_provisional is True


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"holidays": ["2026-12-31"]}, "body.holidays.0"),  # not in 2027
        ({"holidays": ["2027-02-30"]}, "body.holidays.0"),  # no such date
        ({"workdays": ["2027-02-22"]}, "body.workdays.0"),  # a Monday
        ({"workdays": ["2027-02-06"]}, "body.workdays"),  # also listed as a holiday
        ({"holidays": [f"2027-03-{d:02d}" for d in range(1, 32)]
          + [f"2027-04-{d:02d}" for d in range(1, 31)]}, "body.holidays"),  # 44 weekdays
        ({"source": ""}, "body.source"),
        ({"holidays": ["2027-01-01"], "oops": 1}, "body.oops"),
    ],
)  # fmt: skip
async def test_bad_schedules_are_422_naming_the_field_and_change_nothing(
    client: httpx.AsyncClient,
    connection: AsyncConnection,
    system_admin: dict[str, str],
    district: dict[str, Any],
    change: dict[str, Any],
    field: str,
) -> None:
    ticket = await provisional_ticket(connection, district)
    response = await client.put(
        f"{YEARS}/2027", json={**SCHEDULE_2027, **change}, headers=system_admin
    )
    body = assert_problem(response, 422, "validation-error" if "errors" in response.json()
                          else "invalid-value")  # fmt: skip
    fields = [e["field"] for e in body["errors"]] if "errors" in body else [body["field"]]
    assert field in fields
    assert await stored_years(connection) == []
    row = await ticket_row(connection, ticket)
    assert row.deadline_provisional is True and row.version == 2


async def test_a_year_out_of_range_is_422(
    client: httpx.AsyncClient, system_admin: dict[str, str]
) -> None:
    response = await client.put(f"{YEARS}/1999", json=SCHEDULE_2027, headers=system_admin)
    body = assert_problem(response, 422, "validation-error")
    assert [e["field"] for e in body["errors"]] == ["path.year"]


async def test_working_days_across_national_day(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/api/v1/calendar/workdays", params={"from": "2026-09-30T15:00:00+08:00", "days": 3}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    # 10-01..10-07 off: 10-08, 10-09 and the adjusted Saturday 10-10.
    assert datetime.fromisoformat(body["due"]) == at(2026, 10, 10, 17, 30)
    assert body["provisional"] is False
    naive = await client.get(
        "/api/v1/calendar/workdays", params={"from": "2026-12-30T09:00:00", "days": 5}
    )
    assert naive.json()["provisional"] is True


async def test_anonymous_callers_are_401(anonymous_client: httpx.AsyncClient) -> None:
    assert_problem(await anonymous_client.get(YEARS), 401, "unauthenticated")


async def test_end_to_end_a_ticket_accepted_across_the_year_end(
    client: httpx.AsyncClient,
    connection: AsyncConnection,
    login_as: Any,
    system_admin: dict[str, str],
    catalogue: list[str],
    uow: UnitOfWork,
) -> None:
    """Accepted through the workflow with a deadline in next year (no schedule yet):
    provisional; the schedule arrives; the deadline is recomputed on the timeline and the
    workflow carries on from the new version."""
    today = datetime.now(UTC).astimezone(SHANGHAI).date()
    next_year = today.year + 1
    if next_year in builtin_schedules():
        pytest.skip(f"chinese-calendar already knows {next_year}")
    # Enough working days to run ten weekdays into next year.
    to_year_end = (date(today.year, 12, 31) - today).days
    span = sum(1 for i in range(1, to_year_end + 1) if (today + timedelta(i)).weekday() < 5)
    await connection.execute(
        text(
            "UPDATE service_categories SET deadline_overrides = CAST(:o AS jsonb) "
            "WHERE code = 'city_appearance'"
        ),
        {"o": json.dumps({"time_limited": {"working_days": span + 10}})},
    )
    world = await make_world(client, login_as)
    ticket = await submit(client, type="time_limited")
    accepted = await act(client, ticket["id"], "accept", {"note": "受理"})
    assert accepted["deadline_provisional"] is True
    provisional_due = datetime.fromisoformat(accepted["deadline_at"])
    assert provisional_due.year == next_year

    response = await client.put(
        f"{YEARS}/{next_year}",
        json={"holidays": [f"{next_year}-01-01"], "workdays": []},
        headers=system_admin,
    )
    assert response.status_code == 200, response.text
    assert response.json()["recomputed_tickets"] == 1

    read = (await client.get(f"/api/v1/tickets/{ticket['id']}")).json()
    assert read["deadline_provisional"] is False
    due = datetime.fromisoformat(read["deadline_at"])
    if date(next_year, 1, 1).weekday() < 5:  # a weekday off now: one working day later
        assert due > provisional_due
    else:
        assert due == provisional_due
    timeline = (await client.get(f"/api/v1/tickets/{ticket['id']}/timeline")).json()
    last = timeline["items"][-1]
    assert (last["action"], last["actor"]["kind"]) == ("comment", "system")
    assert last["data"]["deadline_recomputed"] is True
    assert last["seq"] == read["version"]
    # The workflow goes on from the version the recompute left.
    assigned = await act(client, ticket["id"], "assign", {"assignee_user_id": world["worker_id"]})
    assert assigned["deadline_at"] == read["deadline_at"]
    assert assigned["version"] == read["version"] + 1
    # The timeline alone rebuilds the recomputed deadline too.
    await assert_replay_matches_row(uow, ticket["id"])
