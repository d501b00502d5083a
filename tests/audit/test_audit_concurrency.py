"""Units of work on separate connections write one valid chain: the advisory lock makes
the second writer wait for the first to commit before it reads the chain's end."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest
from sqlalchemy import text

from partygrid.config import Settings
from partygrid.domain.access import Actor, Principal, PrincipalKind, Role
from partygrid.repo.keyring import Keyring
from partygrid.services.audit.use_cases import verify_chain
from tests.fixtures.audit_scratch import (
    PARTNER,
    WORKER,
    Scratch,
    scratch_database,
    scratch_engines,
    write_events,
)


@pytest.fixture(scope="module")
def scratch_url(server_url: str, database_url: str, settings: Settings) -> Iterator[str]:
    yield from scratch_database(server_url, database_url, settings, "audit_concurrency")


@pytest.fixture
async def scratch(scratch_url: str, settings: Settings, keyring: Keyring) -> AsyncIterator[Scratch]:
    async with scratch_engines(scratch_url, settings, keyring) as engines:
        yield engines


async def waiting_for_the_chain_lock(scratch: Scratch) -> int:
    async with scratch.owner.connect() as conn:
        result = await conn.execute(
            text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
        )
        return result.scalar_one()


async def test_a_second_writer_waits_for_the_first_to_commit(scratch: Scratch) -> None:
    async with scratch.uow() as first:
        for i in range(3):
            first.audit.record(WORKER, "member.update", "member", i)
        await first.audit.write_pending()  # holds the lock, rows inserted but not committed
        second = asyncio.create_task(write_events(scratch, PARTNER, 1, per_commit=2))
        for _ in range(100):
            if await waiting_for_the_chain_lock(scratch) == 1:
                break
            await asyncio.sleep(0.02)
        else:
            pytest.fail("the second writer never queued for the chain lock")
        assert not second.done()
        await first.commit()
    await asyncio.wait_for(second, timeout=10)

    report = await verify_chain(scratch.uow())
    assert report.intact and report.checked == 5, report.lines()
    async with scratch.owner.connect() as conn:
        rows = await conn.execute(text("SELECT id, principal_kind FROM audit_events ORDER BY id"))
        assert [tuple(r) for r in rows] == [
            (1, "user"), (2, "user"), (3, "user"), (4, "api_client"), (5, "api_client"),
        ]  # fmt: skip


async def test_many_concurrent_writers_make_one_valid_chain(scratch: Scratch) -> None:
    writers = [
        Actor(Principal(PrincipalKind.user, n, f"网格员{n}", Role.grid_worker), f"10.0.0.{n}")
        for n in range(1, 7)
    ]
    await asyncio.gather(
        *(write_events(scratch, actor, 8, per_commit=1 + n % 3, tag=str(n))
          for n, actor in enumerate(writers))
    )  # fmt: skip
    expected = sum(8 * (1 + n % 3) for n in range(len(writers)))
    report = await verify_chain(scratch.uow(), batch_size=7)
    assert report.intact, report.lines()
    assert (report.checked, report.first_id, report.last_id) == (expected, 1, expected)
    async with scratch.owner.connect() as conn:
        per_writer = await conn.execute(
            text("SELECT principal_id, count(*) FROM audit_events GROUP BY 1 ORDER BY 1")
        )
        assert [tuple(r) for r in per_writer] == [(n, 8 * (1 + (n - 1) % 3)) for n in range(1, 7)]
