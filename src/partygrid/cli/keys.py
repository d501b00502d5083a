"""``partygrid rotate-keys``: re-encrypt personal data under the current data key."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from partygrid.cli.console import fail, first_line
from partygrid.cli.database import connect_at_head, run_in_uow


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
    from partygrid.domain.access import Scope, system_actor
    from partygrid.services.keys.use_cases import rotate_keys

    settings = connect_at_head()
    old = os.environ.get("PARTYGRID_OLD_INDEX_KEY")
    actor = system_actor(Scope(), "partygrid rotate-keys")
    try:
        report = run_in_uow(
            settings,
            lambda uow: rotate_keys(
                uow, actor=actor, reindex=reindex, old_index_key=old.encode() if old else None,
                batch_size=batch_size,
            ),
        )  # fmt: skip
    except Exception as exc:
        fail(f"key rotation stopped: {first_line(exc)}; run it again to resume", code=1)
    for line in report.lines():
        typer.echo(line)
    raise typer.Exit(0 if report.complete else 1)
