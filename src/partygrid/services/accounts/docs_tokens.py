"""The docs cookie: a short-lived token that opens Swagger UI and /openapi.json, and
nothing else. It names a login session, so ending the session closes the docs too."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from partygrid.config import Settings
from partygrid.services.accounts.tokens import ALGORITHM, ISSUER

# Its own audience and type: an API route never accepts it, and /docs never accepts an
# access token.
AUDIENCE = "partygrid-docs"


@dataclass(frozen=True, slots=True)
class DocsClaims:
    user_id: int
    session_id: int


def issue_docs_token(settings: Settings, *, user_id: int, session_id: int) -> str:
    now = datetime.now(UTC)
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "typ": "docs",
        "sub": str(user_id),
        "sid": session_id,
        "iat": now,
        "exp": now + timedelta(minutes=settings.docs_session_minutes),
    }
    return jwt.encode(claims, settings.secret_key.get_secret_value(), algorithm=ALGORITHM)


def decode_docs_token(settings: Settings, token: str) -> DocsClaims | None:
    """The claims of a valid, unexpired docs token; None for anything else."""
    try:
        claims = jwt.decode(
            token, settings.secret_key.get_secret_value(), algorithms=[ALGORITHM],
            audience=AUDIENCE, issuer=ISSUER, options={"require": ["exp", "sub", "sid", "aud"]},
        )  # fmt: skip
    except jwt.PyJWTError:
        return None
    subject, session = str(claims.get("sub")), claims.get("sid")
    if claims.get("typ") != "docs" or not subject.isdigit() or not isinstance(session, int):
        return None
    return DocsClaims(user_id=int(subject), session_id=session)
