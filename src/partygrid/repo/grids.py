"""Grid repository (stub: filled in by the grids work)."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from partygrid.repo.tables import GridRow


class SqlGridRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def count_active_referring_to(self, org_id: int) -> int:
        stmt = select(func.count()).where(
            or_(GridRow.community_id == org_id, GridRow.serving_branch_id == org_id),
            GridRow.status == "active",
        )
        return (await self.session.execute(stmt)).scalar_one()
