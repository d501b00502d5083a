"""What every ``partygrid`` command shares at the console: messages and exit statuses,
signals, logging, and the settings check that runs before any command starts."""

from __future__ import annotations

import functools
import logging
import signal
from collections.abc import Callable
from types import FrameType
from typing import NoReturn, ParamSpec, TypeVar

import typer

from partygrid.config import get_settings

P = ParamSpec("P")
R = TypeVar("R")

# Exit status when the database cannot be started or reached.
EXIT_DATABASE = 2
# Exit status when the settings are refused (sysexits EX_CONFIG), e.g. development
# secrets outside development.
EXIT_CONFIG = 78


def say(message: str) -> None:
    typer.echo(message, err=True)


def fail(message: str, code: int = EXIT_DATABASE) -> NoReturn:
    say(f"error: {message}")
    raise typer.Exit(code)


def first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip() or type(exc).__name__
    return text.splitlines()[0]


def _exit_on_signal(signum: int, frame: FrameType | None) -> None:
    # SIGTERM/SIGHUP kill Python without running atexit handlers, and the embedded
    # server is stopped by one. As an exception they unwind normally instead.
    raise SystemExit(0)


def stop_cleanly_on_signals() -> None:
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _exit_on_signal)


def configure_logging() -> None:
    from partygrid.logging import install_personal_data_filter

    install_personal_data_filter()  # before any handler sees a record
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # This command reports where the database is itself; the library's warning would repeat it.
    logging.getLogger("partygrid.repo.database").setLevel(logging.ERROR)


def check_settings() -> None:
    """Refuse bad settings (such as development secrets in production) in one line that
    names the settings, before the command starts anything."""
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
        fail(f"settings refused: {'; '.join(problems)}", code=EXIT_CONFIG)
    except (KeyError_, OSError) as exc:
        fail(f"settings refused: {first_line(exc)}", code=EXIT_CONFIG)


def checked(command: Callable[P, R]) -> Callable[P, R]:
    """The command, refusing bad settings first. Each command checks as it starts rather
    than the group's callback: `--help` then needs no settings, and `serve --demo` and
    `demo` choose their environment before they check."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        check_settings()
        return command(*args, **kwargs)

    return run
