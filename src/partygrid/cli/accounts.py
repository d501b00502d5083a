"""``partygrid create-admin``: the first administrators of a real deployment."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from partygrid.cli.console import configure_logging, fail, first_line, say, stop_cleanly_on_signals
from partygrid.cli.database import connect, migrate_to_head, require_migrations, run_in_uow
from partygrid.config import get_settings


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
            say(f"error: {exc.detail}")
            continue
        return password
    raise typer.Exit(1)


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
    from partygrid.services.accounts.bootstrap import NewAdmin, check_admin_request, create_admin

    configure_logging()
    stop_cleanly_on_signals()
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
        fail(exc.detail, code=1)
    new = replace(new, password=_read_password(password_stdin, name))
    settings, current = connect(require_migrations(get_settings()))
    migrate_to_head(settings, current)
    try:
        created = run_in_uow(settings, lambda uow: create_admin(uow, new))
    except DomainError as exc:
        fail(exc.detail, code=1)
    except Exception as exc:
        fail(f"could not create the account: {first_line(exc)}", code=1)
    user = created.user
    where = ""
    if created.organization is not None:
        made = "new " if created.organization_created else ""
        where = f", scope: {made}{created.organization.name} (id {created.organization.id})"
    say(f"created {user.username} (id {user.id}) as {chosen.value}{where}")
