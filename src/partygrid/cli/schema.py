"""The two schemas: the database's (``partygrid migrate``) and the API's
(``partygrid openapi``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from partygrid.cli.console import configure_logging, say, stop_cleanly_on_signals
from partygrid.cli.database import connect, migrate_to_head, require_migrations
from partygrid.config import get_settings

if TYPE_CHECKING:
    from fastapi import FastAPI


def migrate() -> None:
    """Apply every pending migration (embedded PostgreSQL when DATABASE_URL is unset)."""
    configure_logging()
    stop_cleanly_on_signals()
    settings, current = connect(require_migrations(get_settings()))
    migrate_to_head(settings, current)


def render_openapi(application: FastAPI) -> str:
    """The OpenAPI document exactly as committed under ``openapi/``."""
    document: dict[str, Any] = application.openapi()
    return json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def openapi(
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Where to write it; '-' for stdout.")
    ] = Path("openapi/openapi.json"),
) -> None:
    """Write the API's OpenAPI document (no database, no settings needed)."""
    from partygrid.config import Environment, Settings
    from partygrid.main import create_app

    # The document is the same in every environment; development's needs no secrets.
    text = render_openapi(create_app(Settings(environment=Environment.development)))
    if str(output) == "-":
        sys.stdout.write(text)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    say(f"wrote {output}")
