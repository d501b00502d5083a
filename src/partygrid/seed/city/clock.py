"""The working calendar as lookup tables over the generated period.

``WorkingCalendar`` walks day by day, which is right for one request and far too slow
for millions of generated tickets; these tables answer the same questions (working
seconds between two instants, the n-th working day after a date) in O(1) from the same
calendar, so generated deadlines and working hours equal what the service computes.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from partygrid.domain.calendar import SHANGHAI, WorkingCalendar

DAY = 86_400
SHANGHAI_OFFSET = 8 * 3600  # no daylight saving since 1991


@dataclass(slots=True)
class Clock:
    """Instants are integer epoch seconds; days are indexes from ``first``."""

    first: date
    workday: list[bool]  # per day index
    provisional: list[bool]  # the day's year has no official schedule
    open_s: int  # seconds after local midnight
    close_s: int
    cumulative: list[int]  # working seconds before each day index
    workday_index: list[int]  # the day indexes that are working days, ascending
    epoch0: int  # epoch seconds of local midnight starting day 0

    @classmethod
    def build(cls, calendar: WorkingCalendar, first: date, last: date) -> Clock:
        days = (last - first).days + 1
        flags = [calendar.is_workday(first + timedelta(days=i)) for i in range(days)]
        provisional = [
            not calendar.has_schedule((first + timedelta(days=i)).year) for i in range(days)
        ]
        open_s = _seconds(calendar.work_start)
        close_s = _seconds(calendar.work_end)
        cumulative = [0] * (days + 1)
        for i, flag in enumerate(flags):
            cumulative[i + 1] = cumulative[i] + (close_s - open_s if flag else 0)
        index = [i for i, flag in enumerate(flags) if flag]
        epoch0 = int(datetime.combine(first, time(), SHANGHAI).timestamp())
        return cls(first, flags, provisional, open_s, close_s, cumulative, index, epoch0)

    def day_of(self, instant: int) -> int:
        return (instant - self.epoch0) // DAY

    def _worked_before(self, instant: int) -> int:
        day = (instant - self.epoch0) // DAY
        into = instant - self.epoch0 - day * DAY
        done = self.cumulative[day]
        if self.workday[day]:
            done += min(max(into - self.open_s, 0), self.close_s - self.open_s)
        return done

    def working_hours(self, start: int, end: int) -> float:
        if end <= start:
            return 0.0
        return (self._worked_before(end) - self._worked_before(start)) / 3600

    def add_working_days(self, instant: int, days: int) -> tuple[int, bool]:
        """(due instant, provisional), as ``WorkingCalendar.add_working_days``."""
        day = self.day_of(instant)
        provisional = self.provisional[day]
        last = day
        if days:
            k = bisect.bisect_right(self.workday_index, day) + days - 1
            last = self.workday_index[k]
            provisional = provisional or any(self.provisional[day + 1 : last + 1])
        return self.epoch0 + last * DAY + self.close_s, provisional

    def next_open(self, instant: int) -> int:
        """``instant`` if the office is open then, else when it next opens."""
        day = self.day_of(instant)
        into = instant - self.epoch0 - day * DAY
        if self.workday[day] and self.open_s <= into < self.close_s:
            return instant
        if not (self.workday[day] and into < self.open_s):
            day = self.workday_index[bisect.bisect_right(self.workday_index, day)]
        return self.epoch0 + day * DAY + self.open_s

    def end_of_day(self, day: int) -> int:
        return self.epoch0 + day * DAY + self.close_s

    def workdays_between(self, start: int, end: int) -> int:
        """Working days in (start's date, end's date]: what a pause costs."""
        a, b = self.day_of(start), self.day_of(end)
        lo = bisect.bisect_right(self.workday_index, a)
        hi = bisect.bisect_right(self.workday_index, b)
        return hi - lo

    def local_date(self, instant: int) -> date:
        return self.first + timedelta(days=self.day_of(instant))


def _seconds(t: time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


def utc(instant: int) -> datetime:
    return datetime.fromtimestamp(instant, UTC)


def local_iso(instant: int) -> str:
    """ISO 8601 in Asia/Shanghai, as the service writes deadlines into events."""
    return datetime.fromtimestamp(instant, SHANGHAI).isoformat()
