"""``partygrid audit verify``: check the audit trail's hash chain."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

import typer
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from partygrid.cli.console import configure_logging, fail, first_line, say, stop_cleanly_on_signals
from partygrid.cli.database import connect
from partygrid.config import Settings, get_settings
from partygrid.repo.database import create_sessionmaker

audit_app = typer.Typer(help="The audit trail: check its hash chain.", no_args_is_help=True)


async def _verify_audit(settings: Settings, anchor: tuple[int, bytes] | None) -> Any:
    from partygrid.repo.keyring import Keyring
    from partygrid.repo.uow import UnitOfWork
    from partygrid.services.audit.use_cases import verify_chain

    assert settings.database_url
    engine = create_async_engine(settings.database_url, poolclass=NullPool)
    counted = [0]

    def progress(checked: int) -> None:
        if checked - counted[0] >= 100_000:
            counted[0] = checked
            say(f"... {checked} events checked")

    try:
        uow = UnitOfWork(create_sessionmaker(engine), Keyring.from_settings(settings))
        return await verify_chain(uow, anchor=anchor, progress=progress)
    finally:
        await engine.dispose()


@audit_app.command("verify")
def audit_verify(
    anchor: Annotated[
        str | None,
        typer.Option(
            help="ID:HEXHASH printed as `head` by an earlier run: proves that no event up to "
            "it was removed, which the chain alone cannot show for the newest events."
        ),
    ] = None,
) -> None:
    """Check the audit trail's keyed hash chain; exit 1 naming the first bad event."""
    from partygrid.domain.audit.trail import parse_anchor

    configure_logging()
    stop_cleanly_on_signals()
    try:
        noted = parse_anchor(anchor) if anchor else None
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--anchor") from None
    settings, current = connect(get_settings())
    if current is None:
        fail("the database has no schema yet: run `partygrid migrate` first")
    try:
        report = asyncio.run(_verify_audit(settings, noted))
    except Exception as exc:
        fail(f"could not read the audit trail: {first_line(exc)}")
    for line in report.lines():
        typer.echo(line)
    raise typer.Exit(0 if report.intact else 1)
