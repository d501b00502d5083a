"""Use cases of the audit trail: verify its hash chain, and let auditors read it.

Reading the trail is itself on the trail ("audit.query", "audit.read", "audit.verify"):
MLPS 2.0 level 3 asks that the audit administrator's own actions be audited, and it lets a
later reviewer see who looked at whose records.
"""

from __future__ import annotations

from collections.abc import Callable

from partygrid.domain.access import Actor
from partygrid.domain.audit.trail import (
    AuditFilter,
    ChainReport,
    ChainVerifier,
    StoredAuditEvent,
)
from partygrid.domain.errors import NotFound
from partygrid.repo.audit.reader import SqlAuditReader
from partygrid.repo.uow import UnitOfWork

VERIFY_BATCH = 5_000
RESOURCE = "audit_event"


async def verify_chain(
    uow: UnitOfWork,
    *,
    anchor: tuple[int, bytes] | None = None,
    batch_size: int = VERIFY_BATCH,
    progress: Callable[[int], None] | None = None,
) -> ChainReport:
    """Check the whole chain from the genesis up to the newest event at the start: ids
    consecutive, each event's keyed hash, each link. Reads ``batch_size`` events at a time."""
    async with uow:
        reader = uow.audit_reader
        verifier = ChainVerifier(uow.keyring.audit_key, anchor=anchor)
        # Events appended while this runs are left for the next run, so it always ends.
        stop = await reader.last_id() or 0
        await _feed(reader, verifier, after_id=0, stop=stop, batch_size=batch_size,
                    progress=progress)  # fmt: skip
        return verifier.finish()


async def _feed(
    reader: SqlAuditReader,
    verifier: ChainVerifier,
    *,
    after_id: int,
    stop: int,
    batch_size: int,
    progress: Callable[[int], None] | None = None,
) -> None:
    while after_id < stop:
        batch = await reader.chain_batch(after_id=after_id, limit=batch_size)
        for stored in batch:
            if stored.event.id > stop:
                return
            verifier.feed(stored)
        if progress is not None:
            progress(verifier.report.checked)
        if len(batch) < batch_size:
            return
        after_id = batch[-1].event.id


async def verify_recent(
    uow: UnitOfWork, *, actor: Actor, events: int, batch_size: int = VERIFY_BATCH
) -> ChainReport:
    """Check the newest ``events`` events among themselves (the whole chain when it is that
    short). The link into older events and the older events themselves are left to
    ``partygrid audit verify``, which may take minutes on a large trail."""
    async with uow:
        reader = uow.audit_reader
        stop = await reader.last_id() or 0
        start = max(1, stop - events + 1)
        after = None
        if start > 1:
            first = await reader.chain_batch(after_id=start - 1, limit=1)
            # The segment trusts the link its first event claims; gaps from ``start`` on
            # still show.
            after = (start - 1, first[0].prev_hash) if first else None
        verifier = ChainVerifier(uow.keyring.audit_key, after=after)
        await _feed(reader, verifier, after_id=start - 1, stop=stop, batch_size=batch_size)
        report = verifier.finish()
        first_break = report.first_break
        uow.audit.record(
            actor, "audit.verify", RESOURCE, None,
            after={
                "from_id": start, "to_id": stop, "checked": report.checked,
                "intact": report.intact, "breaks": report.breaks,
                "first_break": first_break.id if first_break else None,
            },
        )  # fmt: skip
        await uow.commit()
        return report


async def list_events(
    uow: UnitOfWork, *, actor: Actor, query: AuditFilter, before_id: int | None, limit: int
) -> list[StoredAuditEvent]:
    """Events matching ``query``, newest first; the query is recorded as "audit.query"."""
    async with uow:
        items = await uow.audit_reader.search(query, before_id=before_id, limit=limit)
        uow.audit.record(
            actor, "audit.query", RESOURCE, None,
            after={"filters": query.describe(), "before_id": before_id, "returned": len(items)},
        )  # fmt: skip
        await uow.commit()
        return items


async def get_event(uow: UnitOfWork, *, actor: Actor, event_id: int) -> StoredAuditEvent:
    async with uow:
        stored = await uow.audit_reader.get(event_id)
        if stored is None:
            raise NotFound(f"audit event {event_id} not found")
        uow.audit.record(actor, "audit.read", RESOURCE, event_id)
        await uow.commit()
        return stored
