"""What the ticket use cases share: the records they return, the caller's identity on a
timeline, visibility, and the audit snapshot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from partygrid.domain.access import Actor
from partygrid.domain.errors import NotFound
from partygrid.domain.tickets.aggregate import EventActor, Ticket, TicketChannel
from partygrid.domain.tickets.workflow import TicketState, TicketType
from partygrid.repo.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class PossibleDuplicate:
    id: int
    public_id: str
    state: str
    distance_m: float
    created_at: datetime


@dataclass(frozen=True, slots=True)
class TicketRecord:
    """A ticket as a use case returns it; intake adds the duplicates it suspects."""

    ticket: Ticket
    possible_duplicates: tuple[PossibleDuplicate, ...] = ()


@dataclass(frozen=True, slots=True)
class TicketFilters:
    state: tuple[TicketState, ...] = ()
    type: TicketType | None = None
    category_code: str | None = None
    grid_id: int | None = None
    community_id: int | None = None
    handling_org_id: int | None = None
    assignee_user_id: int | None = None
    under: int | None = None  # an organization: tickets of its subtree
    channel: TicketChannel | None = None
    overdue: bool | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None


def utcnow() -> datetime:
    return datetime.now(UTC)



def event_actor(actor: Actor) -> EventActor:
    p = actor.principal
    return EventActor(p.kind.value, p.id, p.name, p.role.value if p.role else None)


async def require_ticket(
    uow: UnitOfWork, ticket_id: int, *, actor: Actor, for_update: bool = False
) -> Ticket:
    """The ticket, or 404 when it does not exist or the actor does not see it."""
    ticket = await uow.tickets.get(
        ticket_id, scope=actor.scope, user_id=actor.user_id, for_update=for_update
    )
    if ticket is None:
        raise NotFound(f"ticket {ticket_id} not found")
    return ticket


def snapshot(t: Ticket) -> dict[str, Any]:
    """What the audit trail keeps of a ticket: no requester data at all (the trail's writer
    turns the times into text)."""
    return {
        "public_id": t.public_id,
        "type": t.type.value,
        "category_code": t.category_code,
        "state": t.state.value,
        "priority": t.priority,
        "grid_id": t.grid_id,
        "community_id": t.community_id,
        "handling_org_id": t.handling_org_id,
        "assignee_user_id": t.assignee_user_id,
        "assignee_department": t.assignee_department,
        "deadline_at": t.deadline_at,
        "paused_at": t.paused_at,
        "supervision_level": t.supervision_level.value,
        "extension_pending": t.extension_pending,
        "satisfaction": t.satisfaction.value if t.satisfaction else None,
        "reopen_count": t.reopen_count,
        "merged_into_id": t.merged_into_id,
        "co_reporters": t.co_reporters,
        "version": t.version,
    }
