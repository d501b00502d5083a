"""Logging in and out: passwords, the second factor, lockout, rotating refresh tokens.

A refused login still commits its bookkeeping (the failure counter, the lock, the audit
event) before the 401 is raised: the attempt must be on record even though it failed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, NoReturn

from partygrid.config import Settings
from partygrid.domain.access import Actor, Principal, PrincipalKind, Scope
from partygrid.domain.accounts.model import (
    BAD_CREDENTIALS,
    USERNAME,
    PendingStep,
    TotpRequired,
    User,
)
from partygrid.domain.accounts.passwords import LockoutPolicy, check_password
from partygrid.domain.audit.events import Outcome
from partygrid.domain.errors import Conflict, InvalidValue, RuleViolation, Unauthenticated
from partygrid.repo.uow import UnitOfWork
from partygrid.services.accounts import totp as otp
from partygrid.services.accounts.passwords import (
    hash_password_async,
    needs_rehash,
    verify_password_async,
    waste_a_verification,
)
from partygrid.services.accounts.tokens import (
    issue_access_token,
    new_refresh_token,
    refresh_token_hash,
)


@dataclass(frozen=True, slots=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int  # seconds the access token lives
    pending: tuple[PendingStep, ...] = ()


@dataclass(frozen=True, slots=True)
class Client:
    """Where a request comes from, for the audit trail of an unauthenticated call."""

    address: str | None = None
    request_id: str | None = None


def user_actor(user: User, client: Client, session_id: int | None = None) -> Actor:
    principal = Principal(
        PrincipalKind.user, user.id, user.username, user.role, Scope(), session_id
    )
    return Actor(principal, client.address, client.request_id)


def _claimant(user: User | None, username: str, client: Client) -> Actor:
    """Who an unproven login claims to be: the submitted name, no role. The trail keeps no
    id for a name that matches no account (the column is nullable for exactly this)."""
    user_id: Any = user.id if user else None
    principal = Principal(PrincipalKind.user, user_id, username[:64], None)
    return Actor(principal, client.address, client.request_id)


def _policy(settings: Settings) -> LockoutPolicy:
    return LockoutPolicy(
        settings.login_max_failures, timedelta(minutes=settings.login_lock_minutes)
    )


async def _count_failure(
    uow: UnitOfWork, settings: Settings, user: User, actor: Actor, now: datetime
) -> None:
    """One more consecutive failure; the Nth locks the account for a while."""
    lock_expired = user.locked_until is not None and user.locked_until <= now
    failures = (0 if lock_expired else user.failed_logins) + 1
    locked_until = _policy(settings).locked_until(failures, now)
    await uow.users.update_fields(
        user.id, bump_version=False, failed_logins=failures, locked_until=locked_until
    )
    if locked_until is not None:
        uow.audit.record(
            actor, "auth.lockout", "user", user.id, outcome=Outcome.denied,
            after={"failed_logins": failures, "locked_until": locked_until},
            reason=f"{failures} consecutive failed logins",
        )  # fmt: skip


async def _refuse(uow: UnitOfWork, actor: Actor, user: User | None, reason: str) -> NoReturn:
    uow.audit.record(
        actor, "auth.login", "user", user.id if user else None, outcome=Outcome.denied,
        reason=reason,
    )  # fmt: skip
    await uow.commit()
    raise Unauthenticated(BAD_CREDENTIALS)


async def _open_session(
    uow: UnitOfWork, settings: Settings, user: User, client: Client, now: datetime
) -> tuple[int, TokenPair]:
    expires_at = now + timedelta(days=settings.refresh_token_days)
    session_id = await uow.users.start_session(
        user.id, expires_at=expires_at, client_address=client.address
    )
    return session_id, await _tokens(uow, settings, user, session_id, expires_at)


async def _tokens(
    uow: UnitOfWork, settings: Settings, user: User, session_id: int, session_end: datetime
) -> TokenPair:
    """A new access token and a new refresh token of the session. The session has an
    absolute end (refresh_token_days after login); refreshing never extends it."""
    refresh, digest = new_refresh_token()
    await uow.users.add_refresh_token(session_id, digest, expires_at=session_end)
    pending = user.pending_steps(admin_totp_required=settings.admin_totp_required)
    access = issue_access_token(
        settings, user_id=user.id, session_id=session_id,
        role=user.role.value if user.role else None, pending=pending,
    )  # fmt: skip
    return TokenPair(access, refresh, settings.access_token_minutes * 60, pending)


def _totp_secret(uow: UnitOfWork, user: User) -> str:
    secret = uow.users.totp_secret(user)
    assert secret is not None, "asked only of an enrolled user"
    return secret


async def login(
    uow: UnitOfWork,
    settings: Settings,
    *,
    username: str,
    password: str,
    totp: str | None,
    client: Client,
) -> TokenPair:
    """Password (and TOTP code when the account has one) in, a session's tokens out.

    Every refusal answers the same 401, whether the name is unknown, the password or code
    wrong, or the account locked or disabled, and takes about as long; only a right
    password on an account with a second factor hears that a code is missing.
    """
    now = datetime.now(UTC)
    name = username.strip().lower()
    actor = _claimant(None, username, client)
    async with uow:
        user = (
            await uow.users.get_by_username(name, for_update=True) if USERNAME.match(name) else None
        )
        if user is None:
            await waste_a_verification(password)
            await _refuse(uow, actor, None, "unknown username")
        assert user is not None
        actor = _claimant(user, username, client)
        password_ok = await verify_password_async(user.password_hash, password)
        if not user.is_active:
            await _refuse(uow, actor, user, "account disabled")
        if user.is_locked(now):
            await _refuse(uow, actor, user, "account locked")
        if not password_ok:
            await _count_failure(uow, settings, user, actor, now)
            await _refuse(uow, actor, user, "wrong password")
        step: int | None = None
        if user.totp_confirmed:
            if not totp:
                uow.audit.record(
                    actor, "auth.login", "user", user.id, outcome=Outcome.denied,
                    reason="TOTP code missing",
                )  # fmt: skip
                await uow.commit()
                raise TotpRequired(
                    "this account needs a TOTP code from its authenticator: send it as `totp`"
                )
            step = otp.matching_step(_totp_secret(uow, user), totp, last_step=user.totp_last_step)
            if step is None:
                await _count_failure(uow, settings, user, actor, now)
                await _refuse(uow, actor, user, "wrong or reused TOTP code")

        values: dict[str, Any] = {"failed_logins": 0, "locked_until": None, "last_login_at": now}
        if step is not None:
            values["totp_last_step"] = step
        if needs_rehash(user.password_hash):
            values["password_hash"] = await hash_password_async(password)
        user = await uow.users.update_fields(user.id, bump_version=False, **values)
        await uow.users.forget_expired_sessions(user.id)
        session_id, pair = await _open_session(uow, settings, user, client, now)
        uow.audit.record(
            user_actor(user, client, session_id), "auth.login", "user", user.id,
            after={"session_id": session_id, "second_factor": step is not None,
                   "pending": list(pair.pending)},
        )  # fmt: skip
        await uow.commit()
        return pair


async def refresh(
    uow: UnitOfWork, settings: Settings, *, refresh_token: str, client: Client
) -> TokenPair:
    """Spend a refresh token for a new pair in the same session. A token presented a
    second time means two parties hold it: the whole session is revoked."""
    now = datetime.now(UTC)
    async with uow:
        token = await uow.users.refresh_token_by_hash(refresh_token_hash(refresh_token))
        if token is None:
            raise Unauthenticated("the refresh token is not valid; log in again")
        session = await uow.users.get_session(token.session_id, for_update=True)
        user = await uow.users.get(session.user_id) if session else None
        if session is None or user is None:
            raise Unauthenticated("the refresh token is not valid; log in again")
        if token.used_at is not None:
            if session.revoked_at is None:
                await uow.users.revoke_session(session.id, "refresh-token-reuse")
                uow.audit.record(
                    user_actor(user, client, session.id), "auth.refresh_reuse", "session",
                    session.id, outcome=Outcome.denied,
                    reason="a spent refresh token was presented again; session revoked",
                )  # fmt: skip
                await uow.commit()
            raise Unauthenticated(
                "this refresh token was already used, so the session has been revoked; log in again"
            )
        if (
            session.revoked_at is not None
            or session.expires_at <= now
            or token.expires_at <= now
            or not user.is_active
        ):
            raise Unauthenticated("the session has ended; log in again")
        await uow.users.spend_refresh_token(token.id)
        pair = await _tokens(uow, settings, user, session.id, session.expires_at)
        await uow.commit()
        return pair


def _session_of(actor: Actor) -> int:
    principal = actor.principal
    if principal.kind is not PrincipalKind.user or principal.session_id is None:
        raise RuleViolation("only people log in and out; API clients have no session",
                            rule="people-only")  # fmt: skip
    return principal.session_id


async def logout(uow: UnitOfWork, actor: Actor) -> None:
    """End this session: its access tokens stop working at once, its refresh tokens too."""
    session_id = _session_of(actor)
    async with uow:
        await uow.users.revoke_session(session_id, "logout")
        uow.audit.record(actor, "auth.logout", "session", session_id)
        await uow.commit()


async def _me(uow: UnitOfWork, actor: Actor) -> User:
    _session_of(actor)
    user = await uow.users.get(actor.principal.id, for_update=True)
    if user is None:  # deleted between authentication and now
        raise Unauthenticated("the account no longer exists")
    return user


async def change_password(
    uow: UnitOfWork, settings: Settings, actor: Actor, *, old_password: str, new_password: str
) -> None:
    """Change one's own password: proves the old one, obeys the rules, and ends every
    other session (a thief's included)."""
    now = datetime.now(UTC)
    async with uow:
        user = await _me(uow, actor)
        if not await verify_password_async(user.password_hash, old_password):
            # A stolen token must not become a way to guess the password.
            await _count_failure(uow, settings, user, actor, now)
            uow.audit.record(
                actor, "user.password_change", "user", user.id, outcome=Outcome.denied,
                reason="wrong current password",
            )  # fmt: skip
            await uow.commit()
            raise InvalidValue("the current password is not correct", field="body.old_password")
        check_password(new_password, username=user.username, field="body.new_password")
        if await verify_password_async(user.password_hash, new_password):
            raise RuleViolation("the new password must differ from the current one",
                                rule="password-unchanged")  # fmt: skip
        await uow.users.update_fields(
            user.id, password_hash=await hash_password_async(new_password),
            password_changed_at=now, must_change_password=False,
        )  # fmt: skip
        ended = await uow.users.revoke_sessions_of(
            user.id, "password-changed", except_session_id=actor.principal.session_id
        )
        uow.audit.record(
            actor, "user.password_change", "user", user.id, after={"other_sessions_ended": ended}
        )
        await uow.commit()


async def enroll_totp(uow: UnitOfWork, actor: Actor) -> tuple[str, str]:
    """A new TOTP secret (and its otpauth:// URI for a QR code), shown this once. It only
    takes effect once a code from it is confirmed."""
    async with uow:
        user = await _me(uow, actor)
        if user.totp_confirmed:
            raise Conflict(
                "a second factor is already set up; a security admin can reset it",
                rule="totp-already-confirmed",
            )
        secret = otp.new_secret()
        await uow.users.enroll_totp(user.id, secret)
        uow.audit.record(actor, "user.totp_enroll", "user", user.id)
        await uow.commit()
        return secret, otp.provisioning_uri(secret, user.username)


async def confirm_totp(uow: UnitOfWork, actor: Actor, *, code: str) -> None:
    """Prove the authenticator works; from now on every login asks for a code."""
    async with uow:
        user = await _me(uow, actor)
        if user.totp_confirmed:
            raise Conflict("the second factor is already confirmed", rule="totp-already-confirmed")
        if user.totp_secret_enc is None:
            raise RuleViolation("enroll first: POST /api/v1/auth/totp/enroll",
                                rule="totp-not-enrolled")  # fmt: skip
        step = otp.matching_step(_totp_secret(uow, user), code, last_step=user.totp_last_step)
        if step is None:
            raise InvalidValue(
                "the code does not match (check the device's clock) or was already used",
                field="body.code",
            )
        await uow.users.update_fields(user.id, totp_confirmed=True, totp_last_step=step)
        uow.audit.record(actor, "user.totp_confirm", "user", user.id)
        await uow.commit()
