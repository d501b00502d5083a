"""Counts, sizing advice and coverage over a hand-built tree with known figures."""

from __future__ import annotations

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.fixtures.builders import make_org, make_street_tree
from tests.fixtures.sealed import sealed_id_number
from tests.organizations.test_organizations_api import add_member


async def add_members(connection: AsyncConnection, org_id: int, n: int, category: str) -> None:
    await connection.execute(
        text(
            "INSERT INTO party_members (name, id_number_enc, id_number_hmac, birth_date, category,"
            " organization_id) VALUES (:name, :id_number_enc, :id_number_hmac, '1980-01-01',"
            " :category, :org)"
        ),
        [
            {"name": f"党员{g}", **sealed_id_number(f"R{org_id}{category}-{g}"),
             "category": category, "org": org_id}
            for g in range(1, n + 1)
        ],
    )  # fmt: skip


async def test_counts_by_kind_and_category_under_a_node(
    client: httpx.AsyncClient, connection: AsyncConnection
) -> None:
    tree = await make_street_tree(client)
    await make_org(client, "building_group", "5号楼党小组", tree["branch"]["id"])
    await add_members(connection, tree["group"]["id"], 7, "resident")
    await add_members(connection, tree["branch"]["id"], 3, "retired")
    await add_members(connection, tree["other"]["id"], 4, "mobile")  # outside the community

    response = await client.get("/api/v1/reports/counts", params={"under": tree["community"]["id"]})
    assert response.status_code == 200
    body = response.json()
    assert body["organizations_by_kind"] == {"grid_branch": 1, "building_group": 2}
    assert body["members_by_category"] == {"resident": 7, "retired": 3}
    assert body["members_total"] == 10
    assert body["summary_zh"] == "网格党支部1个, 网格党小组2个"

    whole = (await client.get("/api/v1/reports/counts")).json()
    assert whole["members_total"] == 14
    assert whole["organizations_by_kind"]["street_working_committee"] == 1


async def test_sizing_lists_exactly_the_organizations_breaking_advice(
    client: httpx.AsyncClient, connection: AsyncConnection
) -> None:
    tree = await make_street_tree(client)
    await add_members(connection, tree["group"]["id"], 16, "resident")  # group > 15
    await add_members(connection, tree["branch"]["id"], 35, "resident")  # branch: 51 > 50
    await add_members(connection, tree["other"]["id"], 100, "resident")  # exactly 100: fine

    body = (
        await client.get("/api/v1/reports/sizing", params={"under": tree["street"]["id"]})
    ).json()
    found = {(i["kind"], i["members"]) for i in body["items"]}
    assert found == {("building_group", 16), ("grid_branch", 51)}
    await add_member(connection, tree["other"]["id"])
    body = (await client.get("/api/v1/reports/sizing")).json()
    assert ("community_general_branch", 101) in {(i["kind"], i["members"]) for i in body["items"]}
    assert all(i["advice"] for i in body["items"])


async def test_coverage_gaps(
    client: httpx.AsyncClient, connection: AsyncConnection, login_as
) -> None:
    tree = await make_street_tree(client)
    await add_members(connection, tree["group"]["id"], 2, "resident")
    await connection.execute(
        text(
            "INSERT INTO party_members (name, id_number_enc, id_number_hmac, birth_date,"
            " category) VALUES ('无组织党员', :id_number_enc, :id_number_hmac, '1990-05-05',"
            " 'no_post')"
        ),
        sealed_id_number("UNPLACED-1"),
    )
    await connection.execute(
        text(
            "INSERT INTO grids (name, kind, community_id, boundary, boundary_geojson, area_m2, "
            "centroid_lon, centroid_lat) VALUES ('一号网格', 'courtyard', :c, "
            "polygon('((120,36),(120.01,36),(120.01,36.01),(120,36))'), '{}', 1, 120, 36)"
        ),
        {"c": tree["community"]["id"]},
    )
    body = (
        await client.get("/api/v1/reports/coverage", params={"under": tree["street"]["id"]})
    ).json()
    assert body["grids_without_serving_branch"]["total"] == 1
    assert body["grids_without_leader"]["items"][0]["name"] == "一号网格"
    # An unplaced member belongs to no subtree: only a scope holding their grid sees them.
    assert body["members_without_organization"] == {"total": 0, "items": []}
    empty = {o["id"] for o in body["organizations_without_members"]["items"]}
    assert empty == {tree["other"]["id"]}

    grid_id = (await connection.execute(text("SELECT max(id) FROM grids"))).scalar_one()
    await connection.execute(
        text("UPDATE party_members SET grid_id = :g WHERE name = '无组织党员'"), {"g": grid_id}
    )
    by_grid = await login_as("district_admin", grids=[grid_id])
    body = (await client.get("/api/v1/reports/coverage", headers=by_grid)).json()
    assert [m["name"] for m in body["members_without_organization"]["items"]] == ["无组织党员"]
    assert [g["id"] for g in body["grids_without_leader"]["items"]] == [grid_id]
    assert body["organizations_without_members"]["total"] == 0


async def test_report_under_unknown_org_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/reports/counts", params={"under": 987654})
    assert response.status_code == 404


async def test_reports_cover_exactly_the_callers_scope(
    client: httpx.AsyncClient, connection: AsyncConnection, login_as
) -> None:
    tree = await make_street_tree(client)
    await add_members(connection, tree["group"]["id"], 3, "resident")
    await add_members(connection, tree["other"]["id"], 5, "retired")
    community_admin = await login_as("community_admin", orgs=[tree["community"]["id"]])

    mine = await client.get("/api/v1/reports/counts", headers=community_admin)
    assert mine.status_code == 200
    assert mine.json()["members_by_category"] == {"resident": 3}
    assert mine.json()["organizations_by_kind"] == {
        "community_committee": 1, "grid_branch": 1, "building_group": 1,
    }  # fmt: skip
    for report in ("counts", "sizing", "coverage"):
        outside = await client.get(
            f"/api/v1/reports/{report}",
            params={"under": tree["other"]["id"]},
            headers=community_admin,
        )
        assert outside.status_code == 404, report
        assert outside.json()["code"] == "not-found"
    nobody = await login_as("street_admin")
    empty = (await client.get("/api/v1/reports/counts", headers=nobody)).json()
    assert (empty["members_total"], empty["grids_total"]) == (0, 0)
    assert empty["organizations_by_kind"] == {}
