"""Refusals on the audit trail. A refused or failed write rolls its transaction back, audit
events included, so the error handlers record the refusal again in a unit of work of its
own. Auditing must never turn a 4xx into a 500: a failure here is logged, not raised."""

from __future__ import annotations

import logging

from fastapi import Request

from partygrid.api.middleware import connection_lease
from partygrid.domain.access import Actor
from partygrid.domain.audit.events import Outcome
from partygrid.repo.audit.writer import refusal_committed
from partygrid.repo.uow import UnitOfWork

log = logging.getLogger(__name__)

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Columns of audit_events these values go into.
_ACTION_MAX, _TYPE_MAX, _ID_MAX, _REASON_MAX = 64, 32, 64, 500


def outcome_for(status: int) -> Outcome:
    return Outcome.denied if status in {401, 403, 404} else Outcome.failed


def should_audit(method: str, status: int) -> bool:
    """Every refused or failed write; and a 403 on a read too, since a caller probing for
    what its role cannot see is a security event, whatever the method."""
    return method in WRITE_METHODS or status == 403


def route_template(request: Request) -> str:
    """``/api/v1/members/{member_id}``: the route as declared, never the ids in the URL.

    The matched route knows its own template but, with routers included under prefixes,
    not always the prefixes; those are the leading segments of the URL it does not cover.
    """
    route = request.scope.get("route")
    template = getattr(route, "path_format", None)
    if not isinstance(template, str):
        return "(no route)"
    if ":path}" in template:  # a parameter spanning segments: cannot line up with the URL
        return template
    segments = request.url.path.rstrip("/").split("/")
    own = len(template.rstrip("/").split("/")) - 1  # segments after the leading slash
    if own >= len(segments):
        return template
    return "/".join(segments[: len(segments) - own]) + template


def describe(request: Request) -> tuple[str, str, str | None]:
    """(action, resource_type, resource_id) of a request that did not complete."""
    template = route_template(request)
    action = f"{request.method} {template}"[:_ACTION_MAX]
    # The resource is the first static segment after the version: /api/v1/<members>/...
    static = [part for part in template.split("/") if part and not part.startswith("{")]
    if static[:1] == ["api"]:
        static = static[2:]
    resource_type = _singular(static[0] if static else "api")[:_TYPE_MAX]
    params = list(request.path_params.values())
    resource_id = str(params[0])[:_ID_MAX] if params else None
    return action, resource_type, resource_id


def _singular(segment: str) -> str:
    # /organizations → "organization", /api-clients → "api_client": the resource types the
    # use cases record, so that an auditor's filter finds successes and refusals alike.
    name = segment.replace("-", "_")
    return name[:-1] if name.endswith("s") and not name.endswith("ss") else name


async def audit_refusal(request: Request, status: int, code: str, detail: str | None) -> None:
    """Record a refused request of a known principal as ``denied`` or ``failed``.

    The detail is a problem detail, which never holds personal data (validation errors
    name fields, not values), so it may go into the reason.
    """
    actor = getattr(request.state, "actor", None)
    if not isinstance(actor, Actor) or not should_audit(request.method, status):
        return
    if actor.request_id is not None and refusal_committed.get() == actor.request_id:
        refusal_committed.set(None)  # consumed: the same id may come again (a retry)
        return  # the use case recorded this refusal itself (a failed login, say)
    try:
        action, resource_type, resource_id = describe(request)
        reason = f"{status} {code}" + (f": {detail}" if detail else "")
        state = request.app.state  # the lease goes back first: one connection at a time
        uow = UnitOfWork(state.sessionmaker, state.keyring, lease=connection_lease(request))
        async with uow:
            uow.audit.record(
                actor, action, resource_type, resource_id,
                outcome=outcome_for(status), reason=reason[:_REASON_MAX],
            )  # fmt: skip
            await uow.commit()
    except Exception:
        log.exception("could not audit the refused %s %s", request.method, request.url.path)
    finally:
        refusal_committed.set(None)  # this write is not a use case's own record
