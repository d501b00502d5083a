"""The five-type ticket workflow, exhaustively: every (state, action) pair."""

import itertools

import pytest

from partygrid.api.errors import status_of
from partygrid.domain.tickets.workflow import (
    OPEN_STATES,
    TERMINAL_STATES,
    TRANSITIONS,
    IllegalTransition,
    TicketAction,
    TicketState,
    allowed_actions,
    next_state,
)

S, A = TicketState, TicketAction

HAPPY_PATH = [
    (A.accept, S.accepted),
    (A.assign, S.assigned),
    (A.start, S.in_progress),
    (A.request_supplement, S.waiting_supplement),
    (A.supplement, S.in_progress),
    (A.resolve, S.resolved),
    (A.publish, S.published),
    (A.review, S.reviewed),
    (A.close, S.closed),
]


def test_happy_path_reaches_closed() -> None:
    state = S.received
    for action, expected in HAPPY_PATH:
        state = next_state(state, action)
        assert state is expected


@pytest.mark.parametrize(("state", "action"), list(itertools.product(TicketState, TicketAction)))
def test_every_pair_is_either_allowed_or_refused_by_name(
    state: TicketState, action: TicketAction
) -> None:
    if (state, action) in TRANSITIONS:
        assert next_state(state, action) is TRANSITIONS[(state, action)]
        assert action in allowed_actions(state)
    else:
        with pytest.raises(IllegalTransition) as info:
            next_state(state, action)
        assert status_of(info.value) == 409
        assert state.value in info.value.detail and action.value in info.value.detail
        assert info.value.extra == {"state": state.value, "action": action.value}


def test_terminal_states_take_only_comments_and_revisits() -> None:
    for state in TERMINAL_STATES - {S.closed}:
        assert allowed_actions(state) == [A.comment]
    assert set(allowed_actions(S.closed)) == {A.revisit, A.comment}


def test_unsatisfied_review_reopens_to_the_handler() -> None:
    assert next_state(S.published, A.reopen) is S.in_progress
    assert next_state(S.reviewed, A.reopen) is S.in_progress


def test_escalation_returns_to_intake_at_the_upper_level() -> None:
    for state in (S.accepted, S.assigned, S.in_progress, S.waiting_supplement):
        assert next_state(state, A.escalate) is S.accepted
    with pytest.raises(IllegalTransition):
        next_state(S.received, A.escalate)  # accept it first


def test_supervision_only_on_open_tickets() -> None:
    for state in TicketState:
        allowed = (state, A.supervise) in TRANSITIONS
        assert allowed is (state in OPEN_STATES)


def test_every_state_is_reachable_from_received() -> None:
    reached, frontier = {S.received}, [S.received]
    while frontier:
        state = frontier.pop()
        for action in allowed_actions(state):
            target = next_state(state, action)
            if target not in reached:
                reached.add(target)
                frontier.append(target)
    assert reached == set(TicketState)
