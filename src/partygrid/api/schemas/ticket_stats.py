"""Schemas of the ticket statistics."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from partygrid.api.schemas.common import ResponseModel


class RateRead(ResponseModel):
    value: float | None = Field(description="numerator / denominator; null when it is 0.")
    numerator: int
    denominator: int
    small_sample: bool = Field(description="The denominator is below the minimum sample.")


class HoursRead(ResponseModel):
    average: float | None = Field(description="Working hours; null without any value.")
    median: float | None
    count: int = Field(description="Tickets with a value.")
    small_sample: bool


class GroupStatsRead(ResponseModel):
    key: str | None = Field(
        description="The group: an organization, grid or user id, a category code, a type, "
        "or a month `YYYY-MM`; null for tickets without one (not assigned, no grid, or "
        "attached to `under` itself)."
    )
    label: str | None = Field(description="Its name, where it has one.")
    total: int = Field(description="All tickets of the group, rejected and merged included.")
    by_state: dict[str, int]
    completion_rate: RateRead
    on_time_rate: RateRead
    satisfaction_rate: RateRead
    response_hours: HoursRead
    resolution_hours: HoursRead


class TicketStatsRead(ResponseModel):
    group_by: str
    under: int | None
    period_from: date | None
    period_to: date | None
    type: str | None
    category: str | None
    min_sample: int
    generated_at: datetime = Field(description='The instant "past its deadline" refers to.')
    overall: GroupStatsRead = Field(description="The whole selection, all groups together.")
    groups: list[GroupStatsRead]
    truncated: bool = Field(description="More than 1000 groups: only the first are listed.")
