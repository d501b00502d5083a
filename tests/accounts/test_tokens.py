"""Access tokens (JWT) and refresh tokens: no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import pytest

from partygrid.api.errors import status_of
from partygrid.config import Environment, Settings
from partygrid.domain.accounts.model import PendingStep, StepRequired
from partygrid.domain.errors import Unauthenticated
from partygrid.services.accounts import tokens
from partygrid.services.accounts.tokens import (
    decode_access_token,
    issue_access_token,
    new_refresh_token,
    refresh_token_hash,
)

SETTINGS = Settings(environment=Environment.test, database_url=None)
KEY = SETTINGS.secret_key.get_secret_value()


def _claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def test_a_token_round_trips() -> None:
    token = issue_access_token(SETTINGS, user_id=7, session_id=42, role="grid_worker")
    claims = decode_access_token(SETTINGS, token)
    assert (claims.user_id, claims.session_id, claims.pending) == (7, 42, ())
    raw = _claims(token)
    assert raw["exp"] - raw["iat"] == SETTINGS.access_token_minutes * 60
    assert raw["iss"] == "partygrid" and raw["typ"] == "access" and "pnd" not in raw


def test_an_expired_token_says_so() -> None:
    raw = _claims(issue_access_token(SETTINGS, user_id=7, session_id=1, role=None))
    raw["exp"] = datetime.now(UTC) - timedelta(seconds=1)
    with pytest.raises(Unauthenticated, match="expired"):
        decode_access_token(SETTINGS, jwt.encode(raw, KEY, algorithm="HS256"))


def test_tampered_or_foreign_tokens_are_refused() -> None:
    token = issue_access_token(SETTINGS, user_id=7, session_id=1, role="grid_worker")
    raw = _claims(token)
    header, _, signature = token.split(".")
    elevated = jwt.encode({**raw, "sub": "1"}, KEY, algorithm="HS256").split(".")[1]
    forged = [
        f"{header}.{elevated}.{signature}",  # payload changed, signature kept
        jwt.encode(raw, "another-key-that-is-long-enough-for-hs256!", algorithm="HS256"),
        jwt.encode(raw, None, algorithm="none"),
        jwt.encode({**raw, "typ": "refresh"}, KEY, algorithm="HS256"),
        jwt.encode({**raw, "iss": "someone-else"}, KEY, algorithm="HS256"),
        jwt.encode({**raw, "sub": "seven"}, KEY, algorithm="HS256"),
        jwt.encode({k: v for k, v in raw.items() if k != "exp"}, KEY, algorithm="HS256"),
        jwt.encode({**raw, "pnd": ["fly"]}, KEY, algorithm="HS256"),
        "not.a.token",
        "",
    ]
    for token in forged:
        with pytest.raises(Unauthenticated):
            decode_access_token(SETTINGS, token)


def test_a_limited_token_opens_only_where_allowed() -> None:
    token = issue_access_token(
        SETTINGS, user_id=7, session_id=1, role="system_admin",
        pending=[PendingStep.password_change],
    )  # fmt: skip
    with pytest.raises(StepRequired) as caught:
        decode_access_token(SETTINGS, token)
    assert status_of(caught.value) == 403 and caught.value.extra["step"] == "password_change"
    claims = decode_access_token(SETTINGS, token, allow_pending=True)
    assert claims.pending == (PendingStep.password_change,)


def test_refresh_tokens_are_random_and_only_their_hash_is_kept() -> None:
    token, digest = new_refresh_token()
    other, other_digest = new_refresh_token()
    assert token != other and digest != other_digest
    assert len(token) >= 43 and len(digest) == 32
    assert refresh_token_hash(token) == digest
    assert token.encode() not in digest


def test_the_token_lifetime_follows_the_settings() -> None:
    short = Settings(environment=Environment.test, database_url=None, access_token_minutes=2)
    raw = _claims(issue_access_token(short, user_id=1, session_id=1, role=None))
    assert raw["exp"] - raw["iat"] == 120


def test_a_remembered_token_still_expires_and_still_owes_its_steps(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    token = issue_access_token(
        SETTINGS, user_id=7, session_id=1, role="system_admin",
        pending=[PendingStep.totp_enrollment],
    )  # fmt: skip
    assert decode_access_token(SETTINGS, token, allow_pending=True).user_id == 7  # remembered
    with pytest.raises(StepRequired):
        decode_access_token(SETTINGS, token)
    expires = _claims(token)["exp"]
    monkeypatch.setattr(tokens.time, "time", lambda: expires)
    with pytest.raises(Unauthenticated, match="expired"):
        decode_access_token(SETTINGS, token, allow_pending=True)


def test_a_token_is_remembered_only_under_the_key_that_signed_it() -> None:
    token = issue_access_token(SETTINGS, user_id=7, session_id=1, role="grid_worker")
    decode_access_token(SETTINGS, token)
    other = Settings(
        environment=Environment.test, database_url=None,
        secret_key="another-key-that-is-long-enough-for-hs256!",
    )  # fmt: skip
    with pytest.raises(Unauthenticated, match="not valid"):
        decode_access_token(other, token)
