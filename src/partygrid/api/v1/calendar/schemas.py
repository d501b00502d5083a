"""Schemas of the working calendar: official holiday schedules and deadline computation."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from partygrid.api.schemas import RequestModel, ResponseModel


class YearScheduleWrite(RequestModel):
    """A year's schedule as the State Council's notice gives it."""

    holidays: list[date] = Field(
        max_length=120,
        description="Days off (放假). Weekend days inside a break may be listed; only the "
        "weekdays are kept. At most 40 weekdays.",
    )
    workdays: list[date] = Field(
        default_factory=list,
        max_length=30,
        description="Adjusted working weekend days (调休上班); weekdays are refused.",
    )
    source: str = Field(
        default="admin",
        min_length=1,
        max_length=32,
        description="Where it comes from, e.g. `国办发明电〔2026〕7号`.",
    )


class YearScheduleSummary(ResponseModel):
    year: int
    source: str
    stored: bool = Field(
        description="Loaded into the database; false: chinese-calendar's built-in data."
    )
    loaded_at: datetime | None
    holiday_count: int = Field(description="Weekdays off.")
    workday_count: int = Field(description="Weekend days worked.")


class YearScheduleRead(YearScheduleSummary):
    holidays: list[date]
    workdays: list[date]


class YearScheduleList(ResponseModel):
    items: list[YearScheduleSummary]
    unscheduled_note: str = Field(
        description="What happens in a year without a schedule.",
        default="Years not listed count weekends only; deadlines across them are "
        "provisional and are recomputed when the schedule is loaded.",
    )


class YearScheduleLoaded(YearScheduleRead):
    replaced: bool = Field(description="An earlier stored schedule of the year was replaced.")
    recomputed_tickets: int = Field(
        description="Open tickets with a provisional deadline that were recomputed."
    )
    still_provisional: int = Field(
        description="Open tickets still provisional (their deadline reaches another year "
        "without a schedule)."
    )


class WorkingDaysRead(ResponseModel):
    start: datetime
    days: int
    due: datetime = Field(description="End of office hours (17:30 Asia/Shanghai) of the last day.")
    provisional: bool = Field(description="Some counted day lies in a year without a schedule.")
