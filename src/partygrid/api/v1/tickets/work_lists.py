"""Routes of the work lists: the caller's inbox, overdue and soon-due tickets."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Query

from partygrid.api.deps import Cursor, PageSize, ReadUow
from partygrid.api.errors import problem_responses
from partygrid.api.pagination import decode_cursor, encode_cursor
from partygrid.api.permissions import AUTH_ERRORS, TicketReader
from partygrid.api.routing import PrefixRouter
from partygrid.api.v1.tickets.schemas import TicketWorkItem, TicketWorkPage
from partygrid.domain.errors import InvalidValue
from partygrid.repo.tickets.work_lists import After
from partygrid.services.tickets import work_lists as svc

router = PrefixRouter(prefix="/tickets", tags=["tickets"], responses=AUTH_ERRORS)

Under = Annotated[
    int | None,
    Query(description="Organization in your scope: only tickets of its subtree (by the "
          "ticket's community, else its handling organization)."),
]  # fmt: skip


def _after(cursor: str | None) -> After | None:
    key = decode_cursor(cursor)
    if key is None:
        return None
    deadline, last_id = key.get("d"), key.get("id")
    try:
        if not isinstance(last_id, int) or not (deadline is None or isinstance(deadline, str)):
            raise ValueError
        return After(datetime.fromisoformat(deadline) if deadline else None, last_id)
    except ValueError:
        raise InvalidValue("cursor is not one this API issued", field="query.cursor") from None


def _page(page: svc.WorkPage) -> TicketWorkPage:
    after = page.after
    cursor = None
    if after is not None:
        deadline = after.deadline_at.isoformat() if after.deadline_at else None
        cursor = encode_cursor({"d": deadline, "id": after.id})
    items = [TicketWorkItem.model_validate(item) for item in page.items]
    return TicketWorkPage(items=items, next_cursor=cursor)


@router.get("/inbox", response_model=TicketWorkPage, responses=problem_responses(422))
async def ticket_inbox(
    uow: ReadUow, actor: TicketReader, limit: PageSize, cursor: Cursor = None
) -> TicketWorkPage:
    """Your open tickets by deadline: assigned to you and, for admins, handled by your own
    organizations; those without a deadline last."""
    return _page(await svc.inbox(uow, actor=actor, after=_after(cursor), limit=limit))


@router.get("/overdue", response_model=TicketWorkPage, responses=problem_responses(404, 422))
async def overdue_tickets(
    uow: ReadUow, actor: TicketReader, limit: PageSize, cursor: Cursor = None, under: Under = None
) -> TicketWorkPage:
    """Open tickets past their deadline, most overdue first (a ticket paused for a missing
    item before its deadline is not overdue)."""
    page = await svc.overdue(uow, actor=actor, under=under, after=_after(cursor), limit=limit)
    return _page(page)


@router.get("/soon-due", response_model=TicketWorkPage, responses=problem_responses(404, 422))
async def soon_due_tickets(
    uow: ReadUow, actor: TicketReader, limit: PageSize, cursor: Cursor = None, under: Under = None
) -> TicketWorkPage:
    """Open tickets within their soon-due window (yellow), not yet overdue, by deadline."""
    page = await svc.soon_due(uow, actor=actor, under=under, after=_after(cursor), limit=limit)
    return _page(page)
