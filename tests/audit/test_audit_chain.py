"""The chain check without a database: what each kind of tampering looks like."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from enum import Enum

import pytest

from partygrid.domain.audit.events import GENESIS, AuditEvent, chain_hash, masked
from partygrid.domain.audit.trail import (
    MAX_EXAMPLES,
    AuditFilter,
    BreakKind,
    ChainVerifier,
    StoredAuditEvent,
    parse_anchor,
)
from partygrid.repo.audit.writer import _jsonable

KEY = b"unit-test-audit-key"
T0 = datetime(2026, 11, 22, 3, 14, 1, 14511, tzinfo=UTC)


def event(event_id: int, **fields: object) -> AuditEvent:
    base = AuditEvent(
        id=event_id, at=T0 + timedelta(seconds=event_id), principal_kind="user",
        principal_id=7, principal_name="王网格", role="grid_worker", action="member.update",
        resource_type="member", resource_id=str(100 + event_id), outcome="success",
        client_address="10.0.0.8", request_id=f"req-{event_id:08d}", reason=None,
        changes={"before": {"name": "张三"}, "after": {"name": "张三丰"}},
    )  # fmt: skip
    return replace(base, **fields)  # type: ignore[arg-type]


def chain(count: int, key: bytes = KEY) -> list[StoredAuditEvent]:
    out, prev = [], GENESIS
    for i in range(1, count + 1):
        e = event(i)
        digest = chain_hash(key, prev, e)
        out.append(StoredAuditEvent(e, prev, digest))
        prev = digest
    return out


def check(stored: list[StoredAuditEvent], **kwargs: object):
    verifier = ChainVerifier(KEY, **kwargs)  # type: ignore[arg-type]
    for item in stored:
        verifier.feed(item)
    return verifier.finish()


def test_an_untouched_chain_is_intact() -> None:
    report = check(chain(10))
    assert report.intact and report.checked == 10
    assert (report.first_id, report.last_id) == (1, 10)
    assert report.head == f"10:{chain(10)[-1].hash.hex()}"
    assert "intact" in "\n".join(report.lines())


def test_an_empty_trail_is_intact() -> None:
    report = check([])
    assert report.intact and report.checked == 0 and report.head is None


def test_an_edited_field_is_an_altered_event() -> None:
    stored = chain(6)
    stored[3] = replace(stored[3], event=replace(stored[3].event, outcome="denied"))
    report = check(stored)
    assert not report.intact
    assert report.breaks == 1  # the next link still holds: the stored hash was not touched
    assert (report.first_break.id, report.first_break.kind) == (4, BreakKind.altered)


def test_a_deleted_event_is_a_missing_id_not_also_a_broken_link() -> None:
    stored = chain(6)
    del stored[2]
    report = check(stored)
    assert report.breaks == 1
    assert (report.first_break.id, report.first_break.kind) == (3, BreakKind.missing)
    assert "event 3 is missing" in report.first_break.detail


def test_several_deleted_events_are_named_as_a_range() -> None:
    stored = chain(8)
    del stored[2:5]
    report = check(stored)
    assert report.first_break.detail.startswith("events 3–5 are missing")


def test_the_first_event_deleted_is_missing() -> None:
    report = check(chain(3)[1:])
    assert (report.first_break.id, report.first_break.kind) == (1, BreakKind.missing)


def test_an_unkeyed_rehash_breaks_the_event_and_the_next_link() -> None:
    stored = chain(5)
    forged = replace(stored[2].event, changes={"before": None, "after": {"name": "李四"}})
    fake = hashlib.sha256(stored[2].prev_hash + forged.canonical()).digest()
    stored[2] = StoredAuditEvent(forged, stored[2].prev_hash, fake)
    report = check(stored)
    assert [(b.id, b.kind) for b in report.examples] == [
        (3, BreakKind.altered),
        (4, BreakKind.broken_link),
    ]


def test_a_relinked_prev_hash_fails_the_keyed_hash() -> None:
    stored = chain(4)
    stored[2] = replace(stored[2], prev_hash=b"\x01" * 32)
    report = check(stored)
    assert (report.first_break.id, report.first_break.kind) == (3, BreakKind.altered)


def test_a_wrong_key_fails_every_event_and_says_so() -> None:
    report = check(chain(3, key=b"another key"))
    assert report.breaks == 3
    assert any("PARTYGRID_AUDIT_KEY" in line for line in report.lines())


def test_examples_are_bounded_but_every_break_is_counted() -> None:
    stored = [replace(s, hash=b"\x00" * 32) for s in chain(MAX_EXAMPLES + 15)]
    report = check(stored)
    assert len(report.examples) == MAX_EXAMPLES
    assert report.breaks > MAX_EXAMPLES
    assert any("more" in line for line in report.lines())


def test_an_anchor_detects_events_cut_from_the_end() -> None:
    stored = chain(6)
    anchor = (6, stored[-1].hash)
    assert check(stored, anchor=anchor).intact
    truncated = check(stored[:4], anchor=anchor)
    assert truncated.intact is False
    assert (truncated.first_break.id, truncated.first_break.kind) == (6, BreakKind.anchor)
    assert "ends at event 4" in truncated.first_break.detail


def test_an_anchor_with_another_hash_is_a_break() -> None:
    stored = chain(4)
    report = check(stored, anchor=(2, b"\x07" * 32))
    assert (report.first_break.id, report.first_break.kind) == (2, BreakKind.anchor)


def test_a_segment_links_to_the_event_before_it() -> None:
    stored = chain(10)
    report = check(stored[6:], after=(6, stored[5].hash))
    assert report.intact and not report.from_genesis and report.checked == 4
    assert "segment from event 7" in report.lines()[0]


def test_parse_anchor() -> None:
    digest = "ab" * 32
    assert parse_anchor(f"42:{digest}") == (42, bytes.fromhex(digest))
    for bad in ("42", "x:" + digest, "42:abcd", "0:" + digest, "42:zz"):
        with pytest.raises(ValueError, match="anchor"):
            parse_anchor(bad)


def test_masked_reaches_into_lists() -> None:
    snapshot = {
        "staff": [{"name": "李四", "phone": "13812345678", "id_number": "110101199003077777"}],
        "phone": ["13812345678", None],
        "address": ["青岛市市南区金沙滩路1号"],
        "tags": ["夕阳红", 3],
    }
    out = masked(snapshot)
    text = json.dumps(out, ensure_ascii=False)
    assert "13812345678" not in text and "110101199003077777" not in text
    assert "金沙滩路" not in text
    assert out["tags"] == ["夕阳红", 3]
    assert out["staff"][0]["name"] == "李四"


class Colour(Enum):
    red = "红"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1e16, 10**16),
        (-2.5e20, -250000000000000000000),
        (-0.0, 0.0),
        (float("nan"), "nan"),
        (float("inf"), "inf"),
        (0.1, 0.1),
        (1.5e-07, 1.5e-07),
        (date(2027, 2, 10), "2027-02-10"),
        (Colour.red, "红"),
        (b"\x01sealed", "[binary]"),
        ((1, "a"), [1, "a"]),
    ],
)
def test_jsonable_gives_what_jsonb_gives_back(value: object, expected: object) -> None:
    assert _jsonable({"v": value}) == {"v": expected}


def test_filter_describes_only_what_was_set() -> None:
    since = datetime(2026, 11, 1, tzinfo=UTC)
    assert AuditFilter(since=since, action="member.").describe() == {
        "since": "2026-11-01T00:00:00+00:00",
        "action": "member.",
    }
    assert AuditFilter(action="member.").action_is_prefix
    assert not AuditFilter(action="member.update").action_is_prefix
