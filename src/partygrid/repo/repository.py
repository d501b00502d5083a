"""What every repository shares: its session, writes whose broken constraints become the
domain errors that name them (repo/errors.py), and keyset pages in id order."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Executable, Result, Select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute

from partygrid.repo.errors import translate_integrity_error

SelectT = TypeVar("SelectT", bound=Select[*tuple[Any, ...]])


class SqlRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _write(self, statement: Executable) -> Result[Any]:
        """Run an INSERT or UPDATE; a broken constraint is a domain error, not a 500."""
        try:
            return await self.session.execute(statement)
        except IntegrityError as exc:
            raise translate_integrity_error(exc) from None

    async def _flush(self) -> None:
        """Send the session's pending rows now, with the same translation."""
        try:
            await self.session.flush()
        except IntegrityError as exc:
            raise translate_integrity_error(exc) from None


def page_by_id(
    statement: SelectT,
    id_column: ColumnElement[int] | QueryableAttribute[int],
    *,
    after_id: int | None,
    limit: int,
) -> SelectT:
    """The page after ``after_id`` of a list in id order: keyset pagination, which stays
    as fast on the thousandth page as on the first."""
    statement = statement.order_by(id_column).limit(limit)
    return statement if after_id is None else statement.where(id_column > after_id)
