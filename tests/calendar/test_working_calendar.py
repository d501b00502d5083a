"""Working days across the National Day and Spring Festival holidays (2025–2026)."""

from datetime import date, datetime

import chinese_calendar
import pytest

from partygrid.domain.calendar import SHANGHAI, WorkingCalendar, YearSchedule


def official(year: int) -> YearSchedule:
    days = [date(year, 1, 1) + (date(year, 12, 31) - date(year, 12, 30)) * i for i in range(366)]
    days = [d for d in days if d.year == year]
    holidays = {d for d in days if chinese_calendar.is_holiday(d) and d.weekday() < 5}
    workdays = {d for d in days if chinese_calendar.is_workday(d) and d.weekday() >= 5}
    return YearSchedule(year, frozenset(holidays), frozenset(workdays), "chinese-calendar")


@pytest.fixture(scope="module")
def calendar() -> WorkingCalendar:
    return WorkingCalendar({2025: official(2025), 2026: official(2026)})


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def test_national_day_2026(calendar: WorkingCalendar) -> None:
    # 2026: 10-01..10-07 off; Sunday 09-20 and Saturday 10-10 are adjusted workdays.
    assert calendar.is_workday(date(2026, 10, 10))
    assert not calendar.is_workday(date(2026, 10, 5))
    deadline = calendar.add_working_days(at(2026, 9, 30, 15, 0), 3)
    assert deadline.due == at(2026, 10, 10, 17, 30)  # 10-08, 10-09, then Saturday 10-10
    assert not deadline.provisional


def test_spring_festival_2026(calendar: WorkingCalendar) -> None:
    # 2026 Spring Festival: 02-15..02-23 off; Saturdays 02-14 and 02-28 are worked.
    deadline = calendar.add_working_days(at(2026, 2, 13, 10, 0), 2)
    assert deadline.due.date() == date(2026, 2, 24)  # Saturday 02-14, then 02-24
    assert calendar.is_workday(date(2026, 2, 28))
    assert not calendar.is_workday(date(2026, 2, 16))


def test_year_without_schedule_counts_weekends_only_and_is_provisional(
    calendar: WorkingCalendar,
) -> None:
    deadline = calendar.add_working_days(at(2026, 12, 30, 9, 0), 5)
    assert deadline.provisional
    assert deadline.due.date() == date(2027, 1, 6)  # 12-31, 01-01 (no schedule), 04, 05, 06
    loaded = WorkingCalendar(
        {
            **calendar.schedules,
            2027: YearSchedule(2027, frozenset({date(2027, 1, 1)}), frozenset(), "admin"),
        }
    )
    again = loaded.add_working_days(at(2026, 12, 30, 9, 0), 5)
    assert not again.provisional
    assert again.due.date() == date(2027, 1, 7)


def test_working_hours_skip_nights_weekends_and_holidays(calendar: WorkingCalendar) -> None:
    # Thursday 2026-09-24 16:30 → Monday 09-28 10:00: 1 h Thursday, Friday 09-25 is
    # Mid-Autumn Festival, the weekend is off, 1 h Monday.
    assert calendar.working_hours_between(at(2026, 9, 24, 16, 30), at(2026, 9, 28, 10, 0)) == 2.0
    # Across National Day: 09-30 17:00 → 10-08 09:30 = 0.5 h + 0.5 h.
    assert calendar.working_hours_between(at(2026, 9, 30, 17, 0), at(2026, 10, 8, 9, 30)) == 1.0


def test_schedule_rejects_inconsistent_dates() -> None:
    with pytest.raises(ValueError):
        YearSchedule(2026, frozenset({date(2025, 12, 31)}), frozenset(), "x")
    with pytest.raises(ValueError):
        YearSchedule(2026, frozenset({date(2026, 5, 1)}), frozenset({date(2026, 5, 1)}), "x")
