"""The rules of party members without a database: five categories, placement, ledger."""

from __future__ import annotations

from datetime import date

import pytest

from partygrid.domain.errors import RuleViolation
from partygrid.domain.identity import Gender
from partygrid.domain.members.model import (
    ManagementMode,
    MemberCategory,
    MemberStatus,
    MobileDirection,
    MobileLedgerEntry,
    PartyMember,
    central_household_scope,
    check_category_ledger,
    check_central_household,
    check_joined_party,
    check_ledger_end,
    check_ledger_entry,
    check_member_organization,
    check_transfer,
    mask_address,
)
from partygrid.domain.organizations.model import (
    MEMBER_HOLDING_KINDS,
    Organization,
    OrgKind,
    OrgStatus,
)

K = OrgKind
C = MemberCategory


def org(id: int, kind: OrgKind, path: str, status: OrgStatus = OrgStatus.active) -> Organization:
    parent = int(path.split(".")[-2]) if "." in path else None
    return Organization(id=id, kind=kind, name=f"{kind} {id}", parent_id=parent, path=path,
                        status=status)  # fmt: skip


STREET = org(1, K.street_working_committee, "1")
COMMUNITY = org(2, K.community_committee, "1.2")
BRANCH = org(3, K.grid_branch, "1.2.3")
GROUP = org(4, K.building_group, "1.2.3.4")
BRANCH_2 = org(5, K.grid_branch, "1.2.5")
GROUP_2 = org(6, K.building_group, "1.2.5.6")  # same community, other branch
OTHER_COMMUNITY = org(7, K.community_general_branch, "1.7")
OTHER_BRANCH = org(8, K.grid_branch, "1.7.8")
OTHER_GROUP = org(9, K.building_group, "1.7.8.9")
RED_SAIL = org(10, K.red_sail_branch, "1.10")


def member(**kw: object) -> PartyMember:
    values: dict[str, object] = {
        "id": 1, "name": "张丽华", "id_number": "11010519491231002X",
        "birth_date": date(1949, 12, 31), "gender": Gender.female, "category": C.resident,
        "organization_id": BRANCH.id,
    }  # fmt: skip
    values.update(kw)
    return PartyMember(**values)  # type: ignore[arg-type]


def broken_rule(fn: object, *args: object, **kwargs: object) -> str:
    with pytest.raises(RuleViolation) as info:
        fn(*args, **kwargs)  # type: ignore[operator]
    return info.value.rule


@pytest.mark.parametrize(
    ("category", "mode"),
    [
        (C.resident, ManagementMode.direct),
        (C.in_service, ManagementMode.co_managed),
        (C.retired, ManagementMode.joint),
        (C.no_post, ManagementMode.taken_over),
        (C.mobile, ManagementMode.assisted),
    ],
)
def test_each_category_is_managed_its_own_way(
    category: MemberCategory, mode: ManagementMode
) -> None:
    assert member(category=category).management_mode is mode


def test_the_five_modes_are_all_different() -> None:
    assert len({member(category=c).management_mode for c in C}) == 5


@pytest.mark.parametrize("kind", sorted(MEMBER_HOLDING_KINDS))
def test_members_may_sit_in_branch_level_kinds(kind: OrgKind) -> None:
    check_member_organization(org(20, kind, "1.20"))


@pytest.mark.parametrize(
    "kind", [K.district_committee, K.street_working_committee, K.industry_committee]
)
def test_leadership_bodies_hold_no_members(kind: OrgKind) -> None:
    rule = broken_rule(check_member_organization, org(20, kind, "20"))
    assert rule == "member-organization-kind"


def test_dissolved_organization_holds_no_members() -> None:
    dissolved = org(20, K.grid_branch, "1.2.20", OrgStatus.dissolved)
    assert broken_rule(check_member_organization, dissolved) == "member-organization-active"


def entry(direction: MobileDirection = MobileDirection.outflow, **kw: object) -> MobileLedgerEntry:
    values: dict[str, object] = {"since": date(2026, 3, 1), "destination_place": "广东省深圳市"}
    values.update(kw)
    return MobileLedgerEntry(direction=direction, **values)  # type: ignore[arg-type]


def test_ledger_entries_name_the_other_end() -> None:
    check_ledger_entry(entry())
    check_ledger_entry(entry(destination_place=None, destination_organization_id=42))
    check_ledger_entry(entry(MobileDirection.inflow, destination_place=None, origin_place="四川"))
    rule = broken_rule(check_ledger_entry, entry(destination_place=None))
    assert rule == "ledger-destination-required"
    inflow_without_origin = entry(MobileDirection.inflow)
    assert broken_rule(check_ledger_entry, inflow_without_origin) == "ledger-origin-required"


def test_expected_return_is_not_before_since() -> None:
    check_ledger_entry(entry(expected_return_on=date(2026, 3, 1)))
    rule = broken_rule(check_ledger_entry, entry(expected_return_on=date(2026, 2, 28)))
    assert rule == "ledger-return-after-since"


def test_mobile_members_and_only_they_have_a_ledger() -> None:
    check_category_ledger(C.mobile, has_ledger=True)
    check_category_ledger(C.resident, has_ledger=False)
    assert broken_rule(check_category_ledger, C.mobile, False) == "mobile-ledger-required"
    assert broken_rule(check_category_ledger, C.retired, True) == "ledger-only-for-mobile"


def test_a_ledger_entry_cannot_end_before_it_began() -> None:
    check_ledger_end(entry(), date(2026, 3, 1))
    assert broken_rule(check_ledger_end, entry(), date(2026, 2, 28)) == "ledger-end-after-since"


def test_joining_the_party_needs_an_eighteenth_birthday_in_the_past() -> None:
    born, today = date(2000, 2, 29), date(2026, 11, 22)
    check_joined_party(None, born, today)
    check_joined_party(date(2018, 3, 1), born, today)  # leap-day birthday counts from 1 March
    assert broken_rule(check_joined_party, date(2018, 2, 28), born, today) == "joined-party-date"
    assert broken_rule(check_joined_party, date(2026, 11, 23), born, today) == "joined-party-date"


def test_central_household_scope_is_the_community_or_the_branch_itself() -> None:
    assert central_household_scope(BRANCH, [STREET, COMMUNITY]) is COMMUNITY
    assert central_household_scope(GROUP, [STREET, COMMUNITY, BRANCH]) is COMMUNITY
    assert central_household_scope(RED_SAIL, [STREET]) is RED_SAIL


def test_central_household_is_a_building_group_in_the_same_community() -> None:
    check_central_household(GROUP, COMMUNITY)
    check_central_household(GROUP_2, COMMUNITY)
    assert broken_rule(check_central_household, BRANCH, COMMUNITY) == "central-household-kind"
    assert broken_rule(check_central_household, OTHER_GROUP, COMMUNITY) == (
        "central-household-scope"
    )
    dissolved = org(11, K.building_group, "1.2.3.11", OrgStatus.dissolved)
    assert broken_rule(check_central_household, dissolved, COMMUNITY) == "central-household-active"


def test_transfers_go_somewhere_new_in_date_order_for_active_members() -> None:
    day = date(2026, 5, 1)
    check_transfer(member(), OTHER_BRANCH, day, None)
    check_transfer(member(), OTHER_BRANCH, day, day)
    assert broken_rule(check_transfer, member(), BRANCH, day, None) == (
        "transfer-same-organization"
    )
    assert broken_rule(check_transfer, member(), STREET, day, None) == "member-organization-kind"
    assert broken_rule(check_transfer, member(), OTHER_BRANCH, day, date(2026, 5, 2)) == (
        "transfer-date-order"
    )
    gone = member(status=MemberStatus.left)
    assert broken_rule(check_transfer, gone, OTHER_BRANCH, day, None) == "member-left-is-final"


def test_address_mask_keeps_six_characters_of_chinese_text() -> None:
    assert mask_address("北京市朝阳区建国路88号院3号楼") == "北京市朝阳区****"
    assert mask_address(None) is None
    assert member().is_central_household is False
    assert member(central_household_group_id=GROUP.id).is_central_household is True
