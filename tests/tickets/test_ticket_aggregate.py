"""The ticket aggregate without a database: deadlines fixed at acceptance for each type
(across National Day 2026), the supplement pause, working hours at resolution, and
replaying long random timelines back into the same ticket."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partygrid.domain.errors import InvalidValue
from partygrid.domain.tickets.aggregate import (
    EventActor,
    Ticket,
    TicketChannel,
    apply,
    intake_event,
    projection,
    replay,
)
from partygrid.domain.tickets.commands import ActionContext, decide, merged_in_event
from partygrid.domain.tickets.deadline_replay import DeadlineEvent, replay_deadline
from partygrid.domain.tickets.deadlines import DeadlineRule
from partygrid.domain.tickets.workflow import (
    IllegalTransition,
    TicketAction,
    TicketState,
    TicketType,
)
from partygrid.services.calendar.use_cases import builtin_calendar
from tests.calendar.test_working_calendar import at

A, S = TicketAction, TicketState
CALENDAR = builtin_calendar()
ACTOR = EventActor("user", 7, "王网格", "grid_worker")


def new_ticket(ticket_type: TicketType = TicketType.time_limited, **extra: Any) -> Ticket:
    return Ticket(
        id=1, public_id="PG2026093000000001", type=ticket_type, category_code="noise",
        channel=TicketChannel.grid_app, title="噪音", description="夜间施工",
        grid_id=3, community_id=2, handling_org_id=4, created_at=at(2026, 9, 30, 9, 0),
        updated_at=at(2026, 9, 30, 9, 0), requester_phone="13812345678", **extra,
    )  # fmt: skip


def ctx(now: datetime, rule: DeadlineRule | None = None) -> ActionContext:
    return ActionContext(now=now, actor=ACTOR, calendar=CALENDAR, rule=rule or DeadlineRule())


def step(t: Ticket, action: TicketAction, now: datetime, **command: Any) -> Ticket:
    return apply(t, decide(t, action, command, ctx(now)))


@pytest.mark.parametrize(
    ("ticket_type", "command", "due"),
    [
        # 3 working days from Wednesday 09-30: 10-08, 10-09 and the adjusted Saturday 10-10.
        (TicketType.time_limited, {}, at(2026, 10, 10, 17, 30)),
        (TicketType.urgent, {}, at(2026, 10, 1, 15, 0)),  # 24 wall-clock hours
        (TicketType.promised, {"promised_on": "2026-10-20"}, at(2026, 10, 20, 17, 30)),
        (TicketType.supplementary, {}, at(2026, 10, 14, 17, 30)),  # 6 working days
        (TicketType.suggestion, {}, at(2026, 10, 19, 17, 30)),  # 9 working days
    ],
)
def test_the_deadline_fixed_at_acceptance_by_type(
    ticket_type: TicketType, command: dict[str, Any], due: datetime
) -> None:
    rule = DeadlineRule(working_days=3, supplementary_days=6, suggestion_days=9)
    t = new_ticket(ticket_type)
    event = decide(t, A.accept, command, ctx(at(2026, 9, 30, 15, 0), rule))
    accepted = apply(t, event)
    assert accepted.state is S.accepted and accepted.deadline_at == due
    assert accepted.accepted_at == at(2026, 9, 30, 15, 0)
    assert not accepted.deadline_provisional


def test_a_promised_ticket_without_its_date_is_refused() -> None:
    with pytest.raises(InvalidValue) as info:
        decide(new_ticket(TicketType.promised), A.accept, {}, ctx(at(2026, 9, 30, 15, 0)))
    assert info.value.field == "body.promised_on"


def test_a_deadline_in_a_year_without_schedule_is_provisional() -> None:
    t = step(new_ticket(), A.accept, at(2026, 12, 30, 10, 0))
    assert t.deadline_provisional and t.deadline_at == at(2027, 1, 6, 17, 30)


def test_the_supplement_pause_pushes_the_deadline_by_the_working_days_lost() -> None:
    t = step(new_ticket(), A.accept, at(2026, 9, 28, 10, 0))  # 5 working days:
    assert t.deadline_at == at(2026, 10, 10, 17, 30)  # 09-29, 09-30, 10-08, 10-09, Sat 10-10
    t = step(t, A.request_supplement, at(2026, 9, 29, 10, 0), missing="身份证复印件")
    assert (t.state, t.paused_at) == (S.waiting_supplement, at(2026, 9, 29, 10, 0))
    t = step(t, A.supplement, at(2026, 10, 9, 10, 0))
    # Lost: 09-30, 10-08 and 10-09 (the holiday costs nothing); three more working days
    # after Saturday 10-10 are 10-12, 10-13 and 10-14.
    assert (t.state, t.paused_at, t.deadline_at) == (S.in_progress, None, at(2026, 10, 14, 17, 30))


def test_escalating_a_waiting_ticket_resumes_its_clock() -> None:
    t = step(new_ticket(), A.accept, at(2026, 9, 28, 10, 0))
    t = step(t, A.request_supplement, at(2026, 9, 29, 10, 0), missing="材料")
    t = step(t, A.escalate, at(2026, 10, 9, 10, 0), to_org_id=2, reason="需社区协调")
    assert (t.state, t.paused_at, t.handling_org_id) == (S.accepted, None, 2)
    assert t.deadline_at == at(2026, 10, 14, 17, 30)


def test_a_pause_begun_after_the_deadline_does_not_move_it() -> None:
    """Lateness is a fact: waiting for the requester after the deadline has passed stops
    no clock, so the supplement leaves the deadline (and the ticket late) as it was."""
    t = step(new_ticket(), A.accept, at(2026, 9, 28, 10, 0))
    due = t.deadline_at
    assert due == at(2026, 10, 10, 17, 30)
    t = step(t, A.request_supplement, at(2026, 10, 12, 10, 0), missing="身份证复印件")
    assert t.is_overdue(at(2026, 10, 12, 11, 0))
    t = step(t, A.supplement, at(2026, 10, 16, 10, 0))
    assert t.deadline_at == due and t.is_overdue(at(2026, 10, 16, 11, 0))


def test_replaying_the_events_gives_the_deadline_the_live_ticket_has() -> None:
    """The deadline recomputed from the events (when a calendar year arrives) equals the
    one the workflow set, whatever moved it: a supplement, a late pause, an escalation."""
    stories = {
        "supplement": [(A.request_supplement, at(2026, 9, 29, 10, 0), {"missing": "照片"}),
                       (A.supplement, at(2026, 10, 9, 10, 0), {})],
        "late pause": [(A.request_supplement, at(2026, 10, 12, 10, 0), {"missing": "照片"}),
                       (A.supplement, at(2026, 10, 16, 10, 0), {})],
        "escalated while waiting": [
            (A.request_supplement, at(2026, 9, 29, 10, 0), {"missing": "材料"}),
            (A.escalate, at(2026, 10, 9, 10, 0), {"to_org_id": 2, "reason": "需社区协调"})],
    }  # fmt: skip
    for name, story in stories.items():
        t = step(new_ticket(), A.accept, at(2026, 9, 28, 10, 0))
        events = [DeadlineEvent("accept", t.accepted_at, {"type": t.type.value})]
        for action, when, command in story:
            event = decide(t, action, command, ctx(when))
            t = apply(t, event)
            events.append(DeadlineEvent(action.value, when, event.data))
        replayed = replay_deadline(CALENDAR, lambda _: DeadlineRule(), events)
        assert replayed is not None and replayed.due == t.deadline_at, name


def test_a_pause_within_one_day_costs_nothing() -> None:
    t = step(new_ticket(), A.accept, at(2026, 9, 28, 10, 0))
    due = t.deadline_at
    t = step(t, A.request_supplement, at(2026, 9, 29, 10, 0), missing="照片")
    assert step(t, A.supplement, at(2026, 9, 29, 16, 0)).deadline_at == due


def test_working_hours_and_on_time_are_measured_at_resolution() -> None:
    t = step(new_ticket(), A.accept, at(2026, 9, 30, 15, 0))
    t = step(t, A.assign, at(2026, 9, 30, 16, 0), assignee_user_id=9)
    t = step(t, A.start, at(2026, 10, 8, 9, 30))
    assert t.first_response_at == at(2026, 9, 30, 16, 0)
    t = step(t, A.resolve, at(2026, 10, 8, 10, 0), resolution="已处理")
    assert t.response_working_hours == 1.0
    assert t.resolution_working_hours == 3.5  # 15:00-17:30 on 09-30, 09:00-10:00 on 10-08
    assert t.resolved_on_time is True
    late = step(step(new_ticket(), A.accept, at(2026, 9, 30, 15, 0)), A.assign,
                at(2026, 9, 30, 16, 0), assignee_user_id=9)  # fmt: skip
    # Due 10-13 17:30 (5 working days); resolved the next morning.
    late = step(step(late, A.start, at(2026, 10, 14, 9, 0)), A.resolve, at(2026, 10, 14, 9, 0),
                resolution="迟了")  # fmt: skip
    assert late.resolved_on_time is False


def test_publishing_masks_the_requesters_data_and_any_id_or_mobile() -> None:
    t = step(new_ticket(requester_name="李秀英"), A.accept, at(2026, 9, 30, 15, 0))
    t.state = S.resolved
    text = "李秀英(13812345678)反映的问题已解决，另涉 110105194912310021 与 13900001111"
    published = step(t, A.publish, at(2026, 10, 8, 10, 0), public_result=text)
    assert published.public_result == (
        "李**(138****5678)反映的问题已解决，另涉 110105********0021 与 139****1111"
    )


def test_an_illegal_action_names_the_state_and_leaves_the_ticket_alone() -> None:
    t = new_ticket()
    before = projection(t)
    with pytest.raises(IllegalTransition) as info:
        decide(t, A.resolve, {"resolution": "x"}, ctx(at(2026, 9, 30, 15, 0)))
    assert info.value.extra == {"state": "received", "action": "resolve"}
    assert projection(t) == before


# --- long random timelines ---------------------------------------------------------------

COMMANDS: dict[TicketAction, dict[str, Any]] = {
    A.accept: {}, A.reject: {"reason": "不属受理范围"}, A.merge: {"into_ticket_id": 99},
    A.assign: {"assignee_user_id": 5, "assignee_department": None},
    A.transfer: {"handling_org_id": 6, "reason": "转社区"},
    A.escalate: {"to_org_id": 2, "reason": "超出职权"}, A.start: {},
    A.request_supplement: {"missing": "材料"}, A.supplement: {"note": "已补"},
    A.resolve: {"resolution": "已办结", "adopted": True, "reasons": "可行"},
    A.publish: {"public_result": "已办结 13812345678"}, A.review: {},
    A.reopen: {"reason": "再次反映"}, A.close: {},
    A.request_extension: {"reason": "需协调"}, A.decide_extension: {},
    A.supervise: {"level": "yellow"}, A.revisit: {"outcome": "满意"}, A.comment: {"note": "记"},
}  # fmt: skip


def _command(action: TicketAction, t: Ticket, draw: Any, now: datetime) -> dict[str, Any]:
    command = dict(COMMANDS[action])
    if action is A.review:
        command["satisfaction"] = draw(st.sampled_from(["satisfied", "basically_satisfied",
                                                         "unsatisfied"]))  # fmt: skip
    if action is A.request_extension:
        base = t.deadline_at or now
        command["new_deadline"] = (base + timedelta(days=draw(st.integers(1, 30)))).isoformat()
    if action is A.decide_extension:
        command["approve"] = draw(st.booleans())
        command["requested_deadline"] = ((t.deadline_at or now) + timedelta(days=5)).isoformat()
    if action is A.supervise:
        command["level"] = draw(st.sampled_from(["yellow", "red"]))
    return command


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), ticket_type=st.sampled_from(list(TicketType)))
def test_replaying_a_random_timeline_rebuilds_the_ticket(
    data: Any, ticket_type: TicketType
) -> None:
    ticket = new_ticket(ticket_type, promised_on=date(2026, 12, 31))
    now = ticket.created_at
    assert now is not None
    events = [intake_event(ticket, ACTOR, now)]
    assert projection(replay(events)) | {"requester_phone": None} == projection(ticket) | {
        "requester_phone": None
    }
    for _ in range(data.draw(st.integers(5, 60))):
        now += timedelta(minutes=data.draw(st.integers(1, 60 * 72)))
        choices = [a for a in TicketAction if (ticket.state, a) in _allowed()]
        if data.draw(st.integers(0, 9)) == 0:  # now and then another ticket merges into it
            event = merged_in_event(ticket, new_ticket(), ctx(now), None)
        else:
            action = data.draw(st.sampled_from(choices))
            try:
                event = decide(ticket, action, _command(action, ticket, data.draw, now), ctx(now))
            except InvalidValue:
                continue  # e.g. deciding an extension nobody asked for: nothing recorded
        ticket = apply(ticket, event)
        events.append(event)
        assert ticket.version == len(events) == event.seq
        assert (ticket.paused_at is not None) is (ticket.state is S.waiting_supplement)
    rebuilt = replay(events)
    assert projection(rebuilt) == projection(ticket)
    assert rebuilt.requester_phone is None  # the timeline holds no personal data


def _allowed() -> frozenset[tuple[TicketState, TicketAction]]:
    from partygrid.domain.tickets.workflow import TRANSITIONS

    return frozenset(TRANSITIONS)
