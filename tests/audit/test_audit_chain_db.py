"""What is read back from PostgreSQL hashes exactly as what was written: timestamps,
JSONB snapshots (Chinese text, nesting, numbers, None, booleans, dates) and NULL columns."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from partygrid.domain.access import Actor, Principal, PrincipalKind, Role, Scope, system_actor
from partygrid.domain.audit.events import Outcome
from partygrid.repo.keyring import Keyring
from partygrid.repo.uow import UnitOfWork
from partygrid.services.audit.use_cases import verify_chain

SHANGHAI = timezone(timedelta(hours=8))


class Category(StrEnum):
    mobile = "mobile"


ACTORS = [
    Actor(Principal(PrincipalKind.user, 7, "王网格", Role.grid_worker), "10.0.0.8", "req-00000001"),
    Actor(Principal(PrincipalKind.api_client, 3, "公安分局接口", Role.partner_system), "::1", None),
    Actor(Principal(PrincipalKind.user, 9, "norole", None), None, None),
    system_actor(Scope()),
]

CURATED: list[dict[str, Any] | None] = [
    None,
    {},
    {"name": "张三", "note": '引号"、反斜杠\\、换行\n、制表\t、\u2028、emoji 🇨🇳'},
    {"id_number": "110101199003077777", "phone": "13812345678", "address": "金沙滩路1号"},
    {"joined_on": date(2001, 7, 1), "at": datetime(2026, 11, 22, 8, 0, tzinfo=SHANGHAI)},
    {"whole": 1e16, "neg_zero": -0.0, "tiny": 5e-324, "third": 1 / 3, "big": 2**70},
    {"nan": float("nan"), "inf": float("-inf"), "money": Decimal("12.50")},
    {"flags": [True, False, None], "category": Category.mobile, "empty": [], "nested": {}},
    {"层": {"级": {"深": [{"phone": "13912345678"}, [1, [2, [3]]]]}}},
    {"10": "numeric key", "a b": "space", "": "empty key", "ключ": "unicode key"},
]


def _random_value(rng: random.Random, depth: int) -> Any:
    kinds = ["str", "int", "float", "bool", "none", "date"] + (["list", "dict"] if depth else [])
    kind = rng.choice(kinds)
    if kind == "str":
        return "".join(
            rng.choice("网格党支部居民AZaz09 -_/'\"\\é😀") for _ in range(rng.randint(0, 12))
        )
    if kind == "int":
        return rng.choice([0, -1, rng.randint(-(2**63), 2**63), rng.randint(0, 100)])
    if kind == "float":
        return rng.choice([rng.random(), rng.uniform(-1e20, 1e20), 10.0 ** rng.randint(-30, 30)])
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "none":
        return None
    if kind == "date":
        return date(2020, 1, 1) + timedelta(days=rng.randint(0, 3000))
    if kind == "list":
        return [_random_value(rng, depth - 1) for _ in range(rng.randint(0, 4))]
    return _random_snapshot(rng, depth - 1)


def _random_snapshot(rng: random.Random, depth: int = 3) -> dict[str, Any]:
    keys = ["name", "phone", "status", "grid_id", "备注", "level", "items", "x"]
    return {rng.choice(keys): _random_value(rng, depth) for _ in range(rng.randint(0, 5))}


def _events(count: int) -> list[dict[str, Any]]:
    rng = random.Random(20261122)
    out = []
    for i in range(count):
        before = CURATED[i] if i < len(CURATED) else _random_snapshot(rng)
        after = CURATED[-1 - i] if i < len(CURATED) else _random_snapshot(rng)
        out.append(
            {
                "actor": ACTORS[i % len(ACTORS)],
                "action": rng.choice(["member.update", "organization.move", "member.reveal"]),
                "resource_type": rng.choice(["member", "organization", "grid"]),
                "resource_id": rng.choice([None, i, f"G-{i}"]),
                "before": before if i % 5 else None,
                "after": after,
                "outcome": list(Outcome)[i % 3],
                "reason": rng.choice([None, "", "核查身份", "x" * 300]),
            }
        )
    return out


async def test_every_kind_of_event_verifies_after_the_round_trip(
    uow: UnitOfWork, connection: AsyncConnection, keyring: Keyring
) -> None:
    events = _events(240)
    for start in range(0, len(events), 25):
        async with uow:
            for e in events[start : start + 25]:
                uow.audit.record(
                    e["actor"], e["action"], e["resource_type"], e["resource_id"],
                    before=e["before"], after=e["after"], outcome=e["outcome"], reason=e["reason"],
                )  # fmt: skip
            await uow.commit()
    # The chain must not depend on the reading session's time zone.
    await connection.execute(text("SET LOCAL TIME ZONE 'Asia/Shanghai'"))
    report = await verify_chain(uow, batch_size=64)
    assert report.intact, "\n".join(report.lines())
    assert (report.checked, report.first_id, report.last_id) == (240, 1, 240)


async def test_stored_snapshots_are_masked_and_timestamps_utc(
    uow: UnitOfWork, connection: AsyncConnection
) -> None:
    async with uow:
        uow.audit.record(ACTORS[0], "member.update", "member", 1, before=CURATED[3], after=None)
        await uow.commit()
    row = (await connection.execute(text("SELECT at, changes::text AS c FROM audit_events"))).one()
    assert "13812345678" not in row.c and "110101199003077777" not in row.c
    assert "金沙滩路" not in row.c
    assert row.at.utcoffset() == timedelta(0)
    assert abs(datetime.now(UTC) - row.at) < timedelta(minutes=1)


async def test_verify_reads_in_batches(uow: UnitOfWork) -> None:
    async with uow:
        for i in range(11):
            uow.audit.record(ACTORS[i % 2], "grid.update", "grid", i, after={"n": i})
        await uow.commit()
    seen: list[int] = []
    report = await verify_chain(uow, batch_size=4, progress=seen.append)
    assert report.intact and report.checked == 11
    assert seen == [4, 8, 11]
