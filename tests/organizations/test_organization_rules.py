"""The parent rules of the organization tree and the sizing advice, without a database."""

import pytest

from partygrid.domain.errors import RuleViolation
from partygrid.domain.organizations.model import (
    ALLOWED_PARENTS,
    Organization,
    OrgKind,
    SizingAdvice,
    check_parent,
    sizing_problem,
)
from partygrid.domain.reports.model import summary_zh

K = OrgKind


@pytest.mark.parametrize(
    ("kind", "parent"),
    [
        (K.street_working_committee, None),
        (K.street_working_committee, K.district_committee),
        (K.community_committee, K.street_working_committee),
        (K.grid_branch, K.community_committee),
        (K.grid_branch, K.community_general_branch),
        (K.building_group, K.grid_branch),
        (K.business_district_branch, K.street_working_committee),
        (K.joint_branch, K.industry_committee),
    ],
)
def test_allowed_placements(kind: OrgKind, parent: OrgKind | None) -> None:
    check_parent(kind, parent)


@pytest.mark.parametrize(
    ("kind", "parent", "rule"),
    [
        (K.street_working_committee, K.grid_branch, "parent-kind"),
        (K.building_group, K.community_committee, "parent-kind"),
        (K.grid_branch, K.street_working_committee, "parent-kind"),
        (K.grid_branch, None, "parent-required"),
        (K.district_committee, K.street_working_committee, "parent-kind"),
    ],
)
def test_forbidden_placements_name_the_rule(
    kind: OrgKind, parent: OrgKind | None, rule: str
) -> None:
    with pytest.raises(RuleViolation) as info:
        check_parent(kind, parent)
    assert info.value.rule == rule
    assert kind.value in info.value.detail


def test_every_kind_has_a_rule() -> None:
    assert set(ALLOWED_PARENTS) == set(OrgKind)


def test_no_kind_may_sit_under_a_building_group() -> None:
    for kind, parents in ALLOWED_PARENTS.items():
        assert K.building_group not in parents, kind


@pytest.mark.parametrize(
    ("kind", "members", "breaks"),
    [
        (K.community_general_branch, 100, False),
        (K.community_general_branch, 101, True),
        (K.community_committee, 500, False),
        (K.grid_branch, 50, False),
        (K.grid_branch, 51, True),
        (K.building_group, 15, False),
        (K.building_group, 16, True),
        (K.feature_branch, 900, False),
    ],
)
def test_sizing_advice_boundaries(kind: OrgKind, members: int, breaks: bool) -> None:
    assert (sizing_problem(kind, members, SizingAdvice()) is not None) is breaks


def test_is_within_compares_whole_labels() -> None:
    org = Organization(id=12, kind=K.grid_branch, name="x", parent_id=1, path="1.12")
    assert org.is_within("1")
    assert org.is_within("1.12")
    assert not org.is_within("1.1")  # "1.12" is not under "1.1"


def test_summary_follows_tree_order_and_skips_zeroes() -> None:
    text = summary_zh(
        {
            K.building_group: 4849,
            K.community_committee: 160,
            K.grid_branch: 1535,
            K.feature_branch: 0,
        }
    )
    assert text == "社区党委160个, 网格党支部1535个, 网格党小组4849个"
