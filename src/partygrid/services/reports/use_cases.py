"""Reports over a subtree: counts, sizing advice, coverage gaps.

A report ``under`` a node needs the node in the actor's scope (404 otherwise); without
``under`` it covers exactly the actor's scope.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from partygrid.domain.access import Actor
from partygrid.domain.organizations.model import OrgKind, SizingAdvice, sizing_problem
from partygrid.domain.reports.model import summary_zh
from partygrid.repo.uow import UnitOfWork
from partygrid.services.organizations.use_cases import require_organization


@dataclass(slots=True)
class Counts:
    root_id: int | None
    organizations_by_kind: dict[str, int]
    members_by_category: dict[str, int]
    members_total: int
    grids_total: int
    summary_zh: str


@dataclass(slots=True)
class Listing:
    total: int
    items: list[dict[str, Any]] = field(default_factory=list)


async def _root_path(uow: UnitOfWork, under: int | None, actor: Actor) -> str | None:
    if under is None:
        return None
    return (await require_organization(uow, under, actor=actor)).path


async def subtree_counts(uow: UnitOfWork, *, actor: Actor, under: int | None) -> Counts:
    """Organizations by kind (below the root), members by category, grids."""
    scope = actor.scope
    async with uow:
        root = await _root_path(uow, under, actor)
        by_kind = await uow.reports.organizations_by_kind(root, exclude_id=under, scope=scope)
        by_category = await uow.reports.members_by_category(root, scope=scope)
        return Counts(
            root_id=under,
            organizations_by_kind=by_kind,
            members_by_category=by_category,
            members_total=sum(by_category.values()),
            grids_total=await uow.reports.grid_count(root, scope=scope),
            summary_zh=summary_zh({OrgKind(k): n for k, n in by_kind.items()}),
        )


async def sizing_report(
    uow: UnitOfWork, *, actor: Actor, under: int | None, advice: SizingAdvice, limit: int
) -> list[dict[str, Any]]:
    async with uow:
        root = await _root_path(uow, under, actor)
        rows = await uow.reports.oversized(root, advice, limit, scope=actor.scope)
        return [
            {
                "id": r.id,
                "kind": r.kind,
                "name": r.name,
                "members": r.members,
                "advice": sizing_problem(OrgKind(r.kind), r.members, advice),
            }
            for r in rows
        ]


def _listing(rows: list[Any], *fields: str) -> Listing:
    total = int(rows[0].total) if rows else 0
    return Listing(total=total, items=[{f: getattr(r, f) for f in fields} for r in rows])


async def coverage_report(
    uow: UnitOfWork, *, actor: Actor, under: int | None, limit: int
) -> dict[str, Listing]:
    scope = actor.scope
    async with uow:
        root = await _root_path(uow, under, actor)
        r = uow.reports
        return {
            "grids_without_serving_branch": _listing(
                await r.grids_without_serving_branch(root, limit, scope=scope),
                "id", "name", "community_id",
            ),
            "grids_without_leader": _listing(
                await r.grids_without_leader(root, limit, scope=scope),
                "id", "name", "community_id",
            ),
            "members_without_organization": _listing(
                await r.members_without_organization(limit, scope=scope),
                "id", "name", "category",
            ),
            "organizations_without_members": _listing(
                await r.organizations_without_members(root, limit, scope=scope),
                "id", "kind", "name",
            ),
        }  # fmt: skip
