"""Ticket statistics (办结率, 按期办结率, 满意率, working hours) per subtree, grid, handler,
category, type or month.

The formulas, also stated in the API description (``FORMULAS``):
- counted tickets = all tickets except rejected and merged ones (a refused request or a
  duplicate is neither handled nor failed, so it is left out of every rate and time);
- done = resolved + published + reviewed + closed;
- completion_rate (办结率) = done / counted;
- on_time_rate (按期办结率) = done on time / (done + open tickets past their deadline),
  "on time" = resolved at or before the deadline then in force (a ticket without a
  deadline is on time); a ticket paused for a missing item before its deadline is not
  past it;
- satisfaction_rate (满意率) = (satisfied + basically satisfied) / counted tickets the
  requester rated;
- response and resolution time: average and median of the working hours stored at
  resolution (office hours on working days, Asia/Shanghai).
A rate is null when its denominator is 0 and flagged ``small_sample`` when the
denominator is below the configured minimum.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from partygrid.domain.access import Actor
from partygrid.domain.calendar import SHANGHAI
from partygrid.domain.errors import InvalidValue
from partygrid.domain.tickets.workflow import TicketState
from partygrid.repo.tickets.stats import MAX_GROUPS, StatsQuery
from partygrid.repo.uow import UnitOfWork
from partygrid.services.organizations.use_cases import require_organization

FORMULAS = """\
Counted tickets = all tickets in the selection except **rejected** and **merged** ones;
those are left out of every rate and time (a refused request or a duplicate is neither
handled nor failed). done = resolved + published + reviewed + closed.

* `completion_rate` (办结率) = done / counted
* `on_time_rate` (按期办结率) = done on time / (done + open tickets already past their
  deadline); on time = resolved at or before the deadline then in force (no deadline:
  on time); an open ticket paused for a missing item (补办件) before its deadline is not
  past it
* `satisfaction_rate` (满意率) = (satisfied + basically_satisfied) / counted tickets
  with a rating
* `response_hours`, `resolution_hours`: average and median of the working hours stored
  at resolution (office hours on working days, Asia/Shanghai), over counted tickets
  that have them

Every rate is `null` when its denominator is 0, and carries `small_sample: true` when
its denominator is below PARTYGRID_STATS_MIN_SAMPLE. The selection: tickets you can see,
received (created) within `from`..`to` (dates in Asia/Shanghai, both included), under
the subtree of `under` (by the ticket's community, else its handling organization), of
the given `type` and `category`."""


class GroupBy(StrEnum):
    subtree = "subtree"  # the children of ``under``
    grid = "grid"
    handler = "handler"
    category = "category"
    type = "type"
    month = "month"


@dataclass(frozen=True, slots=True)
class Rate:
    value: float | None
    numerator: int
    denominator: int
    small_sample: bool


@dataclass(frozen=True, slots=True)
class Hours:
    average: float | None
    median: float | None
    count: int
    small_sample: bool


@dataclass(frozen=True, slots=True)
class GroupStats:
    key: str | None
    label: str | None
    total: int
    by_state: dict[str, int]
    completion_rate: Rate
    on_time_rate: Rate
    satisfaction_rate: Rate
    response_hours: Hours
    resolution_hours: Hours


@dataclass(frozen=True, slots=True)
class StatsReport:
    group_by: GroupBy
    under: int | None
    period_from: date | None
    period_to: date | None
    type: str | None
    category: str | None
    min_sample: int
    generated_at: datetime
    overall: GroupStats
    groups: list[GroupStats] = field(default_factory=list)
    truncated: bool = False


def rate(numerator: int, denominator: int, min_sample: int) -> Rate:
    value = round(numerator / denominator, 4) if denominator else None
    return Rate(value, numerator, denominator, denominator < min_sample)


def _hours(row: Any, column: str, min_sample: int) -> Hours:
    n = int(getattr(row, f"{column}_n"))
    avg, median = getattr(row, f"{column}_avg"), getattr(row, f"{column}_median")
    return Hours(
        average=None if avg is None else round(float(avg), 2),
        median=None if median is None else round(float(median), 2),
        count=n,
        small_sample=n < min_sample,
    )


def group_stats(row: Any, min_sample: int) -> GroupStats:
    return GroupStats(
        key=row.k,
        label=row.label,
        total=int(row.total),
        by_state={s.value: int(getattr(row, f"n_{s.value}")) for s in TicketState},
        completion_rate=rate(row.done, row.counted, min_sample),
        on_time_rate=rate(row.done_on_time, row.done + row.open_overdue, min_sample),
        satisfaction_rate=rate(row.satisfied, row.rated, min_sample),
        response_hours=_hours(row, "response_working_hours", min_sample),
        resolution_hours=_hours(row, "resolution_working_hours", min_sample),
    )


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), SHANGHAI)


async def ticket_stats(
    uow: UnitOfWork,
    *,
    actor: Actor,
    group_by: GroupBy,
    under: int | None = None,
    period_from: date | None = None,
    period_to: date | None = None,
    type: str | None = None,
    category: str | None = None,
    min_sample: int = 10,
    now: datetime | None = None,
) -> StatsReport:
    if group_by is GroupBy.subtree and under is None:
        raise InvalidValue("grouping by subtree needs `under`", field="query.under")
    if period_from and period_to and period_to < period_from:
        raise InvalidValue("`to` is before `from`", field="query.to")
    now = now or datetime.now(UTC)
    async with uow:
        root = None
        if under is not None:
            root = (await require_organization(uow, under, actor=actor)).path
        query = StatsQuery(
            group_by=group_by.value,
            root_path=root,
            created_from=_start_of(period_from) if period_from else None,
            created_before=_start_of(period_to + timedelta(days=1)) if period_to else None,
            type=type,
            category=category,
        )
        rows = await uow.ticket_stats.grouped(
            query, scope=actor.scope, user_id=actor.user_id, now=now
        )
    total, groups = rows[0], rows[1:]
    return StatsReport(
        group_by=group_by, under=under, period_from=period_from, period_to=period_to,
        type=type, category=category, min_sample=min_sample, generated_at=now,
        overall=group_stats(total, min_sample),
        groups=[group_stats(r, min_sample) for r in groups[:MAX_GROUPS]],
        truncated=len(groups) > MAX_GROUPS,
    )  # fmt: skip
