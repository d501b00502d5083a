"""Organization repository: the tree lives in an ltree path, so subtree queries use an index."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, text, update

from partygrid.domain.access import Scope
from partygrid.domain.organizations.model import Organization, OrgKind, OrgStatus
from partygrid.repo.repository import SqlRepository, page_by_id
from partygrid.repo.scoping import in_subtree, org_id_visible, org_visible
from partygrid.repo.tables import OrganizationHistoryRow, OrganizationRow, PartyMemberRow

Org = OrganizationRow


def _to_domain(row: OrganizationRow) -> Organization:
    return Organization(
        id=row.id,
        kind=OrgKind(row.kind),
        name=row.name,
        parent_id=row.parent_id,
        path=row.path,
        status=OrgStatus(row.status),
        code=row.code,
        description=row.description,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        dissolved_at=row.dissolved_at,
    )


class SqlOrganizationRepository(SqlRepository):
    async def get(
        self, org_id: int, *, scope: Scope, for_update: bool = False
    ) -> Organization | None:
        """The organization if it exists and the scope sees it."""
        stmt = select(Org).where(Org.id == org_id, org_visible(scope))
        if for_update:
            stmt = stmt.with_for_update()
        row = (await self.session.execute(stmt)).scalar_one_or_none()
        return _to_domain(row) if row else None

    async def get_by_code(self, code: str, *, scope: Scope) -> Organization | None:
        """The organization carrying this code, whatever its status (uq_organizations_code),
        if the scope sees it."""
        stmt = select(Org).where(Org.code == code, org_visible(scope))
        row = (await self.session.execute(stmt)).scalar_one_or_none()
        return _to_domain(row) if row else None

    async def root_by_code(self, code: str) -> Organization | None:
        """A root (no parent) carrying this code. Roots lie outside every scope until one is
        granted, so only the bootstrap at the console (system actor) may look them up."""
        stmt = select(Org).where(Org.code == code, Org.parent_id.is_(None))
        row = (await self.session.execute(stmt)).scalar_one_or_none()
        return _to_domain(row) if row else None

    async def active_root_named(self, kind: OrgKind, name: str) -> Organization | None:
        """An active root of this kind and name (console bootstrap only, like root_by_code)."""
        stmt = (
            select(Org)
            .where(Org.parent_id.is_(None), Org.kind == kind.value, Org.name == name,
                   Org.status == OrgStatus.active.value)
            .order_by(Org.id)
            .limit(1)
        )  # fmt: skip
        row = (await self.session.execute(stmt)).scalar_one_or_none()
        return _to_domain(row) if row else None

    async def get_many(self, ids: list[int], *, scope: Scope) -> dict[int, Organization]:
        if not ids:
            return {}
        stmt = select(Org).where(Org.id.in_(ids), org_visible(scope))
        rows = (await self.session.execute(stmt)).scalars()
        return {row.id: _to_domain(row) for row in rows}

    async def add(self, org: Organization, parent_path: str | None) -> Organization:
        """Insert, then set the path from the new id (ids are the path's labels)."""
        new_id = (
            await self.session.execute(
                text("SELECT nextval(pg_get_serial_sequence('organizations','id'))")
            )
        ).scalar_one()
        path = f"{parent_path}.{new_id}" if parent_path else str(new_id)
        row = Org(
            id=new_id,
            kind=org.kind.value,
            name=org.name,
            code=org.code,
            description=org.description,
            parent_id=org.parent_id,
            path=path,
        )
        self.session.add(row)
        await self.session.flush()
        await self.session.refresh(row)
        return _to_domain(row)

    async def update_fields(self, org_id: int, **values: Any) -> Organization:
        stmt = (
            update(Org)
            .where(Org.id == org_id)
            .values(**values, version=Org.version + 1, updated_at=func.now())
            .returning(Org)
        )
        row = (await self.session.execute(stmt)).scalar_one()
        return _to_domain(row)

    async def dissolve(self, org_id: int) -> Organization:
        return await self.update_fields(
            org_id, status=OrgStatus.dissolved.value, dissolved_at=func.now()
        )

    async def move_subtree(self, org: Organization, new_parent: Organization | None) -> None:
        """Re-root every path under ``org`` in one statement."""
        new_prefix = f"{new_parent.path}.{org.id}" if new_parent else str(org.id)
        await self.session.execute(
            text(
                "UPDATE organizations SET path = text2ltree(:new_prefix) "
                "|| subpath(path, nlevel(text2ltree(:old_path))), "
                "updated_at = now() WHERE path <@ text2ltree(:old_path) AND id <> :id"
            ),
            {"new_prefix": new_prefix, "old_path": org.path, "id": org.id},
        )
        await self.update_fields(
            org.id, parent_id=new_parent.id if new_parent else None, path=new_prefix
        )

    async def record_history(
        self,
        org_id: int,
        action: str,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
        note: str | None = None,
    ) -> None:
        self.session.add(
            OrganizationHistoryRow(
                organization_id=org_id, action=action, before=before, after=after, note=note
            )
        )

    async def history(
        self, org_id: int, *, scope: Scope, after_id: int | None, limit: int
    ) -> list[dict[str, Any]]:
        H = OrganizationHistoryRow
        stmt = page_by_id(
            select(H).where(H.organization_id == org_id, org_id_visible(H.organization_id, scope)),
            H.id, after_id=after_id, limit=limit,
        )  # fmt: skip
        rows = (await self.session.execute(stmt)).scalars()
        return [
            {
                "id": r.id,
                "action": r.action,
                "before": r.before,
                "after": r.after,
                "note": r.note,
                "at": r.at,
            }
            for r in rows
        ]

    async def list_subtree(
        self,
        root_path: str | None,
        *,
        scope: Scope,
        kind: OrgKind | None,
        include_dissolved: bool,
        max_depth: int | None,
        after_id: int | None,
        limit: int,
    ) -> list[Organization]:
        """Visible organizations, in the subtree at ``root_path`` when given."""
        stmt = page_by_id(select(Org).where(org_visible(scope)), Org.id, after_id=after_id,
                          limit=limit)  # fmt: skip
        if root_path is not None:
            stmt = stmt.where(in_subtree(root_path))
        if kind is not None:
            stmt = stmt.where(Org.kind == kind.value)
        if not include_dissolved:
            stmt = stmt.where(Org.status == OrgStatus.active.value)
        if max_depth is not None:
            root_depth = root_path.count(".") + 1 if root_path else 1
            stmt = stmt.where(func.nlevel(Org.path) <= root_depth + max_depth)
        return [_to_domain(r) for r in (await self.session.execute(stmt)).scalars()]

    async def ancestors(self, org: Organization, *, scope: Scope) -> list[Organization]:
        """The visible ancestors, root first, excluding the organization itself (one
        indexed query): a caller's breadcrumb starts at the top of its own scope."""
        stmt = (
            select(Org)
            .where(
                Org.path.op("@>")(func.text2ltree(org.path)), Org.id != org.id, org_visible(scope)
            )
            .order_by(func.nlevel(Org.path))
        )
        return [_to_domain(r) for r in (await self.session.execute(stmt)).scalars()]

    async def lineage(self, org: Organization) -> list[Organization]:
        """Every ancestor, root first, whatever the caller's scope: for evaluating rules
        (which community is this in?) inside a use case, never for a response."""
        stmt = (
            select(Org)
            .where(Org.path.op("@>")(func.text2ltree(org.path)), Org.id != org.id)
            .order_by(func.nlevel(Org.path))
        )
        return [_to_domain(r) for r in (await self.session.execute(stmt)).scalars()]

    async def get_for_rule(self, org_id: int) -> Organization | None:
        """The organization whatever the caller's scope: only for evaluating a rule inside
        a use case (is this group in that community?), never for a response."""
        row = (await self.session.execute(select(Org).where(Org.id == org_id))).scalar_one_or_none()
        return _to_domain(row) if row else None

    async def count_active_children(self, org_id: int) -> int:
        stmt = select(func.count()).where(Org.parent_id == org_id, Org.status == "active")
        return (await self.session.execute(stmt)).scalar_one()

    async def count_current_members(self, org_id: int) -> int:
        M = PartyMemberRow
        stmt = select(func.count()).where(
            (M.organization_id == org_id) | (M.central_household_group_id == org_id),
            M.status == "active",
        )
        return (await self.session.execute(stmt)).scalar_one()
