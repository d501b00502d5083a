"""Tampering by someone with database access (the schema owner, a superuser) but without
the audit key is found by the chain check, and ``partygrid audit verify`` says where."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator, Iterator

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from partygrid.cli import app as cli
from partygrid.config import Settings, get_settings
from partygrid.domain.audit.trail import BreakKind, ChainReport
from partygrid.repo.audit.reader import SqlAuditReader
from partygrid.repo.keyring import Keyring
from partygrid.repo.uow import UnitOfWork
from partygrid.services.audit.use_cases import verify_chain
from tests.fixtures.audit_scratch import (
    PARTNER,
    WORKER,
    Scratch,
    execute,
    scratch_database,
    scratch_engines,
    write_events,
)


@pytest.fixture(scope="module")
def scratch_url(server_url: str, database_url: str, settings: Settings) -> Iterator[str]:
    yield from scratch_database(server_url, database_url, settings, "audit_tamper")


@pytest.fixture
async def scratch(scratch_url: str, settings: Settings, keyring: Keyring) -> AsyncIterator[Scratch]:
    async with scratch_engines(scratch_url, settings, keyring) as engines:
        await write_events(engines, WORKER, 3)
        await write_events(engines, PARTNER, 2, per_commit=3)  # events 4–9
        yield engines


async def verify(scratch: Scratch, **kwargs: object) -> ChainReport:
    return await verify_chain(scratch.uow(), **kwargs)  # type: ignore[arg-type]


async def as_owner(scratch: Scratch, statement: str) -> None:
    async with scratch.owner.begin() as conn:
        await conn.execute(text(statement))


def first_break(report: ChainReport) -> tuple[int, BreakKind]:
    assert report.first_break is not None, report.lines()
    return report.first_break.id, report.first_break.kind


async def test_an_untouched_trail_verifies(scratch: Scratch) -> None:
    report = await verify(scratch)
    assert report.intact and report.checked == 9, report.lines()


async def test_an_edited_snapshot_is_found(scratch: Scratch) -> None:
    await as_owner(
        scratch,
        "UPDATE audit_events SET changes = jsonb_set(changes, '{after,name}', '\"李四\"') "
        "WHERE id = 4",
    )
    report = await verify(scratch)
    assert first_break(report) == (4, BreakKind.altered)
    assert report.breaks == 1


async def test_an_edited_outcome_is_found(scratch: Scratch) -> None:
    await as_owner(scratch, "UPDATE audit_events SET outcome = 'success' WHERE id = 6")
    await as_owner(scratch, "UPDATE audit_events SET outcome = 'denied' WHERE id = 7")
    report = await verify(scratch)
    assert [(b.id, b.kind) for b in report.examples] == [
        (7, BreakKind.altered)  # 6 was set to what it already was: no change, no break
    ]


async def test_a_deleted_event_is_found(scratch: Scratch) -> None:
    await as_owner(scratch, "DELETE FROM audit_events WHERE id = 5")
    report = await verify(scratch)
    assert first_break(report) == (5, BreakKind.missing)
    assert report.breaks == 1 and report.checked == 8


async def test_a_rehash_without_the_key_is_found(scratch: Scratch) -> None:
    async with scratch.owner.connect() as conn:
        stored = await SqlAuditReader(conn).get(3)  # type: ignore[arg-type]
    assert stored is not None
    forged = stored.event.__class__(**{**_fields(stored.event), "outcome": "denied"})
    digest = hashlib.sha256(stored.prev_hash + forged.canonical()).digest()
    await as_owner(
        scratch,
        f"UPDATE audit_events SET outcome = 'denied', hash = '\\x{digest.hex()}' WHERE id = 3",
    )
    report = await verify(scratch)
    assert [(b.id, b.kind) for b in report.examples] == [
        (3, BreakKind.altered),
        (4, BreakKind.broken_link),
    ]


async def test_cutting_the_newest_events_needs_an_anchor(scratch: Scratch) -> None:
    noted = await verify(scratch)
    assert noted.head is not None
    anchor = (noted.last_id, noted.last_hash)
    await as_owner(scratch, "DELETE FROM audit_events WHERE id >= 8")
    assert (await verify(scratch)).intact  # what a hash chain alone cannot see
    report = await verify(scratch, anchor=anchor)
    assert first_break(report) == (9, BreakKind.anchor)


async def test_a_wrong_key_fails_everything(scratch: Scratch) -> None:
    other = Keyring(scratch.keyring.data_keys, scratch.keyring.current_kid, b"i", b"other")
    report = await verify_chain(UnitOfWork(scratch.sessionmaker, other))
    assert report.breaks == 9


def _fields(event: object) -> dict[str, object]:
    return {name: getattr(event, name) for name in event.__dataclass_fields__}  # type: ignore[attr-defined]


async def _fresh_trail(url: str, settings: Settings, keyring: Keyring) -> None:
    async with scratch_engines(url, settings, keyring) as engines:
        await write_events(engines, WORKER, 4, per_commit=2)


def _run_cli(url: str, *args: str) -> tuple[int, str]:
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(
            cli,
            ["audit", "verify", *args],
            env={"DATABASE_URL": url, "PARTYGRID_ENVIRONMENT": "test"},
        )
    finally:
        get_settings.cache_clear()
    return result.exit_code, result.output


def test_the_command_exits_0_when_intact_and_1_naming_the_first_bad_event(
    scratch_url: str, settings: Settings, keyring: Keyring
) -> None:
    asyncio.run(_fresh_trail(scratch_url, settings, keyring))
    code, output = _run_cli(scratch_url)
    assert code == 0, output
    assert "checked 8 (events 1–8)" in output and "intact" in output
    head = next(line for line in output.splitlines() if line.startswith("head: "))
    anchor = head.split()[1]

    asyncio.run(execute(scratch_url, "UPDATE audit_events SET reason = '已核实' WHERE id = 6"))
    code, output = _run_cli(scratch_url, "--anchor", anchor)
    assert code == 1, output
    assert "TAMPERED: 1 break(s); first at event 6" in output
    assert "event 6: altered" in output

    asyncio.run(execute(scratch_url, "DELETE FROM audit_events WHERE id >= 6"))
    code, output = _run_cli(scratch_url, "--anchor", anchor)
    assert code == 1, output
    assert "first at event 8" in output and "newer events were removed" in output


def test_the_command_refuses_a_malformed_anchor_and_an_unreachable_database() -> None:
    code, output = _run_cli("postgresql://nobody@127.0.0.1:1/none", "--anchor", "12")
    assert code == 2 and "anchor" in output
    code, output = _run_cli("postgresql://nobody@127.0.0.1:1/none")
    assert code == 2 and "cannot reach the database" in output
