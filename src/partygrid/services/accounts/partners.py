"""Partner systems' requests (公安, 民政, 12345): an HMAC signature checked against the
client's sealed secret with a nonce spent once, or an Open311 ``api_key`` checked in
constant time. Each answer is the client's principal with its scope, or a refusal that
says as little as possible."""

from __future__ import annotations

import hmac
import re
import time
from dataclasses import dataclass

from partygrid.domain.access import Principal
from partygrid.domain.accounts.signatures import (
    NONCE_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    sign,
    signature_matches,
)
from partygrid.domain.errors import Unauthenticated
from partygrid.repo.uow import UnitOfWork

NONCE_FORMAT = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


@dataclass(frozen=True, slots=True)
class SignedRequest:
    """What a partner sent: its key id, the signature headers, and what they sign."""

    key_id: str
    method: str
    target: str  # path and query, as signed
    timestamp: str
    nonce: str
    signature: str
    body: bytes


async def authenticate_signed_request(
    uow: UnitOfWork, request: SignedRequest, *, window_seconds: int
) -> Principal:
    """The API client that signed ``request``; its nonce is spent only when the signature
    matches, so a forger cannot burn a partner's nonces."""
    if not (request.timestamp.isdigit() and request.nonce and request.signature):
        raise Unauthenticated(
            f"signed requests need {TIMESTAMP_HEADER}, {NONCE_HEADER} and {SIGNATURE_HEADER}"
        )
    if abs(time.time() - int(request.timestamp)) > window_seconds:
        raise Unauthenticated("the request timestamp is outside the accepted window")
    if not NONCE_FORMAT.match(request.nonce):
        raise Unauthenticated("the nonce must be 16 to 64 url-safe characters")
    async with uow:
        credentials = await uow.principals.client_credentials(request.key_id)
        if credentials is None:
            raise Unauthenticated("unknown or disabled API client")
        expected = sign(
            credentials.secret, request.method, request.target, request.timestamp,
            request.nonce, request.body,
        )  # fmt: skip
        if not signature_matches(expected, request.signature):
            raise Unauthenticated("the request signature does not match")
        fresh = await uow.principals.remember_nonce(credentials.principal.id, request.nonce)
        await uow.principals.forget_old_nonces(window_seconds * 2)
        await uow.commit()
    if not fresh:
        raise Unauthenticated("the nonce was already used: replayed request refused")
    return credentials.principal


async def authenticate_api_key(uow: UnitOfWork, key_id: str, secret: str) -> Principal | None:
    """The API client whose key id and secret these are; None for anything else."""
    async with uow:
        credentials = await uow.principals.client_credentials(key_id)
    if credentials is None or not hmac.compare_digest(credentials.secret.encode(), secret.encode()):
        return None
    return credentials.principal
