"""公示栏: the published results of one community, for anyone to read.

Built on the public projection (``repo.public_tickets``), which never loads a requester or
a handler person; the result text is masked again on the way out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from partygrid.domain.errors import NotFound
from partygrid.domain.tickets.disclosure import DISCLOSED_STATES, PublicTicket
from partygrid.repo.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class Board:
    community_id: int
    community_name: str
    items: list[PublicTicket]


async def community_board(
    uow: UnitOfWork, *, community_id: int, after: tuple[datetime, int] | None, limit: int
) -> Board:
    """Published (and later reviewed or closed) results, newest publication first."""
    async with uow:
        repo = uow.public_tickets
        name = await repo.community_name(community_id)
        if name is None:
            raise NotFound(f"community {community_id} not found")
        items = await repo.disclosed(community_id, DISCLOSED_STATES, after=after, limit=limit)
    return Board(community_id, name, items)
