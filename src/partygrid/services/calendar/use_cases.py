"""The working calendar: official schedules loaded by an admin, else chinese-calendar's.

``get_calendar(uow)`` answers every deadline computation. It is cached per process and
checked against a fingerprint of the holiday_schedules table (row count and newest load
time) on each call, so a schedule loaded by another worker process, or a test's rolled
back load, is never served stale.

Loading a year (``load_year_schedule``) recomputes the deadlines of open tickets marked
provisional: each one's deadline-setting events (acceptance, pauses for a missing item,
an approved extension) are replayed on the new calendar. The change is appended to the
ticket's timeline as a system ``comment`` event whose data carries the new deadline
(``deadline_recomputed: true``), and the ticket's version moves on, so a handler holding
the old ETag re-reads the deadline before acting. One ``calendar.load`` audit event
records the schedule and the number of tickets recomputed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from partygrid.domain.access import Actor
from partygrid.domain.calendar import Deadline, WorkingCalendar, YearSchedule
from partygrid.domain.errors import InvalidValue, NotFound
from partygrid.domain.tickets.deadlines import DeadlinePolicy
from partygrid.repo.uow import UnitOfWork
from partygrid.services.tickets.deadlines import recompute_provisional

BUILTIN_SOURCE = "chinese-calendar"
FIRST_YEAR, LAST_YEAR = 2000, 2100  # years an admin may load
MAX_HOLIDAY_WEEKDAYS = 40  # 2026 has 19 weekdays off; twice that is a typo
MAX_ADJUSTED_WORKDAYS = 15  # 2026 has 6


@dataclass(frozen=True, slots=True)
class ScheduleInfo:
    schedule: YearSchedule
    stored: bool  # loaded into the database (else chinese-calendar's built-in data)
    loaded_at: datetime | None


@dataclass(frozen=True, slots=True)
class LoadResult:
    info: ScheduleInfo
    replaced: bool
    recomputed_tickets: int
    still_provisional: int


# --- chinese-calendar's data -------------------------------------------------------------


@lru_cache(maxsize=1)
def builtin_schedules() -> dict[int, YearSchedule]:
    """chinese-calendar's years as schedules: days off that fall on weekdays, and the
    weekend days worked (调休). Weekend days inside a break change nothing, so they are
    left out."""
    from chinese_calendar import constants

    by_year: dict[int, tuple[set[date], set[date]]] = {}
    for day in constants.holidays:
        if day.weekday() < 5:
            by_year.setdefault(day.year, (set(), set()))[0].add(day)
    for day in constants.workdays:
        if day.weekday() >= 5:
            by_year.setdefault(day.year, (set(), set()))[1].add(day)
    return {
        year: YearSchedule(year, frozenset(h), frozenset(w), BUILTIN_SOURCE)
        for year, (h, w) in sorted(by_year.items())
    }


@lru_cache(maxsize=1)
def builtin_calendar() -> WorkingCalendar:
    """The calendar of chinese-calendar's years alone, for what runs without a database
    (the synthetic city's clock, unit tests); years it lacks count weekends only."""
    return WorkingCalendar(builtin_schedules())


# --- the per-process cache -----------------------------------------------------------------

_cached: tuple[tuple[int, datetime | None], WorkingCalendar, dict[int, datetime]] | None = None


def invalidate_calendar() -> None:
    global _cached
    _cached = None


async def _stored(uow: UnitOfWork) -> tuple[WorkingCalendar, dict[int, datetime]]:
    """The calendar and the load times of the stored years, served from the cache while
    the table's fingerprint is unchanged. Call inside ``async with uow``."""
    global _cached
    repo = uow.schedules
    fingerprint = await repo.fingerprint()
    if _cached is not None and _cached[0] == fingerprint:
        return _cached[1], _cached[2]
    rows = await repo.all()
    schedules = {**builtin_schedules(), **{s.year: s for s, _ in rows}}
    calendar = WorkingCalendar(schedules)
    loaded = {s.year: at for s, at in rows}
    _cached = (fingerprint, calendar, loaded)
    return calendar, loaded


async def get_calendar(uow: UnitOfWork) -> WorkingCalendar:
    """The working calendar: stored schedules, else chinese-calendar's (2004–2026); years
    with neither count weekends only. Call inside ``async with uow``."""
    return (await _stored(uow))[0]


# --- reads -----------------------------------------------------------------------------


async def list_years(uow: UnitOfWork) -> list[ScheduleInfo]:
    async with uow:
        calendar, loaded = await _stored(uow)
        return [
            ScheduleInfo(s, s.year in loaded, loaded.get(s.year))
            for _, s in sorted(calendar.schedules.items())
        ]


async def get_year(uow: UnitOfWork, year: int) -> ScheduleInfo:
    async with uow:
        calendar, loaded = await _stored(uow)
        schedule = calendar.schedules.get(year)
        if schedule is None:
            raise NotFound(
                f"no holiday schedule for {year}: deadlines count weekends only and are "
                "provisional until an admin loads it"
            )
        return ScheduleInfo(schedule, year in loaded, loaded.get(year))


async def working_days_from(uow: UnitOfWork, start: datetime, days: int) -> Deadline:
    """The deadline ``days`` working days after ``start`` (end of that working day)."""
    async with uow:
        return (await get_calendar(uow)).add_working_days(start, days)


# --- loading a year ----------------------------------------------------------------------


def _refuse(detail: str, field: str) -> InvalidValue:
    return InvalidValue(detail, field=field)


def check_schedule(
    year: int, holidays: Iterable[date], workdays: Iterable[date], source: str
) -> YearSchedule:
    """The schedule an admin sent, refused (422 naming the field) when it cannot be an
    official one. Weekend days listed as holidays (a whole break pasted from the notice)
    are accepted and dropped: they are days off anyway."""
    holidays, workdays = list(holidays), list(workdays)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise _refuse(f"year is between {FIRST_YEAR} and {LAST_YEAR}", "path.year")
    for name, days in (("holidays", holidays), ("workdays", workdays)):
        for i, day in enumerate(days):
            if day.year != year:
                raise _refuse(f"{day.isoformat()} is not in {year}", f"body.{name}.{i}")
    for i, day in enumerate(workdays):
        if day.weekday() < 5:
            raise _refuse(
                f"{day.isoformat()} is a weekday; adjusted workdays (调休上班) are weekend days",
                f"body.workdays.{i}",
            )
    both = sorted(set(holidays) & set(workdays))
    if both:
        raise _refuse(
            f"{both[0].isoformat()} is listed both as a holiday and as a workday", "body.workdays"
        )
    weekdays_off = frozenset(d for d in holidays if d.weekday() < 5)
    if len(weekdays_off) > MAX_HOLIDAY_WEEKDAYS:
        raise _refuse(
            f"{len(weekdays_off)} weekdays off is more than an official year has "
            f"(at most {MAX_HOLIDAY_WEEKDAYS})",
            "body.holidays",
        )
    if len(set(workdays)) > MAX_ADJUSTED_WORKDAYS:
        raise _refuse(
            f"more than {MAX_ADJUSTED_WORKDAYS} adjusted workdays in one year", "body.workdays"
        )
    source = source.strip()
    if not 1 <= len(source) <= 32:
        raise _refuse("source is 1 to 32 characters", "body.source")
    return YearSchedule(year, weekdays_off, frozenset(workdays), source)


def _summary(schedule: YearSchedule | None) -> dict[str, Any] | None:
    if schedule is None:
        return None
    return {
        "year": schedule.year,
        "source": schedule.source,
        "holidays": [d.isoformat() for d in sorted(schedule.holidays)],
        "workdays": [d.isoformat() for d in sorted(schedule.workdays)],
    }


async def load_year_schedule(
    uow: UnitOfWork,
    *,
    actor: Actor,
    year: int,
    holidays: Iterable[date],
    workdays: Iterable[date],
    source: str,
    policy: DeadlinePolicy | None = None,
    now: datetime | None = None,
) -> LoadResult:
    """Store (or replace) a year's official schedule and recompute the provisional
    deadlines of open tickets on it, all in one transaction."""
    schedule = check_schedule(year, holidays, workdays, source)
    now = now or datetime.now(UTC)
    async with uow:
        repo = uow.schedules
        await repo.lock()
        previous = await repo.get(year)
        before, _ = await _stored(uow)
        loaded_at = await repo.put(schedule)
        calendar = WorkingCalendar({**before.schedules, year: schedule})
        outcome = await recompute_provisional(
            uow, calendar=calendar, policy=policy or DeadlinePolicy(), now=now, year=year
        )
        uow.audit.record(
            actor, "calendar.load", "holiday_schedule", year,
            before=_summary(previous[0] if previous else before.schedules.get(year)),
            after={**(_summary(schedule) or {}), "recomputed_tickets": outcome.recomputed,
                   "still_provisional": outcome.still_provisional},
        )  # fmt: skip
        await uow.commit()
    invalidate_calendar()
    return LoadResult(
        info=ScheduleInfo(schedule, True, loaded_at),
        replaced=previous is not None,
        recomputed_tickets=outcome.recomputed,
        still_provisional=outcome.still_provisional,
    )
