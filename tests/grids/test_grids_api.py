"""Grids through the HTTP API on real PostgreSQL: boundaries, point lookup, staff."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from partygrid.repo.grids.repository import locate_statement
from tests.fixtures.builders import make_org, make_street_tree

LON, LAT = 120.38, 36.07  # Qingdao
PROBLEM = "application/problem+json"


def square(lon: float = LON, lat: float = LAT, side: float = 0.01) -> dict[str, Any]:
    ring = [[lon, lat], [lon + side, lat], [lon + side, lat + side], [lon, lat + side], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


async def make_grid(
    client: httpx.AsyncClient,
    community_id: int,
    boundary: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    body = {
        "name": "第一网格",
        "kind": "estate",
        "community_id": community_id,
        "boundary": boundary or square(),
        **extra,
    }
    response = await client.post("/api/v1/grids", json=body)
    assert response.status_code == 201, response.text
    return response.json()


async def count(connection: AsyncConnection, table: str) -> int:
    return (await connection.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one()


@pytest.fixture
async def tree(client: httpx.AsyncClient) -> dict[str, dict[str, Any]]:
    return await make_street_tree(client)


async def test_create_and_read_a_grid(client: httpx.AsyncClient, tree: dict) -> None:
    community, branch = tree["community"]["id"], tree["branch"]["id"]
    response = await client.post(
        "/api/v1/grids",
        json={
            "name": " 海军路第一网格 ",
            "kind": "courtyard",
            "community_id": community,
            "serving_branch_id": branch,
            "code": "HJL-01",
            "boundary": square(),
        },
    )
    assert response.status_code == 201, response.text
    grid = response.json()
    assert response.headers["ETag"] == 'W/"1"'
    assert response.headers["Location"] == f"/api/v1/grids/{grid['id']}"
    assert grid["name"] == "海军路第一网格"
    assert (grid["community_id"], grid["serving_branch_id"]) == (community, branch)
    assert grid["boundary"] == square()
    assert 0.95e6 < grid["area_m2"] < 1.05e6
    assert grid["centroid"] == pytest.approx({"lon": LON + 0.005, "lat": LAT + 0.005})
    assert (grid["status"], grid["version"]) == ("active", 1)

    read = await client.get(f"/api/v1/grids/{grid['id']}")
    assert read.status_code == 200
    assert read.json() == grid
    assert read.headers["ETag"] == 'W/"1"'
    missing = await client.get("/api/v1/grids/999999")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == PROBLEM


async def test_locate_a_point(client: httpx.AsyncClient, tree: dict) -> None:
    west = await make_grid(client, tree["community"]["id"])
    east = await make_grid(client, tree["other"]["id"], square(LON + 0.01), name="东网格")

    inside_west = await client.get(
        "/api/v1/grids/locate", params={"lon": LON + 0.002, "lat": LAT + 0.005}
    )
    assert inside_west.status_code == 200
    assert inside_west.json()["id"] == west["id"]
    inside_east = await client.get(
        "/api/v1/grids/locate", params={"lon": LON + 0.015, "lat": LAT + 0.005}
    )
    assert inside_east.json()["id"] == east["id"]

    outside = await client.get("/api/v1/grids/locate", params={"lon": LON - 0.5, "lat": LAT})
    assert outside.status_code == 404
    assert outside.headers["content-type"] == PROBLEM
    assert outside.json()["detail"] == "no grid contains this point"

    bad = await client.get("/api/v1/grids/locate", params={"lon": LON, "lat": 91})
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["query.lat"]
    missing = await client.get("/api/v1/grids/locate", params={"lon": LON})
    assert missing.status_code == 422


async def test_overlapping_grid_is_refused_and_nothing_created(
    client: httpx.AsyncClient, tree: dict, connection: AsyncConnection
) -> None:
    first = await make_grid(client, tree["community"]["id"])
    await make_grid(
        client, tree["community"]["id"], square(LON, LAT + 0.01), name="北邻"
    )  # touches
    response = await client.post(
        "/api/v1/grids",
        json={
            "name": "重叠",
            "kind": "estate",
            "community_id": tree["other"]["id"],
            "boundary": square(LON + 0.005, LAT - 0.005),
        },
    )
    assert response.status_code == 409
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["code"] == "grid-overlap"
    assert problem["other_grid_id"] == first["id"]
    assert str(first["id"]) in problem["detail"]
    assert await count(connection, "grids") == 2


@pytest.mark.parametrize(
    ("boundary", "code", "field"),
    [
        (
            {
                "type": "Polygon",
                "coordinates": [[*square()["coordinates"][0][:-1], [LON, LAT + 0.001]]],
            },
            "invalid-value",
            "body.boundary",
        ),
        (
            {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]},
            "invalid-value",
            "body.boundary",
        ),
        (
            {
                "type": "Polygon",
                "coordinates": [
                    *square()["coordinates"],
                    square(LON + 0.002, LAT + 0.002, 0.001)["coordinates"][0],
                ],
            },
            "invalid-value",
            "body.boundary",
        ),
        ({"type": "Point", "coordinates": [LON, LAT]}, "validation-error", "body.boundary.type"),
    ],
    ids=["unclosed", "bow-tie", "hole", "not-a-polygon"],
)
async def test_bad_geojson_is_refused_naming_the_field(
    client: httpx.AsyncClient,
    tree: dict,
    connection: AsyncConnection,
    boundary: dict,
    code: str,
    field: str,
) -> None:
    response = await client.post(
        "/api/v1/grids",
        json={
            "name": "坏边界",
            "kind": "estate",
            "community_id": tree["community"]["id"],
            "boundary": boundary,
        },
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["code"] == code
    fields = [e["field"] for e in problem.get("errors") or []] or [problem["field"]]
    assert field in fields
    assert await count(connection, "grids") == 0


@pytest.mark.parametrize(
    ("community", "branch", "rule"),
    [
        ("street", None, "grid-community-kind"),
        ("branch", None, "grid-community-kind"),
        ("community", "community", "serving-branch-kind"),
        ("community", "group", "serving-branch-kind"),
        ("other", "branch", "serving-branch-in-community"),
    ],
)
async def test_organization_rules(
    client: httpx.AsyncClient,
    tree: dict,
    connection: AsyncConnection,
    community: str,
    branch: str | None,
    rule: str,
) -> None:
    body = {
        "name": "规则",
        "kind": "estate",
        "community_id": tree[community]["id"],
        "boundary": square(),
    }
    if branch:
        body["serving_branch_id"] = tree[branch]["id"]
    response = await client.post("/api/v1/grids", json=body)
    assert response.status_code == 422
    assert response.json()["rule"] == rule
    assert await count(connection, "grids") == 0


async def test_missing_community_and_business_district_branch(
    client: httpx.AsyncClient, tree: dict
) -> None:
    response = await client.post(
        "/api/v1/grids",
        json={"name": "无社区", "kind": "estate", "community_id": 999999, "boundary": square()},
    )
    assert response.json()["rule"] == "grid-community-exists"
    shops = await make_org(client, "business_district_branch", "商圈支部", tree["community"]["id"])
    grid = await make_grid(
        client, tree["community"]["id"], kind="business_district", serving_branch_id=shops["id"]
    )
    assert grid["serving_branch_id"] == shops["id"]


async def test_stale_if_match_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, tree: dict
) -> None:
    grid = await make_grid(client, tree["community"]["id"])
    url = f"/api/v1/grids/{grid['id']}"
    ok = await client.patch(url, json={"name": "新名"}, headers={"If-Match": 'W/"1"'})
    assert ok.status_code == 200, ok.text
    assert (ok.json()["name"], ok.json()["version"]) == ("新名", 2)
    assert ok.headers["ETag"] == 'W/"2"'

    stale = await client.patch(url, json={"name": "旧版本"}, headers={"If-Match": 'W/"1"'})
    assert stale.status_code == 412
    assert stale.json()["code"] == "stale-version"
    assert stale.headers["ETag"] == 'W/"2"'
    after = (await client.get(url)).json()
    assert (after["name"], after["version"]) == ("新名", 2)


async def test_update_boundary_is_remeasured_and_overlap_checked(
    client: httpx.AsyncClient, tree: dict
) -> None:
    grid = await make_grid(client, tree["community"]["id"])
    other = await make_grid(client, tree["community"]["id"], square(LON + 0.05), name="远处")
    url = f"/api/v1/grids/{grid['id']}"
    bigger = await client.patch(url, json={"boundary": square(side=0.02)})
    assert bigger.status_code == 200, bigger.text
    assert bigger.json()["area_m2"] == pytest.approx(4 * grid["area_m2"], rel=0.01)
    assert bigger.json()["centroid"] == pytest.approx({"lon": LON + 0.01, "lat": LAT + 0.01})
    located = await client.get(
        "/api/v1/grids/locate", params={"lon": LON + 0.015, "lat": LAT + 0.015}
    )
    assert located.json()["id"] == grid["id"]

    clash = await client.patch(
        f"/api/v1/grids/{other['id']}", json={"boundary": square(LON + 0.01)}
    )
    assert clash.status_code == 409
    assert clash.json()["other_grid_id"] == grid["id"]
    assert (await client.get(f"/api/v1/grids/{other['id']}")).json() == other

    null_name = await client.patch(url, json={"name": None})
    assert null_name.status_code == 422
    assert null_name.json()["field"] == "body.name"
    cleared = await client.patch(url, json={"serving_branch_id": tree["branch"]["id"]})
    assert cleared.json()["serving_branch_id"] == tree["branch"]["id"]
    cleared = await client.patch(url, json={"serving_branch_id": None})
    assert cleared.json()["serving_branch_id"] is None


async def test_retire_needs_no_current_staff_and_frees_the_area(
    client: httpx.AsyncClient, tree: dict
) -> None:
    grid = await make_grid(client, tree["community"]["id"])
    url = f"/api/v1/grids/{grid['id']}"
    leader = (
        await client.post(f"{url}/staff", json={"role": "grid_leader", "person_name": "王丽"})
    ).json()
    refused = await client.post(f"{url}/retire")
    assert refused.status_code == 422
    assert refused.json()["rule"] == "retire-has-staff"
    assert (await client.get(url)).json()["status"] == "active"

    await client.post(f"{url}/staff/{leader['id']}/end")
    retired = await client.post(f"{url}/retire", headers={"If-Match": 'W/"1"'})
    assert retired.status_code == 200, retired.text
    assert retired.json()["status"] == "retired"
    again = await client.post(f"{url}/retire")
    assert again.json()["rule"] == "retired-is-final"
    edit = await client.patch(url, json={"name": "改名"})
    assert edit.json()["rule"] == "retired-is-final"

    gone = await client.get("/api/v1/grids/locate", params={"lon": LON + 0.005, "lat": LAT + 0.005})
    assert gone.status_code == 404
    successor = await make_grid(client, tree["community"]["id"], name="接替网格")
    assert successor["id"] != grid["id"]
    history = (await client.get(f"{url}/staff", params={"include_ended": True})).json()["items"]
    assert [s["id"] for s in history] == [leader["id"]]


async def test_list_filters_and_pagination(client: httpx.AsyncClient, tree: dict) -> None:
    c, o, b = tree["community"]["id"], tree["other"]["id"], tree["branch"]["id"]
    g1 = await make_grid(client, c, square(LON), kind="courtyard", serving_branch_id=b)
    g2 = await make_grid(client, c, square(LON + 0.01), kind="estate")
    g3 = await make_grid(client, o, square(LON + 0.02), kind="estate")
    elsewhere = await make_org(
        client, "street_working_committee", "另一个街道", tree["district"]["id"]
    )

    async def ids(**params: Any) -> list[int]:
        response = await client.get("/api/v1/grids", params=params)
        assert response.status_code == 200, response.text
        return [g["id"] for g in response.json()["items"]]

    assert await ids(under=tree["street"]["id"]) == [g1["id"], g2["id"], g3["id"]]
    assert await ids(under=c) == [g1["id"], g2["id"]]
    assert await ids(under=elsewhere["id"]) == []
    assert await ids(community_id=o) == [g3["id"]]
    assert await ids(under=tree["street"]["id"], kind="estate") == [g2["id"], g3["id"]]
    assert await ids(serving_branch_id=b) == [g1["id"]]
    assert await ids(status="retired", under=c) == []
    assert (await client.get("/api/v1/grids", params={"under": 999999})).status_code == 404

    seen, cursor = [], None
    while True:
        params = {
            "under": tree["street"]["id"],
            "limit": 2,
            **({"cursor": cursor} if cursor else {}),
        }
        page = (await client.get("/api/v1/grids", params=params)).json()
        seen += [g["id"] for g in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [g1["id"], g2["id"], g3["id"]]


async def test_locate_query_uses_the_gist_index(
    client: httpx.AsyncClient, tree: dict, connection: AsyncConnection
) -> None:
    # 2,000 cells of 0.009° on a 50 × 40 lattice, so the planner has a reason to use the index.
    await connection.execute(
        text(
            "INSERT INTO grids (name, kind, community_id, boundary, boundary_geojson, area_m2, "
            "centroid_lon, centroid_lat) "
            "SELECT 'cell ' || i, 'estate', :community, polygon(box("
            "point(100 + (i % 50) * 0.01, 30 + (i / 50) * 0.01), "
            "point(100.009 + (i % 50) * 0.01, 30.009 + (i / 50) * 0.01))), '{}', 1, 0, 0 "
            "FROM generate_series(0, 1999) AS i"
        ),
        {"community": tree["community"]["id"]},
    )
    await connection.execute(text("ANALYZE grids"))

    stmt = locate_statement(100.125, 30.255)  # inside cell 12 + 25 * 50 = 1262
    sql = str(stmt.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    plan = "\n".join((await connection.exec_driver_sql("EXPLAIN " + sql)).scalars())
    assert "ix_grids_boundary_gist" in plan, plan
    assert "Seq Scan" not in plan, plan

    located = await client.get("/api/v1/grids/locate", params={"lon": 100.125, "lat": 30.255})
    assert located.status_code == 200
    assert located.json()["name"] == "cell 1262"
