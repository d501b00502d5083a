"""Tickets and their timelines straight into the tables, with keyword defaults: for the
deadline, work list and statistics tests, which need exact states, deadlines and times
rather than a realistic history."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from itertools import count
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

_numbers = count(1)
DEFAULT_CATEGORY = "test.shirong"


async def make_category(
    connection: AsyncConnection,
    code: str = DEFAULT_CATEGORY,
    name: str = "市容环境",
    default_type: str = "time_limited",
    deadline_overrides: dict[str, dict[str, int]] | None = None,
) -> str:
    await connection.execute(
        text(
            "INSERT INTO service_categories (code, name, default_type, deadline_overrides) "
            "VALUES (:c, :n, :t, CAST(:o AS jsonb)) ON CONFLICT (code) DO UPDATE "
            "SET deadline_overrides = EXCLUDED.deadline_overrides"
        ),
        {"c": code, "n": name, "t": default_type, "o": json.dumps(deadline_overrides or {})},
    )
    return code


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


async def make_ticket(
    connection: AsyncConnection,
    *,
    category: str = DEFAULT_CATEGORY,
    type: str = "time_limited",
    state: str = "in_progress",
    title: str = "楼道堆放杂物",
    grid_id: int | None = None,
    community_id: int | None = None,
    handling_org_id: int | None = None,
    assignee_user_id: int | None = None,
    deadline_at: datetime | None = None,
    deadline_provisional: bool = False,
    paused_at: datetime | None = None,
    accepted_at: datetime | None = None,
    created_at: datetime | None = None,
    resolved_at: datetime | None = None,
    supervision_level: str = "none",
    satisfaction: str | None = None,
    resolved_on_time: bool | None = None,
    response_working_hours: float | None = None,
    resolution_working_hours: float | None = None,
    events: Sequence[tuple[str, datetime, dict[str, Any]]] = (),
) -> int:
    """A ticket row plus its timeline: a submit event, then ``events`` as (action, at,
    data) with seq 2, 3, ...; the row's version is the last seq, as the workflow keeps it."""
    n = next(_numbers)
    created = created_at or datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    version = 1 + len(events)
    ticket_id = (
        await connection.execute(
            text(
                "INSERT INTO tickets (public_id, type, category_code, channel, state, title, "
                "description, grid_id, community_id, handling_org_id, assignee_user_id, "
                "deadline_at, deadline_provisional, paused_at, accepted_at, resolved_at, "
                "supervision_level, satisfaction, resolved_on_time, response_working_hours, "
                "resolution_working_hours, created_by_kind, version, created_at, updated_at) "
                "VALUES (:public_id, :type, :category, 'grid_app', :state, :title, '描述', "
                ":grid_id, :community_id, :handling_org_id, :assignee, :deadline_at, "
                ":provisional, :paused_at, :accepted_at, :resolved_at, :supervision, "
                ":satisfaction, :on_time, :response_h, :resolution_h, 'user', :version, "
                ":created, :created) RETURNING id"
            ),
            {
                "public_id": f"T{n:08d}",
                "type": type,
                "category": category,
                "state": state,
                "title": title,
                "grid_id": grid_id,
                "community_id": community_id,
                "handling_org_id": handling_org_id,
                "assignee": assignee_user_id,
                "deadline_at": deadline_at,
                "provisional": deadline_provisional,
                "paused_at": paused_at,
                "accepted_at": accepted_at,
                "resolved_at": resolved_at,
                "supervision": supervision_level,
                "satisfaction": satisfaction,
                "on_time": resolved_on_time,
                "response_h": response_working_hours,
                "resolution_h": resolution_working_hours,
                "version": version,
                "created": created,
            },
        )
    ).scalar_one()
    timeline = [("submit", created, {"type": type, "category_code": category}), *events]
    await connection.execute(
        text(
            "INSERT INTO ticket_events (ticket_id, seq, action, from_state, to_state, "
            "actor_kind, data, at) VALUES (:t, :seq, :action, :state, :state, 'user', "
            "CAST(:data AS jsonb), :at)"
        ),
        [
            {
                "t": ticket_id,
                "seq": seq,
                "action": action,
                "state": state,
                "at": at,
                "data": json.dumps({k: _iso(v) for k, v in data.items()}),
            }
            for seq, (action, at, data) in enumerate(timeline, start=1)
        ],
    )
    return ticket_id


def accept_event(
    at: datetime, deadline_at: datetime, *, type: str = "time_limited", provisional: bool = False
) -> tuple[str, datetime, dict[str, Any]]:
    return (
        "accept",
        at,
        {"type": type, "promised_on": None, "deadline_at": deadline_at,
         "deadline_provisional": provisional},
    )  # fmt: skip


async def ticket_row(connection: AsyncConnection, ticket_id: int) -> Any:
    return (
        await connection.execute(text("SELECT * FROM tickets WHERE id = :i"), {"i": ticket_id})
    ).one()


async def ticket_events(connection: AsyncConnection, ticket_id: int) -> list[Any]:
    result = await connection.execute(
        text("SELECT * FROM ticket_events WHERE ticket_id = :i ORDER BY seq"), {"i": ticket_id}
    )
    return list(result.all())
