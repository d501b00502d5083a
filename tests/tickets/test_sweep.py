"""The deadline sweep: yellow for soon due, red for overdue, raised once each, as system
``supervise`` events on the timeline; tickets paused before their deadline and closed ones
are left alone (tests/tickets/test_overdue_rule_api.py: one paused after it turns red)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from partygrid.domain.calendar import SHANGHAI
from partygrid.domain.tickets.deadlines import DeadlinePolicy, DeadlineRule
from partygrid.repo.uow import UnitOfWork
from partygrid.services.tickets.monitor import sweep
from tests.fixtures.ticket_rows import make_category, make_ticket, ticket_events, ticket_row

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)
HOUR = timedelta(hours=1)


async def world(connection: AsyncConnection) -> dict[str, int]:
    await make_category(connection)
    await make_category(
        connection, "test.slow", "慢件", deadline_overrides={"time_limited": {"soon_due_hours": 72}}
    )
    t = {
        "soon": await make_ticket(connection, deadline_at=NOW + 10 * HOUR),
        "late": await make_ticket(connection, state="assigned", deadline_at=NOW - HOUR),
        "later": await make_ticket(connection, deadline_at=NOW + 48 * HOUR),
        "paused": await make_ticket(
            connection,
            state="waiting_supplement",
            deadline_at=NOW - 5 * HOUR,
            paused_at=NOW - 30 * HOUR,
        ),
        "closed": await make_ticket(connection, state="closed", deadline_at=NOW - 50 * HOUR),
        "red_already": await make_ticket(
            connection, deadline_at=NOW - 2 * HOUR, supervision_level="red"
        ),
        "yellow_now_late": await make_ticket(
            connection, deadline_at=NOW - 2 * HOUR, supervision_level="yellow"
        ),
        "red_but_soon": await make_ticket(
            connection, deadline_at=NOW + 2 * HOUR, supervision_level="red"
        ),
        "slow_category": await make_ticket(
            connection, category="test.slow", deadline_at=NOW + 48 * HOUR
        ),
        "no_deadline": await make_ticket(connection, state="received"),
    }
    return t


async def event_count(connection: AsyncConnection) -> int:
    return (await connection.execute(text("SELECT count(*) FROM ticket_events"))).scalar_one()


async def test_sweep_raises_yellow_and_red_once(
    uow: UnitOfWork, connection: AsyncConnection
) -> None:
    t = await world(connection)
    report = await sweep(uow, now=NOW)
    assert report.yellow == sorted([t["soon"], t["slow_category"]])
    assert report.red == sorted([t["late"], t["yellow_now_late"]])

    levels = {name: (await ticket_row(connection, i)).supervision_level for name, i in t.items()}
    assert levels == {
        "soon": "yellow", "late": "red", "later": "none", "paused": "none", "closed": "none",
        "red_already": "red", "yellow_now_late": "red", "red_but_soon": "red",
        "slow_category": "yellow", "no_deadline": "none",
    }  # fmt: skip

    row = await ticket_row(connection, t["late"])
    assert row.version == 2
    events = await ticket_events(connection, t["late"])
    assert [e.seq for e in events] == [1, 2]
    last = events[-1]
    assert (last.action, last.actor_kind, last.from_state, last.to_state) == (
        "supervise", "system", "assigned", "assigned",
    )  # fmt: skip
    assert last.data == {"level": "red", "automatic": True}
    assert last.at == NOW
    for untouched in ("later", "paused", "closed", "red_already", "red_but_soon"):
        assert (await ticket_row(connection, t[untouched])).version == 1

    audit = (
        await connection.execute(
            text("SELECT principal_kind, changes FROM audit_events WHERE action = 'ticket.sweep'")
        )
    ).one()
    assert audit.principal_kind == "system"
    assert audit.changes["after"]["red"] == report.red


async def test_a_second_sweep_changes_nothing(uow: UnitOfWork, connection: AsyncConnection) -> None:
    await world(connection)
    await sweep(uow, now=NOW)
    before = await event_count(connection)
    again = await sweep(uow, now=NOW + timedelta(minutes=5))
    assert (again.yellow, again.red) == ([], [])
    assert await event_count(connection) == before


async def test_yellow_turns_red_when_the_deadline_passes(
    uow: UnitOfWork, connection: AsyncConnection
) -> None:
    t = await world(connection)
    await sweep(uow, now=NOW)
    later = await sweep(uow, now=NOW + 11 * HOUR)
    assert t["soon"] in later.red
    events = await ticket_events(connection, t["soon"])
    assert [(e.seq, e.data["level"]) for e in events[1:]] == [(2, "yellow"), (3, "red")]
    assert (await ticket_row(connection, t["soon"])).version == 3


async def test_the_policy_sets_the_window_per_category(
    uow: UnitOfWork, connection: AsyncConnection
) -> None:
    t = await world(connection)
    policy = DeadlinePolicy(
        default=DeadlineRule(soon_due_hours=1),
        by_category={"test.shirong": DeadlineRule(soon_due_hours=50)},
    )
    report = await sweep(uow, now=NOW, policy=policy)
    # "later" is 48 h away: inside the category's 50 h; the override of test.slow (72 h
    # for its time-limited tickets) wins over the policy.
    assert t["later"] in report.yellow and t["slow_category"] in report.yellow


async def test_a_resumed_ticket_is_swept_again(
    uow: UnitOfWork, connection: AsyncConnection
) -> None:
    t: dict[str, Any] = await world(connection)
    await connection.execute(
        text("UPDATE tickets SET paused_at = NULL, state = 'in_progress' WHERE id = :i"),
        {"i": t["paused"]},
    )
    assert t["paused"] in (await sweep(uow, now=NOW)).red
