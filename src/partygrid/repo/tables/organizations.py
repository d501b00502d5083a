"""Organization tree: one row per organization, its ltree path, and its change history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from partygrid.repo.base import Base, LTree, created_at_column, updated_at_column

ORG_KINDS_SQL = (
    "'district_committee','street_working_committee','community_committee',"
    "'community_general_branch','grid_branch','building_group','business_district_branch',"
    "'feature_branch','red_sail_branch','joint_branch','industry_committee','unit_organization'"
)


class OrganizationRow(Base):
    __tablename__ = "organizations"
    __table_args__ = (
        CheckConstraint(f"kind IN ({ORG_KINDS_SQL})", name="kind"),
        CheckConstraint("status IN ('active','dissolved')", name="status"),
        CheckConstraint("(status = 'dissolved') = (dissolved_at IS NOT NULL)", name="dissolved_at"),
        CheckConstraint("length(btrim(name)) > 0", name="name_not_blank"),
        Index("ix_organizations_path_gist", "path", postgresql_using="gist"),
        Index("ix_organizations_parent_id", "parent_id"),
        Index("uq_organizations_code", "code", unique=True, postgresql_where="code IS NOT NULL"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    code: Mapped[str | None] = mapped_column(String(64))
    description: Mapped[str | None] = mapped_column(Text)
    parent_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("organizations.id", ondelete="RESTRICT")
    )
    path: Mapped[str] = mapped_column(LTree, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, server_default="active")
    dissolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()


class OrganizationHistoryRow(Base):
    """Append-only record of every change to an organization (rename, move, dissolve...)."""

    __tablename__ = "organization_history"
    __table_args__ = (Index("ix_organization_history_org", "organization_id", "id"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("organizations.id", ondelete="RESTRICT"), nullable=False
    )
    action: Mapped[str] = mapped_column(String(32), nullable=False)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = created_at_column()
