"""Use cases of party members: register, edit, list, leave (出党/去世).

Transfers, central households and the mobile ledger are in ``member_moves``. Each use
case acts for an ``actor``: a member outside its scope is not found (404), and an
organization or grid outside it does not exist (the same rule as a missing one).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any, NoReturn

from partygrid.domain.access import Actor, Permission, Scope
from partygrid.domain.audit.events import Outcome, changed_fields
from partygrid.domain.contact import normalize_phone
from partygrid.domain.errors import Conflict, NotFound, RuleViolation
from partygrid.domain.identity import (
    CITIZENS,
    Gender,
    IdNumberWarning,
    birth_date_of,
    business_today,
    check_id_number,
    gender_of,
)
from partygrid.domain.members.model import (
    LeaveReason,
    MemberCategory,
    MemberStatus,
    MobileLedgerEntry,
    PartyMember,
    RegistrationRefused,
    Transfer,
    check_active,
    check_adult,
    check_category_ledger,
    check_joined_party,
    check_ledger_end,
    check_ledger_entry,
    check_left,
    check_member_organization,
)
from partygrid.domain.organizations.model import Organization
from partygrid.domain.versioning import check_version
from partygrid.repo.uow import UnitOfWork
from partygrid.services.members import snapshots
from partygrid.services.organizations.use_cases import require_organization

# What clients have always been told names the ID number's uniqueness (repo/errors.py).
ID_NUMBER_UNIQUE = "uq_party_members_id_number"


@dataclass(frozen=True, slots=True)
class NewMember:
    name: str
    id_number: str
    category: MemberCategory
    organization_id: int
    phone: str | None = None
    address: str | None = None
    grid_id: int | None = None
    joined_party_on: date | None = None
    work_unit: str | None = None
    post: str | None = None
    mobile_ledger: MobileLedgerEntry | None = None
    gender: Gender | None = None  # as stated on the form: only checked against the number


@dataclass(frozen=True, slots=True)
class MemberRecord:
    """A member with the current mobile ledger entry (mobile members only), and what the
    soft checks of a registration found (the member is registered all the same)."""

    member: PartyMember
    ledger: MobileLedgerEntry | None
    warnings: tuple[IdNumberWarning, ...] = ()


def clean_phone(raw: str | None, field: str) -> str | None:
    if raw is None or not raw.strip():
        return None
    return normalize_phone(raw, field=field)


def prepared_entry(entry: MobileLedgerEntry, phone_field: str) -> MobileLedgerEntry:
    entry = replace(entry, contact_phone=clean_phone(entry.contact_phone, phone_field))
    check_ledger_entry(entry)
    return entry


async def require_member(
    uow: UnitOfWork, member_id: int, *, actor: Actor, for_update: bool = False
) -> PartyMember:
    """The member, or 404 when they do not exist or lie outside the actor's scope."""
    member = await uow.members.get(member_id, scope=actor.scope, for_update=for_update)
    if member is None:
        raise NotFound(f"party member {member_id} not found")
    return member


async def existing_organization(uow: UnitOfWork, org_id: int, *, actor: Actor) -> Organization:
    """An organization a write refers to; a missing one, or one outside the actor's scope,
    breaks a rule rather than 404s."""
    org = await uow.organizations.get(org_id, scope=actor.scope)
    if org is None:
        raise RuleViolation(f"organization {org_id} does not exist", rule="organization-exists")
    return org


async def check_grid_reference(uow: UnitOfWork, grid_id: int | None, *, actor: Actor) -> None:
    """A grid a member is placed in must exist within the actor's scope."""
    if grid_id is not None and await uow.grids.get(grid_id, scope=actor.scope) is None:
        raise RuleViolation(f"grid {grid_id} does not exist", rule="grid-exists")


async def record_entry(
    uow: UnitOfWork, member_id: int, entry: MobileLedgerEntry, scope: Scope
) -> MobileLedgerEntry:
    """Add the new current entry; the previous one ends the day the new one starts."""
    current = await uow.members.current_ledger_entry(member_id, scope=scope)
    if current is not None:
        if entry.since < current.since:
            raise RuleViolation(
                "since is before the current ledger entry's since", rule="ledger-since-order"
            )
        await uow.members.end_ledger_entry(current.id, entry.since)
    return await uow.members.add_ledger_entry(member_id, entry)


async def end_current_entry(uow: UnitOfWork, member_id: int, ended_on: date, scope: Scope) -> None:
    current = await uow.members.current_ledger_entry(member_id, scope=scope)
    if current is not None:
        check_ledger_end(current, ended_on)
        await uow.members.end_ledger_entry(current.id, ended_on)


async def register_member(uow: UnitOfWork, *, actor: Actor, new: NewMember) -> MemberRecord:
    """Register a member in an organization; mobile members come with a ledger entry.

    Party membership needs PRC nationality: the number must be a 居民身份证's."""
    async with uow:
        today = business_today()
        checked = check_id_number(
            new.id_number, population=CITIZENS, today=today, stated_gender=new.gender
        )
        id_number = checked.number
        phone = clean_phone(new.phone, "body.phone")
        check_category_ledger(new.category, new.mobile_ledger is not None)
        entry = (
            prepared_entry(new.mobile_ledger, "body.mobile_ledger.contact_phone")
            if new.mobile_ledger
            else None
        )
        birth_date = birth_date_of(id_number)
        check_adult(birth_date, today)
        check_joined_party(new.joined_party_on, birth_date, today)
        check_member_organization(
            await existing_organization(uow, new.organization_id, actor=actor)
        )
        await check_grid_reference(uow, new.grid_id, actor=actor)
        # An early answer; the unique index is the real guard against a race.
        holder = await uow.members.id_number_holder(id_number, scope=actor.scope)
        if holder is not None:
            await _refuse_duplicate(uow, actor, *holder)
        try:
            member = await uow.members.add(
                PartyMember(
                    id=0, name=new.name.strip(), id_number=id_number, birth_date=birth_date,
                    gender=gender_of(id_number), category=new.category,
                    organization_id=new.organization_id, grid_id=new.grid_id, phone=phone,
                    address=new.address.strip() if new.address else None,
                    joined_party_on=new.joined_party_on, work_unit=new.work_unit,
                    post=new.post,
                )
            )  # fmt: skip
        except Conflict as exc:
            if exc.extra.get("constraint") == ID_NUMBER_UNIQUE:
                raise RegistrationRefused() from None
            raise
        ledger = await uow.members.add_ledger_entry(member.id, entry) if entry else None
        uow.audit.record(
            actor, "member.register", "party_member", member.id,
            after={**snapshots.member(member), "mobile_ledger": snapshots.ledger_entry(ledger)},
            reason=", ".join(w.code for w in checked.warnings) or None,
        )  # fmt: skip
        await uow.commit()
        return MemberRecord(member, ledger, checked.warnings)


async def _refuse_duplicate(
    uow: UnitOfWork, actor: Actor, holder_id: int, visible: bool
) -> NoReturn:
    """Which member holds the number is told only to a caller who may reveal it there;
    anyone else gets the one refusal, and the auditor sees whose number was tried."""
    if visible and actor.principal.can(Permission.member_reveal):
        raise Conflict(
            f"this person is already registered in your scope: party member {holder_id}",
            constraint=ID_NUMBER_UNIQUE, member_id=holder_id,
        )  # fmt: skip
    where = "in the caller's scope, which may not reveal it" if visible else "outside the scope"
    uow.audit.record(
        actor, "member.register", "party_member", holder_id, outcome=Outcome.failed,
        reason=f"refused: the ID number is party member {holder_id}'s, {where}",
    )  # fmt: skip
    await uow.commit()
    raise RegistrationRefused()


async def get_member(uow: UnitOfWork, *, actor: Actor, member_id: int) -> MemberRecord:
    async with uow:
        member = await require_member(uow, member_id, actor=actor)
        # Only a mobile member has a current ledger entry (becoming mobile opens one,
        # ceasing ends it): the other four categories skip the round trip.
        ledger = (
            await uow.members.current_ledger_entry(member_id, scope=actor.scope)
            if member.category is MemberCategory.mobile
            else None
        )
        return MemberRecord(member, ledger)


async def update_member(
    uow: UnitOfWork,
    *,
    actor: Actor,
    member_id: int,
    changes: dict[str, Any],
    mobile_ledger: MobileLedgerEntry | None,
    expected_version: int | None,
) -> MemberRecord:
    """Edit personal data, category, grid, post or work unit.

    Becoming mobile needs a ledger entry; ceasing to be mobile ends the current one today.
    The organization changes only by a transfer, the ID number never.
    """
    async with uow:
        member = await require_member(uow, member_id, actor=actor, for_update=True)
        check_version(member.version, expected_version)
        check_active(member)
        today = business_today()
        scope = actor.scope
        if "phone" in changes:
            changes["phone"] = clean_phone(changes["phone"], "body.phone")
        for key in ("name", "address"):
            if isinstance(changes.get(key), str):
                changes[key] = changes[key].strip() or None
        if "joined_party_on" in changes:
            check_joined_party(changes["joined_party_on"], member.birth_date, today)
        category = changes.get("category", member.category)
        entry = None
        if mobile_ledger is not None:
            check_category_ledger(category, has_ledger=True)
            entry = prepared_entry(mobile_ledger, "body.mobile_ledger.contact_phone")
        if category is MemberCategory.mobile and member.category is not MemberCategory.mobile:
            check_category_ledger(category, has_ledger=entry is not None)
        changed = {k: v for k, v in changes.items() if getattr(member, k) != v}
        if not changed and entry is None:
            ledger = await uow.members.current_ledger_entry(member_id, scope=scope)
            return MemberRecord(member, ledger)
        if "grid_id" in changed:
            await check_grid_reference(uow, changed["grid_id"], actor=actor)
        previous = await uow.members.current_ledger_entry(member_id, scope=scope)
        if member.category is MemberCategory.mobile and category is not MemberCategory.mobile:
            await end_current_entry(uow, member_id, today, scope)
        if entry is not None:
            await record_entry(uow, member_id, entry, scope)
        values = {k: v.value if k == "category" else v for k, v in changed.items()}
        updated = await uow.members.update_fields(member_id, **values)
        ledger = await uow.members.current_ledger_entry(member_id, scope=scope)
        uow.audit.record_change(
            actor, "member.update", "party_member", member_id,
            {**snapshots.member(member), "mobile_ledger": snapshots.ledger_entry(previous)},
            {**snapshots.member(updated), "mobile_ledger": snapshots.ledger_entry(ledger)},
        )  # fmt: skip
        await uow.commit()
        return MemberRecord(updated, ledger)


async def leave_member(
    uow: UnitOfWork,
    *,
    actor: Actor,
    member_id: int,
    reason: LeaveReason,
    note: str | None,
    left_on: date | None,
    expected_version: int | None,
) -> tuple[MemberRecord, Transfer]:
    """Mark a member as left (出党, 去世...): never deleted; the transfer history gets a
    closing record from the last organization to none, with the reason."""
    async with uow:
        member = await require_member(uow, member_id, actor=actor, for_update=True)
        check_version(member.version, expected_version)
        check_active(member)
        today = business_today()
        left_on = left_on or today
        if left_on > today:
            raise RuleViolation("left_on is in the future", rule="leave-date-future")
        last = await uow.members.last_transfer_on(member_id)
        if last is not None and left_on < last:
            raise RuleViolation(
                "left_on is before the member's last transfer", rule="transfer-date-order"
            )
        await end_current_entry(uow, member_id, left_on, actor.scope)
        updated = await uow.members.update_fields(
            member_id, status=MemberStatus.left.value, central_household_group_id=None
        )
        transfer = await uow.members.add_transfer(
            Transfer(
                id=0, member_id=member_id, from_organization_id=member.organization_id,
                to_organization_id=None, effective_on=left_on,
                reason=f"left ({reason.value})" + (f": {note}" if note else ""),
            )
        )  # fmt: skip
        before, after = changed_fields(snapshots.member(member), snapshots.member(updated))
        uow.audit.record(
            actor, "member.leave", "party_member", member_id,
            before=before, after={**after, "transfer": snapshots.transfer(transfer)},
            reason=transfer.reason,
        )  # fmt: skip
        await uow.commit()
        return MemberRecord(updated, None), transfer


async def reinstate_member(
    uow: UnitOfWork,
    *,
    actor: Actor,
    member_id: int,
    reason: str,
    organization_id: int | None,
    expected_version: int | None,
) -> tuple[MemberRecord, Transfer]:
    """Undo a departure recorded by mistake: the member is active again in the organization
    they left (or ``organization_id``), a mobile member's ledger entry is current again,
    and the history gets a record from no organization back, with the reason. A central
    household role is not given back; set it again if it still holds."""
    async with uow:
        member = await require_member(uow, member_id, actor=actor, for_update=True)
        check_version(member.version, expected_version)
        check_left(member)
        target_id = organization_id or member.organization_id
        if target_id is None:
            raise RuleViolation(
                "name the organization (organization_id)", rule="organization-exists"
            )
        check_member_organization(await existing_organization(uow, target_id, actor=actor))
        if member.category is MemberCategory.mobile:
            await uow.members.reopen_last_ledger_entry(member_id)
        updated = await uow.members.update_fields(
            member_id, status=MemberStatus.active.value, organization_id=target_id
        )
        transfer = await uow.members.add_transfer(
            Transfer(
                id=0, member_id=member_id, from_organization_id=None, to_organization_id=target_id,
                effective_on=business_today(), reason=f"reinstated: {reason}",
            )
        )  # fmt: skip
        before, after = changed_fields(snapshots.member(member), snapshots.member(updated))
        uow.audit.record(
            actor, "member.reinstate", "party_member", member_id,
            before=before, after={**after, "transfer": snapshots.transfer(transfer)},
            reason=reason,
        )  # fmt: skip
        ledger = await uow.members.current_ledger_entry(member_id, scope=actor.scope)
        await uow.commit()
        return MemberRecord(updated, ledger), transfer


async def list_members(
    uow: UnitOfWork,
    *,
    actor: Actor,
    under: int | None,
    category: MemberCategory | None,
    grid_id: int | None,
    name_prefix: str | None,
    status: MemberStatus | None,
    after_id: int | None,
    limit: int,
) -> list[PartyMember]:
    """The members the actor sees, optionally those of one (visible) subtree."""
    async with uow:
        root_path = (
            (await require_organization(uow, under, actor=actor)).path
            if under is not None
            else None
        )
        return await uow.members.list_members(
            scope=actor.scope, root_path=root_path, category=category, grid_id=grid_id,
            name_prefix=name_prefix, status=status, after_id=after_id, limit=limit,
        )  # fmt: skip
