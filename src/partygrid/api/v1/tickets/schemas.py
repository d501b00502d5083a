"""Schemas of tickets, their timeline and the body of each workflow action; the
requester's name and phone leave masked, always."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, Field, StringConstraints, model_validator

from partygrid.api.schemas import Code, Name, Note, Page, RequestModel, ResponseModel
from partygrid.domain.calendar import SHANGHAI
from partygrid.domain.contact import mask_phone
from partygrid.domain.tickets.aggregate import (
    Satisfaction,
    SupervisionLevel,
    Ticket,
    TicketChannel,
    TicketEvent,
    mask_person_name,
)
from partygrid.domain.tickets.catalogue import ServiceCategory
from partygrid.domain.tickets.disclosure import DEFAULT_DISCLOSURE, Disclosure
from partygrid.domain.tickets.workflow import TicketAction, TicketState, TicketType, allowed_actions
from partygrid.services.tickets.common import PossibleDuplicate, TicketRecord

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


def _local(value: Any) -> Any:
    """Ticket times leave in the business time zone: a deadline reads 17:30+08:00."""
    return value.astimezone(SHANGHAI) if isinstance(value, datetime) else value


class AttachmentRef(RequestModel):
    """A photo or file already uploaded elsewhere: its URL or storage key."""

    url: Annotated[str, StringConstraints(max_length=1000)] | None = None
    key: Annotated[str, StringConstraints(max_length=300)] | None = None
    content_type: Annotated[str, StringConstraints(max_length=100)] | None = None
    name: Annotated[str, StringConstraints(max_length=200)] | None = None

    @model_validator(mode="after")
    def _has_reference(self) -> AttachmentRef:
        if not (self.url or self.key):
            raise ValueError("an attachment needs a url or a key")
        return self


class TicketCreate(RequestModel):
    type: TicketType | None = Field(
        default=None, description="Five-type classification; defaults to the category's."
    )
    category_code: Code = Field(examples=["road_facilities"])
    channel: TicketChannel = Field(examples=["grid_app"])
    title: Name = Field(examples=["3号楼前井盖缺失"])
    description: Text = Field(examples=["3号楼东侧人行道井盖缺失，夜间有人踩空的危险。"])
    priority: int = Field(default=3, ge=1, le=4, description="1 (highest) to 4.")
    lon: float | None = Field(default=None, ge=-180, le=180, description="WGS-84 longitude.")
    lat: float | None = Field(default=None, ge=-90, le=90, description="WGS-84 latitude.")
    address: Short | None = None
    grid_id: int | None = Field(
        default=None, description="Omit to route the ticket to the grid containing the point."
    )
    requester_name: (
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None
    ) = None
    requester_phone: (
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)] | None
    ) = Field(default=None, description="Stored encrypted; answered masked.")
    attributes: dict[str, Any] = Field(
        default_factory=dict, description="Values of the category's extra attributes."
    )
    attachments: list[AttachmentRef] = Field(default_factory=list, max_length=10)
    promised_on: date | None = Field(
        default=None, description="承诺件: the date committed to the requester (public)."
    )


class Requester(BaseModel):
    name: str | None = Field(description="Masked: family name only.")
    phone: str | None = Field(description="Masked, e.g. 138****1234.")


class TicketRead(ResponseModel):
    id: int
    public_id: str
    type: TicketType
    category_code: str
    channel: TicketChannel
    state: TicketState
    allowed_actions: list[TicketAction]
    priority: int
    title: str
    description: str
    attributes: dict[str, Any]
    attachments: list[dict[str, Any]]
    requester: Requester | None
    lon: float | None
    lat: float | None
    address: str | None
    grid_id: int | None
    community_id: int | None
    handling_org_id: int | None
    assignee_user_id: int | None
    assignee_department: str | None
    deadline_at: datetime | None
    deadline_provisional: bool = Field(
        description="The deadline crosses a year with no official holiday schedule yet."
    )
    overdue: bool = Field(
        description="Open and past its deadline; a ticket paused for a missing item before "
        "its deadline is not (its clock is stopped), one paused after it is."
    )
    promised_on: date | None
    paused_at: datetime | None = Field(description="Set while waiting for a supplement.")
    supervision_level: SupervisionLevel
    extension_pending: bool
    accepted_at: datetime | None
    first_response_at: datetime | None
    resolved_at: datetime | None
    published_at: datetime | None
    closed_at: datetime | None
    response_working_hours: float | None
    resolution_working_hours: float | None
    resolved_on_time: bool | None
    resolution: str | None
    suggestion_adopted: bool | None
    public_result: str | None
    satisfaction: Satisfaction | None
    reopen_count: int
    merged_into_id: int | None
    co_reporters: int
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, ticket: Ticket, now: datetime | None = None) -> TicketRead:
        values = {
            name: _local(getattr(ticket, name))
            for name in cls.model_fields
            if hasattr(ticket, name)
        }
        requester = None
        if ticket.requester_name or ticket.requester_phone:
            requester = Requester(
                name=mask_person_name(ticket.requester_name),
                phone=mask_phone(ticket.requester_phone),
            )
        values.update(
            requester=requester,
            allowed_actions=allowed_actions(ticket.state),
            overdue=ticket.is_overdue(now or datetime.now().astimezone()),
        )
        return cls(**values)


class PossibleDuplicateRead(BaseModel):
    id: int
    public_id: str
    state: str
    distance_m: float
    created_at: datetime

    @classmethod
    def of(cls, d: PossibleDuplicate) -> PossibleDuplicateRead:
        return cls(id=d.id, public_id=d.public_id, state=d.state, distance_m=d.distance_m,
                   created_at=_local(d.created_at))  # fmt: skip


class TicketCreated(TicketRead):
    possible_duplicates: list[PossibleDuplicateRead] = Field(
        description="Open tickets of the same grid and category reported nearby lately: "
        "merge this one into one of them if it is the same request."
    )

    @classmethod
    def of_record(cls, record: TicketRecord) -> TicketCreated:
        base = TicketRead.of(record.ticket).model_dump()
        dups = [PossibleDuplicateRead.of(d) for d in record.possible_duplicates]
        return cls(**base, possible_duplicates=dups)


class TicketPage(Page[TicketRead]):
    pass


class EventActorRead(BaseModel):
    kind: str
    id: int | None
    name: str | None
    role: str | None


class TicketEventRead(BaseModel):
    seq: int
    action: str
    from_state: TicketState | None
    to_state: TicketState
    at: datetime
    actor: EventActorRead
    note: str | None
    data: dict[str, Any]

    @classmethod
    def of(cls, e: TicketEvent) -> TicketEventRead:
        return cls(
            seq=e.seq, action=e.action, from_state=e.from_state, to_state=e.to_state,
            at=_local(e.at),
            actor=EventActorRead(kind=e.actor.kind, id=e.actor.id, name=e.actor.name,
                                 role=e.actor.role),
            note=e.note, data=e.data,
        )  # fmt: skip


class TicketTimeline(BaseModel):
    ticket_id: int
    items: list[TicketEventRead]


# --- the body of each action ------------------------------------------------------------


class ActionBody(RequestModel):
    note: Note | None = Field(default=None, description="Shown on the ticket's timeline.")


class AcceptBody(ActionBody):
    """受理: fixes the deadline by type (promised: the committed date is required)."""

    type: TicketType | None = Field(default=None, description="Reclassify at acceptance.")
    promised_on: date | None = None


class ReasonBody(ActionBody):
    reason: Reason


class MergeBody(ActionBody):
    into_ticket_id: int = Field(description="The open ticket this one duplicates.")


class AssignBody(ActionBody):
    """To a user who handles the ticket's grid (grid or department worker), or to an
    organization (community, branch or street); exactly one of the two."""

    assignee_user_id: int | None = None
    organization_id: int | None = None

    @model_validator(mode="after")
    def _one_target(self) -> AssignBody:
        if (self.assignee_user_id is None) == (self.organization_id is None):
            raise ValueError("give exactly one of assignee_user_id and organization_id")
        return self


class TransferBody(AssignBody):
    reason: Reason


class SupplementRequestBody(ActionBody):
    missing: Reason = Field(description="What the requester must supply; the clock stops.")


class ResolveBody(ActionBody):
    resolution: Text
    adopted: bool | None = Field(default=None, description="建议件: adopted or not (required).")
    reasons: Reason | None = Field(default=None, description="建议件: why (required).")


class PublishBody(ActionBody):
    public_result: Text | None = Field(
        default=None, description="Defaults to the resolution; personal data is masked."
    )


class ReviewBody(ActionBody):
    satisfaction: Satisfaction = Field(description="unsatisfied reopens the ticket.")


class ExtensionRequestBody(ActionBody):
    reason: Reason
    new_deadline: AwareDatetime


class ExtensionDecisionBody(ActionBody):
    approve: bool


class SuperviseBody(ActionBody):
    level: Literal["yellow", "red"]


class RevisitBody(ActionBody):
    outcome: Reason = Field(description="回访: what the requester said.")


class CommentBody(RequestModel):
    note: Reason


A = TicketAction
ACTION_BODIES: dict[TicketAction, type[RequestModel]] = {
    A.accept: AcceptBody, A.reject: ReasonBody, A.merge: MergeBody, A.assign: AssignBody,
    A.transfer: TransferBody, A.escalate: ReasonBody, A.start: ActionBody,
    A.request_supplement: SupplementRequestBody, A.supplement: ActionBody,
    A.resolve: ResolveBody, A.publish: PublishBody, A.review: ReviewBody, A.reopen: ReasonBody,
    A.close: ActionBody, A.request_extension: ExtensionRequestBody,
    A.decide_extension: ExtensionDecisionBody, A.supervise: SuperviseBody,
    A.revisit: RevisitBody, A.comment: CommentBody,
}  # fmt: skip


Urgency = Literal["on_time", "soon_due", "overdue", "paused"]


class TicketWorkItem(ResponseModel):
    """An open ticket on a work list; no requester data."""

    id: int
    public_id: str
    type: str
    category_code: str
    state: str
    priority: int
    title: str
    grid_id: int | None
    community_id: int | None
    handling_org_id: int | None
    assignee_user_id: int | None
    assignee_department: str | None
    deadline_at: datetime | None
    deadline_provisional: bool = Field(
        description="Counted across a year without an official schedule; recomputed when "
        "the schedule is loaded."
    )
    paused: bool = Field(description="Waiting for a missing item: the clock is stopped.")
    urgency: Urgency | None = Field(
        description="Where the deadline stands now; null without a deadline."
    )
    supervision_level: str
    extension_pending: bool
    created_at: datetime
    version: int


class TicketWorkPage(ResponseModel):
    items: list[TicketWorkItem]
    next_cursor: str | None = None


class RateRead(ResponseModel):
    value: float | None = Field(description="numerator / denominator; null when it is 0.")
    numerator: int
    denominator: int
    small_sample: bool = Field(description="The denominator is below the minimum sample.")


class HoursRead(ResponseModel):
    average: float | None = Field(description="Working hours; null without any value.")
    median: float | None
    count: int = Field(description="Tickets with a value.")
    small_sample: bool


class GroupStatsRead(ResponseModel):
    key: str | None = Field(
        description="The group: an organization, grid or user id, a category code, a type, "
        "or a month `YYYY-MM`; null for tickets without one (not assigned, no grid, or "
        "attached to `under` itself)."
    )
    label: str | None = Field(description="Its name, where it has one.")
    total: int = Field(description="All tickets of the group, rejected and merged included.")
    by_state: dict[str, int]
    completion_rate: RateRead
    on_time_rate: RateRead
    satisfaction_rate: RateRead
    response_hours: HoursRead
    resolution_hours: HoursRead


class TicketStatsRead(ResponseModel):
    group_by: str
    under: int | None
    period_from: date | None
    period_to: date | None
    type: str | None
    category: str | None
    min_sample: int
    generated_at: datetime = Field(description='The instant "past its deadline" refers to.')
    overall: GroupStatsRead = Field(description="The whole selection, all groups together.")
    groups: list[GroupStatsRead]
    truncated: bool = Field(description="More than 1000 groups: only the first are listed.")


Datatype = Literal["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"]
OVERRIDES_DOC = (
    'Per ticket type, the deadline rule fields it changes, e.g. {"time_limited": '
    '{"working_days": 3}, "urgent": {"urgent_hours": 4}}; fields: urgent_hours, '
    "working_days, supplementary_days, suggestion_days, soon_due_hours."
)


DISCLOSURE_DOC = (
    "What the public (Open311 GET requests, the 公示栏) may see of this category's tickets: "
    "`public`: the masked description, the address, the exact point and the photo; "
    "`coarse`: the point rounded to about 100 m, no address, description or photo; "
    "`never`: in no public read (residents still file, and follow their own request with "
    "the token they were given). Reports from inside (grid app, information collectors, "
    "partner systems) are never public, whatever their category."
)


class CategoryAttribute(BaseModel):
    """An extra field of tickets in this category (like an Open311 service attribute)."""

    code: Code
    datatype: Datatype
    required: bool = False
    description: str = ""
    values: list[str] = Field(default_factory=list, description="Allowed keys of list types.")
    order: int = 0


class ServiceCategoryCreate(RequestModel):
    code: Code = Field(examples=["road_facilities"], description="2-64 of a-z, 0-9, _ . -")
    name: Name = Field(examples=["道路设施"])
    default_type: TicketType
    description: Note | None = None
    group_name: Name | None = None
    keywords: list[str] = Field(default_factory=list, max_length=50)
    deadline_overrides: dict[str, dict[str, int]] = Field(
        default_factory=dict, description=OVERRIDES_DOC
    )
    attributes: list[CategoryAttribute] = Field(default_factory=list, max_length=50)
    disclosure: Disclosure = Field(
        default=DEFAULT_DISCLOSURE, description=DISCLOSURE_DOC + " New categories are `never`."
    )


class ServiceCategoryUpdate(RequestModel):
    """Edit; omitted fields stay. ``active: false`` retires the category for new tickets."""

    name: Name | None = None
    default_type: TicketType | None = None
    description: Note | None = None
    group_name: Name | None = None
    keywords: list[str] | None = Field(default=None, max_length=50)
    deadline_overrides: dict[str, dict[str, int]] | None = Field(
        default=None, description=OVERRIDES_DOC
    )
    attributes: list[CategoryAttribute] | None = Field(default=None, max_length=50)
    disclosure: Disclosure | None = Field(default=None, description=DISCLOSURE_DOC)
    active: bool | None = None


class ServiceCategoryRead(ResponseModel):
    code: str
    name: str
    default_type: TicketType
    description: str | None
    group_name: str | None
    keywords: list[str]
    deadline_overrides: dict[str, dict[str, int]]
    attributes: list[CategoryAttribute]
    disclosure: Disclosure = Field(description=DISCLOSURE_DOC)
    active: bool
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, c: ServiceCategory) -> ServiceCategoryRead:
        return cls(
            code=c.code, name=c.name, default_type=c.default_type, description=c.description,
            group_name=c.group_name, keywords=c.keywords, deadline_overrides=c.deadline_overrides,
            attributes=[CategoryAttribute(**a.as_dict()) for a in c.attributes],
            disclosure=c.disclosure, active=c.active, version=c.version,
            created_at=c.created_at, updated_at=c.updated_at,
        )  # fmt: skip


class ServiceCategoryList(BaseModel):
    items: list[ServiceCategoryRead]
