"""Grid repository: boundaries in a GiST-indexed polygon column, staff as dated assignments."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Float, Select, Text, bindparam, cast, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from partygrid.domain.access import Scope
from partygrid.domain.grids.model import (
    Boundary,
    Grid,
    GridKind,
    GridStatus,
    StaffAssignment,
    StaffRole,
    polygon_text,
)
from partygrid.repo.fast_reads import ConnectionLender, FastRead, FastRow, Reader, lends_none
from partygrid.repo.keyring import Keyring
from partygrid.repo.repository import SqlRepository, page_by_id
from partygrid.repo.scoping import grid_id_visible, grid_visible, in_subtree, member_visible
from partygrid.repo.sealing import STAFF_PHONE, seal, unseal
from partygrid.repo.tables import (
    GridRow,
    GridStaffAssignmentRow,
    OrganizationRow,
    PartyMemberRow,
)

G = GridRow
S = GridStaffAssignmentRow

# Any constant will do: it only has to be the same for every writer of boundaries.
_BOUNDARY_LOCK_KEY = 0x6772_6964  # "grid"


def _to_domain(row: GridRow | FastRow) -> Grid:
    return Grid(
        id=row.id,
        name=row.name,
        kind=GridKind(row.kind),
        community_id=row.community_id,
        boundary=row.boundary_geojson,
        area_m2=row.area_m2,
        centroid_lon=row.centroid_lon,
        centroid_lat=row.centroid_lat,
        serving_branch_id=row.serving_branch_id,
        code=row.code,
        status=GridStatus(row.status),
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _assignment(row: GridStaffAssignmentRow, keyring: Keyring) -> StaffAssignment:
    return StaffAssignment(
        id=row.id,
        grid_id=row.grid_id,
        role=StaffRole(row.role),
        person_name=row.person_name,
        started_on=row.started_on,
        member_id=row.member_id,
        phone=unseal(keyring, row.phone_enc, STAFF_PHONE),
        department=row.department,
        affiliation=row.affiliation,
        duties=row.duties,
        ended_on=row.ended_on,
        end_reason=row.end_reason,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def boundary_values(boundary: Boundary) -> dict[str, Any]:
    """The columns that a boundary determines, ready for insert or update."""
    return {
        "boundary": boundary.pg_text(),
        "boundary_geojson": boundary.geojson(),
        "area_m2": boundary.area_m2,
        "centroid_lon": boundary.centroid_lon,
        "centroid_lat": boundary.centroid_lat,
    }


def locate_statement(lon: Any, lat: Any) -> Select[GridRow]:
    """Active grids containing the point, lowest id first.

    ``polygon @> point`` is not indexable, so the degenerate box around the point is
    matched with ``&&`` first: that part is answered by ix_grids_boundary_gist.
    """
    point = func.point(lon, lat)
    return (
        select(G)
        .where(
            G.boundary.op("&&")(func.polygon(func.box(point, point))),
            G.boundary.op("@>")(point),
            G.status == GridStatus.active.value,
        )
        .order_by(G.id)
    )


def _containing_point(scope: Scope) -> Select[Any]:
    """The active grid the scope sees that contains the point (``lon``, ``lat``)."""
    lon, lat = (bindparam(name, type_=Float, required=False) for name in ("lon", "lat"))
    located = locate_statement(lon, lat).with_only_columns(*G.__table__.columns)
    return located.where(grid_visible(scope)).limit(1)


GRID_CONTAINING_POINT = FastRead("grids.containing_point", _containing_point)


class SqlGridRepository(SqlRepository):
    def __init__(
        self, session: AsyncSession, keyring: Keyring, fast_reads: ConnectionLender = lends_none
    ) -> None:
        super().__init__(session)
        self.keyring = keyring
        self.reader = Reader(session, fast_reads)

    # --- grids -----------------------------------------------------------------------

    async def add(self, grid: Grid, boundary: Boundary) -> Grid:
        row = G(
            name=grid.name,
            code=grid.code,
            kind=grid.kind.value,
            community_id=grid.community_id,
            serving_branch_id=grid.serving_branch_id,
            **boundary_values(boundary),
        )
        self.session.add(row)
        await self._flush()
        await self.session.refresh(row)
        return _to_domain(row)

    async def get(self, grid_id: int, *, scope: Scope, for_update: bool = False) -> Grid | None:
        """The grid if it exists and the scope sees it."""
        stmt = select(G).where(G.id == grid_id, grid_visible(scope))
        if for_update:
            stmt = stmt.with_for_update()
        row = (await self.session.execute(stmt)).scalar_one_or_none()
        return _to_domain(row) if row else None

    async def update_fields(
        self, grid_id: int, *, boundary: Boundary | None = None, **values: Any
    ) -> Grid:
        if boundary is not None:
            values.update(boundary_values(boundary))
        stmt = (
            update(G)
            .where(G.id == grid_id)
            .values(**values, version=G.version + 1, updated_at=func.now())
            .returning(G)
        )
        row = (await self._write(stmt)).scalar_one()
        return _to_domain(row)

    async def list_filtered(
        self,
        *,
        scope: Scope,
        under_path: str | None,
        community_id: int | None,
        kind: GridKind | None,
        serving_branch_id: int | None,
        status: GridStatus | None,
        after_id: int | None,
        limit: int,
    ) -> list[Grid]:
        stmt = page_by_id(select(G).where(grid_visible(scope)), G.id, after_id=after_id,
                          limit=limit)  # fmt: skip
        if under_path is not None:
            communities = select(OrganizationRow.id).where(in_subtree(under_path))
            stmt = stmt.where(G.community_id.in_(communities))
        if community_id is not None:
            stmt = stmt.where(G.community_id == community_id)
        if kind is not None:
            stmt = stmt.where(G.kind == kind.value)
        if serving_branch_id is not None:
            stmt = stmt.where(G.serving_branch_id == serving_branch_id)
        if status is not None:
            stmt = stmt.where(G.status == status.value)
        return [_to_domain(r) for r in (await self.session.execute(stmt)).scalars()]

    async def active_grid_at(self, lon: float, lat: float) -> int | None:
        """The active grid containing the point among all grids, whoever asks: routing
        decides where a ticket belongs before the caller's scope is checked."""
        stmt = locate_statement(lon, lat).with_only_columns(G.id).limit(1)
        grid_id: int | None = (await self.session.execute(stmt)).scalar()
        return grid_id

    async def containing_point(self, lon: float, lat: float, *, scope: Scope) -> Grid | None:
        """The visible active grid containing the point (lowest id on a shared edge)."""
        row = await GRID_CONTAINING_POINT.first(self.reader, scope, lon=lon, lat=lat)
        return _to_domain(row) if row else None

    async def lock_boundaries(self) -> None:
        """Serialise boundary writers, so two overlapping grids cannot both pass the check."""
        await self.session.execute(select(func.pg_advisory_xact_lock(_BOUNDARY_LOCK_KEY)))

    async def overlap_candidates(
        self, boundary: Boundary, *, exclude_id: int | None = None
    ) -> list[tuple[int, dict[str, Any]]]:
        """Active grids whose bounding box meets this boundary's (index); shapely decides."""
        search = func.polygon(cast(polygon_text(boundary.ring), Text))
        stmt = select(G.id, G.boundary_geojson).where(
            G.boundary.op("&&")(search), G.status == GridStatus.active.value
        )
        if exclude_id is not None:
            stmt = stmt.where(G.id != exclude_id)
        return [(r.id, r.boundary_geojson) for r in (await self.session.execute(stmt))]

    async def count_active_referring_to(self, org_id: int) -> int:
        stmt = select(func.count()).where(
            or_(G.community_id == org_id, G.serving_branch_id == org_id),
            G.status == "active",
        )
        return (await self.session.execute(stmt)).scalar_one()

    async def count_active_members(self, grid_id: int) -> int:
        M = PartyMemberRow
        stmt = select(func.count()).where(M.grid_id == grid_id, M.status == "active")
        return (await self.session.execute(stmt)).scalar_one()

    async def member_status(self, member_id: int, *, scope: Scope) -> str | None:
        """The status of a party member the scope sees (None: no such member for it)."""
        stmt = select(PartyMemberRow.status).where(
            PartyMemberRow.id == member_id, member_visible(scope)
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    # --- staff -----------------------------------------------------------------------

    async def add_assignment(self, assignment: StaffAssignment) -> StaffAssignment:
        row = S(
            grid_id=assignment.grid_id,
            role=assignment.role.value,
            person_name=assignment.person_name,
            member_id=assignment.member_id,
            phone_enc=seal(self.keyring, assignment.phone, STAFF_PHONE),
            department=assignment.department,
            affiliation=assignment.affiliation,
            duties=assignment.duties,
            started_on=assignment.started_on,
        )
        self.session.add(row)
        await self._flush()
        await self.session.refresh(row)
        return _assignment(row, self.keyring)

    async def get_assignment(
        self, grid_id: int, assignment_id: int, *, scope: Scope, for_update: bool = False
    ) -> StaffAssignment | None:
        stmt = select(S).where(
            S.id == assignment_id, S.grid_id == grid_id, grid_id_visible(S.grid_id, scope)
        )
        if for_update:
            stmt = stmt.with_for_update()
        row = (await self.session.execute(stmt)).scalar_one_or_none()
        return _assignment(row, self.keyring) if row else None

    async def end_assignment(
        self, assignment_id: int, *, ended_on: date, reason: str | None
    ) -> StaffAssignment:
        """Close the period; the row stays as history and is never deleted."""
        stmt = (
            update(S)
            .where(S.id == assignment_id)
            .values(
                ended_on=ended_on, end_reason=reason, version=S.version + 1, updated_at=func.now()
            )
            .returning(S)
        )
        row = (await self._write(stmt)).scalar_one()
        return _assignment(row, self.keyring)

    async def assignments(
        self, grid_id: int, *, scope: Scope, include_ended: bool, after_id: int | None, limit: int
    ) -> list[StaffAssignment]:
        stmt = page_by_id(
            select(S).where(S.grid_id == grid_id, grid_id_visible(S.grid_id, scope)),
            S.id, after_id=after_id, limit=limit,
        )  # fmt: skip
        if not include_ended:
            stmt = stmt.where(S.ended_on.is_(None))
        return [_assignment(r, self.keyring) for r in (await self.session.execute(stmt)).scalars()]

    async def current_leader(self, grid_id: int) -> StaffAssignment | None:
        stmt = select(S).where(
            S.grid_id == grid_id, S.role == StaffRole.grid_leader.value, S.ended_on.is_(None)
        )
        row = (await self.session.execute(stmt)).scalar_one_or_none()
        return _assignment(row, self.keyring) if row else None

    async def count_current_staff(self, grid_id: int) -> int:
        stmt = select(func.count()).where(S.grid_id == grid_id, S.ended_on.is_(None))
        return (await self.session.execute(stmt)).scalar_one()
