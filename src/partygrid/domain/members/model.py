"""Party members (党员): five categories managed five ways (五管), transfers, mobile ledger."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from partygrid.domain.errors import Conflict, RuleViolation
from partygrid.domain.identity import Gender, age_on
from partygrid.domain.organizations.model import (
    COMMUNITY_KINDS,
    MEMBER_HOLDING_KINDS,
    Organization,
    OrgKind,
    OrgStatus,
)


class RegistrationRefused(Conflict):
    """The person cannot be registered by this caller. One answer for every such case (a
    member elsewhere, or one the caller may not see the ID number of), so that it never
    confirms whose number it is."""

    code = "registration-refused"
    title = "Registration refused"

    def __init__(self) -> None:
        super().__init__(
            "this person cannot be registered from your scope. If they should be a party "
            "member here, ask the district organisation department (区委组织部) to check "
            "their registration and transfer their organisational relationship"
        )


class MemberCategory(StrEnum):
    resident = "resident"  # 居民党员
    in_service = "in_service"  # 在职党员
    retired = "retired"  # 离退休党员
    no_post = "no_post"  # 无职党员
    mobile = "mobile"  # 流动党员


class ManagementMode(StrEnum):
    direct = "direct"  # 直管
    co_managed = "co_managed"  # 共管, with the work unit
    joint = "joint"  # 联管, with the former unit
    taken_over = "taken_over"  # 接管, placed into the nearest branch
    assisted = "assisted"  # 协管, with the other end of the mobile ledger


MANAGEMENT_MODES: dict[MemberCategory, ManagementMode] = {
    MemberCategory.resident: ManagementMode.direct,
    MemberCategory.in_service: ManagementMode.co_managed,
    MemberCategory.retired: ManagementMode.joint,
    MemberCategory.no_post: ManagementMode.taken_over,
    MemberCategory.mobile: ManagementMode.assisted,
}


class MemberStatus(StrEnum):
    active = "active"
    left = "left"  # 出党, 去世...: the row stays, with its history


class LeaveReason(StrEnum):
    deceased = "deceased"  # 去世
    withdrew = "withdrew"  # 退党 / 出党
    removed = "removed"  # 除名
    expelled = "expelled"  # 开除党籍


class MobileDirection(StrEnum):
    inflow = "inflow"  # 流入: came here from elsewhere
    outflow = "outflow"  # 流出: went elsewhere from here


PARTY_MIN_AGE = 18  # the Party constitution admits people who are at least 18


@dataclass(slots=True)
class MobileLedgerEntry:
    """One period of a mobile member (流动党员台账); ending it keeps it as history."""

    direction: MobileDirection
    since: date
    origin_organization_id: int | None = None
    origin_place: str | None = None
    destination_organization_id: int | None = None
    destination_place: str | None = None
    occupation: str | None = None
    contact_phone: str | None = None
    expected_return_on: date | None = None
    certificate_no: str | None = None  # 流动党员活动证
    id: int = 0
    member_id: int = 0
    ended_on: date | None = None
    recorded_at: datetime | None = None


@dataclass(slots=True)
class PartyMember:
    id: int
    name: str
    id_number: str  # normalised; only ever leaves the system masked
    birth_date: date
    gender: Gender | None
    category: MemberCategory
    organization_id: int | None
    status: MemberStatus = MemberStatus.active
    grid_id: int | None = None
    phone: str | None = None
    address: str | None = None
    joined_party_on: date | None = None
    work_unit: str | None = None
    post: str | None = None  # 设岗定责, mostly for no_post members
    central_household_group_id: int | None = None  # 党员中心户 of this building group
    version: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def management_mode(self) -> ManagementMode:
        return MANAGEMENT_MODES[self.category]

    @property
    def is_central_household(self) -> bool:
        return self.central_household_group_id is not None


@dataclass(slots=True)
class Transfer:
    """组织关系转接; ``to_organization_id`` is None when the member left the Party."""

    id: int
    member_id: int
    from_organization_id: int | None
    to_organization_id: int | None
    effective_on: date
    reason: str | None
    at: datetime | None = None


def check_active(member: PartyMember) -> None:
    # The rule's code predates reinstatement: only an admin's correction brings them back.
    if member.status is not MemberStatus.active:
        raise RuleViolation(
            f"party member {member.id} has left; an admin can reinstate them if that was a "
            "mistake", rule="member-left-is-final",
        )  # fmt: skip


def check_left(member: PartyMember) -> None:
    if member.status is not MemberStatus.left:
        raise RuleViolation(f"party member {member.id} has not left", rule="member-not-left")


def check_member_organization(org: Organization) -> None:
    """Members hold their relationship in an active branch-level organization."""
    if org.status is not OrgStatus.active:
        raise RuleViolation(
            f"organization {org.id} is dissolved", rule="member-organization-active"
        )
    if org.kind not in MEMBER_HOLDING_KINDS:
        allowed = ", ".join(sorted(k.value for k in MEMBER_HOLDING_KINDS))
        raise RuleViolation(
            f"party members cannot belong to a {org.kind}; allowed kinds: {allowed}",
            rule="member-organization-kind",
        )


def check_adult(birth_date: date, today: date) -> None:
    """Nobody younger than the admission age can be a member yet."""
    if age_on(birth_date, today) < PARTY_MIN_AGE:
        raise RuleViolation(
            f"party members are at least {PARTY_MIN_AGE} years old", rule="member-age"
        )


def check_joined_party(joined_on: date | None, birth_date: date, today: date) -> None:
    if joined_on is None:
        return
    if joined_on > today:
        raise RuleViolation("joined_party_on is in the future", rule="joined-party-date")
    try:
        adult_on = birth_date.replace(year=birth_date.year + PARTY_MIN_AGE)
    except ValueError:  # born on 29 February
        adult_on = date(birth_date.year + PARTY_MIN_AGE, 3, 1)
    if joined_on < adult_on:
        raise RuleViolation(
            f"joined_party_on is before the member's {PARTY_MIN_AGE}th birthday",
            rule="joined-party-date",
        )


def check_ledger_entry(entry: MobileLedgerEntry) -> None:
    """Inflow names where the member came from, outflow where they went."""
    if entry.expected_return_on is not None and entry.expected_return_on < entry.since:
        raise RuleViolation("expected_return_on is before since", rule="ledger-return-after-since")
    if entry.direction is MobileDirection.inflow and not (
        entry.origin_organization_id or entry.origin_place
    ):
        raise RuleViolation(
            "an inflow entry needs origin_organization_id or origin_place",
            rule="ledger-origin-required",
        )
    if entry.direction is MobileDirection.outflow and not (
        entry.destination_organization_id or entry.destination_place
    ):
        raise RuleViolation(
            "an outflow entry needs destination_organization_id or destination_place",
            rule="ledger-destination-required",
        )


def check_category_ledger(category: MemberCategory, has_ledger: bool) -> None:
    """A mobile member always has a current ledger entry; others never get one."""
    if category is MemberCategory.mobile and not has_ledger:
        raise RuleViolation(
            "a mobile member needs a mobile ledger entry (mobile_ledger)",
            rule="mobile-ledger-required",
        )
    if category is not MemberCategory.mobile and has_ledger:
        raise RuleViolation(
            "only mobile members have a mobile ledger", rule="ledger-only-for-mobile"
        )


def check_ledger_end(entry: MobileLedgerEntry, ended_on: date) -> None:
    if ended_on < entry.since:
        raise RuleViolation(
            "a ledger entry cannot end before it started", rule="ledger-end-after-since"
        )


def check_transfer(
    member: PartyMember, target: Organization, effective_on: date, last_effective_on: date | None
) -> None:
    check_active(member)
    if member.organization_id == target.id:
        raise RuleViolation(
            "the member already belongs to this organization", rule="transfer-same-organization"
        )
    check_member_organization(target)
    if last_effective_on is not None and effective_on < last_effective_on:
        raise RuleViolation(
            "effective_on is before the member's previous transfer", rule="transfer-date-order"
        )


def central_household_scope(
    member_org: Organization, ancestors: list[Organization]
) -> Organization:
    """Where a member's central household may be: the community (社区党委/党总支) their
    organization is in, or the organization itself when it sits under no community
    (e.g. a red-sail branch set up by a street)."""
    for org in [member_org, *reversed(ancestors)]:
        if org.kind in COMMUNITY_KINDS:
            return org
    return member_org


def check_central_household(group: Organization, scope: Organization) -> None:
    if group.kind is not OrgKind.building_group:
        raise RuleViolation(
            f"a central household (党员中心户) is set on a building_group, not a {group.kind}",
            rule="central-household-kind",
        )
    if group.status is not OrgStatus.active:
        raise RuleViolation(
            f"building group {group.id} is dissolved", rule="central-household-active"
        )
    if not group.is_within(scope.path):
        raise RuleViolation(
            f"building group {group.id} is outside the member's {scope.kind} ({scope.id})",
            rule="central-household-scope",
        )


def mask_address(address: str | None) -> str | None:
    """The first six characters (city, district) and no more."""
    if not address:
        return address
    return address[:6] + "****"
