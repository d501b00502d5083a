"""Administration of people's accounts (用户管理): the system admin manages accounts, the
security admin grants roles and scopes (三员分立)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Query, Response, status

from partygrid.api.deps import Cursor, ExpectedVersion, PageSize, ReadUow, Uow
from partygrid.api.errors import problem_responses
from partygrid.api.etag import set_etag
from partygrid.api.pagination import cursor_after_id, next_id_cursor
from partygrid.api.routing import PrefixRouter
from partygrid.api.security import require
from partygrid.api.v1.accounts.schemas import (
    PasswordReset,
    RoleAssignment,
    ScopeGrantCreate,
    ScopeGrantRead,
    SessionsEnded,
    UserCreate,
    UserPage,
    UserRead,
    UserUpdate,
)
from partygrid.domain.access import Actor, Permission, Role
from partygrid.domain.accounts.model import User
from partygrid.services.accounts import users as svc

router = PrefixRouter(prefix="/users", tags=["users"])

Reader = Annotated[Actor, Depends(require(Permission.user_read))]
Manager = Annotated[Actor, Depends(require(Permission.user_manage))]
Granter = Annotated[Actor, Depends(require(Permission.access_grant))]

WRITE_ERRORS = problem_responses(401, 403, 404, 412, 422)


async def _read(uow: Uow, user: User, response: Response) -> UserRead:
    account = await svc.get_account(uow, user_id=user.id)
    set_etag(response, user.version)
    return UserRead.of(user, account.grants, datetime.now(UTC))


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=UserRead,
    responses=problem_responses(401, 403, 409, 422),
)
async def create_user(body: UserCreate, actor: Manager, uow: Uow, response: Response) -> UserRead:
    """Create an account with an initial password, no role and no scope (a security admin
    gives those). The first login must change the password."""
    user = await svc.create_user(uow, actor, new=svc.NewUser(**body.model_dump()))
    response.headers["Location"] = f"/api/v1/users/{user.id}"
    return await _read(uow, user, response)


@router.get("", response_model=UserPage, responses=problem_responses(401, 403, 422))
async def list_users(
    actor: Reader,
    uow: ReadUow,
    limit: PageSize,
    cursor: Cursor = None,
    role: Role | None = None,
    active: bool | None = None,
    username_prefix: Annotated[str | None, Query(max_length=64)] = None,
) -> UserPage:
    """List accounts by id, with their roles and scopes."""
    accounts = await svc.list_accounts(
        uow, role=role, active=active, username_prefix=username_prefix,
        after_id=cursor_after_id(cursor), limit=limit,
    )  # fmt: skip
    now = datetime.now(UTC)
    items = [UserRead.of(a.user, a.grants, now) for a in accounts if a.user]
    return UserPage(
        items=items,
        next_cursor=next_id_cursor(items[-1].id if items else None, len(items), limit),
    )


@router.get("/{user_id}", response_model=UserRead, responses=problem_responses(401, 403, 404))
async def get_user(user_id: int, actor: Reader, uow: ReadUow, response: Response) -> UserRead:
    """One account."""
    account = await svc.get_account(uow, user_id=user_id)
    assert account.user is not None
    set_etag(response, account.user.version)
    return UserRead.of(account.user, account.grants, datetime.now(UTC))


@router.patch("/{user_id}", response_model=UserRead, responses=WRITE_ERRORS)
async def update_user(
    user_id: int,
    body: UserUpdate,
    actor: Manager,
    uow: Uow,
    expected: ExpectedVersion,
    response: Response,
) -> UserRead:
    """Edit the display name or department."""
    user = await svc.update_user(
        uow, actor, user_id=user_id, changes=body.model_dump(exclude_unset=True),
        expected_version=expected,
    )  # fmt: skip
    return await _read(uow, user, response)


@router.post("/{user_id}/disable", response_model=UserRead, responses=WRITE_ERRORS)
async def disable_user(
    user_id: int, actor: Manager, uow: Uow, expected: ExpectedVersion, response: Response
) -> UserRead:
    """Disable an account; its sessions end at once. Accounts are never deleted."""
    user = await svc.set_active(
        uow, actor, user_id=user_id, active=False, expected_version=expected
    )
    return await _read(uow, user, response)


@router.post("/{user_id}/enable", response_model=UserRead, responses=WRITE_ERRORS)
async def enable_user(
    user_id: int, actor: Manager, uow: Uow, expected: ExpectedVersion, response: Response
) -> UserRead:
    """Enable a disabled account again."""
    user = await svc.set_active(uow, actor, user_id=user_id, active=True, expected_version=expected)
    return await _read(uow, user, response)


@router.post("/{user_id}/password", response_model=UserRead, responses=WRITE_ERRORS)
async def reset_password(
    user_id: int, body: PasswordReset, actor: Manager, uow: Uow, response: Response
) -> UserRead:
    """Set a new initial password (to be changed at next login); the user's sessions end."""
    user = await svc.reset_password(uow, actor, user_id=user_id, password=body.password)
    return await _read(uow, user, response)


@router.put("/{user_id}/role", response_model=UserRead, responses=WRITE_ERRORS)
async def set_role(
    user_id: int,
    body: RoleAssignment,
    actor: Granter,
    uow: Uow,
    expected: ExpectedVersion,
    response: Response,
) -> UserRead:
    """Give or take away the role (security admin; never one's own). The user's sessions
    end; a role without business data drops the scope."""
    user = await svc.set_role(
        uow, actor, user_id=user_id, role=body.role, expected_version=expected
    )
    return await _read(uow, user, response)


@router.post(
    "/{user_id}/scopes",
    status_code=status.HTTP_201_CREATED,
    response_model=ScopeGrantRead,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def grant_user_scope(
    user_id: int, body: ScopeGrantCreate, actor: Granter, uow: Uow
) -> ScopeGrantRead:
    """Add an organization subtree or a single grid to the user's scope."""
    grant = await svc.grant_scope(
        uow, actor, user_id=user_id, organization_id=body.organization_id, grid_id=body.grid_id
    )
    return ScopeGrantRead.of(grant)


@router.delete(
    "/{user_id}/scopes/{scope_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 403, 404, 422),
)
async def revoke_user_scope(user_id: int, scope_id: int, actor: Granter, uow: Uow) -> None:
    """Remove one grant from the user's scope."""
    await svc.revoke_scope(uow, actor, user_id=user_id, scope_id=scope_id)


@router.post("/{user_id}/unlock", response_model=UserRead, responses=WRITE_ERRORS)
async def unlock_user(user_id: int, actor: Granter, uow: Uow, response: Response) -> UserRead:
    """Lift a lockout after failed logins."""
    user = await svc.unlock_user(uow, actor, user_id=user_id)
    return await _read(uow, user, response)


@router.post("/{user_id}/revoke-sessions", response_model=SessionsEnded, responses=WRITE_ERRORS)
async def revoke_user_sessions(user_id: int, actor: Granter, uow: Uow) -> SessionsEnded:
    """Log the user out everywhere."""
    return SessionsEnded(sessions_ended=await svc.end_sessions(uow, actor, user_id=user_id))


@router.post("/{user_id}/totp/reset", response_model=UserRead, responses=WRITE_ERRORS)
async def reset_user_totp(user_id: int, actor: Granter, uow: Uow, response: Response) -> UserRead:
    """Forget a lost authenticator; the user sets up a new one at next login."""
    user = await svc.reset_totp(uow, actor, user_id=user_id)
    return await _read(uow, user, response)
