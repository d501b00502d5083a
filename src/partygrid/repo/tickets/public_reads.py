"""Reads for the public: the active catalogue and tickets without any personal data.

Deliberately unscoped (the public is nobody in particular) and deliberately narrow: the
requester's columns, the assignee and staff's notes are never selected, and a ticket's
category decides in the statement itself which tickets are selected at all and whether
their text, address, photo and exact point are (``domain.tickets.disclosure``), so no
mapping mistake upstream can put them in an answer.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    DateTime,
    Float,
    Integer,
    Numeric,
    Select,
    String,
    and_,
    any_,
    bindparam,
    case,
    cast,
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from partygrid.domain.organizations.model import COMMUNITY_KINDS
from partygrid.domain.tickets.disclosure import (
    COARSE_DECIMALS,
    LISTED,
    PUBLIC_CHANNELS,
    WITH_DETAILS,
    Disclosure,
    PublicCategory,
    PublicTicket,
)
from partygrid.domain.tickets.workflow import TicketState
from partygrid.repo.fast_reads import ConnectionLender, FastRead, FastRow, Reader, lends_none
from partygrid.repo.repository import SqlRepository
from partygrid.repo.tables import (
    GridRow,
    OrganizationRow,
    ServiceCategoryRow,
    TicketRow,
)

T, C, G = TicketRow, ServiceCategoryRow, GridRow
Agency = aliased(OrganizationRow, name="agency")


def _category(row: ServiceCategoryRow) -> PublicCategory:
    return PublicCategory(
        code=row.code, name=row.name, description=row.description, group_name=row.group_name,
        default_type=row.default_type, disclosure=Disclosure(row.disclosure),
        keywords=tuple(row.keywords or ()), attributes=tuple(row.attributes or ()),
    )  # fmt: skip


def public_media_url(attachments: Any) -> str | None:
    """The first attachment that is a public web address; internal references stay in."""
    for item in attachments or []:
        url = item if isinstance(item, str) else item.get("url") if isinstance(item, dict) else None
        if isinstance(url, str) and url.startswith(("https://", "http://")):
            return url
    return None


def _among(column: Any, values: frozenset[Any]) -> ColumnElement[bool]:
    """``column IN (...)`` with the domain's constants written into the statement, so a
    policy is part of the statement's text rather than of each call's parameters."""
    return column.in_([literal_column(f"'{v.value}'") for v in sorted(values)])


def _with_details(column: Any) -> Any:
    """The column where the category shows details, else NULL."""
    return case((_among(C.disclosure, WITH_DETAILS), column)).label(column.key)


def _shown_point(column: Any) -> Any:
    """The exact coordinate where the category shows details, else rounded (coarse)."""
    rounded = func.round(cast(column, Numeric), literal_column(str(COARSE_DECIMALS)))
    exact = _among(C.disclosure, WITH_DETAILS)
    return case((exact, column), else_=cast(rounded, Float)).label(column.key)


def _ticket_query() -> Select[Any]:
    """Public tickets only: residents' requests in categories the public may see."""
    columns = (
        T.id, T.public_id, T.type, T.state, T.category_code, C.name.label("category_name"),
        _with_details(T.description), _with_details(T.address),
        _shown_point(T.lat), _shown_point(T.lon), _with_details(T.attachments),
        Agency.name.label("agency"), T.community_id, G.name.label("grid_name"),
        T.deadline_at, T.created_at, T.updated_at, T.published_at, T.public_result,
        T.satisfaction, T.promised_on,
    )  # fmt: skip
    return (
        select(*columns)
        .join(C, C.code == T.category_code)
        .outerjoin(Agency, Agency.id == T.handling_org_id)
        .outerjoin(G, G.id == T.grid_id)
        .where(_among(C.disclosure, LISTED), _among(T.channel, PUBLIC_CHANNELS))
    )


def _ticket(row: FastRow) -> PublicTicket:
    """``row``: the columns of ``_ticket_query`` (a fast read's row or a SQLAlchemy row)."""
    promised_on = row.promised_on
    return PublicTicket(
        id=row.id, public_id=row.public_id, type=row.type,
        state=TicketState(row.state), category_code=row.category_code,
        category_name=row.category_name, description=row.description,
        address=row.address, lat=row.lat, lon=row.lon,
        media_url=public_media_url(row.attachments), agency=row.agency,
        community_id=row.community_id, grid_name=row.grid_name,
        deadline_at=row.deadline_at, created_at=row.created_at,
        updated_at=row.updated_at, published_at=row.published_at,
        public_result=row.public_result, satisfaction=row.satisfaction,
        promised_on=promised_on.isoformat() if promised_on else None,
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class RequestFilter:
    """GET requests: ids override everything else (as the specification says)."""

    public_ids: tuple[str, ...] = ()
    category_codes: tuple[str, ...] = ()
    states: frozenset[TicketState] | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None

    def parameters(self) -> dict[str, Any]:
        """The values of the filters given, by their parameter names in ``_requests``."""
        if self.public_ids:
            return {"public_ids": list(self.public_ids)}
        given = {
            "category_codes": list(self.category_codes) or None,
            "states": None if self.states is None else sorted(s.value for s in self.states),
            "created_from": self.created_from,
            "created_to": self.created_to,
        }
        return {name: value for name, value in given.items() if value is not None}


_TEXTS = ARRAY(String)


def _given(name: str, type_: Any) -> Any:
    """A parameter whose value comes with each call (not when the statement is compiled)."""
    return bindparam(name, type_=type_, required=False)


def _requests(filters: frozenset[str]) -> Select[Any]:
    """GET requests with the filters named: one statement per combination (17 at most).
    Lists are bound as arrays (``= ANY``), so a statement does not depend on how many
    values a filter has."""
    where = {
        "public_ids": T.public_id == any_(_given("public_ids", _TEXTS)),
        "category_codes": T.category_code == any_(_given("category_codes", _TEXTS)),
        "states": T.state == any_(_given("states", _TEXTS)),
        "created_from": T.created_at >= _given("created_from", DateTime(timezone=True)),
        "created_to": T.created_at <= _given("created_to", DateTime(timezone=True)),
    }
    return (
        _ticket_query()
        .where(*(where[name] for name in sorted(filters)))
        .order_by(T.created_at.desc(), T.id.desc())
        .offset(_given("offset", Integer))
        .limit(_given("limit", Integer))
    )


PUBLIC_REQUESTS = FastRead("tickets.public_requests", _requests, shapes=32)


class SqlPublicTicketRepository(SqlRepository):
    def __init__(self, session: AsyncSession, fast_reads: ConnectionLender = lends_none) -> None:
        super().__init__(session)
        self.reader = Reader(session, fast_reads)

    async def categories(self) -> list[PublicCategory]:
        rows = await self.session.scalars(
            select(C).where(C.active).order_by(C.group_name.nulls_last(), C.code)
        )
        return [_category(row) for row in rows]

    async def category(self, code: str) -> PublicCategory | None:
        row = await self.session.scalar(select(C).where(C.code == code, C.active))
        return None if row is None else _category(row)

    async def tickets(self, where: RequestFilter, *, offset: int, limit: int) -> list[PublicTicket]:
        given = where.parameters()
        rows = await PUBLIC_REQUESTS.all(
            self.reader, frozenset(given), **given, offset=offset, limit=limit
        )
        return [_ticket(row) for row in rows]

    async def ticket(self, public_id: str) -> PublicTicket | None:
        row = (await self.session.execute(_ticket_query().where(T.public_id == public_id))).first()
        return None if row is None else _ticket(row)

    async def state_of(self, public_id: str) -> TicketState | None:
        """The state of any ticket, for its filer's token: nothing else of it."""
        state = await self.session.scalar(select(T.state).where(T.public_id == public_id))
        return None if state is None else TicketState(state)

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
