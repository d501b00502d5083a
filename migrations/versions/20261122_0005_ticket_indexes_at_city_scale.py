"""ticket indexes found by the city-scale benchmark (2,000,000 tickets)

Revision ID: 0005
Revises: 0004

- The inbox index's predicate ("closed_at IS NULL AND state NOT IN ...") was implied by
  no query, so an inbox scanned every ticket (4 s at S=1); it now names the open states.
- Open311's newest-first list had no index on created_at (10 s at S=1).
- A subtree's statistics join tickets to COALESCE(community_id, handling_org_id), which
  no index served (48 s for a street over a year at S=1).

Create Date: 2026-11-22 06:40:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN_STATES = "'received','accepted','assigned','in_progress','waiting_supplement'"
OLD_OPEN_PREDICATE = "closed_at IS NULL AND state NOT IN ('rejected','merged')"


def upgrade() -> None:
    op.drop_index("ix_tickets_assignee_open", table_name="tickets")
    op.create_index(
        "ix_tickets_assignee_open", "tickets", ["assignee_user_id", "deadline_at"],
        postgresql_where=sa.text(f"state IN ({OPEN_STATES})"),
    )  # fmt: skip
    op.create_index("ix_tickets_created", "tickets", ["created_at", "id"])
    op.create_index(
        "ix_tickets_territory_created", "tickets",
        [sa.text("COALESCE(community_id, handling_org_id)"), "created_at"],
    )  # fmt: skip


def downgrade() -> None:
    op.drop_index("ix_tickets_territory_created", table_name="tickets")
    op.drop_index("ix_tickets_created", table_name="tickets")
    op.drop_index("ix_tickets_assignee_open", table_name="tickets")
    op.create_index(
        "ix_tickets_assignee_open", "tickets", ["assignee_user_id", "deadline_at"],
        postgresql_where=sa.text(OLD_OPEN_PREDICATE),
    )  # fmt: skip
