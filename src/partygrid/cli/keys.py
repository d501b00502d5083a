"""``partygrid rotate-keys``: re-encrypt personal data under the current data key."""

from __future__ import annotations

import asyncio
import os
from typing import Annotated, Any

import typer
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from partygrid.cli.console import fail, first_line
from partygrid.cli.database import connect_at_head
from partygrid.config import Settings
from partygrid.repo.database import create_sessionmaker


async def _rotate_keys(
    settings: Settings, *, reindex: bool, old_index_key: bytes | None, batch_size: int
) -> Any:
    from partygrid.domain.access import Scope, system_actor
    from partygrid.repo.keyring import Keyring
    from partygrid.repo.uow import UnitOfWork
    from partygrid.services.keys.use_cases import rotate_keys

    assert settings.database_url
    engine = create_async_engine(settings.database_url, poolclass=NullPool)
    try:
        uow = UnitOfWork(create_sessionmaker(engine), Keyring.from_settings(settings))
        return await rotate_keys(
            uow, actor=system_actor(Scope(), "partygrid rotate-keys"), reindex=reindex,
            old_index_key=old_index_key, batch_size=batch_size,
        )  # fmt: skip
    finally:
        await engine.dispose()


def rotate_keys_command(
    reindex: Annotated[
        bool,
        typer.Option(
            "--reindex",
            help="Also recompute the ID number index with PARTYGRID_INDEX_KEY, after changing "
            "that key; set PARTYGRID_OLD_INDEX_KEY to the previous one to have rows it does "
            "not explain reported. Stop the service meanwhile: until the run ends, lookups "
            "by ID number miss the rows not yet reindexed.",
        ),
    ] = False,
    batch_size: Annotated[int, typer.Option(min=1, max=50_000, help="Rows per transaction.")] = (
        5_000
    ),
) -> None:
    """Re-encrypt personal data sealed with an older data key under the current one (the
    first in PARTYGRID_DATA_KEYS or the key file); safe to interrupt and run again."""
    settings = connect_at_head()
    old = os.environ.get("PARTYGRID_OLD_INDEX_KEY")
    try:
        report = asyncio.run(
            _rotate_keys(
                settings, reindex=reindex, old_index_key=old.encode() if old else None,
                batch_size=batch_size,
            )
        )  # fmt: skip
    except Exception as exc:
        fail(f"key rotation stopped: {first_line(exc)}; run it again to resume", code=1)
    for line in report.lines():
        typer.echo(line)
    raise typer.Exit(0 if report.complete else 1)
