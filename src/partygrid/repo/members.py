"""Party member repository (stub: filled in by the members work)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession


class SqlMemberRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
