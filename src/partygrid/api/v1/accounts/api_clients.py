"""Partner systems as API clients (接口客户端): HMAC keys made by the system admin, scopes
and permissions given by the security admin."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Response, status

from partygrid.api.deps import Cursor, ExpectedVersion, PageSize, ReadUow, Uow
from partygrid.api.errors import problem_responses
from partygrid.api.etag import set_etag
from partygrid.api.pagination import cursor_after_id, next_id_cursor
from partygrid.api.routing import PrefixRouter
from partygrid.api.security import require
from partygrid.api.v1.accounts.schemas import (
    ApiClientCreate,
    ApiClientPage,
    ApiClientRead,
    ApiClientWithSecret,
    ClientPermissionGrant,
    ClientPermissionRead,
    ScopeGrantCreate,
    ScopeGrantRead,
)
from partygrid.domain.access import Actor, Permission
from partygrid.domain.accounts.model import ApiClient
from partygrid.services.accounts import api_clients as svc

router = PrefixRouter(prefix="/api-clients", tags=["api-clients"])

Reader = Annotated[Actor, Depends(require(Permission.user_read))]
Manager = Annotated[Actor, Depends(require(Permission.client_manage))]
Granter = Annotated[Actor, Depends(require(Permission.access_grant))]

WRITE_ERRORS = problem_responses(401, 403, 404, 412, 422)


def _with_secret(client: ApiClient, secret: str, response: Response) -> ApiClientWithSecret:
    response.headers["Cache-Control"] = "no-store"
    set_etag(response, client.version)
    return ApiClientWithSecret(**ApiClientRead.of(client, []).model_dump(), secret=secret)


async def _read(uow: Uow, client_id: int, response: Response) -> ApiClientRead:
    account = await svc.get_client(uow, client_id=client_id)
    assert account.client is not None
    set_etag(response, account.client.version)
    return ApiClientRead.of(account.client, account.grants)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ApiClientWithSecret,
    responses=problem_responses(401, 403, 422),
)
async def create_api_client(
    body: ApiClientCreate, actor: Manager, uow: Uow, response: Response
) -> ApiClientWithSecret:
    """Create a partner client; the response carries its secret, this once."""
    client, secret = await svc.create_client(uow, actor, name=body.name)
    response.headers["Location"] = f"/api/v1/api-clients/{client.id}"
    return _with_secret(client, secret, response)


@router.get("", response_model=ApiClientPage, responses=problem_responses(401, 403, 422))
async def list_api_clients(
    actor: Reader, uow: ReadUow, limit: PageSize, cursor: Cursor = None
) -> ApiClientPage:
    """List partner clients by id (never their secrets)."""
    accounts = await svc.list_clients(uow, after_id=cursor_after_id(cursor), limit=limit)
    items = [ApiClientRead.of(a.client, a.grants) for a in accounts if a.client]
    return ApiClientPage(
        items=items,
        next_cursor=next_id_cursor(items[-1].id if items else None, len(items), limit),
    )


@router.get(
    "/{client_id}", response_model=ApiClientRead, responses=problem_responses(401, 403, 404)
)
async def get_api_client(
    client_id: int, actor: Reader, uow: ReadUow, response: Response
) -> ApiClientRead:
    """One partner client."""
    return await _read(uow, client_id, response)


@router.post("/{client_id}/disable", response_model=ApiClientRead, responses=WRITE_ERRORS)
async def disable_api_client(
    client_id: int, actor: Manager, uow: Uow, expected: ExpectedVersion, response: Response
) -> ApiClientRead:
    """Refuse the client's signatures from now on."""
    await svc.set_client_active(
        uow, actor, client_id=client_id, active=False, expected_version=expected
    )
    return await _read(uow, client_id, response)


@router.post("/{client_id}/enable", response_model=ApiClientRead, responses=WRITE_ERRORS)
async def enable_api_client(
    client_id: int, actor: Manager, uow: Uow, expected: ExpectedVersion, response: Response
) -> ApiClientRead:
    """Accept the client's signatures again."""
    await svc.set_client_active(
        uow, actor, client_id=client_id, active=True, expected_version=expected
    )
    return await _read(uow, client_id, response)


@router.post(
    "/{client_id}/rotate-secret", response_model=ApiClientWithSecret, responses=WRITE_ERRORS
)
async def rotate_api_client_secret(
    client_id: int, actor: Manager, uow: Uow, response: Response
) -> ApiClientWithSecret:
    """Issue a new secret, shown this once; the old one stops working at once."""
    client, secret = await svc.rotate_secret(uow, actor, client_id=client_id)
    account = await svc.get_client(uow, client_id=client.id)
    result = _with_secret(client, secret, response)
    result.scopes = [ScopeGrantRead.of(g) for g in account.grants]
    return result


@router.post(
    "/{client_id}/scopes",
    status_code=status.HTTP_201_CREATED,
    response_model=ScopeGrantRead,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def grant_api_client_scope(
    client_id: int, body: ScopeGrantCreate, actor: Granter, uow: Uow
) -> ScopeGrantRead:
    """Add an organization subtree or a single grid to the client's scope."""
    grant = await svc.grant_client_scope(
        uow, actor, client_id=client_id, organization_id=body.organization_id,
        grid_id=body.grid_id,
    )  # fmt: skip
    return ScopeGrantRead.of(grant)


@router.delete(
    "/{client_id}/scopes/{scope_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 403, 404, 422),
)
async def revoke_api_client_scope(client_id: int, scope_id: int, actor: Granter, uow: Uow) -> None:
    """Remove one grant from the client's scope."""
    await svc.revoke_client_scope(uow, actor, client_id=client_id, scope_id=scope_id)


@router.post(
    "/{client_id}/permissions",
    status_code=status.HTTP_201_CREATED,
    response_model=ClientPermissionRead,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def grant_api_client_permission(
    client_id: int, body: ClientPermissionGrant, actor: Granter, uow: Uow
) -> ClientPermissionRead:
    """Let the client do one more thing (at most what a partner may), from its next request."""
    granted_at = await svc.grant_client_permission(
        uow, actor, client_id=client_id, permission=body.permission
    )
    return ClientPermissionRead(permission=body.permission, granted_at=granted_at)


@router.delete(
    "/{client_id}/permissions/{permission}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 403, 404, 422),
)
async def revoke_api_client_permission(
    client_id: int, permission: Permission, actor: Granter, uow: Uow
) -> None:
    """Take one permission away from the client; its next request is refused it."""
    await svc.revoke_client_permission(uow, actor, client_id=client_id, permission=permission)
