"""Use cases of grids (网格) and their 1+1+N+X staff.

Each acts for an ``actor``: a grid outside its scope is not found (404), and a community,
serving branch or member outside it does not exist (the same rule as a missing one).
Overlap is checked against every grid, but only the grids the actor sees are named.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from partygrid.domain.access import Actor
from partygrid.domain.calendar import SHANGHAI
from partygrid.domain.contact import normalize_phone
from partygrid.domain.errors import Conflict, InvalidValue, NotFound, RuleViolation
from partygrid.domain.grids.model import (
    Boundary,
    Grid,
    GridKind,
    GridOverlap,
    GridStatus,
    StaffAssignment,
    StaffRole,
    check_community,
    check_no_overlap,
    check_serving_branch,
    check_staff,
    parse_boundary,
)
from partygrid.domain.organizations.model import Organization
from partygrid.domain.versioning import check_version
from partygrid.repo.uow import UnitOfWork


def grid_snapshot(g: Grid) -> dict[str, Any]:
    # The polygon itself can be large; area and centroid say whether it moved.
    return {
        "name": g.name,
        "code": g.code,
        "kind": g.kind.value,
        "community_id": g.community_id,
        "serving_branch_id": g.serving_branch_id,
        "status": g.status.value,
        "area_m2": round(g.area_m2, 1),
        "centroid": [round(g.centroid_lon, 6), round(g.centroid_lat, 6)],
        "version": g.version,
    }


def assignment_snapshot(a: StaffAssignment) -> dict[str, Any]:
    return {
        "grid_id": a.grid_id,
        "role": a.role.value,
        "person_name": a.person_name,
        "member_id": a.member_id,
        "phone": a.phone,
        "department": a.department,
        "affiliation": a.affiliation,
        "duties": a.duties,
        "started_on": a.started_on,
        "ended_on": a.ended_on,
        "end_reason": a.end_reason,
        "version": a.version,
    }


def business_today() -> date:
    return datetime.now(SHANGHAI).date()


@dataclass(frozen=True, slots=True)
class NewGrid:
    name: str
    kind: GridKind
    community_id: int
    boundary: dict[str, Any]  # GeoJSON Polygon, validated by parse_boundary
    serving_branch_id: int | None = None
    code: str | None = None


@dataclass(frozen=True, slots=True)
class NewStaffAssignment:
    role: StaffRole
    person_name: str
    member_id: int | None = None
    phone: str | None = None
    department: str | None = None
    affiliation: str | None = None
    duties: str | None = None
    started_on: date | None = None


async def require_grid(
    uow: UnitOfWork, grid_id: int, *, actor: Actor, for_update: bool = False
) -> Grid:
    """The grid, or 404 when it does not exist or lies outside the actor's scope."""
    grid = await uow.grids.get(grid_id, scope=actor.scope, for_update=for_update)
    if grid is None:
        raise NotFound(f"grid {grid_id} not found")
    return grid


async def _community(uow: UnitOfWork, community_id: int, actor: Actor) -> Organization:
    org = await uow.organizations.get(community_id, scope=actor.scope)
    if org is None:
        raise RuleViolation(
            f"organization {community_id} does not exist", rule="grid-community-exists"
        )
    check_community(org)
    return org


async def _check_serving_branch(
    uow: UnitOfWork, branch_id: int | None, community: Organization, actor: Actor
) -> None:
    if branch_id is None:
        return
    branch = await uow.organizations.get(branch_id, scope=actor.scope)
    if branch is None:
        raise RuleViolation(
            f"organization {branch_id} does not exist", rule="serving-branch-exists"
        )
    check_serving_branch(branch, community)


async def _check_overlap(
    uow: UnitOfWork, boundary: Boundary, exclude_id: int | None, actor: Actor
) -> None:
    await uow.grids.lock_boundaries()
    candidates = await uow.grids.overlap_candidates(boundary, exclude_id=exclude_id)
    try:
        check_no_overlap(boundary, candidates)
    except GridOverlap:
        # Name the grids the actor may see; the others only as "outside your scope".
        seen = [c for c in candidates if await uow.grids.get(c[0], scope=actor.scope)]
        check_no_overlap(boundary, seen)
        raise GridOverlap(
            "the boundary overlaps a grid outside your scope; grids may touch but not overlap"
        ) from None


async def create_grid(uow: UnitOfWork, *, actor: Actor, new: NewGrid) -> Grid:
    """Create a grid whose boundary overlaps no other active grid."""
    boundary = parse_boundary(new.boundary)
    async with uow:
        community = await _community(uow, new.community_id, actor)
        await _check_serving_branch(uow, new.serving_branch_id, community, actor)
        await _check_overlap(uow, boundary, exclude_id=None, actor=actor)
        grid = await uow.grids.add(
            Grid(
                id=0,
                name=new.name.strip(),
                kind=new.kind,
                community_id=community.id,
                serving_branch_id=new.serving_branch_id,
                code=new.code,
                boundary=boundary.geojson(),
                area_m2=boundary.area_m2,
                centroid_lon=boundary.centroid_lon,
                centroid_lat=boundary.centroid_lat,
            ),
            boundary,
        )
        uow.audit.record(actor, "grid.create", "grid", grid.id, after=grid_snapshot(grid))
        await uow.commit()
        return grid


async def get_grid(uow: UnitOfWork, *, actor: Actor, grid_id: int) -> Grid:
    async with uow:
        return await require_grid(uow, grid_id, actor=actor)


_NOT_NULL = ("name", "kind", "boundary")


async def update_grid(
    uow: UnitOfWork,
    *,
    actor: Actor,
    grid_id: int,
    changes: dict[str, Any],
    expected_version: int | None,
) -> Grid:
    """Edit name, code, kind, serving branch or boundary; a new boundary is re-measured."""
    for key in _NOT_NULL:
        if key in changes and changes[key] is None:
            raise InvalidValue(f"{key} cannot be null", field=f"body.{key}")
    boundary = parse_boundary(changes["boundary"]) if "boundary" in changes else None
    async with uow:
        grid = await require_grid(uow, grid_id, actor=actor, for_update=True)
        check_version(grid.version, expected_version)
        grid.check_active()
        values: dict[str, Any] = {}
        if "name" in changes:
            values["name"] = changes["name"].strip()
        if "code" in changes:
            values["code"] = changes["code"]
        if "kind" in changes:
            values["kind"] = GridKind(changes["kind"]).value
        if "serving_branch_id" in changes:
            values["serving_branch_id"] = changes["serving_branch_id"]
        values = {k: v for k, v in values.items() if getattr(grid, k) != v}
        if values.get("serving_branch_id") is not None:
            # The grid's own community, whoever asks (an actor granted just the grid too).
            community = await uow.organizations.get_for_rule(grid.community_id)
            assert community is not None  # fk_grids_community_id
            await _check_serving_branch(uow, values["serving_branch_id"], community, actor)
        if boundary is not None and boundary.geojson() == grid.boundary:
            boundary = None
        if boundary is not None:
            await _check_overlap(uow, boundary, exclude_id=grid_id, actor=actor)
        if not values and boundary is None:
            return grid
        updated = await uow.grids.update_fields(grid_id, boundary=boundary, **values)
        uow.audit.record_change(
            actor, "grid.update", "grid", grid_id, grid_snapshot(grid), grid_snapshot(updated)
        )
        await uow.commit()
        return updated


async def retire_grid(
    uow: UnitOfWork, *, actor: Actor, grid_id: int, expected_version: int | None
) -> Grid:
    """Retire a grid (never deleted); refused while staff or party members are still on it.

    Ending each assignment is a deliberate act with a date and a reason, so retiring does
    not do it silently. A retired grid frees its area for new grids and is final.
    """
    async with uow:
        grid = await require_grid(uow, grid_id, actor=actor, for_update=True)
        check_version(grid.version, expected_version)
        grid.check_active()
        if await uow.grids.count_current_staff(grid_id):
            raise RuleViolation(
                "end the grid's current staff assignments first", rule="retire-has-staff"
            )
        if await uow.grids.count_active_members(grid_id):
            raise RuleViolation(
                "move the party members placed in this grid first", rule="retire-has-members"
            )
        retired = await uow.grids.update_fields(grid_id, status=GridStatus.retired.value)
        uow.audit.record_change(
            actor, "grid.retire", "grid", grid_id, grid_snapshot(grid), grid_snapshot(retired)
        )
        await uow.commit()
        return retired


async def list_grids(
    uow: UnitOfWork,
    *,
    actor: Actor,
    under: int | None,
    community_id: int | None,
    kind: GridKind | None,
    serving_branch_id: int | None,
    status: GridStatus | None,
    after_id: int | None,
    limit: int,
) -> list[Grid]:
    """The grids the actor sees, optionally those of one (visible) subtree."""
    async with uow:
        under_path = None
        if under is not None:
            org = await uow.organizations.get(under, scope=actor.scope)
            if org is None:
                raise NotFound(f"organization {under} not found")
            under_path = org.path
        return await uow.grids.list_filtered(
            scope=actor.scope,
            under_path=under_path,
            community_id=community_id,
            kind=kind,
            serving_branch_id=serving_branch_id,
            status=status,
            after_id=after_id,
            limit=limit,
        )


async def find_grid_at_point(uow: UnitOfWork, *, actor: Actor, lon: float, lat: float) -> Grid:
    """The active grid containing the point among those the actor sees; on a shared edge,
    the lowest id wins."""
    if not -180.0 <= lon <= 180.0:
        raise InvalidValue("longitude must be within [-180, 180]", field="query.lon")
    if not -90.0 <= lat <= 90.0:
        raise InvalidValue("latitude must be within [-90, 90]", field="query.lat")
    async with uow:
        grid = await uow.grids.containing_point(lon, lat, scope=actor.scope)
        if grid is None:
            raise NotFound("no grid contains this point")
        return grid


async def assign_staff(
    uow: UnitOfWork, *, actor: Actor, grid_id: int, new: NewStaffAssignment
) -> StaffAssignment:
    """Put a person on a grid in a 1+1+N+X role; one current grid leader at most."""
    check_staff(new.role, new.department)
    phone = normalize_phone(new.phone) if new.phone else None
    today = business_today()
    started_on = new.started_on or today
    if started_on > today:
        raise RuleViolation(
            f"an assignment starts when it is recorded; {started_on} is in the future",
            rule="start-in-future",
        )
    async with uow:
        grid = await require_grid(uow, grid_id, actor=actor, for_update=True)
        grid.check_active()
        if new.member_id is not None:
            member_status = await uow.grids.member_status(new.member_id, scope=actor.scope)
            if member_status is None:
                raise RuleViolation(
                    f"party member {new.member_id} does not exist", rule="member-exists"
                )
            if member_status != "active":
                raise RuleViolation(
                    f"party member {new.member_id} is no longer active", rule="member-active"
                )
        if new.role is StaffRole.grid_leader:
            leader = await uow.grids.current_leader(grid_id)
            if leader is not None:
                raise Conflict(
                    f"grid {grid_id} already has a current grid leader (assignment "
                    f"{leader.id}); end that assignment first",
                    constraint="uq_grid_staff_assignments_one_leader",
                    current_assignment_id=leader.id,
                )
        assignment = await uow.grids.add_assignment(
            StaffAssignment(
                id=0,
                grid_id=grid_id,
                role=new.role,
                person_name=new.person_name.strip(),
                started_on=started_on,
                member_id=new.member_id,
                phone=phone,
                department=new.department,
                affiliation=new.affiliation,
                duties=new.duties,
            )
        )
        uow.audit.record(
            actor, "grid.staff.assign", "grid_staff_assignment", assignment.id,
            after=assignment_snapshot(assignment),
        )  # fmt: skip
        await uow.commit()
        return assignment


async def end_assignment(
    uow: UnitOfWork,
    *,
    actor: Actor,
    grid_id: int,
    assignment_id: int,
    ended_on: date | None,
    reason: str | None,
    expected_version: int | None,
) -> StaffAssignment:
    """End an assignment on a date; the record stays in the grid's staff history."""
    today = business_today()
    async with uow:
        await require_grid(uow, grid_id, actor=actor)
        assignment = await uow.grids.get_assignment(
            grid_id, assignment_id, scope=actor.scope, for_update=True
        )
        if assignment is None:
            raise NotFound(f"staff assignment {assignment_id} not found on grid {grid_id}")
        check_version(assignment.version, expected_version)
        on = ended_on or today
        assignment.check_can_end(on, today)
        ended = await uow.grids.end_assignment(assignment_id, ended_on=on, reason=reason)
        uow.audit.record_change(
            actor, "grid.staff.end", "grid_staff_assignment", assignment_id,
            assignment_snapshot(assignment), assignment_snapshot(ended), reason=reason,
        )  # fmt: skip
        await uow.commit()
        return ended


async def list_assignments(
    uow: UnitOfWork,
    *,
    actor: Actor,
    grid_id: int,
    include_ended: bool,
    after_id: int | None,
    limit: int,
) -> list[StaffAssignment]:
    async with uow:
        await require_grid(uow, grid_id, actor=actor)
        return await uow.grids.assignments(
            grid_id, scope=actor.scope, include_ended=include_ended, after_id=after_id,
            limit=limit,
        )  # fmt: skip
