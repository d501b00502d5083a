"""Reads for the public: the active catalogue and tickets without any personal data.

Deliberately unscoped (the public is nobody in particular) and deliberately narrow: the
requester's columns and the assignee are never selected, so no mapping mistake upstream
can put them in an answer.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from partygrid.domain.organizations import COMMUNITY_KINDS
from partygrid.domain.public_tickets import PublicCategory, PublicTicket
from partygrid.domain.tickets import TicketState
from partygrid.repo.tables import (
    GridRow,
    OrganizationRow,
    ServiceCategoryRow,
    TicketEventRow,
    TicketRow,
)

T, C, G, E = TicketRow, ServiceCategoryRow, GridRow, TicketEventRow
Agency = aliased(OrganizationRow, name="agency")
Merged = aliased(TicketRow, name="merged_into")
_PUBLIC_NOTE_ACTIONS = ("reject", "merge")


def _category(row: ServiceCategoryRow) -> PublicCategory:
    return PublicCategory(
        code=row.code, name=row.name, description=row.description, group_name=row.group_name,
        default_type=row.default_type,
        keywords=tuple(row.keywords or ()), attributes=tuple(row.attributes or ()),
    )  # fmt: skip


def _media_url(attachments: Any) -> str | None:
    """The first attachment that is a public web address; internal references stay in."""
    for item in attachments or []:
        url = item if isinstance(item, str) else item.get("url") if isinstance(item, dict) else None
        if isinstance(url, str) and url.startswith(("https://", "http://")):
            return url
    return None


def _last_public_note() -> Any:
    # A rejection's reason is in the event's data; a merge may carry a note.
    return (
        select(func.coalesce(E.data["reason"].astext, E.note))
        .where(E.ticket_id == T.id, E.action.in_(_PUBLIC_NOTE_ACTIONS))
        .order_by(E.seq.desc())
        .limit(1)
        .scalar_subquery()
    )


def _ticket_query() -> Select[Any]:
    columns = (
        T.id, T.public_id, T.type, T.state, T.category_code, C.name.label("category_name"),
        T.description, T.address, T.lat, T.lon, T.attachments,
        Agency.name.label("agency"), T.community_id, G.name.label("grid_name"),
        T.deadline_at, T.created_at, T.updated_at, T.published_at, T.public_result,
        T.satisfaction, T.promised_on, Merged.public_id.label("merged_into"),
        _last_public_note().label("last_public_note"),
    )  # fmt: skip
    return (
        select(*columns)
        .join(C, C.code == T.category_code)
        .outerjoin(Agency, Agency.id == T.handling_org_id)
        .outerjoin(G, G.id == T.grid_id)
        .outerjoin(Merged, Merged.id == T.merged_into_id)
    )


def _ticket(row: Any) -> PublicTicket:
    return PublicTicket(
        id=row.id, public_id=row.public_id, type=row.type, state=TicketState(row.state),
        category_code=row.category_code, category_name=row.category_name,
        description=row.description, address=row.address, lat=row.lat, lon=row.lon,
        media_url=_media_url(row.attachments), agency=row.agency,
        community_id=row.community_id, grid_name=row.grid_name, deadline_at=row.deadline_at,
        created_at=row.created_at, updated_at=row.updated_at, published_at=row.published_at,
        public_result=row.public_result, satisfaction=row.satisfaction,
        promised_on=row.promised_on.isoformat() if row.promised_on else None,
        merged_into=row.merged_into, last_public_note=row.last_public_note,
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class RequestFilter:
    """GET requests: ids override everything else (as the specification says)."""

    public_ids: tuple[str, ...] = ()
    category_codes: tuple[str, ...] = ()
    states: frozenset[TicketState] | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None


class SqlPublicTicketRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def categories(self) -> list[PublicCategory]:
        rows = await self.session.scalars(
            select(C).where(C.active).order_by(C.group_name.nulls_last(), C.code)
        )
        return [_category(row) for row in rows]

    async def category(self, code: str) -> PublicCategory | None:
        row = await self.session.scalar(select(C).where(C.code == code, C.active))
        return None if row is None else _category(row)

    async def tickets(self, where: RequestFilter, *, offset: int, limit: int) -> list[PublicTicket]:
        query = _ticket_query()
        if where.public_ids:
            query = query.where(T.public_id.in_(where.public_ids))
        else:
            if where.category_codes:
                query = query.where(T.category_code.in_(where.category_codes))
            if where.states is not None:
                query = query.where(T.state.in_(sorted(s.value for s in where.states)))
            if where.created_from is not None:
                query = query.where(T.created_at >= where.created_from)
            if where.created_to is not None:
                query = query.where(T.created_at <= where.created_to)
        query = query.order_by(T.created_at.desc(), T.id.desc()).offset(offset).limit(limit)
        return [_ticket(row) for row in await self.session.execute(query)]

    async def ticket(self, public_id: str) -> PublicTicket | None:
        row = (await self.session.execute(_ticket_query().where(T.public_id == public_id))).first()
        return None if row is None else _ticket(row)

    async def community_name(self, community_id: int) -> str | None:
        """The community's name, or None when no active community has that id."""
        return await self.session.scalar(
            select(OrganizationRow.name).where(
                OrganizationRow.id == community_id,
                OrganizationRow.kind.in_(sorted(k.value for k in COMMUNITY_KINDS)),
                OrganizationRow.status == "active",
            )
        )

    async def disclosed(
        self,
        community_id: int,
        states: Collection[TicketState],
        *,
        after: tuple[datetime, int] | None,
        limit: int,
    ) -> list[PublicTicket]:
        """Published results of a community, newest publication first (keyset by
        (published_at, id))."""
        query = _ticket_query().where(
            T.community_id == community_id,
            T.state.in_(sorted(s.value for s in states)),
            T.public_result.is_not(None),
            T.published_at.is_not(None),
        )
        if after is not None:
            at, ticket_id = after
            query = query.where(
                or_(T.published_at < at, and_(T.published_at == at, T.id < ticket_id))
            )
        query = query.order_by(T.published_at.desc(), T.id.desc()).limit(limit)
        return [_ticket(row) for row in await self.session.execute(query)]
