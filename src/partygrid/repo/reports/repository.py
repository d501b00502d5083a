"""Aggregates over a subtree; each is one SQL statement driven by the ltree index.

Every aggregate counts only what the caller's scope sees (``repo.scoping``); ``root``
narrows it further to one subtree.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from partygrid.domain.access import Scope
from partygrid.domain.organizations.model import SizingAdvice
from partygrid.repo.repository import SqlRepository
from partygrid.repo.scoping import SqlScope


def _within(alias: str, root: str | None) -> str:
    """Subtree filter on ``alias``; built per call so the ltree index stays usable."""
    return "TRUE" if root is None else f"{alias}.path <@ CAST(:root AS ltree)"


class SqlReportRepository(SqlRepository):
    async def _rows(self, sql: str, visible: SqlScope, **params: Any) -> list[Any]:
        result = await self.session.execute(text(sql), {**visible.params, **params})
        return list(result.all())

    async def organizations_by_kind(
        self, root: str | None, exclude_id: int | None, *, scope: Scope
    ) -> dict[str, int]:
        v = SqlScope(scope)
        rows = await self._rows(
            f"SELECT o.kind, count(*) FROM organizations o WHERE {_within('o', root)} "
            f"AND {v.path('o')} "
            "AND o.status = 'active' AND o.id IS DISTINCT FROM :exclude GROUP BY o.kind",
            v,
            root=root,
            exclude=exclude_id,
        )
        return {kind: n for kind, n in rows}

    async def members_by_category(self, root: str | None, *, scope: Scope) -> dict[str, int]:
        """Members of the subtree at ``root`` or, without one, every member the scope sees
        (those seen through a granted grid too)."""
        v = SqlScope(scope)
        if root is None:
            sql = (
                f"SELECT m.category, count(*) FROM party_members m WHERE {v.member('m')} "
                "AND m.status = 'active' GROUP BY m.category"
            )
        else:
            sql = (
                "SELECT m.category, count(*) FROM party_members m "
                f"JOIN organizations o ON o.id = m.organization_id WHERE {_within('o', root)} "
                f"AND {v.path('o')} AND m.status = 'active' GROUP BY m.category"
            )
        rows = await self._rows(sql, v, root=root)
        return {category: n for category, n in rows}

    async def grid_count(self, root: str | None, *, scope: Scope) -> int:
        v = SqlScope(scope)
        rows = await self._rows(
            "SELECT count(*) FROM grids g JOIN organizations o ON o.id = g.community_id "
            f"WHERE {_within('o', root)} AND {v.grid('g')} AND g.status = 'active'",
            v,
            root=root,
        )
        return int(rows[0][0])

    async def oversized(
        self, root: str | None, advice: SizingAdvice, limit: int, *, scope: Scope
    ) -> list[Any]:
        """Organizations whose subtree holds more members than the advice for their kind.

        A visible organization's whole subtree is visible, so its members all count."""
        v = SqlScope(scope)
        return await self._rows(
            "SELECT c.id, c.kind, c.name, count(m.id) AS members "
            "FROM organizations c "
            "JOIN organizations o ON o.path <@ c.path "
            "JOIN party_members m ON m.organization_id = o.id AND m.status = 'active' "
            f"WHERE {_within('c', root)} AND {v.path('c')} AND c.status = 'active' "
            "AND c.kind IN ('community_general_branch','grid_branch','building_group') "
            "GROUP BY c.id, c.kind, c.name "
            "HAVING count(m.id) > CASE c.kind "
            "  WHEN 'community_general_branch' THEN CAST(:community AS int) "
            "  WHEN 'grid_branch' THEN CAST(:grid_branch AS int) "
            "  ELSE CAST(:building_group AS int) END "
            "ORDER BY c.id LIMIT :limit",
            v,
            root=root,
            community=advice.community_committee_over,
            grid_branch=advice.grid_branch_max,
            building_group=advice.building_group_max,
            limit=limit,
        )

    async def grids_without_serving_branch(
        self, root: str | None, limit: int, *, scope: Scope
    ) -> list[Any]:
        v = SqlScope(scope)
        return await self._rows(
            "SELECT g.id, g.name, g.community_id, count(*) OVER () AS total FROM grids g "
            f"JOIN organizations o ON o.id = g.community_id WHERE {_within('o', root)} "
            f"AND {v.grid('g')} "
            "AND g.status = 'active' AND g.serving_branch_id IS NULL ORDER BY g.id LIMIT :limit",
            v,
            root=root,
            limit=limit,
        )

    async def grids_without_leader(
        self, root: str | None, limit: int, *, scope: Scope
    ) -> list[Any]:
        v = SqlScope(scope)
        return await self._rows(
            "SELECT g.id, g.name, g.community_id, count(*) OVER () AS total FROM grids g "
            f"JOIN organizations o ON o.id = g.community_id WHERE {_within('o', root)} "
            f"AND {v.grid('g')} "
            "AND g.status = 'active' AND NOT EXISTS (SELECT 1 FROM grid_staff_assignments s "
            "WHERE s.grid_id = g.id AND s.role = 'grid_leader' AND s.ended_on IS NULL) "
            "ORDER BY g.id LIMIT :limit",
            v,
            root=root,
            limit=limit,
        )

    async def members_without_organization(self, limit: int, *, scope: Scope) -> list[Any]:
        """Unplaced members belong to no subtree: only those placed in a granted grid are
        seen, whatever ``root`` the rest of the report uses."""
        v = SqlScope(scope)
        return await self._rows(
            "SELECT m.id, m.name, m.category, count(*) OVER () AS total FROM party_members m "
            f"WHERE m.organization_id IS NULL AND {v.member('m')} AND m.status = 'active' "
            "ORDER BY m.id LIMIT :limit",
            v,
            limit=limit,
        )

    async def organizations_without_members(
        self, root: str | None, limit: int, *, scope: Scope
    ) -> list[Any]:
        """Member-holding organizations with nobody anywhere in their subtree."""
        v = SqlScope(scope)
        return await self._rows(
            "SELECT c.id, c.kind, c.name, count(*) OVER () AS total FROM organizations c "
            f"WHERE {_within('c', root)} AND {v.path('c')} AND c.status = 'active' "
            "AND c.kind NOT IN ('district_committee','street_working_committee',"
            "'industry_committee') "
            "AND NOT EXISTS (SELECT 1 FROM organizations o JOIN party_members m "
            "ON m.organization_id = o.id AND m.status = 'active' WHERE o.path <@ c.path) "
            "ORDER BY c.id LIMIT :limit",
            v,
            root=root,
            limit=limit,
        )
