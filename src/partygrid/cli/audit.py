"""``partygrid audit verify``: check the audit trail's hash chain."""

from __future__ import annotations

from typing import Annotated

import typer

from partygrid.cli.console import (
    checked,
    configure_logging,
    fail,
    first_line,
    say,
    stop_cleanly_on_signals,
)
from partygrid.cli.database import connect, run_in_uow
from partygrid.config import get_settings

audit_app = typer.Typer(help="The audit trail: check its hash chain.", no_args_is_help=True)


@audit_app.command("verify")
@checked
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
    from partygrid.services.audit.use_cases import verify_chain

    configure_logging()
    stop_cleanly_on_signals()
    try:
        noted = parse_anchor(anchor) if anchor else None
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--anchor") from None
    settings, current = connect(get_settings())
    if current is None:
        fail("the database has no schema yet: run `partygrid migrate` first")
    counted = [0]

    def progress(checked: int) -> None:
        if checked - counted[0] >= 100_000:
            counted[0] = checked
            say(f"... {checked} events checked")

    try:
        report = run_in_uow(
            settings, lambda uow: verify_chain(uow, anchor=noted, progress=progress)
        )
    except Exception as exc:
        fail(f"could not read the audit trail: {first_line(exc)}")
    for line in report.lines():
        typer.echo(line)
    raise typer.Exit(0 if report.intact else 1)
