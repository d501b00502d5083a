"""Schemas of account administration: people and partner API clients. Nothing here ever
carries a password hash, a TOTP secret or a stored client secret."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints, model_validator

from partygrid.api.schemas import Name, Page, RequestModel, ResponseModel
from partygrid.domain.access import Permission, PrincipalKind, Role
from partygrid.domain.accounts.model import ApiClient, PendingStep, ScopeGrant, User

# Passwords are taken verbatim: stripping spaces would silently change them.
Password = Annotated[str, StringConstraints(strip_whitespace=False, min_length=1, max_length=1024)]
TotpCode = Annotated[str, StringConstraints(pattern=r"^\d{6}$")]
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
    permissions: list[Permission] = Field(
        description="What the security admin let this client do (none when made)."
    )
    version: int
    created_at: datetime | None
    updated_at: datetime | None

    @classmethod
    def of(cls, client: ApiClient, grants: list[ScopeGrant]) -> ApiClientRead:
        return cls(
            id=client.id, name=client.name, key_id=client.key_id, role=client.role,
            is_active=client.is_active, scopes=[ScopeGrantRead.of(g) for g in grants],
            permissions=sorted(client.permissions), version=client.version,
            created_at=client.created_at, updated_at=client.updated_at,
        )  # fmt: skip


class ClientPermissionGrant(RequestModel):
    permission: Permission = Field(
        description="One of org:read, grid:read, member:read, member:write, ticket:read, "
        "ticket:submit: the most a partner client may hold.",
        examples=["member:read"],
    )


class ClientPermissionRead(BaseModel):
    permission: Permission
    granted_at: datetime


class ApiClientWithSecret(ApiClientRead):
    secret: str = Field(
        description="The HMAC secret, shown this once: store it now, it cannot be read again."
    )


class ApiClientPage(Page[ApiClientRead]):
    pass


class TokenResponse(BaseModel):
    """RFC 6749 token response, plus the steps a limited login still owes."""

    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds the access token lives.")
    refresh_token: str = Field(description="Spend it once at /auth/refresh; it rotates.")
    pending_steps: list[PendingStep] = Field(
        default_factory=list,
        description="When not empty, the access token only opens the /auth routes until "
        "these are done (change the password, enroll TOTP); then refresh.",
    )


class RefreshRequest(RequestModel):
    refresh_token: Annotated[str, StringConstraints(min_length=1, max_length=200)]


class PasswordChange(RequestModel):
    old_password: Password
    new_password: Password = Field(
        description="12–128 characters, three of: lowercase, uppercase, digits, symbols; "
        "not containing the username."
    )


class TotpEnrollment(BaseModel):
    secret: str = Field(description="Base32 secret, shown this once.")
    otpauth_uri: str = Field(description="For a QR code: otpauth://totp/...")


class TotpConfirm(RequestModel):
    code: TotpCode


class ScopeSummary(BaseModel):
    organization_ids: list[int] = Field(description="Roots of the organization subtrees.")
    grid_ids: list[int] = Field(description="Single grids granted on their own.")


class Me(BaseModel):
    kind: PrincipalKind
    id: int
    username: str = Field(description="Username, or the API client's name.")
    display_name: str | None = None
    role: Role | None
    permissions: list[str]
    scope: ScopeSummary
    must_change_password: bool = False
    totp_enabled: bool = False
    pending_steps: list[PendingStep] = Field(default_factory=list)
