"""Five-type tickets: the service catalogue, tickets (a projection of their events), the
append-only event timeline, idempotency keys and the official holiday schedules."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
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
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from partygrid.repo.base import Base, created_at_column, updated_at_column

TYPES_SQL = "'urgent','time_limited','promised','supplementary','suggestion'"
STATES_SQL = (
    "'received','accepted','assigned','in_progress','waiting_supplement','resolved',"
    "'published','reviewed','closed','rejected','merged'"
)
OPEN_STATES_SQL = "'received','accepted','assigned','in_progress','waiting_supplement'"
CHANNELS_SQL = "'grid_app','info_collector','hotline','mailbox','walk_in','open311','partner'"
DISCLOSURES_SQL = "'public','coarse','never'"


class ServiceCategoryRow(Base):
    """服务目录: configurable per deployment; attributes follow Open311 service definitions.
    Analyzed after every change (migration 0006): the public list's plan depends on it."""

    __tablename__ = "service_categories"
    __table_args__ = (
        CheckConstraint("code ~ '^[a-z0-9_.-]{2,64}$'", name="code_format"),
        CheckConstraint(f"default_type IN ({TYPES_SQL})", name="default_type"),
        CheckConstraint(f"disclosure IN ({DISCLOSURES_SQL})", name="disclosure"),
    )

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    group_name: Mapped[str | None] = mapped_column(String(100))
    keywords: Mapped[list[str]] = mapped_column(ARRAY(String), nullable=False, server_default="{}")
    default_type: Mapped[str] = mapped_column(String(16), nullable=False)
    # {"time_limited": {"working_days": 3}, "urgent": {"urgent_hours": 4}, ...}
    deadline_overrides: Mapped[dict[str, Any]] = mapped_column(
        JSONB, nullable=False, server_default="{}"
    )
    # [{"code": "...", "datatype": "string|number|datetime|text|singlevaluelist|
    #   multivaluelist", "required": bool, "description": "...", "values": [...]}]
    attributes: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, nullable=False, server_default="[]"
    )
    # What the public may see of its tickets (domain.tickets.disclosure.Disclosure).
    disclosure: Mapped[str] = mapped_column(String(8), nullable=False, server_default="never")
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="true")
    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()


class TicketRow(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        CheckConstraint(f"type IN ({TYPES_SQL})", name="type"),
        CheckConstraint(f"state IN ({STATES_SQL})", name="state"),
        CheckConstraint(f"channel IN ({CHANNELS_SQL})", name="channel"),
        CheckConstraint("priority BETWEEN 1 AND 4", name="priority"),
        CheckConstraint(
            "satisfaction IS NULL OR satisfaction IN "
            "('satisfied','basically_satisfied','unsatisfied')",
            name="satisfaction",
        ),
        CheckConstraint("supervision_level IN ('none','yellow','red')", name="supervision"),
        CheckConstraint("(lon IS NULL) = (lat IS NULL)", name="point_complete"),
        Index("uq_tickets_public_id", "public_id", unique=True),
        # Inboxes: a handler's open tickets by deadline. The predicate is the open states
        # themselves, so the inbox's "state IN (open)" proves it and the index is used.
        Index("ix_tickets_assignee_open", "assignee_user_id", "deadline_at",
              postgresql_where=text(f"state IN ({OPEN_STATES_SQL})")),
        Index("ix_tickets_org_deadline", "handling_org_id", "deadline_at"),
        # Newest first across the city (Open311 requests, the public list).
        Index("ix_tickets_created", "created_at", "id"),
        # A subtree's statistics join tickets to their territory (community, else the
        # handling organization) and a period: one index range per organization.
        Index("ix_tickets_territory_created",
              text("COALESCE(community_id, handling_org_id)"), "created_at"),
        Index("ix_tickets_grid_created", "grid_id", "created_at"),
        Index("ix_tickets_community_created", "community_id", "created_at"),
        Index("ix_tickets_category_created", "category_code", "created_at"),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), nullable=False)  # e.g. 202611220001
    type: Mapped[str] = mapped_column(String(16), nullable=False)
    category_code: Mapped[str] = mapped_column(
        String(64), ForeignKey("service_categories.code", ondelete="RESTRICT"), nullable=False
    )
    channel: Mapped[str] = mapped_column(String(16), nullable=False)
    state: Mapped[str] = mapped_column(String(24), nullable=False, server_default="received")
    priority: Mapped[int] = mapped_column(Integer, nullable=False, server_default="3")
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, server_default="{}")
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, nullable=False, server_default="[]"
    )
    # Requester personal data: encrypted; the HMAC finds a requester's other tickets.
    requester_name_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    requester_phone_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    requester_phone_hmac: Mapped[bytes | None] = mapped_column(LargeBinary)
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    address: Mapped[str | None] = mapped_column(Text)  # where the issue is, not who
    grid_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("grids.id", ondelete="RESTRICT")
    )
    community_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("organizations.id", ondelete="RESTRICT")
    )
    handling_org_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("organizations.id", ondelete="RESTRICT")
    )
    assignee_user_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="RESTRICT")
    )
    assignee_department: Mapped[str | None] = mapped_column(String(100))
    deadline_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    deadline_provisional: Mapped[bool] = mapped_column(
        Boolean, nullable=False, server_default="false"
    )
    promised_on: Mapped[date | None] = mapped_column(Date)
    paused_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    supervision_level: Mapped[str] = mapped_column(String(8), nullable=False, server_default="none")
    extension_pending: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="false")
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    first_response_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Filled at resolution so statistics stay SQL aggregates over millions of rows.
    response_working_hours: Mapped[float | None] = mapped_column(Float)
    resolution_working_hours: Mapped[float | None] = mapped_column(Float)
    resolved_on_time: Mapped[bool | None] = mapped_column(Boolean)
    resolution: Mapped[str | None] = mapped_column(Text)
    suggestion_adopted: Mapped[bool | None] = mapped_column(Boolean)
    public_result: Mapped[str | None] = mapped_column(Text)
    satisfaction: Mapped[str | None] = mapped_column(String(24))
    reopen_count: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    merged_into_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("tickets.id", ondelete="RESTRICT")
    )
    co_reporters: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    created_by_kind: Mapped[str] = mapped_column(String(16), nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(BigInteger)
    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()


class TicketEventRow(Base):
    """The timeline: append-only for the service role; the ticket row is its projection."""

    __tablename__ = "ticket_events"
    __table_args__ = (Index("uq_ticket_events_seq", "ticket_id", "seq", unique=True),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    ticket_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("tickets.id", ondelete="RESTRICT"), nullable=False
    )
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    action: Mapped[str] = mapped_column(String(32), nullable=False)
    from_state: Mapped[str | None] = mapped_column(String(24))
    to_state: Mapped[str] = mapped_column(String(24), nullable=False)
    actor_kind: Mapped[str] = mapped_column(String(16), nullable=False)
    actor_id: Mapped[int | None] = mapped_column(BigInteger)
    actor_name: Mapped[str | None] = mapped_column(String(100))
    actor_role: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, server_default="{}")
    at: Mapped[datetime] = created_at_column()


class IdempotencyKeyRow(Base):
    """A retried submission returns the first result; the same key with another body is
    refused. Keys are per principal, so two apps can't collide."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (
        Index("uq_idempotency_keys_key", "principal_kind", "principal_id", "key", unique=True),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    principal_kind: Mapped[str] = mapped_column(String(16), nullable=False)
    principal_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    key: Mapped[str] = mapped_column(String(128), nullable=False)
    request_hash: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    ticket_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("tickets.id", ondelete="RESTRICT")
    )
    created_at: Mapped[datetime] = created_at_column()


class HolidayScheduleRow(Base):
    """One year's official schedule, loaded by an admin (or from chinese-calendar)."""

    __tablename__ = "holiday_schedules"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    holidays: Mapped[list[date]] = mapped_column(ARRAY(Date), nullable=False)
    workdays: Mapped[list[date]] = mapped_column(ARRAY(Date), nullable=False)
    source: Mapped[str] = mapped_column(String(32), nullable=False)
    loaded_at: Mapped[datetime] = created_at_column()
