"""Routes of the working calendar: which years have an official holiday schedule, loading
one (system admin), and computing a deadline in working days."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Path, Query

from partygrid.api.deps import ReadUow, Uow
from partygrid.api.errors import problem_responses
from partygrid.api.permissions import AUTH_ERRORS
from partygrid.api.routing import PrefixRouter
from partygrid.api.security import authenticated, require
from partygrid.api.v1.calendar.schemas import (
    WorkingDaysRead,
    YearScheduleList,
    YearScheduleLoaded,
    YearScheduleRead,
    YearScheduleSummary,
    YearScheduleWrite,
)
from partygrid.domain.access import Actor, Permission
from partygrid.domain.calendar import SHANGHAI
from partygrid.services.calendar import use_cases as svc

router = PrefixRouter(prefix="/calendar", tags=["calendar"], responses=AUTH_ERRORS)

Reader = Annotated[Actor, Depends(authenticated())]
Maintainer = Annotated[Actor, Depends(require(Permission.system_maintain))]
Year = Annotated[int, Path(ge=svc.FIRST_YEAR, le=svc.LAST_YEAR, description="Calendar year.")]


def _summary(info: svc.ScheduleInfo) -> dict[str, object]:
    s = info.schedule
    return {
        "year": s.year,
        "source": s.source,
        "stored": info.stored,
        "loaded_at": info.loaded_at,
        "holiday_count": len(s.holidays),
        "workday_count": len(s.workdays),
    }


def _read(info: svc.ScheduleInfo) -> dict[str, object]:
    s = info.schedule
    return {**_summary(info), "holidays": sorted(s.holidays), "workdays": sorted(s.workdays)}


@router.get("/years", response_model=YearScheduleList)
async def list_calendar_years(uow: ReadUow, actor: Reader) -> YearScheduleList:
    """Years with an official schedule and where each comes from: loaded by an admin, or
    chinese-calendar's built-in data (2004–2026)."""
    items = await svc.list_years(uow)
    return YearScheduleList(items=[YearScheduleSummary.model_validate(_summary(i)) for i in items])


@router.get("/years/{year}", response_model=YearScheduleRead, responses=problem_responses(404, 422))
async def get_calendar_year(year: Year, uow: ReadUow, actor: Reader) -> YearScheduleRead:
    """One year's weekdays off and adjusted working weekend days (404: no schedule yet)."""
    return YearScheduleRead.model_validate(_read(await svc.get_year(uow, year)))


@router.put("/years/{year}", response_model=YearScheduleLoaded, responses=problem_responses(422))
async def load_calendar_year(
    year: Year, body: YearScheduleWrite, uow: Uow, actor: Maintainer
) -> YearScheduleLoaded:
    """Load (or replace) a year's official schedule (system admin). Open tickets whose
    deadline was provisional are recomputed on it in the same transaction, each with a
    system event on its timeline; deadlines already fixed on an official schedule are not
    touched. A refused schedule changes nothing."""
    result = await svc.load_year_schedule(
        uow, actor=actor, year=year, holidays=body.holidays, workdays=body.workdays,
        source=body.source,
    )  # fmt: skip
    return YearScheduleLoaded.model_validate(
        {
            **_read(result.info),
            "replaced": result.replaced,
            "recomputed_tickets": result.recomputed_tickets,
            "still_provisional": result.still_provisional,
        }
    )


@router.get("/workdays", response_model=WorkingDaysRead, responses=problem_responses(422))
async def compute_working_days(
    uow: ReadUow,
    actor: Reader,
    start: Annotated[
        datetime,
        Query(alias="from", description="Start (ISO 8601; without an offset: Asia/Shanghai)."),
    ],
    days: Annotated[int, Query(ge=0, le=366, description="Working days to count.")],
) -> WorkingDaysRead:
    """The deadline `days` working days after `from`: the end of office hours (17:30) of
    the `days`-th working day after its date; provisional when a counted day lies in a
    year without a schedule."""
    if start.tzinfo is None:
        start = start.replace(tzinfo=SHANGHAI)
    deadline = await svc.working_days_from(uow, start, days)
    return WorkingDaysRead(
        start=start, days=days, due=deadline.due, provisional=deadline.provisional
    )
