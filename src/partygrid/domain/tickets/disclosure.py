"""What the public may see of tickets: the Open311 facade and the disclosure board.

Both are built from these projections, which carry no requester and no handler person at
all: what is never loaded cannot leak. Which tickets appear, and with what, is each service
category's ``Disclosure`` and the channel the ticket came in on; the public reads select
accordingly. Free text still passes ``redact_personal_data``, since a resident may have typed
a phone number into a description.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from partygrid.domain.personal_data import redact_personal_data
from partygrid.domain.tickets.aggregate import TicketChannel
from partygrid.domain.tickets.workflow import TicketState

S, Ch = TicketState, TicketChannel


class Disclosure(StrEnum):
    """What the public may see of a category's tickets (set in the service catalogue)."""

    public = "public"  # masked description, address, exact point and photo
    coarse = "coarse"  # a point rounded to about 100 m; no address, no free text, no photo
    never = "never"  # in no public read; the filer follows it with their own token


# A category nobody has decided about stays private: a result not published can be
# published later, a published one cannot be taken back from whoever copied it.
DEFAULT_DISCLOSURE = Disclosure.never
LISTED = frozenset({Disclosure.public, Disclosure.coarse})
# Free text can name people and doors, and a photo can show one: only where the place is
# public anyway.
WITH_DETAILS = frozenset({Disclosure.public})
# 3 decimals of a degree: 111 m north-south, about 90 m east-west at 36°N.
COARSE_DECIMALS = 3

# Residents' own requests, which they made to have answered. Reports from inside (grid
# workers' rounds, information collectors' 民情 notes on neighbours) and partner systems'
# records were never filed for anyone to read, whatever their category.
PUBLIC_CHANNELS = frozenset({Ch.hotline, Ch.mailbox, Ch.walk_in, Ch.open311})

# Open311 knows two statuses. A ticket is closed for the resident once it is resolved (the
# work is done, whatever follows is publication and review) or ended without work.
CLOSED_STATES = frozenset({S.resolved, S.published, S.reviewed, S.closed, S.rejected, S.merged})
# The disclosure board shows results once they are published (公示) and stay public after.
DISCLOSED_STATES = frozenset({S.published, S.reviewed, S.closed})

# What a resident reads about where the ticket stands (status_notes), by state.
STATE_NOTES: dict[TicketState, str] = {
    S.received: "已接收，等待受理",
    S.accepted: "已受理，正在派单",
    S.assigned: "已派单，等待办理",
    S.in_progress: "办理中",
    S.waiting_supplement: "待补充材料，补齐后继续办理",
    S.resolved: "已办结，结果待公示",
    S.published: "已办结并公示",
    S.reviewed: "已办结并公示，已评价",
    S.closed: "已办结",
    S.rejected: "不予受理",
    S.merged: "与其他诉求合并办理",
}


class Open311Status(StrEnum):
    open = "open"
    closed = "closed"


def open311_status(state: TicketState) -> Open311Status:
    return Open311Status.closed if state in CLOSED_STATES else Open311Status.open


def states_with_status(status: Open311Status) -> frozenset[TicketState]:
    if status is Open311Status.closed:
        return CLOSED_STATES
    return frozenset(TicketState) - CLOSED_STATES


def masked(text: str | None) -> str | None:
    return None if text is None else redact_personal_data(text)


@dataclass(frozen=True, slots=True)
class PublicCategory:
    """A service of the catalogue as the public sees it (Open311 service)."""

    code: str
    name: str
    description: str | None
    group_name: str | None
    default_type: str  # the ticket type a request of this service gets
    disclosure: Disclosure
    keywords: tuple[str, ...]
    attributes: tuple[dict[str, Any], ...]


@dataclass(frozen=True, slots=True)
class PublicTicket:
    """A ticket as the public sees it: no requester, no handler person, no staff note; its
    category's disclosure decides the text, address, photo and point (None or rounded)."""

    id: int
    public_id: str
    type: str
    state: TicketState
    category_code: str
    category_name: str
    description: str | None
    address: str | None
    lat: float | None
    lon: float | None
    media_url: str | None
    agency: str | None  # the handling organization's name
    community_id: int | None
    grid_name: str | None
    deadline_at: datetime | None
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None
    public_result: str | None
    satisfaction: str | None
    promised_on: str | None  # ISO date: a promise is public by definition (承诺件)


def status_notes(ticket: PublicTicket) -> str:
    """The latest thing the public may know: the published result (written to be
    published), or else where it stands. A rejection or a merge says so in fixed words:
    staff's reasons are written for colleagues and may name people."""
    base = STATE_NOTES[ticket.state]
    if ticket.state in DISCLOSED_STATES and ticket.public_result:
        return f"{base}：{redact_personal_data(ticket.public_result)}"
    if ticket.promised_on and ticket.state not in CLOSED_STATES:
        return f"{base}（承诺办结日期 {ticket.promised_on}）"
    return base
