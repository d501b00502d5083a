"""Key rotation: re-seal every encrypted value under the current data key and, after an
index key change, rebuild the ID number index.

Each batch is its own transaction, so a long rotation holds no lock for long, can be
interrupted and run again: values already under the current key are not touched twice.
A value no configured key opens is left as it is and reported; until the report shows
none, the old keys must stay configured.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from partygrid.domain.access import Actor
from partygrid.domain.audit.events import Outcome
from partygrid.repo.keyring import DecryptionError, Keyring
from partygrid.repo.sealing import ID_NUMBER, SEALED_COLUMNS, SealedColumn, id_number_index
from partygrid.repo.uow import UnitOfWork

BATCH_ROWS = 5_000


@dataclass
class ColumnRotation:
    column: str
    resealed: int = 0
    unreadable: int = 0  # no configured key opens it (or it was sealed for another column)
    changed_meanwhile: int = 0  # the service rewrote it between our read and our write
    from_keys: Counter[str] = field(default_factory=Counter)


@dataclass
class IndexRebuild:
    rebuilt: int = 0
    already_current: int = 0
    unreadable: int = 0
    # Matched neither the current nor the old index key (only counted when the old key is
    # known): the index was wrong before; it is right now.
    unexpected: int = 0
    changed_meanwhile: int = 0


@dataclass
class RotationReport:
    current_kid: str
    columns: list[ColumnRotation] = field(default_factory=list)
    index: IndexRebuild | None = None

    @property
    def complete(self) -> bool:
        """Nothing left that an old key could still be needed for."""
        unreadable = sum(c.unreadable for c in self.columns)
        return unreadable == 0 and (self.index is None or self.index.unreadable == 0)

    def summary(self) -> dict[str, Any]:
        """Counts only: what the audit trail keeps of a rotation."""
        out: dict[str, Any] = {
            "current_key": self.current_kid,
            "columns": {
                c.column: {"resealed": c.resealed, "unreadable": c.unreadable,
                           "changed_meanwhile": c.changed_meanwhile,
                           "from_keys": dict(sorted(c.from_keys.items()))}
                for c in self.columns
            },
        }  # fmt: skip
        if self.index is not None:
            out["index"] = vars(self.index).copy()
        return out

    def lines(self) -> list[str]:
        lines = [f"current data key: {self.current_kid}"]
        for c in self.columns:
            origin = ", ".join(f"{n} from {kid}" for kid, n in sorted(c.from_keys.items()))
            line = f"{c.column}: {c.resealed} re-encrypted" + (f" ({origin})" if origin else "")
            if c.unreadable:
                line += f"; {c.unreadable} NOT readable with the configured keys, left as is"
            if c.changed_meanwhile:
                line += f"; {c.changed_meanwhile} changed meanwhile (run again to check)"
            lines.append(line)
        if self.index is not None:
            i = self.index
            line = f"ID number index: {i.rebuilt} rebuilt, {i.already_current} already current"
            if i.unexpected:
                line += f"; {i.unexpected} matched neither index key (fixed)"
            if i.unreadable:
                line += f"; {i.unreadable} ID numbers NOT readable, index left as is"
            if i.changed_meanwhile:
                line += f"; {i.changed_meanwhile} changed meanwhile (run again to check)"
            lines.append(line)
        if self.complete:
            lines.append(
                f"every sealed value uses {self.current_kid}: older data keys can be removed"
            )
        else:
            lines.append("keep every configured key until the unreadable values are resolved")
        return lines


async def _reseal_column(uow: UnitOfWork, sealed: SealedColumn, batch: int) -> ColumnRotation:
    keyring = uow.keyring
    result = ColumnRotation(sealed.name)
    after: int | None = None
    while True:
        async with uow:
            rows = await uow.key_rotation.stale_blobs(
                sealed, keyring.current_kid, after_id=after, limit=batch
            )
            if not rows:
                return result
            changes = []
            for row_id, blob in rows:
                try:
                    clear = keyring.decrypt(blob, sealed.context)
                except DecryptionError:
                    result.unreadable += 1
                    continue
                result.from_keys[Keyring.key_id_of(blob)] += 1
                changes.append((row_id, blob, keyring.encrypt(clear, sealed.context)))
            written = await uow.key_rotation.replace_blobs(sealed, changes)
            await uow.commit()
        result.resealed += written
        result.changed_meanwhile += len(changes) - written
        after = rows[-1][0]


async def _rebuild_index(uow: UnitOfWork, old_index_key: bytes | None, batch: int) -> IndexRebuild:
    keyring = uow.keyring
    old = replace(keyring, index_key=old_index_key) if old_index_key else None
    result = IndexRebuild()
    after: int | None = None
    while True:
        async with uow:
            rows = await uow.key_rotation.id_number_batch(after_id=after, limit=batch)
            if not rows:
                return result
            changes = []
            for row_id, blob, index in rows:
                try:
                    number = keyring.decrypt(blob, ID_NUMBER)
                except DecryptionError:
                    result.unreadable += 1
                    continue
                wanted = id_number_index(keyring, number)
                if index == wanted:
                    result.already_current += 1
                    continue
                if old is not None and index != id_number_index(old, number):
                    result.unexpected += 1
                changes.append((row_id, index, wanted))
            written = await uow.key_rotation.replace_id_number_index(changes)
            await uow.commit()
        result.rebuilt += written
        result.changed_meanwhile += len(changes) - written
        after = rows[-1][0]


async def rotate_keys(
    uow: UnitOfWork,
    *,
    actor: Actor,
    reindex: bool = False,
    old_index_key: bytes | None = None,
    batch_size: int = BATCH_ROWS,
    columns: tuple[SealedColumn, ...] = SEALED_COLUMNS,
) -> RotationReport:
    """Re-seal every value of ``columns`` not under the current data key; with
    ``reindex``, recompute the ID number index with the current index key. The run and
    its counts go to the audit trail."""
    report = RotationReport(uow.keyring.current_kid)
    for sealed in columns:
        report.columns.append(await _reseal_column(uow, sealed, batch_size))
    if reindex:
        report.index = await _rebuild_index(uow, old_index_key, batch_size)
    async with uow:
        uow.audit.record(
            actor, "keys.rotate", "keyring", report.current_kid, after=report.summary(),
            outcome=Outcome.success if report.complete else Outcome.failed,
        )  # fmt: skip
        await uow.commit()
    return report
