"""The service catalogue: read by everyone who submits tickets, edited by district admins."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from partygrid.domain.access import Actor
from partygrid.domain.errors import Conflict, InvalidValue, NotFound
from partygrid.domain.tickets.catalogue import (
    ServiceCategory,
    check_deadline_overrides,
    parse_attribute_definitions,
)
from partygrid.domain.tickets.disclosure import DEFAULT_DISCLOSURE, Disclosure
from partygrid.domain.tickets.workflow import TicketType
from partygrid.domain.versioning import check_version
from partygrid.repo.uow import UnitOfWork

CODE_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_.-")


@dataclass(frozen=True, slots=True)
class NewCategory:
    code: str
    name: str
    default_type: TicketType
    description: str | None = None
    group_name: str | None = None
    keywords: list[str] = field(default_factory=list)
    deadline_overrides: dict[str, Any] = field(default_factory=dict)
    attributes: list[dict[str, Any]] = field(default_factory=list)
    disclosure: Disclosure = DEFAULT_DISCLOSURE


def category_snapshot(c: ServiceCategory) -> dict[str, Any]:
    return {
        "name": c.name,
        "default_type": c.default_type.value,
        "description": c.description,
        "group_name": c.group_name,
        "keywords": list(c.keywords),
        "deadline_overrides": c.deadline_overrides,
        "attributes": [a.as_dict() for a in c.attributes],
        "disclosure": c.disclosure.value,
        "active": c.active,
        "version": c.version,
    }


def _check_code(code: str) -> str:
    code = code.strip()
    if not 2 <= len(code) <= 64 or not set(code) <= CODE_CHARS:
        raise InvalidValue("code is 2-64 of a-z, 0-9, _ . -", field="body.code")
    return code


async def list_categories(uow: UnitOfWork, *, active_only: bool = True) -> list[ServiceCategory]:
    async with uow:
        return await uow.catalogue.list(active_only=active_only)


async def get_category(uow: UnitOfWork, code: str) -> ServiceCategory:
    async with uow:
        category = await uow.catalogue.get(code)
    if category is None:
        raise NotFound(f"service category {code} not found")
    return category


def build_category(new: NewCategory) -> ServiceCategory:
    return ServiceCategory(
        code=_check_code(new.code),
        name=new.name.strip(),
        default_type=TicketType(new.default_type),
        description=new.description,
        group_name=new.group_name,
        keywords=[k.strip() for k in new.keywords if k.strip()],
        deadline_overrides=check_deadline_overrides(new.deadline_overrides),
        attributes=parse_attribute_definitions(new.attributes),
        disclosure=Disclosure(new.disclosure),
    )


async def add_category(uow: UnitOfWork, actor: Actor, category: ServiceCategory) -> ServiceCategory:
    """Inside an open unit of work: insert and audit (no commit)."""
    if await uow.catalogue.get(category.code) is not None:
        raise Conflict(f"service category {category.code} already exists", constraint="code")
    created = await uow.catalogue.add(category)
    uow.audit.record(
        actor, "catalogue.create", "service_category", created.code,
        after=category_snapshot(created),
    )  # fmt: skip
    return created


async def create_category(uow: UnitOfWork, *, actor: Actor, new: NewCategory) -> ServiceCategory:
    category = build_category(new)
    async with uow:
        created = await add_category(uow, actor, category)
        await uow.commit()
        return created


async def update_category(
    uow: UnitOfWork,
    *,
    actor: Actor,
    code: str,
    changes: dict[str, Any],
    expected_version: int | None,
) -> ServiceCategory:
    """Edit; omitted fields stay. Existing tickets keep the deadline fixed at acceptance."""
    for key in ("name", "default_type", "disclosure", "active"):
        if key in changes and changes[key] is None:
            raise InvalidValue(f"{key} cannot be null", field=f"body.{key}")
    async with uow:
        current = await uow.catalogue.get(code, for_update=True)
        if current is None:
            raise NotFound(f"service category {code} not found")
        check_version(current.version, expected_version)
        edited = replace(current)
        for key in ("name", "description", "group_name", "active"):
            if key in changes:
                setattr(edited, key, changes[key].strip() if key == "name" else changes[key])
        if "default_type" in changes:
            edited.default_type = TicketType(changes["default_type"])
        if "disclosure" in changes:
            edited.disclosure = Disclosure(changes["disclosure"])
        if "keywords" in changes:
            edited.keywords = [k.strip() for k in changes["keywords"] or [] if k.strip()]
        if "deadline_overrides" in changes:
            edited.deadline_overrides = check_deadline_overrides(
                changes["deadline_overrides"] or {}
            )
        if "attributes" in changes:
            edited.attributes = parse_attribute_definitions(changes["attributes"] or [])
        if category_snapshot(edited) == category_snapshot(current):
            return current
        updated = await uow.catalogue.update(edited)
        uow.audit.record_change(
            actor, "catalogue.update", "service_category", code,
            category_snapshot(current), category_snapshot(updated),
        )  # fmt: skip
        await uow.commit()
        return updated
