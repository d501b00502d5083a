"""The organization tree through the HTTP API, on real PostgreSQL."""

from __future__ import annotations

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.fixtures.builders import make_org, make_street_tree
from tests.fixtures.sealed import sealed_id_number

PROBLEM = "application/problem+json"


async def org_count(connection: AsyncConnection) -> int:
    return (await connection.execute(text("SELECT count(*) FROM organizations"))).scalar_one()


async def add_member(connection: AsyncConnection, org_id: int | None, n: int = 1) -> None:
    for i in range(n):
        await connection.execute(
            text(
                "INSERT INTO party_members (name, id_number_enc, id_number_hmac, birth_date,"
                " category, organization_id) VALUES (:name, :id_number_enc, :id_number_hmac,"
                " '1980-01-01', 'resident', :org)"
            ),
            {"name": f"党员{i}", **sealed_id_number(f"T{org_id}-{i}-{n}"), "org": org_id},
        )


async def test_create_returns_path_etag_and_location(client: httpx.AsyncClient) -> None:
    tree = await make_street_tree(client)
    group = tree["group"]
    assert group["path"] == ".".join(
        str(tree[k]["id"]) for k in ("district", "street", "community", "branch", "group")
    )
    assert group["depth"] == 5
    response = await client.get(f"/api/v1/organizations/{group['id']}")
    assert response.status_code == 200
    assert response.headers["etag"] == 'W/"1"'
    assert [a["name"] for a in response.json()["ancestors"]] == [
        "测试区委",
        "金沙滩街道党工委",
        "海军路社区党委",
        "第一网格党支部",
    ]


async def test_rule_break_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, connection: AsyncConnection
) -> None:
    tree = await make_street_tree(client)
    before = await org_count(connection)
    response = await client.post(
        "/api/v1/organizations",
        json={
            "kind": "street_working_committee",
            "name": "错误",
            "parent_id": tree["branch"]["id"],
        },
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["rule"] == "parent-kind"
    assert await org_count(connection) == before


async def test_unknown_parent_and_unknown_field_are_refused(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/organizations",
        json={"kind": "community_committee", "name": "x", "parent_id": 999999},
    )
    assert response.status_code == 422
    assert response.json()["rule"] == "parent-exists"
    response = await client.post(
        "/api/v1/organizations",
        json={"kind": "street_working_committee", "name": "x", "version": 9, "id": 5},
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"body.version", "body.id"}


async def test_a_root_is_not_created_or_made_through_the_api(
    client: httpx.AsyncClient, connection: AsyncConnection
) -> None:
    tree = await make_street_tree(client)
    before = await org_count(connection)
    response = await client.post(
        "/api/v1/organizations", json={"kind": "district_committee", "name": "另一个区委"}
    )
    assert response.status_code == 422
    assert response.json()["rule"] == "root-by-bootstrap"
    moved = await client.post(
        f"/api/v1/organizations/{tree['street']['id']}/move", json={"parent_id": None}
    )
    assert moved.status_code == 422
    assert moved.json()["rule"] == "root-by-bootstrap"
    assert await org_count(connection) == before


async def test_blank_name_and_bad_kind_name_the_field(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/organizations", json={"kind": "club", "name": "  "})
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"body.kind", "body.name"}


async def test_move_subtree_rewrites_descendant_paths_and_keeps_history(
    client: httpx.AsyncClient,
) -> None:
    tree = await make_street_tree(client)
    branch, group, other = tree["branch"], tree["group"], tree["other"]
    response = await client.post(
        f"/api/v1/organizations/{branch['id']}/move",
        json={"parent_id": other["id"], "note": "社区调整"},
        headers={"If-Match": 'W/"1"'},
    )
    assert response.status_code == 200, response.text
    top = f"{tree['district']['id']}.{tree['street']['id']}"
    assert response.json()["path"] == f"{top}.{other['id']}.{branch['id']}"
    moved_group = (await client.get(f"/api/v1/organizations/{group['id']}")).json()
    assert moved_group["path"] == f"{top}.{other['id']}.{branch['id']}.{group['id']}"
    under_old = await client.get("/api/v1/organizations", params={"under": tree["community"]["id"]})
    assert [o["id"] for o in under_old.json()["items"]] == [tree["community"]["id"]]
    history = (await client.get(f"/api/v1/organizations/{branch['id']}/history")).json()["items"]
    assert [h["action"] for h in history] == ["created", "moved"]
    assert history[1]["before"]["parent_id"] == tree["community"]["id"]
    assert history[1]["after"]["parent_id"] == other["id"]
    assert history[1]["note"] == "社区调整"


async def test_move_under_own_descendant_is_a_cycle(client: httpx.AsyncClient) -> None:
    tree = await make_street_tree(client)
    response = await client.post(
        f"/api/v1/organizations/{tree['community']['id']}/move",
        json={"parent_id": tree["group"]["id"]},
    )
    assert response.status_code == 422
    assert response.json()["rule"] == "no-cycle"
    still = (await client.get(f"/api/v1/organizations/{tree['community']['id']}")).json()
    assert still["parent_id"] == tree["street"]["id"]


async def test_move_to_forbidden_parent_kind(client: httpx.AsyncClient) -> None:
    tree = await make_street_tree(client)
    response = await client.post(
        f"/api/v1/organizations/{tree['group']['id']}/move",
        json={"parent_id": tree["other"]["id"]},
    )
    assert response.status_code == 422
    assert response.json()["rule"] == "parent-kind"


async def test_rename_with_stale_etag_is_412_and_unchanged(client: httpx.AsyncClient) -> None:
    tree = await make_street_tree(client)
    url = f"/api/v1/organizations/{tree['branch']['id']}"
    first = await client.patch(
        url, json={"name": "第一网格党支部（新）"}, headers={"If-Match": 'W/"1"'}
    )
    assert first.status_code == 200
    assert first.headers["etag"] == 'W/"2"'
    stale = await client.patch(url, json={"name": "别的名字"}, headers={"If-Match": 'W/"1"'})
    assert stale.status_code == 412
    assert stale.headers["content-type"] == PROBLEM
    assert stale.json()["current_version"] == 2
    current = (await client.get(url)).json()
    assert current["name"] == "第一网格党支部（新）"
    history = (await client.get(url + "/history")).json()["items"]
    assert history[-1]["action"] == "renamed"
    assert history[-1]["before"] == {"name": "第一网格党支部"}


async def test_malformed_if_match_is_422(client: httpx.AsyncClient) -> None:
    tree = await make_street_tree(client)
    response = await client.patch(
        f"/api/v1/organizations/{tree['group']['id']}",
        json={"name": "x"},
        headers={"If-Match": "banana"},
    )
    assert response.status_code == 422
    assert response.json()["field"] == "header.If-Match"


async def test_dissolve_refused_while_children_or_members_remain(
    client: httpx.AsyncClient, connection: AsyncConnection
) -> None:
    tree = await make_street_tree(client)
    branch_url = f"/api/v1/organizations/{tree['branch']['id']}"
    response = await client.post(branch_url + "/dissolve", json={})
    assert response.json()["rule"] == "dissolve-has-children"
    await add_member(connection, tree["group"]["id"])
    response = await client.post(f"/api/v1/organizations/{tree['group']['id']}/dissolve", json={})
    assert response.status_code == 422
    assert response.json()["rule"] == "dissolve-has-members"
    assert (await client.get(branch_url)).json()["status"] == "active"


async def test_dissolve_keeps_the_row_and_hides_it_from_lists(client: httpx.AsyncClient) -> None:
    tree = await make_street_tree(client)
    group_id = tree["group"]["id"]
    response = await client.post(
        f"/api/v1/organizations/{group_id}/dissolve", json={"note": "合并"}
    )
    assert response.status_code == 200
    assert response.json()["status"] == "dissolved"
    assert response.json()["dissolved_at"] is not None
    listed = await client.get("/api/v1/organizations", params={"under": tree["branch"]["id"]})
    assert group_id not in [o["id"] for o in listed.json()["items"]]
    listed = await client.get(
        "/api/v1/organizations", params={"under": tree["branch"]["id"], "include_dissolved": True}
    )
    assert group_id in [o["id"] for o in listed.json()["items"]]
    again = await client.post(f"/api/v1/organizations/{group_id}/dissolve", json={})
    assert again.json()["rule"] == "dissolved-is-final"
    rename = await client.patch(f"/api/v1/organizations/{group_id}", json={"name": "复活"})
    assert rename.json()["rule"] == "dissolved-is-final"
    child = await client.post(
        "/api/v1/organizations", json={"kind": "building_group", "name": "x", "parent_id": group_id}
    )
    assert child.status_code == 422


async def test_subtree_listing_filters_and_paginates(client: httpx.AsyncClient) -> None:
    tree = await make_street_tree(client)
    for i in range(4):
        await make_org(client, "building_group", f"党小组{i}", tree["branch"]["id"])
    seen: list[int] = []
    cursor = None
    while True:
        params = {"under": tree["branch"]["id"], "kind": "building_group", "limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get("/api/v1/organizations", params=params)).json()
        seen += [o["id"] for o in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == 5 == len(set(seen))
    assert seen == sorted(seen)
    depth0 = await client.get(
        "/api/v1/organizations", params={"under": tree["street"]["id"], "max_depth": 1}
    )
    assert {o["id"] for o in depth0.json()["items"]} == {
        tree["street"]["id"],
        tree["community"]["id"],
        tree["other"]["id"],
    }


async def test_bad_cursor_and_oversized_page_are_422(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/organizations", params={"cursor": "!!notacursor"})
    assert response.status_code == 422
    assert response.json()["field"] == "query.cursor"
    response = await client.get("/api/v1/organizations", params={"limit": 100000})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "query.limit"


async def test_missing_organization_is_problem_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/organizations/424242")
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["code"] == "not-found"
