"""``partygrid demo``: the demo street and one account per role, in the demo
environment."""

from __future__ import annotations

import asyncio
import os
from typing import Annotated

import typer

from partygrid.cli.console import (
    EXIT_CONFIG,
    check_settings,
    configure_logging,
    fail,
    say,
    stop_cleanly_on_signals,
)
from partygrid.cli.database import connect, migrate_to_head, require_migrations, units_of_work
from partygrid.config import Settings, get_settings


def enter_demo_environment() -> None:
    """--demo runs as PARTYGRID_ENVIRONMENT=demo (development secrets accepted), then
    checks the settings; it never turns a configuration that says production into a demo
    (an unset environment is production only until --demo says otherwise)."""
    from partygrid.config import Environment, configured_environment

    if configured_environment() is Environment.production:
        fail("the demo is not for production: unset PARTYGRID_ENVIRONMENT", code=EXIT_CONFIG)
    os.environ["PARTYGRID_ENVIRONMENT"] = Environment.demo.value
    get_settings.cache_clear()
    check_settings()


async def _load_demo(settings: Settings) -> list[str]:
    from partygrid.seed.demo import load_demo

    async with units_of_work(settings) as new_uow:
        summary = await load_demo(new_uow)
    return summary.lines()


async def _load_demo_accounts(settings: Settings, new_passwords: bool) -> list[str]:
    from partygrid.seed.demo.accounts import load_demo_accounts

    async with units_of_work(settings) as new_uow:
        summary = await load_demo_accounts(new_uow, new_passwords=new_passwords)
    return summary.lines()


def _demo_accounts(settings: Settings, *, new_passwords: bool) -> None:
    if not settings.is_relaxed:
        say("demo: no demo accounts outside the demo and development environments")
        return
    for line in asyncio.run(_load_demo_accounts(settings, new_passwords)):
        say(f"demo: {line}")


def load_demo_street(settings: Settings, *, new_passwords: bool = False) -> None:
    for line in asyncio.run(_load_demo(settings)):
        say(f"demo: {line}")
    _demo_accounts(settings, new_passwords=new_passwords)


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
    configure_logging()
    stop_cleanly_on_signals()
    enter_demo_environment()
    settings, current = connect(require_migrations(get_settings()))
    migrate_to_head(settings, current)
    load_demo_street(settings, new_passwords=new_passwords)
