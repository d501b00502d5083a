"""Five-type tickets (五件式): types, states and the workflow's transition table.

Intake (受理) → handling within a deadline (限期办理) → public feedback (公示反馈) →
tracking and supervision (跟踪监督). The table below is the whole workflow; every action
not in it for a state is refused with an error naming both.
"""

from __future__ import annotations

from enum import StrEnum

from partygrid.domain.errors import Conflict


class TicketType(StrEnum):
    urgent = "urgent"  # 急办件: hours
    time_limited = "time_limited"  # 限时件: working days by policy
    promised = "promised"  # 承诺件: a date committed at acceptance, public
    supplementary = "supplementary"  # 补办件: the clock stops while waiting
    suggestion = "suggestion"  # 建议件: adopted / not adopted, with reasons


class TicketState(StrEnum):
    received = "received"
    accepted = "accepted"
    assigned = "assigned"
    in_progress = "in_progress"
    waiting_supplement = "waiting_supplement"
    resolved = "resolved"
    published = "published"
    reviewed = "reviewed"
    closed = "closed"
    rejected = "rejected"
    merged = "merged"  # a duplicate folded into another ticket's timeline


class TicketAction(StrEnum):
    accept = "accept"
    reject = "reject"
    merge = "merge"
    assign = "assign"
    transfer = "transfer"
    escalate = "escalate"
    start = "start"
    request_supplement = "request_supplement"
    supplement = "supplement"
    resolve = "resolve"
    publish = "publish"
    review = "review"
    reopen = "reopen"
    close = "close"
    request_extension = "request_extension"
    decide_extension = "decide_extension"
    supervise = "supervise"
    revisit = "revisit"
    comment = "comment"


S, A = TicketState, TicketAction

OPEN_STATES = frozenset({S.received, S.accepted, S.assigned, S.in_progress, S.waiting_supplement})
DONE_STATES = frozenset({S.resolved, S.published, S.reviewed, S.closed})
TERMINAL_STATES = frozenset({S.closed, S.rejected, S.merged})

# (state, action) -> next state. Actions that keep the state (supervise, comment, ...)
# map a state to itself, so "allowed" and "where to" are answered by one lookup.
TRANSITIONS: dict[tuple[TicketState, TicketAction], TicketState] = {
    (S.received, A.accept): S.accepted,
    (S.received, A.reject): S.rejected,
    (S.received, A.merge): S.merged,
    (S.accepted, A.merge): S.merged,
    (S.accepted, A.assign): S.assigned,
    (S.assigned, A.assign): S.assigned,  # reassign within the same organization
    (S.assigned, A.start): S.in_progress,
    (S.in_progress, A.resolve): S.resolved,
    (S.resolved, A.publish): S.published,
    (S.published, A.review): S.reviewed,  # satisfied / basically satisfied
    (S.published, A.reopen): S.in_progress,  # unsatisfied: back to the handler
    (S.reviewed, A.reopen): S.in_progress,
    (S.published, A.close): S.closed,  # no review within the window, or anonymous
    (S.reviewed, A.close): S.closed,
    (S.waiting_supplement, A.supplement): S.in_progress,
}
for _state in (S.accepted, S.assigned, S.in_progress):
    TRANSITIONS[(_state, A.request_supplement)] = S.waiting_supplement
for _state in (S.assigned, S.in_progress):
    TRANSITIONS[(_state, A.transfer)] = S.assigned
for _state in (S.accepted, S.assigned, S.in_progress, S.waiting_supplement):
    TRANSITIONS[(_state, A.escalate)] = S.accepted
    TRANSITIONS[(_state, A.request_extension)] = _state
    TRANSITIONS[(_state, A.decide_extension)] = _state
for _state in OPEN_STATES:
    TRANSITIONS[(_state, A.supervise)] = _state
for _state in DONE_STATES:
    TRANSITIONS[(_state, A.revisit)] = _state
for _state in TicketState:
    TRANSITIONS[(_state, A.comment)] = _state


class IllegalTransition(Conflict):
    code = "illegal-transition"
    title = "Action not allowed in the ticket's current state"

    def __init__(self, state: TicketState, action: TicketAction) -> None:
        allowed = sorted(a.value for (s, a) in TRANSITIONS if s is state)
        super().__init__(
            f"cannot {action.value} a ticket that is {state.value}; "
            f"allowed: {', '.join(allowed) or 'nothing'}",
            state=state.value,
            action=action.value,
        )


def next_state(state: TicketState, action: TicketAction) -> TicketState:
    try:
        return TRANSITIONS[(state, action)]
    except KeyError:
        raise IllegalTransition(state, action) from None


def allowed_actions(state: TicketState) -> list[TicketAction]:
    return [a for (s, a) in TRANSITIONS if s is state]
