"""foundation schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22 02:54:37.414834+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from partygrid.repo.base import LTree, Polygon

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # ltree holds the organization path; trusted since PostgreSQL 13, so no superuser needed.
    op.execute("CREATE EXTENSION IF NOT EXISTS ltree")
    op.create_table(
        "organizations",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("parent_id", sa.BigInteger(), nullable=True),
        sa.Column("path", LTree(), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="active", nullable=False),
        sa.Column("dissolved_at", sa.DateTime(timezone=True), nullable=True),
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
            "(status = 'dissolved') = (dissolved_at IS NOT NULL)",
            name=op.f("ck_organizations_dissolved_at"),
        ),
        sa.CheckConstraint(
            "kind IN ('district_committee','street_working_committee','community_committee','community_general_branch','grid_branch','building_group','business_district_branch','feature_branch','red_sail_branch','joint_branch','industry_committee','unit_organization')",
            name=op.f("ck_organizations_kind"),
        ),
        sa.CheckConstraint(
            "status IN ('active','dissolved')", name=op.f("ck_organizations_status")
        ),
        sa.CheckConstraint("length(btrim(name)) > 0", name=op.f("ck_organizations_name_not_blank")),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["organizations.id"],
            name=op.f("fk_organizations_parent_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organizations")),
    )
    op.create_index("ix_organizations_parent_id", "organizations", ["parent_id"], unique=False)
    op.create_index(
        "ix_organizations_path_gist",
        "organizations",
        ["path"],
        unique=False,
        postgresql_using="gist",
    )
    op.create_index(
        "uq_organizations_code",
        "organizations",
        ["code"],
        unique=True,
        postgresql_where="code IS NOT NULL",
    )
    op.create_table(
        "grids",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("community_id", sa.BigInteger(), nullable=False),
        sa.Column("serving_branch_id", sa.BigInteger(), nullable=True),
        sa.Column("boundary", Polygon(), nullable=False),
        sa.Column("boundary_geojson", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("area_m2", sa.Float(), nullable=False),
        sa.Column("centroid_lon", sa.Float(), nullable=False),
        sa.Column("centroid_lat", sa.Float(), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="active", nullable=False),
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
            "kind IN ('courtyard','building','estate','road_segment','business_district')",
            name=op.f("ck_grids_kind"),
        ),
        sa.CheckConstraint("status IN ('active','retired')", name=op.f("ck_grids_status")),
        sa.CheckConstraint("length(btrim(name)) > 0", name=op.f("ck_grids_name_not_blank")),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["organizations.id"],
            name=op.f("fk_grids_community_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["serving_branch_id"],
            ["organizations.id"],
            name=op.f("fk_grids_serving_branch_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grids")),
    )
    op.create_index(
        "ix_grids_boundary_gist", "grids", ["boundary"], unique=False, postgresql_using="gist"
    )
    op.create_index("ix_grids_community_id", "grids", ["community_id"], unique=False)
    op.create_index("ix_grids_serving_branch_id", "grids", ["serving_branch_id"], unique=False)
    op.create_index(
        "uq_grids_code", "grids", ["code"], unique=True, postgresql_where="code IS NOT NULL"
    )
    op.create_table(
        "organization_history",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("organization_id", sa.BigInteger(), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("before", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("after", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_organization_history_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organization_history")),
    )
    op.create_index(
        "ix_organization_history_org",
        "organization_history",
        ["organization_id", "id"],
        unique=False,
    )
    op.create_table(
        "party_members",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("gender", sa.String(length=8), nullable=True),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("organization_id", sa.BigInteger(), nullable=True),
        sa.Column("grid_id", sa.BigInteger(), nullable=True),
        sa.Column("joined_party_on", sa.Date(), nullable=True),
        sa.Column("work_unit", sa.String(length=200), nullable=True),
        sa.Column("post", sa.String(length=200), nullable=True),
        sa.Column("central_household_group_id", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(length=16), server_default="active", nullable=False),
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
            "category IN ('resident','in_service','retired','no_post','mobile')",
            name=op.f("ck_party_members_category"),
        ),
        sa.CheckConstraint(
            "gender IS NULL OR gender IN ('male','female')", name=op.f("ck_party_members_gender")
        ),
        sa.CheckConstraint("status IN ('active','left')", name=op.f("ck_party_members_status")),
        sa.CheckConstraint(
            "central_household_group_id IS NULL OR organization_id IS NOT NULL",
            name=op.f("ck_party_members_central_household_has_org"),
        ),
        sa.CheckConstraint("length(btrim(name)) > 0", name=op.f("ck_party_members_name_not_blank")),
        sa.ForeignKeyConstraint(
            ["central_household_group_id"],
            ["organizations.id"],
            name=op.f("fk_party_members_central_household_group_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["grid_id"],
            ["grids.id"],
            name=op.f("fk_party_members_grid_id_grids"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_party_members_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_party_members")),
    )
    op.create_index("ix_party_members_grid_id", "party_members", ["grid_id", "id"], unique=False)
    op.create_index(
        "ix_party_members_name_prefix",
        "party_members",
        ["name"],
        unique=False,
        postgresql_ops={"name": "text_pattern_ops"},
    )
    op.create_index(
        "ix_party_members_organization_id", "party_members", ["organization_id", "id"], unique=False
    )
    op.create_index("uq_party_members_id_number", "party_members", ["id_number"], unique=True)
    op.create_table(
        "grid_staff_assignments",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("grid_id", sa.BigInteger(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("person_name", sa.String(length=100), nullable=False),
        sa.Column("member_id", sa.BigInteger(), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("department", sa.String(length=100), nullable=True),
        sa.Column("affiliation", sa.String(length=100), nullable=True),
        sa.Column("duties", sa.Text(), nullable=True),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("end_reason", sa.Text(), nullable=True),
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
            "role <> 'professional_worker' OR department IS NOT NULL",
            name=op.f("ck_grid_staff_assignments_department_required"),
        ),
        sa.CheckConstraint(
            "role IN ('grid_leader','full_time_worker','professional_worker','part_time_worker','info_collector')",
            name=op.f("ck_grid_staff_assignments_role"),
        ),
        sa.CheckConstraint(
            "ended_on IS NULL OR ended_on >= started_on",
            name=op.f("ck_grid_staff_assignments_period"),
        ),
        sa.CheckConstraint(
            "length(btrim(person_name)) > 0",
            name=op.f("ck_grid_staff_assignments_person_name_not_blank"),
        ),
        sa.ForeignKeyConstraint(
            ["grid_id"],
            ["grids.id"],
            name=op.f("fk_grid_staff_assignments_grid_id_grids"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["party_members.id"],
            name=op.f("fk_grid_staff_assignments_member_id_party_members"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grid_staff_assignments")),
    )
    op.create_index(
        "ix_grid_staff_assignments_grid", "grid_staff_assignments", ["grid_id", "id"], unique=False
    )
    op.create_index(
        "ix_grid_staff_assignments_member_id", "grid_staff_assignments", ["member_id"], unique=False
    )
    op.create_index(
        "uq_grid_staff_assignments_one_leader",
        "grid_staff_assignments",
        ["grid_id"],
        unique=True,
        postgresql_where=sa.text("role = 'grid_leader' AND ended_on IS NULL"),
    )
    op.create_table(
        "member_transfers",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("member_id", sa.BigInteger(), nullable=False),
        sa.Column("from_organization_id", sa.BigInteger(), nullable=True),
        sa.Column("to_organization_id", sa.BigInteger(), nullable=True),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["from_organization_id"],
            ["organizations.id"],
            name=op.f("fk_member_transfers_from_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["party_members.id"],
            name=op.f("fk_member_transfers_member_id_party_members"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["to_organization_id"],
            ["organizations.id"],
            name=op.f("fk_member_transfers_to_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_transfers")),
    )
    op.create_index(
        "ix_member_transfers_member", "member_transfers", ["member_id", "id"], unique=False
    )
    op.create_table(
        "mobile_ledger_entries",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("member_id", sa.BigInteger(), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("origin_organization_id", sa.BigInteger(), nullable=True),
        sa.Column("origin_place", sa.String(length=200), nullable=True),
        sa.Column("destination_organization_id", sa.BigInteger(), nullable=True),
        sa.Column("destination_place", sa.String(length=200), nullable=True),
        sa.Column("occupation", sa.String(length=100), nullable=True),
        sa.Column("contact_phone", sa.String(length=32), nullable=True),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("expected_return_on", sa.Date(), nullable=True),
        sa.Column("certificate_no", sa.String(length=64), nullable=True),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column(
            "recorded_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "direction IN ('inflow','outflow')", name=op.f("ck_mobile_ledger_entries_direction")
        ),
        sa.CheckConstraint(
            "expected_return_on IS NULL OR expected_return_on >= since",
            name=op.f("ck_mobile_ledger_entries_return_after_since"),
        ),
        sa.ForeignKeyConstraint(
            ["destination_organization_id"],
            ["organizations.id"],
            name=op.f("fk_mobile_ledger_entries_destination_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["party_members.id"],
            name=op.f("fk_mobile_ledger_entries_member_id_party_members"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["origin_organization_id"],
            ["organizations.id"],
            name=op.f("fk_mobile_ledger_entries_origin_organization_id_organizations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mobile_ledger_entries")),
    )
    op.create_index(
        "uq_mobile_ledger_entries_current",
        "mobile_ledger_entries",
        ["member_id"],
        unique=True,
        postgresql_where=sa.text("ended_on IS NULL"),
    )


def downgrade() -> None:
    op.drop_index(
        "uq_mobile_ledger_entries_current",
        table_name="mobile_ledger_entries",
        postgresql_where=sa.text("ended_on IS NULL"),
    )
    op.drop_table("mobile_ledger_entries")
    op.drop_index("ix_member_transfers_member", table_name="member_transfers")
    op.drop_table("member_transfers")
    op.drop_index(
        "uq_grid_staff_assignments_one_leader",
        table_name="grid_staff_assignments",
        postgresql_where=sa.text("role = 'grid_leader' AND ended_on IS NULL"),
    )
    op.drop_index("ix_grid_staff_assignments_member_id", table_name="grid_staff_assignments")
    op.drop_index("ix_grid_staff_assignments_grid", table_name="grid_staff_assignments")
    op.drop_table("grid_staff_assignments")
    op.drop_index("uq_party_members_id_number", table_name="party_members")
    op.drop_index("ix_party_members_organization_id", table_name="party_members")
    op.drop_index(
        "ix_party_members_name_prefix",
        table_name="party_members",
        postgresql_ops={"name": "text_pattern_ops"},
    )
    op.drop_index("ix_party_members_grid_id", table_name="party_members")
    op.drop_table("party_members")
    op.drop_index("ix_organization_history_org", table_name="organization_history")
    op.drop_table("organization_history")
    op.drop_index("uq_grids_code", table_name="grids", postgresql_where="code IS NOT NULL")
    op.drop_index("ix_grids_serving_branch_id", table_name="grids")
    op.drop_index("ix_grids_community_id", table_name="grids")
    op.drop_index("ix_grids_boundary_gist", table_name="grids", postgresql_using="gist")
    op.drop_table("grids")
    op.drop_index(
        "uq_organizations_code", table_name="organizations", postgresql_where="code IS NOT NULL"
    )
    op.drop_index("ix_organizations_path_gist", table_name="organizations", postgresql_using="gist")
    op.drop_index("ix_organizations_parent_id", table_name="organizations")
    op.drop_table("organizations")
