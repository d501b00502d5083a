"""Decisions of the ticket workflow: a command and the ticket become one event.

``decide`` is pure: the use case resolves the references first (who is the assignee,
which organization is the next level up, what deadline was requested) and passes them in
the command; the event then carries every fact its action fixed, so ``apply`` and a
replay years later need no calendar.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from partygrid.domain.calendar import WorkingCalendar
from partygrid.domain.contact import mask_phone
from partygrid.domain.errors import InvalidValue
from partygrid.domain.personal_data import redact_personal_data
from partygrid.domain.tickets.aggregate import (
    MERGED_IN,
    EventActor,
    Satisfaction,
    SupervisionLevel,
    Ticket,
    TicketEvent,
    dt,
    iso,
    mask_person_name,
)
from partygrid.domain.tickets.deadlines import DeadlineRule, initial_deadline, resumed_deadline
from partygrid.domain.tickets.workflow import TicketAction, TicketState, TicketType, next_state


@dataclass(frozen=True, slots=True)
class ActionContext:
    """What a decision may depend on besides the ticket and the command."""

    now: datetime
    actor: EventActor
    calendar: WorkingCalendar
    rule: DeadlineRule


def _required(command: dict[str, Any], name: str) -> Any:
    value = command.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InvalidValue(f"{name} is required for this action", field=f"body.{name}")
    return value


def _text(command: dict[str, Any], name: str) -> str | None:
    value = command.get(name)
    return value.strip() or None if isinstance(value, str) else None


# --- decisions: a command and the ticket become the facts of one event ----------------


def _decide_accept(t: Ticket, c: dict[str, Any], ctx: ActionContext) -> dict[str, Any]:
    ticket_type = TicketType(c.get("type") or t.type)
    promised = c.get("promised_on") or t.promised_on
    if isinstance(promised, str):
        promised = date.fromisoformat(promised)
    deadline = initial_deadline(ctx.calendar, ctx.rule, ticket_type, ctx.now, promised)
    return {
        "type": ticket_type.value,
        "promised_on": iso(promised) if ticket_type is TicketType.promised else None,
        "deadline_at": iso(deadline.due),
        "deadline_provisional": deadline.provisional,
    }


def _decide_reason(t: Ticket, c: dict[str, Any], ctx: ActionContext) -> dict[str, Any]:
    return {"reason": _required(c, "reason").strip()}


def _decide_merge(t: Ticket, c: dict[str, Any], ctx: ActionContext) -> dict[str, Any]:
    return {"into_ticket_id": int(_required(c, "into_ticket_id"))}


def _decide_handler(t: Ticket, c: dict[str, Any], ctx: ActionContext) -> dict[str, Any]:
    """assign / transfer: the service has resolved and checked the target."""
    data = {
        "assignee_user_id": c.get("assignee_user_id"),
        "assignee_department": c.get("assignee_department"),
        "handling_org_id": c.get("handling_org_id") or t.handling_org_id,
    }
    if data["assignee_user_id"] is None and c.get("handling_org_id") is None:
        raise InvalidValue(
            "name an assignee_user_id or an organization_id", field="body.assignee_user_id"
        )
    if c.get("reason"):
        data["reason"] = c["reason"].strip()
    return data


def _decide_escalate(t: Ticket, c: dict[str, Any], ctx: ActionContext) -> dict[str, Any]:
    data = {
        "from_org_id": t.handling_org_id,
        "to_org_id": int(_required(c, "to_org_id")),
        "reason": _required(c, "reason").strip(),
    }
    if t.paused_at is not None:  # escalated while waiting: the clock resumes upstairs
        data.update(_decide_supplement(t, c, ctx))
    return data


def _decide_nothing(t: Ticket, c: dict[str, Any], ctx: ActionContext) -> dict[str, Any]:
    return {}


def _decide_request_supplement(t: Ticket, c: dict[str, Any], ctx: ActionContext) -> dict[str, Any]:
    return {"missing": _required(c, "missing").strip()}


def _decide_supplement(t: Ticket, c: dict[str, Any], ctx: ActionContext) -> dict[str, Any]:
    data: dict[str, Any] = {"deadline_at": iso(t.deadline_at), "deadline_provisional": False}
    if t.deadline_at is not None and t.paused_at is not None:
        moved = resumed_deadline(ctx.calendar, t.deadline_at, t.paused_at, ctx.now)
        data.update(deadline_at=iso(moved.due), deadline_provisional=moved.provisional)
    data["deadline_provisional"] = data["deadline_provisional"] or t.deadline_provisional
    return data


def _decide_resolve(t: Ticket, c: dict[str, Any], ctx: ActionContext) -> dict[str, Any]:
    data: dict[str, Any] = {"resolution": _required(c, "resolution").strip()}
    if t.type is TicketType.suggestion:
        adopted = c.get("adopted")
        if not isinstance(adopted, bool):
            raise InvalidValue(
                "a suggestion (建议件) is answered adopted or not", field="body.adopted"
            )
        data["adopted"] = adopted
        data["reasons"] = _required(c, "reasons").strip()
    start = t.accepted_at or t.created_at
    if start is not None:
        first = t.first_response_at or ctx.now
        data["response_working_hours"] = round(ctx.calendar.working_hours_between(start, first), 4)
        hours = ctx.calendar.working_hours_between(start, ctx.now)
        data["resolution_working_hours"] = round(hours, 4)
    data["resolved_on_time"] = None if t.deadline_at is None else ctx.now <= t.deadline_at
    return data


def _decide_publish(t: Ticket, c: dict[str, Any], ctx: ActionContext) -> dict[str, Any]:
    text = _text(c, "public_result") or t.resolution
    if not text:
        raise InvalidValue("public_result is required", field="body.public_result")
    if t.requester_phone:
        text = text.replace(t.requester_phone, mask_phone(t.requester_phone) or "")
    if t.requester_name and len(t.requester_name) > 1:
        text = text.replace(t.requester_name, mask_person_name(t.requester_name) or "")
    return {"public_result": redact_personal_data(text)}


def _decide_review(t: Ticket, c: dict[str, Any], ctx: ActionContext) -> dict[str, Any]:
    try:
        satisfaction = Satisfaction(_required(c, "satisfaction"))
    except ValueError:
        raise InvalidValue(
            "satisfaction is satisfied, basically_satisfied or unsatisfied",
            field="body.satisfaction",
        ) from None
    return {"satisfaction": satisfaction.value}


def _decide_extension_request(t: Ticket, c: dict[str, Any], ctx: ActionContext) -> dict[str, Any]:
    if t.extension_pending:
        raise InvalidValue(
            "an extension request is already waiting for a decision", field="body.new_deadline"
        )
    wanted = _required(c, "new_deadline")
    wanted = datetime.fromisoformat(wanted) if isinstance(wanted, str) else wanted
    if wanted.tzinfo is None:
        raise InvalidValue("new_deadline needs a UTC offset", field="body.new_deadline")
    if t.deadline_at is not None and wanted <= t.deadline_at:
        raise InvalidValue(
            "new_deadline must be after the current deadline", field="body.new_deadline"
        )
    return {"reason": _required(c, "reason").strip(), "new_deadline": iso(wanted)}


def _decide_extension(t: Ticket, c: dict[str, Any], ctx: ActionContext) -> dict[str, Any]:
    if not t.extension_pending:
        raise InvalidValue("no extension request is waiting", field="body.approve")
    approve = c.get("approve")
    if not isinstance(approve, bool):
        raise InvalidValue("approve is true or false", field="body.approve")
    data: dict[str, Any] = {"approve": approve}
    if approve:
        data["deadline_at"] = iso(dt(c["requested_deadline"]))
    return data


def _decide_supervise(t: Ticket, c: dict[str, Any], ctx: ActionContext) -> dict[str, Any]:
    try:
        level = SupervisionLevel(_required(c, "level"))
    except ValueError:
        level = SupervisionLevel.none
    if level is SupervisionLevel.none:
        raise InvalidValue("level is yellow or red", field="body.level")
    return {"level": level.value, "automatic": bool(c.get("automatic", False))}


def _decide_revisit(t: Ticket, c: dict[str, Any], ctx: ActionContext) -> dict[str, Any]:
    return {"outcome": _required(c, "outcome").strip()}


_DECIDE: dict[TicketAction, Callable[[Ticket, dict[str, Any], ActionContext], dict[str, Any]]] = {
    TicketAction.accept: _decide_accept,
    TicketAction.reject: _decide_reason,
    TicketAction.merge: _decide_merge,
    TicketAction.assign: _decide_handler,
    TicketAction.transfer: _decide_handler,
    TicketAction.escalate: _decide_escalate,
    TicketAction.start: _decide_nothing,
    TicketAction.request_supplement: _decide_request_supplement,
    TicketAction.supplement: _decide_supplement,
    TicketAction.resolve: _decide_resolve,
    TicketAction.publish: _decide_publish,
    TicketAction.review: _decide_review,
    TicketAction.reopen: _decide_reason,
    TicketAction.close: _decide_nothing,
    TicketAction.request_extension: _decide_extension_request,
    TicketAction.decide_extension: _decide_extension,
    TicketAction.supervise: _decide_supervise,
    TicketAction.revisit: _decide_revisit,
    TicketAction.comment: _decide_nothing,
}


def target_state(state: TicketState, action: TicketAction, command: dict[str, Any]) -> TicketState:
    """Where the action leads; an unsatisfied review reopens (409 when not allowed)."""
    if action is TicketAction.review and command.get("satisfaction") == "unsatisfied":
        next_state(state, TicketAction.review)  # a review must be allowed at all
        return next_state(state, TicketAction.reopen)
    return next_state(state, action)


def decide(
    ticket: Ticket, action: TicketAction, command: dict[str, Any], ctx: ActionContext
) -> TicketEvent:
    """The event ``action`` makes of ``ticket``: refused (409) in a state that does not
    allow it, (422) when the command lacks what the action needs."""
    to_state = target_state(ticket.state, action, command)
    data = _DECIDE[action](ticket, command, ctx)
    if action is TicketAction.comment and not _text(command, "note"):
        raise InvalidValue("a comment needs a note", field="body.note")
    return TicketEvent(
        seq=ticket.version + 1,
        action=action.value,
        from_state=ticket.state,
        to_state=to_state,
        at=ctx.now,
        actor=ctx.actor,
        note=redact_personal_data(note) if (note := _text(command, "note")) else None,
        data=data,
        ticket_id=ticket.id,
    )


def merged_in_event(
    target: Ticket, duplicate: Ticket, ctx: ActionContext, note: str | None
) -> TicketEvent:
    """The event on a merge's target: one more co-reporter, plus the duplicate's own."""
    return TicketEvent(
        seq=target.version + 1,
        action=MERGED_IN,
        from_state=target.state,
        to_state=target.state,
        at=ctx.now,
        actor=ctx.actor,
        note=note,
        data={"duplicate_id": duplicate.id, "added_reporters": 1 + duplicate.co_reporters},
        ticket_id=target.id,
    )
