"""Use cases of the organization tree.

Every use case acts for an ``actor`` and sees only the actor's scope: an organization
outside it is not found (404), and a parent outside it does not exist (a rule). Roots
are made only at the console (``partygrid create-admin --root-org-name``, the demo
loader): an organization without a parent would lie outside every caller's scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from partygrid.domain.access import Actor, PrincipalKind
from partygrid.domain.errors import Forbidden, NotFound, RuleViolation
from partygrid.domain.organizations.model import Organization, OrgKind, OrgStatus, check_parent
from partygrid.domain.versioning import check_version
from partygrid.repo.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class NewOrganization:
    kind: OrgKind
    name: str
    parent_id: int | None = None
    code: str | None = None
    description: str | None = None


def snapshot(org: Organization) -> dict[str, Any]:
    """What the audit trail and the organization's history keep of it."""
    return {
        "kind": org.kind.value,
        "name": org.name,
        "code": org.code,
        "parent_id": org.parent_id,
        "path": org.path,
        "status": org.status.value,
        "description": org.description,
        "version": org.version,
    }


def _at_console(actor: Actor) -> bool:
    return actor.principal.kind is PrincipalKind.system


def _check_root_allowed(actor: Actor) -> None:
    if not _at_console(actor):
        raise RuleViolation(
            "an organization needs a parent_id within your scope; roots are created with "
            "`partygrid create-admin --root-org-name`",
            rule="root-by-bootstrap",
        )


async def require_organization(
    uow: UnitOfWork, org_id: int, *, actor: Actor, for_update: bool = False
) -> Organization:
    """The organization, or 404 when it does not exist or lies outside the actor's scope."""
    org = await uow.organizations.get(org_id, scope=actor.scope, for_update=for_update)
    if org is None:
        raise NotFound(f"organization {org_id} not found")
    return org


async def _active_parent(
    uow: UnitOfWork, parent_id: int | None, actor: Actor
) -> Organization | None:
    if parent_id is None:
        _check_root_allowed(actor)
        return None
    parent = await uow.organizations.get(parent_id, scope=actor.scope)
    if parent is None:
        raise RuleViolation(f"parent organization {parent_id} does not exist", rule="parent-exists")
    if parent.status is not OrgStatus.active:
        raise RuleViolation(f"parent organization {parent_id} is dissolved", rule="parent-active")
    return parent


async def create_organization(
    uow: UnitOfWork, *, actor: Actor, new: NewOrganization
) -> Organization:
    async with uow:
        org = await add_organization(uow, actor=actor, new=new)
        await uow.commit()
        return org


async def add_organization(uow: UnitOfWork, *, actor: Actor, new: NewOrganization) -> Organization:
    """The body of ``create_organization`` inside a unit of work the caller owns (the
    console's create-admin creates a root and an account in one transaction)."""
    parent = await _active_parent(uow, new.parent_id, actor)
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
    await uow.organizations.record_history(org.id, "created", None, snapshot(org))
    uow.audit.record(
        actor, "organization.create", "organization", org.id,
        after=snapshot(org),
    )  # fmt: skip
    return org


async def get_organization(
    uow: UnitOfWork, *, actor: Actor, org_id: int
) -> tuple[Organization, list[Organization]]:
    """The organization and its ancestors within the actor's scope, root first."""
    async with uow:
        org = await require_organization(uow, org_id, actor=actor)
        return org, await uow.organizations.ancestors(org, scope=actor.scope)


async def find_organization_by_code(
    uow: UnitOfWork, *, actor: Actor, code: str
) -> Organization | None:
    """The organization with this code (dissolved ones too) in the actor's scope, or None."""
    async with uow:
        return await uow.organizations.get_by_code(code, scope=actor.scope)


async def find_root_organization(
    uow: UnitOfWork, *, actor: Actor, code: str
) -> Organization | None:
    """The root organization with this code, for the bootstrap at the console (demo
    loader, create-admin), which must find a root before anyone's scope includes it."""
    if not _at_console(actor):
        raise Forbidden("only the console looks up roots outside its scope")
    async with uow:
        return await uow.organizations.root_by_code(code)


async def update_organization(
    uow: UnitOfWork,
    *,
    actor: Actor,
    org_id: int,
    changes: dict[str, Any],
    expected_version: int | None,
) -> Organization:
    """Rename or edit code/description; history records what changed."""
    async with uow:
        org = await require_organization(uow, org_id, actor=actor, for_update=True)
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
        uow.audit.record_change(
            actor, "organization.update", "organization", org_id,
            snapshot(org), snapshot(updated),
        )  # fmt: skip
        await uow.commit()
        return updated


async def move_organization(
    uow: UnitOfWork,
    *,
    actor: Actor,
    org_id: int,
    new_parent_id: int | None,
    expected_version: int | None,
    note: str | None = None,
) -> Organization:
    """Move an organization with its whole subtree under a new parent in the actor's scope."""
    async with uow:
        org = await require_organization(uow, org_id, actor=actor, for_update=True)
        check_version(org.version, expected_version)
        if org.status is OrgStatus.dissolved:
            raise RuleViolation(f"organization {org_id} is dissolved", rule="dissolved-is-final")
        parent = await _active_parent(uow, new_parent_id, actor)
        if parent is not None and parent.is_within(org.path):
            raise RuleViolation(
                "cannot move an organization under itself or its own descendant", rule="no-cycle"
            )
        check_parent(org.kind, parent.kind if parent else None)
        if org.parent_id == new_parent_id:
            return org
        await uow.organizations.move_subtree(org, parent)
        moved = await require_organization(uow, org_id, actor=actor)
        await uow.organizations.record_history(
            org_id,
            "moved",
            {"parent_id": org.parent_id, "path": org.path},
            {"parent_id": moved.parent_id, "path": moved.path},
            note,
        )
        uow.audit.record(
            actor, "organization.move", "organization", org_id,
            before={"parent_id": org.parent_id, "path": org.path, "version": org.version},
            after={"parent_id": moved.parent_id, "path": moved.path, "version": moved.version},
            reason=note,
        )  # fmt: skip
        await uow.commit()
        return moved


async def dissolve_organization(
    uow: UnitOfWork,
    *,
    actor: Actor,
    org_id: int,
    expected_version: int | None,
    note: str | None = None,
) -> Organization:
    """Mark dissolved (撤销); refused while children, members or grids still depend on it."""
    async with uow:
        org = await require_organization(uow, org_id, actor=actor, for_update=True)
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
        uow.audit.record_change(
            actor, "organization.dissolve", "organization", org_id,
            snapshot(org), snapshot(dissolved), reason=note,
        )  # fmt: skip
        await uow.commit()
        return dissolved


async def list_organizations(
    uow: UnitOfWork,
    *,
    actor: Actor,
    under: int | None,
    kind: OrgKind | None,
    include_dissolved: bool,
    max_depth: int | None,
    after_id: int | None,
    limit: int,
) -> list[Organization]:
    """The organizations the actor sees, optionally one (visible) subtree of them."""
    async with uow:
        root_path = (
            (await require_organization(uow, under, actor=actor)).path
            if under is not None
            else None
        )
        return await uow.organizations.list_subtree(
            root_path,
            scope=actor.scope,
            kind=kind,
            include_dissolved=include_dissolved,
            max_depth=max_depth,
            after_id=after_id,
            limit=limit,
        )


async def organization_history(
    uow: UnitOfWork, *, actor: Actor, org_id: int, after_id: int | None, limit: int
) -> list[dict[str, Any]]:
    async with uow:
        await require_organization(uow, org_id, actor=actor)
        return await uow.organizations.history(
            org_id, scope=actor.scope, after_id=after_id, limit=limit
        )
