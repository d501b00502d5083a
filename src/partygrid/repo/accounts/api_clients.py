"""Partner systems' API clients and their permissions (their scope grants live in
``SqlScopeRepository``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from partygrid.domain.access import Permission, Role
from partygrid.domain.accounts.model import ApiClient
from partygrid.repo.keyring import Keyring
from partygrid.repo.repository import SqlRepository, page_by_id
from partygrid.repo.sealing import API_CLIENT_SECRET, seal
from partygrid.repo.tables import ApiClientPermissionRow, ApiClientRow

C = ApiClientRow
CP = ApiClientPermissionRow


def _to_domain(row: ApiClientRow, permissions: frozenset[Permission] = frozenset()) -> ApiClient:
    return ApiClient(
        id=row.id,
        name=row.name,
        key_id=row.key_id,
        role=Role(row.role),
        is_active=row.is_active,
        secret_enc=bytes(row.secret_enc),
        permissions=permissions,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class SqlApiClientRepository(SqlRepository):
    def __init__(self, session: AsyncSession, keyring: Keyring) -> None:
        super().__init__(session)
        self.keyring = keyring

    async def get(self, client_id: int, *, for_update: bool = False) -> ApiClient | None:
        stmt = select(C).where(C.id == client_id)
        if for_update:
            stmt = stmt.with_for_update()
        row = (await self.session.execute(stmt)).scalar_one_or_none()
        return await self._complete(row) if row else None

    async def get_by_key_id(self, key_id: str) -> ApiClient | None:
        row = (await self.session.execute(select(C).where(C.key_id == key_id))).scalar_one_or_none()
        return await self._complete(row) if row else None

    async def get_by_name(self, name: str) -> ApiClient | None:
        stmt = select(C).where(C.name == name).order_by(C.id).limit(1)
        row = (await self.session.execute(stmt)).scalar_one_or_none()
        return await self._complete(row) if row else None

    async def add(self, *, name: str, key_id: str, secret: str) -> ApiClient:
        """A new client; its secret is sealed here and never read back in clear."""
        row = C(
            name=name, key_id=key_id, role=Role.partner_system.value,
            secret_enc=seal(self.keyring, secret, API_CLIENT_SECRET),
        )  # fmt: skip
        self.session.add(row)
        await self.session.flush()
        await self.session.refresh(row)
        return _to_domain(row)

    async def replace_secret(self, client_id: int, secret: str) -> ApiClient:
        return await self.update_fields(
            client_id, secret_enc=seal(self.keyring, secret, API_CLIENT_SECRET)
        )

    async def update_fields(self, client_id: int, **values: Any) -> ApiClient:
        stmt = (
            update(C)
            .where(C.id == client_id)
            .values(**values, version=C.version + 1, updated_at=func.now())
            .returning(C)
            .execution_options(synchronize_session=False)
        )
        return await self._complete((await self.session.execute(stmt)).scalar_one())

    async def list_page(self, *, after_id: int | None, limit: int) -> list[ApiClient]:
        stmt = page_by_id(select(C), C.id, after_id=after_id, limit=limit)
        return [await self._complete(r) for r in (await self.session.execute(stmt)).scalars()]

    async def _complete(self, row: ApiClientRow) -> ApiClient:
        stmt = select(CP.permission).where(CP.api_client_id == row.id)
        held = (await self.session.execute(stmt)).scalars()
        return _to_domain(row, frozenset(Permission(p) for p in held))

    async def grant_permission(self, client_id: int, permission: Permission) -> datetime | None:
        """When the grant was made; None when the client already held it."""
        stmt = (
            insert(CP)
            .values(api_client_id=client_id, permission=permission.value)
            .on_conflict_do_nothing()
            .returning(CP.granted_at)
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def revoke_permission(self, client_id: int, permission: Permission) -> bool:
        """False when the client did not hold it."""
        stmt = (
            delete(CP)
            .where(CP.api_client_id == client_id, CP.permission == permission.value)
            .returning(CP.permission)
        )
        return (await self.session.execute(stmt)).first() is not None
