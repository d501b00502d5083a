"""The few queries ``partygrid create-admin`` needs about the tree, at the console where
no one has a scope yet (the scoped organization repository is for requests)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True, slots=True)
class OrgRef:
    id: int
    name: str
    path: str


class SqlBootstrapRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def organization(self, org_id: int) -> OrgRef | None:
        row = (
            await self.session.execute(
                text("SELECT id, name, ltree2text(path) AS path FROM organizations "
                     "WHERE id = :id AND status = 'active'"),
                {"id": org_id},
            )
        ).first()  # fmt: skip
        return OrgRef(row.id, row.name, row.path) if row else None

    async def root_named(self, kind: str, name: str) -> OrgRef | None:
        row = (
            await self.session.execute(
                text("SELECT id, name, ltree2text(path) AS path FROM organizations "
                     "WHERE parent_id IS NULL AND kind = :k AND name = :n AND status = 'active' "
                     "ORDER BY id LIMIT 1"),
                {"k": kind, "n": name},
            )
        ).first()  # fmt: skip
        return OrgRef(row.id, row.name, row.path) if row else None

    async def add_root(self, kind: str, name: str, history: dict[str, Any]) -> OrgRef:
        """A root organization (its path is its id) with its first history entry."""
        row = (
            await self.session.execute(
                text("WITH n AS (SELECT nextval(pg_get_serial_sequence('organizations', 'id')) "
                     "AS id) INSERT INTO organizations (id, kind, name, path) "
                     "SELECT id, :k, :n, text2ltree(id::text) FROM n "
                     "RETURNING id, name, ltree2text(path) AS path"),
                {"k": kind, "n": name},
            )
        ).one()  # fmt: skip
        after = {**history, "name": row.name, "path": row.path}
        await self.session.execute(
            text("INSERT INTO organization_history (organization_id, action, after) "
                 "VALUES (:id, 'created', CAST(:after AS jsonb))"),
            {"id": row.id, "after": json.dumps(after, ensure_ascii=False)},
        )  # fmt: skip
        return OrgRef(row.id, row.name, row.path)
