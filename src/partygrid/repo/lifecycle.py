"""The unit of work's life: one transaction per use case, rolled back unless told to commit.

Features add their repositories on top (``repo/<feature>/__init__.py``); ``repo/uow.py``
puts them together. What is here knows no feature: the session, the connection lease of a
read-only use case, and the commit point, where the audit trail is written with the change
or not at all."""

from __future__ import annotations

from functools import cached_property
from types import TracebackType
from typing import Any, Protocol, Self

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.util import await_only

from partygrid.repo.connection_lease import BEFORE_CONNECTING, ConnectionLease
from partygrid.repo.errors import translate_integrity_error
from partygrid.repo.keyring import Keyring


class AuditTrailWriter(Protocol):
    async def write_pending(self) -> None: ...

    def committed(self) -> None: ...


class UnitOfWorkLifecycle:
    """Holds the session that the repositories of every feature share.

    The session and each repository are made at first use: a read served from the
    driver connection (repo/fast_reads.py) needs neither, and making, rolling back and
    closing an unused session was 3-5% of such a read's CPU (bench/RESULTS.md)."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        keyring: Keyring,
        *,
        read_only: bool = False,
        lease: ConnectionLease | None = None,
    ) -> None:
        """``lease``: the request's driver connection (repo/connection_lease.py). A
        read-only unit of work reads its hottest rows on it (repo/fast_reads.py) and
        gives it back when it ends; a transactional one gives it back before its session
        takes a connection of its own, since a transaction's reads must run inside it."""
        self._session_factory = session_factory
        self.keyring = keyring
        self.read_only = read_only
        self._lease = lease
        self._session_connected = False
        self._entered = False

    async def fast_reads(self) -> Any | None:
        """The driver connection for the hottest reads, taken at first use and given
        back with the unit of work; None where reads must go through the session."""
        if self._lease is None or not self.read_only or self._session_connected:
            return None
        return await self._lease.get()

    def _before_session_connects(self) -> None:
        # Called by a LeaseYieldingSession inside SQLAlchemy's greenlet, before each of
        # its statements: the first one gives the lease back, and from then on the
        # hottest reads also go through the session, on its connection.
        if not self._session_connected:
            self._session_connected = True
            if self._lease is not None and self._lease.holding:
                await_only(self._lease.release())

    async def __aenter__(self) -> Self:
        self._session_connected = False
        self._entered = True
        if self._lease is not None and not self.read_only:
            await self._lease.release()  # one connection at a time per request
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._entered = False
        session: AsyncSession | None = self.__dict__.get("session")
        for name in _made_at_first_use(type(self)):  # a next use starts afresh
            self.__dict__.pop(name, None)
        try:
            if self._lease is not None and self.read_only:  # back before the session closes
                await self._lease.release(exc)
        finally:
            if session is not None:
                try:
                    await session.rollback()  # a no-op after commit
                finally:
                    await session.close()

    @cached_property
    def session(self) -> AsyncSession:
        if not self._entered:
            raise RuntimeError("a unit of work's session is used inside `async with uow`")
        if self._lease is not None and self.read_only:
            return self._session_factory(info={BEFORE_CONNECTING: self._before_session_connects})
        return self._session_factory()

    async def flush(self) -> None:
        """Send pending writes now, so constraint violations surface as domain errors."""
        self._refuse_if_read_only()
        try:
            await self.session.flush()
        except IntegrityError as exc:
            raise translate_integrity_error(exc) from None

    async def commit(self) -> None:
        """Write the queued audit events, then commit both together or neither."""
        self._refuse_if_read_only()
        try:
            trail = self.audit_trail()
            await trail.write_pending()
            await self.session.commit()
            trail.committed()
        except IntegrityError as exc:
            raise translate_integrity_error(exc) from None

    def audit_trail(self) -> AuditTrailWriter:
        """The writer of the events queued in this transaction (the audit feature's)."""
        raise NotImplementedError

    def _refuse_if_read_only(self) -> None:
        # A read-only unit of work may run on an autocommit connection, where a write
        # would not be atomic with anything: refuse it loudly instead.
        if self.read_only:
            raise RuntimeError("a read-only unit of work cannot write; use a write route")


_MADE_AT_FIRST_USE: dict[type, tuple[str, ...]] = {}


def _made_at_first_use(cls: type) -> tuple[str, ...]:
    """The session and the repositories, of every feature: what ``__aexit__`` forgets,
    so a next use starts afresh (worked out once per class)."""
    names = _MADE_AT_FIRST_USE.get(cls)
    if names is None:
        names = _MADE_AT_FIRST_USE[cls] = tuple(
            name
            for klass in cls.__mro__
            for name, member in vars(klass).items()
            if isinstance(member, cached_property)
        )
    return names
