"""Principals: users, their sessions (refresh-token families), partner API clients, scopes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    String,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from partygrid.repo.base import Base, created_at_column, updated_at_column

ROLES_SQL = (
    "'district_admin','street_admin','community_admin','grid_worker','department_worker',"
    "'auditor','system_admin','security_admin','partner_system'"
)

# What the database itself lets a partner client hold (domain.access.CLIENT_GRANTABLE).
CLIENT_PERMISSIONS_SQL = (
    "'org:read','grid:read','member:read','member:write','ticket:read','ticket:submit'"
)


class UserRow(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(f"role IS NULL OR role IN ({ROLES_SQL})", name="role"),
        CheckConstraint("username ~ '^[a-z0-9._-]{3,64}$'", name="username_format"),
        Index("uq_users_username", "username", unique=True),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), nullable=False)
    display_name: Mapped[str] = mapped_column(String(100), nullable=False)
    role: Mapped[str | None] = mapped_column(String(32))
    department: Mapped[str | None] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    password_changed_at: Mapped[datetime] = created_at_column()
    must_change_password: Mapped[bool] = mapped_column(
        Boolean, nullable=False, server_default="false"
    )
    failed_logins: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # TOTP secret, encrypted like personal data; confirmed once the user proves a code.
    totp_secret_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    totp_confirmed: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="false")
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)  # refuses code reuse
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="true")
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()


class ApiClientRow(Base):
    """A partner system (公安, 民政, 12345 hotline) signing its requests with HMAC."""

    __tablename__ = "api_clients"
    __table_args__ = (
        CheckConstraint(f"role IN ({ROLES_SQL})", name="role"),
        Index("uq_api_clients_key_id", "key_id", unique=True),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    key_id: Mapped[str] = mapped_column(String(64), nullable=False)
    # The shared secret must be recoverable to verify signatures: encrypted, not hashed.
    secret_enc: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    role: Mapped[str] = mapped_column(String(32), nullable=False, server_default="partner_system")
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="true")
    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()


class ApiClientPermissionRow(Base):
    """One permission a security admin gave a partner client (within CLIENT_GRANTABLE)."""

    __tablename__ = "api_client_permissions"
    __table_args__ = (
        CheckConstraint(f"permission IN ({CLIENT_PERMISSIONS_SQL})", name="permission"),
    )

    api_client_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("api_clients.id", ondelete="CASCADE"), primary_key=True
    )
    permission: Mapped[str] = mapped_column(String(32), primary_key=True)
    granted_at: Mapped[datetime] = created_at_column()


class PrincipalScopeRow(Base):
    """One grant of scope: an organization subtree or a single grid, to a user or client."""

    __tablename__ = "principal_scopes"
    __table_args__ = (
        CheckConstraint("(user_id IS NULL) <> (api_client_id IS NULL)", name="one_principal"),
        CheckConstraint("(organization_id IS NULL) <> (grid_id IS NULL)", name="one_target"),
        Index(
            "uq_principal_scopes_grant",
            text("coalesce(user_id, 0)"),
            text("coalesce(api_client_id, 0)"),
            text("coalesce(organization_id, 0)"),
            text("coalesce(grid_id, 0)"),
            unique=True,
        ),
        Index("ix_principal_scopes_user_id", "user_id"),
        Index("ix_principal_scopes_api_client_id", "api_client_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE")
    )
    api_client_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("api_clients.id", ondelete="CASCADE")
    )
    organization_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("organizations.id", ondelete="RESTRICT")
    )
    grid_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("grids.id", ondelete="RESTRICT")
    )
    created_at: Mapped[datetime] = created_at_column()


class SessionRow(Base):
    """A login: the family of its rotating refresh tokens. Revoking it logs out everywhere
    the family reached, and access tokens naming it stop working at once."""

    __tablename__ = "auth_sessions"
    __table_args__ = (Index("ix_auth_sessions_user_id", "user_id"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    created_at: Mapped[datetime] = created_at_column()
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_reason: Mapped[str | None] = mapped_column(String(64))
    client_address: Mapped[str | None] = mapped_column(String(64))


class RefreshTokenRow(Base):
    """Only a hash of each refresh token is kept; a used token is spent, and presenting a
    spent one again is treated as theft and revokes the whole session."""

    __tablename__ = "refresh_tokens"
    __table_args__ = (
        Index("uq_refresh_tokens_token_hash", "token_hash", unique=True),
        Index("ix_refresh_tokens_session_id", "session_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    session_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("auth_sessions.id", ondelete="CASCADE"), nullable=False
    )
    token_hash: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    created_at: Mapped[datetime] = created_at_column()
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ApiNonceRow(Base):
    """Nonces seen inside the signature window; the primary key refuses a replay."""

    __tablename__ = "api_nonces"

    api_client_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("api_clients.id", ondelete="CASCADE"), primary_key=True
    )
    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    seen_at: Mapped[datetime] = created_at_column()
