"""Schemas of the audit trail as auditors read it. There is no create or update schema:
the trail is written by the service itself and never edited."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from partygrid.domain.audit.trail import ChainBreak, ChainReport, StoredAuditEvent


class AuditEventRead(BaseModel):
    """One event. Strings rather than enums, so that a row rewritten behind the service's
    back is still shown as it is stored."""

    id: int = Field(description="Position in the hash chain; consecutive from 1.")
    at: datetime
    principal_kind: str = Field(description="`user`, `api_client` or `system` (the CLI).")
    principal_id: int | None
    principal_name: str | None
    role: str | None
    action: str = Field(
        description="`member.update` style for changes; `METHOD /path/{param}` for refusals."
    )
    resource_type: str
    resource_id: str | None
    outcome: str = Field(description="`success`, `denied` (401/403/404) or `failed`.")
    client_address: str | None
    request_id: str | None = Field(description="The request's X-Request-ID.")
    reason: str | None
    changes: Any = Field(
        description="`before`/`after` snapshots, personal data already masked (an object, "
        "or null; shown as stored even if someone rewrote it into something else)."
    )
    prev_hash: str = Field(description="Hex HMAC-SHA256 of the event before (zeros for the first).")
    hash: str = Field(description="Hex HMAC-SHA256 over prev_hash and this event's fields.")

    @classmethod
    def of(cls, stored: StoredAuditEvent) -> AuditEventRead:
        e = stored.event
        return cls(
            id=e.id, at=e.at, principal_kind=e.principal_kind, principal_id=e.principal_id,
            principal_name=e.principal_name, role=e.role, action=e.action,
            resource_type=e.resource_type, resource_id=e.resource_id, outcome=e.outcome,
            client_address=e.client_address, request_id=e.request_id, reason=e.reason,
            changes=e.changes, prev_hash=stored.prev_hash.hex(), hash=stored.hash.hex(),
        )  # fmt: skip


class AuditEventPage(BaseModel):
    items: list[AuditEventRead]
    next_cursor: str | None = None


class ChainBreakRead(BaseModel):
    id: int
    kind: str = Field(description="`missing`, `altered`, `broken_link` or `anchor`.")
    detail: str

    @classmethod
    def of(cls, found: ChainBreak) -> ChainBreakRead:
        return cls(id=found.id, kind=found.kind.value, detail=found.detail)


class ChainReportRead(BaseModel):
    intact: bool
    from_genesis: bool = Field(
        description="False when only the newest events were checked among themselves."
    )
    checked: int
    first_id: int | None
    last_id: int | None
    head: str | None = Field(description="`ID:HEXHASH` of the newest event checked.")
    breaks: int
    first_break: ChainBreakRead | None
    examples: list[ChainBreakRead] = Field(description="The first breaks found (at most 20).")

    @classmethod
    def of(cls, report: ChainReport) -> ChainReportRead:
        first = report.first_break
        return cls(
            intact=report.intact, from_genesis=report.from_genesis, checked=report.checked,
            first_id=report.first_id, last_id=report.last_id, head=report.head,
            breaks=report.breaks, first_break=ChainBreakRead.of(first) if first else None,
            examples=[ChainBreakRead.of(b) for b in report.examples],
        )  # fmt: skip
