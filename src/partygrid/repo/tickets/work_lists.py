"""Work lists of open tickets ordered by deadline: an inbox, the overdue and the soon due.

Keyset pagination on (deadline_at, id), deadlines ascending with tickets without one
last; each page is one statement driven by ix_tickets_assignee_open or
ix_tickets_org_deadline.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import TextClause, text
from sqlalchemy.ext.asyncio import AsyncSession

from partygrid.domain.access import Scope
from partygrid.domain.tickets.work_lists import WorkItem
from partygrid.repo.fast_reads import ConnectionLender, FastRead, FastRow, Reader, lends_none
from partygrid.repo.repository import SqlRepository
from partygrid.repo.scoping import SqlScope
from partygrid.repo.tickets.sql import (
    OPEN_SQL,
    past_deadline_sql,
    soon_due_sql,
    territory_join,
    urgency_sql,
)

COLUMNS = (
    "t.id, t.public_id, t.type, t.category_code, t.state, t.priority, t.title, t.grid_id, "
    "t.community_id, t.handling_org_id, t.assignee_user_id, t.assignee_department, "
    "t.deadline_at, t.deadline_provisional, t.paused_at, t.supervision_level, "
    "t.extension_pending, t.created_at, t.version"
)


# The two subtree lists, each by its condition (repo/tickets/sql.py renders both rules).
DueList = Literal["overdue", "soon_due"]
_DUE: dict[DueList, Callable[[], str]] = {"overdue": past_deadline_sql, "soon_due": soon_due_sql}


@dataclass(frozen=True, slots=True)
class After:
    """The last row of the previous page."""

    deadline_at: datetime | None
    id: int


@dataclass(frozen=True, slots=True)
class SoonWindows:
    default_hours: int
    by_category: dict[str, int]


def _after_sql(after: After | None) -> str:
    """Rows after ``after`` in the order deadline ASC NULLS LAST, id ASC."""
    if after is None:
        return "TRUE"
    if after.deadline_at is None:
        return "(t.deadline_at IS NULL AND t.id > :after_id)"
    return (
        "(t.deadline_at > :after_deadline OR (t.deadline_at = :after_deadline "
        "AND t.id > :after_id) OR t.deadline_at IS NULL)"
    )


def _work_list(sql: str) -> TextClause:
    """A page of a work list. The lists write their SQL as text from the shared fragments
    (repo/tickets/sql.py), so the text is the shape: one per list, scope shape, subtree and
    page position, whatever the values."""
    return text(sql)


WORK_LIST = FastRead("tickets.work_list", _work_list, shapes=512)


def _work_item(row: FastRow) -> WorkItem:
    return WorkItem(
        id=row.id, public_id=row.public_id, type=row.type, category_code=row.category_code,
        state=row.state, priority=row.priority, title=row.title, grid_id=row.grid_id,
        community_id=row.community_id, handling_org_id=row.handling_org_id,
        assignee_user_id=row.assignee_user_id, assignee_department=row.assignee_department,
        deadline_at=row.deadline_at, deadline_provisional=row.deadline_provisional,
        paused_at=row.paused_at, supervision_level=row.supervision_level,
        extension_pending=row.extension_pending, created_at=row.created_at,
        version=row.version, urgency=row.urgency,
    )  # fmt: skip


class SqlTicketListRepository(SqlRepository):
    def __init__(self, session: AsyncSession, fast_reads: ConnectionLender = lends_none) -> None:
        super().__init__(session)
        self.reader = Reader(session, fast_reads)

    async def _page(
        self,
        where: list[str],
        params: dict[str, Any],
        *,
        v: SqlScope,
        windows: SoonWindows,
        now: datetime,
        after: After | None,
        limit: int,
        territory: bool = False,
    ) -> list[WorkItem]:
        sql = (
            f"SELECT {COLUMNS}, {urgency_sql()} AS urgency FROM tickets t "
            "JOIN service_categories c ON c.code = t.category_code "
            f"{territory_join(outer=False) if territory else ''} "
            f"WHERE t.state IN ({OPEN_SQL}) AND {' AND '.join(where)} AND {_after_sql(after)} "
            "ORDER BY t.deadline_at ASC NULLS LAST, t.id ASC LIMIT :limit"
        )
        values = {
            **v.params,
            **params,
            "now": now,
            "soon_default": windows.default_hours,
            "soon_by_category": json.dumps(windows.by_category),
            "after_id": after.id if after else None,
            "after_deadline": after.deadline_at if after else None,
            "limit": limit,
        }
        used = {k: val for k, val in values.items() if f":{k}" in sql}
        return [_work_item(row) for row in await WORK_LIST.all(self.reader, sql, **used)]

    async def inbox(
        self,
        *,
        scope: Scope,
        user_id: int | None,
        own_organizations: bool,
        windows: SoonWindows,
        now: datetime,
        after: After | None,
        limit: int,
    ) -> list[WorkItem]:
        """Open tickets assigned to ``user_id`` and, with ``own_organizations``, those
        handled by the organizations at the roots of the scope (an admin's own)."""
        v = SqlScope(scope)
        mine = ["t.assignee_user_id = :user_id"] if user_id is not None else []
        if own_organizations and scope.org_paths:
            paths = range(len(scope.org_paths))
            roots = ", ".join(f"CAST(:scope_path_{i} AS ltree)" for i in paths)
            mine.append(
                "t.handling_org_id IN (SELECT so.id FROM organizations so "
                f"WHERE so.path IN ({roots}))"
            )
        if not mine:
            return []
        where = [
            "(" + " OR ".join(mine) + ")",
            v.ticket("t", "user_id" if user_id is not None else None),
        ]
        return await self._page(
            where, {"user_id": user_id}, v=v, windows=windows, now=now, after=after, limit=limit
        )

    async def due(
        self,
        which: DueList,
        *,
        scope: Scope,
        user_id: int | None,
        root_path: str | None,
        windows: SoonWindows,
        now: datetime,
        after: After | None,
        limit: int,
    ) -> list[WorkItem]:
        """Open tickets past their deadline (``overdue``: a pause begun before it stops
        the clock), or running and within their soon-due window (``soon_due``)."""
        v = SqlScope(scope)
        where = [_DUE[which](), v.ticket("t", "user_id" if user_id is not None else None)]
        if root_path is not None:
            where.append("tor.path <@ CAST(:root AS ltree)")
        return await self._page(
            where, {"user_id": user_id, "root": root_path}, v=v, windows=windows, now=now,
            after=after, limit=limit, territory=root_path is not None,
        )  # fmt: skip
