"""What the audit trail may hold: personal data masked before it is ever written."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from partygrid.domain.contact import mask_phone
from partygrid.domain.identity import mask_id_number

# Keys whose values are personal data wherever they appear in a before/after snapshot.
_MASKERS = {
    "id_number": mask_id_number,
    "phone": mask_phone,
    "contact_phone": mask_phone,
}
_REDACTED = {"address", "password", "password_hash", "secret", "totp_secret", "token"}


class Outcome(StrEnum):
    success = "success"
    denied = "denied"  # 401/403/404-outside-scope
    failed = "failed"  # refused by a rule or validation


def changed_fields(
    before: dict[str, Any], after: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the keys whose values differ, from both sides."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def masked(snapshot: dict[str, Any] | None) -> dict[str, Any] | None:
    """A copy of the snapshot with personal data masked or redacted, recursively (through
    nested dicts and lists: a list of staff or ledger entries is masked like a dict)."""
    if snapshot is None:
        return None
    return {key: _masked_value(key, value) for key, value in snapshot.items()}


def _masked_value(key: Any, value: Any) -> Any:
    if value is None:
        return None
    if key in _REDACTED:
        return "[redacted]"
    if isinstance(value, dict):
        return masked(value)
    if isinstance(value, list | tuple):
        return [_masked_value(key, item) for item in value]
    if key in _MASKERS and isinstance(value, str):
        try:
            return _MASKERS[key](value)
        except Exception:  # a malformed value is still never written in clear
            return "[redacted]"
    return value


@dataclass(frozen=True, slots=True)
class AuditEvent:
    id: int
    at: datetime
    principal_kind: str
    principal_id: int | None
    principal_name: str | None
    role: str | None
    action: str
    resource_type: str
    resource_id: str | None
    outcome: str
    client_address: str | None
    request_id: str | None
    reason: str | None
    changes: dict[str, Any] | None

    def canonical(self) -> bytes:
        """The bytes the chain hashes: every field, in a fixed order and encoding."""
        body = [
            self.id, self.at.isoformat(), self.principal_kind, self.principal_id,
            self.principal_name, self.role, self.action, self.resource_type, self.resource_id,
            self.outcome, self.client_address, self.request_id, self.reason, self.changes,
        ]  # fmt: skip
        return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


GENESIS = b"\x00" * 32


def chain_hash(key: bytes, prev_hash: bytes, event: AuditEvent) -> bytes:
    """Keyed (HMAC-SHA256) so that someone with database access but not the key cannot
    rebuild a consistent chain after editing a row."""
    return hmac.new(key, prev_hash + event.canonical(), hashlib.sha256).digest()
