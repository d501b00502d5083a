"""限期办理 to 跟踪监督: every workflow action through one entry point.

The ticket row is locked FOR UPDATE first, so of two concurrent actions one waits for the
other to commit and then meets the new state (409) or the new version (412). The domain
decides the event; the event and the projection are written in one transaction.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from partygrid.domain.access import Actor, Permission, PrincipalKind, Scope, permissions_of
from partygrid.domain.calendar import WorkingCalendar
from partygrid.domain.errors import Forbidden, InvalidValue, RuleViolation
from partygrid.domain.organizations.model import BRANCH_KINDS, COMMUNITY_KINDS, OrgKind, OrgStatus
from partygrid.domain.tickets.aggregate import Ticket, apply
from partygrid.domain.tickets.commands import ActionContext, decide, merged_in_event, target_state
from partygrid.domain.tickets.deadlines import DeadlineRule
from partygrid.domain.tickets.workflow import TERMINAL_STATES, TicketAction, TicketType
from partygrid.domain.versioning import check_version
from partygrid.repo.uow import UnitOfWork
from partygrid.services.calendar.use_cases import get_calendar
from partygrid.services.tickets.common import (
    TicketRecord,
    event_actor,
    require_ticket,
    snapshot,
    utcnow,
)

A = TicketAction
# Upper levels supervise and decide extensions; everything else is handling.
PERMISSION_OF: dict[TicketAction, Permission] = {
    action: Permission.ticket_handle for action in TicketAction
} | {A.supervise: Permission.ticket_supervise, A.decide_extension: Permission.ticket_supervise}

# The levels a ticket climbs when beyond a level's power: grid → community → street → district.
ESCALATION_KINDS = COMMUNITY_KINDS | {OrgKind.street_working_committee, OrgKind.district_committee}
ASSIGNABLE_ORG_KINDS = COMMUNITY_KINDS | BRANCH_KINDS | {OrgKind.street_working_committee}

DEFAULT_RULE = DeadlineRule()


def _check_permission(actor: Actor, action: TicketAction) -> None:
    needed = PERMISSION_OF[action]
    if actor.principal.kind is PrincipalKind.system:
        return
    if not actor.principal.can(needed):
        raise Forbidden(f"the role {actor.principal.role or 'none'} lacks {needed.value}")


async def _user_scope(uow: UnitOfWork, user_id: int) -> Scope:
    grants = await uow.scopes.of(user_id=user_id)
    paths = []
    for grant in grants:
        if grant.organization_id is not None:
            org = await uow.organizations.get_for_rule(grant.organization_id)
            if org is not None and org.status is OrgStatus.active:
                paths.append(org.path)
    grids = tuple(g.grid_id for g in grants if g.grid_id is not None)
    return Scope(org_paths=tuple(paths), grid_ids=grids)


async def _handler_target(
    uow: UnitOfWork, actor: Actor, ticket: Ticket, command: dict[str, Any]
) -> dict[str, Any]:
    """assign / transfer: a user who may handle the ticket's grid, or an organization."""
    user_id, org_id = command.get("assignee_user_id"), command.get("organization_id")
    if (user_id is None) == (org_id is None):
        raise InvalidValue(
            "name either an assignee_user_id or an organization_id", field="body.assignee_user_id"
        )
    resolved = dict(command)
    if user_id is not None:
        user = await uow.users.get(int(user_id))
        if user is None or not user.is_active:
            raise RuleViolation(f"user {user_id} does not exist", rule="assignee-exists")
        if Permission.ticket_handle not in permissions_of(user.role):
            raise RuleViolation(
                f"user {user_id} has a role that does not handle tickets", rule="assignee-role"
            )
        community = await uow.organizations.get_for_rule(ticket.community_id or 0)
        scope = await _user_scope(uow, user.id)
        if ticket.grid_id is None or not scope.covers_grid(
            ticket.grid_id, community.path if community else None
        ):
            raise RuleViolation(
                f"user {user_id} does not serve this ticket's grid", rule="assignee-scope"
            )
        resolved.update(assignee_user_id=user.id, assignee_department=user.department)
        resolved["handling_org_id"] = None
        return resolved
    assert org_id is not None  # exactly one of the two, checked above
    org = await uow.organizations.get(int(org_id), scope=actor.scope)
    if org is None or org.status is not OrgStatus.active:
        raise RuleViolation(f"organization {org_id} does not exist", rule="organization-exists")
    if org.kind not in ASSIGNABLE_ORG_KINDS:
        raise RuleViolation(
            f"a ticket is assigned to a community, branch or street, not a {org.kind.value}",
            rule="assignee-organization-kind",
        )
    resolved.update(assignee_user_id=None, assignee_department=None, handling_org_id=org.id)
    return resolved


async def _escalation_target(uow: UnitOfWork, ticket: Ticket, command: dict[str, Any]) -> Any:
    current = await uow.organizations.get_for_rule(ticket.handling_org_id or 0)
    if current is None:
        raise RuleViolation("the ticket has no handling organization", rule="escalation-origin")
    for upper in reversed(await uow.organizations.lineage(current)):
        if upper.kind in ESCALATION_KINDS and upper.status is OrgStatus.active:
            return {**command, "to_org_id": upper.id}
    raise RuleViolation(
        "the ticket is at the top of the organization tree; nobody above to escalate to",
        rule="escalation-beyond-top",
    )


async def _check_upper_level(uow: UnitOfWork, actor: Actor, ticket: Ticket, what: str) -> None:
    """Supervision and extension decisions belong to the level above the handler: the
    actor's scope must include the parent of the handling organization."""
    if actor.principal.kind is PrincipalKind.system:
        return
    handling = await uow.organizations.get_for_rule(ticket.handling_org_id or 0)
    if handling is None:
        raise RuleViolation("the ticket has no handling organization", rule="upper-level")
    parent = (
        await uow.organizations.get_for_rule(handling.parent_id) if handling.parent_id else None
    )
    if not actor.scope.covers_path((parent or handling).path):
        raise Forbidden(
            f"only a level above the handling organization may {what}; "
            "your scope does not include its parent"
        )


async def _merge_target(
    uow: UnitOfWork, actor: Actor, ticket: Ticket, command: dict[str, Any]
) -> Ticket:
    raw = command.get("into_ticket_id")
    if not isinstance(raw, int) or isinstance(raw, bool):
        raise InvalidValue(
            "into_ticket_id is the ticket to merge into", field="body.into_ticket_id"
        )
    if raw == ticket.id:
        raise InvalidValue("a ticket cannot be merged into itself", field="body.into_ticket_id")
    target = await uow.tickets.get(
        raw, scope=actor.scope, user_id=actor.user_id, for_update=True
    )
    if target is None:
        raise RuleViolation(f"ticket {raw} does not exist", rule="merge-target-exists")
    if target.state in TERMINAL_STATES:
        raise RuleViolation(
            f"ticket {raw} is {target.state.value}; merge into an open ticket",
            rule="merge-target-open",
        )
    return target


async def _resolve(
    uow: UnitOfWork, actor: Actor, ticket: Ticket, action: TicketAction, command: dict[str, Any]
) -> dict[str, Any]:
    """The command with its references checked and resolved (who, which organization)."""
    if action in (A.assign, A.transfer):
        if action is A.transfer and not (command.get("reason") or "").strip():
            raise InvalidValue("a transfer needs a reason", field="body.reason")
        return await _handler_target(uow, actor, ticket, command)
    if action is A.escalate:
        return await _escalation_target(uow, ticket, command)
    if action is A.supervise:
        await _check_upper_level(uow, actor, ticket, "supervise (督办) this ticket")
    if action is A.decide_extension:
        await _check_upper_level(uow, actor, ticket, "decide an extension")
        request = await uow.tickets.last_event(ticket.id, A.request_extension.value)
        requested = request.data.get("new_deadline") if request else None
        return {**command, "requested_deadline": requested}
    if action is A.accept and command.get("type") is not None:
        try:
            TicketType(command["type"])
        except ValueError:
            raise InvalidValue("not a ticket type", field="body.type") from None
    return command


def _jsonable(command: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, datetime | date) else v for k, v in command.items()}


async def act_on_ticket(
    uow: UnitOfWork,
    *,
    actor: Actor,
    ticket_id: int,
    action: TicketAction,
    command: dict[str, Any],
    expected_version: int | None,
    calendar: WorkingCalendar | None = None,
    now: datetime | None = None,
) -> TicketRecord:
    """Apply one workflow action: 404 outside the actor's scope, 412 on a stale version,
    409 when the state does not allow the action, 422 when the command is incomplete."""
    action = TicketAction(action)
    _check_permission(actor, action)
    command = _jsonable(command)
    now = now or utcnow()
    async with uow:
        into = command.get("into_ticket_id") if action is A.merge else None
        if isinstance(into, int):
            await uow.tickets.lock_in_id_order([ticket_id, into])
        ticket = await require_ticket(uow, ticket_id, actor=actor, for_update=True)
        check_version(ticket.version, expected_version)
        target_state(ticket.state, action, command)  # 409 before anything else is checked
        target = await _merge_target(uow, actor, ticket, command) if action is A.merge else None
        resolved = await _resolve(uow, actor, ticket, action, command)
        category = await uow.catalogue.get(ticket.category_code)
        ticket_type = TicketType(resolved.get("type") or ticket.type)
        rule = category.rule(DEFAULT_RULE, ticket_type) if category else DEFAULT_RULE
        calendar = calendar or await get_calendar(uow)
        ctx = ActionContext(now=now, actor=event_actor(actor), calendar=calendar, rule=rule)
        event = decide(ticket, action, resolved, ctx)
        updated = apply(ticket, event)
        await uow.tickets.save(updated, event)
        uow.audit.record_change(
            actor, f"ticket.{action.value}", "ticket", ticket.id,
            snapshot(ticket), snapshot(updated), reason=event.note,
        )  # fmt: skip
        if target is not None:
            absorbed = merged_in_event(target, ticket, ctx, event.note)
            grown = apply(target, absorbed)
            await uow.tickets.save(grown, absorbed)
            uow.audit.record_change(
                actor, "ticket.merged_in", "ticket", target.id, snapshot(target), snapshot(grown)
            )
        await uow.commit()
        return TicketRecord(updated)
