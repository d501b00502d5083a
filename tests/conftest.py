"""Real PostgreSQL for every test that needs one: a database built by ``alembic upgrade
head`` once per run, and one transaction per test that is rolled back afterwards."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    async_sessionmaker,
    create_async_engine,
)

# The suite runs in the test environment (development secrets accepted), also where a
# test runs a command in this process; an unset environment would be production.
os.environ.setdefault("PARTYGRID_ENVIRONMENT", "test")

from partygrid.config import Environment, Settings
from partygrid.main import bind_database, create_app
from partygrid.repo.database import (
    app_role_url,
    async_url,
    start_embedded,
    stop_embedded,
    with_database,
)
from partygrid.repo.keyring import Keyring
from partygrid.repo.migrations import head_revision, upgrade_to_head
from partygrid.repo.uow import UnitOfWork


def _test_database_name() -> str:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    base = os.environ.get("PARTYGRID_TEST_DATABASE", "partygrid_test")
    return f"{base}_{worker}"


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    """DATABASE_URL when set; otherwise an embedded server in a temporary directory."""
    if os.environ.get("DATABASE_URL"):
        yield os.environ["DATABASE_URL"]
        return
    tmp = Path(tempfile.mkdtemp(prefix="partygrid-test-"))
    server = start_embedded(tmp / "pgdata")
    yield server.url
    stop_embedded(tmp / "pgdata")  # before the folder (and its handle list) goes away
    shutil.rmtree(tmp, ignore_errors=True)


def _asyncpg_dsn(url: str) -> str:
    return async_url(url).replace("postgresql+asyncpg://", "postgresql://", 1)


async def _recreate_database(url: str, name: str) -> None:
    conn = await asyncpg.connect(_asyncpg_dsn(url))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def settings() -> Settings:
    # No background deadline sweep: tests sweep explicitly, at the instant they choose.
    return Settings(environment=Environment.test, database_url=None, sweep_seconds=0)


@pytest.fixture(scope="session")
def database_url(server_url: str, settings: Settings) -> str:
    name = _test_database_name()
    asyncio.run(_recreate_database(server_url, name))
    url = async_url(with_database(server_url, name))
    upgrade_to_head(settings, url)
    return url


@pytest.fixture(scope="session")
async def engine(database_url: str, settings: Settings) -> AsyncIterator[AsyncEngine]:
    """Connected as the service's own role, so a missing grant fails a test."""
    engine = create_async_engine(app_role_url(database_url, settings), pool_size=5)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
async def owner_engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """The schema owner (what migrations use): for tests that play a privileged intruder."""
    engine = create_async_engine(database_url, pool_size=2)
    yield engine
    await engine.dispose()


@pytest.fixture
async def connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    async with engine.connect() as conn:
        transaction = await conn.begin()
        try:
            yield conn
        finally:
            if transaction.is_active:
                await transaction.rollback()


@pytest.fixture
def sessionmaker(connection: AsyncConnection) -> async_sessionmaker:
    # Commits inside the code under test only release a savepoint of the test's transaction.
    return async_sessionmaker(
        bind=connection,
        expire_on_commit=False,
        autoflush=False,
        join_transaction_mode="create_savepoint",
    )


@pytest.fixture(scope="session")
def keyring(settings: Settings) -> Keyring:
    return Keyring.from_settings(settings)


@pytest.fixture
def uow(sessionmaker: async_sessionmaker, keyring: Keyring) -> UnitOfWork:
    return UnitOfWork(sessionmaker, keyring)


@pytest.fixture
def app(
    settings: Settings, engine: AsyncEngine, sessionmaker: async_sessionmaker, database_url: str
):
    application = create_app(settings)
    bind_database(application, engine, sessionmaker)  # one connection for all
    application.state.migration_head = head_revision(settings, database_url)
    return application


@pytest.fixture
async def district(connection: AsyncConnection) -> dict[str, Any]:
    """The root the API tests build under: a district committee made directly, as the
    ``create-admin --root-org-name`` bootstrap would (the API refuses to make roots)."""
    from sqlalchemy import text

    row = (
        await connection.execute(
            text(
                "WITH n AS (SELECT nextval(pg_get_serial_sequence('organizations', 'id')) AS id) "
                "INSERT INTO organizations (id, kind, name, code, path) "
                "SELECT id, 'district_committee', '测试区委', 'TEST-DISTRICT-' || id, "
                "text2ltree(id::text) FROM n RETURNING id, ltree2text(path) AS path"
            )
        )
    ).one()
    return {"id": row.id, "path": row.path, "kind": "district_committee"}


@pytest.fixture
async def admin_headers(login_as, district: dict[str, Any]) -> dict[str, str]:
    """Authorization of a district admin whose scope is the ``district`` subtree."""
    return await login_as("district_admin", orgs=[district["id"]])


@pytest.fixture
async def anonymous_client(app) -> AsyncIterator[httpx.AsyncClient]:
    """A client without credentials."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as ac:
        yield ac


@pytest.fixture
async def client(app, admin_headers: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    """A client acting as the district admin of ``district``; pass other ``headers=`` (from
    ``login_as``) on a request to act as someone else."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://test", headers=admin_headers
    ) as ac:
        yield ac


@pytest.fixture
def login_as(connection: AsyncConnection, settings: Settings):
    """``await login_as(role, orgs=[...], grids=[...])`` → Authorization headers for a fresh
    user of that role and scope, with a live session (no password round trip)."""
    from itertools import count

    from sqlalchemy import text

    from partygrid.services.accounts.tokens import issue_access_token

    numbers = count(1)

    async def login(role: str | None, *, orgs: tuple[int, ...] | list[int] = (),
                    grids: tuple[int, ...] | list[int] = ()) -> dict[str, str]:  # fmt: skip
        name = f"t-{role or 'norole'}-{next(numbers)}".replace("_", "-")
        user_id = (
            await connection.execute(
                text(
                    "INSERT INTO users (username, display_name, role, password_hash) "
                    "VALUES (:u, :u, :r, 'not-a-real-hash') RETURNING id"
                ),
                {"u": name, "r": role},
            )
        ).scalar_one()
        for org_id in orgs:
            await connection.execute(
                text("INSERT INTO principal_scopes (user_id, organization_id) VALUES (:u, :o)"),
                {"u": user_id, "o": org_id},
            )
        for grid_id in grids:
            await connection.execute(
                text("INSERT INTO principal_scopes (user_id, grid_id) VALUES (:u, :g)"),
                {"u": user_id, "g": grid_id},
            )
        session_id = (
            await connection.execute(
                text(
                    "INSERT INTO auth_sessions (user_id, expires_at) "
                    "VALUES (:u, now() + interval '1 day') RETURNING id"
                ),
                {"u": user_id},
            )
        ).scalar_one()
        token = issue_access_token(settings, user_id=user_id, session_id=session_id, role=role)
        return {"Authorization": f"Bearer {token}"}

    return login


@pytest.fixture
def make_user(connection: AsyncConnection):
    """``await make_user(username, password, role=..., orgs=[...], grids=[...])`` → user id:
    an account with a real argon2 password, for tests that log in through /auth/token."""
    from sqlalchemy import text

    from partygrid.services.accounts.passwords import hash_password

    async def make(username: str, password: str, *, role: str | None = None,
                   orgs: tuple[int, ...] | list[int] = (),
                   grids: tuple[int, ...] | list[int] = (),
                   must_change_password: bool = False) -> int:  # fmt: skip
        user_id = (
            await connection.execute(
                text(
                    "INSERT INTO users (username, display_name, role, password_hash, "
                    "must_change_password) VALUES (:u, :u, :r, :h, :m) RETURNING id"
                ),
                {
                    "u": username,
                    "r": role,
                    "h": hash_password(password),
                    "m": must_change_password,
                },
            )
        ).scalar_one()
        for org_id in orgs:
            await connection.execute(
                text("INSERT INTO principal_scopes (user_id, organization_id) VALUES (:u, :o)"),
                {"u": user_id, "o": org_id},
            )
        for grid_id in grids:
            await connection.execute(
                text("INSERT INTO principal_scopes (user_id, grid_id) VALUES (:u, :g)"),
                {"u": user_id, "g": grid_id},
            )
        return user_id

    return make


@pytest.fixture
async def catalogue(uow: UnitOfWork) -> list[str]:
    """The demo service catalogue (市容环境, 道路设施, ...), rolled back with the test."""
    from partygrid.domain.access import Scope, system_actor
    from partygrid.seed.demo.catalogue import DEMO_CATEGORIES, ensure_demo_catalogue

    await ensure_demo_catalogue(uow, system_actor(Scope()))
    return [c.code for c in DEMO_CATEGORIES]
