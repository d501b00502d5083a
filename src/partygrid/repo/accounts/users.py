"""Accounts of people: users, their login sessions and refresh tokens, and scope grants
(shared with API clients)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from partygrid.domain.access import Role
from partygrid.domain.accounts.model import ScopeGrant, User
from partygrid.repo.keyring import Keyring
from partygrid.repo.repository import SqlRepository, page_by_id
from partygrid.repo.sealing import TOTP_SECRET, seal, unseal
from partygrid.repo.tables import PrincipalScopeRow, RefreshTokenRow, SessionRow, UserRow

U = UserRow


def _to_domain(row: UserRow) -> User:
    return User(
        id=row.id,
        username=row.username,
        display_name=row.display_name,
        role=Role(row.role) if row.role else None,
        department=row.department,
        password_hash=row.password_hash,
        password_changed_at=row.password_changed_at,
        must_change_password=row.must_change_password,
        failed_logins=row.failed_logins,
        locked_until=row.locked_until,
        totp_secret_enc=bytes(row.totp_secret_enc) if row.totp_secret_enc is not None else None,
        totp_confirmed=row.totp_confirmed,
        totp_last_step=row.totp_last_step,
        is_active=row.is_active,
        last_login_at=row.last_login_at,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class SqlUserRepository(SqlRepository):
    def __init__(self, session: AsyncSession, keyring: Keyring) -> None:
        super().__init__(session)
        self.keyring = keyring

    # --- users -------------------------------------------------------------------

    async def get(self, user_id: int, *, for_update: bool = False) -> User | None:
        stmt = select(U).where(U.id == user_id)
        if for_update:
            stmt = stmt.with_for_update()
        row = (await self.session.execute(stmt)).scalar_one_or_none()
        return _to_domain(row) if row else None

    async def get_by_username(self, username: str, *, for_update: bool = False) -> User | None:
        stmt = select(U).where(U.username == username)
        if for_update:
            stmt = stmt.with_for_update()
        row = (await self.session.execute(stmt)).scalar_one_or_none()
        return _to_domain(row) if row else None

    async def add(
        self,
        *,
        username: str,
        display_name: str,
        password_hash: str,
        department: str | None = None,
        role: Role | None = None,
        must_change_password: bool = True,
    ) -> User:
        row = U(
            username=username,
            display_name=display_name,
            department=department,
            password_hash=password_hash,
            role=role.value if role else None,
            must_change_password=must_change_password,
        )
        self.session.add(row)
        await self.session.flush()
        await self.session.refresh(row)
        return _to_domain(row)

    def totp_secret(self, user: User) -> str | None:
        """The user's TOTP secret in clear, for checking a code; None before enrollment."""
        return unseal(self.keyring, user.totp_secret_enc, TOTP_SECRET)

    async def enroll_totp(self, user_id: int, secret: str) -> User:
        """A new, unconfirmed TOTP secret, sealed; it counts once a code confirms it."""
        return await self.update_fields(
            user_id, totp_secret_enc=seal(self.keyring, secret, TOTP_SECRET),
            totp_confirmed=False, totp_last_step=None,
        )  # fmt: skip

    async def update_fields(
        self, user_id: int, *, bump_version: bool = True, **values: Any
    ) -> User:
        """Change columns; ``bump_version`` is off for login bookkeeping, which is not an
        edit of the account that an If-Match should lose to."""
        if bump_version:
            values["version"] = U.version + 1
        stmt = (
            update(U)
            .where(U.id == user_id)
            .values(**values, updated_at=func.now())
            .returning(U)
            .execution_options(synchronize_session=False)
        )
        row = (await self.session.execute(stmt)).scalar_one()
        return _to_domain(row)

    async def list_page(
        self,
        *,
        role: Role | None,
        active: bool | None,
        username_prefix: str | None,
        after_id: int | None,
        limit: int,
    ) -> list[User]:
        stmt = page_by_id(select(U), U.id, after_id=after_id, limit=limit)
        if role is not None:
            stmt = stmt.where(U.role == role.value)
        if active is not None:
            stmt = stmt.where(U.is_active.is_(active))
        if username_prefix:
            escaped = username_prefix.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_")
            stmt = stmt.where(U.username.like(f"{escaped}%", escape="\\"))
        return [_to_domain(r) for r in (await self.session.execute(stmt)).scalars()]

    # --- sessions and refresh tokens -----------------------------------------------

    async def start_session(
        self, user_id: int, *, expires_at: datetime, client_address: str | None
    ) -> int:
        row = SessionRow(user_id=user_id, expires_at=expires_at, client_address=client_address)
        self.session.add(row)
        await self.session.flush()
        return row.id

    async def get_session(self, session_id: int, *, for_update: bool = False) -> SessionRow | None:
        stmt = select(SessionRow).where(SessionRow.id == session_id)
        if for_update:
            stmt = stmt.with_for_update()
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def revoke_session(self, session_id: int, reason: str) -> bool:
        """True when the session was live until now."""
        result = await self.session.execute(
            update(SessionRow)
            .where(SessionRow.id == session_id, SessionRow.revoked_at.is_(None))
            .values(revoked_at=func.now(), revoked_reason=reason)
            .returning(SessionRow.id)
            .execution_options(synchronize_session=False)
        )
        return result.first() is not None

    async def revoke_sessions_of(
        self, user_id: int, reason: str, *, except_session_id: int | None = None
    ) -> int:
        """Ends every live session of the user (but one); returns how many."""
        stmt = (
            update(SessionRow)
            .where(SessionRow.user_id == user_id, SessionRow.revoked_at.is_(None))
            .values(revoked_at=func.now(), revoked_reason=reason)
            .returning(SessionRow.id)
            .execution_options(synchronize_session=False)
        )
        if except_session_id is not None:
            stmt = stmt.where(SessionRow.id != except_session_id)
        return len((await self.session.execute(stmt)).all())

    async def add_refresh_token(
        self, session_id: int, token_hash: bytes, *, expires_at: datetime
    ) -> None:
        self.session.add(
            RefreshTokenRow(session_id=session_id, token_hash=token_hash, expires_at=expires_at)
        )
        await self.session.flush()

    async def refresh_token_by_hash(self, token_hash: bytes) -> RefreshTokenRow | None:
        """Locked, so two concurrent uses of one token are serialized: one spends it, the
        other sees it spent."""
        stmt = (
            select(RefreshTokenRow)
            .where(RefreshTokenRow.token_hash == token_hash)
            .with_for_update()
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def spend_refresh_token(self, token_id: int) -> None:
        await self.session.execute(
            update(RefreshTokenRow)
            .where(RefreshTokenRow.id == token_id)
            .values(used_at=func.now())
            .execution_options(synchronize_session=False)
        )

    async def forget_expired_sessions(self, user_id: int) -> None:
        """Housekeeping at login: sessions long past their end take their tokens along."""
        await self.session.execute(
            delete(SessionRow).where(
                SessionRow.user_id == user_id,
                SessionRow.expires_at < func.now() - text("interval '30 days'"),
            )
        )


# --- scope grants, for users and API clients alike ------------------------------------


class SqlScopeRepository(SqlRepository):
    @staticmethod
    def _owner(user_id: int | None, client_id: int | None) -> Any:
        S = PrincipalScopeRow
        return S.user_id == user_id if user_id is not None else S.api_client_id == client_id

    async def of(
        self, *, user_id: int | None = None, client_id: int | None = None
    ) -> list[ScopeGrant]:
        S = PrincipalScopeRow
        stmt = select(S).where(self._owner(user_id, client_id)).order_by(S.id)
        return [
            ScopeGrant(r.id, r.organization_id, r.grid_id, r.created_at)
            for r in (await self.session.execute(stmt)).scalars()
        ]

    async def of_many(self, user_ids: list[int]) -> dict[int, list[ScopeGrant]]:
        if not user_ids:
            return {}
        S = PrincipalScopeRow
        stmt = select(S).where(S.user_id.in_(user_ids)).order_by(S.id)
        found: dict[int, list[ScopeGrant]] = {uid: [] for uid in user_ids}
        for r in (await self.session.execute(stmt)).scalars():
            if r.user_id is not None:  # the WHERE above: always a user's grant
                found[r.user_id].append(
                    ScopeGrant(r.id, r.organization_id, r.grid_id, r.created_at)
                )
        return found

    async def grant(
        self,
        *,
        user_id: int | None = None,
        client_id: int | None = None,
        organization_id: int | None = None,
        grid_id: int | None = None,
    ) -> ScopeGrant | None:
        """None when exactly this grant already exists."""
        S = PrincipalScopeRow
        existing = select(S.id).where(
            self._owner(user_id, client_id),
            S.organization_id.is_(None)
            if organization_id is None
            else S.organization_id == organization_id,
            S.grid_id.is_(None) if grid_id is None else S.grid_id == grid_id,
        )
        if (await self.session.execute(existing)).first() is not None:
            return None
        row = S(
            user_id=user_id, api_client_id=client_id, organization_id=organization_id,
            grid_id=grid_id,
        )  # fmt: skip
        self.session.add(row)
        await self.session.flush()
        await self.session.refresh(row)
        return ScopeGrant(row.id, row.organization_id, row.grid_id, row.created_at)

    async def revoke(
        self, scope_id: int, *, user_id: int | None = None, client_id: int | None = None
    ) -> ScopeGrant | None:
        S = PrincipalScopeRow
        row = (
            await self.session.execute(
                delete(S)
                .where(S.id == scope_id, self._owner(user_id, client_id))
                .returning(S.id, S.organization_id, S.grid_id, S.created_at)
            )
        ).first()
        return ScopeGrant(row.id, row.organization_id, row.grid_id, row.created_at) if row else None

    async def revoke_all(self, *, user_id: int) -> list[ScopeGrant]:
        S = PrincipalScopeRow
        rows = (
            await self.session.execute(
                delete(S)
                .where(S.user_id == user_id)
                .returning(S.id, S.organization_id, S.grid_id, S.created_at)
            )
        ).all()
        return [ScopeGrant(r.id, r.organization_id, r.grid_id, r.created_at) for r in rows]

    async def target_status(
        self, *, organization_id: int | None = None, grid_id: int | None = None
    ) -> str | None:
        """The status of the organization or grid a grant would name (None: no such one)."""
        value: int | None
        if organization_id is not None:
            query, value = "SELECT status FROM organizations WHERE id = :id", organization_id
        else:
            query, value = "SELECT status FROM grids WHERE id = :id", grid_id
        return (await self.session.execute(text(query), {"id": value})).scalar_one_or_none()

    async def organization_id_by_code(self, code: str) -> int | None:
        query = text("SELECT id FROM organizations WHERE code = :c AND status = 'active'")
        return (await self.session.execute(query, {"c": code})).scalar_one_or_none()

    async def grid_id_by_code(self, code: str) -> int | None:
        query = text("SELECT id FROM grids WHERE code = :c AND status = 'active'")
        return (await self.session.execute(query, {"c": code})).scalar_one_or_none()
