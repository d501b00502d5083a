"""Schemas of the reports."""

from __future__ import annotations

from pydantic import BaseModel, Field

from partygrid.domain.members.model import MemberCategory
from partygrid.domain.organizations.model import OrgKind


class SubtreeCounts(BaseModel):
    root_id: int | None = Field(description="The organization counted under; null: everything.")
    organizations_by_kind: dict[OrgKind, int] = Field(
        description="Active organizations below the root (the root itself not counted)."
    )
    members_by_category: dict[MemberCategory, int]
    members_total: int
    grids_total: int
    summary_zh: str = Field(examples=["社区党委160个, 网格党支部1535个, 网格党小组4849个"])


class OversizedOrganization(BaseModel):
    id: int
    kind: OrgKind
    name: str
    members: int = Field(description="Active members in its whole subtree.")
    advice: str


class SizingReport(BaseModel):
    items: list[OversizedOrganization]
    community_committee_over: int
    grid_branch_max: int
    building_group_max: int


class GridGap(BaseModel):
    id: int
    name: str
    community_id: int


class MemberGap(BaseModel):
    id: int
    name: str
    category: MemberCategory


class OrganizationGap(BaseModel):
    id: int
    kind: OrgKind
    name: str


class GridGapList(BaseModel):
    total: int
    items: list[GridGap]


class MemberGapList(BaseModel):
    total: int
    items: list[MemberGap]


class OrganizationGapList(BaseModel):
    total: int
    items: list[OrganizationGap]


class CoverageReport(BaseModel):
    grids_without_serving_branch: GridGapList
    grids_without_leader: GridGapList
    members_without_organization: MemberGapList = Field(
        description="Deployment-wide: an unplaced member belongs to no subtree."
    )
    organizations_without_members: OrganizationGapList
