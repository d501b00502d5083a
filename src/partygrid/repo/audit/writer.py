"""Writes the audit trail: events buffered by the unit of work, chained at commit."""

from __future__ import annotations

import math
from contextvars import ContextVar
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncSession

from partygrid.domain.access import Actor
from partygrid.domain.audit.events import (
    GENESIS,
    AuditEvent,
    Outcome,
    chain_hash,
    changed_fields,
    masked,
)
from partygrid.repo.repository import SqlRepository
from partygrid.repo.tables import AuditEventRow

# One chain means one writer at a time; the lock is held only from the chain read to
# the commit that follows it.
AUDIT_CHAIN_LOCK = 0x5047_4155_4449_54  # "PGAUDIT"

# The request id of the last refusal (denied/failed event) a unit of work committed in
# this context, so the error handler does not record the same refusal a second time.
refusal_committed: ContextVar[str | None] = ContextVar("refusal_committed", default=None)


class SqlAuditRepository(SqlRepository):
    def __init__(self, session: AsyncSession, key: bytes) -> None:
        super().__init__(session)
        self._key = key
        self._pending: list[dict[str, Any]] = []
        self._refusal: str | None = None

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

    def record_change(
        self,
        actor: Actor,
        action: str,
        resource_type: str,
        resource_id: int | str | None,
        old: dict[str, Any],
        new: dict[str, Any],
        *,
        reason: str | None = None,
    ) -> None:
        """Queue an update: only the fields that changed, before and after."""
        before, after = changed_fields(old, new)
        self.record(
            actor, action, resource_type, resource_id, before=before, after=after, reason=reason
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
            if fields["outcome"] != Outcome.success.value and fields["request_id"]:
                self._refusal = fields["request_id"]
            last_id += 1
            event = AuditEvent(id=last_id, at=now, **fields)
            digest = chain_hash(self._key, prev_hash, event)
            rows.append({"id": last_id, "at": now, **fields, "prev_hash": prev_hash,
                         "hash": digest})  # fmt: skip
            prev_hash = digest
        await self.session.execute(insert(AuditEventRow), rows)
        self._pending.clear()

    def committed(self) -> None:
        """Called by the unit of work once the events it wrote are committed."""
        if self._refusal is not None:
            refusal_committed.set(self._refusal)
            self._refusal = None


def _jsonable(value: Any) -> Any:
    """Exactly what JSONB will give back, since the chain hashes this value now and
    ``partygrid audit verify`` hashes what it reads later: dates and enums as strings,
    and floats that PostgreSQL's numeric would print differently made unambiguous."""
    if isinstance(value, Enum):
        return _jsonable(value.value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, float):
        return _json_float(value)
    if isinstance(value, str | int | bool) or value is None:
        return value
    if isinstance(value, bytes | bytearray | memoryview):
        return "[binary]"  # ciphertext or a digest: nothing an auditor can read
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _json_float(value: float) -> float | int | str:
    # NaN and infinities are not JSON (PostgreSQL refuses them); 1e16 and above comes back
    # from numeric as an integer ("10000000000000000", not "1e+16"); numeric has no -0.0.
    if not math.isfinite(value):
        return str(value)
    if value.is_integer() and abs(value) >= 1e16:
        return int(value)
    return value + 0.0  # -0.0 becomes 0.0
