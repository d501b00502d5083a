"""GeoReport v2 resources under /open311/v2, each in ``.json`` and ``.xml``."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Form, Header, Query, Request
from fastapi.responses import Response

from partygrid.api.deps import ReadUow, Uow
from partygrid.api.rate_limit import rate_limited
from partygrid.api.routing import PrefixRouter
from partygrid.api.security import public
from partygrid.api.v1.tickets.open311 import mapping
from partygrid.api.v1.tickets.open311.auth import Open311Client
from partygrid.api.v1.tickets.open311.formats import (
    JSON_MEDIA_TYPE,
    XML_MEDIA_TYPE,
    parse_format,
    render,
)
from partygrid.api.v1.tickets.open311.params import (
    MAX_PAGE,
    MAX_PAGE_SIZE,
    page_window,
    request_filter,
)
from partygrid.services.tickets import open311 as svc
from partygrid.services.tickets import open311_intake as intake

PREFIX = "/open311/v2"
_DOCUMENT: dict[str, Any] = {"content": {JSON_MEDIA_TYPE: {}, XML_MEDIA_TYPE: {}}}
_ERRORS = {
    status: {"description": f"`errors` document, {status}", **_DOCUMENT}
    for status in (400, 403, 404, 429)
}
_PUBLIC_READ = [Depends(public("Open311 public read")), Depends(rate_limited("open311"))]
_ATTRIBUTE = re.compile(r"^attribute\[([^\]]+)\](\[\])?$")

router = PrefixRouter(
    prefix=PREFIX,
    tags=["open311"],
    default_response_class=Response,
    responses={200: _DOCUMENT, **_ERRORS},
)


@router.get("/services.{response_format}", dependencies=_PUBLIC_READ)
async def open311_services(uow: ReadUow, response_format: str) -> Response:
    """GET services: the catalogue (服务目录), one `service` per category."""
    fmt = parse_format(response_format)
    services = [mapping.service(c) for c in await svc.list_services(uow)]
    return render(fmt, "services", services)


@router.get("/services/{service_code}.{response_format}", dependencies=_PUBLIC_READ)
async def open311_service_definition(
    uow: ReadUow, service_code: str, response_format: str
) -> Response:
    """GET service definition: the typed attributes of one service."""
    fmt = parse_format(response_format)
    category = await svc.get_service(uow, code=service_code)
    return render(fmt, "service_definition", mapping.service_definition(category))


@router.post("/requests.{response_format}")
async def open311_create_request(
    request: Request,
    uow: Uow,
    client: Open311Client,
    response_format: str,
    service_code: Annotated[str | None, Form()] = None,
    lat: Annotated[str | None, Form(description="WGS-84 latitude")] = None,
    long: Annotated[str | None, Form(description="WGS-84 longitude")] = None,
    address_string: Annotated[str | None, Form()] = None,
    address_id: Annotated[str | None, Form(description="Not supported: send lat/long")] = None,
    description: Annotated[str | None, Form(max_length=4000)] = None,
    media_url: Annotated[str | None, Form()] = None,
    first_name: Annotated[str | None, Form()] = None,
    last_name: Annotated[str | None, Form()] = None,
    phone: Annotated[str | None, Form()] = None,
    email: Annotated[str | None, Form(description="Not stored: PartyGrid keeps no e-mail")] = None,
    device_id: Annotated[str | None, Form()] = None,
    account_id: Annotated[str | None, Form()] = None,
    jurisdiction_id: Annotated[str | None, Form()] = None,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> Response:
    """POST a service request (form-encoded, with `api_key`): it becomes a normal ticket on
    channel `open311`, routed to its grid from lat/long. Answered synchronously with the
    `service_request_id` (the ticket's public id) and the filer's own `token`, which follows
    the request even in a category the public may not read. Attributes as `attribute[code]`."""
    fmt = parse_format(response_format)
    form = await request.form()
    attributes: dict[str, Any] = {}
    for key, value in form.multi_items():
        match = _ATTRIBUTE.match(key)
        if match and isinstance(value, str):
            if match.group(2):
                attributes.setdefault(match.group(1), []).append(value)
            else:
                attributes[match.group(1)] = value
    filed = intake.OpenRequest(
        service_code=(service_code or "").strip(), lat=lat, long=long,
        address_string=address_string, address_id=address_id, description=description,
        media_url=media_url, first_name=first_name, last_name=last_name, phone=phone,
        attributes=attributes,
    )  # fmt: skip
    done = await intake.file_request(
        uow, actor=client, request=filed, idempotency_key=idempotency_key
    )
    answer = mapping.created_request(done.public_id, done.token, done.category)
    return render(fmt, "service_requests", [answer])


@router.get("/requests.{response_format}", dependencies=_PUBLIC_READ)
async def open311_requests(
    uow: ReadUow,
    response_format: str,
    service_request_id: Annotated[
        str | None, Query(description="Comma-separated ids; overrides every other filter.")
    ] = None,
    service_code: Annotated[str | None, Query(description="Comma-separated codes.")] = None,
    start_date: Annotated[str | None, Query(description="ISO 8601; earliest requested")] = None,
    end_date: Annotated[str | None, Query(description="ISO 8601; latest requested")] = None,
    status: Annotated[str | None, Query(description="open, closed or both, comma-separated")] = (
        None
    ),
    page: Annotated[
        int | None, Query(ge=1, le=MAX_PAGE, description="Extension: page number, 1–20")
    ] = None,
    page_size: Annotated[
        int | None,
        Query(ge=1, le=MAX_PAGE_SIZE, description="Extension: 1–200 (default 200)"),
    ] = None,
    jurisdiction_id: Annotated[str | None, Query(description="Ignored: one jurisdiction")] = None,
) -> Response:
    """GET requests, newest first: residents' requests in categories the public may see
    (a coarse category's without address, text or photo, its point rounded to about 100 m).
    Without dates: the last 90 days (the specification's default); a window is at most 90
    days. At most 200 requests are answered at once (the specification allows 1000): page
    on with `page`/`page_size`, down to the 4,000th of a window. Requester data and staff's
    notes never appear; descriptions are masked."""
    fmt = parse_format(response_format)
    where = request_filter(
        service_request_id=service_request_id, service_code=service_code,
        start_date=start_date, end_date=end_date, status=status, now=datetime.now(UTC),
    )  # fmt: skip
    offset, limit = page_window(page, page_size)
    tickets = await svc.find_requests(uow, where=where, offset=offset, limit=limit)
    return render(fmt, "service_requests", [mapping.service_request(t) for t in tickets])


@router.get("/requests/{service_request_id}.{response_format}", dependencies=_PUBLIC_READ)
async def open311_request(uow: ReadUow, service_request_id: str, response_format: str) -> Response:
    """GET one request by its `service_request_id`, in a one-item `service_requests`."""
    fmt = parse_format(response_format)
    ticket = await svc.get_request(uow, public_id=service_request_id)
    return render(fmt, "service_requests", [mapping.service_request(ticket)])


@router.get("/tokens/{token}.{response_format}", dependencies=_PUBLIC_READ)
async def open311_token(uow: ReadUow, token: str, response_format: str) -> Response:
    """GET tokens: the request a token was given for, with its status (an extension). The
    filer's own token (from POST requests) works whatever the category; a public request's
    id serves as a token too; anything else is not found."""
    fmt = parse_format(response_format)
    found = await svc.follow_request(uow, token=token)
    answer = mapping.token_request(found.public_id, token, found.state)
    return render(fmt, "service_requests", [answer])
