"""The bare driver connection the principal lookup runs on: outside any transaction, and
always given back to the pool, a failed query included."""

from __future__ import annotations

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from partygrid.config import Settings
from partygrid.repo.connection_lease import ConnectionLease
from partygrid.repo.database import app_role_url, create_sessionmaker, pooled_driver_connection
from partygrid.repo.keyring import Keyring
from partygrid.repo.uow import UnitOfWork


@pytest.fixture
async def own_engine(database_url: str, settings: Settings) -> AsyncEngine:
    # A pool of one: a connection not given back would stall the second use.
    engine = create_async_engine(app_role_url(database_url, settings), pool_size=1,
                                 max_overflow=0, pool_timeout=2)  # fmt: skip
    yield engine
    await engine.dispose()


async def test_it_runs_outside_a_transaction_and_goes_back_to_the_pool(
    own_engine: AsyncEngine,
) -> None:
    connect = pooled_driver_connection(own_engine)
    for _ in range(3):
        async with connect() as connection:
            assert not connection.is_in_transaction()
            assert await connection.fetchval("SELECT 40 + 2") == 42
        assert own_engine.pool.checkedout() == 0


async def test_a_failed_query_still_gives_the_connection_back(own_engine: AsyncEngine) -> None:
    connect = pooled_driver_connection(own_engine)
    with pytest.raises(asyncpg.UndefinedTableError):
        async with connect() as connection:
            await connection.fetchval("SELECT * FROM no_such_table")
    assert own_engine.pool.checkedout() == 0
    async with connect() as connection:  # the pool of one still serves
        assert await connection.fetchval("SELECT 1") == 1


async def test_only_a_lost_connection_is_replaced(own_engine: AsyncEngine) -> None:
    """A 404 raised while the connection is held leaves it in the pool; one that was
    closed under the caller is replaced at the next checkout."""
    connect = pooled_driver_connection(own_engine)
    async with connect() as connection:
        first = connection
    with pytest.raises(LookupError):
        async with connect() as connection:
            raise LookupError("not found")  # the caller's error, not the connection's
    async with connect() as connection:
        assert connection is first
    with pytest.raises(asyncpg.InterfaceError):
        async with connect() as connection:
            await connection.close()
            await connection.fetchval("SELECT 1")
    async with connect() as connection:
        assert connection is not first
        assert await connection.fetchval("SELECT 1") == 1


async def test_a_lease_keeps_one_connection_until_released(own_engine: AsyncEngine) -> None:
    lease = ConnectionLease(pooled_driver_connection(own_engine))
    async with lease.use() as first:
        assert await first.fetchval("SELECT 1") == 1
    async with lease.use() as second:  # the next step reuses it: no second checkout
        assert second is first
    assert lease.holding and own_engine.pool.checkedout() == 1
    await lease.release()
    assert not lease.holding and own_engine.pool.checkedout() == 0
    await lease.release()  # releasing twice is harmless


async def test_a_failed_step_gives_the_leased_connection_back(own_engine: AsyncEngine) -> None:
    lease = ConnectionLease(pooled_driver_connection(own_engine))
    with pytest.raises(LookupError):
        async with lease.use() as connection:
            kept = connection
            raise LookupError("not found")
    assert own_engine.pool.checkedout() == 0
    with pytest.raises(asyncpg.InterfaceError):
        async with lease.use() as connection:
            assert connection is kept  # the caller's error left it fit to serve
            await connection.close()
            await connection.fetchval("SELECT 1")
    async with lease.use() as connection:  # a lost one is replaced
        assert connection is not kept
        assert await connection.fetchval("SELECT 1") == 1
    await lease.release()


async def test_a_unit_of_work_makes_its_session_at_first_use_and_anew_each_time(
    own_engine: AsyncEngine, keyring: Keyring
) -> None:
    uow = UnitOfWork(create_sessionmaker(own_engine), keyring)
    with pytest.raises(RuntimeError, match="inside `async with uow`"):
        uow.session  # noqa: B018 - outside its use a session would never be closed
    async with uow:
        assert own_engine.pool.checkedout() == 0  # nothing taken until a repository reads
        first = uow.session
        assert uow.members.session is first and uow.tickets.session is first
        assert (await first.execute(text("SELECT 1"))).scalar_one() == 1
        assert own_engine.pool.checkedout() == 1
    assert own_engine.pool.checkedout() == 0  # closed with the unit of work
    async with uow:  # a second use has a session (and repositories) of its own
        assert uow.session is not first and uow.members.session is uow.session
        assert (await uow.session.execute(text("SELECT 2"))).scalar_one() == 2
    assert own_engine.pool.checkedout() == 0
