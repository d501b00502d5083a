"""Writes the audit trail: events buffered by the unit of work, chained at commit."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncSession

from partygrid.domain.access import Actor
from partygrid.domain.audit import GENESIS, AuditEvent, Outcome, chain_hash, masked
from partygrid.repo.tables import AuditEventRow

# One chain means one writer at a time; the lock is held only from the chain read to
# the commit that follows it.
AUDIT_CHAIN_LOCK = 0x5047_4155_4449_54  # "PGAUDIT"


class SqlAuditRepository:
    def __init__(self, session: AsyncSession, key: bytes) -> None:
        self.session = session
        self._key = key
        self._pending: list[dict[str, Any]] = []

    def record(
        self,
        actor: Actor,
        action: str,
        resource_type: str,
        resource_id: int | str | None,
        *,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
        outcome: Outcome = Outcome.success,
        reason: str | None = None,
    ) -> None:
        """Queue an event; it is written in the same transaction as the change."""
        principal = actor.principal
        changes = None
        if before is not None or after is not None:
            changes = {"before": masked(before), "after": masked(after)}
        self._pending.append(
            {
                "principal_kind": principal.kind.value,
                "principal_id": principal.id,
                "principal_name": principal.name,
                "role": principal.role.value if principal.role else None,
                "action": action,
                "resource_type": resource_type,
                "resource_id": None if resource_id is None else str(resource_id),
                "outcome": outcome.value,
                "client_address": actor.client_address,
                "request_id": actor.request_id,
                "reason": reason,
                "changes": _jsonable(changes),
            }
        )

    @property
    def has_pending(self) -> bool:
        return bool(self._pending)

    async def write_pending(self) -> None:
        if not self._pending:
            return
        await self.session.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_CHAIN_LOCK}
        )
        last = (
            await self.session.execute(
                text("SELECT id, hash FROM audit_events ORDER BY id DESC LIMIT 1")
            )
        ).first()
        last_id, prev_hash = (last.id, bytes(last.hash)) if last else (0, GENESIS)
        rows = []
        now = datetime.now(UTC)
        for fields in self._pending:
            last_id += 1
            event = AuditEvent(id=last_id, at=now, **fields)
            digest = chain_hash(self._key, prev_hash, event)
            rows.append({"id": last_id, "at": now, **fields, "prev_hash": prev_hash,
                         "hash": digest})  # fmt: skip
            prev_hash = digest
        await self.session.execute(insert(AuditEventRow), rows)
        self._pending.clear()


def _jsonable(value: Any) -> Any:
    """Dates and enums as the strings JSON (and the chain) will see when read back."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
