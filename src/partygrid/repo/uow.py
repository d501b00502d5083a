"""The unit of work: one transaction per use case, rolled back unless told to commit."""

from __future__ import annotations

from functools import cached_property
from types import TracebackType
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.util import await_only

from partygrid.repo.accounts.api_clients import SqlApiClientRepository
from partygrid.repo.accounts.users import SqlScopeRepository, SqlUserRepository
from partygrid.repo.audit.writer import SqlAuditRepository
from partygrid.repo.connection_lease import BEFORE_CONNECTING, ConnectionLease
from partygrid.repo.errors import translate_integrity_error
from partygrid.repo.grids.repository import SqlGridRepository
from partygrid.repo.keyring import Keyring
from partygrid.repo.keys.repository import SqlKeyRotationRepository
from partygrid.repo.members.repository import SqlMemberRepository
from partygrid.repo.organizations.repository import SqlOrganizationRepository
from partygrid.repo.reports.repository import SqlReportRepository
from partygrid.repo.tickets.catalogue import SqlCatalogueRepository
from partygrid.repo.tickets.repository import SqlTicketRepository


class UnitOfWork:
    """Holds the session and the repositories that share its transaction.

    The session and each repository are made at first use: a read served from the
    driver connection (repo/driver_sql.py) needs neither, and making, rolling back and
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
        read-only unit of work reads its hottest rows on it (repo/driver_sql.py) and
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

    async def __aenter__(self) -> UnitOfWork:
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
        for name in _MADE_AT_FIRST_USE:  # a next use starts afresh
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

    @cached_property
    def organizations(self) -> SqlOrganizationRepository:
        return SqlOrganizationRepository(self.session)

    @cached_property
    def grids(self) -> SqlGridRepository:
        return SqlGridRepository(self.session, self.keyring, self.fast_reads)

    @cached_property
    def members(self) -> SqlMemberRepository:
        return SqlMemberRepository(self.session, self.keyring, self.fast_reads)

    @cached_property
    def key_rotation(self) -> SqlKeyRotationRepository:
        return SqlKeyRotationRepository(self.session)

    @cached_property
    def reports(self) -> SqlReportRepository:
        return SqlReportRepository(self.session)

    @cached_property
    def audit(self) -> SqlAuditRepository:
        return SqlAuditRepository(self.session, self.keyring.audit_key)

    @cached_property
    def users(self) -> SqlUserRepository:
        return SqlUserRepository(self.session)

    @cached_property
    def scopes(self) -> SqlScopeRepository:
        return SqlScopeRepository(self.session)

    @cached_property
    def api_clients(self) -> SqlApiClientRepository:
        return SqlApiClientRepository(self.session)

    @cached_property
    def tickets(self) -> SqlTicketRepository:
        return SqlTicketRepository(self.session, self.keyring, self.fast_reads)

    @cached_property
    def catalogue(self) -> SqlCatalogueRepository:
        return SqlCatalogueRepository(self.session)

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
            await self.audit.write_pending()
            await self.session.commit()
            self.audit.committed()
        except IntegrityError as exc:
            raise translate_integrity_error(exc) from None

    def _refuse_if_read_only(self) -> None:
        # A read-only unit of work may run on an autocommit connection, where a write
        # would not be atomic with anything: refuse it loudly instead.
        if self.read_only:
            raise RuntimeError("a read-only unit of work cannot write; use a write route")


# The session and the repositories: what ``__aexit__`` forgets, so a next use starts afresh.
_MADE_AT_FIRST_USE = tuple(
    name for name, member in vars(UnitOfWork).items() if isinstance(member, cached_property)
)
