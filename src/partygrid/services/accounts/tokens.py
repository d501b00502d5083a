"""Short-lived signed access tokens (JWT, HS256) and opaque refresh tokens."""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from partygrid.config import Settings
from partygrid.domain.accounts.model import PendingStep, StepRequired
from partygrid.domain.errors import Unauthenticated

ISSUER = "partygrid"
ALGORITHM = "HS256"


@dataclass(frozen=True, slots=True)
class AccessClaims:
    user_id: int
    session_id: int
    # Steps the login still owes; a token with any opens only the /auth routes.
    pending: tuple[PendingStep, ...] = ()


def issue_access_token(
    settings: Settings,
    *,
    user_id: int,
    session_id: int,
    role: str | None,
    pending: Sequence[PendingStep] = (),
) -> str:
    now = datetime.now(UTC)
    claims = {
        "iss": ISSUER,
        "sub": str(user_id),
        "sid": session_id,
        "role": role,  # informational: the role is re-read from the database per request
        "iat": now,
        "exp": now + timedelta(minutes=settings.access_token_minutes),
        "jti": uuid.uuid4().hex,
        "typ": "access",
    }
    if pending:
        claims["pnd"] = [step.value for step in pending]
    return jwt.encode(claims, settings.secret_key.get_secret_value(), algorithm=ALGORITHM)


# Verifying a token (base64, HMAC, claim checks) cost about a tenth of a hot read's CPU.
# A token is verified once and remembered, keyed by its whole text (signature included,
# so nothing else can hit the entry) and by the signing key; the expiry is still checked
# on every use. Revocation is not the token's business: every request reads its session.
_VERIFIED_MAX = 10_000
_verified: OrderedDict[tuple[str, str], tuple[AccessClaims, int]] = OrderedDict()


def decode_access_token(
    settings: Settings, token: str, *, allow_pending: bool = False
) -> AccessClaims:
    """The claims of a valid token. A limited token (one with pending steps) is refused
    unless ``allow_pending``: only the routes that finish a login accept it."""
    key = (settings.secret_key.get_secret_value(), token)
    known = _verified.get(key)
    if known is None:
        known = _verify(key[0], token)
        _verified[key] = known
        if len(_verified) > _VERIFIED_MAX:
            _verified.popitem(last=False)  # the longest known
    claims, expires = known
    if time.time() >= expires:
        _verified.pop(key, None)
        raise Unauthenticated("the access token has expired; refresh it or log in again")
    if claims.pending and not allow_pending:
        raise StepRequired(
            f"this login must first finish: {', '.join(claims.pending)} (see /api/v1/auth); "
            "then refresh the token",
            step=claims.pending[0].value,
        )
    return claims


def _verify(secret: str, token: str) -> tuple[AccessClaims, int]:
    try:
        claims = jwt.decode(
            token, secret, algorithms=[ALGORITHM],
            issuer=ISSUER, options={"require": ["exp", "iat", "sub", "iss"]},
        )  # fmt: skip
    except jwt.ExpiredSignatureError:
        raise Unauthenticated("the access token has expired; refresh it or log in again") from None
    except jwt.PyJWTError:
        raise Unauthenticated("the access token is not valid") from None
    if claims.get("typ") != "access" or not str(claims.get("sub", "")).isdigit():
        raise Unauthenticated("the access token is not valid")
    try:
        pending = tuple(PendingStep(step) for step in claims.get("pnd") or ())
    except (TypeError, ValueError):
        raise Unauthenticated("the access token is not valid") from None
    verified = AccessClaims(
        user_id=int(claims["sub"]), session_id=int(claims.get("sid", 0)), pending=pending
    )
    return verified, int(claims["exp"])


def new_refresh_token() -> tuple[str, bytes]:
    """The token for the client and the hash kept in the database."""
    token = secrets.token_urlsafe(32)
    return token, refresh_token_hash(token)


def refresh_token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()
