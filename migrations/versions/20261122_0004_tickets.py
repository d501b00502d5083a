"""tickets: service catalogue, tickets, their event timeline, idempotency keys, schedules

Revision ID: 0004
Revises: 0003

The timeline is append-only for the service role, like the audit trail.
Create Date: 2026-11-22 03:59:08.743414+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "holiday_schedules",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("holidays", postgresql.ARRAY(sa.Date()), nullable=False),
        sa.Column("workdays", postgresql.ARRAY(sa.Date()), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column(
            "loaded_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_holiday_schedules")),
    )
    op.create_table(
        "service_categories",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("group_name", sa.String(length=100), nullable=True),
        sa.Column("keywords", postgresql.ARRAY(sa.String()), server_default="{}", nullable=False),
        sa.Column("default_type", sa.String(length=16), nullable=False),
        sa.Column(
            "deadline_overrides",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="{}",
            nullable=False,
        ),
        sa.Column(
            "attributes",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="[]",
            nullable=False,
        ),
        sa.Column("active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "code ~ '^[a-z0-9_.-]{2,64}$'", name=op.f("ck_service_categories_code_format")
        ),
        sa.CheckConstraint(
            "default_type IN ('urgent','time_limited','promised','supplementary','suggestion')",
            name=op.f("ck_service_categories_default_type"),
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_service_categories")),
    )
    op.create_table(
        "tickets",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("public_id", sa.String(length=32), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("category_code", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=24), server_default="received", nullable=False),
        sa.Column("priority", sa.Integer(), server_default="3", nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "attributes",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="{}",
            nullable=False,
        ),
        sa.Column(
            "attachments",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="[]",
            nullable=False,
        ),
        sa.Column("requester_name_enc", sa.LargeBinary(), nullable=True),
        sa.Column("requester_phone_enc", sa.LargeBinary(), nullable=True),
        sa.Column("requester_phone_hmac", sa.LargeBinary(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("grid_id", sa.BigInteger(), nullable=True),
        sa.Column("community_id", sa.BigInteger(), nullable=True),
        sa.Column("handling_org_id", sa.BigInteger(), nullable=True),
        sa.Column("assignee_user_id", sa.BigInteger(), nullable=True),
        sa.Column("assignee_department", sa.String(length=100), nullable=True),
        sa.Column("deadline_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deadline_provisional", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("promised_on", sa.Date(), nullable=True),
        sa.Column("paused_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("supervision_level", sa.String(length=8), server_default="none", nullable=False),
        sa.Column("extension_pending", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_response_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("response_working_hours", sa.Float(), nullable=True),
        sa.Column("resolution_working_hours", sa.Float(), nullable=True),
        sa.Column("resolved_on_time", sa.Boolean(), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("suggestion_adopted", sa.Boolean(), nullable=True),
        sa.Column("public_result", sa.Text(), nullable=True),
        sa.Column("satisfaction", sa.String(length=24), nullable=True),
        sa.Column("reopen_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("merged_into_id", sa.BigInteger(), nullable=True),
        sa.Column("co_reporters", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_by_kind", sa.String(length=16), nullable=False),
        sa.Column("created_by_id", sa.BigInteger(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "channel IN ('grid_app','info_collector','hotline','mailbox','walk_in','open311','partner')",
            name=op.f("ck_tickets_channel"),
        ),
        sa.CheckConstraint(
            "satisfaction IS NULL OR satisfaction IN ('satisfied','basically_satisfied','unsatisfied')",
            name=op.f("ck_tickets_satisfaction"),
        ),
        sa.CheckConstraint(
            "state IN ('received','accepted','assigned','in_progress','waiting_supplement','resolved','published','reviewed','closed','rejected','merged')",
            name=op.f("ck_tickets_state"),
        ),
        sa.CheckConstraint(
            "supervision_level IN ('none','yellow','red')", name=op.f("ck_tickets_supervision")
        ),
        sa.CheckConstraint(
            "type IN ('urgent','time_limited','promised','supplementary','suggestion')",
            name=op.f("ck_tickets_type"),
        ),
        sa.CheckConstraint("(lon IS NULL) = (lat IS NULL)", name=op.f("ck_tickets_point_complete")),
        sa.CheckConstraint("priority BETWEEN 1 AND 4", name=op.f("ck_tickets_priority")),
        sa.ForeignKeyConstraint(
            ["assignee_user_id"],
            ["users.id"],
            name=op.f("fk_tickets_assignee_user_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["category_code"],
            ["service_categories.code"],
            name=op.f("fk_tickets_category_code_service_categories"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["organizations.id"],
            name=op.f("fk_tickets_community_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["grid_id"], ["grids.id"], name=op.f("fk_tickets_grid_id_grids"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["handling_org_id"],
            ["organizations.id"],
            name=op.f("fk_tickets_handling_org_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["merged_into_id"],
            ["tickets.id"],
            name=op.f("fk_tickets_merged_into_id_tickets"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tickets")),
    )
    op.create_index(
        "ix_tickets_assignee_open",
        "tickets",
        ["assignee_user_id", "deadline_at"],
        unique=False,
        postgresql_where=sa.text("closed_at IS NULL AND state NOT IN ('rejected','merged')"),
    )
    op.create_index(
        "ix_tickets_category_created", "tickets", ["category_code", "created_at"], unique=False
    )
    op.create_index(
        "ix_tickets_community_created", "tickets", ["community_id", "created_at"], unique=False
    )
    op.create_index("ix_tickets_grid_created", "tickets", ["grid_id", "created_at"], unique=False)
    op.create_index(
        "ix_tickets_org_deadline", "tickets", ["handling_org_id", "deadline_at"], unique=False
    )
    op.create_index("uq_tickets_public_id", "tickets", ["public_id"], unique=True)
    op.create_table(
        "idempotency_keys",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("principal_kind", sa.String(length=16), nullable=False),
        sa.Column("principal_id", sa.BigInteger(), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("request_hash", sa.LargeBinary(), nullable=False),
        sa.Column("ticket_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_idempotency_keys_ticket_id_tickets"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_keys")),
    )
    op.create_index(
        "uq_idempotency_keys_key",
        "idempotency_keys",
        ["principal_kind", "principal_id", "key"],
        unique=True,
    )
    op.create_table(
        "ticket_events",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("ticket_id", sa.BigInteger(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("from_state", sa.String(length=24), nullable=True),
        sa.Column("to_state", sa.String(length=24), nullable=False),
        sa.Column("actor_kind", sa.String(length=16), nullable=False),
        sa.Column("actor_id", sa.BigInteger(), nullable=True),
        sa.Column("actor_name", sa.String(length=100), nullable=True),
        sa.Column("actor_role", sa.String(length=32), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column(
            "data", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_ticket_events_ticket_id_tickets"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_events")),
    )
    op.create_index("uq_ticket_events_seq", "ticket_events", ["ticket_id", "seq"], unique=True)
    role = op.get_context().config.attributes.get("app_db_role", "partygrid_app")
    # ALTER DEFAULT PRIVILEGES (migration 0002) granted the new tables; take back edits.
    op.execute(f'REVOKE UPDATE, DELETE, TRUNCATE ON ticket_events FROM "{role}"')


def downgrade() -> None:
    op.drop_index("uq_ticket_events_seq", table_name="ticket_events")
    op.drop_table("ticket_events")
    op.drop_index("uq_idempotency_keys_key", table_name="idempotency_keys")
    op.drop_table("idempotency_keys")
    op.drop_index("uq_tickets_public_id", table_name="tickets")
    op.drop_index("ix_tickets_org_deadline", table_name="tickets")
    op.drop_index("ix_tickets_grid_created", table_name="tickets")
    op.drop_index("ix_tickets_community_created", table_name="tickets")
    op.drop_index("ix_tickets_category_created", table_name="tickets")
    op.drop_index(
        "ix_tickets_assignee_open",
        table_name="tickets",
        postgresql_where=sa.text("closed_at IS NULL AND state NOT IN ('rejected','merged')"),
    )
    op.drop_table("tickets")
    op.drop_table("service_categories")
    op.drop_table("holiday_schedules")
