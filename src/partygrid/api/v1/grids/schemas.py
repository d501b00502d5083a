"""Schemas of grids and their staff; phones leave masked."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

from partygrid.api.schemas import Code, Name, Note, Page, RequestModel, ResponseModel
from partygrid.domain.contact import mask_phone
from partygrid.domain.grids.model import Grid, GridKind, GridStatus, StaffAssignment, StaffRole

PersonName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]

QINGDAO_SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [[120.38, 36.06], [120.39, 36.06], [120.39, 36.07], [120.38, 36.07], [120.38, 36.06]]
    ],
}


class GeoJSONPolygon(BaseModel):
    """A GeoJSON Polygon in WGS-84 (lon, lat): one closed outer ring, no holes."""

    type: Literal["Polygon"]
    coordinates: list[list[list[float]]] = Field(
        description="One ring of [lon, lat] positions, first == last, at least 4 positions."
    )


class Centroid(BaseModel):
    lon: float
    lat: float


class GridCreate(RequestModel):
    name: Name = Field(examples=["金沙滩社区第一网格"])
    kind: GridKind
    community_id: int = Field(description="A community committee or general branch.")
    boundary: GeoJSONPolygon = Field(examples=[QINGDAO_SQUARE])
    serving_branch_id: int | None = Field(
        default=None, description="A grid or business-district branch inside the community."
    )
    code: Code | None = None


class GridUpdate(RequestModel):
    """Edit; omitted fields stay as they are, null clears code or serving branch."""

    name: Name | None = None
    kind: GridKind | None = None
    code: Code | None = None
    serving_branch_id: int | None = None
    boundary: GeoJSONPolygon | None = None


class GridRead(ResponseModel):
    id: int
    code: str | None
    name: str
    kind: GridKind
    status: GridStatus
    community_id: int
    serving_branch_id: int | None
    boundary: dict[str, Any] = Field(description="GeoJSON Polygon (WGS-84).")
    area_m2: float = Field(description="Geodesic area on the WGS-84 ellipsoid, m².")
    centroid: Centroid
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, grid: Grid) -> GridRead:
        return cls(
            id=grid.id,
            code=grid.code,
            name=grid.name,
            kind=grid.kind,
            status=grid.status,
            community_id=grid.community_id,
            serving_branch_id=grid.serving_branch_id,
            boundary=grid.boundary,
            area_m2=round(grid.area_m2, 2),
            centroid=Centroid(lon=grid.centroid_lon, lat=grid.centroid_lat),
            version=grid.version,
            created_at=grid.created_at,
            updated_at=grid.updated_at,
        )


class GridPage(Page[GridRead]):
    pass


class StaffAssignmentCreate(RequestModel):
    role: StaffRole
    person_name: PersonName = Field(examples=["王丽"])
    member_id: int | None = Field(default=None, description="When the person is a party member.")
    phone: Phone | None = Field(
        default=None,
        description="Mainland mobile or landline; stored normalised, always returned masked.",
        examples=["138 1234 5678"],
    )
    department: Short | None = Field(
        default=None, description="Sending department; required for a professional worker."
    )
    affiliation: Short | None = Field(default=None, description="e.g. 派出所, 城管, 快递公司")
    duties: Note | None = None
    started_on: date | None = Field(default=None, description="Defaults to today (Asia/Shanghai).")


class StaffAssignmentEnd(RequestModel):
    ended_on: date | None = Field(default=None, description="Defaults to today (Asia/Shanghai).")
    reason: Note | None = None


class StaffAssignmentRead(ResponseModel):
    id: int
    grid_id: int
    role: StaffRole
    person_name: str
    member_id: int | None
    phone: str | None = Field(description="Masked, e.g. 138****1234 or 0532****678.")
    department: str | None
    affiliation: str | None
    duties: str | None
    started_on: date
    ended_on: date | None
    end_reason: str | None
    current: bool
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, a: StaffAssignment) -> StaffAssignmentRead:
        return cls(
            id=a.id,
            grid_id=a.grid_id,
            role=a.role,
            person_name=a.person_name,
            member_id=a.member_id,
            phone=mask_phone(a.phone),
            department=a.department,
            affiliation=a.affiliation,
            duties=a.duties,
            started_on=a.started_on,
            ended_on=a.ended_on,
            end_reason=a.end_reason,
            current=a.is_current,
            version=a.version,
            created_at=a.created_at,
            updated_at=a.updated_at,
        )


class StaffAssignmentPage(Page[StaffAssignmentRead]):
    pass
