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


async def make_street_tree(client: httpx.AsyncClient) -> dict[str, dict[str, Any]]:
    """street → community committee → grid branch → building group, plus a second community."""
    street = await make_org(client, "street_working_committee", "金沙滩街道党工委")
    community = await make_org(client, "community_committee", "海军路社区党委", street["id"])
    other = await make_org(client, "community_general_branch", "朝阳社区党总支", street["id"])
    branch = await make_org(client, "grid_branch", "第一网格党支部", community["id"])
    group = await make_org(client, "building_group", "3号楼党小组", branch["id"])
    return {
        "street": street,
        "community": community,
        "other": other,
        "branch": branch,
        "group": group,
    }
