"""The app role's credentials and privileges, as the schema owner sets and the service
checks them."""

from __future__ import annotations

import base64

from scramp import ScramMechanism
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncConnection

SCRAM_ITERATIONS = 4096  # PostgreSQL's own default (scram_iterations)


def scram_verifier(password: str) -> str:
    """The SCRAM-SHA-256 verifier PostgreSQL stores for ``password``, computed here so the
    password itself never travels in a statement (and never lands in a server log)."""
    salt, stored_key, server_key, iterations = ScramMechanism("SCRAM-SHA-256").make_auth_info(
        password, iteration_count=SCRAM_ITERATIONS
    )

    def b64(raw: bytes) -> str:
        return base64.b64encode(raw).decode()

    return f"SCRAM-SHA-256${iterations}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}"


def quote_role(role: str) -> str:
    return '"' + role.replace('"', '""') + '"'


def set_app_role_password(connection: Connection, role: str, password: str) -> None:
    """Give the app role (created by migration 0002) this password; idempotent, so every
    `partygrid migrate` may set it again, and a changed setting takes effect there."""
    # A verifier is base64 and "$:" only: nothing in it can close the literal.
    connection.exec_driver_sql(
        f"ALTER ROLE {quote_role(role)} WITH LOGIN PASSWORD '{scram_verifier(password)}'"
    )


async def may_rewrite_audit_trail(connection: AsyncConnection) -> bool:
    """Whether this connection's role could change or delete audit events (the owner, a
    superuser): the service must never connect as such a role."""
    allowed = await connection.scalar(
        text(
            "SELECT has_table_privilege('audit_events', 'UPDATE') "
            "OR has_table_privilege('audit_events', 'DELETE') "
            "OR has_table_privilege('audit_events', 'TRUNCATE')"
        )
    )
    return bool(allowed)
