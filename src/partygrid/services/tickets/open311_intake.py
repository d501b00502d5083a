"""POST requests of the Open311 facade: a resident's request filed by a client (hotline
front end, WeChat mini program) becomes a normal ticket on channel ``open311``.

Only the form's shape is Open311's; intake, grid routing, deadlines and duplicate detection
are the ticket core's (``services.tickets.submit_ticket``), so the ticket is like any other.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from partygrid.domain.access import Actor
from partygrid.domain.errors import InvalidValue, NotFound
from partygrid.domain.tickets.aggregate import TicketChannel
from partygrid.domain.tickets.disclosure import PublicCategory
from partygrid.domain.tickets.workflow import TicketType
from partygrid.repo.uow import UnitOfWork
from partygrid.services.tickets.intake import NewTicket, submit_ticket
from partygrid.services.tickets.open311 import status_token

_TITLE_CHARS = 40


@dataclass(frozen=True, slots=True)
class FiledRequest:
    public_id: str  # the service_request_id
    token: str  # the filer's own, to follow a request the public may not read
    category: PublicCategory


@dataclass(frozen=True, slots=True)
class OpenRequest:
    service_code: str
    lat: str | None = None
    long: str | None = None
    address_string: str | None = None
    address_id: str | None = None
    description: str | None = None
    media_url: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)


def _clean(value: str | None) -> str | None:
    return value.strip() or None if value else None


def point_of(request: OpenRequest) -> tuple[float, float] | None:
    """(lon, lat), or None without a point; 400 for half a point or a wrong one."""
    lat, lon = _clean(request.lat), _clean(request.long)
    if lat is None and lon is None:
        return None
    if lat is None or lon is None:
        raise InvalidValue("lat and long go together", field="lat")
    try:
        point = float(lon), float(lat)
    except ValueError:
        raise InvalidValue("lat and long are decimal degrees (WGS-84)", field="lat") from None
    if not all(map(math.isfinite, point)) or not (
        -180 <= point[0] <= 180 and -90 <= point[1] <= 90
    ):
        raise InvalidValue("lat and long are decimal degrees (WGS-84)", field="lat")
    return point


def typed_attributes(category: PublicCategory, given: dict[str, Any]) -> dict[str, Any]:
    """Form values are text; a number attribute's value becomes a number, so the ticket
    core's checks see what a JSON client would have sent."""
    datatypes = {a.get("code"): a.get("datatype") for a in category.attributes}
    typed: dict[str, Any] = {}
    for code, value in given.items():
        if datatypes.get(code) == "number" and isinstance(value, str):
            try:
                number = float(value)
            except ValueError:
                raise InvalidValue(
                    f"attribute[{code}] is a number", field=f"attribute[{code}]"
                ) from None
            typed[code] = int(number) if number.is_integer() else number
        elif datatypes.get(code) == "multivaluelist" and isinstance(value, str):
            typed[code] = [value]
        else:
            typed[code] = value
    return typed


def requester_name(request: OpenRequest) -> str | None:
    # Chinese names are family name first; clients send the split the form asked for.
    parts = [p for p in (_clean(request.last_name), _clean(request.first_name)) if p]
    return "".join(parts) or None


def title_of(category: PublicCategory, description: str) -> str:
    first_line = description.strip().splitlines()[0] if description.strip() else ""
    summary = first_line[:_TITLE_CHARS] + ("…" if len(first_line) > _TITLE_CHARS else "")
    return f"{category.name}：{summary}" if summary else category.name


async def file_request(
    uow: UnitOfWork, *, actor: Actor, request: OpenRequest, idempotency_key: str | None
) -> FiledRequest:
    """The new ticket's public id, its filer's token and its category."""
    if not request.service_code:
        raise InvalidValue("service_code was not provided", field="service_code")
    async with uow:
        category = await uow.public_tickets.category(request.service_code)
    if category is None:
        raise NotFound(f"service_code {request.service_code} not found")
    point = point_of(request)
    address = _clean(request.address_string)
    if point is None:
        # A ticket is routed to the grid containing its point; PartyGrid has no geocoder,
        # so an address alone (or an address_id) cannot find its grid.
        given = "address_string alone" if address or _clean(request.address_id) else "nothing"
        raise InvalidValue(
            f"location not provided: lat and long are required ({given} given)", field="lat"
        )
    description = (request.description or "").strip()
    if not description:
        raise InvalidValue("description was not provided", field="description")
    media_url = _clean(request.media_url)
    new = NewTicket(
        type=TicketType(category.default_type),
        category_code=category.code,
        channel=TicketChannel.open311,
        title=title_of(category, description),
        description=description,
        attributes=typed_attributes(category, request.attributes),
        attachments=[{"url": media_url}] if media_url else [],
        requester_name=requester_name(request),
        requester_phone=_clean(request.phone),
        lon=point[0] if point else None,
        lat=point[1] if point else None,
        address=address,
    )
    # Whatever the ticket core refuses (a rule, a value) the facade answers as the
    # specification's 400, in its format (api/v1/tickets/open311/formats.error_status).
    record, _created = await submit_ticket(
        uow, actor=actor, new=new, idempotency_key=idempotency_key
    )
    public_id = record.ticket.public_id
    return FiledRequest(public_id, status_token(uow.keyring, public_id), category)
