"""The hottest reads, run on the bare asyncpg connection of a read-only unit of work.

A read by id through the ORM paid, per request, a Session's connection checkout, the
statement's cache key, ORM result processing and instance state: measured at S=1, more
CPU than the query and the JSON together (bench/RESULTS.md). Here the same SQLAlchemy
statement (scope predicate included) is compiled once per scope, and each request only
binds its ids and runs it. The mappers that turn rows into domain objects are the
repositories' own: ``Columns`` gives a record the attribute access an ORM row has.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import text
from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Executable

_DIALECT = PGDialect_asyncpg()

# A repository's way to the driver connection: the read-only unit of work's
# ``fast_reads``; None (or ``no_fast_reads``) means read through the session.
FastReads = Callable[[], Awaitable[Any | None]]


async def no_fast_reads() -> None:
    return None


@dataclass(frozen=True, slots=True)
class DriverQuery:
    """A statement compiled for asyncpg: its SQL, the order of its parameters and the
    values bound into it (the caller's scope); the rest come at each call."""

    sql: str
    names: tuple[str, ...]
    bound: dict[str, Any]

    @classmethod
    def of(cls, statement: Executable) -> DriverQuery:
        # render_postcompile: the scope's IN lists become plain parameters, fixed here.
        compiled = statement.compile(dialect=_DIALECT, compile_kwargs={"render_postcompile": True})
        return cls(compiled.string, tuple(compiled.positiontup or ()), dict(compiled.params))

    def args(self, **given: Any) -> list[Any]:
        return [given[name] if name in given else self.bound[name] for name in self.names]

    async def fetchrow(self, connection: Any, **given: Any) -> Any:
        return await connection.fetchrow(self.sql, *self.args(**given))

    async def fetch(self, connection: Any, **given: Any) -> list[Any]:
        return list(await connection.fetch(self.sql, *self.args(**given)))


# How ``text()`` finds its :name parameters (sqlalchemy.sql.elements.TextClause).
_TEXT_PARAMETER = re.compile(r"(?<![:\w\x5c]):(\w+)(?!:)", re.UNICODE)


@lru_cache(maxsize=512)
def _numbered(sql: str) -> tuple[str, tuple[str, ...]]:
    """``text()`` SQL in asyncpg's form: each :name becomes $n, in order of first use."""
    names: list[str] = []

    def number(match: re.Match[str]) -> str:
        if match.group(1) not in names:
            names.append(match.group(1))
        return f"${names.index(match.group(1)) + 1}"

    return _TEXT_PARAMETER.sub(number, sql), tuple(names)


async def read_rows(
    session: AsyncSession, fast_reads: FastReads, sql: str, params: dict[str, Any]
) -> list[Any]:
    """The rows of a ``text()`` query: on the driver connection when the unit of work
    lends one, else through the session. Either way a row reads ``row.name`` and
    ``row._mapping``."""
    connection = await fast_reads()
    if connection is None:
        return list((await session.execute(text(sql), params)).all())
    numbered, names = _numbered(sql)
    return [Columns(r) for r in await connection.fetch(numbered, *(params[n] for n in names))]


class Columns:
    """A record read as an ORM row is: ``row.name`` for ``record["name"]``."""

    __slots__ = ("_record",)

    def __init__(self, record: Any) -> None:
        self._record = record

    @property
    def _mapping(self) -> Any:  # as a SQLAlchemy Row's
        return self._record

    def __getattr__(self, name: str) -> Any:
        try:
            return self._record[name]
        except KeyError:
            raise AttributeError(name) from None
