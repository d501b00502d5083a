"""Use cases that move a member or record where they are: transfers of organisational
relationship (组织关系转接), central households (党员中心户), the mobile ledger.

A transfer target or central household group outside the actor's scope does not exist
for it; a transfer across subtrees needs someone whose scope holds both ends.
"""

from __future__ import annotations

from datetime import date

from partygrid.domain.access import Actor
from partygrid.domain.audit.events import changed_fields
from partygrid.domain.errors import RuleViolation
from partygrid.domain.identity import business_today
from partygrid.domain.members.model import (
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
from partygrid.domain.organizations.model import Organization
from partygrid.domain.versioning import check_version
from partygrid.repo.uow import UnitOfWork
from partygrid.services.members import snapshots
from partygrid.services.members.use_cases import (
    MemberRecord,
    existing_organization,
    prepared_entry,
    record_entry,
    require_member,
)


async def _community_of(uow: UnitOfWork, org: Organization) -> Organization:
    # A rule of the tree, the same whoever asks: the whole lineage, not the visible part.
    return central_household_scope(org, await uow.organizations.lineage(org))


async def transfer_member(
    uow: UnitOfWork,
    *,
    actor: Actor,
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
        member = await require_member(uow, member_id, actor=actor, for_update=True)
        check_version(member.version, expected_version)
        target = await existing_organization(uow, to_organization_id, actor=actor)
        today = business_today()
        effective_on = effective_on or today
        if effective_on > today:
            raise RuleViolation("effective_on is in the future", rule="transfer-date-future")
        check_transfer(member, target, effective_on, await uow.members.last_transfer_on(member_id))
        values: dict[str, int | None] = {"organization_id": target.id}
        if member.central_household_group_id is not None:
            group = await uow.organizations.get_for_rule(member.central_household_group_id)
            community = await _community_of(uow, target)
            if group is None or not group.is_within(community.path):
                values["central_household_group_id"] = None
        updated = await uow.members.update_fields(member_id, **values)
        transfer = await uow.members.add_transfer(
            Transfer(
                id=0, member_id=member_id, from_organization_id=member.organization_id,
                to_organization_id=target.id, effective_on=effective_on, reason=reason,
            )
        )  # fmt: skip
        ledger = await uow.members.current_ledger_entry(member_id, scope=actor.scope)
        before, after = changed_fields(snapshots.member(member), snapshots.member(updated))
        uow.audit.record(
            actor, "member.transfer", "party_member", member_id,
            before=before, after={**after, "transfer": snapshots.transfer(transfer)},
            reason=reason,
        )  # fmt: skip
        await uow.commit()
        return MemberRecord(updated, ledger), transfer


async def member_transfers(
    uow: UnitOfWork, *, actor: Actor, member_id: int, after_id: int | None, limit: int
) -> list[Transfer]:
    async with uow:
        await require_member(uow, member_id, actor=actor)
        return await uow.members.transfers(
            member_id, scope=actor.scope, after_id=after_id, limit=limit
        )


async def _locked_active(
    uow: UnitOfWork, member_id: int, expected_version: int | None, actor: Actor
) -> PartyMember:
    member = await require_member(uow, member_id, actor=actor, for_update=True)
    check_version(member.version, expected_version)
    check_active(member)
    return member


async def set_central_household(
    uow: UnitOfWork, *, actor: Actor, member_id: int, group_id: int, expected_version: int | None
) -> MemberRecord:
    """Make the member the central household (党员中心户) of a building group in the
    community of the member's organization."""
    async with uow:
        member = await _locked_active(uow, member_id, expected_version, actor)
        group = await existing_organization(uow, group_id, actor=actor)
        if member.organization_id is None:
            raise RuleViolation(
                "the member belongs to no organization", rule="central-household-has-org"
            )
        # The member's own organization, even when the actor sees the member by grid only.
        org = await uow.organizations.get_for_rule(member.organization_id)
        assert org is not None  # fk_party_members_organization_id
        check_central_household(group, await _community_of(uow, org))
        ledger = await uow.members.current_ledger_entry(member_id, scope=actor.scope)
        if member.central_household_group_id == group_id:
            return MemberRecord(member, ledger)
        updated = await uow.members.update_fields(member_id, central_household_group_id=group_id)
        uow.audit.record(
            actor, "member.central_household.set", "party_member", member_id,
            before={"central_household_group_id": member.central_household_group_id},
            after={"central_household_group_id": group_id},
        )  # fmt: skip
        await uow.commit()
        return MemberRecord(updated, ledger)


async def clear_central_household(
    uow: UnitOfWork, *, actor: Actor, member_id: int, expected_version: int | None
) -> MemberRecord:
    """The member is no longer a central household; clearing twice changes nothing."""
    async with uow:
        member = await _locked_active(uow, member_id, expected_version, actor)
        ledger = await uow.members.current_ledger_entry(member_id, scope=actor.scope)
        if member.central_household_group_id is None:
            return MemberRecord(member, ledger)
        updated = await uow.members.update_fields(member_id, central_household_group_id=None)
        uow.audit.record(
            actor, "member.central_household.clear", "party_member", member_id,
            before={"central_household_group_id": member.central_household_group_id},
            after={"central_household_group_id": None},
        )  # fmt: skip
        await uow.commit()
        return MemberRecord(updated, ledger)


async def record_mobile_entry(
    uow: UnitOfWork,
    *,
    actor: Actor,
    member_id: int,
    entry: MobileLedgerEntry,
    expected_version: int | None,
) -> MemberRecord:
    """Add a mobile member's new current ledger entry; the previous one ends that day."""
    async with uow:
        member = await _locked_active(uow, member_id, expected_version, actor)
        if member.category is not MemberCategory.mobile:
            check_category_ledger(member.category, has_ledger=True)
        entry = prepared_entry(entry, "body.contact_phone")
        previous = await uow.members.current_ledger_entry(member_id, scope=actor.scope)
        ledger = await record_entry(uow, member_id, entry, actor.scope)
        # The member's representation includes the current entry, so its version moves.
        updated = await uow.members.update_fields(member_id)
        uow.audit.record(
            actor, "member.mobile_ledger.record", "party_member", member_id,
            before={"mobile_ledger": snapshots.ledger_entry(previous)},
            after={"mobile_ledger": snapshots.ledger_entry(ledger)},
        )  # fmt: skip
        await uow.commit()
        return MemberRecord(updated, ledger)


async def mobile_ledger_history(
    uow: UnitOfWork, *, actor: Actor, member_id: int, after_id: int | None, limit: int
) -> list[MobileLedgerEntry]:
    async with uow:
        await require_member(uow, member_id, actor=actor)
        return await uow.members.ledger_history(
            member_id, scope=actor.scope, after_id=after_id, limit=limit
        )
