"""Party members with valid resident ID numbers (GB 11643), sealed as the service seals
them, their transfers of organisational relationship and the mobile members' ledger.

Each chunk of members is made from its own random generator, so chunks can be built in
any process and order and still give the same city.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import Any

from stdnum.cn import ric

from partygrid.domain.calendar import SHANGHAI
from partygrid.repo.keyring import Keyring
from partygrid.repo.sealing import (
    ID_NUMBER,
    LEDGER_PHONE,
    MEMBER_ADDRESS,
    MEMBER_PHONE,
    id_number_index,
)
from partygrid.seed.city import names
from partygrid.seed.city.city import phone
from partygrid.seed.city.plan import TRANSFER_SHARE, rng_for, spread

FIRST_BIRTH = date(1936, 1, 1)
LAST_BIRTH = date(2004, 12, 31)
BIRTH_DAYS = (LAST_BIRTH - FIRST_BIRTH).days + 1
# Multiplier walking the birth days in a scattered order; prime, so it never divides
# BIRTH_DAYS and member k's (birth day, sequence) pair is unique (see id_number).
STRIDE = 7_919
MAX_MEMBERS = BIRTH_DAYS * 490  # sequence numbers stay below 1,000

MEMBER_COLUMNS = (
    "id", "name", "gender", "id_number_enc", "id_number_hmac", "birth_date", "phone_enc",
    "address_enc", "category", "organization_id", "grid_id", "joined_party_on", "work_unit",
    "post", "created_at", "updated_at",
)  # fmt: skip
TRANSFER_COLUMNS = ("member_id", "from_organization_id", "to_organization_id", "effective_on",
                    "reason", "at")  # fmt: skip
LEDGER_COLUMNS = (
    "member_id", "direction", "origin_organization_id", "origin_place",
    "destination_organization_id", "destination_place", "occupation", "contact_phone_enc",
    "since", "expected_return_on", "certificate_no", "recorded_at",
)  # fmt: skip
POSTS = ("楼道长", "环境卫生监督岗", "政策宣传岗", "文明劝导岗", "邻里调解岗", "治安巡逻岗")


@dataclass(frozen=True, slots=True)
class MemberSpec:
    """What a worker needs to make member chunks (picklable)."""

    seed: int
    total: int
    until: date
    homes: tuple[tuple[int, int | None], ...]  # (organization, grid) spread over members
    id_base: int
    keyring: Keyring


@cache
def regions_for(year: int) -> tuple[str, ...]:
    """County codes in force in ``year`` (stdnum's table of GB/T 2260 history)."""
    valid = []
    for code in names.REGION_CODES:
        probe = f"{code}{year}0101001"
        probe += ric.calc_check_digit(probe + "X")
        if ric.is_valid(probe):
            valid.append(code)
    return tuple(valid)


def id_number(k: int, region_pick: int, male: bool) -> tuple[str, date]:
    """The k-th member's ID number: k fixes the birth day and the sequence's high part,
    so no two members share a number whatever the region."""
    birth = FIRST_BIRTH + timedelta(days=k * STRIDE % BIRTH_DAYS)
    regions = regions_for(birth.year)
    sequence = (k // BIRTH_DAYS) * 2 + (1 if male else 0)  # odd: male (GB 11643)
    body = f"{regions[region_pick % len(regions)]}{birth:%Y%m%d}{sequence:03d}"
    return body + ric.calc_check_digit(body + "X"), birth


def _category(age: int, pick: float) -> str:
    if age >= 60:
        return "retired" if pick < 0.65 else "resident" if pick < 0.90 else (
            "no_post" if pick < 0.97 else "mobile")  # fmt: skip
    return "in_service" if pick < 0.45 else "resident" if pick < 0.70 else (
        "no_post" if pick < 0.82 else "mobile")  # fmt: skip


def member_chunk(spec: MemberSpec, start: int, stop: int) -> dict[str, list[tuple[Any, ...]]]:
    """Members start..stop-1 (0-based) with their transfers and ledger entries."""
    rng = rng_for(spec.seed, "members", start)
    keyring = spec.keyring
    members, transfers, ledger = [], [], []
    until = spec.until
    homes = spec.homes
    recorded = datetime.combine(until - timedelta(days=400), time(10), SHANGHAI)
    for k in range(start, stop):
        member_id = spec.id_base + k + 1
        male = rng.random() < 0.62
        number, birth = id_number(k, rng.getrandbits(16), male)
        age = until.year - birth.year
        category = _category(age, rng.random())
        org, grid = homes[spread(k, spec.total, len(homes))]
        joined = birth + timedelta(days=365 * rng.randrange(18, max(19, min(age, 45))))
        name = names.person_name(rng.getrandbits(16), rng.getrandbits(16))
        address = (
            f"青岛市{names.COMMUNITY_WORDS[rng.randrange(30)]}"
            f"{names.ROAD_WORDS[rng.randrange(4)]}{rng.randrange(1, 300)}号"
        )
        members.append((
            member_id, name, "male" if male else "female",
            keyring.encrypt(number, ID_NUMBER), id_number_index(keyring, number), birth,
            keyring.encrypt(phone(rng.getrandbits(40)), MEMBER_PHONE),
            keyring.encrypt(address, MEMBER_ADDRESS), category, org, grid, joined,
            names.WORK_UNITS[rng.randrange(len(names.WORK_UNITS))]
            if category == "in_service" else None,
            POSTS[rng.randrange(len(POSTS))] if category == "no_post" else None,
            recorded, recorded,
        ))  # fmt: skip
        if rng.random() < TRANSFER_SHARE:
            previous = homes[rng.randrange(len(homes))][0]
            if previous != org:
                on = until - timedelta(days=rng.randrange(30, 1500))
                transfers.append((member_id, previous, org, on, "工作调动/居住地变更",
                                  datetime.combine(on, time(15), SHANGHAI)))  # fmt: skip
        if category == "mobile":
            since = until - timedelta(days=rng.randrange(20, 1800))
            outflow = rng.random() < 0.6
            place = names.PLACES[rng.randrange(len(names.PLACES))]
            ledger.append((
                member_id, "outflow" if outflow else "inflow",
                org if outflow else None, None if outflow else place,
                None if outflow else org, place if outflow else None,
                names.OCCUPATIONS[rng.randrange(len(names.OCCUPATIONS))],
                keyring.encrypt(phone(rng.getrandbits(40)), LEDGER_PHONE), since,
                since + timedelta(days=rng.randrange(180, 1100)) if outflow else None,
                f"LD{since:%Y}{member_id:08d}",
                datetime.combine(since, time(11), SHANGHAI),
            ))  # fmt: skip
    return {"party_members": members, "member_transfers": transfers,
            "mobile_ledger_entries": ledger}  # fmt: skip
