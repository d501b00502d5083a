"""Authentication (bearer JWT for people, HMAC signatures for partner systems) and the
permission every route declares. A route without ``require(...)``, ``authenticated()`` or
``public(...)`` fails the test that enumerates the routes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, OAuth2PasswordBearer

from partygrid.api.deps import get_uow
from partygrid.api.middleware import connection_lease
from partygrid.config import Settings
from partygrid.domain.access import Actor, Permission, Principal
from partygrid.domain.accounts.signatures import (
    KEY_HEADER,
    NONCE_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
)
from partygrid.domain.errors import Forbidden, Unauthenticated
from partygrid.repo.accounts.principals import load_user_principal
from partygrid.services.accounts.partners import SignedRequest, authenticate_signed_request
from partygrid.services.accounts.tokens import decode_access_token

TOKEN_URL = "/api/v1/auth/token"

oauth2_scheme = OAuth2PasswordBearer(
    tokenUrl=TOKEN_URL, auto_error=False, scheme_name="OAuth2Password",
    description=(
        "People: log in with username and password. Accounts with a second factor add the "
        "TOTP code as `totp` (in this dialog: as client_secret)."
    ),
)  # fmt: skip
partner_scheme = APIKeyHeader(
    name=KEY_HEADER, auto_error=False, scheme_name="PartnerHMAC",
    description=(
        "Partner systems: key id here, plus X-PartyGrid-Timestamp (unix seconds), "
        "X-PartyGrid-Nonce (16-64 url-safe chars, never reused) and X-PartyGrid-Signature = "
        "base64(HMAC-SHA256(secret, METHOD\\nPATH?QUERY\\nTIMESTAMP\\nNONCE\\nhex(sha256(body))))."
    ),
)  # fmt: skip


async def _user(request: Request, token: str, *, allow_pending: bool = False) -> Principal:
    settings: Settings = request.app.state.settings
    claims = decode_access_token(settings, token, allow_pending=allow_pending)
    request.state.pending_steps = claims.pending
    # Every request pays for this lookup (revocation must bite at once), so it runs
    # outside a transaction on a bare driver connection: one round trip, little CPU.
    # The connection stays leased for the read that follows (repo/connection_lease.py).
    async with connection_lease(request).use() as connection:
        principal = await load_user_principal(connection, claims.user_id, claims.session_id)
    if principal is None:
        raise Unauthenticated("the session has ended or the account is disabled; log in again")
    return principal


async def _partner(request: Request, key_id: str) -> Principal:
    settings: Settings = request.app.state.settings
    headers = request.headers
    signed = SignedRequest(
        key_id=key_id,
        method=request.method,
        target=request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        timestamp=headers.get(TIMESTAMP_HEADER, ""),
        nonce=headers.get(NONCE_HEADER, ""),
        signature=headers.get(SIGNATURE_HEADER, ""),
        body=await request.body(),
    )
    return await authenticate_signed_request(
        await get_uow(request), signed, window_seconds=settings.signature_window_seconds
    )


async def authenticate(
    request: Request,
    token: Annotated[str | None, Depends(oauth2_scheme)],
    key_id: Annotated[str | None, Depends(partner_scheme)],
) -> Principal:
    if token:
        return await _user(request, token)
    if key_id:
        return await _partner(request, key_id)
    raise Unauthenticated("log in (bearer token) or sign the request (partner key)")


async def authenticate_allowing_pending(
    request: Request,
    token: Annotated[str | None, Depends(oauth2_scheme)],
    key_id: Annotated[str | None, Depends(partner_scheme)],
) -> Principal:
    """Like ``authenticate``, but also accepts a limited token (a login that still owes a
    password change or TOTP enrollment): only for the routes that finish a login."""
    if token:
        return await _user(request, token, allow_pending=True)
    if key_id:
        return await _partner(request, key_id)
    raise Unauthenticated("log in (bearer token) or sign the request (partner key)")


def actor_for(request: Request, principal: Principal) -> Actor:
    return Actor(
        principal=principal,
        client_address=request.client.host if request.client else None,
        request_id=getattr(request.state, "request_id", None),
    )


PermissionDependency = Callable[..., Awaitable[Actor]]


def require(permission: Permission) -> PermissionDependency:
    """Dependency that authenticates, checks the role has ``permission`` and returns the
    actor (principal + client address + request id) for scoping and auditing."""

    async def dependency(
        request: Request, principal: Annotated[Principal, Depends(authenticate)]
    ) -> Actor:
        actor = actor_for(request, principal)
        # Set before the check, so a refusal (403 included) is audited with its principal.
        request.state.actor = actor
        if not principal.can(permission):
            raise Forbidden(f"the role {principal.role or 'none'} lacks {permission.value}")
        return actor

    dependency.permission = permission  # type: ignore[attr-defined]
    dependency.__name__ = f"require_{permission.name}"
    return dependency


def authenticated(*, allow_pending: bool = False) -> PermissionDependency:
    """Dependency for routes any authenticated principal may call about itself (who am
    I, log out, change my password), whatever its role; returns the actor."""
    authenticator = authenticate_allowing_pending if allow_pending else authenticate

    # A default, not an Annotated alias: the annotation is a string under
    # ``from __future__ import annotations`` and could not see this local.
    async def dependency(request: Request, principal: Principal = Depends(authenticator)) -> Actor:
        actor = actor_for(request, principal)
        request.state.actor = actor
        return actor

    dependency.authenticated = True  # type: ignore[attr-defined]
    dependency.__name__ = "authenticated_pending_ok" if allow_pending else "authenticated"
    return dependency


def public(why: str) -> Callable[[], Awaitable[None]]:
    """Marks a route as deliberately open to anyone, saying why."""

    async def dependency() -> None:
        return None

    dependency.public = why  # type: ignore[attr-defined]
    return dependency


def route_access(dependant_calls: list[object]) -> tuple[str, ...]:
    """What a route declares, for the test that enumerates routes: permissions and
    public markers found among its dependency callables."""
    found: list[str] = []
    for call in dependant_calls:
        if hasattr(call, "permission"):
            found.append(call.permission.value)
        if hasattr(call, "public"):
            found.append("public")
        if getattr(call, "authenticated", False) is True:
            found.append("authenticated")
    return tuple(found)
