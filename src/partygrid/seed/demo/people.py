"""The demo street's party members, generated from a fixed seed.

Each member draws from its own random generator, seeded with the seed and the member's
place in ``MEMBER_PLAN``, so the same code always produces the same names and ID numbers
(a second load finds them by ID number) and adding a member later changes no other one.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from partygrid.domain.identity import CITIZENS, check_id_number
from partygrid.domain.members.model import (
    LeaveReason,
    MemberCategory,
    MobileDirection,
    MobileLedgerEntry,
)

SEED = "partygrid-demo-2024"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"

# Given names of three generations (male, female): 建国 and 秀英 are born in the 1950s,
# 子豪 and 欣怡 in the 1990s.
_GIVEN: tuple[tuple[int, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        1960,
        ("建国", "建华", "国庆", "志刚", "德明", "振华", "永福", "文彬", "玉林", "树森"),
        ("秀英", "桂英", "玉兰", "淑珍", "凤英", "桂兰", "秀兰", "玉梅", "素芬", "翠华"),
    ),
    (
        1985,
        ("伟", "磊", "勇", "军", "强", "海涛", "志强", "建军", "晓东", "宏伟", "国栋", "立新"),
        ("丽", "敏", "静", "艳", "娟", "红梅", "丽华", "海燕", "晓燕", "春燕", "雪梅", "秀丽"),
    ),
    (
        9999,
        ("浩", "鹏", "宇", "子豪", "浩然", "俊杰", "宇航", "文博", "思远", "一鸣"),
        ("婷婷", "雪", "欣怡", "佳怡", "梦瑶", "雨涵", "思琪", "晓彤", "诗涵", "悦"),
    ),
)

_MOBILE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139",
    "150", "151", "152", "155", "156", "157", "158", "159",
    "180", "181", "182", "183", "185", "186", "187", "188", "189",
)  # fmt: skip

# GB/T 2260 codes of Qingdao districts, weighted: most of the street was born in Huangdao.
_REGIONS = ("370211", "370202", "370203")  # 黄岛区, 市南区, 市北区
_REGION_WEIGHTS = (7, 2, 1)

_WEIGHTS = tuple(2 ** (17 - i) % 11 for i in range(17))


def check_digit(first17: str) -> str:
    """GB 11643 ISO 7064 MOD 11-2: weights 2^(17-i) mod 11; a remainder maps to 1 0 X 9 ... 2."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return "10X98765432"[total % 11]


def id_number(region: str, born: date, order: int) -> str:
    """An 18-character resident ID number; ``order`` (1-999) is odd for men, even for women."""
    first17 = f"{region}{born:%Y%m%d}{order:03d}"
    number = first17 + check_digit(first17)
    # Refuses a bad one loudly.
    return check_id_number(number, population=CITIZENS, field="demo.id_number").number


def mobile(rng: random.Random) -> str:
    return rng.choice(_MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def mobile_for(key: str) -> str:
    """A stable mobile number for a named person (grid staff)."""
    return mobile(random.Random(f"{SEED}:{key}"))


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return date(day.year + years, 3, 1)


def _day_in(rng: random.Random, first_year: int, last_year: int) -> date:
    start = date(first_year, 1, 1)
    return start + timedelta(days=rng.randrange((date(last_year, 12, 31) - start).days + 1))


@dataclass(frozen=True, slots=True)
class DemoTransfer:
    to: str  # organization code
    effective_on: date
    reason: str


@dataclass(frozen=True, slots=True)
class DemoLeave:
    reason: LeaveReason
    left_on: date
    note: str


@dataclass(frozen=True, slots=True)
class Story:
    """What happens to a member beyond registration."""

    grid: str | None = None  # grid code the member is placed in
    central_household: str | None = None  # building group code (党员中心户)
    transfers: tuple[DemoTransfer, ...] = ()
    leaves: DemoLeave | None = None


@dataclass(frozen=True, slots=True)
class DemoMember:
    name: str
    id_number: str
    category: MemberCategory
    organization: str  # code of the organization the member is registered in
    phone: str
    address: str
    joined_party_on: date
    work_unit: str | None = None
    post: str | None = None
    mobile_ledger: MobileLedgerEntry | None = None
    story: Story = Story()

    @property
    def path(self) -> tuple[str, ...]:
        """The organizations the member belongs to in turn, registration first."""
        return (self.organization, *(t.to for t in self.story.transfers))

    @property
    def stays(self) -> bool:
        """Still an active member once the story is told."""
        return self.story.leaves is None


# One letter per member: R resident, I in service (在职), T retired (退休), N no post
# (无职, 设岗定责), M mobile inflow (流入), O mobile outflow (流出).
MEMBER_PLAN: tuple[tuple[str, str], ...] = (
    ("DEMO-C1-G1-B1", "RRRRRIIIITTTTNNO"),  # 16: one more than a building group should hold
    ("DEMO-C1-G1-B2", "RRITN"),
    ("DEMO-C1-G1", "I"),
    ("DEMO-C1-G2-B1", "RTIN"),
    ("DEMO-C1-G2", "M"),
    ("DEMO-C1-BD", "IIM"),
    ("DEMO-C1-F1", "TT"),  # 夕阳红: retired members
    ("DEMO-C2-G1-B1", "RRTTN"),
    ("DEMO-C2-G1", "ION"),
    ("DEMO-C2-G2", "RRIMO"),
    ("DEMO-C2-F1", "TT"),  # 老兵乐: veterans
    ("DEMO-C3-G1-B1", "RRTNI"),
    ("DEMO-C3-G1", "RTTMO"),
    ("DEMO-RED-SAIL", "MMI"),  # 红帆: couriers and riders of the new economy
)

STORIES: dict[tuple[str, int], Story] = {
    ("DEMO-C1-G1-B1", 0): Story(central_household="DEMO-C1-G1-B1"),
    ("DEMO-C1-G1-B1", 1): Story(grid="DEMO-GRID-C1-1"),
    ("DEMO-C1-G2-B1", 0): Story(grid="DEMO-GRID-C1-2"),
    ("DEMO-C1-G2-B1", 1): Story(central_household="DEMO-C1-G2-B1"),
    ("DEMO-C1-BD", 0): Story(grid="DEMO-GRID-C1-BD"),
    ("DEMO-C2-G1-B1", 0): Story(grid="DEMO-GRID-C2-1"),
    ("DEMO-C2-G1-B1", 2): Story(central_household="DEMO-C2-G1-B1"),
    ("DEMO-C2-G2", 0): Story(
        transfers=(DemoTransfer("DEMO-C1-G2-B1", date(2024, 4, 15), "迁居观海苑，组织关系转入"),)
    ),
    ("DEMO-C2-G2", 1): Story(grid="DEMO-GRID-C2-2"),
    ("DEMO-C3-G1", 0): Story(
        transfers=(
            DemoTransfer("DEMO-C2-G1", date(2023, 9, 1), "渔港新村旧改搬迁，暂转银沙社区"),
            DemoTransfer("DEMO-C2-G1-B1", date(2024, 6, 1), "入住银沙小区，编入楼院党小组"),
        )
    ),
    ("DEMO-C3-G1", 1): Story(leaves=DemoLeave(LeaveReason.deceased, date(2025, 1, 8), "因病去世")),
    ("DEMO-C3-G1-B1", 0): Story(grid="DEMO-GRID-C3-1"),
}

# Where the members of each organization live: a road and its house numbers.
_HOMES: dict[str, tuple[str, tuple[int, ...]]] = {
    "DEMO-C1-G1-B1": ("海滨路", (12,)),
    "DEMO-C1-G1-B2": ("海滨路", (14,)),
    "DEMO-C1-G1": ("海滨路", (2, 6, 8, 20)),
    "DEMO-C1-G2-B1": ("观海路", (8,)),
    "DEMO-C1-G2": ("观海路", (3, 5, 11)),
    "DEMO-C1-BD": ("金沙滩路", (66, 88, 99)),
    "DEMO-C1-F1": ("海滨路", (16, 18)),
    "DEMO-C2-G1-B1": ("银沙路", (21,)),
    "DEMO-C2-G1": ("银沙路", (15, 17, 23)),
    "DEMO-C2-G2": ("银沙路", (31, 35, 39)),
    "DEMO-C2-F1": ("银沙路", (9, 11)),
    "DEMO-C3-G1-B1": ("渔港路", (5,)),
    "DEMO-C3-G1": ("渔港路", (1, 3, 7, 9)),
    "DEMO-RED-SAIL": ("金沙滩路", (120, 128)),
}

_CATEGORIES = {
    "R": MemberCategory.resident,
    "I": MemberCategory.in_service,
    "T": MemberCategory.retired,
    "N": MemberCategory.no_post,
    "M": MemberCategory.mobile,
    "O": MemberCategory.mobile,
}
_BIRTH_YEARS = {"R": (1950, 1990), "I": (1970, 1998), "T": (1940, 1962), "N": (1960, 1995)}
_MOBILE_BIRTH_YEARS = (1975, 2000)

_WORK_UNITS = (
    "青岛西海岸新区人民医院", "黄岛区实验小学", "青岛港集团前湾港区", "海尔集团黄岛工业园",
    "中国石化青岛炼化公司", "国家税务总局青岛市黄岛区税务局", "青岛银行黄岛支行",
    "海信集团黄岛研发中心", "金沙滩街道办事处", "黄岛区第一中学",
)  # fmt: skip
_POSTS = (
    "政策宣传岗", "环境监督岗", "邻里调解岗", "文明劝导岗", "治安巡逻岗", "关爱帮扶岗",
    "楼道长", "民情联络岗",
)  # fmt: skip
_ORIGINS = (
    "临沂市兰山区", "潍坊市寿光市", "菏泽市曹县", "河南省周口市川汇区", "安徽省阜阳市颍州区",
    "日照市东港区",
)  # fmt: skip
_INFLOW_JOBS = ("外卖骑手", "快递员", "建筑工人", "个体经营户", "网约车司机")
_DESTINATIONS = (
    "上海市浦东新区", "广东省深圳市南山区", "北京市朝阳区", "江苏省苏州市工业园区",
    "浙江省宁波市北仑区",
)  # fmt: skip
_OUTFLOW_JOBS = ("软件工程师", "远洋船员", "建筑工程师", "外贸业务员")


def _name(rng: random.Random, born: date, male: bool, taken: set[str]) -> str:
    males, females = next((m, f) for until, m, f in _GIVEN if born.year < until)
    while True:
        name = rng.choice(SURNAMES) + rng.choice(males if male else females)
        if name not in taken:
            taken.add(name)
            return name


def _ledger(rng: random.Random, letter: str, phone: str) -> MobileLedgerEntry:
    since = _day_in(rng, 2021, 2024)
    certificate_no = f"鲁青黄流〔{since.year}〕{rng.randrange(1, 1000):03d}号"  # 活动证号
    if letter == "M":
        return MobileLedgerEntry(
            direction=MobileDirection.inflow, since=since, origin_place=rng.choice(_ORIGINS),
            occupation=rng.choice(_INFLOW_JOBS), contact_phone=phone,
            certificate_no=certificate_no,
        )  # fmt: skip
    return MobileLedgerEntry(
        direction=MobileDirection.outflow, since=since,
        destination_place=rng.choice(_DESTINATIONS), occupation=rng.choice(_OUTFLOW_JOBS),
        contact_phone=mobile(rng), expected_return_on=_years_after(since, rng.randint(2, 4)),
        certificate_no=certificate_no,
    )  # fmt: skip


def _member(
    org: str, index: int, letter: str, taken_names: set[str], taken_ids: set[str]
) -> DemoMember:
    rng = random.Random(f"{SEED}:{org}:{index}")
    first, last = _BIRTH_YEARS.get(letter, _MOBILE_BIRTH_YEARS)
    born = _day_in(rng, first, last)
    male = rng.random() < 0.55
    region = rng.choices(_REGIONS, _REGION_WEIGHTS)[0]
    while True:
        number = id_number(region, born, rng.randrange(1, 500) * 2 - (1 if male else 0))
        if number not in taken_ids:
            taken_ids.add(number)
            break
    phone = mobile(rng)
    road, numbers = _HOMES[org]
    address = (
        f"青岛市黄岛区{road}{rng.choice(numbers)}号"
        f"{rng.randint(1, 4)}单元{rng.randint(1, 18)}0{rng.randint(1, 2)}"
    )
    category = _CATEGORIES[letter]
    return DemoMember(
        name=_name(rng, born, male, taken_names), id_number=number, category=category,
        organization=org, phone=phone, address=address,
        joined_party_on=min(_years_after(born, rng.randint(20, 35)), date(2024, 7, 1)),
        work_unit=(
            rng.choice(_WORK_UNITS) if letter == "I"
            else f"原{rng.choice(_WORK_UNITS)}（退休）" if letter == "T"
            else None
        ),
        post=rng.choice(_POSTS) if letter == "N" else None,
        mobile_ledger=_ledger(rng, letter, phone) if letter in "MO" else None,
        story=STORIES.get((org, index), Story()),
    )  # fmt: skip


def build_members(plan: Iterable[tuple[str, str]] = MEMBER_PLAN) -> tuple[DemoMember, ...]:
    taken_names: set[str] = set()
    taken_ids: set[str] = set()
    return tuple(
        _member(org, index, letter, taken_names, taken_ids)
        for org, letters in plan
        for index, letter in enumerate(letters)
    )


DEMO_MEMBERS = build_members()
