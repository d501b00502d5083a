"""Use cases of the organization tree."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from partygrid.domain.errors import NotFound, RuleViolation
from partygrid.domain.organizations import Organization, OrgKind, OrgStatus, check_parent
from partygrid.domain.versioning import check_version
from partygrid.repo.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class NewOrganization:
    kind: OrgKind
    name: str
    parent_id: int | None = None
    code: str | None = None
    description: str | None = None


def _snapshot(org: Organization) -> dict[str, Any]:
    return {
        "name": org.name,
        "code": org.code,
        "parent_id": org.parent_id,
        "path": org.path,
        "status": org.status.value,
        "description": org.description,
    }


async def require_organization(
    uow: UnitOfWork, org_id: int, *, for_update: bool = False
) -> Organization:
    org = await uow.organizations.get(org_id, for_update=for_update)
    if org is None:
        raise NotFound(f"organization {org_id} not found")
    return org


async def _active_parent(uow: UnitOfWork, parent_id: int | None) -> Organization | None:
    if parent_id is None:
        return None
    parent = await uow.organizations.get(parent_id)
    if parent is None:
        raise RuleViolation(f"parent organization {parent_id} does not exist", rule="parent-exists")
    if parent.status is not OrgStatus.active:
        raise RuleViolation(f"parent organization {parent_id} is dissolved", rule="parent-active")
    return parent


async def create_organization(uow: UnitOfWork, *, new: NewOrganization) -> Organization:
    async with uow:
        parent = await _active_parent(uow, new.parent_id)
        check_parent(new.kind, parent.kind if parent else None)
        org = await uow.organizations.add(
            Organization(
                id=0,
                kind=new.kind,
                name=new.name.strip(),
                parent_id=new.parent_id,
                path="",
                code=new.code,
                description=new.description,
            ),
            parent.path if parent else None,
        )
        await uow.organizations.record_history(org.id, "created", None, _snapshot(org))
        await uow.commit()
        return org


async def get_organization(
    uow: UnitOfWork, *, org_id: int
) -> tuple[Organization, list[Organization]]:
    """The organization and its ancestors, root first."""
    async with uow:
        org = await require_organization(uow, org_id)
        return org, await uow.organizations.ancestors(org)


async def find_organization_by_code(uow: UnitOfWork, *, code: str) -> Organization | None:
    """The organization with this code (dissolved ones too), or None."""
    async with uow:
        return await uow.organizations.get_by_code(code)


async def update_organization(
    uow: UnitOfWork, *, org_id: int, changes: dict[str, Any], expected_version: int | None
) -> Organization:
    """Rename or edit code/description; history records what changed."""
    async with uow:
        org = await require_organization(uow, org_id, for_update=True)
        check_version(org.version, expected_version)
        if org.status is OrgStatus.dissolved:
            raise RuleViolation(f"organization {org_id} is dissolved", rule="dissolved-is-final")
        if "name" in changes:
            changes["name"] = changes["name"].strip()
        changed = {k: v for k, v in changes.items() if getattr(org, k) != v}
        if not changed:
            return org
        updated = await uow.organizations.update_fields(org_id, **changed)
        action = "renamed" if set(changed) == {"name"} else "updated"
        await uow.organizations.record_history(
            org_id, action, {k: getattr(org, k) for k in changed}, changed
        )
        await uow.commit()
        return updated


async def move_organization(
    uow: UnitOfWork,
    *,
    org_id: int,
    new_parent_id: int | None,
    expected_version: int | None,
    note: str | None = None,
) -> Organization:
    """Move an organization with its whole subtree under a new parent."""
    async with uow:
        org = await require_organization(uow, org_id, for_update=True)
        check_version(org.version, expected_version)
        if org.status is OrgStatus.dissolved:
            raise RuleViolation(f"organization {org_id} is dissolved", rule="dissolved-is-final")
        parent = await _active_parent(uow, new_parent_id)
        if parent is not None and parent.is_within(org.path):
            raise RuleViolation(
                "cannot move an organization under itself or its own descendant", rule="no-cycle"
            )
        check_parent(org.kind, parent.kind if parent else None)
        if org.parent_id == new_parent_id:
            return org
        await uow.organizations.move_subtree(org, parent)
        moved = await require_organization(uow, org_id)
        await uow.organizations.record_history(
            org_id,
            "moved",
            {"parent_id": org.parent_id, "path": org.path},
            {"parent_id": moved.parent_id, "path": moved.path},
            note,
        )
        await uow.commit()
        return moved


async def dissolve_organization(
    uow: UnitOfWork, *, org_id: int, expected_version: int | None, note: str | None = None
) -> Organization:
    """Mark dissolved (撤销); refused while children, members or grids still depend on it."""
    async with uow:
        org = await require_organization(uow, org_id, for_update=True)
        check_version(org.version, expected_version)
        if org.status is OrgStatus.dissolved:
            raise RuleViolation(
                f"organization {org_id} is already dissolved", rule="dissolved-is-final"
            )
        if await uow.organizations.count_active_children(org_id):
            raise RuleViolation(
                "move or dissolve its child organizations first", rule="dissolve-has-children"
            )
        if await uow.organizations.count_current_members(org_id):
            raise RuleViolation(
                "transfer its party members to another organization first",
                rule="dissolve-has-members",
            )
        if await uow.grids.count_active_referring_to(org_id):
            raise RuleViolation(
                "reassign the grids it owns or serves first", rule="dissolve-has-grids"
            )
        dissolved = await uow.organizations.dissolve(org_id)
        await uow.organizations.record_history(
            org_id, "dissolved", {"status": "active"}, {"status": "dissolved"}, note
        )
        await uow.commit()
        return dissolved


async def list_organizations(
    uow: UnitOfWork,
    *,
    under: int | None,
    kind: OrgKind | None,
    include_dissolved: bool,
    max_depth: int | None,
    after_id: int | None,
    limit: int,
) -> list[Organization]:
    async with uow:
        root_path = (await require_organization(uow, under)).path if under is not None else None
        return await uow.organizations.list_subtree(
            root_path,
            kind=kind,
            include_dissolved=include_dissolved,
            max_depth=max_depth,
            after_id=after_id,
            limit=limit,
        )


async def organization_history(
    uow: UnitOfWork, *, org_id: int, after_id: int | None, limit: int
) -> list[dict[str, Any]]:
    async with uow:
        await require_organization(uow, org_id)
        return await uow.organizations.history(org_id, after_id=after_id, limit=limit)
