"""Loading the demo street through the use cases, creating only what is missing.

Organizations and grids are found by code, staff by role and name on their grid, party
members by ID number. Each step is its own transaction, so an interrupted load leaves
whole records behind and the next run completes it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from partygrid.domain.access import Actor, Scope, system_actor
from partygrid.domain.grids.model import Grid, GridStatus, StaffAssignment, StaffRole
from partygrid.domain.members.model import MemberStatus, PartyMember
from partygrid.domain.organizations.model import Organization
from partygrid.repo.uow import UnitOfWork
from partygrid.seed.demo.people import DEMO_MEMBERS, DemoMember
from partygrid.seed.demo.street import (
    DEMO_GRIDS,
    DEMO_NOTE,
    DEMO_ORGANIZATIONS,
    STREET_CODE,
    DemoGrid,
)
from partygrid.seed.demo.tickets import load_demo_tickets
from partygrid.services.grids.use_cases import (
    NewGrid,
    NewStaffAssignment,
    assign_staff,
    create_grid,
    list_assignments,
    list_grids,
)
from partygrid.services.members.moves import set_central_household, transfer_member
from partygrid.services.members.use_cases import (
    NewMember,
    leave_member,
    list_members,
    register_member,
)
from partygrid.services.organizations.use_cases import (
    NewOrganization,
    create_organization,
    find_organization_by_code,
    find_root_organization,
)

UowFactory = Callable[[], UnitOfWork]
_PAGE = 200
# The console: it finds or makes the demo root, then acts within the root's subtree only.
CONSOLE = system_actor(Scope(), "partygrid demo")


class _HasId(Protocol):
    @property
    def id(self) -> int: ...


T = TypeVar("T", bound=_HasId)


async def _every(page: Callable[[int | None], Awaitable[list[T]]]) -> list[T]:
    """All items of a keyset-paged listing."""
    items: list[T] = []
    after_id: int | None = None
    while True:
        batch = await page(after_id)
        items.extend(batch)
        if len(batch) < _PAGE:
            return items
        after_id = batch[-1].id


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _counted(counter: Counter[str]) -> str:
    return ", ".join(f"{n} {key}" for key, n in sorted(counter.items()))


@dataclass(slots=True)
class DemoSummary:
    created: list[Organization] = field(default_factory=list)
    already_present: int = 0  # organizations
    grids: list[Grid] = field(default_factory=list)
    grids_present: int = 0
    staff_created: int = 0
    members: list[PartyMember] = field(default_factory=list)
    members_present: int = 0
    central_households: int = 0
    transfers: int = 0
    left: int = 0
    tickets: Counter[str] = field(default_factory=Counter)  # made by this load, by state
    tickets_present: int = 0

    @property
    def grids_created(self) -> int:
        return len(self.grids)

    @property
    def members_created(self) -> int:
        return len(self.members)

    @property
    def nothing_new(self) -> bool:
        return not (
            self.created
            or self.grids
            or self.staff_created
            or self.members
            or self.central_households
            or self.transfers
            or self.left
            or self.tickets
        )

    def lines(self) -> list[str]:
        if self.nothing_new:
            return [
                f"demo data already present ({_n(self.already_present, 'organization')}, "
                f"{_n(self.grids_present, 'grid')}, {_n(self.members_present, 'party member')}, "
                f"{_n(self.tickets_present, 'ticket')}); nothing created"
            ]
        orgs = f"created {_n(len(self.created), 'organization')}"
        if self.created:
            orgs += f" ({_counted(Counter(o.kind.value for o in self.created))})"
        if self.already_present:
            orgs += f"; {self.already_present} were already present"
        grids = f"created {_n(self.grids_created, 'grid')}"
        if self.grids:
            grids += f" ({_counted(Counter(g.kind.value for g in self.grids))})"
        grids += f" and {_n(self.staff_created, 'staff assignment')}"
        if self.grids_present:
            grids += f"; {self.grids_present} grids were already present"
        members = f"created {_n(self.members_created, 'party member')}"
        if self.members:
            members += f" ({_counted(Counter(m.category.value for m in self.members))})"
        if self.members_present:
            members += f"; {self.members_present} were already present"
        lines = [orgs, grids, members]
        if self.central_households or self.transfers or self.left:
            lines.append(
                f"recorded {_n(self.central_households, 'central household')}, "
                f"{_n(self.transfers, 'transfer')} and {_n(self.left, 'departure')}"
            )
        street = next((o for o in self.created if o.code == STREET_CODE), None)
        if street is not None:
            lines.append(
                f"the street is {street.name} (id {street.id}); its figures and gaps: "
                f"/api/v1/reports/counts?under={street.id}, /sizing and /coverage"
            )
        if self.tickets:
            lines.append(
                f"created {_n(sum(self.tickets.values()), 'ticket')} "
                f"({_counted(self.tickets)}); try /open311/v2/requests.json"
            )
        return lines


# --- organizations ------------------------------------------------------------------


async def _load_organizations(
    uow_factory: UowFactory, summary: DemoSummary
) -> tuple[dict[str, Organization], Actor]:
    """The demo organizations by code, and the console acting within the demo root."""
    orgs: dict[str, Organization] = {}
    actor = CONSOLE
    for spec in DEMO_ORGANIZATIONS:
        # Looked up by code wherever it is now: someone may have moved it in the tree.
        if spec.parent is None:
            org = await find_root_organization(uow_factory(), actor=CONSOLE, code=spec.code)
        else:
            org = await find_organization_by_code(uow_factory(), actor=actor, code=spec.code)
        if org is not None:
            summary.already_present += 1
        else:
            org = await create_organization(
                uow_factory(),
                actor=actor,
                new=NewOrganization(
                    kind=spec.kind,
                    name=spec.name,
                    parent_id=orgs[spec.parent].id if spec.parent else None,
                    code=spec.code,
                    description=DEMO_NOTE,
                ),
            )
            summary.created.append(org)
        if spec.parent is None:
            actor = system_actor(Scope(org_paths=(org.path,)), CONSOLE.principal.name)
        orgs[spec.code] = org
    return orgs, actor


# --- grids and their staff ----------------------------------------------------------


async def _grids_of(uow_factory: UowFactory, community_id: int, actor: Actor) -> list[Grid]:
    async def page(after_id: int | None) -> list[Grid]:
        return await list_grids(
            uow_factory(), actor=actor, under=None, community_id=community_id, kind=None,
            serving_branch_id=None, status=None, after_id=after_id, limit=_PAGE,
        )  # fmt: skip

    return await _every(page)


async def _existing_grids(
    uow_factory: UowFactory, orgs: dict[str, Organization], actor: Actor
) -> dict[str, Grid]:
    """Demo grids already there (retired ones too), by code.

    Listed per community: a grid never changes community, so this finds it even if the
    community has been moved out of the demo street.
    """
    codes = {spec.code for spec in DEMO_GRIDS}
    found: dict[str, Grid] = {}
    for community in sorted({spec.community for spec in DEMO_GRIDS}):
        grids = await _grids_of(uow_factory, orgs[community].id, actor)
        found.update({g.code: g for g in grids if g.code in codes})
    return found


async def _load_staff(uow_factory: UowFactory, grid: Grid, spec: DemoGrid, actor: Actor) -> int:
    """Assign the staff this grid does not have yet; ended assignments count as had."""

    async def page(after_id: int | None) -> list[StaffAssignment]:
        return await list_assignments(
            uow_factory(), actor=actor, grid_id=grid.id, include_ended=True, after_id=after_id,
            limit=_PAGE,
        )  # fmt: skip

    assignments = await _every(page)
    present = {(a.role, a.person_name) for a in assignments}
    has_leader = any(a.role is StaffRole.grid_leader and a.is_current for a in assignments)
    created = 0
    for staff in spec.staff:
        if (staff.role, staff.name) in present:
            continue
        if staff.role is StaffRole.grid_leader and has_leader:
            continue  # someone else leads it now
        await assign_staff(
            uow_factory(),
            actor=actor,
            grid_id=grid.id,
            new=NewStaffAssignment(
                role=staff.role, person_name=staff.name, phone=staff.phone,
                department=staff.department, affiliation=staff.affiliation,
                duties=staff.duties, started_on=staff.started_on,
            ),
        )  # fmt: skip
        created += 1
    return created


async def _load_grids(
    uow_factory: UowFactory, orgs: dict[str, Organization], summary: DemoSummary, actor: Actor
) -> dict[str, Grid]:
    grids = await _existing_grids(uow_factory, orgs, actor)
    for spec in DEMO_GRIDS:
        grid = grids.get(spec.code)
        if grid is not None:
            summary.grids_present += 1
        else:
            grid = await create_grid(
                uow_factory(),
                actor=actor,
                new=NewGrid(
                    name=spec.name, kind=spec.kind, community_id=orgs[spec.community].id,
                    boundary=spec.boundary, serving_branch_id=orgs[spec.serving_branch].id,
                    code=spec.code,
                ),
            )  # fmt: skip
            grids[spec.code] = grid
            summary.grids.append(grid)
        if grid.status is GridStatus.active:
            summary.staff_created += await _load_staff(uow_factory, grid, spec, actor)
    return grids


# --- party members ------------------------------------------------------------------


async def _existing_members(
    uow_factory: UowFactory, street_id: int, actor: Actor
) -> dict[str, PartyMember]:
    """Members of the demo street (those who left too), by ID number."""

    async def page(after_id: int | None) -> list[PartyMember]:
        return await list_members(
            uow_factory(), actor=actor, under=street_id, category=None, grid_id=None,
            name_prefix=None, status=None, after_id=after_id, limit=_PAGE,
        )  # fmt: skip

    members = await _every(page)
    return {m.id_number: m for m in members}


async def _id_number_taken(uow_factory: UowFactory, id_number: str) -> bool:
    async with uow_factory() as uow:
        return await uow.members.exists_id_number(id_number)


async def _register(
    uow_factory: UowFactory,
    spec: DemoMember,
    orgs: dict[str, Organization],
    grids: dict[str, Grid],
    actor: Actor,
) -> PartyMember:
    record = await register_member(
        uow_factory(),
        actor=actor,
        new=NewMember(
            name=spec.name, id_number=spec.id_number, category=spec.category,
            organization_id=orgs[spec.organization].id, phone=spec.phone,
            address=spec.address,
            grid_id=grids[spec.story.grid].id if spec.story.grid else None,
            joined_party_on=spec.joined_party_on, work_unit=spec.work_unit, post=spec.post,
            mobile_ledger=spec.mobile_ledger,
        ),
    )  # fmt: skip
    return record.member


async def _tell_story(
    uow_factory: UowFactory,
    spec: DemoMember,
    member: PartyMember,
    orgs: dict[str, Organization],
    summary: DemoSummary,
    actor: Actor,
) -> None:
    """Transfers and leaving, from wherever the member stands on the path.

    Both only go forward, so an interrupted story is finished and a finished one, or a
    member someone has since moved elsewhere, is left alone.
    """
    if member.status is not MemberStatus.active:
        return
    codes = {org.id: code for code, org in orgs.items()}
    here = codes.get(member.organization_id or 0)
    if here not in spec.path:
        return
    for transfer in spec.story.transfers[spec.path.index(here) :]:
        record, _ = await transfer_member(
            uow_factory(), actor=actor, member_id=member.id,
            to_organization_id=orgs[transfer.to].id, effective_on=transfer.effective_on,
            reason=transfer.reason, expected_version=None,
        )  # fmt: skip
        member = record.member
        summary.transfers += 1
    leave = spec.story.leaves
    if leave is not None:
        await leave_member(
            uow_factory(), actor=actor, member_id=member.id, reason=leave.reason, note=leave.note,
            left_on=leave.left_on, expected_version=None,
        )  # fmt: skip
        summary.left += 1


async def _load_members(
    uow_factory: UowFactory,
    orgs: dict[str, Organization],
    grids: dict[str, Grid],
    summary: DemoSummary,
    actor: Actor,
) -> None:
    existing = await _existing_members(uow_factory, orgs[STREET_CODE].id, actor)
    for spec in DEMO_MEMBERS:
        member = existing.get(spec.id_number)
        if member is not None:
            summary.members_present += 1
        elif await _id_number_taken(uow_factory, spec.id_number):
            summary.members_present += 1  # transferred out of the demo street: leave it be
            continue
        else:
            member = await _register(uow_factory, spec, orgs, grids, actor)
            summary.members.append(member)
            if spec.story.central_household:
                # Only right after registration: someone may have cleared it on purpose.
                record = await set_central_household(
                    uow_factory(), actor=actor, member_id=member.id,
                    group_id=orgs[spec.story.central_household].id, expected_version=None,
                )  # fmt: skip
                member = record.member
                summary.central_households += 1
        await _tell_story(uow_factory, spec, member, orgs, summary, actor)


async def load_demo(uow_factory: UowFactory) -> DemoSummary:
    """Create whatever part of the demo street is missing; a second run creates nothing."""
    summary = DemoSummary()
    orgs, actor = await _load_organizations(uow_factory, summary)
    grids = await _load_grids(uow_factory, orgs, summary, actor)
    await _load_members(uow_factory, orgs, grids, summary, actor)
    summary.tickets, summary.tickets_present = await load_demo_tickets(
        uow_factory, actor, orgs, grids
    )
    return summary
