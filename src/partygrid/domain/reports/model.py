"""Report figures and their wording, independent of how they are queried."""

from __future__ import annotations

from partygrid.domain.organizations.model import OrgKind

KIND_LABELS_ZH: dict[OrgKind, str] = {
    OrgKind.district_committee: "区委",
    OrgKind.street_working_committee: "街道党工委",
    OrgKind.community_committee: "社区党委",
    OrgKind.community_general_branch: "社区党总支",
    OrgKind.grid_branch: "网格党支部",
    OrgKind.building_group: "网格党小组",
    OrgKind.business_district_branch: "商圈网格党支部",
    OrgKind.feature_branch: "特色党支部",
    OrgKind.red_sail_branch: "红帆支部",
    OrgKind.joint_branch: "联合党支部",
    OrgKind.industry_committee: "行业党委",
    OrgKind.unit_organization: "驻区单位党组织",
}


def summary_zh(counts_by_kind: dict[OrgKind, int]) -> str:
    """The sentence the seeds quote: 社区党委160个, 网格党支部1535个, ... in tree order."""
    parts = [
        f"{KIND_LABELS_ZH[kind]}{counts_by_kind[kind]}个"
        for kind in OrgKind
        if counts_by_kind.get(kind)
    ]
    return ", ".join(parts)
