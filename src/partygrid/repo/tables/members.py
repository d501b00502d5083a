"""Party members, their transfers of organisational relationship and the mobile ledger."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from partygrid.repo.base import Base, created_at_column, updated_at_column

CATEGORIES_SQL = "'resident','in_service','retired','no_post','mobile'"


class PartyMemberRow(Base):
    __tablename__ = "party_members"
    __table_args__ = (
        CheckConstraint(f"category IN ({CATEGORIES_SQL})", name="category"),
        CheckConstraint("status IN ('active','left')", name="status"),
        CheckConstraint("gender IS NULL OR gender IN ('male','female')", name="gender"),
        CheckConstraint("length(btrim(name)) > 0", name="name_not_blank"),
        CheckConstraint(
            "central_household_group_id IS NULL OR organization_id IS NOT NULL",
            name="central_household_has_org",
        ),
        # Keyed HMAC of the normalised ID number: uniqueness and exact lookups without
        # the number itself (repo/sealing.py).
        Index("uq_party_members_id_number_hmac", "id_number_hmac", unique=True),
        Index("ix_party_members_organization_id", "organization_id", "id"),
        Index("ix_party_members_grid_id", "grid_id", "id"),
        # C-collation copy of the name makes "name LIKE 'prefix%'" use a btree.
        Index(
            "ix_party_members_name_prefix",
            "name",
            postgresql_ops={"name": "text_pattern_ops"},
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    gender: Mapped[str | None] = mapped_column(String(8))
    # Personal data is sealed (AES-256-GCM, repo/sealing.py); birth date and gender
    # are derived from the ID number and stay in clear for reports and rules.
    id_number_enc: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    id_number_hmac: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    birth_date: Mapped[date] = mapped_column(Date, nullable=False)
    phone_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    address_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    category: Mapped[str] = mapped_column(String(16), nullable=False)
    organization_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("organizations.id", ondelete="RESTRICT")
    )
    grid_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("grids.id", ondelete="RESTRICT")
    )
    joined_party_on: Mapped[date | None] = mapped_column(Date)
    work_unit: Mapped[str | None] = mapped_column(String(200))
    post: Mapped[str | None] = mapped_column(String(200))
    central_household_group_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("organizations.id", ondelete="RESTRICT")
    )
    status: Mapped[str] = mapped_column(String(16), nullable=False, server_default="active")
    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()


class MemberTransferRow(Base):
    """组织关系转接: append-only; the member row holds only the current organization."""

    __tablename__ = "member_transfers"
    __table_args__ = (Index("ix_member_transfers_member", "member_id", "id"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    member_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("party_members.id", ondelete="RESTRICT"), nullable=False
    )
    from_organization_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("organizations.id", ondelete="RESTRICT")
    )
    to_organization_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("organizations.id", ondelete="RESTRICT")
    )
    effective_on: Mapped[date] = mapped_column(Date, nullable=False)
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = created_at_column()


class MobileLedgerRow(Base):
    """流动党员台账: one current entry per mobile member; ended entries stay as history."""

    __tablename__ = "mobile_ledger_entries"
    __table_args__ = (
        CheckConstraint("direction IN ('inflow','outflow')", name="direction"),
        CheckConstraint(
            "expected_return_on IS NULL OR expected_return_on >= since", name="return_after_since"
        ),
        Index(
            "uq_mobile_ledger_entries_current",
            "member_id",
            unique=True,
            postgresql_where=text("ended_on IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    member_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("party_members.id", ondelete="RESTRICT"), nullable=False
    )
    direction: Mapped[str] = mapped_column(String(8), nullable=False)
    origin_organization_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("organizations.id", ondelete="RESTRICT")
    )
    origin_place: Mapped[str | None] = mapped_column(String(200))
    destination_organization_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("organizations.id", ondelete="RESTRICT")
    )
    destination_place: Mapped[str | None] = mapped_column(String(200))
    occupation: Mapped[str | None] = mapped_column(String(100))
    contact_phone_enc: Mapped[bytes | None] = mapped_column(LargeBinary)  # sealed
    since: Mapped[date] = mapped_column(Date, nullable=False)
    expected_return_on: Mapped[date | None] = mapped_column(Date)
    certificate_no: Mapped[str | None] = mapped_column(String(64))
    ended_on: Mapped[date | None] = mapped_column(Date)
    recorded_at: Mapped[datetime] = created_at_column()
