"""Party organizations (党组织): kinds, the parent rules of the tree, sizing advice."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from partygrid.domain.errors import RuleViolation


class OrgKind(StrEnum):
    district_committee = "district_committee"  # 区委(组织部)
    street_working_committee = "street_working_committee"  # 街道党工委
    community_committee = "community_committee"  # 社区党委
    community_general_branch = "community_general_branch"  # 社区党总支
    grid_branch = "grid_branch"  # 网格党支部
    building_group = "building_group"  # 楼院党小组
    business_district_branch = "business_district_branch"  # 商圈网格党支部
    feature_branch = "feature_branch"  # 特色党支部
    red_sail_branch = "red_sail_branch"  # 红帆支部
    joint_branch = "joint_branch"  # 联合党支部
    industry_committee = "industry_committee"  # 行业党委
    unit_organization = "unit_organization"  # 驻区单位党组织


class OrgStatus(StrEnum):
    active = "active"
    dissolved = "dissolved"


K = OrgKind
COMMUNITY_KINDS = frozenset({K.community_committee, K.community_general_branch})
BRANCH_KINDS = frozenset(
    {K.grid_branch, K.business_district_branch, K.feature_branch, K.red_sail_branch, K.joint_branch}
)

# Which kinds may stand directly above each kind; None means "may be a root".
# Drawn from the seeds: grid branches are set up inside communities, party groups
# inside branches, business-district and red-sail branches by a community or street,
# industry committees under a comprehensive (street/district) committee.
ALLOWED_PARENTS: dict[OrgKind, frozenset[OrgKind | None]] = {
    K.district_committee: frozenset({None}),
    K.street_working_committee: frozenset({None, K.district_committee}),
    K.community_committee: frozenset({K.street_working_committee}),
    K.community_general_branch: frozenset({K.street_working_committee}),
    K.grid_branch: COMMUNITY_KINDS,
    K.building_group: BRANCH_KINDS,
    K.business_district_branch: COMMUNITY_KINDS | {K.street_working_committee},
    K.feature_branch: COMMUNITY_KINDS,
    K.red_sail_branch: COMMUNITY_KINDS | {K.street_working_committee},
    K.joint_branch: COMMUNITY_KINDS | {K.street_working_committee, K.industry_committee},
    K.industry_committee: frozenset({K.street_working_committee, K.district_committee}),
    K.unit_organization: COMMUNITY_KINDS
    | {K.street_working_committee, K.district_committee, K.industry_committee},
}

# Kinds under which party members may hold their organisational relationship.
# Committees above the community are leadership bodies, not where members sit.
MEMBER_HOLDING_KINDS = frozenset(OrgKind) - {
    K.district_committee,
    K.street_working_committee,
    K.industry_committee,
}


def check_parent(kind: OrgKind, parent_kind: OrgKind | None) -> None:
    """Refuse a placement the tree rules forbid, naming the rule."""
    allowed = ALLOWED_PARENTS[kind]
    if parent_kind in allowed:
        return
    if parent_kind is None:
        raise RuleViolation(f"a {kind} needs a parent organization", rule="parent-required")
    names = sorted(k.value for k in allowed if k is not None)
    raise RuleViolation(
        f"a {kind} cannot sit under a {parent_kind}; allowed parents: {', '.join(names)}",
        rule="parent-kind",
    )


@dataclass(frozen=True, slots=True)
class SizingAdvice:
    """The seeds' advice on sizes; a report lists organizations that break it."""

    community_committee_over: int = 100
    grid_branch_max: int = 50
    building_group_max: int = 15


def sizing_problem(kind: OrgKind, member_count: int, advice: SizingAdvice) -> str | None:
    """Why an organization of this kind and size breaks the advice, or None."""
    if kind == K.community_general_branch and member_count > advice.community_committee_over:
        return (
            f"community with {member_count} members (> {advice.community_committee_over}) "
            "should be a community committee (社区党委)"
        )
    if kind == K.grid_branch and member_count > advice.grid_branch_max:
        return f"grid branch with {member_count} members (> {advice.grid_branch_max}) should split"
    if kind == K.building_group and member_count > advice.building_group_max:
        return (
            f"building group with {member_count} members (> {advice.building_group_max}) "
            "should split"
        )
    return None


@dataclass(slots=True)
class Organization:
    id: int
    kind: OrgKind
    name: str
    parent_id: int | None
    path: str  # dotted ids from the root, e.g. "1.7.42"
    status: OrgStatus = OrgStatus.active
    code: str | None = None
    description: str | None = None
    version: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None
    dissolved_at: datetime | None = None
    ancestors: list[int] = field(default_factory=list)

    @property
    def depth(self) -> int:
        return self.path.count(".") + 1

    def is_within(self, other_path: str) -> bool:
        return self.path == other_path or self.path.startswith(other_path + ".")
