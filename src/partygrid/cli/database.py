"""The database a command works on: resolved once for the process (starting the embedded
server when DATABASE_URL is unset), probed, brought to the latest migration, and opened
as units of work."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from partygrid.cli.console import (
    EXIT_CONFIG,
    configure_logging,
    fail,
    first_line,
    say,
    stop_cleanly_on_signals,
)
from partygrid.config import Settings, get_settings
from partygrid.repo.database import (
    DatabaseUnavailable,
    async_url,
    create_engine,
    create_sessionmaker,
    resolve_database_url,
)
from partygrid.repo.migrations import current_revision, head_revision, upgrade_to_head

if TYPE_CHECKING:
    from partygrid.repo.uow import UnitOfWork

T = TypeVar("T")

CONNECT_TIMEOUT_SECONDS = 10


def _show(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=True)


async def _probe(url: str) -> str | None:
    """Connect once and return the schema's current migration (None when unmigrated)."""
    engine = create_async_engine(
        url, poolclass=NullPool, connect_args={"timeout": CONNECT_TIMEOUT_SECONDS}
    )
    try:
        async with engine.connect() as conn:
            return await current_revision(conn)
    finally:
        await engine.dispose()


async def _probe_app_role(url: str) -> tuple[str | None, bool]:
    """The schema's migration, and whether this role could rewrite the audit trail."""
    from partygrid.repo.roles import may_rewrite_audit_trail

    engine = create_async_engine(
        url, poolclass=NullPool, connect_args={"timeout": CONNECT_TIMEOUT_SECONDS}
    )
    try:
        async with engine.connect() as conn:
            revision = await current_revision(conn)
            return revision, revision is not None and await may_rewrite_audit_trail(conn)
    finally:
        await engine.dispose()


def connect_as_app_role(settings: Settings) -> Settings:
    """How production serves: with the app role's connection only. Refuses (one line) the
    schema owner's credentials, a role that could rewrite the audit trail, and a schema
    behind the latest migration: migrating is `partygrid migrate`'s step, as the owner."""
    problems = settings.serving_problems()
    if problems:
        fail(f"settings refused: {'; '.join(problems)}", code=EXIT_CONFIG)
    require_migrations(settings)
    assert settings.app_database_url
    url = async_url(settings.app_database_url)
    try:
        revision, may_rewrite = asyncio.run(_probe_app_role(url))
    except Exception as exc:
        fail(f"cannot reach the database at {_show(url)}: {first_line(exc)}")
    if revision != head_revision(settings, url):
        fail("the schema is not at the latest migration: run `partygrid migrate` first", code=1)
    if may_rewrite:
        fail(
            "settings refused: PARTYGRID_APP_DATABASE_URL connects as a role that may change "
            f"the audit trail (the owner or a superuser): use {settings.app_db_role}",
            code=EXIT_CONFIG,
        )
    say(f"database: {_show(url)}")
    return settings


def connect(settings: Settings) -> tuple[Settings, str | None]:
    """Resolve the database once for this process (starting the embedded server when
    DATABASE_URL is unset) and check that it answers.

    Returns settings carrying the resolved URL, so the app's lifespan uses it instead of
    resolving again, and the current migration revision.
    """
    embedded = not settings.database_url
    if embedded:
        say(
            f"DATABASE_URL is not set: starting the embedded PostgreSQL in "
            f"{settings.embedded_pgdata}"
        )
    try:
        url = resolve_database_url(settings)
    except DatabaseUnavailable as exc:
        fail(first_line(exc))
    except Exception as exc:  # anything else on the way is still "no database"
        fail(f"could not start or find the database: {first_line(exc)}")
    try:
        revision = asyncio.run(_probe(url))
    except Exception as exc:
        fail(f"cannot reach the database at {_show(url)}: {first_line(exc)}")
    if embedded:
        say(
            f"embedded PostgreSQL is running; its data stays in {settings.embedded_pgdata} "
            "across restarts (set PARTYGRID_DATA_DIR to move it, DATABASE_URL to use a server)"
        )
    else:
        say(f"database: {_show(url)}")
    return settings.model_copy(update={"database_url": url}), revision


def require_migrations(settings: Settings) -> Settings:
    # Checked before any database is started: a non-editable install has no migrations
    # next to the package.
    if not settings.migrations_dir.is_dir():
        fail(
            f"no migrations at {settings.migrations_dir}; set PARTYGRID_MIGRATIONS_DIR "
            "to the checkout's migrations/ directory",
            code=1,
        )
    return settings


def migrate_to_head(settings: Settings, current: str | None) -> None:
    assert settings.database_url
    head = head_revision(settings, settings.database_url)
    password = settings.app_db_password is not None
    if current == head and not password:
        say(f"schema is at the latest migration ({head})")
        return
    try:
        # At head too when a password is configured: the run (re)sets the app role's.
        upgrade_to_head(settings, settings.database_url)
    except Exception as exc:
        fail(
            f"migration from {current or 'an empty database'} to {head} failed: {first_line(exc)}",
            code=1,
        )
    if current == head:
        say(f"schema is at the latest migration ({head})")
    else:
        say(f"migrated the schema from {current or 'an empty database'} to {head}")
    if password:
        say(f"the app role {settings.app_db_role} has the password of PARTYGRID_APP_DB_PASSWORD")


def connect_at_head() -> Settings:
    """Set up the console, connect, and refuse a schema behind the latest migration: for
    the commands that work on the data and leave migrating to ``partygrid migrate``."""
    configure_logging()
    stop_cleanly_on_signals()
    settings, current = connect(require_migrations(get_settings()))
    assert settings.database_url
    if current != head_revision(settings, settings.database_url):
        fail("the schema is not at the latest migration: run `partygrid migrate` first")
    return settings


@asynccontextmanager
async def units_of_work(settings: Settings) -> AsyncIterator[Callable[[], UnitOfWork]]:
    """The one way a console command opens units of work: a factory of them, sharing one
    sessionmaker on an engine without a pool (a command runs a few transactions and
    exits), disposed of when the block ends. ``serve`` is not a console command: the
    app's lifespan owns its pooled engine."""
    from partygrid.repo.keyring import Keyring
    from partygrid.repo.uow import UnitOfWork

    assert settings.database_url
    keyring = Keyring.from_settings(settings)
    engine = create_engine(settings.database_url, settings, pooled=False)
    try:
        sessionmaker = create_sessionmaker(engine)
        yield lambda: UnitOfWork(sessionmaker, keyring)
    finally:
        await engine.dispose()


def run_in_uow(settings: Settings, work: Callable[[UnitOfWork], Awaitable[T]]) -> T:
    """Run ``work`` in one unit of work from :func:`units_of_work` and return its result."""

    async def once() -> T:
        async with units_of_work(settings) as new_uow:
            return await work(new_uow())

    return asyncio.run(once())
