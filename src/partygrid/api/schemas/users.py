"""Schemas of account administration: people and partner API clients. Nothing here ever
carries a password hash, a TOTP secret or a stored client secret."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints, model_validator

from partygrid.api.schemas.auth import Password
from partygrid.api.schemas.common import Name, Page, RequestModel, ResponseModel
from partygrid.domain.access import Role
from partygrid.domain.accounts import ApiClient, ScopeGrant, User

Username = Annotated[
    str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=3, max_length=64)
]
DisplayName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Department = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class UserCreate(RequestModel):
    """A new account. Its role and scope are given separately by a security admin."""

    username: Username = Field(examples=["wang.jianhua"], description="a-z 0-9 . _ -")
    display_name: DisplayName = Field(examples=["王建华"])
    password: Password = Field(description="Initial password; the user must change it.")
    department: Department | None = None


class UserUpdate(RequestModel):
    display_name: DisplayName | None = None
    department: Department | None = None


class PasswordReset(RequestModel):
    password: Password = Field(description="New initial password; the user must change it.")


class RoleAssignment(RequestModel):
    role: Role | None = Field(description="null takes the role away. Not partner_system.")


class ScopeGrantCreate(RequestModel):
    organization_id: int | None = Field(default=None, description="An organization subtree.")
    grid_id: int | None = Field(default=None, description="A single grid.")

    @model_validator(mode="after")
    def _one_target(self) -> ScopeGrantCreate:
        if (self.organization_id is None) == (self.grid_id is None):
            raise ValueError("give exactly one of organization_id and grid_id")
        return self


class ScopeGrantRead(ResponseModel):
    id: int
    organization_id: int | None
    grid_id: int | None
    created_at: datetime | None

    @classmethod
    def of(cls, grant: ScopeGrant) -> ScopeGrantRead:
        return cls.model_validate(grant, from_attributes=True)


class UserRead(BaseModel):
    id: int
    username: str
    display_name: str
    role: Role | None
    department: str | None
    is_active: bool
    must_change_password: bool
    locked: bool = Field(description="Locked after repeated failed logins.")
    locked_until: datetime | None
    failed_logins: int
    totp_enabled: bool
    last_login_at: datetime | None
    password_changed_at: datetime | None
    scopes: list[ScopeGrantRead]
    version: int
    created_at: datetime | None
    updated_at: datetime | None

    @classmethod
    def of(cls, user: User, grants: list[ScopeGrant], now: datetime) -> UserRead:
        return cls(
            id=user.id, username=user.username, display_name=user.display_name,
            role=user.role, department=user.department, is_active=user.is_active,
            must_change_password=user.must_change_password, locked=user.is_locked(now),
            locked_until=user.locked_until if user.is_locked(now) else None,
            failed_logins=user.failed_logins, totp_enabled=user.totp_confirmed,
            last_login_at=user.last_login_at, password_changed_at=user.password_changed_at,
            scopes=[ScopeGrantRead.of(g) for g in grants], version=user.version,
            created_at=user.created_at, updated_at=user.updated_at,
        )  # fmt: skip


class UserPage(Page[UserRead]):
    pass


class SessionsEnded(BaseModel):
    sessions_ended: int


class ApiClientCreate(RequestModel):
    name: Name = Field(examples=["金沙滩派出所 警务平台"])


class ApiClientRead(BaseModel):
    id: int
    name: str
    key_id: str = Field(description="Sent as X-PartyGrid-Key.")
    role: Role
    is_active: bool
    scopes: list[ScopeGrantRead]
    version: int
    created_at: datetime | None
    updated_at: datetime | None

    @classmethod
    def of(cls, client: ApiClient, grants: list[ScopeGrant]) -> ApiClientRead:
        return cls(
            id=client.id, name=client.name, key_id=client.key_id, role=client.role,
            is_active=client.is_active, scopes=[ScopeGrantRead.of(g) for g in grants],
            version=client.version, created_at=client.created_at, updated_at=client.updated_at,
        )  # fmt: skip


class ApiClientWithSecret(ApiClientRead):
    secret: str = Field(
        description="The HMAC secret, shown this once: store it now, it cannot be read again."
    )


class ApiClientPage(Page[ApiClientRead]):
    pass
