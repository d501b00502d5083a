"""Writes within a scope: what lies outside is missing (404, or the rule a missing
reference breaks), every change is audited with personal data masked, and no client can
set ids, versions, statuses, paths or timestamps."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.fixtures.builders import make_org, make_street_tree
from tests.grids.test_grids_api import make_grid, square
from tests.platform.test_identity import make_id

MISSING = 999_999


@pytest.fixture
async def world(client: httpx.AsyncClient) -> dict[str, Any]:
    """Two communities of one street; the caller (``mine``) administers the first."""
    tree = await make_street_tree(client)
    other_branch = await make_org(client, "grid_branch", "朝阳第一网格党支部", tree["other"]["id"])
    other_group = await make_org(client, "building_group", "朝阳1号楼", other_branch["id"])
    my_grid = await make_grid(client, tree["community"]["id"], square(120.0, 36.0))
    other_grid = await make_grid(client, tree["other"]["id"], square(120.1, 36.0), name="朝阳网格")
    members = {}
    for key, org, seq in (("my_member", tree["branch"], "301"), ("other_member", other_branch,
                                                                  "302")):  # fmt: skip
        response = await client.post("/api/v1/members", json={
            "name": "王芳", "id_number": make_id(seq=seq), "category": "resident",
            "organization_id": org["id"],
        })  # fmt: skip
        assert response.status_code == 201, response.text
        members[key] = response.json()["id"]
    return {
        "tree": tree, "other_branch": other_branch["id"], "other_group": other_group["id"],
        "my_grid": my_grid["id"], "other_grid": other_grid["id"], **members,
    }  # fmt: skip


@pytest.fixture
async def mine(login_as, world: dict[str, Any]) -> dict[str, str]:
    return await login_as("community_admin", orgs=[world["tree"]["community"]["id"]])


def same_answer(outside: httpx.Response, missing: httpx.Response, ids: tuple[int, int]) -> None:
    """The two answers are identical but for the id they name."""
    assert outside.status_code == missing.status_code, (outside.text, missing.text)
    a, b = outside.json(), missing.json()
    for body, id_ in ((a, ids[0]), (b, ids[1])):
        body.pop("instance", None)
        body["detail"] = body.get("detail", "").replace(str(id_), "<id>")
    assert a == b


async def test_what_lies_outside_the_scope_reads_and_writes_as_missing(
    client: httpx.AsyncClient, world: dict[str, Any], mine: dict[str, str]
) -> None:
    other = world["tree"]["other"]["id"]
    calls = [
        ("GET", "/api/v1/organizations/{}", None, other),
        ("GET", "/api/v1/organizations/{}/history", None, other),
        ("PATCH", "/api/v1/organizations/{}", {"name": "改名"}, other),
        ("POST", "/api/v1/organizations/{}/move", {"parent_id": world["tree"]["street"]["id"]},
         other),
        ("POST", "/api/v1/organizations/{}/dissolve", {}, world["other_group"]),
        ("GET", "/api/v1/grids/{}", None, world["other_grid"]),
        ("PATCH", "/api/v1/grids/{}", {"name": "改名"}, world["other_grid"]),
        ("POST", "/api/v1/grids/{}/retire", None, world["other_grid"]),
        ("GET", "/api/v1/grids/{}/staff", None, world["other_grid"]),
        ("POST", "/api/v1/grids/{}/staff", {"role": "info_collector", "person_name": "李"},
         world["other_grid"]),
        ("GET", "/api/v1/members/{}", None, world["other_member"]),
        ("PATCH", "/api/v1/members/{}", {"post": "楼栋长"}, world["other_member"]),
        ("GET", "/api/v1/members/{}/transfers", None, world["other_member"]),
        ("GET", "/api/v1/members/{}/mobile-ledger", None, world["other_member"]),
        ("POST", "/api/v1/members/{}/transfer",
         {"to_organization_id": world["tree"]["branch"]["id"]}, world["other_member"]),
        ("DELETE", "/api/v1/members/{}/central-household", None, world["other_member"]),
        ("POST", "/api/v1/members/{}/leave", {"reason": "deceased"}, world["other_member"]),
        ("POST", "/api/v1/members/{}/reinstate", {"reason": "去世登记有误，经核实予以更正"},
         world["other_member"]),
        ("GET", "/api/v1/organizations", {"under": other}, None),
        ("GET", "/api/v1/grids", {"under": other}, None),
        ("GET", "/api/v1/members", {"under": other}, None),
        ("GET", "/api/v1/reports/sizing", {"under": other}, None),
    ]  # fmt: skip
    for method, url, body, id_ in calls:
        if id_ is None:  # a query parameter names the organization
            outside = await client.get(url, params=body, headers=mine)
            missing = await client.get(url, params={"under": MISSING}, headers=mine)
            same_answer(outside, missing, (other, MISSING))
            continue
        outside = await client.request(method, url.format(id_), json=body, headers=mine)
        missing = await client.request(method, url.format(MISSING), json=body, headers=mine)
        assert outside.status_code == 404, (method, url, outside.text)
        same_answer(outside, missing, (id_, MISSING))
    # ...while the district admin still sees all of it, unchanged.
    assert (await client.get(f"/api/v1/organizations/{other}")).json()["name"] == "朝阳社区党总支"
    assert (await client.get(f"/api/v1/members/{world['other_member']}")).json()["status"] == (
        "active"
    )


async def test_references_outside_the_scope_break_the_same_rule_as_missing_ones(
    client: httpx.AsyncClient, world: dict[str, Any], mine: dict[str, str]
) -> None:
    tree = world["tree"]
    me = world["my_member"]
    cases: list[tuple[str, str, dict[str, Any], str, int]] = [
        ("POST", "/api/v1/organizations",
         {"kind": "grid_branch", "name": "新支部", "parent_id": "X"}, "parent_id",
         tree["other"]["id"]),
        ("POST", f"/api/v1/organizations/{tree['group']['id']}/move", {"parent_id": "X"},
         "parent_id", world["other_branch"]),
        ("POST", "/api/v1/grids",
         {"name": "新网格", "kind": "estate", "community_id": "X",
          "boundary": square(121.0, 37.0)}, "community_id", tree["other"]["id"]),
        ("POST", "/api/v1/grids",
         {"name": "新网格", "kind": "estate", "community_id": tree["community"]["id"],
          "serving_branch_id": "X", "boundary": square(121.0, 37.0)}, "serving_branch_id",
         world["other_branch"]),
        ("PATCH", f"/api/v1/grids/{world['my_grid']}", {"serving_branch_id": "X"},
         "serving_branch_id", world["other_branch"]),
        ("POST", "/api/v1/members",
         {"name": "赵敏", "id_number": make_id(seq="401"), "category": "resident",
          "organization_id": "X"}, "organization_id", world["other_branch"]),
        ("POST", "/api/v1/members",
         {"name": "赵敏", "id_number": make_id(seq="402"), "category": "resident",
          "organization_id": tree["branch"]["id"], "grid_id": "X"}, "grid_id",
         world["other_grid"]),
        ("PATCH", f"/api/v1/members/{me}", {"grid_id": "X"}, "grid_id", world["other_grid"]),
        ("POST", f"/api/v1/members/{me}/transfer", {"to_organization_id": "X"},
         "to_organization_id", world["other_branch"]),
        ("PUT", f"/api/v1/members/{me}/central-household", {"group_id": "X"}, "group_id",
         world["other_group"]),
        ("POST", f"/api/v1/grids/{world['my_grid']}/staff",
         {"role": "grid_leader", "person_name": "钱", "member_id": "X"}, "member_id",
         world["other_member"]),
    ]  # fmt: skip
    for method, url, body, field, outside_id in cases:
        outside = await client.request(method, url, json={**body, field: outside_id}, headers=mine)
        missing = await client.request(method, url, json={**body, field: MISSING}, headers=mine)
        assert outside.status_code == 422, (url, field, outside.text)
        assert outside.json()["rule"].endswith("-exists"), outside.text
        same_answer(outside, missing, (outside_id, MISSING))


async def test_an_overlapping_grid_outside_the_scope_is_not_named(
    client: httpx.AsyncClient, world: dict[str, Any], mine: dict[str, str]
) -> None:
    body = {"name": "重叠", "kind": "estate", "community_id": world["tree"]["community"]["id"],
            "boundary": square(120.105, 36.0)}  # fmt: skip
    response = await client.post("/api/v1/grids", json=body, headers=mine)
    assert response.status_code == 409
    assert response.json()["code"] == "grid-overlap"
    assert str(world["other_grid"]) not in response.text
    named = await client.post("/api/v1/grids", json=body)  # the district admin sees it
    assert named.json()["other_grid_id"] == world["other_grid"]


async def audit_events(connection: AsyncConnection, since: int = 0) -> list[Any]:
    rows = await connection.execute(
        text(
            "SELECT id, principal_kind, principal_name, role, action, resource_type, "
            "resource_id, outcome, reason, changes, client_address, request_id "
            "FROM audit_events WHERE id > :since ORDER BY id"
        ),
        {"since": since},
    )
    return list(rows.all())


async def test_every_write_is_audited_with_personal_data_masked(
    client: httpx.AsyncClient, connection: AsyncConnection, login_as
) -> None:
    since = (
        await connection.execute(text("SELECT coalesce(max(id), 0) FROM audit_events"))
    ).scalar_one()
    tree = await make_street_tree(client)
    number, phone = make_id("110105", "19491231", "002"), "13812345678"
    address = "北京市朝阳区建国路88号院3号楼"
    created = await client.post("/api/v1/members", json={
        "name": "张丽华", "id_number": number, "category": "mobile",
        "organization_id": tree["branch"]["id"], "phone": phone, "address": address,
        "mobile_ledger": {"direction": "outflow", "since": "2025-03-01",
                          "destination_place": "深圳", "contact_phone": "13900001111"},
    })  # fmt: skip
    assert created.status_code == 201, created.text
    member = created.json()["id"]
    member_url = f"/api/v1/members/{member}"
    steps = [
        await client.patch(member_url, json={"phone": "13700002222", "address": "青岛市黄岛区"}),
        await client.post(f"{member_url}/transfer", json={"to_organization_id":
                                                          tree["group"]["id"], "reason": "搬家"}),
        await client.post(f"/api/v1/organizations/{tree['group']['id']}/move",
                          json={"parent_id": tree["branch"]["id"], "note": "no-op"}),
        await client.post(f"/api/v1/organizations/{tree['branch']['id']}/move",
                          json={"parent_id": tree["other"]["id"], "note": "社区调整"}),
    ]  # fmt: skip
    grid = await make_grid(client, tree["community"]["id"], square(122.0, 30.0))
    staff = await client.post(f"/api/v1/grids/{grid['id']}/staff", json={
        "role": "grid_leader", "person_name": "王丽", "phone": "13600003333"})  # fmt: skip
    steps += [
        staff,
        await client.post(f"/api/v1/grids/{grid['id']}/staff/{staff.json()['id']}/end",
                          json={"reason": "调任"}),
        await client.post(f"{member_url}/leave", json={"reason": "deceased"}),
    ]  # fmt: skip
    assert all(r.status_code in (200, 201) for r in steps), [r.text for r in steps]

    events = await audit_events(connection, since)
    actions = [e.action for e in events]
    assert actions == [
        "organization.create", "organization.create", "organization.create",
        "organization.create", "organization.create",
        "member.register", "member.update", "member.transfer", "organization.move",
        "grid.create", "grid.staff.assign", "grid.staff.end", "member.leave",
    ]  # fmt: skip
    by_action = {e.action: e for e in events}
    for e in events:
        assert (e.principal_kind, e.role, e.outcome) == ("user", "district_admin", "success")
        assert e.principal_name.startswith("t-district-admin-")
        assert e.request_id
    register = by_action["member.register"]
    assert (register.resource_type, register.resource_id) == ("party_member", str(member))
    after = register.changes["after"]
    assert after["id_number"] == "110105********002X"
    assert after["phone"] == "138****5678"
    assert after["address"] == "[redacted]"
    assert after["mobile_ledger"]["contact_phone"] == "139****1111"
    update = by_action["member.update"].changes
    assert update["before"] == {"phone": "138****5678", "address": "[redacted]", "version": 1}
    assert update["after"] == {"phone": "137****2222", "address": "[redacted]", "version": 2}
    transfer = by_action["member.transfer"]
    assert transfer.reason == "搬家"
    assert transfer.changes["after"]["organization_id"] == tree["group"]["id"]
    move = by_action["organization.move"]
    assert (move.resource_id, move.reason) == (str(tree["branch"]["id"]), "社区调整")
    assert move.changes["before"]["parent_id"] == tree["community"]["id"]
    assert move.changes["after"]["parent_id"] == tree["other"]["id"]
    assert by_action["grid.staff.assign"].changes["after"]["phone"] == "136****3333"
    assert by_action["grid.staff.end"].reason == "调任"
    everything = json.dumps([list(map(str, e)) for e in events], ensure_ascii=False)
    for secret in (number, phone, "13700002222", "13900001111", "13600003333", address, "建国路"):
        assert secret not in everything


async def test_clients_cannot_set_ids_versions_statuses_paths_or_timestamps(
    client: httpx.AsyncClient, world: dict[str, Any], connection: AsyncConnection
) -> None:
    tree = world["tree"]
    forged = {"id": 1, "version": 7, "status": "dissolved", "path": "1", "created_at": "2020-01-01"}
    bodies = [
        ("POST", "/api/v1/organizations",
         {"kind": "building_group", "name": "x", "parent_id": tree["branch"]["id"]}),
        ("PATCH", f"/api/v1/organizations/{tree['group']['id']}", {"name": "x"}),
        ("POST", f"/api/v1/organizations/{tree['group']['id']}/move",
         {"parent_id": tree["branch"]["id"]}),
        ("POST", "/api/v1/grids", {"name": "x", "kind": "estate",
                                   "community_id": tree["community"]["id"],
                                   "boundary": square(125.0, 30.0)}),
        ("PATCH", f"/api/v1/grids/{world['my_grid']}", {"name": "x"}),
        ("POST", f"/api/v1/grids/{world['my_grid']}/staff",
         {"role": "info_collector", "person_name": "x"}),
        ("POST", "/api/v1/members", {"name": "x", "id_number": make_id(seq="501"),
                                     "category": "resident",
                                     "organization_id": tree["branch"]["id"]}),
        ("PATCH", f"/api/v1/members/{world['my_member']}", {"post": "x"}),
        ("POST", f"/api/v1/members/{world['my_member']}/transfer",
         {"to_organization_id": tree["group"]["id"]}),
    ]  # fmt: skip
    before = (
        await connection.execute(
            text(
                "SELECT (SELECT count(*) FROM organizations), (SELECT count(*) FROM grids), "
                "(SELECT count(*) FROM party_members), "
                "(SELECT sum(version) FROM organizations), (SELECT sum(version) FROM grids), "
                "(SELECT sum(version) FROM party_members)"
            )
        )
    ).one()
    for method, url, body in bodies:
        response = await client.request(method, url, json={**body, **forged})
        assert response.status_code == 422, (url, response.text)
        fields = {e["field"] for e in response.json()["errors"]}
        assert fields == {f"body.{k}" for k in forged}, (url, fields)
    after = (
        await connection.execute(
            text(
                "SELECT (SELECT count(*) FROM organizations), (SELECT count(*) FROM grids), "
                "(SELECT count(*) FROM party_members), "
                "(SELECT sum(version) FROM organizations), (SELECT sum(version) FROM grids), "
                "(SELECT sum(version) FROM party_members)"
            )
        )
    ).one()
    assert tuple(after) == tuple(before)


async def test_the_other_writes_are_audited_too(
    client: httpx.AsyncClient, connection: AsyncConnection
) -> None:
    tree = await make_street_tree(client)
    since = (
        await connection.execute(text("SELECT coalesce(max(id), 0) FROM audit_events"))
    ).scalar_one()
    group, branch = tree["group"]["id"], tree["branch"]["id"]
    created = await client.post("/api/v1/members", json={
        "name": "刘洋", "id_number": make_id(seq="601"), "category": "resident",
        "organization_id": branch,
    })  # fmt: skip
    member = created.json()["id"]
    grid = await make_grid(client, tree["community"]["id"], square(123.0, 30.0))
    spare = await make_org(client, "building_group", "待撤销", branch)
    steps = [
        ("organization.update", "organization", group,
         await client.patch(f"/api/v1/organizations/{group}", json={"name": "3号楼党小组（新）"})),
        ("organization.dissolve", "organization", spare["id"],
         await client.post(f"/api/v1/organizations/{spare['id']}/dissolve", json={"note": "合并"})),
        ("grid.update", "grid", grid["id"],
         await client.patch(f"/api/v1/grids/{grid['id']}", json={"name": "改名网格"})),
        ("member.central_household.set", "party_member", member,
         await client.put(f"/api/v1/members/{member}/central-household",
                          json={"group_id": group})),
        ("member.central_household.clear", "party_member", member,
         await client.delete(f"/api/v1/members/{member}/central-household")),
        ("member.update", "party_member", member,
         await client.patch(f"/api/v1/members/{member}", json={
             "category": "mobile", "mobile_ledger": {"direction": "inflow",
                                                     "since": "2025-01-01", "origin_place": "临沂",
                                                     "contact_phone": "13500004444"}})),
        ("member.mobile_ledger.record", "party_member", member,
         await client.post(f"/api/v1/members/{member}/mobile-ledger", json={
             "direction": "outflow", "since": "2025-06-01", "destination_place": "上海"})),
        ("grid.retire", "grid", grid["id"],
         await client.post(f"/api/v1/grids/{grid['id']}/retire")),
    ]  # fmt: skip
    for action, _, _, response in steps:
        assert response.status_code in (200, 201), (action, response.text)
    events = [e for e in await audit_events(connection, since) if e.outcome == "success"]
    expected = [(a, t, str(i)) for a, t, i, _ in steps]
    assert [(e.action, e.resource_type, e.resource_id) for e in events][-len(steps) :] == expected
    by_action = {e.action: e for e in events}
    assert by_action["organization.dissolve"].reason == "合并"
    assert by_action["organization.dissolve"].changes["after"]["status"] == "dissolved"
    assert by_action["member.central_household.set"].changes["after"] == {
        "central_household_group_id": group
    }
    ledger = by_action["member.mobile_ledger.record"].changes
    assert ledger["before"]["mobile_ledger"]["contact_phone"] == "135****4444"
    assert ledger["after"]["mobile_ledger"]["direction"] == "outflow"
    assert "13500004444" not in json.dumps([str(e.changes) for e in events])
