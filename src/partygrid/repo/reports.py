"""Report queries (stub)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession


class SqlReportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
