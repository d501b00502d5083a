"""Service catalogue repository: categories with their attribute definitions and rules."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, insert, select, update

from partygrid.domain.tickets.catalogue import AttributeDefinition, AttributeType, ServiceCategory
from partygrid.domain.tickets.disclosure import Disclosure
from partygrid.domain.tickets.workflow import TicketType
from partygrid.repo.repository import SqlRepository
from partygrid.repo.tables import ServiceCategoryRow

C = ServiceCategoryRow


def _definition(raw: dict[str, Any]) -> AttributeDefinition:
    return AttributeDefinition(
        code=raw["code"],
        datatype=AttributeType(raw["datatype"]),
        required=bool(raw.get("required", False)),
        description=raw.get("description") or "",
        values=tuple(raw.get("values") or ()),
        order=int(raw.get("order") or 0),
    )


def _to_domain(row: ServiceCategoryRow) -> ServiceCategory:
    return ServiceCategory(
        code=row.code,
        name=row.name,
        default_type=TicketType(row.default_type),
        description=row.description,
        group_name=row.group_name,
        keywords=list(row.keywords or []),
        deadline_overrides=dict(row.deadline_overrides or {}),
        attributes=[_definition(a) for a in row.attributes or []],
        disclosure=Disclosure(row.disclosure),
        active=row.active,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _values(category: ServiceCategory) -> dict[str, Any]:
    return {
        "name": category.name,
        "default_type": category.default_type.value,
        "description": category.description,
        "group_name": category.group_name,
        "keywords": list(category.keywords),
        "deadline_overrides": category.deadline_overrides,
        "attributes": [a.as_dict() for a in category.attributes],
        "disclosure": category.disclosure.value,
        "active": category.active,
    }


class SqlCatalogueRepository(SqlRepository):
    async def get(self, code: str, *, for_update: bool = False) -> ServiceCategory | None:
        stmt = select(C).where(C.code == code)
        if for_update:
            stmt = stmt.with_for_update()
        row = (await self.session.execute(stmt)).scalar_one_or_none()
        return _to_domain(row) if row else None

    async def list(self, *, active_only: bool) -> list[ServiceCategory]:
        stmt = select(C).order_by(C.group_name.nulls_last(), C.code)
        if active_only:
            stmt = stmt.where(C.active.is_(True))
        return [_to_domain(r) for r in (await self.session.execute(stmt)).scalars()]

    async def add(self, category: ServiceCategory) -> ServiceCategory:
        stmt = insert(C).values(code=category.code, **_values(category)).returning(C)
        return _to_domain((await self._write(stmt)).scalar_one())

    async def update(self, category: ServiceCategory) -> ServiceCategory:
        stmt = (
            update(C)
            .where(C.code == category.code)
            .values(**_values(category), version=C.version + 1, updated_at=func.now())
            .returning(C)
        )
        row = (await self.session.execute(stmt)).scalar_one()
        return _to_domain(row)
