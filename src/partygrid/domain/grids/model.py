"""Grids (网格): kinds, the boundary polygon and its checks, and the 1+1+N+X staff rules."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pyproj import Geod
from shapely.geometry import Polygon as ShapelyPolygon
from shapely.geometry import shape as geojson_shape
from shapely.validation import explain_validity

from partygrid.domain.errors import Conflict, InvalidValue, RuleViolation
from partygrid.domain.organizations.model import Organization, OrgKind, OrgStatus


class GridKind(StrEnum):
    courtyard = "courtyard"  # 楼院
    building = "building"  # 楼宇
    estate = "estate"  # 物业小区
    road_segment = "road_segment"  # 路段
    business_district = "business_district"  # 商圈


class GridStatus(StrEnum):
    active = "active"
    retired = "retired"


class StaffRole(StrEnum):
    grid_leader = "grid_leader"  # 网格长
    full_time_worker = "full_time_worker"  # 专职网格员
    professional_worker = "professional_worker"  # 专业网格员, sent down by a department
    part_time_worker = "part_time_worker"  # 兼职网格员
    info_collector = "info_collector"  # 民情信息员


GRID_COMMUNITY_KINDS = frozenset({OrgKind.community_committee, OrgKind.community_general_branch})
SERVING_BRANCH_KINDS = frozenset({OrgKind.grid_branch, OrgKind.business_district_branch})

BOUNDARY_FIELD = "body.boundary"
MAX_POSITIONS = 5000
# Boundaries digitised on different maps leave slivers along shared edges; an overlap
# smaller than this is treated as touching, anything larger is a real overlap.
OVERLAP_TOLERANCE_M2 = 1.0

_GEOD = Geod(ellps="WGS84")


class GridOverlap(Conflict):
    code = "grid-overlap"
    title = "Boundary overlaps another grid"


@dataclass(frozen=True, slots=True)
class Boundary:
    """A validated WGS-84 ring (closed, lon/lat) with its geodesic area and centroid."""

    ring: tuple[tuple[float, float], ...]
    area_m2: float
    centroid_lon: float
    centroid_lat: float

    def geojson(self) -> dict[str, Any]:
        return {"type": "Polygon", "coordinates": [[[lon, lat] for lon, lat in self.ring]]}

    def shape(self) -> ShapelyPolygon:
        return ShapelyPolygon(self.ring)

    def pg_text(self) -> str:
        return polygon_text(self.ring)


def polygon_text(ring: tuple[tuple[float, float], ...] | list[tuple[float, float]]) -> str:
    """PostgreSQL ``polygon`` text ``((lon,lat),...)``; it closes itself, so the repeat goes."""
    points = list(ring)
    if len(points) > 1 and points[0] == points[-1]:
        points = points[:-1]
    return "(" + ",".join(f"({lon!r},{lat!r})" for lon, lat in points) + ")"


def _bad(detail: str) -> InvalidValue:
    return InvalidValue(f"boundary: {detail}", field=BOUNDARY_FIELD)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _position(raw: Any, index: int) -> tuple[float, float]:
    if not isinstance(raw, list | tuple) or len(raw) not in (2, 3):
        raise _bad(f"position {index} must be [lon, lat] (an altitude may follow)")
    if not all(_is_number(v) for v in raw):
        raise _bad(f"position {index} must hold finite numbers")
    lon, lat = float(raw[0]), float(raw[1])
    if not -180.0 <= lon <= 180.0:
        raise _bad(f"position {index}: longitude {lon} is outside [-180, 180]")
    if not -90.0 <= lat <= 90.0:
        raise _bad(f"position {index}: latitude {lat} is outside [-90, 90]")
    return lon, lat


def parse_boundary(raw: Any) -> Boundary:
    """Validate a GeoJSON Polygon (WGS-84) and measure it; refusals name the problem."""
    if not isinstance(raw, dict):
        raise _bad("must be a GeoJSON Polygon object")
    if raw.get("type") != "Polygon":
        raise _bad(f"type must be 'Polygon', not {raw.get('type')!r}")
    rings = raw.get("coordinates")
    if not isinstance(rings, list | tuple) or not rings:
        raise _bad("coordinates must be a list holding one ring of positions")
    if len(rings) > 1:
        raise _bad(
            "holes (interior rings) are not supported; send only the outer ring "
            "(the database's polygon type has no holes)"
        )
    ring_raw = rings[0]
    if not isinstance(ring_raw, list | tuple):
        raise _bad("the ring must be a list of positions")
    if len(ring_raw) < 4:
        raise _bad(f"a ring needs at least 4 positions (first == last), got {len(ring_raw)}")
    if len(ring_raw) > MAX_POSITIONS:
        raise _bad(f"a ring may have at most {MAX_POSITIONS} positions")
    ring = tuple(_position(p, i) for i, p in enumerate(ring_raw))
    if ring[0] != ring[-1]:
        raise _bad("the ring is not closed: its first and last positions must be equal")
    shape = ShapelyPolygon(ring)
    if not shape.is_valid:
        raise _bad(f"not a valid polygon: {explain_validity(shape)}")
    if shape.area == 0:
        raise _bad("the polygon has zero area")
    area, _ = _GEOD.geometry_area_perimeter(shape)
    area = abs(area)
    if area == 0:
        raise _bad("the polygon has zero area")
    centroid = shape.centroid
    return Boundary(ring=ring, area_m2=area, centroid_lon=centroid.x, centroid_lat=centroid.y)


def overlap_area_m2(a: ShapelyPolygon, b: ShapelyPolygon) -> float:
    """Geodesic area shared by two polygons; 0 when they are apart or only touch."""
    if not a.intersects(b) or a.touches(b):
        return 0.0
    shared = a.intersection(b)
    if shared.is_empty or shared.area == 0:
        return 0.0
    area, _ = _GEOD.geometry_area_perimeter(shared)
    return abs(area)


def check_no_overlap(boundary: Boundary, others: list[tuple[int, dict[str, Any]]]) -> None:
    """Refuse a boundary that shares area with any other active grid; touching is fine."""
    shape = boundary.shape()
    clashes = [
        grid_id
        for grid_id, geojson in sorted(others)
        if overlap_area_m2(shape, geojson_shape(geojson)) > OVERLAP_TOLERANCE_M2
    ]
    if clashes:
        listed = ", ".join(str(i) for i in clashes)
        raise GridOverlap(
            f"the boundary overlaps grid(s) {listed}; grids may touch but not overlap",
            other_grid_id=clashes[0],
        )


def check_community(org: Organization) -> None:
    """A grid belongs to a community (社区党委 or 社区党总支) that is still active."""
    if org.kind not in GRID_COMMUNITY_KINDS:
        names = ", ".join(sorted(GRID_COMMUNITY_KINDS))
        raise RuleViolation(
            f"organization {org.id} is a {org.kind}; a grid's community must be one of: {names}",
            rule="grid-community-kind",
        )
    if org.status is not OrgStatus.active:
        raise RuleViolation(f"community {org.id} is dissolved", rule="grid-community-active")


def check_serving_branch(branch: Organization, community: Organization) -> None:
    """The serving branch is a grid or business-district branch inside the community."""
    if branch.kind not in SERVING_BRANCH_KINDS:
        names = ", ".join(sorted(SERVING_BRANCH_KINDS))
        raise RuleViolation(
            f"organization {branch.id} is a {branch.kind}; a serving branch must be one of: "
            f"{names}",
            rule="serving-branch-kind",
        )
    if branch.status is not OrgStatus.active:
        raise RuleViolation(f"branch {branch.id} is dissolved", rule="serving-branch-active")
    if branch.id == community.id or not branch.is_within(community.path):
        raise RuleViolation(
            f"branch {branch.id} is not inside community {community.id}",
            rule="serving-branch-in-community",
        )


def check_staff(role: StaffRole, department: str | None) -> None:
    if role is StaffRole.professional_worker and not (department and department.strip()):
        raise RuleViolation(
            "a professional worker (专业网格员) is sent down by a department; name it",
            rule="professional-worker-department",
        )


@dataclass(slots=True)
class Grid:
    id: int
    name: str
    kind: GridKind
    community_id: int
    boundary: dict[str, Any]  # normalised GeoJSON Polygon
    area_m2: float
    centroid_lon: float
    centroid_lat: float
    serving_branch_id: int | None = None
    code: str | None = None
    status: GridStatus = GridStatus.active
    version: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None

    def check_active(self) -> None:
        if self.status is not GridStatus.active:
            raise RuleViolation(f"grid {self.id} is retired", rule="retired-is-final")


@dataclass(slots=True)
class StaffAssignment:
    """One person in one role on one grid for a period; ending keeps it as history."""

    id: int
    grid_id: int
    role: StaffRole
    person_name: str
    started_on: date
    member_id: int | None = None
    phone: str | None = None  # normalised; masked in every response
    department: str | None = None
    affiliation: str | None = None
    duties: str | None = None
    ended_on: date | None = None
    end_reason: str | None = None
    version: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def is_current(self) -> bool:
        return self.ended_on is None

    def check_can_end(self, on: date, today: date) -> None:
        if not self.is_current:
            raise RuleViolation(
                f"assignment {self.id} already ended on {self.ended_on}", rule="assignment-ended"
            )
        if on < self.started_on:
            raise RuleViolation(
                f"an assignment cannot end ({on}) before it started ({self.started_on})",
                rule="end-before-start",
            )
        if on > today:
            raise RuleViolation(
                f"an assignment ends when it is recorded; {on} is in the future",
                rule="end-in-future",
            )
