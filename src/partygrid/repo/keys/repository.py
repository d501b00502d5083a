"""Reads and rewrites sealed blobs for key rotation, whatever table they live in.

Rewrites are compare-and-swap: a row whose blob changed since it was read (the service
wrote a new value meanwhile) keeps the new value, so rotation can run beside the service.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, text

from partygrid.repo.repository import SqlRepository
from partygrid.repo.sealing import SealedColumn

# The key id sits at bytes 3.. of every blob, after the format byte and its length byte
# (repo/keyring.py, Keyring.encrypt): filtering on it in SQL sends only stale blobs over the wire.
_KEY_ID = "substr({col}, 3, get_byte({col}, 1))"


class SqlKeyRotationRepository(SqlRepository):
    async def stale_blobs(
        self, sealed: SealedColumn, current_kid: str, *, after_id: int | None, limit: int
    ) -> list[tuple[int, bytes]]:
        """(id, blob) of rows after ``after_id`` whose blob is not sealed with the current
        key (or is not in a format this version writes), in id order."""
        col = sealed.column
        stale = f"get_byte({col}, 0) <> 1 OR {_KEY_ID.format(col=col)} <> :kid"
        where = f"{col} IS NOT NULL AND ({stale})"
        params: dict[str, object] = {"kid": current_kid.encode(), "n": limit}
        if after_id is not None:
            where += " AND id > :after"
            params["after"] = after_id
        stmt = text(f"SELECT id, {col} FROM {sealed.table} WHERE {where} ORDER BY id LIMIT :n")
        rows = await self.session.execute(stmt, params)
        return [(row[0], bytes(row[1])) for row in rows]

    async def replace_blobs(
        self, sealed: SealedColumn, changes: list[tuple[int, bytes, bytes]]
    ) -> int:
        """Write (id, old blob, new blob) where the row still holds the old blob; returns
        how many rows changed."""
        if not changes:
            return 0
        ids, olds, news = (list(column) for column in zip(*changes, strict=True))
        col = sealed.column
        stmt = text(
            f"UPDATE {sealed.table} AS t SET {col} = v.new "
            "FROM unnest(CAST(:ids AS bigint[]), CAST(:olds AS bytea[]), CAST(:news AS bytea[]))"
            f" AS v(id, old, new) WHERE t.id = v.id AND t.{col} = v.old"
        )
        result = await self.session.execute(stmt, {"ids": ids, "olds": olds, "news": news})
        return cast(CursorResult[Any], result).rowcount  # an UPDATE: a cursor result

    async def id_number_batch(
        self, *, after_id: int | None, limit: int
    ) -> list[tuple[int, bytes, bytes]]:
        """(id, sealed ID number, its index) of members after ``after_id``, in id order."""
        where = "WHERE id > :after " if after_id is not None else ""
        stmt = text(
            f"SELECT id, id_number_enc, id_number_hmac FROM party_members {where}"
            "ORDER BY id LIMIT :n"
        )
        params: dict[str, object] = {"n": limit}
        if after_id is not None:
            params["after"] = after_id
        rows = await self.session.execute(stmt, params)
        return [(row[0], bytes(row[1]), bytes(row[2])) for row in rows]

    async def replace_id_number_index(self, changes: list[tuple[int, bytes, bytes]]) -> int:
        """Write (id, old index, new index) where the row still holds the old index."""
        if not changes:
            return 0
        ids, olds, news = (list(column) for column in zip(*changes, strict=True))
        stmt = text(
            "UPDATE party_members AS t SET id_number_hmac = v.new "
            "FROM unnest(CAST(:ids AS bigint[]), CAST(:olds AS bytea[]), CAST(:news AS bytea[]))"
            " AS v(id, old, new) WHERE t.id = v.id AND t.id_number_hmac = v.old"
        )
        result = await self.session.execute(stmt, {"ids": ids, "olds": olds, "news": news})
        return cast(CursorResult[Any], result).rowcount  # an UPDATE: a cursor result
