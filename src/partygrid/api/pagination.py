"""Opaque keyset cursors: the client passes back what the last page returned."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from partygrid.domain.errors import InvalidValue


def encode_cursor(key: dict[str, Any]) -> str:
    raw = json.dumps(key, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> dict[str, Any] | None:
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise InvalidValue("cursor is not one this API issued", field="query.cursor") from None
    if not isinstance(key, dict):
        raise InvalidValue("cursor is not one this API issued", field="query.cursor")
    return key


def next_id_cursor(last_id: int | None, returned: int, limit: int) -> str | None:
    """The cursor after a full page of a list ordered by id; None after a short one."""
    return encode_cursor({"id": last_id}) if returned == limit and last_id is not None else None


def cursor_after_id(cursor: str | None) -> int | None:
    """Decode an id cursor, the common case of lists ordered by id."""
    key = decode_cursor(cursor)
    if key is None:
        return None
    after = key.get("id")
    if not isinstance(after, int):
        raise InvalidValue("cursor is not one this API issued", field="query.cursor")
    return after
