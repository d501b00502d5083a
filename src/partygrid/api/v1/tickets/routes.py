"""Routes of five-type tickets (五件式): intake, reads, the timeline, and one route per
workflow action, each with its own body schema and permission."""

# No ``from __future__ import annotations``: the action routes are made in a loop, and
# FastAPI must see their body types as objects, not as names to look up in this module.

from typing import Annotated, Any

from fastapi import Depends, Header, Query, Response, status
from pydantic import ValidationError

from partygrid.api.deps import Cursor, ExpectedVersion, PageSize, ReadUow, Uow
from partygrid.api.errors import problem_responses
from partygrid.api.etag import set_etag
from partygrid.api.pagination import cursor_after_id, next_id_cursor
from partygrid.api.permissions import AUTH_ERRORS, TicketReader, TicketSubmitter
from partygrid.api.routing import PrefixRouter
from partygrid.api.security import require
from partygrid.api.v1.tickets.schemas import (
    ACTION_BODIES,
    TicketCreate,
    TicketCreated,
    TicketEventRead,
    TicketPage,
    TicketRead,
    TicketTimeline,
)
from partygrid.domain.access import Actor
from partygrid.domain.tickets.aggregate import TicketChannel
from partygrid.domain.tickets.workflow import TicketAction, TicketState, TicketType
from partygrid.services.tickets import actions, intake, queries
from partygrid.services.tickets.common import TicketFilters

router = PrefixRouter(prefix="/tickets", tags=["tickets"], responses=AUTH_ERRORS)

ACTION_ERRORS = problem_responses(404, 409, 412, 422)
ACTION_DOCS: dict[TicketAction, str] = {
    TicketAction.accept: "受理: accept the ticket; fixes its deadline by type and category.",
    TicketAction.reject: "Reject the ticket with a reason (not a matter for this system).",
    TicketAction.merge: "Merge a duplicate into another open ticket (co-reporters counted).",
    TicketAction.assign: "Assign to a grid/department worker or to an organization.",
    TicketAction.transfer: "Transfer to another handler or organization, with a reason.",
    TicketAction.escalate: "Escalate to the next level up (grid → community → street → "
    "district) when beyond this level's power.",
    TicketAction.start: "The handler starts work (first response).",
    TicketAction.request_supplement: "补办: ask the requester for something; the clock stops.",
    TicketAction.supplement: "The missing item arrived: the clock resumes, the deadline moves.",
    TicketAction.resolve: "Resolve with the result; a suggestion is answered adopted or not.",
    TicketAction.publish: "公示: publish the result; personal data in it is masked.",
    TicketAction.review: "The requester's satisfaction; unsatisfied reopens the ticket.",
    TicketAction.reopen: "Reopen a published or reviewed ticket, with a reason.",
    TicketAction.close: "Close a published or reviewed ticket.",
    TicketAction.request_extension: "Ask the level above for a later deadline.",
    TicketAction.decide_extension: "Approve or refuse a pending extension (level above only).",
    TicketAction.supervise: "督办: a yellow or red supervision order (level above only).",
    TicketAction.revisit: "回访: record a follow-up visit or call to the requester.",
    TicketAction.comment: "Add a note to the timeline.",
}


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=TicketCreated,
    responses={
        200: {"model": TicketCreated, "description": "A retry: the first ticket, unchanged"},
        **problem_responses(422),
    },
)
async def create_ticket(
    body: TicketCreate,
    uow: Uow,
    actor: TicketSubmitter,
    response: Response,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            description="Any unique string per submission: a retry with it returns the first "
            "ticket (200) instead of creating another; reused with another body: 422.",
        ),
    ] = None,
) -> TicketCreated:
    """受理登记: register a resident's request; routed to the grid containing its point."""
    values = body.model_dump()
    values["attachments"] = [a.model_dump(exclude_none=True) for a in body.attachments]
    record, created = await intake.submit_ticket(
        uow, actor=actor, new=intake.NewTicket(**values), idempotency_key=idempotency_key
    )
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    set_etag(response, record.ticket.version)
    response.headers["Location"] = f"/api/v1/tickets/{record.ticket.id}"
    return TicketCreated.of_record(record)


@router.get("", response_model=TicketPage, responses=problem_responses(404, 422))
async def list_tickets(
    uow: ReadUow,
    actor: TicketReader,
    limit: PageSize,
    cursor: Cursor = None,
    state: Annotated[list[TicketState] | None, Query(description="One or more states.")] = None,
    type: TicketType | None = None,
    category: Annotated[str | None, Query(description="A service category code.")] = None,
    grid_id: int | None = None,
    under: Annotated[
        int | None, Query(description="Tickets of communities or handlers in this subtree.")
    ] = None,
    channel: TicketChannel | None = None,
    overdue: Annotated[
        bool | None,
        Query(
            description="true: overdue (open and past the deadline, unless paused for a "
            "missing item before it); false: the others."
        ),
    ] = None,
) -> TicketPage:
    """The tickets you see (your grids, your organizations' subtree, or assigned to you)."""
    filters = TicketFilters(
        state=tuple(state or ()), type=type, category_code=category, grid_id=grid_id,
        under=under, channel=channel, overdue=overdue,
    )  # fmt: skip
    items = await queries.list_tickets(
        uow, actor=actor, filters=filters, after_id=cursor_after_id(cursor), limit=limit
    )
    next_cursor = next_id_cursor(items[-1].id if items else None, len(items), limit)
    return TicketPage(items=[TicketRead.of(t) for t in items], next_cursor=next_cursor)


@router.get("/{ticket_id}", response_model=TicketRead, responses=problem_responses(404))
async def get_ticket(
    ticket_id: int, uow: ReadUow, actor: TicketReader, response: Response
) -> TicketRead:
    """One ticket; the ETag carries its version for If-Match on actions."""
    record = await queries.get_ticket(uow, actor=actor, ticket_id=ticket_id)
    set_etag(response, record.ticket.version)
    return TicketRead.of(record.ticket)


@router.get(
    "/{ticket_id}/timeline", response_model=TicketTimeline, responses=problem_responses(404)
)
async def get_ticket_timeline(ticket_id: int, uow: ReadUow, actor: TicketReader) -> TicketTimeline:
    """The ticket's append-only timeline: every action with actor, time, note and states."""
    events = await queries.ticket_timeline(uow, actor=actor, ticket_id=ticket_id)
    return TicketTimeline(ticket_id=ticket_id, items=[TicketEventRead.of(e) for e in events])


def _action_route(action: TicketAction) -> None:
    body_model: Any = ACTION_BODIES[action]
    permitted: Any = Annotated[Actor, Depends(require(actions.PERMISSION_OF[action]))]
    try:  # a body that can be empty may be left out; AssignBody, say, cannot
        body_model()
        optional = True
    except ValidationError:
        optional = False
    body_type: Any = body_model | None if optional else body_model

    async def act(
        ticket_id: int,
        uow: Uow,
        actor: permitted,
        expected: ExpectedVersion,
        response: Response,
        body: body_type = None if optional else ...,
    ) -> TicketRead:
        command = (body or body_model()).model_dump(exclude_none=True)
        record = await actions.act_on_ticket(
            uow, actor=actor, ticket_id=ticket_id, action=action, command=command,
            expected_version=expected,
        )  # fmt: skip
        set_etag(response, record.ticket.version)
        return TicketRead.of(record.ticket)

    act.__doc__ = ACTION_DOCS[action]
    router.add_api_route(
        f"/{{ticket_id}}/actions/{action.value}",
        act,
        methods=["POST"],
        name=f"ticket_{action.value}",
        response_model=TicketRead,
        responses=ACTION_ERRORS,
        summary=action.value.replace("_", " ").capitalize(),
    )


for _action in TicketAction:
    _action_route(_action)
