"""Schemas of logging in and of one's own account."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from partygrid.api.schemas.common import RequestModel
from partygrid.domain.access import PrincipalKind, Role
from partygrid.domain.accounts import PendingStep

# Passwords are taken verbatim: stripping spaces would silently change them.
Password = Annotated[str, StringConstraints(strip_whitespace=False, min_length=1, max_length=1024)]
TotpCode = Annotated[str, StringConstraints(pattern=r"^\d{6}$")]


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
