"""The ``partygrid`` command: ``serve``, ``migrate``, ``demo``, ``create-admin``,
``openapi``, ``audit verify``, ``rotate-keys``, ``calendar load|show``, ``tickets sweep``
and ``generate``.

One module per group of commands; this one assembles them into the Typer ``app`` the
console script runs. Commands import what they need when they run, so that
``partygrid --help`` stays fast.
"""

from __future__ import annotations

import typer

from partygrid.cli import accounts, audit, city, deadlines, demo, keys, schema, serve
from partygrid.cli.console import checked
from partygrid.cli.schema import render_openapi

__all__ = ["app", "render_openapi"]

app = typer.Typer(
    help="PartyGrid: the backend of grid-based community party-building (网格化党建).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# Every command refuses bad settings in one line before it starts (console.checked);
# serve and demo check once they have chosen their environment, openapi needs none.
app.command()(serve.serve)
app.command()(checked(schema.migrate))
app.command()(demo.demo)
app.command("create-admin")(checked(accounts.create_admin_command))
app.command()(schema.openapi)
app.add_typer(audit.audit_app, name="audit")
app.command("rotate-keys")(checked(keys.rotate_keys_command))
app.add_typer(deadlines.calendar_app, name="calendar")
app.add_typer(deadlines.tickets_app, name="tickets")
app.command()(checked(city.generate))
