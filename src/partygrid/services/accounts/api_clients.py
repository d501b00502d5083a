"""Partner systems (公安, 民政, 12345 hotline) as API clients signing with HMAC.

The system admin creates, disables and re-keys them (``client:manage``); the security
admin gives them a scope and, one by one, their permissions (``access:grant``): a new
client may do nothing but say who it is. The shared secret is shown once, when made, and
kept encrypted (a signature check needs it back, so no hash).
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from partygrid.domain.access import Actor, Permission
from partygrid.domain.accounts.model import ApiClient, ScopeGrant, check_grantable_to_client
from partygrid.domain.errors import Conflict, NotFound
from partygrid.domain.versioning import check_version
from partygrid.repo.uow import UnitOfWork
from partygrid.services.accounts.users import Account, check_scope_target, grant_snapshot


def _snapshot(client: ApiClient) -> dict[str, Any]:
    return {"name": client.name, "key_id": client.key_id, "role": client.role.value,
            "is_active": client.is_active,
            "permissions": sorted(p.value for p in client.permissions)}  # fmt: skip


def new_key_id() -> str:
    return f"pk-{secrets.token_hex(10)}"


def new_secret() -> str:
    return secrets.token_urlsafe(32)


async def require_client(uow: UnitOfWork, client_id: int, *, for_update: bool = False) -> ApiClient:
    client = await uow.api_clients.get(client_id, for_update=for_update)
    if client is None:
        raise NotFound(f"API client {client_id} not found")
    return client


async def create_client(uow: UnitOfWork, actor: Actor, *, name: str) -> tuple[ApiClient, str]:
    """A new partner client with no scope and no permission yet; returns it and its
    secret (shown once)."""
    secret = new_secret()
    async with uow:
        client = await uow.api_clients.add(name=name, key_id=new_key_id(), secret=secret)
        uow.audit.record(actor, "api_client.create", "api_client", client.id,
                         after=_snapshot(client))  # fmt: skip
        await uow.commit()
        return client, secret


async def get_client(uow: UnitOfWork, *, client_id: int) -> Account:
    async with uow:
        client = await require_client(uow, client_id)
        return Account(None, client, await uow.scopes.of(client_id=client.id))


async def list_clients(uow: UnitOfWork, *, after_id: int | None, limit: int) -> list[Account]:
    async with uow:
        clients = await uow.api_clients.list_page(after_id=after_id, limit=limit)
        return [Account(None, c, await uow.scopes.of(client_id=c.id)) for c in clients]


async def set_client_active(
    uow: UnitOfWork, actor: Actor, *, client_id: int, active: bool, expected_version: int | None
) -> ApiClient:
    """A disabled client's signatures are refused from the next request on."""
    async with uow:
        client = await require_client(uow, client_id, for_update=True)
        check_version(client.version, expected_version)
        if client.is_active == active:
            return client
        updated = await uow.api_clients.update_fields(client.id, is_active=active)
        uow.audit.record(
            actor, "api_client.enable" if active else "api_client.disable", "api_client",
            client.id, before=_snapshot(client), after=_snapshot(updated),
        )  # fmt: skip
        await uow.commit()
        return updated


async def rotate_secret(uow: UnitOfWork, actor: Actor, *, client_id: int) -> tuple[ApiClient, str]:
    """A new secret, shown once; the old one stops working at once."""
    secret = new_secret()
    async with uow:
        client = await require_client(uow, client_id, for_update=True)
        updated = await uow.api_clients.replace_secret(client.id, secret)
        uow.audit.record(actor, "api_client.secret_rotate", "api_client", client.id)
        await uow.commit()
        return updated, secret


async def grant_client_scope(
    uow: UnitOfWork, actor: Actor, *, client_id: int, organization_id: int | None,
    grid_id: int | None,
) -> ScopeGrant:  # fmt: skip
    async with uow:
        client = await require_client(uow, client_id, for_update=True)
        await check_scope_target(uow, organization_id=organization_id, grid_id=grid_id)
        grant = await uow.scopes.grant(
            client_id=client.id, organization_id=organization_id, grid_id=grid_id
        )
        if grant is None:
            raise Conflict("the client already has this grant", rule="grant-unique")
        uow.audit.record(actor, "api_client.scope_grant", "api_client", client.id,
                         after=grant_snapshot(grant))  # fmt: skip
        await uow.commit()
        return grant


async def revoke_client_scope(
    uow: UnitOfWork, actor: Actor, *, client_id: int, scope_id: int
) -> None:
    async with uow:
        client = await require_client(uow, client_id, for_update=True)
        grant = await uow.scopes.revoke(scope_id, client_id=client.id)
        if grant is None:
            raise NotFound(f"API client {client_id} has no scope grant {scope_id}")
        uow.audit.record(actor, "api_client.scope_revoke", "api_client", client.id,
                         before=grant_snapshot(grant))  # fmt: skip
        await uow.commit()


async def grant_client_permission(
    uow: UnitOfWork, actor: Actor, *, client_id: int, permission: Permission
) -> datetime:
    """Let the client do one more thing, from its next request on; returns when."""
    check_grantable_to_client(permission)
    async with uow:
        client = await require_client(uow, client_id, for_update=True)
        granted_at = await uow.api_clients.grant_permission(client.id, permission)
        if granted_at is None:
            raise Conflict(f"the client already holds {permission.value}", rule="grant-unique")
        uow.audit.record(actor, "api_client.permission_grant", "api_client", client.id,
                         after={"permission": permission.value})  # fmt: skip
        await uow.commit()
        return granted_at


async def revoke_client_permission(
    uow: UnitOfWork, actor: Actor, *, client_id: int, permission: Permission
) -> None:
    """Take a permission away; the client's next request is refused it."""
    async with uow:
        client = await require_client(uow, client_id, for_update=True)
        if not await uow.api_clients.revoke_permission(client.id, permission):
            raise NotFound(f"API client {client_id} does not hold {permission.value}")
        uow.audit.record(actor, "api_client.permission_revoke", "api_client", client.id,
                         before={"permission": permission.value})  # fmt: skip
        await uow.commit()
