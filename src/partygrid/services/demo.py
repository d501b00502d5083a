"""Demo data: one street of Huangdao district, its communities, branches and groups.

Every demo organization carries a ``DEMO-`` code, and loading creates only the codes
that are missing, so ``partygrid demo`` can run any number of times (and completes a
load that was interrupted half-way).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from partygrid.domain.organizations import Organization, OrgKind
from partygrid.repo.uow import UnitOfWork
from partygrid.services.organizations import (
    NewOrganization,
    create_organization,
    list_organizations,
)

UowFactory = Callable[[], UnitOfWork]

ROOT_CODE = "DEMO-DISTRICT"
STREET_CODE = "DEMO-STREET"
DEMO_NOTE = "演示数据 (demo data, created by `partygrid demo`)"
_PAGE = 200

K = OrgKind


@dataclass(frozen=True, slots=True)
class DemoOrg:
    code: str
    parent: str | None
    kind: OrgKind
    name: str


# Parents come before children. Sizes follow the seeds' advice: the biggest community
# has a committee (社区党委), the smaller ones a general branch (社区党总支).
DEMO_ORGANIZATIONS: tuple[DemoOrg, ...] = (
    DemoOrg(ROOT_CODE, None, K.district_committee, "黄岛区委组织部"),
    DemoOrg(STREET_CODE, ROOT_CODE, K.street_working_committee, "金沙滩街道党工委"),
    DemoOrg("DEMO-C1", STREET_CODE, K.community_committee, "海滨社区党委"),
    DemoOrg("DEMO-C2", STREET_CODE, K.community_general_branch, "银沙社区党总支"),
    DemoOrg("DEMO-C3", STREET_CODE, K.community_general_branch, "渔港社区党总支"),
    DemoOrg("DEMO-C1-G1", "DEMO-C1", K.grid_branch, "海滨社区第一网格党支部"),
    DemoOrg("DEMO-C1-G2", "DEMO-C1", K.grid_branch, "海滨社区第二网格党支部"),
    DemoOrg("DEMO-C2-G1", "DEMO-C2", K.grid_branch, "银沙社区第一网格党支部"),
    DemoOrg("DEMO-C2-G2", "DEMO-C2", K.grid_branch, "银沙社区第二网格党支部"),
    DemoOrg("DEMO-C3-G1", "DEMO-C3", K.grid_branch, "渔港社区网格党支部"),
    DemoOrg("DEMO-C1-G1-B1", "DEMO-C1-G1", K.building_group, "海滨花园1号楼院党小组"),
    DemoOrg("DEMO-C1-G1-B2", "DEMO-C1-G1", K.building_group, "海滨花园2号楼院党小组"),
    DemoOrg("DEMO-C1-G2-B1", "DEMO-C1-G2", K.building_group, "观海苑楼院党小组"),
    DemoOrg("DEMO-C2-G1-B1", "DEMO-C2-G1", K.building_group, "银沙小区楼院党小组"),
    DemoOrg("DEMO-C3-G1-B1", "DEMO-C3-G1", K.building_group, "渔港新村楼院党小组"),
    DemoOrg("DEMO-C1-BD", "DEMO-C1", K.business_district_branch, "金沙滩商圈网格党支部"),
    DemoOrg("DEMO-C1-F1", "DEMO-C1", K.feature_branch, "夕阳红特色党支部"),
    DemoOrg("DEMO-C2-F1", "DEMO-C2", K.feature_branch, "老兵乐特色党支部"),
    DemoOrg("DEMO-RED-SAIL", STREET_CODE, K.red_sail_branch, "金沙滩街道红帆支部"),
)


@dataclass(slots=True)
class DemoSummary:
    created: list[Organization] = field(default_factory=list)
    already_present: int = 0
    grids_created: int = 0
    members_created: int = 0

    @property
    def nothing_new(self) -> bool:
        return not (self.created or self.grids_created or self.members_created)

    def lines(self) -> list[str]:
        if self.nothing_new:
            return [
                f"demo data already present ({self.already_present} organizations); nothing created"
            ]
        by_kind = Counter(org.kind.value for org in self.created)
        kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(by_kind.items()))
        lines = [
            f"created {len(self.created)} organizations ({kinds})"
            if self.created
            else "created no organizations"
        ]
        if self.already_present:
            lines.append(f"{self.already_present} demo organizations were already present")
        lines.append(f"created {self.grids_created} grids, {self.members_created} party members")
        street = next((o for o in self.created if o.code == STREET_CODE), None)
        if street is not None:
            lines.append(f"demo street: {street.name} (id {street.id})")
        return lines


async def _find_root(uow_factory: UowFactory) -> Organization | None:
    after_id: int | None = None
    while True:
        page = await list_organizations(
            uow_factory(),
            under=None,
            kind=K.district_committee,
            include_dissolved=True,
            max_depth=None,
            after_id=after_id,
            limit=_PAGE,
        )
        for org in page:
            if org.code == ROOT_CODE:
                return org
        if len(page) < _PAGE:
            return None
        after_id = page[-1].id


async def _existing_demo_organizations(uow_factory: UowFactory) -> dict[str, Organization]:
    """The demo organizations already in the database, by code."""
    root = await _find_root(uow_factory)
    if root is None:
        return {}
    found: dict[str, Organization] = {}
    after_id: int | None = None
    while True:
        page = await list_organizations(
            uow_factory(),
            under=root.id,
            kind=None,
            include_dissolved=True,
            max_depth=None,
            after_id=after_id,
            limit=_PAGE,
        )
        found.update({org.code: org for org in page if org.code})
        if len(page) < _PAGE:
            return found
        after_id = page[-1].id


async def _load_organizations(
    uow_factory: UowFactory, summary: DemoSummary
) -> dict[str, Organization]:
    orgs = await _existing_demo_organizations(uow_factory)
    for spec in DEMO_ORGANIZATIONS:
        if spec.code in orgs:
            summary.already_present += 1
            continue
        parent_id = orgs[spec.parent].id if spec.parent else None
        org = await create_organization(
            uow_factory(),
            new=NewOrganization(
                kind=spec.kind,
                name=spec.name,
                parent_id=parent_id,
                code=spec.code,
                description=DEMO_NOTE,
            ),
        )
        orgs[spec.code] = org
        summary.created.append(org)
    return orgs


async def _load_grids(uow_factory: UowFactory, orgs: dict[str, Organization]) -> int:
    """TODO(lead): grids of the demo street, once services/grids.py lands.

    One grid per grid branch (courtyard/estate polygons around 36.0N 120.2E), served by
    that branch, with 1+1+N+X staff; the business-district branch gets a
    ``business_district`` grid. Must skip grids whose ``code`` already exists. Returns
    how many grids it created.
    """
    return 0


async def _load_members(uow_factory: UowFactory, orgs: dict[str, Organization]) -> int:
    """TODO(lead): about 60 party members, once services/members.py lands.

    Spread over the five categories (resident, in_service, retired, no_post, mobile with
    a ledger entry), ~30 in DEMO-C1 and fewer in DEMO-C2/C3, with valid GB 11643 ID
    numbers generated from a fixed seed so a second run finds them and creates nothing.
    Returns how many members it created.
    """
    return 0


async def load_demo(uow_factory: UowFactory) -> DemoSummary:
    """Create whatever part of the demo street is missing; a second run creates nothing."""
    summary = DemoSummary()
    orgs = await _load_organizations(uow_factory, summary)
    summary.grids_created = await _load_grids(uow_factory, orgs)
    summary.members_created = await _load_members(uow_factory, orgs)
    return summary
