"""Routes of the audit trail (审计): read-only, for the auditor role alone. There is
deliberately no route that changes or deletes an event."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query
from pydantic import AwareDatetime

from partygrid.api.deps import Cursor, PageSize, Uow
from partygrid.api.errors import problem_responses
from partygrid.api.pagination import cursor_after_id, next_id_cursor
from partygrid.api.routing import PrefixRouter
from partygrid.api.security import require
from partygrid.api.v1.audit.schemas import AuditEventPage, AuditEventRead, ChainReportRead
from partygrid.domain.access import Actor, Permission, PrincipalKind
from partygrid.domain.audit.events import Outcome
from partygrid.domain.audit.trail import AuditFilter
from partygrid.domain.errors import InvalidValue
from partygrid.services.audit import use_cases as svc

router = PrefixRouter(prefix="/audit", tags=["audit"])

Auditor = Annotated[Actor, Depends(require(Permission.audit_read))]
READ_ERRORS = problem_responses(401, 403, 422)

# A request that checks more than this would hold a connection for tens of seconds;
# the whole trail is `partygrid audit verify`'s job.
VERIFY_MAX_EVENTS = 100_000


def _filter(
    since: Annotated[
        AwareDatetime | None, Query(description="From this instant (ISO 8601 with offset).")
    ] = None,
    until: Annotated[
        AwareDatetime | None, Query(description="Before this instant (ISO 8601 with offset).")
    ] = None,
    principal_kind: PrincipalKind | None = None,
    principal_id: Annotated[
        int | None, Query(description="Together with `principal_kind`.")
    ] = None,
    principal_name: Annotated[
        str | None, Query(min_length=1, max_length=100, description="Exact user or client name.")
    ] = None,
    resource_type: Annotated[
        str | None, Query(min_length=1, max_length=32, description="e.g. `member`.")
    ] = None,
    resource_id: Annotated[
        str | None, Query(min_length=1, max_length=64, description="Together with `resource_type`.")
    ] = None,
    action: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=64,
            description="Exact (`member.update`), or a prefix when it ends with a dot (`member.`).",
        ),
    ] = None,
    outcome: Outcome | None = None,
) -> AuditFilter:
    if principal_id is not None and principal_kind is None:
        raise InvalidValue(
            "principal_id needs principal_kind: user and client ids overlap",
            field="query.principal_kind",
        )
    if resource_id is not None and resource_type is None:
        raise InvalidValue("resource_id needs resource_type", field="query.resource_type")
    if since is not None and until is not None and since >= until:
        raise InvalidValue("since must be before until", field="query.until")
    return AuditFilter(
        since=since, until=until,
        principal_kind=principal_kind.value if principal_kind else None,
        principal_id=principal_id, principal_name=principal_name,
        resource_type=resource_type, resource_id=resource_id, action=action, outcome=outcome,
    )  # fmt: skip


@router.get("/events", response_model=AuditEventPage, responses=READ_ERRORS)
async def list_audit_events(
    actor: Auditor,
    uow: Uow,
    query: Annotated[AuditFilter, Depends(_filter)],
    limit: PageSize,
    cursor: Cursor = None,
) -> AuditEventPage:
    """Search the audit trail, newest first (auditors only; the search is itself audited)."""
    items = await svc.list_events(
        uow, actor=actor, query=query, before_id=cursor_after_id(cursor), limit=limit
    )
    next_cursor = next_id_cursor(items[-1].event.id if items else None, len(items), limit)
    return AuditEventPage(items=[AuditEventRead.of(s) for s in items], next_cursor=next_cursor)


@router.get(
    "/events/{event_id}",
    response_model=AuditEventRead,
    responses=problem_responses(401, 403, 404),
)
async def get_audit_event(event_id: int, actor: Auditor, uow: Uow) -> AuditEventRead:
    """One audit event with its chain hashes (auditors only; the read is audited)."""
    return AuditEventRead.of(await svc.get_event(uow, actor=actor, event_id=event_id))


@router.get("/verify", response_model=ChainReportRead, responses=READ_ERRORS)
async def verify_audit_trail(
    actor: Auditor,
    uow: Uow,
    events: Annotated[
        int,
        Query(
            ge=1,
            le=VERIFY_MAX_EVENTS,
            description="How many of the newest events to check among themselves.",
        ),
    ] = 10_000,
) -> ChainReportRead:
    """Check the newest events' hash chain now (the whole trail: `partygrid audit verify`)."""
    return ChainReportRead.of(await svc.verify_recent(uow, actor=actor, events=events))
