"""The working calendar (``partygrid calendar load|show``) and the deadline monitoring
it feeds (``partygrid tickets sweep``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from partygrid.cli.console import checked, fail, first_line, say
from partygrid.cli.database import connect_at_head, run_in_uow

calendar_app = typer.Typer(
    help="The working calendar: official holiday schedules.", no_args_is_help=True
)
tickets_app = typer.Typer(help="Tickets: deadline monitoring.", no_args_is_help=True)


def _schedule_file(path: Path) -> tuple[list[Any], list[Any], str | None]:
    from datetime import date

    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise typer.BadParameter(first_line(exc), param_hint="--file") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("holidays"), list):
        raise typer.BadParameter(
            'expected {"holidays": ["YYYY-MM-DD", ...], "workdays": [...]}', param_hint="--file"
        )
    parsed: dict[str, list[Any]] = {}
    for name in ("holidays", "workdays"):
        parsed[name] = []
        for i, value in enumerate(raw.get(name) or []):
            try:
                parsed[name].append(date.fromisoformat(str(value)))
            except ValueError:
                raise typer.BadParameter(
                    f"{name}[{i}]: {value!r} is not a date YYYY-MM-DD", param_hint="--file"
                ) from None
    source = raw.get("source")
    return parsed["holidays"], parsed["workdays"], str(source) if source else None


@calendar_app.command("load")
@checked
def calendar_load(
    year: Annotated[int, typer.Option(help="The year the schedule is for, e.g. 2027.")],
    file: Annotated[
        Path,
        typer.Option(help='JSON: {"holidays": ["2027-01-01", ...], "workdays": [...]}.'),
    ],
    source: Annotated[
        str | None, typer.Option(help="Where it comes from (else the file's `source`).")
    ] = None,
) -> None:
    """Load (or replace) a year's official holiday schedule and recompute the provisional
    deadlines of open tickets on it."""
    from partygrid.domain.access import Scope, system_actor
    from partygrid.domain.errors import DomainError
    from partygrid.services.calendar.use_cases import load_year_schedule

    holidays, workdays, file_source = _schedule_file(file)
    settings = connect_at_head()
    actor = system_actor(Scope(), "partygrid calendar load")
    try:
        result = run_in_uow(
            settings,
            lambda uow: load_year_schedule(
                uow, actor=actor, year=year, holidays=holidays, workdays=workdays,
                source=source or file_source or "admin",
            ),
        )  # fmt: skip
    except DomainError as exc:
        where = str(exc.extra.get("field") or "").removeprefix("body.")
        fail(f"{where}: {exc.detail}" if where else exc.detail, code=1)
    schedule = result.info.schedule
    say(
        f"{'replaced' if result.replaced else 'loaded'} {year}: {len(schedule.holidays)} weekdays "
        f"off, {len(schedule.workdays)} weekend days worked (source: {schedule.source})"
    )
    say(
        f"recomputed {result.recomputed_tickets} provisional deadline(s); "
        f"{result.still_provisional} still provisional"
    )


@calendar_app.command("show")
@checked
def calendar_show(
    year: Annotated[
        int | None, typer.Option(help="One year's days; without it, the years known.")
    ] = None,
) -> None:
    """Show the years with a schedule, or one year's days off and worked weekend days."""
    from partygrid.domain.errors import NotFound
    from partygrid.services.calendar.use_cases import get_year, list_years

    settings = connect_at_head()
    if year is None:
        for info in run_in_uow(settings, list_years):
            s = info.schedule
            where = "stored" if info.stored else "built-in"
            typer.echo(f"{s.year}  {where:8}  {s.source}  {len(s.holidays)} off, "
                       f"{len(s.workdays)} worked")  # fmt: skip
        return
    try:
        info = run_in_uow(settings, lambda uow: get_year(uow, year))
    except NotFound as exc:
        fail(exc.detail, code=1)
    s = info.schedule
    typer.echo(f"{year} ({'stored' if info.stored else 'built-in'}, source: {s.source})")
    typer.echo("holidays: " + " ".join(d.isoformat() for d in sorted(s.holidays)))
    typer.echo("workdays: " + " ".join(d.isoformat() for d in sorted(s.workdays)))


@tickets_app.command("sweep")
@checked
def tickets_sweep() -> None:
    """Raise yellow (soon due) and red (overdue) supervision on open tickets now, as the
    service does every PARTYGRID_SWEEP_SECONDS; running it again changes nothing."""
    from partygrid.services.tickets.monitor import sweep

    settings = connect_at_head()
    if not settings.auto_supervision:
        say("automatic supervision is off (PARTYGRID_AUTO_SUPERVISION=false): nothing done")
        return
    report = run_in_uow(settings, lambda uow: sweep(uow))
    for line in report.lines():
        typer.echo(line)
