"""Use cases of the Open311 GeoReport v2 facade: the public catalogue, public ticket reads
and the filer's own token. Filing a request is ``services.open311_intake``: a normal ticket
submission."""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from partygrid.domain.errors import NotFound
from partygrid.domain.tickets.disclosure import PublicCategory, PublicTicket
from partygrid.domain.tickets.workflow import TicketState
from partygrid.repo.keyring import Keyring
from partygrid.repo.tickets.public_reads import RequestFilter
from partygrid.repo.uow import UnitOfWork

_TOKEN_CONTEXT = "open311.status_token"
_TOKEN_HEX = 32  # 128 bits of a keyed HMAC: not guessed, not forged


def status_token(keyring: Keyring, public_id: str) -> str:
    """The token given to whoever filed ``public_id``: only the service can make it (a keyed
    HMAC of the id), so it proves the holder was given it. A retried filing gets the same."""
    mac = keyring.lookup_index(public_id, _TOKEN_CONTEXT).hex()[:_TOKEN_HEX]
    return f"{public_id}-{mac}"


def token_owner(keyring: Keyring, token: str) -> str | None:
    """The public id a status token was made for, or None for anything else."""
    public_id, dash, _ = token.rpartition("-")
    if not dash or not public_id:
        return None
    return public_id if hmac.compare_digest(status_token(keyring, public_id), token) else None


@dataclass(frozen=True, slots=True)
class FollowedRequest:
    """What a token tells: which request it is and where it stands, nothing of its content."""

    public_id: str
    state: TicketState


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
        # Not echoed: a path may hold anything a client typed, an ID number too.
        raise NotFound("no such service_request_id")
    return ticket


async def follow_request(uow: UnitOfWork, *, token: str) -> FollowedRequest:
    """The filer's own token opens the state of their request, whatever its category's
    disclosure; a public request's id serves as its token too (the public may read it
    anyway). Anything else is not found: ids are sequential, so an id proves nothing about
    who asks."""
    owned = token_owner(uow.keyring, token)
    async with uow:
        if owned is not None:
            state = await uow.public_tickets.state_of(owned)
            found = None if state is None else FollowedRequest(owned, state)
        else:
            ticket = await uow.public_tickets.ticket(token)
            found = None if ticket is None else FollowedRequest(ticket.public_id, ticket.state)
    if found is None:
        raise NotFound("no such token")
    return found
