"""Small keyword-default builders of test data through the public API."""

from __future__ import annotations

from typing import Any

import httpx


async def make_org(
    client: httpx.AsyncClient,
    kind: str,
    name: str | None = None,
    parent_id: int | None = None,
    **extra: Any,
) -> dict[str, Any]:
    body = {"kind": kind, "name": name or f"{kind} 测试", "parent_id": parent_id, **extra}
    response = await client.post("/api/v1/organizations", json=body)
    assert response.status_code == 201, response.text
    return response.json()


async def caller_district(client: httpx.AsyncClient) -> int:
    """The one district committee at the top of the calling client's scope."""
    response = await client.get(
        "/api/v1/organizations", params={"kind": "district_committee", "max_depth": 0}
    )
    assert response.status_code == 200, response.text
    roots = [o["id"] for o in response.json()["items"]]
    assert len(roots) == 1, f"the client's scope should hold one district, not {roots}"
    return roots[0]


async def make_street_tree(
    client: httpx.AsyncClient, parent_id: int | None = None
) -> dict[str, dict[str, Any]]:
    """street → community committee → grid branch → building group, plus a second community;
    the street goes under ``parent_id`` or else the district of the client's scope."""
    parent_id = parent_id or await caller_district(client)
    street = await make_org(client, "street_working_committee", "金沙滩街道党工委", parent_id)
    community = await make_org(client, "community_committee", "海军路社区党委", street["id"])
    other = await make_org(client, "community_general_branch", "朝阳社区党总支", street["id"])
    branch = await make_org(client, "grid_branch", "第一网格党支部", community["id"])
    group = await make_org(client, "building_group", "3号楼党小组", branch["id"])
    return {
        "district": {"id": parent_id},
        "street": street,
        "community": community,
        "other": other,
        "branch": branch,
        "group": group,
    }
