"""Routes of grids (网格): boundaries, point lookup and 1+1+N+X staff."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Response, status

from partygrid.api.deps import Cursor, ExpectedVersion, PageSize, ReadUow, Uow
from partygrid.api.errors import problem_responses
from partygrid.api.etag import set_etag
from partygrid.api.pagination import cursor_after_id, next_id_cursor
from partygrid.api.permissions import AUTH_ERRORS, GridReader, GridWriter
from partygrid.api.routing import PrefixRouter
from partygrid.api.v1.grids.schemas import (
    GridCreate,
    GridPage,
    GridRead,
    GridUpdate,
    StaffAssignmentCreate,
    StaffAssignmentEnd,
    StaffAssignmentPage,
    StaffAssignmentRead,
)
from partygrid.domain.grids.model import GridKind, GridStatus
from partygrid.services.grids import use_cases as svc

router = PrefixRouter(prefix="/grids", tags=["grids"], responses=AUTH_ERRORS)

WRITE_ERRORS = problem_responses(404, 409, 412, 422)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=GridRead,
    responses=problem_responses(409, 422),
)
async def create_grid(
    body: GridCreate, uow: Uow, actor: GridWriter, response: Response
) -> GridRead:
    """Create a grid in a community; its boundary may touch but not overlap another grid."""
    grid = await svc.create_grid(
        uow,
        actor=actor,
        new=svc.NewGrid(
            name=body.name,
            kind=body.kind,
            community_id=body.community_id,
            boundary=body.boundary.model_dump(),
            serving_branch_id=body.serving_branch_id,
            code=body.code,
        ),
    )
    set_etag(response, grid.version)
    response.headers["Location"] = f"/api/v1/grids/{grid.id}"
    return GridRead.of(grid)


@router.get("", response_model=GridPage, responses=problem_responses(404, 422))
async def list_grids(
    uow: ReadUow,
    actor: GridReader,
    limit: PageSize,
    cursor: Cursor = None,
    under: Annotated[
        int | None, Query(description="Only grids of communities in this organization's subtree.")
    ] = None,
    community_id: int | None = None,
    kind: GridKind | None = None,
    serving_branch_id: int | None = None,
    grid_status: Annotated[
        GridStatus | None, Query(alias="status", description="Defaults to active grids only.")
    ] = GridStatus.active,
) -> GridPage:
    """List the grids in your scope by id, filtered by subtree, community, kind, serving
    branch or status."""
    items = await svc.list_grids(
        uow,
        actor=actor,
        under=under,
        community_id=community_id,
        kind=kind,
        serving_branch_id=serving_branch_id,
        status=grid_status,
        after_id=cursor_after_id(cursor),
        limit=limit,
    )
    return GridPage(
        items=[GridRead.of(g) for g in items],
        next_cursor=next_id_cursor(items[-1].id if items else None, len(items), limit),
    )


# Declared before /{grid_id} so that "locate" is not taken for an id.
@router.get("/locate", response_model=GridRead, responses=problem_responses(404, 422))
async def locate_grid(
    uow: ReadUow,
    actor: GridReader,
    response: Response,
    lon: Annotated[float, Query(ge=-180, le=180, description="WGS-84 longitude.")],
    lat: Annotated[float, Query(ge=-90, le=90, description="WGS-84 latitude.")],
) -> GridRead:
    """The active grid in your scope containing a point (e.g. where a request comes from)."""
    grid = await svc.find_grid_at_point(uow, actor=actor, lon=lon, lat=lat)
    set_etag(response, grid.version)
    return GridRead.of(grid)


@router.get("/{grid_id}", response_model=GridRead, responses=problem_responses(404))
async def get_grid(grid_id: int, uow: ReadUow, actor: GridReader, response: Response) -> GridRead:
    """One grid with its boundary, area and centroid."""
    grid = await svc.get_grid(uow, actor=actor, grid_id=grid_id)
    set_etag(response, grid.version)
    return GridRead.of(grid)


@router.patch("/{grid_id}", response_model=GridRead, responses=WRITE_ERRORS)
async def update_grid(
    grid_id: int,
    body: GridUpdate,
    uow: Uow,
    actor: GridWriter,
    expected: ExpectedVersion,
    response: Response,
) -> GridRead:
    """Edit a grid's name, code, kind, serving branch or boundary."""
    changes = body.model_dump(exclude_unset=True)
    if body.boundary is not None:
        changes["boundary"] = body.boundary.model_dump()
    grid = await svc.update_grid(
        uow, actor=actor, grid_id=grid_id, changes=changes, expected_version=expected
    )
    set_etag(response, grid.version)
    return GridRead.of(grid)


@router.post("/{grid_id}/retire", response_model=GridRead, responses=WRITE_ERRORS)
async def retire_grid(
    grid_id: int, uow: Uow, actor: GridWriter, expected: ExpectedVersion, response: Response
) -> GridRead:
    """Retire a grid with no current staff or members; it is kept, never deleted."""
    grid = await svc.retire_grid(uow, actor=actor, grid_id=grid_id, expected_version=expected)
    set_etag(response, grid.version)
    return GridRead.of(grid)


@router.post(
    "/{grid_id}/staff",
    status_code=status.HTTP_201_CREATED,
    response_model=StaffAssignmentRead,
    responses=problem_responses(404, 409, 422),
)
async def assign_grid_staff(
    grid_id: int, body: StaffAssignmentCreate, uow: Uow, actor: GridWriter, response: Response
) -> StaffAssignmentRead:
    """Assign a grid leader, full-time, professional or part-time worker, or info collector."""
    assignment = await svc.assign_staff(
        uow, actor=actor, grid_id=grid_id, new=svc.NewStaffAssignment(**body.model_dump())
    )
    set_etag(response, assignment.version)
    return StaffAssignmentRead.of(assignment)


@router.get(
    "/{grid_id}/staff", response_model=StaffAssignmentPage, responses=problem_responses(404, 422)
)
async def list_grid_staff(
    grid_id: int,
    uow: ReadUow,
    actor: GridReader,
    limit: PageSize,
    cursor: Cursor = None,
    include_ended: Annotated[
        bool, Query(description="Also list ended assignments (the staff history).")
    ] = False,
) -> StaffAssignmentPage:
    """The grid's current staff, or its whole staff history, by id."""
    items = await svc.list_assignments(
        uow,
        actor=actor,
        grid_id=grid_id,
        include_ended=include_ended,
        after_id=cursor_after_id(cursor),
        limit=limit,
    )
    return StaffAssignmentPage(
        items=[StaffAssignmentRead.of(a) for a in items],
        next_cursor=next_id_cursor(items[-1].id if items else None, len(items), limit),
    )


@router.post(
    "/{grid_id}/staff/{assignment_id}/end",
    response_model=StaffAssignmentRead,
    responses=WRITE_ERRORS,
)
async def end_grid_staff_assignment(
    grid_id: int,
    assignment_id: int,
    uow: Uow,
    actor: GridWriter,
    expected: ExpectedVersion,
    response: Response,
    body: StaffAssignmentEnd | None = None,
) -> StaffAssignmentRead:
    """End a staff assignment; it stays in the grid's staff history."""
    body = body or StaffAssignmentEnd()
    assignment = await svc.end_assignment(
        uow,
        actor=actor,
        grid_id=grid_id,
        assignment_id=assignment_id,
        ended_on=body.ended_on,
        reason=body.reason,
        expected_version=expected,
    )
    set_etag(response, assignment.version)
    return StaffAssignmentRead.of(assignment)
