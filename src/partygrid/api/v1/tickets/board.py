"""公示: what anyone may read without logging in, rate-limited per client address."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Path

from partygrid.api.deps import Cursor, PageSize, ReadUow
from partygrid.api.errors import problem_responses
from partygrid.api.pagination import decode_cursor, encode_cursor
from partygrid.api.rate_limit import rate_limited
from partygrid.api.routing import PrefixRouter
from partygrid.api.schemas import ResponseModel
from partygrid.api.security import public
from partygrid.domain.errors import InvalidValue
from partygrid.domain.tickets.disclosure import PublicTicket, masked
from partygrid.services.tickets import board as svc

router = PrefixRouter(
    prefix="/public",
    tags=["public"],
    dependencies=[
        Depends(public("public disclosure (公示): published results without personal data")),
        Depends(rate_limited("public")),
    ],
    responses=problem_responses(429),
)


class BoardItem(ResponseModel):
    public_id: str
    category_name: str
    type: str
    public_result: str | None
    published_at: datetime | None
    satisfaction: str | None
    grid_name: str | None

    @classmethod
    def of(cls, ticket: PublicTicket) -> BoardItem:
        return cls(
            public_id=ticket.public_id, category_name=ticket.category_name, type=ticket.type,
            public_result=masked(ticket.public_result), published_at=ticket.published_at,
            satisfaction=ticket.satisfaction, grid_name=ticket.grid_name,
        )  # fmt: skip


class BoardPage(ResponseModel):
    community_id: int
    community_name: str
    items: list[BoardItem]
    next_cursor: str | None = None


def _after(cursor: str | None) -> tuple[datetime, int] | None:
    key = decode_cursor(cursor)
    if key is None:
        return None
    try:
        return datetime.fromisoformat(key["at"]), int(key["id"])
    except (KeyError, TypeError, ValueError):
        raise InvalidValue("cursor is not one this API issued", field="query.cursor") from None


@router.get(
    "/communities/{community_id}/board",
    response_model=BoardPage,
    responses=problem_responses(404, 422),
)
async def community_board(
    uow: ReadUow,
    community_id: Annotated[int, Path(ge=1)],
    limit: PageSize,
    cursor: Cursor = None,
) -> BoardPage:
    """公示栏 of a community: its published results (later reviewed or closed), newest
    first, with category, type, grid and satisfaction. No personal data and no names of
    handlers; the result text is masked. Unauthenticated, rate-limited per address (429
    with Retry-After)."""
    board = await svc.community_board(
        uow, community_id=community_id, after=_after(cursor), limit=limit
    )
    last = board.items[-1] if len(board.items) == limit else None
    next_cursor = (
        encode_cursor({"at": last.published_at.isoformat(), "id": last.id})
        if last is not None and last.published_at is not None
        else None
    )
    return BoardPage(
        community_id=board.community_id, community_name=board.community_name,
        items=[BoardItem.of(t) for t in board.items], next_cursor=next_cursor,
    )  # fmt: skip
