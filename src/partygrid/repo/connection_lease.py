"""One pooled driver connection per request, shared by the principal lookup and the read.

Every authenticated request looks its principal up, and a read-only use case then reads
on a bare driver connection (repo/fast_reads.py). Each took its own connection from the
pool: two checkouts and two returns through SQLAlchemy's pool a request, and two waits
for a free connection under load. A lease takes the connection at first use and keeps
it for the next one, until it is released.

A request holds at most one connection at a time: whoever needs another one (a
transactional unit of work, the audit of a refusal, a read-only unit of work's session
about to connect: ``LeaseYieldingSession``) releases the lease first, so a full pool
cannot deadlock on requests that each hold one and wait for a second. The
middleware that hands out the lease (api/middleware.py) releases it when the request
ends, whatever happened.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from sqlalchemy.orm import Session

from partygrid.repo.database import DriverConnection

# Session.info key: what a LeaseYieldingSession calls before it takes a connection.
BEFORE_CONNECTING = "partygrid.before_connecting"


class ConnectionLease:
    __slots__ = ("_connection", "_held", "_source")

    def __init__(self, source: DriverConnection) -> None:
        self._source = source
        self._held: AbstractAsyncContextManager[Any] | None = None
        self._connection: Any = None

    @property
    def holding(self) -> bool:
        return self._held is not None

    async def get(self) -> Any:
        """The leased connection, taken from the pool if none is held."""
        if self._held is None:
            held = self._source()
            self._connection = await held.__aenter__()
            self._held = held
        return self._connection

    async def release(self, error: BaseException | None = None) -> None:
        """Give the connection back; ``error`` is what it saw, so that a broken one is
        replaced rather than reused (``repo/database.pooled_driver_connection``)."""
        held, self._held, self._connection = self._held, None, None
        if held is None:
            return
        if error is None:
            await held.__aexit__(None, None, None)
        else:
            await held.__aexit__(type(error), error, error.__traceback__)

    @asynccontextmanager
    async def use(self) -> AsyncIterator[Any]:
        """The connection for one step; it stays leased afterwards unless the step failed."""
        connection = await self.get()
        try:
            yield connection
        except BaseException as error:
            await self.release(error)
            raise


class LeaseYieldingSession(Session):
    """The session class of read-only units of work. SQLAlchemy asks ``get_bind`` before
    every statement, and so before the session takes its connection; the unit of work
    then gives the request's leased connection back (repo/uow.py)."""

    def get_bind(self, *args: Any, **kwargs: Any) -> Any:
        before_connecting = self.info.get(BEFORE_CONNECTING)
        if before_connecting is not None:
            before_connecting()
        return super().get_bind(*args, **kwargs)
