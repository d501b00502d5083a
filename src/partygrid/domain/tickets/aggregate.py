"""The ticket aggregate: its fields, its events, and ``apply``, which turns an event into
the next ticket (``ticket_commands.decide`` turns a command into an event).

The ticket row is a projection of its timeline: ``replay(events)`` rebuilds every field
but the requester's personal data, which the timeline never holds. Each event carries
the facts its action fixed (a deadline computed on the calendar of that day, the working
hours measured at resolution), so replaying needs no calendar and gives the same result
years later.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from partygrid.domain.tickets.deadlines import past_deadline
from partygrid.domain.tickets.workflow import OPEN_STATES, TicketState, TicketType


class TicketChannel(StrEnum):
    grid_app = "grid_app"  # 网格员 APP
    info_collector = "info_collector"  # 民情信息员
    hotline = "hotline"  # 12345 / service hotline
    mailbox = "mailbox"  # 民情信箱
    walk_in = "walk_in"  # 来访
    open311 = "open311"
    partner = "partner"  # partner systems


class Satisfaction(StrEnum):
    satisfied = "satisfied"
    basically_satisfied = "basically_satisfied"
    unsatisfied = "unsatisfied"


class SupervisionLevel(StrEnum):
    none = "none"
    yellow = "yellow"  # 黄牌督办
    red = "red"  # 红牌督办


SUBMIT = "submit"  # the first event of every timeline
MERGED_IN = "merged_in"  # on the target of a merge: a duplicate was folded into it


@dataclass(slots=True)
class Ticket:
    id: int
    public_id: str
    type: TicketType
    category_code: str
    channel: TicketChannel
    title: str
    description: str
    state: TicketState = TicketState.received
    priority: int = 3
    attributes: dict[str, Any] = field(default_factory=dict)
    attachments: list[dict[str, Any]] = field(default_factory=list)
    requester_name: str | None = None  # clear in the domain; sealed in the row
    requester_phone: str | None = None
    lon: float | None = None
    lat: float | None = None
    address: str | None = None
    grid_id: int | None = None
    community_id: int | None = None
    handling_org_id: int | None = None
    assignee_user_id: int | None = None
    assignee_department: str | None = None
    deadline_at: datetime | None = None
    deadline_provisional: bool = False
    promised_on: date | None = None
    paused_at: datetime | None = None
    supervision_level: SupervisionLevel = SupervisionLevel.none
    extension_pending: bool = False
    accepted_at: datetime | None = None
    first_response_at: datetime | None = None
    resolved_at: datetime | None = None
    published_at: datetime | None = None
    closed_at: datetime | None = None
    response_working_hours: float | None = None
    resolution_working_hours: float | None = None
    resolved_on_time: bool | None = None
    resolution: str | None = None
    suggestion_adopted: bool | None = None
    public_result: str | None = None
    satisfaction: Satisfaction | None = None
    reopen_count: int = 0
    merged_into_id: int | None = None
    co_reporters: int = 0
    created_by_kind: str = "user"
    created_by_id: int | None = None
    version: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def is_overdue(self, now: datetime) -> bool:
        """Open and past its deadline, unless paused before it (``past_deadline``)."""
        return past_deadline(self.state, self.deadline_at, self.paused_at, now)


# Fields the timeline rebuilds: everything but the requester's personal data.
PROJECTED_FIELDS = tuple(
    f.name for f in fields(Ticket) if f.name not in {"requester_name", "requester_phone"}
)
# What the submit event records of a new ticket (the rest starts at its default).
_INTAKE_FIELDS = (
    "id", "public_id", "type", "category_code", "channel", "title", "description", "priority",
    "attributes", "attachments", "lon", "lat", "address", "grid_id", "community_id",
    "handling_org_id", "promised_on", "created_by_kind", "created_by_id",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class EventActor:
    kind: str  # user, api_client, system
    id: int | None
    name: str | None
    role: str | None


@dataclass(frozen=True, slots=True)
class TicketEvent:
    seq: int
    action: str  # a TicketAction value, SUBMIT or MERGED_IN
    from_state: TicketState | None
    to_state: TicketState
    at: datetime
    actor: EventActor
    note: str | None = None
    data: dict[str, Any] = field(default_factory=dict)  # JSON values only
    ticket_id: int = 0
    id: int = 0


def mask_person_name(name: str | None) -> str | None:
    """李** : the family name only (the first character)."""
    if not name:
        return None
    return name[0] + "*" * max(len(name) - 1, 1)


def iso(value: datetime | date | None) -> str | None:
    return None if value is None else value.isoformat()


def dt(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


# --- the first event ------------------------------------------------------------------


def intake_event(ticket: Ticket, actor: EventActor, at: datetime) -> TicketEvent:
    data: dict[str, Any] = {}
    for name in _INTAKE_FIELDS:
        value = getattr(ticket, name)
        data[name] = iso(value) if isinstance(value, date) else value
    data["has_requester"] = bool(ticket.requester_name or ticket.requester_phone)
    return TicketEvent(1, SUBMIT, None, TicketState.received, at, actor, None, data, ticket.id)


def _from_intake(event: TicketEvent) -> Ticket:
    d = {k: v for k, v in event.data.items() if k != "has_requester"}
    promised = d.get("promised_on")
    d.update(
        type=TicketType(d["type"]),
        channel=TicketChannel(d["channel"]),
        promised_on=date.fromisoformat(promised) if promised else None,
        created_at=event.at,
        updated_at=event.at,
    )
    return Ticket(**d)


# --- applying events ------------------------------------------------------------------


def _reopened(t: Ticket) -> None:
    t.reopen_count += 1
    t.resolved_at = t.published_at = None
    t.resolved_on_time = None
    t.response_working_hours = t.resolution_working_hours = None


def _apply_action(t: Ticket, e: TicketEvent) -> None:
    d, action = e.data, e.action
    if action == "accept":
        t.type = TicketType(d["type"])
        t.promised_on = date.fromisoformat(d["promised_on"]) if d["promised_on"] else None
        t.deadline_at, t.deadline_provisional = dt(d["deadline_at"]), d["deadline_provisional"]
        t.accepted_at = e.at
    elif action == "merge":
        t.merged_into_id = d["into_ticket_id"]
    elif action == MERGED_IN:
        t.co_reporters += d["added_reporters"]
    elif action in ("assign", "transfer"):
        t.assignee_user_id = d["assignee_user_id"]
        t.assignee_department = d["assignee_department"]
        t.handling_org_id = d["handling_org_id"]
        t.first_response_at = t.first_response_at or e.at
    elif action == "escalate":
        t.handling_org_id = d["to_org_id"]
        t.assignee_user_id = t.assignee_department = None
        if "deadline_at" in d:  # it was waiting for a supplement
            t.deadline_at, t.deadline_provisional = dt(d["deadline_at"]), d["deadline_provisional"]
        t.paused_at = None
    elif action == "start":
        t.first_response_at = t.first_response_at or e.at
    elif action == "request_supplement":
        t.paused_at = e.at
    elif action == "supplement":
        t.deadline_at, t.deadline_provisional = dt(d["deadline_at"]), d["deadline_provisional"]
        t.paused_at = None
    elif action == "resolve":
        t.resolution = d["resolution"]
        t.suggestion_adopted = d.get("adopted")
        t.response_working_hours = d.get("response_working_hours")
        t.resolution_working_hours = d.get("resolution_working_hours")
        t.resolved_on_time = d["resolved_on_time"]
        t.resolved_at = e.at
    elif action == "publish":
        t.public_result = d["public_result"]
        t.published_at = e.at
    elif action == "review":
        t.satisfaction = Satisfaction(d["satisfaction"])
        if e.to_state is TicketState.in_progress:
            _reopened(t)
    elif action == "reopen":
        _reopened(t)
    elif action == "close":
        t.closed_at = e.at
    elif action == "request_extension":
        t.extension_pending = True
    elif action == "decide_extension":
        t.extension_pending = False
        if d["approve"]:
            t.deadline_at, t.deadline_provisional = dt(d["deadline_at"]), False
    elif action == "supervise":
        t.supervision_level = SupervisionLevel(d["level"])
    elif action == "comment" and d.get("deadline_recomputed"):
        # A holiday schedule arrived for a year the deadline ran into (services/calendar).
        t.deadline_at, t.deadline_provisional = dt(d["deadline_at"]), d["deadline_provisional"]


def apply(ticket: Ticket, event: TicketEvent) -> Ticket:
    """The ticket after ``event`` (a new object; the argument is left as it was)."""
    if event.action == SUBMIT:
        return _from_intake(event)
    if event.seq != ticket.version + 1:
        raise ValueError(f"event {event.seq} does not follow version {ticket.version}")
    t = replace(ticket, attributes=dict(ticket.attributes), attachments=list(ticket.attachments))
    _apply_action(t, event)
    t.state = event.to_state
    t.version = event.seq
    t.updated_at = event.at
    return t


def replay(events: Iterable[TicketEvent]) -> Ticket:
    """The ticket its timeline describes (requester personal data aside)."""
    ticket: Ticket | None = None
    for event in events:
        ticket = apply(ticket, event) if ticket is not None else _from_intake(event)
    if ticket is None:
        raise ValueError("a timeline starts with its submit event")
    return ticket


def projection(ticket: Ticket) -> dict[str, Any]:
    """The fields a replay must reproduce, for comparing a row with its timeline."""
    return {name: getattr(ticket, name) for name in PROJECTED_FIELDS}
