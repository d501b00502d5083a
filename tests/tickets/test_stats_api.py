"""Ticket statistics on a hand-computed fixture: 20 tickets across two grids (in two
communities) and two categories, plus one the caller cannot see. Every expected figure
is written out with its arithmetic."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncConnection

from partygrid.config import Environment, Settings
from partygrid.main import create_app
from tests.access.test_route_permissions_api import declared_access
from tests.fixtures.access import make_grid
from tests.fixtures.builders import make_street_tree
from tests.fixtures.ticket_rows import make_category, make_ticket
from tests.platform.test_conventions_api import assert_problem

STATS = "/api/v1/tickets/stats"
S, D = "test.shirong", "test.daolu"  # 市容环境, 道路设施
PAST, FUTURE = datetime(2026, 5, 1, 9, 30, tzinfo=UTC), datetime(2099, 1, 1, tzinfo=UTC)
MARCH, APRIL = datetime(2026, 3, 10, 2, 0, tzinfo=UTC), datetime(2026, 4, 10, 2, 0, tzinfo=UTC)
# 2026-04-01 00:30 in Shanghai: April there, though March in UTC.
APRIL_FIRST_SHANGHAI = datetime(2026, 3, 31, 16, 30, tzinfo=UTC)

# (n, grid, category, state, created, deadline, on_time, satisfaction, response h,
#  resolution h, handler, paused_at)
G1_ROWS = [
    (1, "g1", S, "closed", MARCH, PAST, True, "satisfied", 1.0, 10.0, "u1", None),
    (2, "g1", S, "reviewed", MARCH, PAST, True, "basically_satisfied", 2.0, 20.0, "u1", None),
    (3, "g1", S, "published", MARCH, PAST, False, None, 3.0, 30.0, "u1", None),
    (4, "g1", S, "resolved", APRIL_FIRST_SHANGHAI, PAST, True, None, 4.0, 40.0, "u1", None),
    (5, "g1", D, "in_progress", APRIL, PAST, None, "unsatisfied", None, None, None, None),
    (6, "g1", D, "in_progress", APRIL, FUTURE, None, None, None, None, None, None),
    (7, "g1", D, "assigned", MARCH, PAST, None, None, None, None, None, None),
    # paused on 03-20, before its deadline: the clock stopped, not late
    (8, "g1", D, "waiting_supplement", MARCH, PAST, None, None, None, None, None,
     datetime(2026, 3, 20, tzinfo=UTC)),
    (9, "g1", S, "rejected", MARCH, None, None, None, None, None, None, None),
    (10, "g1", D, "received", APRIL, None, None, None, None, None, None, None),
]  # fmt: skip
G2_ROWS = [
    (11, "g2", S, "closed", MARCH, PAST, True, "satisfied", 5.0, 50.0, "u2", None),
    (12, "g2", S, "closed", MARCH, PAST, True, "satisfied", 1.0, 8.0, "u2", None),
    (13, "g2", D, "reviewed", APRIL, PAST, True, "satisfied", 2.0, 12.0, "u2", None),
    (14, "g2", D, "resolved", APRIL, PAST, False, None, 6.0, 60.0, "u2", None),
    (15, "g2", D, "accepted", APRIL, PAST, None, None, None, None, None, None),
    (16, "g2", S, "merged", APRIL, None, None, None, None, None, None, None),
    # paused on 05-10, after its deadline had passed: still late
    (17, "g2", S, "waiting_supplement", APRIL, PAST, None, None, None, None, None,
     datetime(2026, 5, 10, tzinfo=UTC)),
    (18, "g2", S, "in_progress", MARCH, FUTURE, None, None, None, None, None, None),
    # no deadline and no on-time mark (a suggestion): on time by definition
    (19, "g2", D, "published", MARCH, None, None, None, 3.0, 30.0, None, None),
    (20, "g2", S, "closed", MARCH, PAST, False, "basically_satisfied", 4.0, 100.0, None, None),
]  # fmt: skip


@pytest.fixture
async def world(
    client: httpx.AsyncClient, connection: AsyncConnection, make_user: Any
) -> dict[str, Any]:
    tree = await make_street_tree(client)
    ids: dict[str, Any] = {
        "street": tree["street"]["id"], "a": tree["community"]["id"], "b": tree["other"]["id"],
        "g1": await make_grid(connection, tree["community"]["id"]),
        "g2": await make_grid(connection, tree["other"]["id"]),
        "u1": await make_user("stats-worker-1", "Jinshatan-2026!", role="grid_worker"),
        "u2": await make_user("stats-worker-2", "Jinshatan-2026!", role="grid_worker"),
    }  # fmt: skip
    await make_category(connection, S, "市容环境")
    await make_category(connection, D, "道路设施")
    community = {"g1": ids["a"], "g2": ids["b"]}
    for row in G1_ROWS + G2_ROWS:
        n, grid, cat, state, created, deadline, on_time, sat, resp, resol, who, paused = row
        await make_ticket(
            connection, grid_id=ids[grid], community_id=community[grid],
            handling_org_id=community[grid], category=cat, state=state, created_at=created,
            deadline_at=deadline, resolved_on_time=on_time, satisfaction=sat,
            response_working_hours=resp, resolution_working_hours=resol,
            assignee_user_id=ids[who] if who else None, paused_at=paused,
            type="suggestion" if n == 19 else "time_limited",
            resolved_at=PAST if on_time else None,
        )  # fmt: skip
    await make_ticket(connection, category=S, state="closed", created_at=MARCH)  # nobody's
    return ids


async def stats(client: httpx.AsyncClient, **params: Any) -> dict[str, Any]:
    response = await client.get(STATS, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def rate(group: dict[str, Any], name: str) -> tuple[float | None, int, int, bool]:
    r = group[name]
    return r["value"], r["numerator"], r["denominator"], r["small_sample"]


def hours(group: dict[str, Any], name: str) -> tuple[float | None, float | None, int]:
    h = group[name]
    return h["average"], h["median"], h["count"]


def by_key(body: dict[str, Any]) -> dict[str | None, dict[str, Any]]:
    return {g["key"]: g for g in body["groups"]}


def test_route_declares_ticket_read_and_states_the_formulas() -> None:
    app = create_app(Settings(environment=Environment.test))
    assert declared_access(app)[("GET", STATS)] == ("ticket:read",)
    description = app.openapi()["paths"][STATS]["get"]["description"]
    assert "done / counted" in description
    assert "done on time / (done + open tickets already past their" in description
    assert "(satisfied + basically_satisfied) / counted tickets" in description
    assert "rejected" in description and "merged" in description


async def test_by_grid(client: httpx.AsyncClient, world: dict[str, Any]) -> None:
    body = await stats(client, group_by="grid")
    groups = by_key(body)
    assert set(groups) == {str(world["g1"]), str(world["g2"])}
    g1, g2 = groups[str(world["g1"])], groups[str(world["g2"])]

    assert g1["total"] == 10
    assert g1["by_state"] == {
        "received": 1, "accepted": 0, "assigned": 1, "in_progress": 2, "waiting_supplement": 1,
        "resolved": 1, "published": 1, "reviewed": 1, "closed": 1, "rejected": 1, "merged": 0,
    }  # fmt: skip
    # counted = 10 - 1 rejected = 9; done = #1 #2 #3 #4 = 4 → 4/9
    assert rate(g1, "completion_rate") == (0.4444, 4, 9, True)
    # on time among done: #1 #2 #4 = 3; open past deadline: #5 #7 (#8 paused before it,
    # #6 due 2099, #10 without deadline) = 2 → 3 / (4 + 2)
    assert rate(g1, "on_time_rate") == (0.5, 3, 6, True)
    # rated: #1 satisfied, #2 basically, #5 unsatisfied → 2/3
    assert rate(g1, "satisfaction_rate") == (0.6667, 2, 3, True)
    # response 1, 2, 3, 4 → avg 2.5, median 2.5; resolution 10..40 → 25, 25
    assert hours(g1, "response_hours") == (2.5, 2.5, 4)
    assert hours(g1, "resolution_hours") == (25.0, 25.0, 4)
    assert g1["label"] == "测试网格"

    assert g2["total"] == 10
    assert g2["by_state"] == {
        "received": 0, "accepted": 1, "assigned": 0, "in_progress": 1, "waiting_supplement": 1,
        "resolved": 1, "published": 1, "reviewed": 1, "closed": 3, "rejected": 0, "merged": 1,
    }  # fmt: skip
    # counted = 10 - 1 merged = 9; done = #11 #12 #13 #14 #19 #20 = 6 → 6/9
    assert rate(g2, "completion_rate") == (0.6667, 6, 9, True)
    # on time: #11 #12 #13 #19 (no deadline) = 4; open late: #15, #17 (paused after its
    # deadline) = 2 → 4 / (6 + 2)
    assert rate(g2, "on_time_rate") == (0.5, 4, 8, True)
    # rated: #11 #12 #13 satisfied, #20 basically → 4/4
    assert rate(g2, "satisfaction_rate") == (1.0, 4, 4, True)
    # response 5, 1, 2, 6, 3, 4: sum 21 → 3.5; sorted 1 2 3 4 5 6 → median (3+4)/2 = 3.5
    assert hours(g2, "response_hours") == (3.5, 3.5, 6)
    # resolution 50, 8, 12, 60, 30, 100: sum 260 → 43.33; sorted 8 12 30 50 60 100 →
    # median (30+50)/2 = 40
    assert hours(g2, "resolution_hours") == (43.33, 40.0, 6)

    overall = body["overall"]
    assert overall["key"] is None and overall["total"] == 20  # the 21st is not visible
    # counted 9 + 9 = 18; done 4 + 6 = 10 → 10/18, a sample of 18 ≥ 10
    assert rate(overall, "completion_rate") == (0.5556, 10, 18, False)
    # (3 + 4) / (10 + 2 + 2) = 7/14
    assert rate(overall, "on_time_rate") == (0.5, 7, 14, False)
    # (2 + 4) / (3 + 4) = 6/7, only 7 ratings
    assert rate(overall, "satisfaction_rate") == (0.8571, 6, 7, True)
    # response: sum 10 + 21 = 31 over 10 → 3.1; sorted 1 1 2 2 3 3 4 4 5 6 → median 3
    assert hours(overall, "response_hours") == (3.1, 3.0, 10)
    # resolution: sum 100 + 260 = 360 over 10 → 36; sorted 8 10 12 20 30 30 40 50 60 100
    assert hours(overall, "resolution_hours") == (36.0, 30.0, 10)
    assert overall["response_hours"]["small_sample"] is False


async def test_by_category(client: httpx.AsyncClient, world: dict[str, Any]) -> None:
    groups = by_key(await stats(client, group_by="category"))
    s, d = groups[S], groups[D]
    assert (s["label"], d["label"]) == ("市容环境", "道路设施")
    # S: #1 2 3 4 9 | 11 12 16 17 18 20 = 11 tickets; counted 11 - #9 - #16 = 9;
    # done #1 2 3 4 11 12 20 = 7
    assert s["total"] == 11
    assert rate(s, "completion_rate") == (0.7778, 7, 9, True)
    # on time #1 2 4 11 12 = 5; open late #17 → 5 / (7 + 1)
    assert rate(s, "on_time_rate") == (0.625, 5, 8, True)
    assert rate(s, "satisfaction_rate") == (1.0, 5, 5, True)  # #1 2 11 12 20
    # response 1 2 3 4 5 1 4: 20/7 = 2.857; sorted 1 1 2 3 4 4 5 → 3
    assert hours(s, "response_hours") == (2.86, 3.0, 7)
    # resolution 10 20 30 40 50 8 100: 258/7 = 36.857; sorted 8 10 20 30 40 50 100 → 30
    assert hours(s, "resolution_hours") == (36.86, 30.0, 7)
    # D: #5 6 7 8 10 | 13 14 15 19 = 9, none excluded; done #13 14 19 = 3
    assert d["total"] == 9
    assert rate(d, "completion_rate") == (0.3333, 3, 9, True)
    # on time #13 #19 = 2; open late #5 #7 #15 = 3 → 2 / (3 + 3)
    assert rate(d, "on_time_rate") == (0.3333, 2, 6, True)
    assert rate(d, "satisfaction_rate") == (0.5, 1, 2, True)  # #13 yes, #5 no
    # response 2 6 3: 11/3 = 3.67, median 3; resolution 12 60 30: 34, median 30
    assert hours(d, "response_hours") == (3.67, 3.0, 3)
    assert hours(d, "resolution_hours") == (34.0, 30.0, 3)


async def test_by_month_in_shanghai_time(client: httpx.AsyncClient, world: dict[str, Any]) -> None:
    groups = by_key(await stats(client, group_by="month"))
    assert set(groups) == {"2026-03", "2026-04"}
    march, april = groups["2026-03"], groups["2026-04"]
    # March: #1 2 3 7 8 9 11 12 18 19 20 = 11 (#4 is 04-01 00:30 in Shanghai)
    assert march["total"] == 11 and april["total"] == 9
    # March: counted 11 - #9 = 10, done #1 2 3 11 12 19 20 = 7 → 0.7, not a small sample
    assert rate(march, "completion_rate") == (0.7, 7, 10, False)
    # April: counted 9 - #16 = 8, done #4 13 14 = 3 → 0.375
    assert rate(april, "completion_rate") == (0.375, 3, 8, True)


async def test_period_filter_uses_shanghai_dates(
    client: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    body = await stats(client, group_by="type", **{"from": "2026-04-01", "to": "2026-04-30"})
    assert body["overall"]["total"] == 9  # #4 5 6 10 13 14 15 16 17
    assert by_key(body)["time_limited"]["total"] == 9
    only_first = await stats(client, group_by="type", **{"from": "2026-04-01", "to": "2026-04-01"})
    assert only_first["overall"]["total"] == 1  # #4
    assert (await stats(client, group_by="type", type="suggestion"))["overall"]["total"] == 1


async def test_by_handler_and_subtree(client: httpx.AsyncClient, world: dict[str, Any]) -> None:
    handlers = by_key(await stats(client, group_by="handler"))
    u1, u2 = handlers[str(world["u1"])], handlers[str(world["u2"])]
    assert u1["label"] == "stats-worker-1"
    # u1: #1 2 3 4, all done, on time #1 2 4 → 3/4; u2: #11 12 13 14, on time #11 12 13
    assert (u1["total"], rate(u1, "on_time_rate")) == (4, (0.75, 3, 4, True))
    assert (u2["total"], rate(u2, "on_time_rate")) == (4, (0.75, 3, 4, True))
    assert handlers[None]["total"] == 12  # nobody assigned

    body = await stats(client, group_by="subtree", under=world["street"])
    groups = by_key(body)
    assert set(groups) == {str(world["a"]), str(world["b"])}
    assert groups[str(world["a"])]["label"] == "海军路社区党委"
    assert rate(groups[str(world["a"])], "completion_rate") == (0.4444, 4, 9, True)
    assert rate(groups[str(world["b"])], "on_time_rate") == (0.5, 4, 8, True)
    assert body["overall"]["total"] == 20

    one = await stats(client, group_by="category", under=world["a"])
    assert one["overall"]["total"] == 10


async def test_scoped_to_the_caller(
    client: httpx.AsyncClient, world: dict[str, Any], login_as: Any
) -> None:
    community = await login_as("community_admin", orgs=[world["b"]])
    response = await client.get(STATS, params={"group_by": "grid"}, headers=community)
    assert response.status_code == 200
    assert set(by_key(response.json())) == {str(world["g2"])}
    worker = await login_as("grid_worker", grids=[world["g1"]])
    body = (await client.get(STATS, params={"group_by": "type"}, headers=worker)).json()
    assert body["overall"]["total"] == 10
    # Another community's subtree is not found for the community admin.
    outside = await client.get(
        STATS, params={"group_by": "subtree", "under": world["a"]}, headers=community
    )
    assert_problem(outside, 404, "not-found")


async def test_empty_selection_has_null_rates(
    client: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    body = await stats(client, group_by="grid", **{"from": "2030-01-01"})
    assert body["groups"] == []
    assert body["overall"]["total"] == 0
    assert rate(body["overall"], "completion_rate") == (None, 0, 0, True)
    assert hours(body["overall"], "response_hours") == (None, None, 0)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"group_by": "subtree"}, "query.under"),
        ({"group_by": "street"}, "query.group_by"),
        ({"group_by": "grid", "from": "2026-05-01", "to": "2026-04-01"}, "query.to"),
        ({"group_by": "grid", "from": "yesterday"}, "query.from"),
    ],
)
async def test_bad_queries_name_the_parameter(
    client: httpx.AsyncClient, params: dict[str, str], field: str
) -> None:
    response = await client.get(STATS, params=params)
    assert response.status_code == 422
    body = response.json()
    fields = [e["field"] for e in body["errors"]] if "errors" in body else [body["field"]]
    assert fields == [field]
