"""The hottest reads: each declared once, built by one function, run where the unit of work
lets it.

A read by id through the ORM paid, per request, a Session's connection checkout, the
statement's cache key, ORM result processing and instance state: measured at S=1, more
CPU than the query and the JSON together (bench/RESULTS.md). So a read-only unit of work
lends its bare asyncpg connection, and the hottest reads run their statement there.

What keeps the fast path from drifting from the ORM one:
- A ``FastRead`` is declared once, at module level, with a name and ONE builder: the
  builder returns the SQLAlchemy statement for a shape (what the statement depends on:
  the caller's scope, the filters given); what changes from call to call is a bind
  parameter. The driver form is compiled from that same statement, scope predicate
  included, and cached with it per shape.
- ``FastRead.all`` and ``FastRead.first`` are the one place that decides the path: the
  driver connection when the unit of work lends one (``Reader.lend``), else the session.
  Either way a row is a named tuple of the statement's columns, read ``row.name`` as an
  ORM row is, so a repository maps both with its own ``_to_domain``. (A named tuple's
  attribute is read in C: 200 records of 23 columns made into rows and read in 0.2-0.3 ms,
  as fast as reading the records by key, against 3-4 ms through a ``__getattr__`` wrapper.)
- Every fast read registers itself by name (``registered()``). The equivalence test,
  tests/platform/test_fast_reads.py, runs each through both paths on the same data and
  fails for a fast read without a case there.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Awaitable, Callable, Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Generic, Protocol, TypeVar, cast

from sqlalchemy import Select, TextClause
from sqlalchemy.dialects import registry
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession

Shape = TypeVar("Shape", bound=Hashable)
Statement = TypeVar("Statement", Select[Any], TextClause)

_DIALECT: Dialect = registry.load("postgresql.asyncpg")()


class Record(Protocol):
    """An asyncpg record, as far as fast reads use it."""

    def keys(self) -> Iterable[str]: ...

    def __iter__(self) -> Iterator[object]: ...


class DriverConnection(Protocol):
    """An asyncpg connection, as far as fast reads use it."""

    async def fetch(self, query: str, *args: object) -> list[Record]: ...

    async def fetchrow(self, query: str, *args: object) -> Record | None: ...


# The unit of work's ``fast_reads``: its driver connection when it lends one, else None.
ConnectionLender = Callable[[], Awaitable[DriverConnection | None]]


async def lends_none() -> None:
    """For a repository made outside a unit of work: every read goes through the session."""
    return None


@dataclass(frozen=True, slots=True)
class Reader:
    """Where a repository's fast reads may run: its unit of work's session, and the driver
    connection the unit of work lends while it is read-only and its session has not
    connected (``UnitOfWorkLifecycle.fast_reads``)."""

    session: AsyncSession
    lend: ConnectionLender = lends_none


class FastRow(Protocol):
    """A row of a fast read: its columns by name (``row.name``), as an ORM row has them."""

    def __getattr__(self, name: str, /) -> Any: ...


@dataclass(frozen=True, slots=True)
class DriverForm:
    """A statement compiled for asyncpg: its SQL, the order of its parameters and the values
    fixed in it (the shape's, e.g. the caller's scope); the others come with each call."""

    sql: str
    names: tuple[str, ...]
    bound: Mapping[str, object]

    @classmethod
    def of(cls, statement: Select[Any] | TextClause) -> DriverForm:
        # render_postcompile: the scope's IN lists become plain parameters, fixed here.
        compiled = statement.compile(dialect=_DIALECT, compile_kwargs={"render_postcompile": True})
        return cls(compiled.string, tuple(compiled.positiontup or ()), dict(compiled.params))

    def args(self, values: Mapping[str, object]) -> list[object]:
        return [values[name] if name in values else self.bound[name] for name in self.names]


@dataclass(frozen=True, slots=True)
class _Forms(Generic[Statement]):
    statement: Statement
    driver: DriverForm


class _RowType(Protocol):
    def _make(self, values: Iterable[object], /) -> FastRow: ...


@lru_cache(maxsize=256)
def _row_type(columns: tuple[str, ...]) -> _RowType:
    """One named tuple class per list of columns, whichever path read the rows."""
    return cast(_RowType, namedtuple("FastRow", columns))


def _columns_only(name: str, statement: Statement) -> Statement:
    """A fast read selects columns: a mapped class would come back from the session as ORM
    objects but from the driver as its columns."""
    if isinstance(statement, Select):
        for column in statement.column_descriptions:
            entity = column.get("entity")
            if entity is not None and column["expr"] is entity:
                raise TypeError(
                    f"fast read {name!r} selects the mapped class {column['name']}: "
                    "select its table's columns (select(Row.__table__)) instead"
                )
    return statement


_REGISTERED: dict[str, FastRead[Any, Any]] = {}


def registered() -> Mapping[str, FastRead[Any, Any]]:
    """Every fast read declared so far, by name (a module declares its own when imported)."""
    return MappingProxyType(_REGISTERED)


class FastRead(Generic[Shape, Statement]):
    """One hot read: its name, and the one builder of its statement for a shape."""

    __slots__ = ("_forms", "build", "name")

    def __init__(
        self, name: str, build: Callable[[Shape], Statement], *, shapes: int = 1024
    ) -> None:
        """``shapes``: how many shapes' statements are kept (one per scope, for most)."""
        if name in _REGISTERED:
            raise ValueError(f"a fast read named {name!r} is declared already")
        self.name = name
        self.build: Callable[[Shape], Statement] = build
        self._forms: Callable[[Shape], _Forms[Statement]] = lru_cache(maxsize=shapes)(self._compile)
        _REGISTERED[name] = self

    def __repr__(self) -> str:
        return f"FastRead({self.name!r})"

    def _compile(self, shape: Shape) -> _Forms[Statement]:
        statement = _columns_only(self.name, self.build(shape))
        return _Forms(statement, DriverForm.of(statement))

    def statement(self, shape: Shape) -> Statement:
        """The SQLAlchemy statement for ``shape``: what the session runs (a repository may
        lock what it reads with it, in its transaction)."""
        return self._forms(shape).statement

    def driver_form(self, shape: Shape) -> DriverForm:
        """The same statement, as the driver connection runs it."""
        return self._forms(shape).driver

    async def all(self, reader: Reader, shape: Shape, /, **values: object) -> list[FastRow]:
        """Every row, on the lent driver connection or else through the session."""
        return await self._run(reader, shape, values, first=False)

    async def first(self, reader: Reader, shape: Shape, /, **values: object) -> FastRow | None:
        """The first row or None, on the lent driver connection or else through the session."""
        rows = await self._run(reader, shape, values, first=True)
        return rows[0] if rows else None

    async def _run(
        self, reader: Reader, shape: Shape, values: dict[str, object], *, first: bool
    ) -> list[FastRow]:
        # The one place that decides where a fast read runs.
        forms = self._forms(shape)
        connection = await reader.lend()
        if connection is None:
            result = await reader.session.execute(forms.statement, values)
            make = _row_type(tuple(result.keys()))._make
            if first:
                row = result.first()
                return [] if row is None else [make(row)]
            return [make(row) for row in result]
        args = forms.driver.args(values)
        if first:
            record = await connection.fetchrow(forms.driver.sql, *args)
            records = [] if record is None else [record]
        else:
            records = await connection.fetch(forms.driver.sql, *args)
        if not records:
            return []
        make = _row_type(tuple(records[0].keys()))._make
        return [make(record) for record in records]
