"""Use cases of the Open311 GeoReport v2 facade: the public catalogue and public ticket
reads. Filing a request is ``services.open311_intake``: a normal ticket submission."""

from __future__ import annotations

from partygrid.domain.errors import NotFound
from partygrid.domain.tickets.disclosure import PublicCategory, PublicTicket
from partygrid.repo.tickets.public_reads import RequestFilter
from partygrid.repo.uow import UnitOfWork


async def list_services(uow: UnitOfWork) -> list[PublicCategory]:
    async with uow:
        return await uow.public_tickets.categories()


async def get_service(uow: UnitOfWork, *, code: str) -> PublicCategory:
    async with uow:
        category = await uow.public_tickets.category(code)
    if category is None:
        raise NotFound(f"service_code {code} not found")
    return category


async def find_requests(
    uow: UnitOfWork, *, where: RequestFilter, offset: int, limit: int
) -> list[PublicTicket]:
    async with uow:
        repo = uow.public_tickets
        return await repo.tickets(where, offset=offset, limit=limit)


async def get_request(uow: UnitOfWork, *, public_id: str) -> PublicTicket:
    async with uow:
        ticket = await uow.public_tickets.ticket(public_id)
    if ticket is None:
        raise NotFound(f"service_request_id {public_id} not found")
    return ticket
