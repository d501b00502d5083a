"""Schemas of the ticket work lists (inbox, overdue, soon due)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from partygrid.api.schemas.common import ResponseModel

Urgency = Literal["on_time", "soon_due", "overdue", "paused"]


class TicketWorkItem(ResponseModel):
    """An open ticket on a work list; no requester data."""

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
    deadline_provisional: bool = Field(
        description="Counted across a year without an official schedule; recomputed when "
        "the schedule is loaded."
    )
    paused: bool = Field(description="Waiting for a missing item: the clock is stopped.")
    urgency: Urgency | None = Field(
        description="Where the deadline stands now; null without a deadline."
    )
    supervision_level: str
    extension_pending: bool
    created_at: datetime
    version: int


class TicketWorkPage(ResponseModel):
    items: list[TicketWorkItem]
    next_cursor: str | None = None
