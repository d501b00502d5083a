"""The unit of work: one transaction per use case, rolled back unless told to commit."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from types import TracebackType
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from partygrid.crypto import Keyring
from partygrid.repo.api_clients import SqlApiClientRepository
from partygrid.repo.audit import SqlAuditRepository
from partygrid.repo.catalogue import SqlCatalogueRepository
from partygrid.repo.database import DriverConnection
from partygrid.repo.errors import translate_integrity_error
from partygrid.repo.grids import SqlGridRepository
from partygrid.repo.key_rotation import SqlKeyRotationRepository
from partygrid.repo.members import SqlMemberRepository
from partygrid.repo.organizations import SqlOrganizationRepository
from partygrid.repo.reports import SqlReportRepository
from partygrid.repo.tickets import SqlTicketRepository
from partygrid.repo.users import SqlScopeRepository, SqlUserRepository


class UnitOfWork:
    """Holds the session and the repositories that share its transaction."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        keyring: Keyring,
        *,
        read_only: bool = False,
        driver_connection: DriverConnection | None = None,
    ) -> None:
        self._session_factory = session_factory
        self.keyring = keyring
        self.read_only = read_only
        # Only a read-only unit of work lends its repositories a bare driver connection
        # for their hottest reads (repo/driver_sql.py): a transaction's reads must run
        # on the session's own connection, inside its transaction.
        self._driver_connection = driver_connection if read_only else None
        self._driver: AbstractAsyncContextManager[Any] | None = None
        self._driver_conn: Any = None

    async def fast_reads(self) -> Any | None:
        """The driver connection for the hottest reads, acquired at first use and given
        back with the unit of work; None where reads must go through the session."""
        if self._driver_connection is None:
            return None
        if self._driver is None:
            self._driver = self._driver_connection()
            self._driver_conn = await self._driver.__aenter__()
        return self._driver_conn

    async def __aenter__(self) -> UnitOfWork:
        self.session = self._session_factory()
        self.organizations = SqlOrganizationRepository(self.session)
        self.grids = SqlGridRepository(self.session, self.keyring, self.fast_reads)
        self.members = SqlMemberRepository(self.session, self.keyring, self.fast_reads)
        self.key_rotation = SqlKeyRotationRepository(self.session)
        self.reports = SqlReportRepository(self.session)
        self.audit = SqlAuditRepository(self.session, self.keyring.audit_key)
        self.users = SqlUserRepository(self.session)
        self.scopes = SqlScopeRepository(self.session)
        self.api_clients = SqlApiClientRepository(self.session)
        self.tickets = SqlTicketRepository(self.session, self.keyring, self.fast_reads)
        self.catalogue = SqlCatalogueRepository(self.session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if self._driver is not None:  # back to the pool before the session closes
                driver, self._driver, self._driver_conn = self._driver, None, None
                await driver.__aexit__(exc_type, exc, tb)
        finally:
            try:
                await self.session.rollback()  # a no-op after commit
            finally:
                await self.session.close()

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
