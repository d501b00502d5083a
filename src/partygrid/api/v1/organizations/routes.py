"""Routes of the organization tree (党组织)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Response, status

from partygrid.api.deps import Cursor, ExpectedVersion, PageSize, ReadUow, Uow
from partygrid.api.errors import problem_responses
from partygrid.api.etag import set_etag
from partygrid.api.pagination import cursor_after_id, next_id_cursor
from partygrid.api.permissions import AUTH_ERRORS, OrgReader, OrgWriter
from partygrid.api.routing import PrefixRouter
from partygrid.api.v1.organizations.schemas import (
    OrganizationCreate,
    OrganizationDetail,
    OrganizationDissolve,
    OrganizationHistoryEntry,
    OrganizationHistoryPage,
    OrganizationMove,
    OrganizationPage,
    OrganizationRead,
    OrganizationSummary,
    OrganizationUpdate,
)
from partygrid.domain.organizations.model import Organization, OrgKind
from partygrid.services.organizations import use_cases as svc

router = PrefixRouter(prefix="/organizations", tags=["organizations"], responses=AUTH_ERRORS)

WRITE_ERRORS = problem_responses(404, 409, 412, 422)


def to_read(org: Organization) -> OrganizationRead:
    return OrganizationRead.model_validate(org, from_attributes=True)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=OrganizationRead,
    responses=problem_responses(409, 422),
)
async def create_organization(
    body: OrganizationCreate, uow: Uow, actor: OrgWriter, response: Response
) -> OrganizationRead:
    """Create an organization under a parent in your scope that the tree rules allow."""
    org = await svc.create_organization(
        uow, actor=actor, new=svc.NewOrganization(**body.model_dump())
    )
    set_etag(response, org.version)
    response.headers["Location"] = f"/api/v1/organizations/{org.id}"
    return to_read(org)


@router.get("", response_model=OrganizationPage, responses=problem_responses(404, 422))
async def list_organizations(
    uow: ReadUow,
    actor: OrgReader,
    limit: PageSize,
    cursor: Cursor = None,
    under: Annotated[int | None, Query(description="Only this organization's subtree.")] = None,
    kind: OrgKind | None = None,
    max_depth: Annotated[
        int | None, Query(ge=0, le=20, description="Levels below `under` (0: itself only).")
    ] = None,
    include_dissolved: bool = False,
) -> OrganizationPage:
    """List the organizations in your scope, optionally one subtree, by id."""
    items = await svc.list_organizations(
        uow,
        actor=actor,
        under=under,
        kind=kind,
        include_dissolved=include_dissolved,
        max_depth=max_depth,
        after_id=cursor_after_id(cursor),
        limit=limit,
    )
    return OrganizationPage(
        items=[to_read(o) for o in items],
        next_cursor=next_id_cursor(items[-1].id if items else None, len(items), limit),
    )


@router.get("/{org_id}", response_model=OrganizationDetail, responses=problem_responses(404))
async def get_organization(
    org_id: int, uow: ReadUow, actor: OrgReader, response: Response
) -> OrganizationDetail:
    """One organization with its ancestors within your scope."""
    org, ancestors = await svc.get_organization(uow, actor=actor, org_id=org_id)
    set_etag(response, org.version)
    return OrganizationDetail(
        **to_read(org).model_dump(),
        ancestors=[OrganizationSummary.model_validate(a, from_attributes=True) for a in ancestors],
    )


@router.patch("/{org_id}", response_model=OrganizationRead, responses=WRITE_ERRORS)
async def update_organization(
    org_id: int,
    body: OrganizationUpdate,
    uow: Uow,
    actor: OrgWriter,
    expected: ExpectedVersion,
    response: Response,
) -> OrganizationRead:
    """Rename or edit an organization; history keeps the old values."""
    org = await svc.update_organization(
        uow, actor=actor, org_id=org_id, changes=body.model_dump(exclude_unset=True),
        expected_version=expected,
    )  # fmt: skip
    set_etag(response, org.version)
    return to_read(org)


@router.post("/{org_id}/move", response_model=OrganizationRead, responses=WRITE_ERRORS)
async def move_organization(
    org_id: int,
    body: OrganizationMove,
    uow: Uow,
    actor: OrgWriter,
    expected: ExpectedVersion,
    response: Response,
) -> OrganizationRead:
    """Move an organization and its whole subtree under a new parent in your scope."""
    org = await svc.move_organization(
        uow, actor=actor, org_id=org_id, new_parent_id=body.parent_id,
        expected_version=expected, note=body.note,
    )  # fmt: skip
    set_etag(response, org.version)
    return to_read(org)


@router.post("/{org_id}/dissolve", response_model=OrganizationRead, responses=WRITE_ERRORS)
async def dissolve_organization(
    org_id: int,
    body: OrganizationDissolve,
    uow: Uow,
    actor: OrgWriter,
    expected: ExpectedVersion,
    response: Response,
) -> OrganizationRead:
    """Dissolve (撤销) an organization that nothing depends on any more; it is never deleted."""
    org = await svc.dissolve_organization(
        uow, actor=actor, org_id=org_id, expected_version=expected, note=body.note
    )
    set_etag(response, org.version)
    return to_read(org)


@router.get(
    "/{org_id}/history", response_model=OrganizationHistoryPage, responses=problem_responses(404)
)
async def organization_history(
    org_id: int, uow: ReadUow, actor: OrgReader, limit: PageSize, cursor: Cursor = None
) -> OrganizationHistoryPage:
    """Every change to the organization, oldest first."""
    items = await svc.organization_history(
        uow, actor=actor, org_id=org_id, after_id=cursor_after_id(cursor), limit=limit
    )
    return OrganizationHistoryPage(
        items=[OrganizationHistoryEntry.model_validate(i) for i in items],
        next_cursor=next_id_cursor(items[-1]["id"] if items else None, len(items), limit),
    )
