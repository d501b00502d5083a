"""The demo street: its organization tree and its grids with their 1+1+N+X staff."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from partygrid.domain.grids.model import GridKind, StaffRole
from partygrid.domain.organizations.model import OrgKind
from partygrid.seed.demo.people import mobile_for

ROOT_CODE = "DEMO-DISTRICT"
STREET_CODE = "DEMO-STREET"
DEMO_NOTE = "演示数据 (demo data, created by `partygrid demo`)"

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


@dataclass(frozen=True, slots=True)
class DemoStaff:
    role: StaffRole
    name: str
    phone: str
    department: str | None = None
    affiliation: str | None = None
    duties: str | None = None
    started_on: date = date(2023, 3, 1)


@dataclass(frozen=True, slots=True)
class DemoGrid:
    code: str
    name: str
    kind: GridKind
    community: str  # organization codes
    serving_branch: str
    boundary: dict[str, Any]  # GeoJSON Polygon
    staff: tuple[DemoStaff, ...]

    @property
    def has_leader(self) -> bool:
        return any(s.role is StaffRole.grid_leader for s in self.staff)


# By 金沙滩 in Huangdao: cells of about 297 m x 300 m in two rows, west to east. Grids
# share edges (touching is allowed, overlapping is not); some cut a corner or keep to a
# strip of road, so not every grid is a rectangle.
_WEST, _SOUTH = 120.2150, 35.9580
_CELL_LON, _CELL_LAT = 0.0033, 0.0027


def _polygon(*corners: tuple[float, float]) -> dict[str, Any]:
    """A closed, counter-clockwise GeoJSON Polygon through (column, row) cell positions."""
    ring = [[round(_WEST + c * _CELL_LON, 6), round(_SOUTH + r * _CELL_LAT, 6)] for c, r in corners]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def _staff(role: StaffRole, name: str, **details: Any) -> DemoStaff:
    return DemoStaff(role, name, mobile_for(f"staff:{name}"), **details)


R = StaffRole
_CITY = {"department": "区城管局", "duties": "市容环境、占道经营与违法建设巡查"}
_MARKET = {"department": "区市场监管局", "duties": "食品安全与商户经营秩序检查"}
_POLICE = {"affiliation": "金沙滩派出所", "duties": "社区民警：治安防范、矛盾纠纷调处"}
_CLEANER = {"affiliation": "区环卫中心", "duties": "环卫工人：清扫途中发现问题随手上报"}


def _rider(platform: str) -> dict[str, str]:
    return {"affiliation": f"骑先锋（{platform}）", "duties": "送单途中随手拍、随手报"}


_LEAD = {"duties": "网格长：统筹网格内党建与治理事务"}
_FULL = {"duties": "专职网格员：入户走访、信息采集、事件上报"}

DEMO_GRIDS: tuple[DemoGrid, ...] = (
    DemoGrid(
        "DEMO-GRID-C1-1", "海滨社区第一网格（海滨花园）", GridKind.courtyard, "DEMO-C1",
        "DEMO-C1-G1", _polygon((0, 0), (1, 0), (1, 1), (0, 1)),
        (
            _staff(R.grid_leader, "王建华", **_LEAD),
            _staff(R.full_time_worker, "李晓燕", **_FULL),
            _staff(R.professional_worker, "张伟", **_CITY),
            _staff(R.part_time_worker, "陈志强", **_POLICE),
            _staff(R.part_time_worker, "赵磊", **_rider("美团外卖")),
            _staff(R.info_collector, "孙桂兰", **_CLEANER),
        ),
    ),
    DemoGrid(
        "DEMO-GRID-C1-2", "海滨社区第二网格（观海苑）", GridKind.estate, "DEMO-C1",
        "DEMO-C1-G2", _polygon((1, 0), (2, 0), (2, 0.6), (1.6, 1), (1, 1)),
        (
            _staff(R.grid_leader, "刘海涛", **_LEAD),
            _staff(R.full_time_worker, "杨丽娟", **_FULL),
            _staff(R.professional_worker, "黄明", **_MARKET),
            _staff(R.part_time_worker, "周斌", **_POLICE),
            _staff(R.info_collector, "吴秀英", **_CLEANER),
        ),
    ),
    DemoGrid(
        "DEMO-GRID-C1-BD", "金沙滩商圈网格", GridKind.business_district, "DEMO-C1",
        "DEMO-C1-BD", _polygon((2, 0), (3, 0), (3, 1), (2, 1)),
        (
            _staff(R.grid_leader, "徐国庆", **_LEAD),
            _staff(R.full_time_worker, "马婷婷", **_FULL),
            _staff(R.professional_worker, "朱宏伟", **_MARKET),
            _staff(R.professional_worker, "胡晓东", **_CITY),
            _staff(R.part_time_worker, "郭鹏", **_rider("饿了么")),
            _staff(R.info_collector, "何玉兰", **_CLEANER),
        ),
    ),
    DemoGrid(
        "DEMO-GRID-C2-1", "银沙社区第一网格（银沙小区）", GridKind.estate, "DEMO-C2",
        "DEMO-C2-G1", _polygon((0, 1), (1, 1), (1, 2), (0, 2)),
        (
            _staff(R.grid_leader, "高志刚", **_LEAD),
            _staff(R.full_time_worker, "林静", **_FULL),
            _staff(R.professional_worker, "罗建军", **_CITY),
            _staff(R.part_time_worker, "王磊", **_POLICE),
            _staff(R.info_collector, "李红梅", **_CLEANER),
        ),
    ),
    DemoGrid(
        "DEMO-GRID-C2-2", "银沙社区第二网格（银沙路）", GridKind.road_segment, "DEMO-C2",
        "DEMO-C2-G2", _polygon((1, 1.35), (2, 1.35), (2, 1.65), (1, 1.65)),
        (
            _staff(R.grid_leader, "张海燕", **_LEAD),
            _staff(R.full_time_worker, "刘敏", **_FULL),
            _staff(R.professional_worker, "陈刚", **_CITY),
            _staff(R.part_time_worker, "杨帆", **_rider("顺丰速运")),
            _staff(R.info_collector, "赵淑珍", **_CLEANER),
        ),
    ),
    # No grid leader yet: the coverage report lists this grid as a gap.
    DemoGrid(
        "DEMO-GRID-C3-1", "渔港社区网格（渔港新村）", GridKind.courtyard, "DEMO-C3",
        "DEMO-C3-G1", _polygon((2, 1), (3, 1), (3, 2), (2.4, 2), (2, 1.6)),
        (
            _staff(R.full_time_worker, "吴丽华", **_FULL),
            _staff(R.professional_worker, "周涛", **_MARKET),
            _staff(R.part_time_worker, "孙浩", **_POLICE),
            _staff(R.info_collector, "马桂英", **_CLEANER),
        ),
    ),
)  # fmt: skip
