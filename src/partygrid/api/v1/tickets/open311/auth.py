"""The ``api_key`` of POST requests: an API client's key id and secret, ``<key_id>.<secret>``.

Open311 clients cannot sign requests the way partner systems do (the specification sends
the key as a form field), so the secret itself is checked, in constant time, against the
sealed one. The principal is that API client with its scope, like any partner's.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Form, Request

from partygrid.api.deps import get_uow
from partygrid.api.security import actor_for
from partygrid.api.v1.tickets.open311.formats import Open311Error
from partygrid.domain.access import Actor, Permission
from partygrid.services.accounts.partners import authenticate_api_key

SUBMIT_PERMISSION = Permission.ticket_submit
_INVALID = "api_key is missing or invalid"


def split_api_key(api_key: str | None) -> tuple[str, str] | None:
    key_id, dot, secret = (api_key or "").strip().partition(".")
    return (key_id, secret) if dot and key_id and secret else None


async def api_key_actor(
    request: Request,
    api_key: Annotated[
        str | None,
        Form(description="`<key_id>.<secret>` of an API client (see /api/v1/api-clients)."),
    ] = None,
) -> Actor:
    parts = split_api_key(api_key)
    if parts is None:
        raise Open311Error(403, _INVALID)
    principal = await authenticate_api_key(await get_uow(request), *parts)
    if principal is None:
        raise Open311Error(403, _INVALID)
    actor = actor_for(request, principal)
    request.state.actor = actor  # refusals from here on are audited with the client
    if not principal.can(SUBMIT_PERMISSION):
        raise Open311Error(403, f"this client lacks {SUBMIT_PERMISSION.value}")
    return actor


# The route enumeration reads the permission this dependency enforces.
api_key_actor.permission = SUBMIT_PERMISSION  # type: ignore[attr-defined]
Open311Client = Annotated[Actor, Depends(api_key_actor)]
