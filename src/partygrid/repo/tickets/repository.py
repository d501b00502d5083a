"""Ticket repository: the projection row, its append-only timeline, idempotency keys.

Requester personal data is sealed here and nowhere else; the phone is also indexed by a
keyed HMAC so a requester's other tickets can be found without storing the number.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Select, and_, bindparam, func, insert, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from partygrid.domain.access import Scope
from partygrid.domain.tickets.aggregate import (
    EventActor,
    Satisfaction,
    SupervisionLevel,
    Ticket,
    TicketChannel,
    TicketEvent,
)
from partygrid.domain.tickets.workflow import OPEN_STATES, TicketState, TicketType
from partygrid.repo.fast_reads import ConnectionLender, FastRead, FastRow, Reader, lends_none
from partygrid.repo.keyring import Keyring
from partygrid.repo.repository import SqlRepository, page_by_id
from partygrid.repo.scoping import in_subtree, ticket_visible
from partygrid.repo.sealing import REQUESTER_NAME, REQUESTER_PHONE, seal, unseal
from partygrid.repo.tables import (
    IdempotencyKeyRow,
    OrganizationRow,
    TicketEventRow,
    TicketRow,
)
from partygrid.repo.tickets.sql import past_deadline_clause

T = TicketRow
E = TicketEventRow
K = IdempotencyKeyRow
EARTH_RADIUS_M = 6_371_008.8
OPEN_SQL = [s.value for s in OPEN_STATES]

# Columns copied one to one between the domain ticket and the row.
_PLAIN = (
    "id", "public_id", "category_code", "title", "description", "priority", "attributes",
    "attachments", "lon", "lat", "address", "grid_id", "community_id", "handling_org_id",
    "assignee_user_id", "assignee_department", "deadline_at", "deadline_provisional",
    "promised_on", "paused_at", "extension_pending", "accepted_at", "first_response_at",
    "resolved_at", "published_at", "closed_at", "response_working_hours",
    "resolution_working_hours", "resolved_on_time", "resolution", "suggestion_adopted",
    "public_result", "reopen_count", "merged_into_id", "co_reporters", "created_by_kind",
    "created_by_id", "version", "created_at", "updated_at",
)  # fmt: skip


def phone_index(keyring: Keyring, phone: str) -> bytes:
    return keyring.lookup_index(phone, REQUESTER_PHONE)


def _to_domain(row: TicketRow | FastRow, keyring: Keyring) -> Ticket:
    return Ticket(
        **{name: getattr(row, name) for name in _PLAIN},
        type=TicketType(row.type),
        channel=TicketChannel(row.channel),
        state=TicketState(row.state),
        supervision_level=SupervisionLevel(row.supervision_level),
        satisfaction=Satisfaction(row.satisfaction) if row.satisfaction else None,
        requester_name=unseal(keyring, row.requester_name_enc, REQUESTER_NAME),
        requester_phone=unseal(keyring, row.requester_phone_enc, REQUESTER_PHONE),
    )


def _projection_values(ticket: Ticket) -> dict[str, Any]:
    values = {name: getattr(ticket, name) for name in _PLAIN if name != "id"}
    values.update(
        type=ticket.type.value,
        channel=ticket.channel.value,
        state=ticket.state.value,
        supervision_level=ticket.supervision_level.value,
        satisfaction=ticket.satisfaction.value if ticket.satisfaction else None,
    )
    return values


def _event(row: TicketEventRow | FastRow) -> TicketEvent:
    return TicketEvent(
        seq=row.seq,
        action=row.action,
        from_state=TicketState(row.from_state) if row.from_state else None,
        to_state=TicketState(row.to_state),
        at=row.at,
        actor=EventActor(row.actor_kind, row.actor_id, row.actor_name, row.actor_role),
        note=row.note,
        data=row.data,
        ticket_id=row.ticket_id,
        id=row.id,
    )


@dataclass(frozen=True, slots=True)
class TicketQuery:
    """Filters of a list, already resolved to values (an org subtree as its path)."""

    states: tuple[TicketState, ...] = ()
    type: TicketType | None = None
    category_code: str | None = None
    grid_id: int | None = None
    community_id: int | None = None
    handling_org_id: int | None = None
    assignee_user_id: int | None = None
    under_path: str | None = None
    channel: TicketChannel | None = None
    overdue_at: datetime | None = None  # past its deadline at this instant (past_deadline_sql)
    not_overdue_at: datetime | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None


@dataclass(frozen=True, slots=True)
class NearbyTicket:
    id: int
    public_id: str
    state: str
    distance_m: float
    created_at: datetime


def _ticket_by_id(caller: tuple[Scope, int | None]) -> Select[Any]:
    """The ticket ``ticket_id``, if the caller (a scope and maybe a user) sees it."""
    scope, user_id = caller
    ticket_id = bindparam("ticket_id", type_=BigInteger, required=False)
    return select(T.__table__).where(T.id == ticket_id, ticket_visible(scope, user_id=user_id))


def _events(_: None) -> Select[Any]:
    """The timeline of the ticket ``ticket_id``: one statement for every caller."""
    ticket_id = bindparam("ticket_id", type_=BigInteger, required=False)
    return select(E.__table__).where(E.ticket_id == ticket_id).order_by(E.seq)


TICKET_BY_ID = FastRead("tickets.by_id", _ticket_by_id)
TICKET_EVENTS = FastRead("tickets.events", _events, shapes=1)


class SqlTicketRepository(SqlRepository):
    def __init__(
        self, session: AsyncSession, keyring: Keyring, fast_reads: ConnectionLender = lends_none
    ) -> None:
        super().__init__(session)
        self.keyring = keyring
        self.reader = Reader(session, fast_reads)

    async def next_id(self) -> int:
        stmt = text("SELECT nextval(pg_get_serial_sequence('tickets', 'id'))")
        return (await self.session.execute(stmt)).scalar_one()

    async def add(self, ticket: Ticket, event: TicketEvent) -> None:
        """Insert the new ticket (its id drawn by ``next_id``) and its submit event."""
        values = _projection_values(ticket)
        phone = ticket.requester_phone
        values.update(
            id=ticket.id,
            requester_name_enc=seal(self.keyring, ticket.requester_name, REQUESTER_NAME),
            requester_phone_enc=seal(self.keyring, phone, REQUESTER_PHONE),
            requester_phone_hmac=phone_index(self.keyring, phone) if phone else None,
        )
        await self._write(insert(T).values(**values))
        await self.add_event(event)

    async def save(self, ticket: Ticket, event: TicketEvent) -> None:
        """Write the projection after ``event`` and append the event, in this transaction."""
        values = _projection_values(ticket)
        for name in ("created_at", "created_by_kind", "created_by_id", "public_id"):
            values.pop(name)
        await self._write(update(T).where(T.id == ticket.id).values(**values))
        await self.add_event(event)

    async def add_event(self, event: TicketEvent) -> None:
        row = {
            "ticket_id": event.ticket_id,
            "seq": event.seq,
            "action": event.action,
            "from_state": event.from_state.value if event.from_state else None,
            "to_state": event.to_state.value,
            "actor_kind": event.actor.kind,
            "actor_id": event.actor.id,
            "actor_name": event.actor.name,
            "actor_role": event.actor.role,
            "note": event.note,
            "data": event.data,
            "at": event.at,
        }
        await self._write(insert(E).values(**row))

    async def get(
        self, ticket_id: int, *, scope: Scope, user_id: int | None, for_update: bool = False
    ) -> Ticket | None:
        """The ticket if it exists and the caller sees it."""
        if for_update:  # a lock belongs to the session's transaction
            stmt = TICKET_BY_ID.statement((scope, user_id)).with_for_update(of=T)
            row = (await self.session.execute(stmt, {"ticket_id": ticket_id})).one_or_none()
        else:
            row = await TICKET_BY_ID.first(self.reader, (scope, user_id), ticket_id=ticket_id)
        return _to_domain(row, self.keyring) if row else None

    async def lock_in_id_order(self, ticket_ids: list[int]) -> None:
        """Lock several tickets lowest id first, so two merges in opposite directions
        queue behind each other instead of deadlocking."""
        await self.session.execute(
            text("SELECT id FROM tickets WHERE id = ANY(:ids) ORDER BY id FOR UPDATE"),
            {"ids": sorted(set(ticket_ids))},
        )

    async def get_for_rule(self, ticket_id: int, *, for_update: bool = False) -> Ticket | None:
        """Whatever the caller's scope: for rules and replays inside a use case only."""
        stmt = select(T).where(T.id == ticket_id)
        if for_update:
            stmt = stmt.with_for_update()
        row = (await self.session.execute(stmt)).scalar_one_or_none()
        return _to_domain(row, self.keyring) if row else None

    async def get_by_public_id(
        self, public_id: str, *, scope: Scope, user_id: int | None
    ) -> Ticket | None:
        stmt = select(T).where(T.public_id == public_id, ticket_visible(scope, user_id=user_id))
        row = (await self.session.execute(stmt)).scalar_one_or_none()
        return _to_domain(row, self.keyring) if row else None

    async def events(self, ticket_id: int) -> list[TicketEvent]:
        return [_event(r) for r in await TICKET_EVENTS.all(self.reader, None, ticket_id=ticket_id)]

    async def last_event(self, ticket_id: int, action: str) -> TicketEvent | None:
        stmt = (
            select(E)
            .where(E.ticket_id == ticket_id, E.action == action)
            .order_by(E.seq.desc())
            .limit(1)
        )
        row = (await self.session.execute(stmt)).scalar_one_or_none()
        return _event(row) if row else None

    async def list_filtered(
        self,
        query: TicketQuery,
        *,
        scope: Scope,
        user_id: int | None,
        after_id: int | None,
        limit: int,
    ) -> list[Ticket]:
        stmt = page_by_id(
            select(T).where(ticket_visible(scope, user_id=user_id)), T.id, after_id=after_id,
            limit=limit,
        )  # fmt: skip
        if query.states:
            stmt = stmt.where(T.state.in_([s.value for s in query.states]))
        for column, value in (
            (T.type, query.type.value if query.type else None),
            (T.category_code, query.category_code),
            (T.grid_id, query.grid_id),
            (T.community_id, query.community_id),
            (T.handling_org_id, query.handling_org_id),
            (T.assignee_user_id, query.assignee_user_id),
            (T.channel, query.channel.value if query.channel else None),
        ):
            if value is not None:
                stmt = stmt.where(column == value)
        if query.under_path is not None:
            subtree = select(OrganizationRow.id).where(in_subtree(query.under_path))
            stmt = stmt.where(or_(T.community_id.in_(subtree), T.handling_org_id.in_(subtree)))
        if query.overdue_at is not None:
            stmt = stmt.where(past_deadline_clause(query.overdue_at))
        if query.not_overdue_at is not None:
            stmt = stmt.where(past_deadline_clause(query.not_overdue_at, past=False))
        if query.created_from is not None:
            stmt = stmt.where(T.created_at >= query.created_from)
        if query.created_to is not None:
            stmt = stmt.where(T.created_at < query.created_to)
        return [_to_domain(r, self.keyring) for r in (await self.session.execute(stmt)).scalars()]

    async def nearby_open(
        self,
        *,
        grid_id: int,
        category_code: str,
        lon: float,
        lat: float,
        radius_m: float,
        since: datetime,
        until: datetime,
        exclude_id: int,
        limit: int = 10,
    ) -> list[NearbyTicket]:
        """Open tickets of the grid and category reported within ``radius_m`` of the point
        in [since, until]: a bounding box first (cheap), then the haversine distance."""
        dlat = math.degrees(radius_m / EARTH_RADIUS_M)
        dlon = dlat / max(math.cos(math.radians(lat)), 1e-6)
        rlat, rlon = func.radians(T.lat), func.radians(T.lon)
        hav = func.power(func.sin((rlat - math.radians(lat)) / 2), 2) + math.cos(
            math.radians(lat)
        ) * func.cos(rlat) * func.power(func.sin((rlon - math.radians(lon)) / 2), 2)
        distance = (2 * EARTH_RADIUS_M * func.asin(func.sqrt(func.least(hav, 1.0)))).label("d")
        inner = (
            select(T.id, T.public_id, T.state, T.created_at, distance)
            .where(
                T.grid_id == grid_id,
                T.category_code == category_code,
                T.state.in_(OPEN_SQL),
                T.created_at >= since,
                T.created_at <= until,
                T.id != exclude_id,
                and_(T.lat.between(lat - dlat, lat + dlat), T.lon.between(lon - dlon, lon + dlon)),
            )
            .subquery()
        )
        stmt = (
            select(inner).where(inner.c.d <= radius_m).order_by(inner.c.d, inner.c.id).limit(limit)
        )
        return [
            NearbyTicket(r.id, r.public_id, r.state, round(r.d, 1), r.created_at)
            for r in await self.session.execute(stmt)
        ]

    # --- idempotency keys ----------------------------------------------------------------

    async def claim_key(self, kind: str, principal_id: int, key: str, request_hash: bytes) -> bool:
        """Take the key for this request; False when another request holds it. A competing
        transaction that inserted the same key first makes this wait for its outcome
        (uq_idempotency_keys_key), so the loser re-reads a committed first result."""
        stmt = (
            pg_insert(K)
            .values(principal_kind=kind, principal_id=principal_id, key=key,
                    request_hash=request_hash)
            .on_conflict_do_nothing(index_elements=["principal_kind", "principal_id", "key"])
            .returning(K.id)
        )  # fmt: skip
        return (await self.session.execute(stmt)).scalar_one_or_none() is not None

    async def keyed_result(
        self, kind: str, principal_id: int, key: str
    ) -> tuple[bytes, int | None] | None:
        stmt = select(K.request_hash, K.ticket_id).where(
            K.principal_kind == kind, K.principal_id == principal_id, K.key == key
        )
        row = (await self.session.execute(stmt)).first()
        return (bytes(row.request_hash), row.ticket_id) if row else None

    async def attach_key(self, kind: str, principal_id: int, key: str, ticket_id: int) -> None:
        await self.session.execute(
            update(K)
            .where(K.principal_kind == kind, K.principal_id == principal_id, K.key == key)
            .values(ticket_id=ticket_id)
        )
