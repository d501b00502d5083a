"""Schemas of the organization tree."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from partygrid.api.schemas import Code, Name, Note, Page, RequestModel, ResponseModel
from partygrid.domain.organizations.model import OrgKind, OrgStatus


class OrganizationCreate(RequestModel):
    kind: OrgKind
    name: Name = Field(examples=["金沙滩社区党委"])
    parent_id: int | None = Field(
        default=None,
        description="An organization in your scope. Roots (no parent) are made only by "
        "`partygrid create-admin --root-org-name`.",
    )
    code: Code | None = None
    description: str | None = Field(default=None, max_length=2000)


class OrganizationUpdate(RequestModel):
    """Rename or edit; omitted fields stay as they are."""

    name: Name | None = None
    code: Code | None = None
    description: str | None = Field(default=None, max_length=2000)


class OrganizationMove(RequestModel):
    parent_id: int | None = Field(
        description="New parent, in your scope; null (a root) only from the console."
    )
    note: Note | None = None


class OrganizationDissolve(RequestModel):
    note: Note | None = None


class OrganizationSummary(ResponseModel):
    id: int
    kind: OrgKind
    name: str


class OrganizationRead(ResponseModel):
    id: int
    kind: OrgKind
    name: str
    code: str | None
    description: str | None
    parent_id: int | None
    path: str = Field(description="Ids from the root, dot-separated.")
    depth: int
    status: OrgStatus
    version: int
    created_at: datetime
    updated_at: datetime
    dissolved_at: datetime | None


class OrganizationDetail(OrganizationRead):
    ancestors: list[OrganizationSummary] = Field(description="Root first.")


class OrganizationPage(Page[OrganizationRead]):
    pass


class OrganizationHistoryEntry(ResponseModel):
    id: int
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    note: str | None
    at: datetime


class OrganizationHistoryPage(Page[OrganizationHistoryEntry]):
    pass
