"""Grids (网格) with their boundary polygon, and the staff assigned to them (1+1+N+X)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from partygrid.repo.base import Base, Polygon, created_at_column, updated_at_column


class GridRow(Base):
    __tablename__ = "grids"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('courtyard','building','estate','road_segment','business_district')",
            name="kind",
        ),
        CheckConstraint("status IN ('active','retired')", name="status"),
        CheckConstraint("length(btrim(name)) > 0", name="name_not_blank"),
        # polygon @> point is not indexable; the query pre-filters with && on this index.
        Index("ix_grids_boundary_gist", "boundary", postgresql_using="gist"),
        Index("ix_grids_community_id", "community_id"),
        Index("ix_grids_serving_branch_id", "serving_branch_id"),
        Index("uq_grids_code", "code", unique=True, postgresql_where="code IS NOT NULL"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    code: Mapped[str | None] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    community_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("organizations.id", ondelete="RESTRICT"), nullable=False
    )
    serving_branch_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("organizations.id", ondelete="RESTRICT")
    )
    boundary: Mapped[str] = mapped_column(Polygon, nullable=False)
    # The GeoJSON as the client sent it (normalised), returned verbatim on read.
    boundary_geojson: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    area_m2: Mapped[float] = mapped_column(Float, nullable=False)
    centroid_lon: Mapped[float] = mapped_column(Float, nullable=False)
    centroid_lat: Mapped[float] = mapped_column(Float, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, server_default="active")
    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()


class GridStaffAssignmentRow(Base):
    """One person in one role on one grid for a period; ending keeps the row as history."""

    __tablename__ = "grid_staff_assignments"
    __table_args__ = (
        CheckConstraint(
            "role IN ('grid_leader','full_time_worker','professional_worker',"
            "'part_time_worker','info_collector')",
            name="role",
        ),
        CheckConstraint(
            "role <> 'professional_worker' OR department IS NOT NULL", name="department_required"
        ),
        CheckConstraint("ended_on IS NULL OR ended_on >= started_on", name="period"),
        CheckConstraint("length(btrim(person_name)) > 0", name="person_name_not_blank"),
        # 1+1+N+X: at most one current grid leader per grid.
        Index(
            "uq_grid_staff_assignments_one_leader",
            "grid_id",
            unique=True,
            postgresql_where=text("role = 'grid_leader' AND ended_on IS NULL"),
        ),
        Index("ix_grid_staff_assignments_grid", "grid_id", "id"),
        Index("ix_grid_staff_assignments_member_id", "member_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    grid_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("grids.id", ondelete="RESTRICT"), nullable=False
    )
    role: Mapped[str] = mapped_column(String(32), nullable=False)
    person_name: Mapped[str] = mapped_column(String(100), nullable=False)
    member_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("party_members.id", ondelete="RESTRICT")
    )
    phone_enc: Mapped[bytes | None] = mapped_column(LargeBinary)  # sealed
    department: Mapped[str | None] = mapped_column(String(100))
    affiliation: Mapped[str | None] = mapped_column(String(100))
    duties: Mapped[str | None] = mapped_column(Text)
    started_on: Mapped[date] = mapped_column(Date, nullable=False)
    ended_on: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()
