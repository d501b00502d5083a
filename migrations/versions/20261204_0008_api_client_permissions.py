"""per-client permissions of partner API clients

Revision ID: 0008
Revises: 0006

A partner's role no longer grants anything by itself: each API client holds the
permissions a security admin gives it, never more than a partner may have (the CHECK
below lists them). Existing clients keep what they used to read and submit (the tree,
grids, members, tickets; submitting tickets): writing grids is no longer possible for any
client, and writing members now needs a grant of its own.

Create Date: 2026-12-04 09:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GRANTABLE = "'org:read','grid:read','member:read','member:write','ticket:read','ticket:submit'"
CARRIED_OVER = ("org:read", "grid:read", "member:read", "ticket:read", "ticket:submit")


def upgrade() -> None:
    op.create_table(
        "api_client_permissions",
        sa.Column("api_client_id", sa.BigInteger(), nullable=False),
        sa.Column("permission", sa.String(length=32), nullable=False),
        sa.Column(
            "granted_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            f"permission IN ({GRANTABLE})", name=op.f("ck_api_client_permissions_permission")
        ),
        sa.ForeignKeyConstraint(
            ["api_client_id"], ["api_clients.id"],
            name=op.f("fk_api_client_permissions_api_client_id_api_clients"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "api_client_id", "permission", name=op.f("pk_api_client_permissions")
        ),
    )  # fmt: skip
    op.execute(
        sa.text(
            "INSERT INTO api_client_permissions (api_client_id, permission) "
            "SELECT c.id, p FROM api_clients c, unnest(CAST(:carried AS text[])) AS p "
            "WHERE c.role = 'partner_system'"
        ).bindparams(carried=list(CARRIED_OVER))
    )
    role = op.get_context().config.attributes.get("app_db_role", "partygrid_app")
    # Grants are added and taken away, never edited.
    op.execute(f'GRANT SELECT, INSERT, DELETE ON api_client_permissions TO "{role}"')
    op.execute(f'REVOKE UPDATE, TRUNCATE ON api_client_permissions FROM "{role}"')


def downgrade() -> None:
    op.drop_table("api_client_permissions")
