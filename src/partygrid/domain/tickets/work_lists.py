"""What a work list (an inbox, the overdue, the soon due) shows of an open ticket: where it
stands against its deadline, and no requester data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class WorkItem:
    id: int
    public_id: str
    type: str
    category_code: str
    state: str
    priority: int
    title: str
    grid_id: int | None
    community_id: int | None
    handling_org_id: int | None
    assignee_user_id: int | None
    assignee_department: str | None
    deadline_at: datetime | None
    deadline_provisional: bool
    paused_at: datetime | None
    supervision_level: str
    extension_pending: bool
    created_at: datetime
    version: int
    # paused, overdue, soon_due or on_time at the list's instant; None without a deadline.
    urgency: str | None

    @property
    def paused(self) -> bool:
        """Waiting for a missing item. Not the same as urgency "paused": a ticket paused
        after its deadline is still late, so its urgency says overdue."""
        return self.paused_at is not None
