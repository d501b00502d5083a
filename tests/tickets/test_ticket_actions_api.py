"""The ticket workflow over HTTP: every action's happy path, its refusal in a wrong state
(nothing changed), deadlines, supplements, reviews, escalation, extensions, merges."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncConnection

from partygrid.domain.access import Scope, system_actor
from partygrid.domain.calendar import SHANGHAI
from partygrid.domain.tickets.aggregate import projection, replay
from partygrid.domain.tickets.workflow import TRANSITIONS, TicketAction, TicketState
from partygrid.repo.uow import UnitOfWork
from partygrid.services.tickets import actions as svc
from tests.fixtures.tickets import (
    PHONE,
    act,
    drive,
    make_world,
    row_and_timeline,
    submit,
)

pytestmark = pytest.mark.usefixtures("catalogue")


@pytest.fixture
async def world(client: httpx.AsyncClient, login_as) -> dict[str, Any]:
    return await make_world(client, login_as)


async def assert_replay_matches_row(uow: UnitOfWork, ticket_id: int) -> None:
    async with uow:
        row = await uow.tickets.get_for_rule(ticket_id)
        events = await uow.tickets.events(ticket_id)
    assert row is not None
    assert projection(replay(events)) == projection(row)


async def test_the_happy_path_from_intake_to_close(
    client: httpx.AsyncClient, world: dict[str, Any], uow: UnitOfWork
) -> None:
    ticket = await submit(client, world["worker"])
    tid = ticket["id"]
    steps: list[tuple[str, dict[str, Any] | None, str]] = [
        ("accept", {"note": "受理"}, "accepted"),
        ("assign", {"assignee_user_id": world["worker_id"]}, "assigned"),
        ("start", None, "in_progress"),
        ("request_supplement", {"missing": "现场照片"}, "waiting_supplement"),
        ("supplement", {"note": "照片已补"}, "in_progress"),
        ("resolve", {"resolution": f"已清运，联系人 {PHONE}"}, "resolved"),
        ("publish", {"public_result": f"已清运完毕，反映人电话{PHONE}"}, "published"),
        ("review", {"satisfaction": "basically_satisfied"}, "reviewed"),
        ("revisit", {"outcome": "居民表示满意"}, "reviewed"),
        ("close", None, "closed"),
    ]
    for version, (action, body, state) in enumerate(steps, start=2):
        headers = world["worker"] if action in ("start", "resolve") else {}
        response = await client.post(
            f"/api/v1/tickets/{tid}/actions/{action}", json=body,
            headers={**headers, "If-Match": f'W/"{version - 1}"'},
        )  # fmt: skip
        assert response.status_code == 200, (action, response.text)
        assert response.headers["ETag"] == f'W/"{version}"'
        ticket = response.json()
        assert (ticket["state"], ticket["version"]) == (state, version), action
    assert ticket["assignee_user_id"] == world["worker_id"]
    assert ticket["accepted_at"] and ticket["first_response_at"] and ticket["closed_at"]
    assert ticket["resolved_on_time"] is True
    assert ticket["public_result"] == "已清运完毕，反映人电话138****5678"
    assert ticket["satisfaction"] == "basically_satisfied"
    assert ticket["response_working_hours"] is not None
    timeline = (await client.get(f"/api/v1/tickets/{tid}/timeline")).json()["items"]
    assert [e["action"] for e in timeline] == ["submit"] + [s[0] for s in steps]
    assert timeline[1]["note"] == "受理" and timeline[1]["actor"]["role"] == "district_admin"
    assert timeline[3]["actor"]["id"] == world["worker_id"]
    assert [e["seq"] for e in timeline] == list(range(1, len(steps) + 2))
    await assert_replay_matches_row(uow, tid)


# A ticket driven to a state (via the happy path), and the actions that state refuses.
STATE_VIA = {"received": None, "accepted": "accept", "in_progress": "start",
             "published": "publish", "closed": "close"}  # fmt: skip


@pytest.mark.parametrize("state", list(STATE_VIA), ids=str)
async def test_every_action_refused_in_a_state_changes_nothing(
    client: httpx.AsyncClient, world: dict[str, Any], connection: AsyncConnection, state: str
) -> None:
    ticket = await submit(client)
    if STATE_VIA[state]:
        await drive(client, world, ticket["id"], STATE_VIA[state])
    refused = [a for a in TicketAction if (TicketState(state), a) not in TRANSITIONS]
    assert refused
    before = await row_and_timeline(connection, ticket["id"])
    for action in refused:
        response = await client.post(
            f"/api/v1/tickets/{ticket['id']}/actions/{action.value}",
            json={"reason": "x", "note": "x", "missing": "x", "resolution": "x",
                  "satisfaction": "satisfied", "outcome": "x", "level": "yellow",
                  "approve": True, "into_ticket_id": 1, "assignee_user_id": 1,
                  "new_deadline": "2030-01-01T00:00:00+08:00"},
        )  # fmt: skip
        if response.status_code == 422:  # the body schema of that action refuses extras
            body = (await client.post(
                f"/api/v1/tickets/{ticket['id']}/actions/{action.value}",
                json=MINIMAL.get(action.value),
            ))  # fmt: skip
            response = body
        assert response.status_code == 409, (state, action, response.text)
        problem = response.json()
        assert problem["code"] == "illegal-transition"
        assert (problem["state"], problem["action"]) == (state, action.value)
        assert state in problem["detail"] and action.value in problem["detail"]
    assert await row_and_timeline(connection, ticket["id"]) == before


MINIMAL: dict[str, dict[str, Any] | None] = {
    "accept": {}, "reject": {"reason": "不属受理范围"}, "merge": {"into_ticket_id": 1},
    "assign": {"assignee_user_id": 1}, "transfer": {"assignee_user_id": 1, "reason": "x"},
    "escalate": {"reason": "x"}, "start": None, "request_supplement": {"missing": "x"},
    "supplement": None, "resolve": {"resolution": "x"}, "publish": None,
    "review": {"satisfaction": "satisfied"}, "reopen": {"reason": "x"}, "close": None,
    "request_extension": {"reason": "x", "new_deadline": "2030-01-01T00:00:00+08:00"},
    "decide_extension": {"approve": True}, "supervise": {"level": "red"},
    "revisit": {"outcome": "x"}, "comment": {"note": "x"},
}  # fmt: skip


async def test_reject_and_comment(client: httpx.AsyncClient, world: dict[str, Any]) -> None:
    ticket = await submit(client)
    missing = await client.post(f"/api/v1/tickets/{ticket['id']}/actions/reject", json={})
    assert missing.status_code == 422
    rejected = await act(client, ticket["id"], "reject", {"reason": "属于法院受理范围"})
    assert rejected["state"] == "rejected" and rejected["allowed_actions"] == ["comment"]
    commented = await act(client, ticket["id"], "comment", {"note": "已告知居民"})
    assert commented["state"] == "rejected" and commented["version"] == 3


async def test_a_stale_if_match_is_412_with_the_current_version(
    client: httpx.AsyncClient, world: dict[str, Any], connection: AsyncConnection
) -> None:
    ticket = await submit(client)
    await act(client, ticket["id"], "accept")
    before = await row_and_timeline(connection, ticket["id"])
    response = await client.post(
        f"/api/v1/tickets/{ticket['id']}/actions/comment",
        json={"note": "x"}, headers={"If-Match": 'W/"1"'},
    )  # fmt: skip
    assert response.status_code == 412
    assert response.json()["current_version"] == 2 and response.headers["ETag"] == 'W/"2"'
    assert await row_and_timeline(connection, ticket["id"]) == before


async def test_assignment_targets_are_checked(
    client: httpx.AsyncClient, world: dict[str, Any], login_as, connection: AsyncConnection
) -> None:
    ticket = await submit(client)
    tid = ticket["id"]
    await act(client, tid, "accept")
    before = await row_and_timeline(connection, tid)
    outsider = await login_as("grid_worker", orgs=[world["other"]])
    outsider_id = (await client.get("/api/v1/auth/me", headers=outsider)).json()["id"]
    auditor = await login_as("auditor")
    auditor_id = (await client.get("/api/v1/auth/me", headers=auditor)).json()["id"]
    for body, rule in (
        ({"assignee_user_id": outsider_id}, "assignee-scope"),
        ({"assignee_user_id": auditor_id}, "assignee-role"),
        ({"assignee_user_id": 99_999_999}, "assignee-exists"),
        ({"organization_id": world["district"]}, "assignee-organization-kind"),
    ):
        refused = await act(client, tid, "assign", body, expect=422)
        assert refused["rule"] == rule
    both = await act(
        client, tid, "assign", {"assignee_user_id": 1, "organization_id": 1}, expect=422
    )
    assert both["code"] == "validation-error"
    assert await row_and_timeline(connection, tid) == before
    # A department worker with a community scope, then a transfer to the community itself.
    dept = await login_as("department_worker", orgs=[world["community"]])
    dept_id = (await client.get("/api/v1/auth/me", headers=dept)).json()["id"]
    assigned = await act(client, tid, "assign", {"assignee_user_id": dept_id})
    assert (assigned["assignee_user_id"], assigned["state"]) == (dept_id, "assigned")
    assert (await client.get(f"/api/v1/tickets/{tid}", headers=dept)).status_code == 200
    no_reason = await act(client, tid, "transfer", {"organization_id": world["community"]},
                          expect=422)  # fmt: skip
    assert no_reason["code"] == "validation-error"
    moved = await act(
        client, tid, "transfer", {"organization_id": world["community"], "reason": "需社区协调"}
    )
    assert (moved["handling_org_id"], moved["assignee_user_id"]) == (world["community"], None)


async def test_escalation_walks_up_to_the_district_and_no_further(
    client: httpx.AsyncClient, world: dict[str, Any], uow: UnitOfWork
) -> None:
    ticket = await submit(client)
    tid = ticket["id"]
    await drive(client, world, tid, "start")
    seen = []
    for _ in range(3):
        escalated = await act(client, tid, "escalate", {"reason": "超出本级职权"})
        assert escalated["state"] == "accepted" and escalated["assignee_user_id"] is None
        seen.append(escalated["handling_org_id"])
    assert seen == [world["community"], world["street"], world["district"]]
    top = await act(client, tid, "escalate", {"reason": "再上报"}, expect=422)
    assert top["rule"] == "escalation-beyond-top"
    # The grid worker still sees the ticket of its grid.
    read = await client.get(f"/api/v1/tickets/{tid}", headers=world["worker"])
    assert read.json()["handling_org_id"] == world["district"]
    await assert_replay_matches_row(uow, tid)


async def test_an_extension_is_decided_by_the_level_above_only(
    client: httpx.AsyncClient, world: dict[str, Any], login_as
) -> None:
    ticket = await submit(client)
    tid = ticket["id"]
    await drive(client, world, tid, "start")
    await act(client, tid, "escalate", {"reason": "需社区协调"})  # handled by the community
    deadline = (await client.get(f"/api/v1/tickets/{tid}")).json()["deadline_at"]
    wanted = "2030-06-30T17:30:00+08:00"
    no_request = await act(client, tid, "decide_extension", {"approve": True}, expect=422)
    assert no_request["field"] == "body.approve"
    early = await act(
        client,
        tid,
        "request_extension",
        {"reason": "x", "new_deadline": "2020-01-01T00:00:00+08:00"},
        expect=422,
    )
    assert early["field"] == "body.new_deadline"
    pending = await act(
        client, tid, "request_extension", {"reason": "需协调施工队", "new_deadline": wanted},
        headers=world["worker"],
    )  # fmt: skip
    assert pending["extension_pending"] is True and pending["deadline_at"] == deadline

    community_admin = await login_as("community_admin", orgs=[world["community"]])
    same_level = await act(client, tid, "decide_extension", {"approve": True}, expect=403,
                           headers=community_admin)  # fmt: skip
    assert "level above" in same_level["detail"]
    lower = await act(client, tid, "decide_extension", {"approve": True}, expect=403,
                      headers=world["worker"])  # fmt: skip
    assert "ticket:supervise" in lower["detail"]
    stranger = await login_as("community_admin", orgs=[world["other"]])
    await act(client, tid, "decide_extension", {"approve": True}, expect=404, headers=stranger)

    street_admin = await login_as("street_admin", orgs=[world["street"]])
    approved = await act(client, tid, "decide_extension", {"approve": True, "note": "同意"},
                         headers=street_admin)  # fmt: skip
    assert approved["extension_pending"] is False
    assert approved["deadline_at"] == wanted
    await act(
        client,
        tid,
        "request_extension",
        {"reason": "再延", "new_deadline": "2030-07-31T17:30:00+08:00"},
    )
    refused = await act(client, tid, "decide_extension", {"approve": False}, headers=street_admin)
    assert refused["deadline_at"] == approved["deadline_at"] and not refused["extension_pending"]


async def test_supervision_orders_come_from_the_level_above(
    client: httpx.AsyncClient, world: dict[str, Any], login_as
) -> None:
    ticket = await submit(client)
    tid = ticket["id"]
    await act(client, tid, "accept")  # handled by the grid branch: the community is above
    community_admin = await login_as("community_admin", orgs=[world["community"]])
    yellow = await act(client, tid, "supervise", {"level": "yellow", "note": "请加快"},
                       headers=community_admin)  # fmt: skip
    assert yellow["supervision_level"] == "yellow"
    await act(client, tid, "escalate", {"reason": "需社区协调"})
    refused = await act(client, tid, "supervise", {"level": "red"}, expect=403,
                        headers=community_admin)  # fmt: skip
    assert refused["code"] == "forbidden"
    red = await act(client, tid, "supervise", {"level": "red"})  # the district admin
    assert red["supervision_level"] == "red"
    bad = await act(client, tid, "supervise", {"level": "green"}, expect=422)
    assert bad["code"] == "validation-error"


async def test_an_unsatisfied_review_reopens_the_ticket(
    client: httpx.AsyncClient, world: dict[str, Any], uow: UnitOfWork
) -> None:
    ticket = await submit(client)
    tid = ticket["id"]
    await drive(client, world, tid, "publish")
    reopened = await act(client, tid, "review", {"satisfaction": "unsatisfied", "note": "仍有垃圾"})
    assert reopened["state"] == "in_progress" and reopened["reopen_count"] == 1
    assert reopened["satisfaction"] == "unsatisfied"
    assert reopened["resolved_at"] is None and reopened["published_at"] is None
    timeline = (await client.get(f"/api/v1/tickets/{tid}/timeline")).json()["items"]
    assert (timeline[-1]["action"], timeline[-1]["from_state"], timeline[-1]["to_state"]) == (
        "review", "published", "in_progress"
    )  # fmt: skip
    await act(client, tid, "resolve", {"resolution": "二次清运"})
    await act(client, tid, "publish")
    satisfied = await act(client, tid, "review", {"satisfaction": "satisfied"})
    assert satisfied["state"] == "reviewed"
    again = await act(client, tid, "reopen", {"reason": "居民再次反映"})
    assert again["reopen_count"] == 2 and again["state"] == "in_progress"
    await assert_replay_matches_row(uow, tid)


async def test_a_suggestion_is_answered_adopted_or_not_with_reasons(
    client: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    ticket = await submit(client, type="suggestion", title="建议增设健身器材")
    tid = ticket["id"]
    await drive(client, world, tid, "start")
    for body, field in (
        ({"resolution": "已研究"}, "body.adopted"),
        ({"resolution": "已研究", "adopted": False}, "body.reasons"),
    ):
        assert (await act(client, tid, "resolve", body, expect=422))["field"] == field
    resolved = await act(
        client, tid, "resolve", {"resolution": "已研究", "adopted": False, "reasons": "场地不足"}
    )
    assert (resolved["state"], resolved["suggestion_adopted"]) == ("resolved", False)


async def test_merging_keeps_both_timelines_and_counts_co_reporters(
    client: httpx.AsyncClient, world: dict[str, Any], uow: UnitOfWork
) -> None:
    first, second, third = [await submit(client) for _ in range(3)]
    assert [d["id"] for d in third["possible_duplicates"]] == [first["id"], second["id"]]
    merged = await act(client, third["id"], "merge", {"into_ticket_id": second["id"]})
    assert (merged["state"], merged["merged_into_id"]) == ("merged", second["id"])
    await act(client, second["id"], "accept")
    folded = await act(client, second["id"], "merge", {"into_ticket_id": first["id"]})
    assert folded["co_reporters"] == 1
    target = (await client.get(f"/api/v1/tickets/{first['id']}")).json()
    assert (target["co_reporters"], target["state"], target["version"]) == (2, "received", 2)
    timeline = (await client.get(f"/api/v1/tickets/{first['id']}/timeline")).json()["items"]
    assert timeline[-1]["action"] == "merged_in"
    assert timeline[-1]["data"] == {"duplicate_id": second["id"], "added_reporters": 2}
    own = (await client.get(f"/api/v1/tickets/{second['id']}/timeline")).json()["items"]
    assert [e["action"] for e in own] == ["submit", "merged_in", "accept", "merge"]
    for body, expect in (({"into_ticket_id": first["id"]}, 409),):
        await act(client, second["id"], "merge", body, expect=expect)  # merged: final
    self_merge = await act(client, first["id"], "merge", {"into_ticket_id": first["id"]},
                           expect=422)  # fmt: skip
    assert self_merge["field"] == "body.into_ticket_id"
    into_closed = await act(client, first["id"], "merge", {"into_ticket_id": third["id"]},
                            expect=422)  # fmt: skip
    assert into_closed["rule"] == "merge-target-open"
    for tid in (first["id"], second["id"], third["id"]):
        await assert_replay_matches_row(uow, tid)


async def test_a_promised_ticket_needs_its_date_and_it_is_the_deadline(
    client: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    ticket = await submit(client, category_code="property_services")
    assert ticket["type"] == "promised"
    missing = await act(client, ticket["id"], "accept", {}, expect=422)
    assert missing["field"] == "body.promised_on"
    accepted = await act(client, ticket["id"], "accept", {"promised_on": "2030-03-15"})
    assert accepted["promised_on"] == "2030-03-15"
    assert accepted["deadline_at"] == "2030-03-15T17:30:00+08:00"
    assert accepted["deadline_provisional"] is False


async def test_handlers_need_the_permission_and_the_ticket_in_scope(
    client: httpx.AsyncClient, world: dict[str, Any], login_as
) -> None:
    ticket = await submit(client)
    partner = await login_as("partner_system", orgs=[world["district"]])
    denied = await act(client, ticket["id"], "accept", {}, expect=403, headers=partner)
    assert "ticket:handle" in denied["detail"]
    stranger = await login_as("grid_worker", orgs=[world["other"]])
    await act(client, ticket["id"], "accept", {}, expect=404, headers=stranger)
    await act(client, 99_999_999, "accept", {}, expect=404)


async def test_the_service_fixes_the_category_deadline_across_national_day(
    client: httpx.AsyncClient, world: dict[str, Any], uow: UnitOfWork, district: dict[str, Any]
) -> None:
    """city_appearance overrides time_limited to 3 working days: accepted on Wednesday
    2026-09-30 afternoon, due on the adjusted working Saturday 10-10 (via the service, to
    fix the clock); the stored row and its timeline agree."""
    ticket = await submit(client)
    admin = system_actor(Scope(org_paths=(district["path"],)))
    record = await svc.act_on_ticket(
        uow, actor=admin, ticket_id=ticket["id"], action=TicketAction.accept, command={},
        expected_version=1, now=datetime(2026, 9, 30, 15, 0, tzinfo=SHANGHAI),
    )  # fmt: skip
    assert record.ticket.deadline_at == datetime(2026, 10, 10, 17, 30, tzinfo=SHANGHAI)
    read = (await client.get(f"/api/v1/tickets/{ticket['id']}")).json()
    assert read["deadline_at"] == "2026-10-10T17:30:00+08:00"
    assert read["accepted_at"] == "2026-09-30T15:00:00+08:00"
    await assert_replay_matches_row(uow, ticket["id"])


async def test_an_action_without_its_body_is_a_clear_422(
    client: httpx.AsyncClient, world: dict[str, Any], connection: AsyncConnection
) -> None:
    ticket = await submit(client)
    await act(client, ticket["id"], "accept")
    before = await row_and_timeline(connection, ticket["id"])
    for action in ("assign", "reject", "comment", "supervise"):
        response = await client.post(f"/api/v1/tickets/{ticket['id']}/actions/{action}")
        assert response.status_code == 422, (action, response.text)
        assert response.json()["code"] == "validation-error"
    extra = await act(client, ticket["id"], "start", {"surprise": 1}, expect=422)
    assert extra["errors"][0]["field"] == "body.surprise"
    assert await row_and_timeline(connection, ticket["id"]) == before
