"""受理登记: submitting a ticket, routed to the grid containing its point, once per
Idempotency-Key, with the open tickets nearby that may be the same request."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from partygrid.domain.access import Actor
from partygrid.domain.calendar import SHANGHAI
from partygrid.domain.contact import normalize_phone
from partygrid.domain.errors import InvalidValue, RuleViolation
from partygrid.domain.grids.model import Grid, GridStatus
from partygrid.domain.tickets.aggregate import Ticket, TicketChannel, intake_event
from partygrid.domain.tickets.catalogue import validate_attributes
from partygrid.domain.tickets.workflow import TicketType
from partygrid.repo.uow import UnitOfWork
from partygrid.services.tickets.common import (
    PossibleDuplicate,
    TicketRecord,
    event_actor,
    snapshot,
    utcnow,
)

MAX_ATTACHMENTS = 10
DUPLICATE_RADIUS_M = 200.0
DUPLICATE_WINDOW = timedelta(days=7)
_HASH_CONTEXT = "idempotency_keys.tickets"


class IdempotencyKeyReused(RuleViolation):
    code = "idempotency-key-reused"
    title = "Idempotency-Key already used for a different request"

    def __init__(self) -> None:
        super().__init__(
            "this Idempotency-Key was already used with a different request body; "
            "use a new key for a new request",
            rule="idempotency-key-reused",
        )


@dataclass(frozen=True, slots=True)
class NewTicket:
    type: TicketType | None  # None: the category's default type
    category_code: str
    channel: TicketChannel
    title: str
    description: str
    priority: int = 3
    lon: float | None = None
    lat: float | None = None
    address: str | None = None
    grid_id: int | None = None  # None: routed from the point
    requester_name: str | None = None
    requester_phone: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    attachments: list[dict[str, Any]] = field(default_factory=list)
    promised_on: date | None = None


def _clean_text(value: str | None, name: str, limit: int, *, required: bool) -> str | None:
    text = (value or "").strip()
    if not text:
        if required:
            raise InvalidValue(f"{name} must not be blank", field=f"body.{name}")
        return None
    if len(text) > limit:
        raise InvalidValue(f"{name} is at most {limit} characters", field=f"body.{name}")
    return text


def _clean_attachments(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if len(items) > MAX_ATTACHMENTS:
        raise InvalidValue(f"at most {MAX_ATTACHMENTS} attachments", field="body.attachments")
    clean = []
    for i, item in enumerate(items):
        ref = {k: item.get(k) for k in ("url", "key", "content_type", "name") if item.get(k)}
        if not (ref.get("url") or ref.get("key")):
            raise InvalidValue("an attachment needs a url or a key", field=f"body.attachments.{i}")
        clean.append(ref)
    return clean


def prepare(new: NewTicket) -> NewTicket:
    """The submission checked and normalised; refusals name the field."""
    if not 1 <= new.priority <= 4:
        raise InvalidValue("priority is 1 (highest) to 4", field="body.priority")
    if (new.lon is None) != (new.lat is None):
        raise InvalidValue("a point needs both lon and lat", field="body.lat")
    if new.lon is not None and not (-180 <= new.lon <= 180 and -90 <= new.lat <= 90):  # type: ignore[operator]
        raise InvalidValue("the point is not a WGS-84 longitude/latitude", field="body.lon")
    phone = new.requester_phone.strip() if new.requester_phone else None
    return NewTicket(
        type=TicketType(new.type) if new.type else None,
        category_code=new.category_code.strip(),
        channel=TicketChannel(new.channel),
        title=_clean_text(new.title, "title", 200, required=True) or "",
        description=_clean_text(new.description, "description", 4000, required=True) or "",
        priority=new.priority,
        lon=new.lon,
        lat=new.lat,
        address=_clean_text(new.address, "address", 500, required=False),
        grid_id=new.grid_id,
        requester_name=_clean_text(new.requester_name, "requester_name", 100, required=False),
        requester_phone=normalize_phone(phone, field="body.requester_phone") if phone else None,
        attributes=dict(new.attributes or {}),
        attachments=_clean_attachments(list(new.attachments or [])),
        promised_on=new.promised_on,
    )


def request_hash(uow: UnitOfWork, new: NewTicket) -> bytes:
    """A keyed digest of the submission: equal bodies, equal digest, and the phone in it
    cannot be guessed back from the stored value."""
    canonical = json.dumps(asdict(new), sort_keys=True, ensure_ascii=False, default=str)
    return uow.keyring.lookup_index(canonical, _HASH_CONTEXT)


async def _route(uow: UnitOfWork, actor: Actor, new: NewTicket) -> Grid:
    """The grid given, or the active grid containing the point among all grids (a hotline
    routes for a whole district); either must lie within the actor's scope."""
    if new.grid_id is not None:
        grid = await uow.grids.get(new.grid_id, scope=actor.scope)
        if grid is None:
            raise RuleViolation(f"grid {new.grid_id} does not exist", rule="grid-exists")
        if grid.status is not GridStatus.active:
            raise RuleViolation(f"grid {new.grid_id} is retired", rule="grid-active")
        return grid
    if new.lon is None or new.lat is None:
        raise InvalidValue(
            "give a point (lon, lat) inside a grid, or the grid_id", field="body.grid_id"
        )
    grid_id = await uow.grids.active_grid_at(new.lon, new.lat)
    if grid_id is None:
        raise RuleViolation("no active grid contains this location", rule="no-grid-at-location")
    grid = await uow.grids.get(grid_id, scope=actor.scope)
    if grid is None:
        raise RuleViolation(
            "location outside your area: the grid there is not in your scope",
            rule="location-outside-scope",
        )
    return grid


async def possible_duplicates(
    uow: UnitOfWork, ticket: Ticket, *, radius_m: float, window: timedelta
) -> tuple[PossibleDuplicate, ...]:
    if ticket.lon is None or ticket.lat is None or ticket.grid_id is None:
        return ()
    assert ticket.created_at is not None
    found = await uow.tickets.nearby_open(
        grid_id=ticket.grid_id, category_code=ticket.category_code, lon=ticket.lon,
        lat=ticket.lat, radius_m=radius_m, since=ticket.created_at - window,
        until=ticket.created_at, exclude_id=ticket.id,
    )  # fmt: skip
    return tuple(PossibleDuplicate(n.id, n.public_id, n.state, n.distance_m, n.created_at)
                 for n in found)  # fmt: skip


async def _replayed(
    uow: UnitOfWork, actor: Actor, key: str, digest: bytes, radius_m: float, window: timedelta
) -> TicketRecord:
    p = actor.principal
    first = await uow.tickets.keyed_result(p.kind.value, p.id, key)
    if first is None or first[1] is None:  # cannot happen: claim and ticket commit together
        raise RuleViolation("the first request with this key is unfinished", rule="retry-later")
    if first[0] != digest:
        raise IdempotencyKeyReused()
    ticket = await uow.tickets.get_for_rule(first[1])
    assert ticket is not None
    duplicates = await possible_duplicates(uow, ticket, radius_m=radius_m, window=window)
    return TicketRecord(ticket, duplicates)


def _check_key(key: str) -> str:
    key = key.strip()
    if not 1 <= len(key) <= 128 or not key.isprintable():
        raise InvalidValue(
            "Idempotency-Key is 1 to 128 printable characters", field="header.Idempotency-Key"
        )
    return key


async def submit_ticket(
    uow: UnitOfWork,
    *,
    actor: Actor,
    new: NewTicket,
    idempotency_key: str | None,
    now: datetime | None = None,
    duplicate_radius_m: float = DUPLICATE_RADIUS_M,
    duplicate_window: timedelta = DUPLICATE_WINDOW,
) -> tuple[TicketRecord, bool]:
    """Register a ticket (state received). With a key, a retry gets the first ticket back
    and ``False``; the same key with another body is refused."""
    key = _check_key(idempotency_key) if idempotency_key is not None else None
    new = prepare(new)
    now = now or utcnow()
    digest = request_hash(uow, new)
    p = actor.principal
    async with uow:
        if key is not None and not await uow.tickets.claim_key(p.kind.value, p.id, key, digest):
            record = await _replayed(uow, actor, key, digest, duplicate_radius_m, duplicate_window)
            return record, False
        category = await uow.catalogue.get(new.category_code)
        if category is None or not category.active:
            raise InvalidValue(
                f"no active service category {new.category_code}", field="body.category_code"
            )
        attributes = validate_attributes(category.attributes, new.attributes)
        grid = await _route(uow, actor, new)
        ticket_id = await uow.tickets.next_id()
        ticket = Ticket(
            id=ticket_id,
            public_id=f"PG{now.astimezone(SHANGHAI):%Y%m%d}{ticket_id:08d}",
            type=new.type or category.default_type,
            category_code=category.code,
            channel=new.channel,
            title=new.title,
            description=new.description,
            priority=new.priority,
            attributes=attributes,
            attachments=new.attachments,
            requester_name=new.requester_name,
            requester_phone=new.requester_phone,
            lon=new.lon,
            lat=new.lat,
            address=new.address,
            grid_id=grid.id,
            community_id=grid.community_id,
            handling_org_id=grid.serving_branch_id or grid.community_id,
            promised_on=new.promised_on,
            created_by_kind=p.kind.value,
            created_by_id=p.id,
            created_at=now,
            updated_at=now,
        )
        await uow.tickets.add(ticket, intake_event(ticket, event_actor(actor), now))
        if key is not None:
            await uow.tickets.attach_key(p.kind.value, p.id, key, ticket_id)
        duplicates = await possible_duplicates(
            uow, ticket, radius_m=duplicate_radius_m, window=duplicate_window
        )
        uow.audit.record(actor, "ticket.submit", "ticket", ticket_id, after=snapshot(ticket))
        await uow.commit()
        return TicketRecord(ticket, duplicates), True
