"""A ticket's deadline recomputed from the events that set it, on another calendar.

When a year's official schedule arrives, a provisional deadline (one counted across that
year with weekends only) is recomputed exactly as the workflow computed it: the
acceptance fixed it from the type's rule, each pause for a missing item (补办件) pushed it
by the working days lost, an approved extension replaced it with the approved date.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from partygrid.domain.calendar import Deadline, WorkingCalendar
from partygrid.domain.tickets.deadlines import DeadlineRule, initial_deadline, resumed_deadline
from partygrid.domain.tickets.workflow import TicketType

# The actions whose events can move a deadline or stop its clock.
DEADLINE_ACTIONS = ("accept", "request_supplement", "supplement", "escalate", "decide_extension")


@dataclass(frozen=True, slots=True)
class DeadlineEvent:
    action: str
    at: datetime
    data: dict[str, Any] = field(default_factory=dict)


def _dt(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def replay_deadline(
    calendar: WorkingCalendar,
    rule_for: Callable[[TicketType], DeadlineRule],
    events: Iterable[DeadlineEvent],
) -> Deadline | None:
    """The deadline the events give on ``calendar``; None before acceptance. A pause
    still running at the end has not moved it yet (it moves on resumption)."""
    due: datetime | None = None
    provisional = False
    paused_at: datetime | None = None
    for e in events:
        d = e.data
        if e.action == "accept":
            ticket_type = TicketType(d["type"])
            promised = d.get("promised_on")
            promised_on = date.fromisoformat(promised) if promised else None
            rule = rule_for(ticket_type)
            fixed = initial_deadline(calendar, rule, ticket_type, e.at, promised_on)
            due, provisional, paused_at = fixed.due, fixed.provisional, None
        elif e.action == "request_supplement":
            paused_at = e.at
        elif e.action in ("supplement", "escalate"):  # escalating a waiting ticket resumes it
            if due is not None and paused_at is not None:
                moved = resumed_deadline(calendar, due, paused_at, e.at)
                due, provisional = moved.due, provisional or moved.provisional
            paused_at = None
        elif e.action == "decide_extension" and d.get("approve"):
            due, provisional = _dt(d.get("deadline_at")), False
    return None if due is None else Deadline(due=due, provisional=provisional)
