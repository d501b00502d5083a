"""Recompute the provisional deadlines of open tickets on a calendar that now knows more
(called by ``load_year_schedule`` inside its transaction)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial

from partygrid.domain.calendar import WorkingCalendar
from partygrid.domain.tickets.deadline_replay import replay_deadline
from partygrid.domain.tickets.deadlines import DeadlinePolicy, DeadlineRule
from partygrid.domain.tickets.workflow import TicketType
from partygrid.repo.tickets.deadlines import (
    ProvisionalTicket,
    RecomputedDeadline,
)
from partygrid.repo.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class RecomputeOutcome:
    recomputed: int  # tickets whose deadline or provisional mark changed
    still_provisional: int  # open tickets still counting an unscheduled year


def rule_for_ticket(
    policy: DeadlinePolicy, ticket: ProvisionalTicket, ticket_type: TicketType
) -> DeadlineRule:
    """The deployment's rule for the category, with the category's override for the type
    (as the catalogue applies it at acceptance)."""
    base = policy.rule_for(ticket.category_code)
    override = ticket.deadline_overrides.get(ticket_type.value) or {}
    return replace(base, **override) if override else base


async def recompute_provisional(
    uow: UnitOfWork, *, calendar: WorkingCalendar, policy: DeadlinePolicy, now: datetime, year: int
) -> RecomputeOutcome:
    repo = uow.ticket_deadlines
    changes: list[RecomputedDeadline] = []
    still = 0
    for ticket in await repo.provisional_open():
        deadline = replay_deadline(
            calendar, partial(rule_for_ticket, policy, ticket), ticket.events
        )
        if deadline is None:  # provisional without an acceptance: nothing to replay
            still += 1
            continue
        still += deadline.provisional
        if deadline.due != ticket.deadline_at or not deadline.provisional:
            changes.append(
                RecomputedDeadline(ticket.id, ticket.deadline_at, deadline.due,
                                   deadline.provisional)
            )  # fmt: skip
    written = await repo.apply_recomputed(changes, now=now, year=year)
    return RecomputeOutcome(recomputed=written, still_provisional=still)
