"""Working days on the Chinese official calendar, in Asia/Shanghai.

The State Council publishes each year's holidays and adjusted working weekends (调休)
around November, and libraries lag. A year with no schedule counts weekends only, and
every deadline computed across it is marked provisional so it can be recomputed when
the schedule arrives.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True, slots=True)
class YearSchedule:
    """One year's official schedule: days off on weekdays, and weekend days worked."""

    year: int
    holidays: frozenset[date]
    workdays: frozenset[date]
    source: str = "official"

    def __post_init__(self) -> None:
        stray = [d for d in self.holidays | self.workdays if d.year != self.year]
        if stray:
            raise ValueError(f"dates outside {self.year}: {sorted(stray)[:3]}")
        if self.holidays & self.workdays:
            raise ValueError("a date cannot be both a holiday and an adjusted workday")


@dataclass(frozen=True, slots=True)
class Deadline:
    due: datetime
    provisional: bool  # some counted day lies in a year without an official schedule


@dataclass(frozen=True, slots=True)
class WorkingCalendar:
    schedules: Mapping[int, YearSchedule] = field(default_factory=dict)
    work_start: time = time(9, 0)
    work_end: time = time(17, 30)

    def has_schedule(self, year: int) -> bool:
        return year in self.schedules

    def is_workday(self, day: date) -> bool:
        schedule = self.schedules.get(day.year)
        if schedule is not None:
            if day in schedule.workdays:
                return True
            if day in schedule.holidays:
                return False
        return day.weekday() < 5

    def workdays_after(self, day: date) -> Iterator[date]:
        current = day
        while True:
            current += timedelta(days=1)
            if self.is_workday(current):
                yield current

    def add_working_days(self, start: datetime, days: int) -> Deadline:
        """Due at the end of the ``days``-th working day after the start's local date
        ("within 3 working days" of a Friday request before National Day ends on the 3rd
        working day after the holiday)."""
        if days < 0:
            raise ValueError("days must not be negative")
        local = start.astimezone(SHANGHAI)
        day = local.date()
        provisional = not self.has_schedule(day.year)
        if days == 0:
            last = day
        else:
            counted = self.workdays_after(day)
            last = day
            for _ in range(days):
                last = next(counted)
                provisional = provisional or not self.has_schedule(last.year)
        due = datetime.combine(last, self.work_end, SHANGHAI)
        return Deadline(due=due, provisional=provisional)

    def working_seconds_between(self, start: datetime, end: datetime) -> float:
        """Seconds of office hours (work_start–work_end on working days) in [start, end)."""
        if end <= start:
            return 0.0
        a, b = start.astimezone(SHANGHAI), end.astimezone(SHANGHAI)
        total = 0.0
        day = a.date()
        while day <= b.date():
            if self.is_workday(day):
                open_ = datetime.combine(day, self.work_start, SHANGHAI)
                close = datetime.combine(day, self.work_end, SHANGHAI)
                lo, hi = max(open_, a), min(close, b)
                if hi > lo:
                    total += (hi - lo).total_seconds()
            day += timedelta(days=1)
        return total

    def working_hours_between(self, start: datetime, end: datetime) -> float:
        return self.working_seconds_between(start, end) / 3600
