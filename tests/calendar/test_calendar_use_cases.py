"""The calendar service: chinese-calendar's years as the fallback, schedules loaded into
the database winning over it, and provisional deadlines recomputed when a year arrives."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from partygrid.domain.access import Scope, system_actor
from partygrid.domain.calendar import SHANGHAI, WorkingCalendar
from partygrid.domain.errors import InvalidValue
from partygrid.domain.tickets.deadline_replay import DeadlineEvent, replay_deadline
from partygrid.domain.tickets.deadlines import DeadlineRule
from partygrid.repo.uow import UnitOfWork
from partygrid.services.calendar import use_cases as svc
from tests.fixtures.ticket_rows import (
    accept_event,
    make_category,
    make_ticket,
    ticket_events,
    ticket_row,
)

ACTOR = system_actor(Scope(), "test")
NEW_YEAR_2027 = [date(2027, 1, 1)]  # a minimal 2027: New Year's Day off


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


async def calendar_of(uow: UnitOfWork) -> WorkingCalendar:
    async with uow:
        return await svc.get_calendar(uow)


def test_builtin_schedules_cover_2004_to_2026_as_weekday_holidays_and_weekend_workdays() -> None:
    builtin = svc.builtin_schedules()
    assert min(builtin) == 2004 and max(builtin) == 2026
    y2026 = builtin[2026]
    assert y2026.source == "chinese-calendar"
    assert all(d.weekday() < 5 for d in y2026.holidays)
    assert all(d.weekday() >= 5 for d in y2026.workdays)
    assert date(2026, 10, 5) in y2026.holidays  # Monday of National Day
    assert date(2026, 10, 3) not in y2026.holidays  # a Saturday off anyway
    assert y2026.workdays == {
        date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28), date(2026, 5, 9),
        date(2026, 9, 20), date(2026, 10, 10),
    }  # fmt: skip


async def test_fallback_years_without_rows(uow: UnitOfWork) -> None:
    calendar = await calendar_of(uow)
    assert calendar.has_schedule(2026) and calendar.has_schedule(2004)
    assert not calendar.has_schedule(2027)
    assert calendar.is_workday(date(2026, 10, 10))  # Saturday worked after National Day
    assert not calendar.is_workday(date(2026, 10, 7))
    deadline = calendar.add_working_days(at(2026, 12, 28, 10, 0), 5)
    # 12-29, 12-30, 12-31, then 2027 counts weekends only: 01-01 (Fri), 01-04.
    assert deadline.due == at(2027, 1, 4, 17, 30)
    assert deadline.provisional


async def test_a_loaded_year_changes_deadlines_and_ends_provisional_marking(
    uow: UnitOfWork,
) -> None:
    result = await svc.load_year_schedule(
        uow, actor=ACTOR, year=2027, holidays=NEW_YEAR_2027, workdays=[], source="test"
    )
    assert result.info.stored and not result.replaced
    calendar = await calendar_of(uow)
    assert calendar.schedules[2027].source == "test"
    deadline = calendar.add_working_days(at(2026, 12, 28, 10, 0), 5)
    assert deadline.due == at(2027, 1, 5, 17, 30)  # 01-01 is now a holiday
    assert not deadline.provisional
    assert calendar.add_working_days(at(2027, 12, 29, 10, 0), 5).provisional  # into 2028


async def test_a_stored_year_wins_over_chinese_calendar(uow: UnitOfWork) -> None:
    # A correction of 2026: the Saturday 10-10 is no longer worked.
    official = svc.builtin_schedules()[2026]
    await svc.load_year_schedule(
        uow, actor=ACTOR, year=2026, holidays=official.holidays,
        workdays=official.workdays - {date(2026, 10, 10)}, source="correction",
    )  # fmt: skip
    calendar = await calendar_of(uow)
    assert not calendar.is_workday(date(2026, 10, 10))
    years = {i.schedule.year: i for i in await svc.list_years(uow)}
    assert years[2026].stored and years[2026].schedule.source == "correction"
    assert not years[2025].stored and years[2025].schedule.source == "chinese-calendar"


async def test_the_cache_follows_the_table(uow: UnitOfWork, connection: AsyncConnection) -> None:
    assert not (await calendar_of(uow)).has_schedule(2027)
    # Another process loads 2027: this process's cache must notice.
    await connection.execute(
        text(
            "INSERT INTO holiday_schedules (year, holidays, workdays, source) "
            "VALUES (2027, ARRAY[DATE '2027-01-01'], ARRAY[]::date[], 'elsewhere')"
        )
    )
    assert (await calendar_of(uow)).schedules[2027].source == "elsewhere"


@pytest.mark.parametrize(
    ("holidays", "workdays", "field"),
    [
        ([date(2026, 12, 31)], [], "body.holidays.0"),  # not in 2027
        ([date(2027, 1, 1)], [date(2027, 1, 4)], "body.workdays.0"),  # a Monday
        ([date(2027, 1, 2)], [date(2027, 1, 2)], "body.workdays"),  # both
        ([date(2027, 1, 1) + timedelta(days=i) for i in range(60)], [], "body.holidays"),
    ],
)
def test_absurd_schedules_are_refused_naming_the_field(
    holidays: list[date], workdays: list[date], field: str
) -> None:
    with pytest.raises(InvalidValue) as refused:
        svc.check_schedule(2027, holidays, workdays, "admin")
    assert refused.value.field == field


def test_weekend_days_listed_as_holidays_are_dropped() -> None:
    spring = [date(2027, 2, 6) + timedelta(days=i) for i in range(9)]  # Sat 02-06..Sun 02-14
    schedule = svc.check_schedule(2027, spring, [], "admin")
    assert schedule.holidays == {d for d in spring if d.weekday() < 5}
    assert len(schedule.holidays) == 5


def test_replay_follows_acceptance_pause_and_resumption() -> None:
    calendar = WorkingCalendar(svc.builtin_schedules())
    events = [
        DeadlineEvent("accept", at(2026, 9, 28, 10), {"type": "time_limited"}),
        DeadlineEvent("request_supplement", at(2026, 9, 29, 10)),
        DeadlineEvent("supplement", at(2026, 10, 9, 10)),
    ]
    deadline = replay_deadline(calendar, lambda t: DeadlineRule(working_days=3), events)
    assert deadline is not None
    # Accepted Monday 09-28: 09-29, 09-30, 10-08 → 10-08. Paused 09-29 → 10-09: the
    # working days lost are 09-30, 10-08, 10-09 (3), so 10-08 + 3 → 10-09, 10-10, 10-12.
    assert deadline.due == at(2026, 10, 12, 17, 30)
    assert not deadline.provisional


async def test_loading_2027_recomputes_open_provisional_tickets(
    uow: UnitOfWork, connection: AsyncConnection
) -> None:
    await make_category(connection)
    await make_category(
        connection, "test.long", "长期", deadline_overrides={"time_limited": {"working_days": 300}}
    )
    accepted = at(2026, 12, 28, 10, 0)
    plain = await make_ticket(
        connection, accepted_at=accepted, deadline_at=at(2027, 1, 4, 17, 30),
        deadline_provisional=True,
        events=[accept_event(accepted, at(2027, 1, 4, 17, 30), provisional=True)],
    )  # fmt: skip
    paused = await make_ticket(
        connection, accepted_at=accepted, deadline_at=at(2027, 1, 6, 17, 30),
        deadline_provisional=True,
        events=[
            accept_event(accepted, at(2027, 1, 4, 17, 30), provisional=True),
            ("request_supplement", at(2026, 12, 29, 10), {"missing": "照片"}),
            ("supplement", at(2026, 12, 31, 10), {}),
        ],
    )  # fmt: skip
    long = await make_ticket(
        connection, category="test.long", accepted_at=accepted,
        deadline_at=at(2027, 12, 21, 17, 30), deadline_provisional=True,
        events=[accept_event(accepted, at(2027, 12, 21, 17, 30), provisional=True)],
    )  # fmt: skip
    closed = await make_ticket(
        connection, state="closed", accepted_at=accepted, deadline_at=at(2027, 1, 4, 17, 30),
        deadline_provisional=True,
        events=[accept_event(accepted, at(2027, 1, 4, 17, 30), provisional=True)],
    )  # fmt: skip

    result = await svc.load_year_schedule(
        uow, actor=ACTOR, year=2027, holidays=NEW_YEAR_2027, workdays=[], source="国办发明电"
    )
    assert result.recomputed_tickets == 3
    assert result.still_provisional == 1  # 300 working days reach into 2028

    row = await ticket_row(connection, plain)
    assert row.deadline_at == at(2027, 1, 5, 17, 30) and not row.deadline_provisional
    assert row.version == 3
    # Paused 12-29 → resumed 12-31 lost 12-30 and 12-31: 01-05 + 2 = 01-07.
    row = await ticket_row(connection, paused)
    assert row.deadline_at == at(2027, 1, 7, 17, 30) and not row.deadline_provisional
    row = await ticket_row(connection, long)
    assert row.deadline_provisional
    assert row.deadline_at.date() > date(2027, 12, 21)
    row = await ticket_row(connection, closed)
    assert row.deadline_provisional and row.version == 2  # closed tickets are history

    event = (await ticket_events(connection, plain))[-1]
    assert (event.seq, event.action, event.actor_kind) == (3, "comment", "system")
    assert event.data["deadline_recomputed"] is True
    assert datetime.fromisoformat(event.data["deadline_at"]) == at(2027, 1, 5, 17, 30)
    assert datetime.fromisoformat(event.data["previous_deadline_at"]) == at(2027, 1, 4, 17, 30)
    assert event.data["deadline_provisional"] is False

    audit = (
        await connection.execute(
            text("SELECT resource_id, changes FROM audit_events WHERE action = 'calendar.load'")
        )
    ).one()
    assert audit.resource_id == "2027"
    assert audit.changes["after"]["recomputed_tickets"] == 3
    assert audit.changes["before"] is None
