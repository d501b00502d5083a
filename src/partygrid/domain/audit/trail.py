"""Reading the audit trail back: stored events, the auditors' filters, and the check of
the hash chain. Pure: fed one stored event at a time, in id order, by whoever reads them."""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from partygrid.domain.audit.events import GENESIS, AuditEvent, Outcome, chain_hash

# Enough to show a pattern without holding a million breaks in memory.
MAX_EXAMPLES = 20


@dataclass(frozen=True, slots=True)
class StoredAuditEvent:
    """An event as read from the table, with the two hashes that chain it."""

    event: AuditEvent
    prev_hash: bytes
    hash: bytes


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """What an auditor may ask for; every field narrows, None means any."""

    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive
    principal_kind: str | None = None
    principal_id: int | None = None
    principal_name: str | None = None
    resource_type: str | None = None
    resource_id: str | None = None
    action: str | None = None  # "member.update" exactly, or "member." for the prefix
    outcome: Outcome | None = None

    @property
    def action_is_prefix(self) -> bool:
        return self.action is not None and self.action.endswith(".")

    def describe(self) -> dict[str, str | int]:
        """The filters that were set, for the audit record of the query itself."""
        out: dict[str, str | int] = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if value is not None:
                out[name] = value.isoformat() if isinstance(value, datetime) else value
        return out


class BreakKind(StrEnum):
    missing = "missing"  # ids are absent: rows were deleted
    altered = "altered"  # the stored fields no longer give the stored hash
    broken_link = "broken_link"  # prev_hash is not the hash of the event before
    anchor = "anchor"  # an event noted earlier is gone or different


@dataclass(frozen=True, slots=True)
class ChainBreak:
    id: int
    kind: BreakKind
    detail: str


@dataclass(slots=True)
class ChainReport:
    from_genesis: bool = True  # False: a segment, linked to the stored event before it
    checked: int = 0
    first_id: int | None = None
    last_id: int | None = None
    last_hash: bytes | None = None
    breaks: int = 0
    examples: list[ChainBreak] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return self.breaks == 0

    @property
    def first_break(self) -> ChainBreak | None:
        return self.examples[0] if self.examples else None

    @property
    def head(self) -> str | None:
        """``ID:HEXHASH`` of the last event, to note down and pass as ``--anchor`` later."""
        if self.last_id is None or self.last_hash is None:
            return None
        return f"{self.last_id}:{self.last_hash.hex()}"

    def lines(self) -> list[str]:
        scope = "whole trail" if self.from_genesis else f"segment from event {self.first_id}"
        span = f"events {self.first_id}–{self.last_id}" if self.checked else "no events"
        out = [f"audit trail ({scope}): checked {self.checked} ({span})"]
        if self.intact:
            out.append("intact: every event matches its keyed hash and links to the one before")
        else:
            first = self.first_break
            assert first is not None
            out.append(f"TAMPERED: {self.breaks} break(s); first at event {first.id}")
            out.extend(f"  event {b.id}: {b.kind.value}: {b.detail}" for b in self.examples)
            if self.breaks > len(self.examples):
                out.append(f"  ... and {self.breaks - len(self.examples)} more")
            if self.checked and self.breaks >= self.checked:
                out.append(
                    "every event fails: is PARTYGRID_AUDIT_KEY the key they were written with?"
                )
        if self.head:
            out.append(f"head: {self.head} (note it; `--anchor` it next time to detect truncation)")
        return out


class ChainVerifier:
    """Checks consecutive ids, each event's keyed hash and each link to the event before.

    ``after`` is ``(id, hash)`` of the event just before the first one fed, for checking a
    segment; None checks from the genesis. ``anchor`` is ``(id, hash)`` of an event noted
    earlier: the chain alone cannot tell that its newest events were cut off, an anchor can.
    """

    def __init__(
        self,
        key: bytes,
        *,
        after: tuple[int, bytes] | None = None,
        anchor: tuple[int, bytes] | None = None,
    ) -> None:
        self._key = key
        self._expected_id = after[0] + 1 if after else 1
        self._prev_hash = after[1] if after else GENESIS
        self._anchor = anchor
        self._anchor_seen = False
        self.report = ChainReport(from_genesis=after is None)

    def feed(self, stored: StoredAuditEvent) -> None:
        event, report = stored.event, self.report
        report.checked += 1
        if report.first_id is None:
            report.first_id = event.id
        gap = event.id != self._expected_id
        if event.id > self._expected_id:
            last_missing = event.id - 1
            ids = (
                f"event {last_missing} is"
                if last_missing == self._expected_id
                else f"events {self._expected_id}–{last_missing} are"
            )
            self._break(self._expected_id, BreakKind.missing, f"{ids} missing (deleted)")
        elif gap:  # ids are read in order, so this is a duplicate: impossible with the key
            self._break(event.id, BreakKind.missing, f"out of order after {self._expected_id - 1}")
        if not hmac.compare_digest(chain_hash(self._key, stored.prev_hash, event), stored.hash):
            self._break(
                event.id, BreakKind.altered, "its stored fields do not give its stored hash"
            )
        elif not gap and not hmac.compare_digest(stored.prev_hash, self._prev_hash):
            # A gap explains a wrong link already; otherwise the event before was rewritten.
            self._break(
                event.id,
                BreakKind.broken_link,
                f"its prev_hash is not the stored hash of event {event.id - 1}",
            )
        if self._anchor and event.id == self._anchor[0]:
            self._anchor_seen = True
            if not hmac.compare_digest(stored.hash, self._anchor[1]):
                self._break(event.id, BreakKind.anchor, "its hash is not the one noted earlier")
        self._prev_hash = stored.hash
        self._expected_id = max(self._expected_id, event.id + 1)
        report.last_id, report.last_hash = event.id, stored.hash

    def finish(self) -> ChainReport:
        if self._anchor and not self._anchor_seen:
            anchor_id = self._anchor[0]
            end = self.report.last_id or 0
            if anchor_id > end:
                detail = f"the trail ends at event {end}: newer events were removed"
            else:
                detail = "it is no longer in the trail"
            self._break(anchor_id, BreakKind.anchor, f"noted earlier, but {detail}")
        return self.report

    def _break(self, event_id: int, kind: BreakKind, detail: str) -> None:
        self.report.breaks += 1
        if len(self.report.examples) < MAX_EXAMPLES:
            self.report.examples.append(ChainBreak(event_id, kind, detail))


def parse_anchor(text: str) -> tuple[int, bytes]:
    """``ID:HEXHASH`` as printed by a previous verification."""
    event_id, sep, digest = text.strip().partition(":")
    try:
        if not sep:
            raise ValueError
        parsed = int(event_id), bytes.fromhex(digest)
    except ValueError:
        raise ValueError("an anchor looks like 1234:<64 hex digits>") from None
    if parsed[0] < 1 or len(parsed[1]) != 32:
        raise ValueError("an anchor looks like 1234:<64 hex digits>")
    return parsed
