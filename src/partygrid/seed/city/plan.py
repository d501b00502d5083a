"""How big the city is: every count from the seed documents' figures times the scale.

At scale 1 the city has the size the source documents describe (about ten districts,
sixty streets, 5,000 grids, 300,000 party members, two years of tickets); every count
scales linearly, rounded, with at least one of each kind so a tiny city still has every
part.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

# Figures at scale 1 (seeds/: a real city's party-building statistics).
PER_SCALE = {
    "districts": 10,
    "streets": 60,
    "communities": 700,
    "community_committees": 160,
    "grid_branches": 1_535,
    "building_groups": 4_849,
    "business_district_branches": 12,
    "feature_branches": 315,
    "grids": 5_000,
    "members": 300_000,
    "tickets": 2_000_000,
}
STAFF_PER_GRID = 2_598 / 586  # 1+1+N+X as staffed in the seeds
TRANSFER_SHARE = 0.08  # members with a recorded transfer of organisational relationship
TICKET_DAYS = 730  # two years of tickets before --until
MEMBER_CHUNK = 5_000
TICKET_CHUNK = 5_000


@dataclass(frozen=True, slots=True)
class Plan:
    scale: float
    seed: int
    until: date
    districts: int
    streets: int
    communities: int
    community_committees: int
    grid_branches: int
    building_groups: int
    business_district_branches: int
    feature_branches: int
    grids: int
    members: int
    tickets: int

    @classmethod
    def for_scale(cls, scale: float, seed: int, until: date) -> Plan:
        if scale <= 0:
            raise ValueError("scale must be positive")
        n = {k: max(1, round(v * scale)) for k, v in PER_SCALE.items()}
        # A tree needs at least one parent per child level, and a grid per community.
        n["streets"] = max(n["streets"], n["districts"])
        n["communities"] = max(n["communities"], n["streets"])
        n["community_committees"] = min(n["community_committees"], n["communities"])
        n["grid_branches"] = max(n["grid_branches"], n["communities"])
        n["building_groups"] = max(n["building_groups"], n["grid_branches"])
        n["grids"] = max(n["grids"], n["grid_branches"])
        return cls(scale=scale, seed=seed, until=until, **n)

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["until"] = self.until.isoformat()
        return d


def rng_for(seed: int, *parts: object) -> random.Random:
    """A generator of its own for each part of the city (and each chunk), so a chunk is
    the same whichever process makes it and in whatever order."""
    key = ":".join(str(p) for p in (seed, *parts)).encode()
    return random.Random(int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "big"))


def spread(child: int, children: int, parents: int) -> int:
    """The parent of the ``child``-th of ``children`` spread evenly over ``parents``."""
    return child * parents // children


def chunks(total: int, size: int) -> list[tuple[int, int]]:
    """[start, stop) ranges of at most ``size`` covering 0..total."""
    return [(start, min(start + size, total)) for start in range(0, total, size)]
