"""``partygrid generate``: the deterministic synthetic city the benchmarks run on."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

import typer

from partygrid.cli.console import fail
from partygrid.cli.database import connect_at_head, units_of_work
from partygrid.config import Settings


async def _generate(settings: Settings, options: Any, progress: Any) -> Any:
    from partygrid.seed.city.loader import generate_city

    async with units_of_work(settings) as new_uow:
        return await generate_city(settings, new_uow, options, progress)


def generate(
    scale: Annotated[float, typer.Option(help="City size; 1 is the seeds' city.")] = 1.0,
    seed: Annotated[int, typer.Option(help="The same seed makes the same city.")] = 1,
    until: Annotated[
        str | None,
        typer.Option(help="Tickets cover the two years before this date (YYYY-MM-DD); "
                     "default today in Asia/Shanghai."),
    ] = None,
    password: Annotated[
        str | None,
        typer.Option(help="Password of every generated user (default: Bench-City-2026!)."),
    ] = None,
    allow_existing: Annotated[
        bool, typer.Option(help="Load even though the database holds organizations.")
    ] = False,
) -> None:
    """Load a deterministic synthetic city with COPY, for benchmarks: organizations,
    grids, staff, members, tickets with their timelines, and the users city.admin,
    street.admin.<n> and grid.worker.<grid_id>."""
    from datetime import date

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from partygrid.domain.errors import DomainError
    from partygrid.seed.city.loader import DEFAULT_PASSWORD, GenerateOptions
    from partygrid.seed.city.plan import Plan

    try:
        until_day = date.fromisoformat(until) if until else None
    except ValueError:
        raise typer.BadParameter("expected YYYY-MM-DD", param_hint="--until") from None
    if scale <= 0:
        raise typer.BadParameter("must be positive", param_hint="--scale")
    settings = connect_at_head()
    options = GenerateOptions(scale, seed, until_day, password or DEFAULT_PASSWORD,
                              allow_existing)  # fmt: skip
    plan = Plan.for_scale(scale, seed, until_day or date.today())
    # Expected rows per table, for the bars (members and tickets bring their satellites).
    expected = {"organizations": None, "grids": plan.grids, "users": plan.grids + plan.streets + 1,
                "principal_scopes": None, "party_members": plan.members,
                "grid_staff_assignments": None, "member_transfers": None,
                "mobile_ledger_entries": None, "tickets": plan.tickets,
                "ticket_events": None}  # fmt: skip
    with Progress(
        "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), transient=False,
    ) as bars:  # fmt: skip
        tasks = {name: bars.add_task(name, total=total) for name, total in expected.items()}

        def advance(table: str, rows: int, _: int) -> None:
            bars.update(tasks[table], advance=rows)

        try:
            report = asyncio.run(_generate(settings, options, advance))
        except (DomainError, ValueError) as exc:
            fail(getattr(exc, "detail", None) or str(exc), code=1)
    typer.echo(f"{'table':24} {'rows':>12} {'seconds':>9} {'rows/s':>10} {'COPY rows/s':>12}")
    for t in report.tables.values():
        typer.echo(f"{t.table:24} {t.rows:12,} {t.seconds:9.1f} {t.rows_per_second:10,.0f} "
                   f"{t.copy_rows_per_second:12,.0f}")  # fmt: skip
    typer.echo(f"{'total':24} {report.rows:12,} {report.seconds:9.1f} "
               f"{report.rows_per_second:10,.0f}")  # fmt: skip
    typer.echo("rows/s: making the rows and loading them; COPY rows/s: loading alone; "
               f"then {report.rebuild_seconds:.1f} s building indexes and checking keys")
    typer.echo(f"users: city.admin, street.admin.1..{plan.streets}, grid.worker.<grid_id>; "
               f"password {'(as given)' if password else DEFAULT_PASSWORD}")  # fmt: skip
    typer.echo(f"partner api client: key id {report.partner_key_id} "
               f"secret {report.partner_secret}")  # fmt: skip
