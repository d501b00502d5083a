"""Set-based writes of the deadline machinery: recomputed provisional deadlines and the
automatic supervision of the sweep. Each write is one statement that updates the ticket
rows and appends their timeline events together (event ``seq`` = the ticket's new
version, as every other action does)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, text

from partygrid.domain.tickets.deadline_replay import DEADLINE_ACTIONS, DeadlineEvent
from partygrid.repo.repository import SqlRepository
from partygrid.repo.tickets.sql import OPEN_SQL, past_deadline_sql, soon_due_sql

SWEEP_LOCK = 0x5047_5357_4545_50  # "PGSWEEP": one sweeper at a time across processes
SYSTEM_NAME = "partygrid"


@dataclass(frozen=True, slots=True)
class ProvisionalTicket:
    id: int
    category_code: str
    deadline_overrides: dict[str, dict[str, int]]
    deadline_at: datetime | None
    events: list[DeadlineEvent]


@dataclass(frozen=True, slots=True)
class RecomputedDeadline:
    id: int
    previous: datetime | None
    deadline_at: datetime
    provisional: bool


class SqlTicketDeadlineRepository(SqlRepository):

    async def provisional_open(self) -> list[ProvisionalTicket]:
        """Open tickets whose deadline is provisional, locked, with their deadline events."""
        rows = (
            await self.session.execute(
                text(
                    "SELECT t.id, t.category_code, t.deadline_at, c.deadline_overrides "
                    "FROM tickets t JOIN service_categories c ON c.code = t.category_code "
                    f"WHERE t.deadline_provisional AND t.state IN ({OPEN_SQL}) "
                    "ORDER BY t.id FOR UPDATE OF t"
                )
            )
        ).all()
        if not rows:
            return []
        events: dict[int, list[DeadlineEvent]] = {r.id: [] for r in rows}
        found = await self.session.execute(
            text(
                "SELECT ticket_id, action, at, data FROM ticket_events "
                "WHERE ticket_id = ANY(CAST(:ids AS bigint[])) "
                "AND action = ANY(CAST(:actions AS text[])) ORDER BY ticket_id, seq"
            ),
            {"ids": list(events), "actions": list(DEADLINE_ACTIONS)},
        )
        for e in found:
            events[e.ticket_id].append(DeadlineEvent(e.action, e.at, dict(e.data or {})))
        return [
            ProvisionalTicket(r.id, r.category_code, dict(r.deadline_overrides or {}),
                              r.deadline_at, events[r.id])
            for r in rows
        ]  # fmt: skip

    async def apply_recomputed(
        self, changes: list[RecomputedDeadline], *, now: datetime, year: int
    ) -> int:
        """Write the new deadlines and append one system ``comment`` event per ticket."""
        if not changes:
            return 0
        payload = [
            {
                "id": c.id,
                "deadline_at": c.deadline_at.isoformat(),
                "provisional": c.provisional,
                "previous": c.previous.isoformat() if c.previous else None,
            }
            for c in changes
        ]
        result = await self.session.execute(
            text(
                "WITH c AS (SELECT * FROM jsonb_to_recordset(CAST(:changes AS jsonb)) "
                "  AS c(id bigint, deadline_at text, provisional boolean, previous text)), "
                "u AS (UPDATE tickets t SET deadline_at = CAST(c.deadline_at AS timestamptz), "
                "  deadline_provisional = c.provisional, version = t.version + 1, "
                "  updated_at = :now FROM c WHERE t.id = c.id "
                "  RETURNING t.id, t.version, t.state, c.deadline_at, c.provisional, c.previous) "
                "INSERT INTO ticket_events (ticket_id, seq, action, from_state, to_state, "
                "  actor_kind, actor_name, note, data, at) "
                "SELECT u.id, u.version, 'comment', u.state, u.state, 'system', :name, :note, "
                "  jsonb_build_object('deadline_recomputed', true, 'deadline_at', u.deadline_at, "
                "  'deadline_provisional', u.provisional, 'previous_deadline_at', u.previous, "
                "  'schedule_year', CAST(:year AS int)), :now FROM u"
            ),
            {
                "changes": json.dumps(payload),
                "now": now,
                "name": SYSTEM_NAME,
                "year": year,
                "note": f"按{year}年节假日安排重新计算办理期限 (deadline recomputed on the "
                f"{year} holiday schedule)",
            },
        )
        return cast(CursorResult[Any], result).rowcount  # an UPDATE: a cursor result

    async def try_sweep_lock(self) -> bool:
        got = await self.session.execute(
            text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": SWEEP_LOCK}
        )
        return bool(got.scalar_one())

    async def raise_supervision(
        self,
        *,
        now: datetime,
        default_soon_hours: int,
        soon_hours_by_category: dict[str, int],
    ) -> list[Any]:
        """Raise supervision to red on overdue tickets (``past_deadline_sql``: paused after
        the deadline too) and to yellow on soon-due ones (``soon_due_sql``: running) whose
        level is lower, and append a system ``supervise`` event for each: one UPDATE ...
        RETURNING feeding one INSERT ... SELECT. The level only goes up, so a second run
        finds nothing to do. The per-ticket window is the category's override for the
        ticket's type, else the policy's for the category, else the default."""
        past = past_deadline_sql("t")
        level = f"CASE WHEN {past} THEN 'red' ELSE 'yellow' END"
        rank = "CASE {0} WHEN 'red' THEN 2 WHEN 'yellow' THEN 1 ELSE 0 END"
        result = await self.session.execute(
            text(
                "WITH u AS (UPDATE tickets t SET "
                f"  supervision_level = {level}, version = t.version + 1, updated_at = :now "
                "  FROM service_categories c WHERE c.code = t.category_code "
                f"  AND t.state IN ({OPEN_SQL}) AND t.deadline_at IS NOT NULL "
                f"  AND ({past} OR {soon_due_sql('t', 'c')}) "
                f"  AND {rank.format(level)} > {rank.format('t.supervision_level')} "
                "  RETURNING t.id, t.version, t.state, t.supervision_level, t.deadline_at) "
                "INSERT INTO ticket_events (ticket_id, seq, action, from_state, to_state, "
                "  actor_kind, actor_name, note, data, at) "
                "SELECT u.id, u.version, 'supervise', u.state, u.state, 'system', :name, "
                "  CASE u.supervision_level WHEN 'red' THEN :red_note ELSE :yellow_note END, "
                "  jsonb_build_object('level', u.supervision_level, 'automatic', true), :now "
                "FROM u RETURNING ticket_id, data ->> 'level' AS level"
            ),
            {
                "now": now,
                "soon_default": default_soon_hours,
                "soon_by_category": json.dumps(soon_hours_by_category),
                "name": SYSTEM_NAME,
                "red_note": "已超期, 自动红牌督办 (overdue: red supervision raised automatically)",
                "yellow_note": "即将到期, 自动黄牌督办 (soon due: yellow supervision raised "
                "automatically)",
            },
        )
        return list(result.all())
