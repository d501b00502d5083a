"""The city's skeleton: the organization tree, grids on a lattice of real polygons, their
1+1+N+X staff, and the accounts the benchmark callers log in as.

Small enough at every scale (tens of thousands of rows) to build in memory; the grids
are kept as ``GridCell`` for the ticket and member generators to route into.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

import orjson

from partygrid.domain.calendar import SHANGHAI
from partygrid.domain.grids.model import parse_boundary
from partygrid.repo.keyring import Keyring
from partygrid.repo.sealing import STAFF_PHONE
from partygrid.seed.city import names
from partygrid.seed.city.plan import Plan, rng_for, spread

# Communities are blocks of a lattice around Qingdao; grids are cells inside a block.
CITY_CENTRE = (120.38, 36.10)
BLOCK_LON, BLOCK_LAT, STREET_GAP = 0.012, 0.010, 0.0006
GRID_KINDS = ("courtyard", "building", "estate", "road_segment", "business_district")
GRID_KIND_WEIGHTS = (30, 20, 35, 10, 5)


@dataclass(frozen=True, slots=True)
class GridCell:
    """What tickets and members need to know of a grid."""

    id: int
    community_id: int
    branch_id: int
    street_index: int  # 0-based, the street.admin.<n> (n = index + 1) over it
    box: tuple[float, float, float, float]  # min lon, min lat, max lon, max lat
    worker_user_id: int


@dataclass(slots=True)
class City:
    organizations: list[tuple[Any, ...]] = field(default_factory=list)
    grids: list[tuple[Any, ...]] = field(default_factory=list)
    staff: list[tuple[Any, ...]] = field(default_factory=list)
    users: list[tuple[Any, ...]] = field(default_factory=list)
    scopes: list[tuple[Any, ...]] = field(default_factory=list)
    cells: list[GridCell] = field(default_factory=list)
    streets: list[int] = field(default_factory=list)  # street org ids, in order
    street_admin_ids: list[int] = field(default_factory=list)
    # Organizations members belong to: (org id, grid id or None), members spread evenly.
    member_homes: list[tuple[int, int | None]] = field(default_factory=list)


ORG_COLUMNS = ("id", "kind", "name", "code", "parent_id", "path", "created_at", "updated_at")
GRID_COLUMNS = (
    "id", "code", "name", "kind", "community_id", "serving_branch_id", "boundary",
    "boundary_geojson", "area_m2", "centroid_lon", "centroid_lat", "created_at", "updated_at",
)  # fmt: skip
STAFF_COLUMNS = (
    "id", "grid_id", "role", "person_name", "phone_enc", "department", "affiliation", "duties",
    "started_on", "created_at",
)  # fmt: skip
USER_COLUMNS = (
    "id", "username", "display_name", "role", "password_hash", "password_changed_at",
    "must_change_password", "created_at", "updated_at",
)  # fmt: skip
SCOPE_COLUMNS = ("id", "user_id", "organization_id", "grid_id", "created_at")


@dataclass(frozen=True, slots=True)
class IdBase:
    """The largest id already in each table: generated ids follow it."""

    organizations: int = 0
    grids: int = 0
    staff: int = 0
    users: int = 0
    scopes: int = 0
    members: int = 0
    tickets: int = 0


def phone(rng_value: int) -> str:
    return f"1{3 + rng_value % 7}{rng_value // 7 % 10**9:09d}"


def build_city(plan: Plan, base: IdBase, keyring: Keyring, password_hash: str) -> City:
    city = City()
    rng = rng_for(plan.seed, "city")
    born = datetime.combine(plan.until - timedelta(days=3 * 365), time(9), SHANGHAI)
    org_id = base.organizations

    def add_org(kind: str, name: str, code: str, parent: tuple[Any, ...] | None) -> tuple:
        nonlocal org_id
        org_id += 1
        path = f"{parent[5]}.{org_id}" if parent else str(org_id)
        row = (org_id, kind, name, code, parent[0] if parent else None, path, born, born)
        city.organizations.append(row)
        return row

    districts = [
        add_org("district_committee", _numbered(names.DISTRICTS, d) + "委", f"GEN-D{d + 1:03d}",
                None)
        for d in range(plan.districts)
    ]  # fmt: skip
    streets = []
    for s in range(plan.streets):
        district = districts[spread(s, plan.streets, plan.districts)]
        word = _numbered(names.STREET_WORDS, s)
        streets.append(add_org("street_working_committee", f"{word}街道党工委",
                               f"GEN-S{s + 1:04d}", district))  # fmt: skip
    city.streets = [s[0] for s in streets]
    communities, community_street, short = [], [], {}
    for c in range(plan.communities):
        street_index = spread(c, plan.communities, plan.streets)
        committee = _evenly_marked(c, plan.communities, plan.community_committees)
        word = _numbered(names.COMMUNITY_WORDS, c)
        kind = "community_committee" if committee else "community_general_branch"
        suffix = "社区党委" if committee else "社区党总支"
        communities.append(add_org(kind, word + suffix, f"GEN-C{c + 1:05d}",
                                   streets[street_index]))  # fmt: skip
        community_street.append(street_index)
        short[communities[-1][0]] = word + "社区"
    branches = []
    for b in range(plan.grid_branches):
        community = communities[spread(b, plan.grid_branches, plan.communities)]
        branches.append(add_org("grid_branch", f"{short[community[0]]}第{b + 1}网格党支部",
                                f"GEN-GB{b + 1:06d}", community))  # fmt: skip
    groups = []
    for g in range(plan.building_groups):
        branch = branches[spread(g, plan.building_groups, plan.grid_branches)]
        groups.append(add_org("building_group", f"{branch[2][:-3]}{g + 1}号楼党小组",
                              f"GEN-BG{g + 1:06d}", branch))  # fmt: skip
    business = []
    for b in range(plan.business_district_branches):
        community = communities[spread(b, plan.business_district_branches, plan.communities)]
        business.append(add_org("business_district_branch", f"{short[community[0]]}商圈党支部",
                                f"GEN-BD{b + 1:04d}", community))  # fmt: skip
    features = []
    for f in range(plan.feature_branches):
        community = communities[spread(f, plan.feature_branches, plan.communities)]
        label = names.FEATURE_NAMES[f % len(names.FEATURE_NAMES)]
        features.append(add_org("feature_branch", f"{short[community[0]]}“{label}”特色党支部",
                                f"GEN-FB{f + 1:05d}", community))  # fmt: skip

    # Grids: each served by a grid branch, in that branch's community.
    grid_branch = [spread(g, plan.grids, plan.grid_branches) for g in range(plan.grids)]
    per_community: dict[int, list[int]] = {}
    for g, b in enumerate(grid_branch):
        per_community.setdefault(spread(b, plan.grid_branches, plan.communities), []).append(g)
    columns = math.ceil(math.sqrt(plan.communities))
    west = CITY_CENTRE[0] - columns * BLOCK_LON / 2
    south = CITY_CENTRE[1] - math.ceil(plan.communities / columns) * BLOCK_LAT / 2
    user_id = base.users
    scope_id = base.scopes
    started = plan.until - timedelta(days=3 * 365)

    def add_user(username: str, display: str, role: str) -> int:
        nonlocal user_id
        user_id += 1
        city.users.append((user_id, username, display, role, password_hash, born, False, born,
                           born))  # fmt: skip
        return user_id

    def add_scope(uid: int, org: int | None, grid: int | None) -> None:
        nonlocal scope_id
        scope_id += 1
        city.scopes.append((scope_id, uid, org, grid, born))

    admin = add_user("city.admin", "全市管理员", "district_admin")
    for district in districts:
        add_scope(admin, district[0], None)
    for n, street in enumerate(streets, start=1):
        uid = add_user(f"street.admin.{n}", f"{street[2][:-3]}管理员", "street_admin")
        city.street_admin_ids.append(uid)
        add_scope(uid, street[0], None)

    staff_id = base.staff
    grid_of_branch: dict[int, int] = {}
    for c, members in sorted(per_community.items()):
        community = communities[c]
        x0 = west + (c % columns) * BLOCK_LON
        y0 = south + (c // columns) * BLOCK_LAT
        cols = math.ceil(math.sqrt(len(members)))
        rows = math.ceil(len(members) / cols)
        xs = [round(x0 + (BLOCK_LON - STREET_GAP) * i / cols, 7) for i in range(cols + 1)]
        ys = [round(y0 + (BLOCK_LAT - STREET_GAP) * j / rows, 7) for j in range(rows + 1)]
        for k, g in enumerate(members):
            gid = base.grids + g + 1
            i, j = k % cols, k // cols
            ring = [(xs[i], ys[j]), (xs[i + 1], ys[j]), (xs[i + 1], ys[j + 1]),
                    (xs[i], ys[j + 1]), (xs[i], ys[j])]  # fmt: skip
            boundary = parse_boundary({"type": "Polygon", "coordinates": [ring]})
            kind = rng.choices(GRID_KINDS, GRID_KIND_WEIGHTS)[0]
            branch = branches[grid_branch[g]]
            grid_of_branch.setdefault(branch[0], gid)
            name = f"{short[community[0]]}{names.GRID_KIND_WORDS[kind]}网格{k + 1}"
            city.grids.append((
                gid, f"GEN-G{g + 1:06d}", name,
                kind, community[0], branch[0], ring[:-1],
                orjson.dumps(boundary.geojson()).decode(), boundary.area_m2,
                boundary.centroid_lon, boundary.centroid_lat, born, born,
            ))  # fmt: skip
            worker = add_user(f"grid.worker.{gid}", f"网格员{gid}", "grid_worker")
            add_scope(worker, None, gid)
            city.cells.append(GridCell(gid, community[0], branch[0], community_street[c],
                                       (xs[i], ys[j], xs[i + 1], ys[j + 1]), worker))  # fmt: skip
            for role, department, affiliation in _staffing(rng):
                staff_id += 1
                name = names.person_name(rng.getrandbits(16), rng.getrandbits(16))
                duties = f"{department}事项" if department else None
                city.staff.append((
                    staff_id, gid, role, name,
                    keyring.encrypt(phone(rng.getrandbits(40)), STAFF_PHONE),
                    department, affiliation, duties,
                    started + timedelta(days=rng.randrange(365)), born,
                ))  # fmt: skip
    city.cells.sort(key=lambda cell: cell.id)
    city.grids.sort(key=lambda row: row[0])

    # Member homes: building groups (with their branch's first grid), then the others.
    parent_of = {row[0]: row[4] for row in city.organizations}
    for group in groups:
        city.member_homes.append((group[0], grid_of_branch.get(parent_of[group[0]])))
    for row in (*branches, *features, *business):
        city.member_homes.append((row[0], grid_of_branch.get(row[0])))
    return city


def _staffing(rng: Any) -> list[tuple[str, str | None, str | None]]:
    """1+1+N+X: one leader, one full-time worker, N professionals, X part-timers and
    information collectors (4.43 a grid on average, as in the seeds)."""
    staff: list[tuple[str, str | None, str | None]] = [
        ("grid_leader", None, None),
        ("full_time_worker", None, None),
    ]
    for _ in range(rng.choices((0, 1, 2, 3), (10, 55, 30, 5))[0]):
        staff.append(("professional_worker", rng.choice(names.DEPARTMENTS), None))
    for _ in range(rng.choices((0, 1, 2, 3), (30, 40, 22, 8))[0]):
        role = rng.choice(("part_time_worker", "info_collector"))
        staff.append((role, None, rng.choice(names.AFFILIATIONS)))
    return staff


def _numbered(words: tuple[str, ...], i: int) -> str:
    """The i-th word, numbered once the list runs out, so names stay unique."""
    word = words[i % len(words)]
    return word if i < len(words) else f"{word}{i // len(words) + 1}"


def _evenly_marked(i: int, total: int, marked: int) -> bool:
    """Whether item ``i`` is one of ``marked`` spread evenly over ``total``."""
    return (i + 1) * marked // total > i * marked // total
