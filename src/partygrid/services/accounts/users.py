"""Administration of people's accounts, split as 等保三级 asks: the system admin creates,
disables and resets accounts (``user:manage``); the security admin alone gives them a
role and a scope, unlocks them and ends their sessions (``access:grant``). Nobody changes
their own access or standing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from partygrid.domain.access import UNSCOPED_ROLES, Actor, PrincipalKind, Role
from partygrid.domain.accounts.model import (
    ApiClient,
    ScopeGrant,
    User,
    check_assignable,
    check_not_self,
    check_takes_scope,
    normalize_username,
)
from partygrid.domain.accounts.passwords import check_password
from partygrid.domain.errors import Conflict, NotFound, RuleViolation
from partygrid.domain.versioning import check_version
from partygrid.repo.uow import UnitOfWork
from partygrid.services.accounts.passwords import hash_password_async


@dataclass(frozen=True, slots=True)
class NewUser:
    username: str
    display_name: str
    password: str
    department: str | None = None


@dataclass(frozen=True, slots=True)
class Account:
    """A user (or, for /auth/me, an API client) with the grants that make up its scope."""

    user: User | None
    client: ApiClient | None
    grants: list[ScopeGrant]


def snapshot(user: User) -> dict[str, Any]:
    """What the audit trail keeps of an account: never the hash or the TOTP secret."""
    return {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role.value if user.role else None,
        "department": user.department,
        "is_active": user.is_active,
        "must_change_password": user.must_change_password,
        "totp_confirmed": user.totp_confirmed,
    }


def grant_snapshot(grant: ScopeGrant) -> dict[str, Any]:
    return {"organization_id": grant.organization_id, "grid_id": grant.grid_id}


async def require_user(uow: UnitOfWork, user_id: int, *, for_update: bool = False) -> User:
    user = await uow.users.get(user_id, for_update=for_update)
    if user is None:
        raise NotFound(f"user {user_id} not found")
    return user


async def create_user(uow: UnitOfWork, actor: Actor, *, new: NewUser) -> User:
    """A new account with no role and no scope (those are the security admin's to give),
    whose first login must change the initial password."""
    username = normalize_username(new.username)
    check_password(new.password, username=username)
    async with uow:
        if await uow.users.get_by_username(username) is not None:
            raise Conflict(f"the username {username} is taken", rule="username-unique")
        user = await uow.users.add(
            username=username, display_name=new.display_name, department=new.department,
            password_hash=await hash_password_async(new.password), must_change_password=True,
        )  # fmt: skip
        uow.audit.record(actor, "user.create", "user", user.id, after=snapshot(user))
        await uow.commit()
        return user


async def get_account(uow: UnitOfWork, *, user_id: int) -> Account:
    async with uow:
        user = await require_user(uow, user_id)
        return Account(user, None, await uow.scopes.of(user_id=user.id))


async def list_accounts(
    uow: UnitOfWork,
    *,
    role: Role | None,
    active: bool | None,
    username_prefix: str | None,
    after_id: int | None,
    limit: int,
) -> list[Account]:
    async with uow:
        users = await uow.users.list_page(
            role=role, active=active, username_prefix=username_prefix, after_id=after_id,
            limit=limit,
        )  # fmt: skip
        grants = await uow.scopes.of_many([u.id for u in users])
        return [Account(u, None, grants[u.id]) for u in users]


async def describe_principal(uow: UnitOfWork, actor: Actor) -> Account:
    """The caller's own account, for GET /auth/me."""
    principal = actor.principal
    async with uow:
        if principal.kind is PrincipalKind.api_client:
            client = await uow.api_clients.get(principal.id)
            if client is None:
                raise NotFound("this API client no longer exists")
            return Account(None, client, await uow.scopes.of(client_id=client.id))
        user = await require_user(uow, principal.id)
        return Account(user, None, await uow.scopes.of(user_id=user.id))


async def _change(
    uow: UnitOfWork,
    actor: Actor,
    user: User,
    action: str,
    *,
    reason: str | None = None,
    **values: Any,
) -> User:
    updated = await uow.users.update_fields(user.id, **values)
    uow.audit.record(
        actor, action, "user", user.id, before=snapshot(user), after=snapshot(updated),
        reason=reason,
    )  # fmt: skip
    return updated


async def update_user(
    uow: UnitOfWork,
    actor: Actor,
    *,
    user_id: int,
    changes: dict[str, Any],
    expected_version: int | None,
) -> User:
    """Edit the display name or department."""
    async with uow:
        user = await require_user(uow, user_id, for_update=True)
        check_version(user.version, expected_version)
        if changes:
            user = await _change(uow, actor, user, "user.update", **changes)
            await uow.commit()
        return user


async def set_active(
    uow: UnitOfWork, actor: Actor, *, user_id: int, active: bool, expected_version: int | None
) -> User:
    """Disable (every session ends at once) or enable an account; nothing is deleted."""
    check_not_self(actor, user_id, "account")
    async with uow:
        user = await require_user(uow, user_id, for_update=True)
        check_version(user.version, expected_version)
        if user.is_active == active:
            return user
        if not active:
            await uow.users.revoke_sessions_of(user.id, "account-disabled")
        user = await _change(
            uow, actor, user, "user.enable" if active else "user.disable", is_active=active
        )
        await uow.commit()
        return user


async def reset_password(uow: UnitOfWork, actor: Actor, *, user_id: int, password: str) -> User:
    """Set a new initial password (the user must change it at next login); every session
    of the account ends. Lockout and the second factor are left as they are: lifting
    those is the security admin's part, so no single admin can take over an account."""
    check_not_self(actor, user_id, "password here; use /auth/password")
    async with uow:
        user = await require_user(uow, user_id, for_update=True)
        check_password(password, username=user.username)
        await uow.users.revoke_sessions_of(user.id, "password-reset")
        user = await _change(
            uow, actor, user, "user.password_reset",
            password_hash=await hash_password_async(password),
            password_changed_at=datetime.now(UTC), must_change_password=True,
        )  # fmt: skip
        await uow.commit()
        return user


async def set_role(
    uow: UnitOfWork, actor: Actor, *, user_id: int, role: Role | None, expected_version: int | None
) -> User:
    """Give (or take away) the role. A role that holds no business data drops the user's
    scope; any change ends the user's sessions so the new powers start from a new login."""
    check_not_self(actor, user_id, "role")
    check_assignable(role)
    async with uow:
        user = await require_user(uow, user_id, for_update=True)
        check_version(user.version, expected_version)
        if user.role == role:
            return user
        dropped: list[ScopeGrant] = []
        if role in UNSCOPED_ROLES:
            dropped = await uow.scopes.revoke_all(user_id=user.id)
        await uow.users.revoke_sessions_of(user.id, "role-changed")
        user = await _change(
            uow, actor, user, "user.role_set", role=role.value if role else None,
            reason=f"dropped {len(dropped)} scope grants" if dropped else None,
        )  # fmt: skip
        await uow.commit()
        return user


async def check_scope_target(
    uow: UnitOfWork, *, organization_id: int | None, grid_id: int | None
) -> None:
    if (organization_id is None) == (grid_id is None):
        raise RuleViolation("name exactly one of organization_id and grid_id", rule="one-target")
    what = f"organization {organization_id}" if organization_id else f"grid {grid_id}"
    status = await uow.scopes.target_status(organization_id=organization_id, grid_id=grid_id)
    if status is None:
        raise RuleViolation(f"{what} does not exist", rule="scope-target-exists")
    if status != "active":
        raise RuleViolation(f"{what} is {status}", rule="scope-target-active")


async def grant_scope(
    uow: UnitOfWork, actor: Actor, *, user_id: int, organization_id: int | None,
    grid_id: int | None,
) -> ScopeGrant:  # fmt: skip
    """Add an organization subtree or a single grid to what the user sees."""
    check_not_self(actor, user_id, "scope")
    async with uow:
        user = await require_user(uow, user_id, for_update=True)
        check_takes_scope(user.role)
        await check_scope_target(uow, organization_id=organization_id, grid_id=grid_id)
        grant = await uow.scopes.grant(
            user_id=user.id, organization_id=organization_id, grid_id=grid_id
        )
        if grant is None:
            raise Conflict("the user already has this grant", rule="grant-unique")
        uow.audit.record(actor, "user.scope_grant", "user", user.id,
                         after=grant_snapshot(grant))  # fmt: skip
        await uow.commit()
        return grant


async def revoke_scope(uow: UnitOfWork, actor: Actor, *, user_id: int, scope_id: int) -> None:
    check_not_self(actor, user_id, "scope")
    async with uow:
        user = await require_user(uow, user_id, for_update=True)
        grant = await uow.scopes.revoke(scope_id, user_id=user.id)
        if grant is None:
            raise NotFound(f"user {user_id} has no scope grant {scope_id}")
        uow.audit.record(actor, "user.scope_revoke", "user", user.id,
                         before=grant_snapshot(grant))  # fmt: skip
        await uow.commit()


async def unlock_user(uow: UnitOfWork, actor: Actor, *, user_id: int) -> User:
    check_not_self(actor, user_id, "lockout")
    async with uow:
        user = await require_user(uow, user_id, for_update=True)
        updated = await uow.users.update_fields(
            user.id, bump_version=False, failed_logins=0, locked_until=None
        )
        uow.audit.record(
            actor, "user.unlock", "user", user.id,
            before={"failed_logins": user.failed_logins, "locked_until": user.locked_until},
        )  # fmt: skip
        await uow.commit()
        return updated


async def end_sessions(uow: UnitOfWork, actor: Actor, *, user_id: int) -> int:
    """Log the user out everywhere; returns how many sessions ended."""
    check_not_self(actor, user_id, "sessions here; use /auth/logout")
    async with uow:
        user = await require_user(uow, user_id)
        ended = await uow.users.revoke_sessions_of(user.id, "revoked-by-admin")
        uow.audit.record(actor, "user.sessions_revoke", "user", user.id,
                         after={"sessions_ended": ended})  # fmt: skip
        await uow.commit()
        return ended


async def reset_totp(uow: UnitOfWork, actor: Actor, *, user_id: int) -> User:
    """Forget a lost authenticator; the user enrolls a new one at next login."""
    check_not_self(actor, user_id, "second factor")
    async with uow:
        user = await require_user(uow, user_id, for_update=True)
        await uow.users.revoke_sessions_of(user.id, "totp-reset")
        user = await _change(
            uow, actor, user, "user.totp_reset", totp_secret_enc=None, totp_confirmed=False,
            totp_last_step=None,
        )  # fmt: skip
        await uow.commit()
        return user
