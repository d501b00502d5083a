"""Deadline rules of the five ticket types, configurable per deployment and category,
and the one rule of "overdue".

urgent: hours on the wall clock; time_limited and suggestion: working days;
promised: the date committed at acceptance; supplementary: working days, with the clock
stopped while waiting for the missing item.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from partygrid.domain.calendar import SHANGHAI, Deadline, WorkingCalendar
from partygrid.domain.errors import InvalidValue
from partygrid.domain.tickets.workflow import OPEN_STATES, TicketState, TicketType


@dataclass(frozen=True, slots=True)
class DeadlineRule:
    urgent_hours: int = 24
    working_days: int = 5  # time_limited
    supplementary_days: int = 10
    suggestion_days: int = 15
    soon_due_hours: int = 24  # yellow warning this long before the deadline


@dataclass(frozen=True, slots=True)
class DeadlinePolicy:
    """The deployment default, with overrides per service category code."""

    default: DeadlineRule = field(default_factory=DeadlineRule)
    by_category: dict[str, DeadlineRule] = field(default_factory=dict)

    def rule_for(self, category: str | None) -> DeadlineRule:
        return self.by_category.get(category or "", self.default)


def initial_deadline(
    calendar: WorkingCalendar,
    rule: DeadlineRule,
    ticket_type: TicketType,
    accepted_at: datetime,
    promised_on: date | None = None,
) -> Deadline:
    """The deadline fixed at acceptance (受理)."""
    if ticket_type is TicketType.promised:
        if promised_on is None:
            raise InvalidValue(
                "a promised ticket (承诺件) needs the date committed to the requester",
                field="body.promised_on",
            )
        if promised_on < accepted_at.astimezone(SHANGHAI).date():
            raise InvalidValue("the promised date is in the past", field="body.promised_on")
        due = datetime.combine(promised_on, calendar.work_end, SHANGHAI)
        return Deadline(due=due, provisional=False)
    if ticket_type is TicketType.urgent:
        return Deadline(due=accepted_at + timedelta(hours=rule.urgent_hours), provisional=False)
    days = {
        TicketType.time_limited: rule.working_days,
        TicketType.supplementary: rule.supplementary_days,
        TicketType.suggestion: rule.suggestion_days,
    }[ticket_type]
    return calendar.add_working_days(accepted_at, days)


def resumed_deadline(
    calendar: WorkingCalendar, deadline: datetime, paused_at: datetime, resumed_at: datetime
) -> Deadline:
    """The clock stopped from ``paused_at`` to ``resumed_at``: push the deadline by the
    working days that passed meanwhile (a pause within one day costs nothing). A pause
    begun after the deadline stopped no clock: the ticket was late, and stays late."""
    if paused_at > deadline:
        return Deadline(due=deadline, provisional=False)
    start = paused_at.astimezone(SHANGHAI).date()
    end = resumed_at.astimezone(SHANGHAI).date()
    lost = sum(
        1
        for offset in range(1, (end - start).days + 1)
        if calendar.is_workday(start + timedelta(days=offset))
    )
    if lost == 0:
        return Deadline(due=deadline, provisional=False)
    moved = calendar.add_working_days(deadline, lost)
    return Deadline(
        due=datetime.combine(moved.due.date(), deadline.astimezone(SHANGHAI).timetz()),
        provisional=moved.provisional,
    )


def past_deadline(
    state: TicketState, deadline_at: datetime | None, paused_at: datetime | None, now: datetime
) -> bool:
    """Overdue: open and past its deadline, except that a ticket paused for a missing item
    (补办) before its deadline has its clock stopped (the deadline moves when it resumes),
    so it is not late; one paused after its deadline had passed is still late.

    The same rule in SQL is ``repo.tickets.sql.past_deadline_sql``, for every statement
    that selects, counts or supervises overdue tickets."""
    if state not in OPEN_STATES or deadline_at is None or now <= deadline_at:
        return False
    return paused_at is None or paused_at > deadline_at
