"""Builders and calls shared by the authentication and administration tests."""

from __future__ import annotations

import time
from itertools import count
from typing import Any

import httpx
import pyotp
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from partygrid.domain.organizations import Organization, OrgKind
from partygrid.repo.uow import UnitOfWork

PASSWORD = "Jinshatan-2026!"  # passes the rules: long, four classes
OTHER_PASSWORD = "Haibin-Road-77#"
TOKEN = "/api/v1/auth/token"
_cells = count(1)


async def make_org(
    uow: UnitOfWork, kind: OrgKind = OrgKind.street_working_committee,
    parent: Organization | None = None, name: str = "金沙滩街道党工委", code: str | None = None,
) -> Organization:  # fmt: skip
    async with uow:
        org = await uow.organizations.add(
            Organization(id=0, kind=kind, name=name, parent_id=parent.id if parent else None,
                         path="", code=code),
            parent.path if parent else None,
        )  # fmt: skip
        await uow.commit()
        return org


async def make_grid(connection: AsyncConnection, community_id: int, code: str | None = None) -> int:
    """A grid straight into the table: a small square of its own, far from the others."""
    x = next(_cells) * 10
    return (
        await connection.execute(
            text(
                "INSERT INTO grids (name, kind, community_id, boundary, boundary_geojson, "
                "area_m2, centroid_lon, centroid_lat, code) VALUES ('测试网格', 'courtyard', "
                ":c, polygon(CAST(:p AS text)), '{}'::jsonb, 1, 0, 0, :code) RETURNING id"
            ),
            {"c": community_id, "p": f"(({x},0),({x + 1},0),({x + 1},1),({x},1))", "code": code},
        )
    ).scalar_one()


async def login(
    client: httpx.AsyncClient, username: str, password: str = PASSWORD, totp: str | None = None
) -> httpx.Response:
    form = {"username": username, "password": password, "grant_type": "password"}
    if totp is not None:
        form["totp"] = totp
    return await client.post(TOKEN, data=form)


async def bearer(
    client: httpx.AsyncClient, username: str, password: str = PASSWORD, totp: str | None = None
) -> dict[str, str]:
    response = await login(client, username, password, totp)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def code_at(secret: str, step: int) -> str:
    return pyotp.TOTP(secret).generate_otp(step)


def current_step(secret: str) -> int:
    return pyotp.TOTP(secret).timecode(time.time())


async def audit_rows(connection: AsyncConnection, action: str) -> list[Any]:
    result = await connection.execute(
        text(
            "SELECT principal_kind, principal_id, principal_name, role, action, resource_type, "
            "resource_id, outcome, reason, changes, client_address FROM audit_events "
            "WHERE action = :a ORDER BY id"
        ),
        {"a": action},
    )
    return list(result.all())
