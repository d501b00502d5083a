"""Loading the demo tickets through the ticket core: the demo catalogue first, then each
ticket of ``ticket_stories`` submitted and driven through its workflow actions.

Each submission carries its story's key as Idempotency-Key, so a second load finds the
ticket instead of making another and leaves its story alone. Times are played back from
the past (a ticket of twelve days ago was accepted twelve days ago), so deadlines,
overdue lists and working-hour statistics come out as they would have in real life.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from partygrid.domain.access import Actor
from partygrid.domain.grids.model import Grid
from partygrid.domain.organizations.model import Organization
from partygrid.domain.tickets.aggregate import Ticket
from partygrid.domain.tickets.workflow import TicketAction
from partygrid.repo.uow import UnitOfWork
from partygrid.seed.demo.catalogue import ensure_demo_catalogue
from partygrid.seed.demo.people import mobile_for
from partygrid.seed.demo.street import DEMO_GRIDS
from partygrid.seed.demo.ticket_stories import (
    BRANCH,
    DEMO_TICKETS,
    DaysLater,
    DeadlinePlus,
    DemoTicket,
    Org,
    Ref,
)
from partygrid.services.tickets.actions import act_on_ticket
from partygrid.services.tickets.intake import NewTicket, submit_ticket

UowFactory = Callable[[], UnitOfWork]
_SERVING = {spec.code: spec.serving_branch for spec in DEMO_GRIDS}


def _new_ticket(spec: DemoTicket, grid: Grid) -> NewTicket:
    lon, lat = grid.centroid_lon + spec.offset[0], grid.centroid_lat + spec.offset[1]
    return NewTicket(
        type=spec.type, category_code=spec.category, channel=spec.channel, title=spec.title,
        description=spec.description, lon=round(lon, 6), lat=round(lat, 6),
        address=spec.address, requester_name=spec.requester,
        requester_phone=mobile_for(f"requester:{spec.key}") if spec.requester else None,
        attributes=dict(spec.attributes),
    )  # fmt: skip


class _Resolver:
    """Turns the placeholders of a story's commands into values of this load."""

    def __init__(self, orgs: dict[str, Organization], loaded_at: datetime) -> None:
        self.orgs, self.loaded_at = orgs, loaded_at
        self.tickets: dict[str, int] = {}

    def value(self, value: Any, spec: DemoTicket, ticket: Ticket) -> Any:
        if value is BRANCH:
            return self.orgs[_SERVING[spec.grid]].id
        if isinstance(value, Org):
            return self.orgs[value.code].id
        if isinstance(value, Ref):
            return self.tickets[value.key]
        if isinstance(value, DaysLater):
            return (self.loaded_at + timedelta(days=value.days)).date()
        if isinstance(value, DeadlinePlus):
            assert ticket.deadline_at is not None, f"{spec.key} has no deadline to extend"
            return ticket.deadline_at + timedelta(days=value.days)
        return value

    def command(self, raw: dict[str, Any], spec: DemoTicket, ticket: Ticket) -> dict[str, Any]:
        return {name: self.value(value, spec, ticket) for name, value in raw.items()}


async def _play(
    uow_factory: UowFactory, actor: Actor, spec: DemoTicket, ticket: Ticket,
    resolver: _Resolver, at: datetime,
) -> Ticket:  # fmt: skip
    for step in spec.steps:
        at += timedelta(hours=step.hours)
        record = await act_on_ticket(
            uow_factory(), actor=actor, ticket_id=ticket.id, action=TicketAction(step.action),
            command=resolver.command(step.command, spec, ticket), expected_version=None, now=at,
        )  # fmt: skip
        ticket = record.ticket
    return ticket


async def load_demo_tickets(
    uow_factory: UowFactory,
    actor: Actor,
    orgs: dict[str, Organization],
    grids: dict[str, Grid],
    now: datetime | None = None,
) -> tuple[Counter[str], int]:
    """(states of the tickets made by this load, how many were there already)."""
    await ensure_demo_catalogue(uow_factory(), actor)
    loaded_at = now or datetime.now(UTC)
    resolver = _Resolver(orgs, loaded_at)
    made: Counter[str] = Counter()
    present = 0
    for spec in DEMO_TICKETS:
        submitted_at = loaded_at - timedelta(days=spec.days_ago)
        record, created = await submit_ticket(
            uow_factory(), actor=actor, new=_new_ticket(spec, grids[spec.grid]),
            idempotency_key=spec.key, now=submitted_at,
        )  # fmt: skip
        resolver.tickets[spec.key] = record.ticket.id
        if not created:
            present += 1
            continue
        ticket = await _play(uow_factory, actor, spec, record.ticket, resolver, submitted_at)
        made[ticket.state.value] += 1
    return made, present
