"""Accounts of people and partner systems: who may change whose access, and the steps a
login can still owe (a new password, a second factor) before it may do anything else."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from partygrid.domain.access import (
    ADMIN_ROLES,
    CLIENT_GRANTABLE,
    UNSCOPED_ROLES,
    Actor,
    Permission,
    PrincipalKind,
    Role,
)
from partygrid.domain.errors import Forbidden, InvalidValue, RuleViolation, Unauthenticated

USERNAME = re.compile(r"^[a-z0-9._-]{3,64}$")

# What the failed-login answer says, whatever the reason: unknown user, wrong password,
# wrong or reused code, locked or disabled account. It never tells which.
BAD_CREDENTIALS = "wrong username, password or TOTP code, or the account is locked or disabled"


class PendingStep(StrEnum):
    """Something a login must finish before its token opens anything but /auth."""

    password_change = "password_change"  # an administrator set the password
    totp_enrollment = "totp_enrollment"  # an admin role without a confirmed second factor


class StepRequired(Forbidden):
    """A limited token (see ``PendingStep``) used on a route that needs a full one."""

    code = "step-required"
    title = "Finish logging in first"


class TotpRequired(Unauthenticated):
    """The password was right but this account also needs a TOTP code."""

    code = "totp-required"
    title = "A TOTP code is required"


@dataclass(frozen=True, slots=True)
class User:
    id: int
    username: str
    display_name: str
    role: Role | None
    department: str | None
    password_hash: str = field(repr=False)
    password_changed_at: datetime | None = None
    must_change_password: bool = False
    failed_logins: int = 0
    locked_until: datetime | None = None
    totp_secret_enc: bytes | None = field(default=None, repr=False)
    totp_confirmed: bool = False
    totp_last_step: int | None = None
    is_active: bool = True
    last_login_at: datetime | None = None
    version: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now

    def needs_totp(self, *, admin_totp_required: bool) -> bool:
        """A confirmed second factor is always asked for; admins must have one when the
        setting enforces it."""
        return self.totp_confirmed or (admin_totp_required and self.role in ADMIN_ROLES)

    def pending_steps(self, *, admin_totp_required: bool) -> tuple[PendingStep, ...]:
        steps = []
        if self.must_change_password:
            steps.append(PendingStep.password_change)
        if admin_totp_required and self.role in ADMIN_ROLES and not self.totp_confirmed:
            steps.append(PendingStep.totp_enrollment)
        return tuple(steps)


@dataclass(frozen=True, slots=True)
class ApiClient:
    id: int
    name: str
    key_id: str
    role: Role
    is_active: bool
    secret_enc: bytes = field(repr=False)
    permissions: frozenset[Permission] = frozenset()  # given one by one (CLIENT_GRANTABLE)
    version: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ScopeGrant:
    """One row of a principal's scope: an organization subtree or a single grid."""

    id: int
    organization_id: int | None
    grid_id: int | None
    created_at: datetime | None = None


def normalize_username(username: str, *, field: str = "body.username") -> str:
    name = username.strip().lower()
    if not USERNAME.match(name):
        raise InvalidValue(
            "username must be 3 to 64 characters: lowercase letters, digits, '.', '_' or '-'",
            field=field,
        )
    return name


def check_not_self(actor: Actor, user_id: int, what: str) -> None:
    """Separation of duties: nobody changes their own access or account standing."""
    principal = actor.principal
    if principal.kind is PrincipalKind.user and principal.id == user_id:
        raise RuleViolation(
            f"you cannot change your own {what}; another administrator must do it",
            rule="not-own-access",
        )


def check_assignable(role: Role | None) -> None:
    if role is Role.partner_system:
        raise RuleViolation(
            "partner_system is the role of API clients, not of people", rule="role-for-clients"
        )


def check_takes_scope(role: Role | None) -> None:
    if role in UNSCOPED_ROLES:
        raise RuleViolation(
            f"the role {role} holds no business data and takes no scope",
            rule="role-takes-no-scope",
        )


def check_grantable_to_client(permission: Permission) -> None:
    """A partner client never holds more than a partner may."""
    if permission not in CLIENT_GRANTABLE:
        allowed = ", ".join(sorted(p.value for p in CLIENT_GRANTABLE))
        raise RuleViolation(
            f"{permission.value} is not for partner clients; they may hold {allowed}",
            rule="permission-not-for-clients",
        )
