"""Reads the audit trail back, exactly as written: for the chain check and for auditors.

Kept apart from the writer (``repo/audit/writer.py``): every unit of work writes events, only
these two use cases read them.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from sqlalchemy import Select, func, select

from partygrid.domain.audit.events import AuditEvent
from partygrid.domain.audit.trail import AuditFilter, StoredAuditEvent
from partygrid.repo.repository import SqlRepository
from partygrid.repo.tables import AuditEventRow

E = AuditEventRow.__table__.c
_COLUMNS = (
    E.id, E.at, E.principal_kind, E.principal_id, E.principal_name, E.role, E.action,
    E.resource_type, E.resource_id, E.outcome, E.client_address, E.request_id, E.reason,
    E.changes, E.prev_hash, E.hash,
)  # fmt: skip


def _stored(row: Any) -> StoredAuditEvent:
    event = AuditEvent(
        id=row.id,
        # Written as datetime.now(UTC); asyncpg reads timestamptz back in UTC, but the chain
        # must not depend on a driver's or a session's time zone.
        at=row.at.astimezone(UTC),
        principal_kind=row.principal_kind,
        principal_id=row.principal_id,
        principal_name=row.principal_name,
        role=row.role,
        action=row.action,
        resource_type=row.resource_type,
        resource_id=row.resource_id,
        outcome=row.outcome,
        client_address=row.client_address,
        request_id=row.request_id,
        reason=row.reason,
        changes=row.changes,
    )
    return StoredAuditEvent(event, bytes(row.prev_hash), bytes(row.hash))


def _like_prefix(prefix: str) -> str:
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


class SqlAuditReader(SqlRepository):
    async def chain_batch(self, *, after_id: int, limit: int) -> list[StoredAuditEvent]:
        """The next ``limit`` events after ``after_id`` in chain (id) order: keyset on the
        primary key, so a trail of millions is read in bounded memory."""
        stmt = select(*_COLUMNS).where(E.id > after_id).order_by(E.id).limit(limit)
        return [_stored(row) for row in await self.session.execute(stmt)]

    async def last_id(self) -> int | None:
        return (await self.session.execute(select(func.max(E.id)))).scalar_one()

    async def get(self, event_id: int) -> StoredAuditEvent | None:
        row = (await self.session.execute(select(*_COLUMNS).where(E.id == event_id))).first()
        return _stored(row) if row else None

    async def search(
        self, query: AuditFilter, *, before_id: int | None, limit: int
    ) -> list[StoredAuditEvent]:
        """Newest first; ``before_id`` is the keyset cursor (the last id of the page before)."""
        stmt = _filtered(select(*_COLUMNS), query).order_by(E.id.desc()).limit(limit)
        if before_id is not None:
            stmt = stmt.where(E.id < before_id)
        return [_stored(row) for row in await self.session.execute(stmt)]


def _filtered(stmt: Select[Any], q: AuditFilter) -> Select[Any]:
    if q.since is not None:
        stmt = stmt.where(E.at >= q.since)
    if q.until is not None:
        stmt = stmt.where(E.at < q.until)
    if q.principal_kind is not None:
        stmt = stmt.where(E.principal_kind == q.principal_kind)
    if q.principal_id is not None:
        stmt = stmt.where(E.principal_id == q.principal_id)
    if q.principal_name is not None:
        stmt = stmt.where(E.principal_name == q.principal_name)
    if q.resource_type is not None:
        stmt = stmt.where(E.resource_type == q.resource_type)
    if q.resource_id is not None:
        stmt = stmt.where(E.resource_id == q.resource_id)
    if q.action is not None:
        if q.action_is_prefix:
            stmt = stmt.where(E.action.like(_like_prefix(q.action), escape="\\"))
        else:
            stmt = stmt.where(E.action == q.action)
    if q.outcome is not None:
        stmt = stmt.where(E.outcome == q.outcome.value)
    return stmt
