"""Ticket statistics: one statement per request, GROUP BY with FILTER clauses and a
GROUPING SETS total, restricted to what the caller's scope sees."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text

from partygrid.domain.access import Scope
from partygrid.domain.tickets.workflow import TicketState
from partygrid.repo.repository import SqlRepository
from partygrid.repo.scoping import SqlScope
from partygrid.repo.tickets.sql import (
    DONE_SQL,
    EXCLUDED_SQL,
    past_deadline_sql,
    territory_join,
)

# The group key of each grouping, as text, and how its label is found.
KEYS = {
    "subtree": "CASE WHEN nlevel(tor.path) > nlevel(CAST(:root AS ltree)) THEN "
    "ltree2text(subpath(tor.path, nlevel(CAST(:root AS ltree)), 1)) END",
    "grid": "CAST(t.grid_id AS text)",
    "handler": "CAST(t.assignee_user_id AS text)",
    "category": "t.category_code",
    "type": "t.type",
    "month": "to_char(t.created_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM')",
}
LABELS = {
    # Numeric keys are cast to the id, not the id to text, so the primary key answers.
    "subtree": "(SELECT name FROM organizations x WHERE x.id = CAST(a.k AS bigint))",
    "grid": "(SELECT name FROM grids x WHERE x.id = CAST(a.k AS bigint))",
    "handler": "(SELECT display_name FROM users x WHERE x.id = CAST(a.k AS bigint))",
    "category": "(SELECT name FROM service_categories x WHERE x.code = a.k)",
    "type": "NULL",
    "month": "NULL",
}
MAX_GROUPS = 1000


@dataclass(frozen=True, slots=True)
class StatsQuery:
    group_by: str
    root_path: str | None = None  # the subtree of ``under``
    created_from: datetime | None = None
    created_before: datetime | None = None
    type: str | None = None
    category: str | None = None


def _counts() -> str:
    counted = f"t.state NOT IN ({EXCLUDED_SQL})"
    by_state = ", ".join(
        f"count(*) FILTER (WHERE t.state = '{s.value}') AS n_{s.value}" for s in TicketState
    )
    on_time = (
        "COALESCE(t.resolved_on_time, t.deadline_at IS NULL OR t.resolved_at <= t.deadline_at)"
    )
    return (
        f"count(*) AS total, {by_state}, "
        f"count(*) FILTER (WHERE {counted}) AS counted, "
        f"count(*) FILTER (WHERE t.state IN ({DONE_SQL})) AS done, "
        f"count(*) FILTER (WHERE t.state IN ({DONE_SQL}) AND {on_time}) AS done_on_time, "
        f"count(*) FILTER (WHERE {past_deadline_sql()}) AS open_overdue, "
        f"count(*) FILTER (WHERE {counted} AND t.satisfaction IS NOT NULL) AS rated, "
        f"count(*) FILTER (WHERE {counted} AND t.satisfaction IN "
        "('satisfied', 'basically_satisfied')) AS satisfied, "
        + ", ".join(
            f"count(t.{c}) FILTER (WHERE {counted}) AS {c}_n, "
            f"avg(t.{c}) FILTER (WHERE {counted}) AS {c}_avg, "
            f"percentile_cont(0.5) WITHIN GROUP (ORDER BY t.{c}) FILTER (WHERE {counted}) "
            f"AS {c}_median"
            for c in ("response_working_hours", "resolution_working_hours")
        )
    )


class SqlTicketStatsRepository(SqlRepository):

    async def grouped(
        self, query: StatsQuery, *, scope: Scope, user_id: int | None, now: datetime
    ) -> list[Any]:
        """One row per group plus the total row (``is_total``), in key order."""
        v = SqlScope(scope)
        needs_territory = query.root_path is not None or query.group_by == "subtree"
        where = [
            v.ticket("t", "user_id" if user_id is not None else None,
                     wholesale=query.root_path is None)
        ]  # fmt: skip
        if query.root_path is not None:
            where.append("tor.path <@ CAST(:root AS ltree)")
        if query.created_from is not None:
            where.append("t.created_at >= :created_from")
        if query.created_before is not None:
            where.append("t.created_at < :created_before")
        if query.type is not None:
            where.append("t.type = :type")
        if query.category is not None:
            where.append("t.category_code = :category")
        sql = (
            f"WITH a AS (SELECT GROUPING({KEYS[query.group_by]}) = 1 AS is_total, "
            f"{KEYS[query.group_by]} AS k, {_counts()} FROM tickets t "
            f"{territory_join(outer=False) if needs_territory else ''} "
            f"WHERE {' AND '.join(where)} "
            f"GROUP BY GROUPING SETS (({KEYS[query.group_by]}), ())) "
            f"SELECT a.*, {LABELS[query.group_by]} AS label FROM a "
            "ORDER BY a.is_total DESC, CASE WHEN a.k ~ '^[0-9]+$' THEN lpad(a.k, 20, '0') "
            "ELSE a.k END NULLS LAST LIMIT :limit"
        )
        params: dict[str, Any] = {
            **v.params,
            "root": query.root_path,
            "created_from": query.created_from,
            "created_before": query.created_before,
            "type": query.type,
            "category": query.category,
            "now": now,
            "limit": MAX_GROUPS + 1,
        }
        if user_id is not None:
            params["user_id"] = user_id
        used = {k: val for k, val in params.items() if f":{k}" in sql}
        result = await self.session.execute(text(sql), used)
        return list(result.all())
