"""Routes of the service catalogue (服务目录): read by everyone who handles tickets,
edited by district admins."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Response, status

from partygrid.api.deps import ExpectedVersion, ReadUow, Uow
from partygrid.api.errors import problem_responses
from partygrid.api.etag import set_etag
from partygrid.api.permissions import AUTH_ERRORS, CatalogueManager, TicketReader
from partygrid.api.routing import PrefixRouter
from partygrid.api.v1.tickets.schemas import (
    ServiceCategoryCreate,
    ServiceCategoryList,
    ServiceCategoryRead,
    ServiceCategoryUpdate,
)
from partygrid.services.tickets import catalogue as svc

router = PrefixRouter(prefix="/service-categories", tags=["catalogue"], responses=AUTH_ERRORS)


@router.get("", response_model=ServiceCategoryList)
async def list_service_categories(
    uow: ReadUow,
    actor: TicketReader,
    include_inactive: Annotated[bool, Query(description="Also list retired categories.")] = False,
) -> ServiceCategoryList:
    """The catalogue (a few dozen entries, not paginated), by group and code."""
    items = await svc.list_categories(uow, active_only=not include_inactive)
    return ServiceCategoryList(items=[ServiceCategoryRead.of(c) for c in items])


@router.get("/{code}", response_model=ServiceCategoryRead, responses=problem_responses(404))
async def get_service_category(
    code: str, uow: ReadUow, actor: TicketReader, response: Response
) -> ServiceCategoryRead:
    """One category with its attribute definitions and deadline overrides."""
    category = await svc.get_category(uow, code)
    set_etag(response, category.version)
    return ServiceCategoryRead.of(category)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ServiceCategoryRead,
    responses=problem_responses(409, 422),
)
async def create_service_category(
    body: ServiceCategoryCreate, uow: Uow, actor: CatalogueManager, response: Response
) -> ServiceCategoryRead:
    """Add a category, its typed extra attributes and its deadline overrides."""
    values = body.model_dump()
    category = await svc.create_category(uow, actor=actor, new=svc.NewCategory(**values))
    set_etag(response, category.version)
    response.headers["Location"] = f"/api/v1/service-categories/{category.code}"
    return ServiceCategoryRead.of(category)


@router.patch(
    "/{code}", response_model=ServiceCategoryRead, responses=problem_responses(404, 412, 422)
)
async def update_service_category(
    code: str,
    body: ServiceCategoryUpdate,
    uow: Uow,
    actor: CatalogueManager,
    expected: ExpectedVersion,
    response: Response,
) -> ServiceCategoryRead:
    """Edit a category; accepted tickets keep the deadline fixed when they were accepted."""
    category = await svc.update_category(
        uow, actor=actor, code=code, changes=body.model_dump(exclude_unset=True),
        expected_version=expected,
    )  # fmt: skip
    set_etag(response, category.version)
    return ServiceCategoryRead.of(category)
