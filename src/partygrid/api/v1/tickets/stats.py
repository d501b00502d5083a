"""Route of the ticket statistics (办结率, 按期办结率, 满意率, working hours)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Annotated

from fastapi import Query

from partygrid.api.deps import ReadUow, SettingsDep
from partygrid.api.errors import problem_responses
from partygrid.api.permissions import AUTH_ERRORS, TicketReader
from partygrid.api.routing import PrefixRouter
from partygrid.api.v1.tickets.schemas import TicketStatsRead
from partygrid.domain.tickets.workflow import TicketType
from partygrid.services.tickets import stats as svc

router = PrefixRouter(prefix="/tickets", tags=["tickets"], responses=AUTH_ERRORS)


@router.get(
    "/stats",
    response_model=TicketStatsRead,
    responses=problem_responses(404, 422),
    description="Counts by state and the rates of the tickets you can see, per group, with "
    "the whole selection as `overall`.\n\n" + svc.FORMULAS,
)
async def ticket_stats(
    uow: ReadUow,
    actor: TicketReader,
    settings: SettingsDep,
    group_by: Annotated[
        svc.GroupBy,
        Query(
            description="subtree (the children of `under`), grid, handler, category, type or month."
        ),
    ],
    under: Annotated[
        int | None, Query(description="Organization in your scope: only its subtree.")
    ] = None,
    period_from: Annotated[
        date | None, Query(alias="from", description="Received on or after (Asia/Shanghai).")
    ] = None,
    period_to: Annotated[
        date | None, Query(alias="to", description="Received on or before (Asia/Shanghai).")
    ] = None,
    type: TicketType | None = None,
    category: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
) -> TicketStatsRead:
    """Ticket statistics: 办结率, 按期办结率, 满意率 and working hours per group."""
    report = await svc.ticket_stats(
        uow, actor=actor, group_by=group_by, under=under, period_from=period_from,
        period_to=period_to, type=type.value if type else None, category=category,
        min_sample=settings.stats_min_sample,
    )  # fmt: skip
    return TicketStatsRead.model_validate(asdict(report))
