"""Reading tickets: one, a filtered page, a timeline; always within the caller's scope."""

from __future__ import annotations

from datetime import datetime

from partygrid.domain.access import Actor
from partygrid.domain.errors import NotFound
from partygrid.domain.tickets.aggregate import Ticket, TicketEvent
from partygrid.repo.tickets.repository import TicketQuery
from partygrid.repo.uow import UnitOfWork
from partygrid.services.tickets.common import (
    TicketFilters,
    TicketRecord,
    require_ticket,
    utcnow,
)


async def get_ticket(uow: UnitOfWork, *, actor: Actor, ticket_id: int) -> TicketRecord:
    async with uow:
        return TicketRecord(await require_ticket(uow, ticket_id, actor=actor))


async def get_ticket_by_public_id(uow: UnitOfWork, *, actor: Actor, public_id: str) -> TicketRecord:
    async with uow:
        ticket = await uow.tickets.get_by_public_id(
            public_id, scope=actor.scope, user_id=actor.user_id
        )
        if ticket is None:
            raise NotFound(f"ticket {public_id} not found")
        return TicketRecord(ticket)


async def _query(
    uow: UnitOfWork, actor: Actor, filters: TicketFilters, now: datetime
) -> TicketQuery:
    under_path = None
    if filters.under is not None:
        org = await uow.organizations.get(filters.under, scope=actor.scope)
        if org is None:
            raise NotFound(f"organization {filters.under} not found")
        under_path = org.path
    return TicketQuery(
        states=tuple(filters.state),
        type=filters.type,
        category_code=filters.category_code,
        grid_id=filters.grid_id,
        community_id=filters.community_id,
        handling_org_id=filters.handling_org_id,
        assignee_user_id=filters.assignee_user_id,
        under_path=under_path,
        channel=filters.channel,
        overdue_at=now if filters.overdue is True else None,
        not_overdue_at=now if filters.overdue is False else None,
        created_from=filters.created_from,
        created_to=filters.created_to,
    )


async def list_tickets(
    uow: UnitOfWork,
    *,
    actor: Actor,
    filters: TicketFilters,
    after_id: int | None,
    limit: int,
    now: datetime | None = None,
) -> list[Ticket]:
    """The tickets the actor sees, by id; ``overdue`` compares deadlines with ``now``."""
    async with uow:
        query = await _query(uow, actor, filters, now or utcnow())
        return await uow.tickets.list_filtered(
            query, scope=actor.scope, user_id=actor.user_id, after_id=after_id, limit=limit
        )


async def ticket_timeline(uow: UnitOfWork, *, actor: Actor, ticket_id: int) -> list[TicketEvent]:
    """Every event of the ticket, oldest first: the record of who did what, and when."""
    async with uow:
        await require_ticket(uow, ticket_id, actor=actor)
        return await uow.tickets.events(ticket_id)
