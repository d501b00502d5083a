"""Use cases that move a member or record where they are: transfers of organisational
relationship (组织关系转接), central households (党员中心户), the mobile ledger."""

from __future__ import annotations

from datetime import date

from partygrid.domain.errors import RuleViolation
from partygrid.domain.identity import business_today
from partygrid.domain.members import (
    MemberCategory,
    MobileLedgerEntry,
    PartyMember,
    Transfer,
    central_household_scope,
    check_active,
    check_category_ledger,
    check_central_household,
    check_transfer,
)
from partygrid.domain.organizations import Organization
from partygrid.domain.versioning import check_version
from partygrid.repo.uow import UnitOfWork
from partygrid.services.members import (
    MemberRecord,
    existing_organization,
    prepared_entry,
    record_entry,
    require_member,
)


async def _scope_of(uow: UnitOfWork, org: Organization) -> Organization:
    return central_household_scope(org, await uow.organizations.ancestors(org))


async def transfer_member(
    uow: UnitOfWork,
    *,
    member_id: int,
    to_organization_id: int,
    effective_on: date | None,
    reason: str | None,
    expected_version: int | None,
) -> tuple[MemberRecord, Transfer]:
    """Move the member's organisational relationship; the history gains a record.

    A central household outside the new organization's community is cleared.
    """
    async with uow:
        member = await require_member(uow, member_id, for_update=True)
        check_version(member.version, expected_version)
        target = await existing_organization(uow, to_organization_id)
        today = business_today()
        effective_on = effective_on or today
        if effective_on > today:
            raise RuleViolation("effective_on is in the future", rule="transfer-date-future")
        check_transfer(member, target, effective_on, await uow.members.last_transfer_on(member_id))
        values: dict[str, int | None] = {"organization_id": target.id}
        if member.central_household_group_id is not None:
            group = await uow.organizations.get(member.central_household_group_id)
            scope = await _scope_of(uow, target)
            if group is None or not group.is_within(scope.path):
                values["central_household_group_id"] = None
        updated = await uow.members.update_fields(member_id, **values)
        transfer = await uow.members.add_transfer(
            Transfer(
                id=0, member_id=member_id, from_organization_id=member.organization_id,
                to_organization_id=target.id, effective_on=effective_on, reason=reason,
            )
        )  # fmt: skip
        ledger = await uow.members.current_ledger_entry(member_id)
        await uow.commit()
        return MemberRecord(updated, ledger), transfer


async def member_transfers(
    uow: UnitOfWork, *, member_id: int, after_id: int | None, limit: int
) -> list[Transfer]:
    async with uow:
        await require_member(uow, member_id)
        return await uow.members.transfers(member_id, after_id=after_id, limit=limit)


async def _locked_active(
    uow: UnitOfWork, member_id: int, expected_version: int | None
) -> PartyMember:
    member = await require_member(uow, member_id, for_update=True)
    check_version(member.version, expected_version)
    check_active(member)
    return member


async def set_central_household(
    uow: UnitOfWork, *, member_id: int, group_id: int, expected_version: int | None
) -> MemberRecord:
    """Make the member the central household (党员中心户) of a building group in the
    community of the member's organization."""
    async with uow:
        member = await _locked_active(uow, member_id, expected_version)
        group = await existing_organization(uow, group_id)
        if member.organization_id is None:
            raise RuleViolation(
                "the member belongs to no organization", rule="central-household-has-org"
            )
        org = await existing_organization(uow, member.organization_id)
        check_central_household(group, await _scope_of(uow, org))
        ledger = await uow.members.current_ledger_entry(member_id)
        if member.central_household_group_id == group_id:
            return MemberRecord(member, ledger)
        updated = await uow.members.update_fields(member_id, central_household_group_id=group_id)
        await uow.commit()
        return MemberRecord(updated, ledger)


async def clear_central_household(
    uow: UnitOfWork, *, member_id: int, expected_version: int | None
) -> MemberRecord:
    """The member is no longer a central household; clearing twice changes nothing."""
    async with uow:
        member = await _locked_active(uow, member_id, expected_version)
        ledger = await uow.members.current_ledger_entry(member_id)
        if member.central_household_group_id is None:
            return MemberRecord(member, ledger)
        updated = await uow.members.update_fields(member_id, central_household_group_id=None)
        await uow.commit()
        return MemberRecord(updated, ledger)


async def record_mobile_entry(
    uow: UnitOfWork, *, member_id: int, entry: MobileLedgerEntry, expected_version: int | None
) -> MemberRecord:
    """Add a mobile member's new current ledger entry; the previous one ends that day."""
    async with uow:
        member = await _locked_active(uow, member_id, expected_version)
        if member.category is not MemberCategory.mobile:
            check_category_ledger(member.category, has_ledger=True)
        entry = prepared_entry(entry, "body.contact_phone")
        ledger = await record_entry(uow, member_id, entry)
        # The member's representation includes the current entry, so its version moves.
        updated = await uow.members.update_fields(member_id)
        await uow.commit()
        return MemberRecord(updated, ledger)


async def mobile_ledger_history(
    uow: UnitOfWork, *, member_id: int, after_id: int | None, limit: int
) -> list[MobileLedgerEntry]:
    async with uow:
        await require_member(uow, member_id)
        return await uow.members.ledger_history(member_id, after_id=after_id, limit=limit)
