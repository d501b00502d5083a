"""The demo street loads through the use cases and never twice."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, async_sessionmaker

from partygrid.domain.organizations import OrgKind
from partygrid.repo.uow import UnitOfWork
from partygrid.services.demo import DEMO_ORGANIZATIONS, STREET_CODE, load_demo
from partygrid.services.organizations import NewOrganization, create_organization


async def demo_codes(connection: AsyncConnection) -> Counter[str]:
    rows = await connection.execute(text("SELECT code FROM organizations WHERE code LIKE 'DEMO-%'"))
    return Counter(rows.scalars())


async def test_loading_twice_creates_nothing_new(
    sessionmaker: async_sessionmaker, connection: AsyncConnection
) -> None:
    first = await load_demo(lambda: UnitOfWork(sessionmaker))
    assert len(first.created) == len(DEMO_ORGANIZATIONS)
    kinds = Counter(org.kind for org in first.created)
    assert kinds[OrgKind.street_working_committee] == 1
    assert kinds[OrgKind.community_committee] + kinds[OrgKind.community_general_branch] == 3

    second = await load_demo(lambda: UnitOfWork(sessionmaker))
    assert second.nothing_new
    assert second.already_present == len(DEMO_ORGANIZATIONS)
    assert "nothing created" in second.lines()[0]
    assert set((await demo_codes(connection)).values()) == {1}


async def test_an_interrupted_load_is_completed(sessionmaker: async_sessionmaker) -> None:
    uow = UnitOfWork(sessionmaker)
    root = await create_organization(
        uow,
        new=NewOrganization(
            kind=OrgKind.district_committee, name="黄岛区委组织部", code="DEMO-DISTRICT"
        ),
    )
    await create_organization(
        uow,
        new=NewOrganization(
            kind=OrgKind.street_working_committee,
            name="金沙滩街道党工委",
            parent_id=root.id,
            code=STREET_CODE,
        ),
    )
    summary = await load_demo(lambda: UnitOfWork(sessionmaker))
    assert summary.already_present == 2
    assert len(summary.created) == len(DEMO_ORGANIZATIONS) - 2
